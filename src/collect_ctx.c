#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
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

ssize_t ctx_list_dir(struct collect_ctx *c, unsigned flags, const char **dir, char ***names, enum nodex_root root,
		     const char *fmt, ...)
{
	va_list ap;
	const char *p;
	char *copy;
	ssize_t n;

	va_start(ap, fmt);
	p = path_vbuild(&c->path, root, fmt, ap);
	va_end(ap);
	if (!p || !(copy = arena_strdup(&c->ms->arena, p)))
		return -ENOMEM;
	n = dir_list(copy, &c->ms->arena, names);
	if (n >= 0 || n == -ENOMEM)
		goto out;
	if (flags & CTX_LIST_GLOB) {
		if (!(*names = arena_zalloc(&c->ms->arena, sizeof(**names))))
			return -ENOMEM;
		n = 0;
		goto out;
	}
	if (n == -ENOENT || ((flags & CTX_LIST_NODATA_EACCES) && (n == -EACCES || n == -EPERM)) ||
	    ((flags & CTX_LIST_NODATA_ENOTDIR) && n == -ENOTDIR))
		return ctx_fail(c, COLLECTOR_NO_DATA, "%s: %s", copy, strerror((int)-n));
out:
	if (n >= 0 && dir)
		*dir = copy;
	return n;
}

const char *ctx_read_trimmed(struct collect_ctx *c, int *err, enum nodex_root root, const char *fmt, ...)
{
	va_list ap;
	const char *p, *s;
	ssize_t n;

	va_start(ap, fmt);
	p = path_vbuild(&c->path, root, fmt, ap);
	va_end(ap);
	n = p ? file_read(p, &c->buf) : -ENOMEM;
	if (n < 0) {
		*err = (int)n;
		return NULL;
	}
	if (!(s = arena_strdup(&c->ms->arena, go_trim_space(c->buf.p))))
		*err = -ENOMEM;
	return s;
}
