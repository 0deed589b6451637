/* zfs: the ZFS on Linux kstat files under /proc/spl/kstat/zfs, as node_exporter's zfs collector.
 *
 * One table maps each global kstat file to its metric name prefix; every "name type data" row of type
 * 3 (int64) or 4 (uint64) becomes an untyped node_zfs_<prefix>_<name> with HELP
 * "kstat.zfs.misc.<file>.<name>". Per pool, <pool>/io (a header row and a value row) gives
 * node_zfs_zpool_<field>{zpool}, <pool>/objset-* gives node_zfs_zpool_dataset_<name>{zpool,dataset} and
 * <pool>/state gives node_zfs_zpool_state{zpool,state} for the seven pool states.
 *
 * A missing kstat file is skipped (ZFS adds files as features arrive); a missing kstat directory means
 * ZFS is not loaded (no data). A malformed value is skipped and reported, the rest is still emitted. */
#include <stdio.h>

#include "collector.h"

#define ZFS_BASE "spl/kstat/zfs"

struct zfs_kstat {
	const char *file;   /* under /proc/spl/kstat/zfs */
	const char *prefix; /* metric name prefix */
};

static const struct zfs_kstat zfs_kstats[] = {
	{ "abdstats", "node_zfs_abd_" },
	{ "arcstats", "node_zfs_arc_" },
	{ "dbufstats", "node_zfs_dbuf_" },
	{ "dmu_tx", "node_zfs_dmu_tx_" },
	{ "dnodestats", "node_zfs_dnode_" },
	{ "fm", "node_zfs_fm_" },
	{ "vdev_cache_stats", "node_zfs_vdev_cache_" }, /* vdev_cache is deprecated upstream */
	{ "vdev_mirror_stats", "node_zfs_vdev_mirror_" },
	{ "xuio_stats", "node_zfs_xuio_" },
	{ "zfetchstats", "node_zfs_zfetch_" },
	{ "zil", "node_zfs_zil_" },
};

/* The states node_exporter reports, in its order; the state file holds one of them in upper case. */
static const char *const zfs_pool_states[] = { "online", "degraded", "faulted", "offline",
					       "removed", "unavail",  "suspended" };

METRIC(zfs_state_desc, GAUGE, "node_zfs_zpool_state", "kstat.zfs.misc.state", "zpool", "state");

/* Counts what could not be parsed during one run; reported once at the end. */
struct zfs_run {
	struct collect_ctx *c;
	int bad;
	char first_bad[256];
};

static void zfs_bad(struct zfs_run *r, const char *what, const char *path)
{
	if (!r->bad++)
		snprintf(r->first_bad, sizeof(r->first_bad), "%s in %s", what, path);
}

/* Builds <prefix><name> with '-' turned into '_' into out, using only the part of name after its last
 * '.' as node_exporter does. Returns false when the result is not a valid metric name. */
static bool zfs_metric_name(char *out, size_t size, const char *prefix, const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t o = strlen(prefix);

	if (dot)
		name = dot + 1;
	if (!*name || o + strlen(name) + 1 > size)
		return false;
	memcpy(out, prefix, o);
	for (; *name; name++) {
		char ch = *name == '-' ? '_' : *name;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == ':'))
			return false;
		out[o++] = ch;
	}
	out[o] = '\0';
	return true;
}

/* Advances *p past the "name type data" header line. Returns false when there is none. */
static bool zfs_skip_header(char **p)
{
	char *line;

	while ((line = next_line(p))) {
		char *f[4];
		if (split_fields(line, f, 4) == 3 && streq(f[0], "name") && streq(f[1], "type") &&
		    streq(f[2], "data"))
			return true;
	}
	return false;
}

/* Parses a kstat value of type "3" (int64) or "4" (uint64). Returns 1 with *v set, 0 for another type
 * (ignored, as node_exporter does), -EINVAL for a malformed number. */
static int zfs_value(const char *type, const char *data, double *v)
{
	if (streq(type, "4")) {
		uint64_t u;
		if (parse_u64(data, NULL, &u) < 0)
			return -EINVAL;
		*v = (double)u;
		return 1;
	}
	if (streq(type, "3")) {
		int64_t i;
		if (parse_i64(data, NULL, &i) < 0)
			return -EINVAL;
		*v = (double)i;
		return 1;
	}
	return 0;
}

static void zfs_global(struct zfs_run *r, const struct zfs_kstat *k)
{
	struct collect_ctx *c = r->c;
	char name[256], help[320], *p, *line;
	ssize_t n = ctx_read(c, ROOT_PROC, ZFS_BASE "/%s", k->file);

	if (n < 0) {
		log_debug("Cannot open file for reading", "path", c->path.p);
		return;
	}
	p = c->buf.p;
	if (!zfs_skip_header(&p)) {
		zfs_bad(r, "no \"name type data\" header", c->path.p);
		return;
	}
	while ((line = next_line(&p))) {
		char *f[3];
		double v;
		int t;

		if (split_fields(line, f, 3) < 3)
			continue;
		t = zfs_value(f[1], f[2], &v);
		if (t < 0) {
			zfs_bad(r, "malformed value", c->path.p);
			continue;
		}
		if (t == 0)
			continue;
		if (!zfs_metric_name(name, sizeof(name), k->prefix, f[0])) {
			log_debug("skipping kstat with an invalid metric name", "path", c->path.p, "name", f[0]);
			continue;
		}
		snprintf(help, sizeof(help), "kstat.zfs.misc.%s.%s", k->file, f[0]);
		struct metric_desc d = { .name = name, .help = help, .type = METRIC_UNTYPED };
		metric_emit(c->ms, &d, v);
	}
}

/* Reads <pool>/<file> into ctx->buf and returns its content; NULL when it is missing (nothing to report
 * for that pool) or unreadable (counted as bad). */
static char *zfs_pool_file(struct zfs_run *r, const char *pool, const char *file)
{
	ssize_t n = ctx_read(r->c, ROOT_PROC, ZFS_BASE "/%s/%s", pool, file);

	if (n == -ENOENT || n == -ENOTDIR)
		return NULL;
	if (n < 0) {
		zfs_bad(r, strerror((int)-n), r->c->path.p);
		return NULL;
	}
	return r->c->buf.p;
}

/* <pool>/io: a header row starting with "nread" (12 or more fields) and rows of values under it. */
static void zfs_pool_io(struct zfs_run *r, const char *pool)
{
	static const char *const zpool_label[] = { "zpool" };
	struct collect_ctx *c = r->c;
	char *p = zfs_pool_file(r, pool, "io"), *line, *hdr[64], *val[64];
	int nh = 0;

	if (!p)
		return;
	while ((line = next_line(&p))) {
		if (!nh) {
			int k = split_fields(line, hdr, 64);
			if (k >= 12 && streq(hdr[0], "nread"))
				nh = k;
			continue;
		}
		int nv = split_fields(line, val, 64);
		if (nv == 0)
			continue;
		if (nv < nh) {
			zfs_bad(r, "truncated value row", c->path.p);
			continue;
		}
		for (int i = 0; i < nh; i++) {
			char name[256], help[320];
			uint64_t u;

			if (parse_u64(val[i], NULL, &u) < 0) {
				zfs_bad(r, "malformed value", c->path.p);
				continue;
			}
			if (!zfs_metric_name(name, sizeof(name), "node_zfs_zpool_", hdr[i]))
				continue;
			snprintf(help, sizeof(help), "kstat.zfs.misc.io.%s", hdr[i]);
			struct metric_desc d = { .name = name, .help = help, .type = METRIC_UNTYPED,
						 .n_labels = 1, .labels = zpool_label };
			metric_emit(c->ms, &d, (double)u, pool);
		}
	}
}

/* <pool>/objset-<id>: kstat rows of one dataset; the dataset_name row (type 7, a string that may hold
 * spaces) names it. node_exporter labels rows before that row with empty zpool and dataset. */
static void zfs_pool_objset(struct zfs_run *r, const char *pool, const char *file)
{
	static const char *const ds_labels[] = { "zpool", "dataset" };
	struct collect_ctx *c = r->c;
	const char *zpool = "", *dataset = "";
	char *p = zfs_pool_file(r, pool, file), *line;

	if (!p)
		return;
	if (!zfs_skip_header(&p)) {
		zfs_bad(r, "no \"name type data\" header", c->path.p);
		return;
	}
	while ((line = next_line(&p))) {
		char *f[3], *rest = line, name[256], help[320];
		double v;

		/* The dataset name is the rest of the line from its third field on. */
		if (!(f[0] = next_field(&rest)) || !(f[1] = next_field(&rest)))
			continue;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (!*rest)
			continue;
		if (streq(f[0], "dataset_name")) {
			zpool = pool;
			dataset = rest;
			continue;
		}
		if (!(f[2] = next_field(&rest)) || !streq(f[1], "4"))
			continue;
		if (zfs_value(f[1], f[2], &v) < 0) {
			zfs_bad(r, "malformed value", c->path.p);
			continue;
		}
		if (!zfs_metric_name(name, sizeof(name), "node_zfs_zpool_dataset_", f[0]))
			continue;
		snprintf(help, sizeof(help), "kstat.zfs.misc.objset.%s", f[0]);
		struct metric_desc d = { .name = name, .help = help, .type = METRIC_UNTYPED, .n_labels = 2,
					 .labels = ds_labels };
		metric_emit(c->ms, &d, v, zpool, dataset);
	}
}

static void zfs_pool_state(struct zfs_run *r, const char *pool)
{
	struct collect_ctx *c = r->c;
	struct family *f;
	char *p = zfs_pool_file(r, pool, "state"), *line;

	if (!p)
		return;
	line = next_line(&p);
	if (!line)
		line = p;
	for (char *s = line; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	f = metric_family(c->ms, &zfs_state_desc);
	for (size_t i = 0; i < ARRAY_SIZE(zfs_pool_states); i++)
		metric_add(f, streq(line, zfs_pool_states[i]) ? 1 : 0, pool, zfs_pool_states[i]);
}

static int zfs_collect(struct collect_ctx *c)
{
	struct zfs_run r = { .c = c };
	const char *base = ctx_path(c, ROOT_PROC, ZFS_BASE);
	char **pools;
	ssize_t np;

	if (!base)
		return -ENOMEM;
	np = dir_list(base, &c->ms->arena, &pools);
	if (np < 0) {
		log_debug("ZFS / ZFS statistics are not available", "path", base);
		return COLLECTOR_NO_DATA;
	}
	for (size_t i = 0; i < ARRAY_SIZE(zfs_kstats); i++)
		zfs_global(&r, &zfs_kstats[i]);

	/* Pool directories: io first, then the objsets, then the state, as node_exporter globs them. */
	for (ssize_t i = 0; i < np; i++)
		zfs_pool_io(&r, pools[i]);
	for (ssize_t i = 0; i < np; i++) {
		char **files;
		const char *dir = ctx_path(c, ROOT_PROC, ZFS_BASE "/%s", pools[i]);
		ssize_t nf = dir ? dir_list(dir, &c->ms->arena, &files) : -ENOMEM;

		for (ssize_t j = 0; j < nf; j++)
			if (startswith(files[j], "objset-"))
				zfs_pool_objset(&r, pools[i], files[j]);
	}
	for (ssize_t i = 0; i < np; i++)
		zfs_pool_state(&r, pools[i]);

	if (r.bad)
		return ctx_fail(c, -EINVAL, "zfs: %d malformed item(s), first: %s", r.bad, r.first_bad);
	return 0;
}

COLLECTOR(zfs, .default_on = true);
