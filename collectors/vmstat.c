/* vmstat: node_vmstat_<field> (untyped) for every /proc/vmstat field that --collector.vmstat.fields matches
 * (Go regex, unanchored), as node_exporter's vmstat_linux.go.
 *
 * /proc/vmstat has ~180 lines and a handful are wanted. The set and order of names is fixed for a running
 * kernel, so the regex decision is cached per line position together with the name it was made for: a
 * scrape compares each name with the cached one (a short memcmp) and runs the regex only for a name it has
 * not seen at that position. */
#include <stdio.h>

#include "collector.h"
#include "linecache.h"

#define VMSTAT_DEFAULT_FIELDS "^(oom_kill|pgpg|pswp|pg.*fault).*"

static const char *opt_fields;

static struct flag vmstat_flags[] = {
	{ "collector.vmstat.fields", FLAG_STRING, VMSTAT_DEFAULT_FIELDS,
	  "Regexp of fields to return for vmstat collector.", &opt_fields },
	{ NULL },
};

static struct regex *fields_re;

static struct line_cache cache;

/* Whether the field name (len bytes) at line position pos is wanted: the cached decision, or the regex's
 * (also when the cache cannot allocate). */
static bool want_field(size_t pos, const char *name, size_t len)
{
	bool fresh;
	struct line_decision *d = line_cache_get(&cache, pos, name, len, &fresh);

	if (!d) {
		char tmp[256];
		snprintf(tmp, sizeof(tmp), "%.*s", (int)len, name);
		return regex_match(fields_re, tmp);
	}
	if (fresh)
		d->want = regex_match(fields_re, d->key);
	return d->want;
}

static int vmstat_init(char *err, size_t err_size)
{
	fields_re = regex_new(opt_fields ? opt_fields : "", err, err_size);
	return fields_re ? 0 : -EINVAL;
}

static int vmstat_collect(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "vmstat");
	char *p, *line, full[320], help[320];
	size_t pos = 0;
	int bad = 0;

	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get vmstat: open %s: %s", c->path.p, strerror((int)-n));
	p = c->buf.p;
	while ((line = next_line(&p))) {
		char *name = next_field(&line), *value = next_field(&line);
		double v;
		if (!name)
			continue;
		size_t len = strlen(name);
		if (!want_field(pos++, name, len))
			continue;
		if (!value || len > 200 || parse_double(value, NULL, &v) < 0) {
			bad++;
			continue;
		}
		memcpy(full, "node_vmstat_", 12);
		memcpy(full + 12, name, len + 1);
		snprintf(help, sizeof(help), "/proc/vmstat information field %s.", name);
		struct metric_desc d = { .name = full, .help = help, .type = METRIC_UNTYPED };
		metric_emit(c->ms, &d, v);
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "couldn't get vmstat: %d malformed line(s) in %s", bad, c->path.p);
	return 0;
}

static void vmstat_fini(void)
{
	line_cache_free(&cache);
	regex_free(fields_re);
	fields_re = NULL;
}

COLLECTOR(vmstat, .default_on = true, .flags = vmstat_flags, .init = vmstat_init, .fini = vmstat_fini);
