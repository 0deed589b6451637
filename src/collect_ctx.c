#include <stdio.h>

#include "collector.h"

ssize_t ctx_read(struct collect_ctx *c, enum nodex_root root, const char *fmt, ...)
{
	va_list ap;
	const char *p;

	va_start(ap, fmt);
	p = path_vbuild(&c->path, root, fmt, ap);
	va_end(ap);
	if (!p)
		return -ENOMEM;
	return file_read(p, &c->buf);
}

const char *ctx_path(struct collect_ctx *c, enum nodex_root root, const char *fmt, ...)
{
	va_list ap;
	const char *p;

	va_start(ap, fmt);
	p = path_vbuild(&c->path, root, fmt, ap);
	va_end(ap);
	return p;
}

void ctx_warn(struct collect_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->n_warn++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(c->warn, sizeof(c->warn), fmt, ap);
	va_end(ap);
}

int ctx_fail(struct collect_ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return err;
}
