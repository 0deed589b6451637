#include <stdio.h>

#include "collector.h"
#include "scrape.h"

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

bool collector_enabled(const char *name)
{
	struct collector_info info;

	for (size_t i = 0; scrape_collector_info(i, &info); i++)
		if (streq(info.name, name))
			return info.enabled;
	/* No engine (unit tests): the collector's default. */
	for (size_t i = 0; i < collector_count; i++)
		if (streq(collector_table[i]->name, name))
			return collector_table[i]->default_on;
	return false;
}
