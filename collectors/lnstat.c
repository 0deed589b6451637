/* lnstat: node_lnstat_<column>_total{cpu,subsystem} from every file in /proc/net/stat (arp_cache,
 * ndisc_cache, nf_conntrack, rt_cache ...), as node_exporter's lnstat collector (procfs NetStat). The
 * first line of a file names the columns, each further line holds one CPU's counters in hex. */
#include <stdio.h>

#include "collector.h"

#define MAX_COLUMNS 128

/* Go's strconv.ParseUint(s, 16, 64): hex digits only. */
static int parse_hex(const char *s, uint64_t *v)
{
	const char *e;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return -EINVAL;
	if (parse_hex_u64(s, &e, v) < 0 || *e)
		return -EINVAL;
	return 0;
}

/* Parses one file. Returns the number of malformed lines. */
static int lnstat_file(struct collect_ctx *c, const char *subsystem, char *s)
{
	struct family *fam[MAX_COLUMNS];
	char *hdr[MAX_COLUMNS + 1], *line;
	unsigned cpu[MAX_COLUMNS] = { 0 };
	int nh, bad = 0;

	line = next_line(&s);
	if (!line)
		return 0;
	nh = split_fields(line, hdr, MAX_COLUMNS + 1);
	if (nh > MAX_COLUMNS)
		return 1;
	for (int i = 0; i < nh; i++) {
		char name[256];
		snprintf(name, sizeof(name), "node_lnstat_%s_total", hdr[i]);
		struct metric_desc d = { .name = name, .help = "linux network cache stats", .type = METRIC_COUNTER,
					 .n_labels = 2, .labels = (const char *const[]){ "subsystem", "cpu" } };
		fam[i] = metric_family(c->ms, &d);
	}
	while ((line = next_line(&s))) {
		char *f[MAX_COLUMNS + 1];
		uint64_t v[MAX_COLUMNS];
		int nf = split_fields(line, f, MAX_COLUMNS + 1);
		bool ok = nf <= nh;

		for (int i = 0; i < nf && ok; i++)
			ok = parse_hex(f[i], &v[i]) == 0;
		if (!ok) {
			bad++;
			for (int i = 0; i < nf && i < nh; i++)
				cpu[i]++;
			continue;
		}
		for (int i = 0; i < nf; i++) {
			char label[16];
			snprintf(label, sizeof(label), "%u", cpu[i]++);
			metric_add(fam[i], (double)v[i], subsystem, label);
		}
	}
	return bad;
}

static int lnstat_collect(struct collect_ctx *c)
{
	char **names;
	ssize_t n = ctx_list_dir(c, 0, NULL, &names, ROOT_PROC, "net/stat");
	int bad = 0;

	if (n == COLLECTOR_NO_DATA)
		return 0; /* an empty glob in node_exporter */
	if (n < 0)
		return ctx_fail(c, (int)n, "lnstat error: %s: %s", c->path.p, strerror((int)-n));
	for (ssize_t i = 0; i < n; i++) {
		ssize_t r = ctx_read(c, ROOT_PROC, "net/stat/%s", names[i]);
		if (r == -EISDIR)
			continue;
		if (r < 0)
			return ctx_fail(c, (int)r, "lnstat error: %s: %s", c->path.p, strerror((int)-r));
		bad += lnstat_file(c, names[i], c->buf.p);
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "lnstat error: %d malformed line(s) under %s", bad,
				ctx_path(c, ROOT_PROC, "net/stat"));
	return 0;
}

COLLECTOR(lnstat, .default_on = false);
