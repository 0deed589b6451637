/* cgroups: node_cgroups_cgroups and node_cgroups_enabled per controller from /proc/cgroups, as
 * node_exporter's cgroups collector (procfs CgroupSummarys). Lines starting with '#' are comments; a
 * line needs subsys_name, hierarchy, num_cgroups and enabled. (Both families carry node_exporter's
 * help text, "Current cgroup number of the subsystem.".) */
#include "collector.h"

METRIC(cgroups_desc, GAUGE, "node_cgroups_cgroups", "Current cgroup number of the subsystem.", "subsys_name");
METRIC(enabled_desc, GAUGE, "node_cgroups_enabled", "Current cgroup number of the subsystem.", "subsys_name");

/* Go's strconv.Atoi. */
static int parse_int(const char *s, int64_t *v)
{
	const char *d = (*s == '+' || *s == '-') ? s + 1 : s;

	if (*d < '0' || *d > '9')
		return -EINVAL;
	return parse_i64(*s == '+' ? s + 1 : s, NULL, v);
}

static int cgroups_collect(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "cgroups");
	struct family *fc, *fe;
	char *p, *line;
	int bad = 0;

	if (n < 0)
		return ctx_fail(c, (int)n, "%s: %s", c->path.p, strerror((int)-n));
	fc = metric_family(c->ms, &cgroups_desc);
	fe = metric_family(c->ms, &enabled_desc);
	p = c->buf.p;
	while ((line = next_line(&p))) {
		char *f[4];
		int64_t hier, num, en;

		if (line[0] == '#')
			continue;
		if (split_fields(line, f, 4) < 4 || parse_int(f[1], &hier) < 0 || parse_int(f[2], &num) < 0 ||
		    parse_int(f[3], &en) < 0) {
			bad++;
			continue;
		}
		metric_add(fc, (double)num, f[0]);
		metric_add(fe, (double)en, f[0]);
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "%d malformed line(s) in %s", bad, c->path.p);
	return 0;
}

COLLECTOR(cgroups, .default_on = false);
