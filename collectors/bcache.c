/* bcache: statistics of bcache cache sets from /sys/fs/bcache/<uuid>, as node_exporter's bcache
 * collector (procfs bcache parser).
 *
 * Per cache set: the attributes in <uuid>/ and <uuid>/internal/. Per backing device (<uuid>/bdevN, a
 * symlink into the block device's bcache directory): dirty_data, writeback_rate_debug and stats_total/.
 * Per cache device (<uuid>/cacheN): io_errors, metadata_written, written and, with
 * --collector.bcache.priorityStats, priority_stats (expensive: the kernel walks every bucket).
 *
 * Values are "humanized" by the kernel's bch_hprint ("1.1M", "20.4G"): the fraction digit is in units of
 * 1/1024 printed as hundredths, which node_exporter undoes by dividing by 10.24; nodex does the same
 * arithmetic so values match. A cache set whose attributes fail to parse is skipped; a backing or cache
 * device that fails is skipped on its own; both are reported. */
#include <math.h>
#include <stdio.h>

#include "collector.h"

static bool bcache_priority_stats;

static struct flag bcache_flags[] = {
	{ "collector.bcache.priorityStats", FLAG_BOOL, NULL, "Expose expensive priority stats.",
	  &bcache_priority_stats },
	{ NULL },
};

#define BG(n, h) METRIC_DESC("node_bcache_" n, h, METRIC_GAUGE, "uuid")
#define BC(n, h) METRIC_DESC("node_bcache_" n, h, METRIC_COUNTER, "uuid")
#define BDG(n, h) METRIC_DESC("node_bcache_" n, h, METRIC_GAUGE, "uuid", "backing_device")
#define BDC(n, h) METRIC_DESC("node_bcache_" n, h, METRIC_COUNTER, "uuid", "backing_device")
#define CG(n, h) METRIC_DESC("node_bcache_" n, h, METRIC_GAUGE, "uuid", "cache_device")
#define CC(n, h) METRIC_DESC("node_bcache_" n, h, METRIC_COUNTER, "uuid", "cache_device")

/* Cache set attributes: file under <uuid>/, family, scale. */
static const struct bcache_attr {
	const char *file;
	struct metric_desc desc;
	double scale;
} bcache_set_attrs[] = {
	{ "average_key_size", BG("average_key_size_sectors", "Average data per key in the btree (sectors)."), 1 },
	{ "btree_cache_size", BG("btree_cache_size_bytes", "Amount of memory currently used by the btree cache."),
	  1 },
	{ "cache_available_percent",
	  BG("cache_available_percent",
	     "Percentage of cache device without dirty data, usable for writeback (may contain clean cached data)."),
	  1 },
	{ "congested", BG("congested", "Congestion."), 1 },
	{ "root_usage_percent",
	  BG("root_usage_percent", "Percentage of the root btree node in use (tree depth increases if too high)."),
	  1 },
	{ "tree_depth", BG("tree_depth", "Depth of the btree."), 1 },
	{ "internal/active_journal_entries",
	  BG("active_journal_entries", "Number of journal entries that are newer than the index."), 1 },
	{ "internal/btree_nodes", BG("btree_nodes", "Total nodes in the btree."), 1 },
	/* The file holds microseconds; node_exporter scales it as nanoseconds (1e-9). Kept for compatibility. */
	{ "internal/btree_read_average_duration_us",
	  BG("btree_read_average_duration_seconds", "Average btree read duration."), 1e-9 },
	{ "internal/cache_read_races",
	  BC("cache_read_races_total",
	     "Counts instances where while data was being read from the cache, the bucket was reused and "
	     "invalidated - i.e. where the pointer was stale after the read completed."),
	  1 },
};

/* Backing device stats_total/ counters. cache_readaheads is exported only when non-zero. */
static const struct bcache_attr bcache_period_attrs[] = {
	{ "bypassed", BDC("bypassed_bytes_total", "Amount of IO (both reads and writes) that has bypassed the cache."),
	  1 },
	{ "cache_hits", BDC("cache_hits_total", "Hits counted per individual IO as bcache sees them."), 1 },
	{ "cache_misses", BDC("cache_misses_total", "Misses counted per individual IO as bcache sees them."), 1 },
	{ "cache_bypass_hits", BDC("cache_bypass_hits_total", "Hits for IO intended to skip the cache."), 1 },
	{ "cache_bypass_misses", BDC("cache_bypass_misses_total", "Misses for IO intended to skip the cache."), 1 },
	{ "cache_miss_collisions",
	  BDC("cache_miss_collisions_total",
	      "Instances where data insertion from cache miss raced with write (data already present)."),
	  1 },
	{ "cache_readaheads", BDC("cache_readaheads_total", "Count of times readahead occurred."), 1 },
};

static const struct metric_desc bcache_dirty_data_desc =
	BDG("dirty_data_bytes", "Amount of dirty data for this backing device in the cache.");
static const struct metric_desc bcache_dirty_target_desc =
	BDG("dirty_target_bytes", "Current dirty data target threshold for this backing device in bytes.");
static const struct metric_desc bcache_wb_rate_desc =
	BDG("writeback_rate", "Current writeback rate for this backing device in bytes.");
static const struct metric_desc bcache_wb_prop_desc =
	BDG("writeback_rate_proportional_term", "Current result of proportional controller, part of writeback rate");
static const struct metric_desc bcache_wb_int_desc =
	BDG("writeback_rate_integral_term", "Current result of integral controller, part of writeback rate");
static const struct metric_desc bcache_wb_change_desc =
	BDG("writeback_change", "Last writeback rate change step for this backing device.");

static const struct bcache_attr bcache_cache_attrs[] = {
	{ "io_errors", CG("io_errors", "Number of errors that have occurred, decayed by io_error_halflife."), 1 },
	{ "metadata_written",
	  CC("metadata_written_bytes_total", "Sum of all non data writes (btree writes and all other metadata)."), 1 },
	{ "written", CC("written_bytes_total", "Sum of all data that has been written to the cache."), 1 },
};

static const struct metric_desc bcache_prio_unused_desc =
	CG("priority_stats_unused_percent", "The percentage of the cache that doesn't contain any data.");
static const struct metric_desc bcache_prio_metadata_desc =
	CG("priority_stats_metadata_percent", "Bcache's metadata overhead.");

/* strconv.ParseFloat on the whole string. */
static int bcache_float(const char *s, double *out)
{
	const char *end;

	if (!*s || *s == ' ' || *s == '\t' || parse_double(s, &end, out) < 0 || *end)
		return -EINVAL;
	return 0;
}

/* Parses bch_hprint's "<int>[.<frac>]" (frac in 1/1024 printed as hundredths). */
static int bcache_pseudo_float(char *s, double *out)
{
	char *dot = strchr(s, '.'), *dot2;
	double ip, fp;

	if (dot) {
		*dot = '\0';
		dot2 = strchr(dot + 1, '.');
		if (dot2)
			*dot2 = '\0'; /* node_exporter looks at the first two parts only */
	}
	if (bcache_float(s, &ip) < 0)
		return -EINVAL;
	if (!dot) {
		*out = ip;
		return 0;
	}
	if (bcache_float(dot + 1, &fp) < 0)
		return -EINVAL;
	fp = fp / 10.24;
	*out = ip + fp;
	return 0;
}

/* Converts a humanized value ("1.1M", "546") into bytes or a count, as procfs' dehumanize. The string is
 * modified. Returns 0 or -EINVAL. */
static int bcache_dehumanize(char *s, uint64_t *out)
{
	size_t len = strlen(s);
	double mant, mul = 1, v;

	if (len == 0)
		return -EINVAL;
	if ((unsigned char)s[len - 1] > '9') {
		switch (s[len - 1]) {
		case 'k': mul = 0x1p10; break;
		case 'M': mul = 0x1p20; break;
		case 'G': mul = 0x1p30; break;
		case 'T': mul = 0x1p40; break;
		case 'P': mul = 0x1p50; break;
		case 'E': mul = 0x1p60; break;
		case 'Z': mul = 0x1p70; break;
		case 'Y': mul = 0x1p80; break;
		default: mul = 0; break; /* an unknown unit: node_exporter's map lookup yields 0 */
		}
		s[len - 1] = '\0';
		if (bcache_pseudo_float(s, &mant) < 0)
			return -EINVAL;
	} else if (bcache_float(s, &mant) < 0) {
		return -EINVAL;
	}
	v = mant * mul;
	if (!(v >= 0) || v >= 0x1p64) /* negative, NaN or out of range: no meaningful value */
		return -EINVAL;
	*out = (uint64_t)v;
	return 0;
}

/* dehumanize for values that may carry a leading '-'. */
static int bcache_dehumanize_signed(char *s, double *out)
{
	bool neg = *s == '-';
	uint64_t u;

	if (bcache_dehumanize(s + neg, &u) < 0)
		return -EINVAL;
	*out = neg ? -(double)(int64_t)u : (double)(int64_t)u;
	return 0;
}

/* Reads one sysfs value file ("<humanized>\n") under root. Returns 0 or a negative errno. */
static int bcache_read_value(struct collect_ctx *c, const char *dir, const char *file, uint64_t *out)
{
	ssize_t n = ctx_read(c, ROOT_NONE, "%s/%s", dir, file);

	if (n < 0)
		return (int)n;
	if (n > 0 && c->buf.p[n - 1] == '\n')
		c->buf.p[--n] = '\0';
	return bcache_dehumanize(c->buf.p, out);
}

/* The last whitespace-separated field of line, with suffix removed when present. */
static char *bcache_last_field(char *line, const char *suffix)
{
	char *f, *last = NULL;

	while ((f = next_field(&line)))
		last = f;
	if (last && suffix && endswith(last, suffix))
		last[strlen(last) - strlen(suffix)] = '\0';
	return last;
}

struct bcache_wrd {
	double rate, target, proportional, integral, change;
};

/* Parses writeback_rate_debug. Returns 0 or -EINVAL. */
static int bcache_parse_wrd(char *p, struct bcache_wrd *w)
{
	char *line;

	memset(w, 0, sizeof(*w));
	while ((line = next_line(&p))) {
		uint64_t u;
		int64_t i;
		char *v;

		if (startswith(line, "rate:")) {
			if (!(v = bcache_last_field(line, "/sec")) || bcache_dehumanize(v, &u) < 0)
				return -EINVAL;
			w->rate = (double)u;
		} else if (startswith(line, "dirty:")) {
			if (!(v = bcache_last_field(line, NULL)) || bcache_dehumanize(v, &u) < 0)
				return -EINVAL;
		} else if (startswith(line, "target:")) {
			if (!(v = bcache_last_field(line, NULL)) || bcache_dehumanize(v, &u) < 0)
				return -EINVAL;
			w->target = (double)u;
		} else if (startswith(line, "proportional:")) {
			if (!(v = bcache_last_field(line, NULL)) || bcache_dehumanize_signed(v, &w->proportional) < 0)
				return -EINVAL;
		} else if (startswith(line, "integral:")) {
			if (!(v = bcache_last_field(line, NULL)) || bcache_dehumanize_signed(v, &w->integral) < 0)
				return -EINVAL;
		} else if (startswith(line, "change:")) {
			if (!(v = bcache_last_field(line, "/sec")) || bcache_dehumanize_signed(v, &w->change) < 0)
				return -EINVAL;
		} else if (startswith(line, "next io:")) {
			if (!(v = bcache_last_field(line, "ms")) || parse_i64(v, NULL, &i) < 0)
				return -EINVAL;
		}
	}
	return 0;
}

/* Parses priority_stats: "Unused:\t\t99%" and "Metadata:\t0%". Returns 0 or -EINVAL. */
static int bcache_parse_priority(char *p, uint64_t *unused, uint64_t *metadata)
{
	char *line;

	*unused = *metadata = 0;
	while ((line = next_line(&p))) {
		uint64_t *dst = startswith(line, "Unused:") ? unused : startswith(line, "Metadata:") ? metadata : NULL;
		char *v;

		if (!dst)
			continue;
		if (!(v = bcache_last_field(line, "%")) || parse_u64(v, NULL, dst) < 0)
			return -EINVAL;
	}
	return 0;
}

struct bcache_run {
	struct collect_ctx *c;
	int bad;
	char first[400];
};

static void bcache_bad(struct bcache_run *r, const char *path, int err)
{
	if (!r->bad++)
		snprintf(r->first, sizeof(r->first), "%.300s: %s", path,
			 err == -EINVAL ? "unexpected content" : strerror(-err));
}

static void bcache_bdev(struct bcache_run *r, const char *set_dir, const char *uuid, const char *bdev)
{
	struct collect_ctx *c = r->c;
	const char *dir = arena_printf(&c->ms->arena, "%s/%s", set_dir, bdev);
	const char *stats = arena_printf(&c->ms->arena, "%s/%s/stats_total", set_dir, bdev);
	uint64_t dirty, period[ARRAY_SIZE(bcache_period_attrs)];
	struct bcache_wrd w;
	int e = -ENOMEM;

	if (!dir || !stats)
		goto bad;
	if ((e = bcache_read_value(c, dir, "dirty_data", &dirty)) < 0)
		goto bad;
	if ((e = (int)ctx_read(c, ROOT_NONE, "%s/writeback_rate_debug", dir)) < 0)
		goto bad;
	if ((e = bcache_parse_wrd(c->buf.p, &w)) < 0)
		goto bad;
	for (size_t i = 0; i < ARRAY_SIZE(bcache_period_attrs); i++)
		if ((e = bcache_read_value(c, stats, bcache_period_attrs[i].file, &period[i])) < 0)
			goto bad;

	metric_emit(c->ms, &bcache_dirty_data_desc, (double)dirty, uuid, bdev);
	metric_emit(c->ms, &bcache_dirty_target_desc, w.target, uuid, bdev);
	metric_emit(c->ms, &bcache_wb_rate_desc, w.rate, uuid, bdev);
	metric_emit(c->ms, &bcache_wb_prop_desc, w.proportional, uuid, bdev);
	metric_emit(c->ms, &bcache_wb_int_desc, w.integral, uuid, bdev);
	metric_emit(c->ms, &bcache_wb_change_desc, w.change, uuid, bdev);
	for (size_t i = 0; i < ARRAY_SIZE(bcache_period_attrs); i++) {
		if (streq(bcache_period_attrs[i].file, "cache_readaheads") && period[i] == 0)
			continue;
		metric_emit(c->ms, &bcache_period_attrs[i].desc, (double)period[i], uuid, bdev);
	}
	return;
bad:
	bcache_bad(r, c->path.p, e);
}

static void bcache_cache(struct bcache_run *r, const char *set_dir, const char *uuid, const char *cache)
{
	struct collect_ctx *c = r->c;
	const char *dir = arena_printf(&c->ms->arena, "%s/%s", set_dir, cache);
	uint64_t v[ARRAY_SIZE(bcache_cache_attrs)], unused = 0, metadata = 0;
	int e = -ENOMEM;

	if (!dir)
		goto bad;
	for (size_t i = 0; i < ARRAY_SIZE(bcache_cache_attrs); i++)
		if ((e = bcache_read_value(c, dir, bcache_cache_attrs[i].file, &v[i])) < 0)
			goto bad;
	if (bcache_priority_stats) {
		if ((e = (int)ctx_read(c, ROOT_NONE, "%s/priority_stats", dir)) < 0)
			goto bad;
		if ((e = bcache_parse_priority(c->buf.p, &unused, &metadata)) < 0)
			goto bad;
	}
	for (size_t i = 0; i < ARRAY_SIZE(bcache_cache_attrs); i++)
		metric_emit(c->ms, &bcache_cache_attrs[i].desc, (double)v[i], uuid, cache);
	if (bcache_priority_stats) {
		metric_emit(c->ms, &bcache_prio_unused_desc, (double)unused, uuid, cache);
		metric_emit(c->ms, &bcache_prio_metadata_desc, (double)metadata, uuid, cache);
	}
	return;
bad:
	bcache_bad(r, c->path.p, e);
}

/* Matches node_exporter's globs bdev[0-9]* and cache[0-9]*. */
static bool bcache_numbered(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(name, prefix, n) == 0 && name[n] >= '0' && name[n] <= '9';
}

static void bcache_set(struct bcache_run *r, const char *uuid)
{
	struct collect_ctx *c = r->c;
	uint64_t v[ARRAY_SIZE(bcache_set_attrs)];
	const char *dir = arena_printf(&c->ms->arena, "%s/fs/bcache/%s", nodex_paths.sysfs, uuid);
	char **names;
	ssize_t nn;
	int e;

	if (!dir) {
		bcache_bad(r, uuid, -ENOMEM);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(bcache_set_attrs); i++) {
		if ((e = bcache_read_value(c, dir, bcache_set_attrs[i].file, &v[i])) < 0) {
			bcache_bad(r, c->path.p, e);
			return;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(bcache_set_attrs); i++)
		metric_emit(c->ms, &bcache_set_attrs[i].desc, (double)v[i] * bcache_set_attrs[i].scale, uuid);

	nn = dir_list(dir, &c->ms->arena, &names);
	if (nn < 0) {
		bcache_bad(r, dir, (int)nn);
		return;
	}
	for (ssize_t i = 0; i < nn; i++)
		if (bcache_numbered(names[i], "bdev"))
			bcache_bdev(r, dir, uuid, names[i]);
	for (ssize_t i = 0; i < nn; i++)
		if (bcache_numbered(names[i], "cache"))
			bcache_cache(r, dir, uuid, names[i]);
}

static int bcache_collect(struct collect_ctx *c)
{
	struct bcache_run r = { .c = c };
	char **sets;
	/* node_exporter globs fs/bcache/<uuid>: no directory, nothing to report */
	ssize_t ns = ctx_list_dir(c, CTX_LIST_GLOB, NULL, &sets, ROOT_SYS, "fs/bcache");

	if (ns < 0)
		return (int)ns;
	for (ssize_t i = 0; i < ns; i++)
		if (strchr(sets[i], '-'))
			bcache_set(&r, sets[i]);
	if (r.bad)
		return ctx_fail(c, -EINVAL, "failed to retrieve bcache stats: %d item(s) failed, first: %s", r.bad,
				r.first);
	return 0;
}

COLLECTOR(bcache, .default_on = true, .flags = bcache_flags);
