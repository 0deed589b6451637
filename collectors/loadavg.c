/* loadavg: node_load1, node_load5, node_load15 from /proc/loadavg. */
#include "collector.h"

static const struct metric_desc load_descs[] = {
	METRIC_DESC("node_load1", "1m load average.", METRIC_GAUGE),
	METRIC_DESC("node_load5", "5m load average.", METRIC_GAUGE),
	METRIC_DESC("node_load15", "15m load average.", METRIC_GAUGE),
};

/* Parses the first three fields of /proc/loadavg. Returns 0 or -EINVAL. */
static int loadavg_parse(const char *s, double out[3])
{
	const char *p = s;
	double v[3];

	for (int i = 0; i < 3; i++) {
		if (parse_double(p, &p, &v[i]) < 0 || (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\0'))
			return -EINVAL;
	}
	memcpy(out, v, sizeof(v));
	return 0;
}

static int loadavg_collect(struct collect_ctx *c)
{
	double v[3];
	ssize_t n = ctx_read(c, ROOT_PROC, "loadavg");

	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get load: open %s: %s", c->path.p, strerror((int)-n));
	if (loadavg_parse(c->buf.p, v) < 0)
		return ctx_fail(c, -EINVAL, "couldn't get load: unexpected content in %s", c->path.p);
	for (int i = 0; i < 3; i++)
		metric_emit(c->ms, &load_descs[i], v[i]);
	return 0;
}

COLLECTOR(loadavg, .default_on = true);
