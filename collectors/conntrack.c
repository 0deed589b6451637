/* conntrack: node_nf_conntrack_entries and _entries_limit from /proc/sys/net/netfilter/nf_conntrack_count
 * and nf_conntrack_max, and node_nf_conntrack_stat_* summed over the per-CPU rows of
 * /proc/net/stat/nf_conntrack (hexadecimal, 16 or 17 columns; search_restart only with 17), as
 * node_exporter's conntrack_linux.go with procfs's parser. All gauges. A missing file means the module is
 * not loaded: no data (success 0, debug log), keeping what was emitted before it. */
#include "collector.h"

METRIC(entries_desc, GAUGE, "node_nf_conntrack_entries",
       "Number of currently allocated flow entries for connection tracking.");
METRIC(limit_desc, GAUGE, "node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.");

/* The summed columns: position in a row and the family. */
static const struct {
	unsigned col;
	struct metric_desc desc;
} stat_cols[] = {
	{ 2, METRIC_DESC("node_nf_conntrack_stat_found", "Number of searched entries which were successful.",
			 METRIC_GAUGE) },
	{ 4, METRIC_DESC("node_nf_conntrack_stat_invalid", "Number of packets seen which can not be tracked.",
			 METRIC_GAUGE) },
	{ 5, METRIC_DESC("node_nf_conntrack_stat_ignore",
			 "Number of packets seen which are already connected to a conntrack entry.", METRIC_GAUGE) },
	{ 8, METRIC_DESC("node_nf_conntrack_stat_insert", "Number of entries inserted into the list.", METRIC_GAUGE) },
	{ 9, METRIC_DESC("node_nf_conntrack_stat_insert_failed",
			 "Number of entries for which list insertion was attempted but failed.", METRIC_GAUGE) },
	{ 10, METRIC_DESC("node_nf_conntrack_stat_drop", "Number of packets dropped due to conntrack failure.",
			  METRIC_GAUGE) },
	{ 11, METRIC_DESC("node_nf_conntrack_stat_early_drop",
			  "Number of dropped conntrack entries to make room for new ones, if maximum table size was "
			  "reached.",
			  METRIC_GAUGE) },
	{ 16, METRIC_DESC("node_nf_conntrack_stat_search_restart",
			  "Number of conntrack table lookups which had to be restarted due to hashtable resizes.",
			  METRIC_GAUGE) },
};

static int fail(struct collect_ctx *c, int r, const char *path)
{
	if (r == -ENOENT) {
		log_debug("conntrack probably not loaded", "path", path);
		return COLLECTOR_NO_DATA;
	}
	return ctx_fail(c, r, "failed to retrieve conntrack stats: %s: %s", path, strerror(-r));
}

static int conntrack_collect(struct collect_ctx *c)
{
	static const char *const files[] = { "sys/net/netfilter/nf_conntrack_count",
					     "sys/net/netfilter/nf_conntrack_max" };
	const struct metric_desc *descs[] = { &entries_desc, &limit_desc };
	uint64_t sums[ARRAY_SIZE(stat_cols)] = { 0 };
	char *p, *line;
	ssize_t n;
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		uint64_t v;
		const char *path = ctx_path(c, ROOT_PROC, "%s", files[i]);
		if (!path)
			return -ENOMEM;
		r = file_read_u64(path, &c->buf, &v);
		if (r < 0)
			return fail(c, r, path);
		metric_emit(c->ms, descs[i], (double)v);
	}

	n = ctx_read(c, ROOT_PROC, "net/stat/nf_conntrack");
	if (n < 0)
		return fail(c, (int)n, c->path.p);
	p = c->buf.p;
	next_line(&p); /* the header */
	while ((line = next_line(&p))) {
		uint64_t row[17];
		unsigned nf = 0;
		char *f;
		bool ok = true;
		while ((f = next_field(&line))) {
			uint64_t u;
			if (nf >= ARRAY_SIZE(row) || parse_hex_u64(f, NULL, &u) < 0) {
				ok = false;
				break;
			}
			row[nf++] = u;
		}
		if (nf == 0 && ok)
			continue; /* blank line */
		if (!ok || nf < 16)
			return ctx_fail(c, -EINVAL, "failed to retrieve conntrack stats: invalid conntrackstat entry in %s",
					c->path.p);
		for (size_t i = 0; i < ARRAY_SIZE(stat_cols); i++)
			if (stat_cols[i].col < nf) /* search_restart: Linux >= 2.6.35 only */
				sums[i] += row[stat_cols[i].col];
	}
	for (size_t i = 0; i < ARRAY_SIZE(stat_cols); i++)
		metric_emit(c->ms, &stat_cols[i].desc, (double)sums[i]);
	return 0;
}

COLLECTOR(conntrack, .default_on = true);
