/* swap: per swap device size, use and priority from /proc/swaps, as node_exporter's swap collector
 * (1.10+). Sizes are in KiB in the file and exported in bytes. */
#include "collector.h"

static const struct metric_desc descs[3] = {
	METRIC_DESC("node_swap_size_bytes", "Swap device size in bytes.", METRIC_GAUGE, "device", "swap_type"),
	METRIC_DESC("node_swap_used_bytes", "Swap device used in bytes.", METRIC_GAUGE, "device", "swap_type"),
	METRIC_DESC("node_swap_priority", "Swap device priority.", METRIC_GAUGE, "device", "swap_type"),
};

/* Go's strconv.Atoi. */
static int parse_int(const char *s, int64_t *v)
{
	const char *d = (*s == '+' || *s == '-') ? s + 1 : s;

	if (*d < '0' || *d > '9')
		return -EINVAL;
	return parse_i64(*s == '+' ? s + 1 : s, NULL, v);
}

static int swap_collect(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "swaps");
	struct family *fam[3];
	char *p, *line;
	int bad = 0;

	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get swap information: %s: %s", c->path.p, strerror((int)-n));
	for (int i = 0; i < 3; i++)
		fam[i] = metric_family(c->ms, &descs[i]);
	p = c->buf.p;
	next_line(&p); /* Filename Type Size Used Priority */
	while ((line = next_line(&p))) {
		char *f[5];
		int64_t size, used, prio;

		if (split_fields(line, f, 5) < 5 || parse_int(f[2], &size) < 0 || parse_int(f[3], &used) < 0 ||
		    parse_int(f[4], &prio) < 0) {
			bad++;
			continue;
		}
		metric_add(fam[0], (double)size * 1024, f[0], f[1]);
		metric_add(fam[1], (double)used * 1024, f[0], f[1]);
		metric_add(fam[2], (double)prio, f[0], f[1]);
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "couldn't get swap information: %d malformed line(s) in %s", bad,
				c->path.p);
	return 0;
}

COLLECTOR(swap, .default_on = false);
