/* bcachefs: statistics of mounted bcachefs filesystems from /sys/fs/bcachefs/<uuid>, as node_exporter's
 * bcachefs collector (procfs bcachefs parser).
 *
 *   btree_cache_size      "2.05G"                          -> btree_cache_size_bytes
 *   compression_stats     header, "<alg>: <compr> <uncompr> [avg]" -> compression_*_bytes{algorithm}
 *   errors                "<type> <count> [<time>]"         -> errors_total{error_type}
 *   counters/<name>       "since mount: N" / "since filesystem creation: N" -> <name>_total
 *   btree_write_stats     header, "<type>: <nr> <size>"     -> btree_writes_total, btree_write_average_size_bytes
 *   dev-<n>/              label, state, bucket_size, nbuckets, durability, io_done, io_errors
 *
 * Sizes are human readable with binary suffixes ("28.2k" = 28.2 * 1024, truncated to an integer). Missing
 * files are skipped as in node_exporter. Where node_exporter drops every filesystem when one value does not
 * parse, nodex skips only that line or file, exports the rest and reports the failure. */
#include <stdio.h>
#include <sys/stat.h>

#include "collector.h"

METRIC(bcfs_info_desc, GAUGE, "node_bcachefs_info", "Filesystem information.", "uuid");
METRIC(bcfs_btree_cache_desc, GAUGE, "node_bcachefs_btree_cache_size_bytes", "Btree cache memory usage in bytes.",
       "uuid");
METRIC(bcfs_compressed_desc, GAUGE, "node_bcachefs_compression_compressed_bytes", "Compressed size by algorithm.",
       "uuid", "algorithm");
METRIC(bcfs_uncompressed_desc, GAUGE, "node_bcachefs_compression_uncompressed_bytes", "Uncompressed size by algorithm.",
       "uuid", "algorithm");
METRIC(bcfs_errors_desc, COUNTER, "node_bcachefs_errors_total", "Error count by error type.", "uuid", "error_type");
METRIC(bcfs_btree_writes_desc, COUNTER, "node_bcachefs_btree_writes_total", "Number of btree writes by type.", "uuid",
       "type");
METRIC(bcfs_btree_write_size_desc, GAUGE, "node_bcachefs_btree_write_average_size_bytes",
       "Average btree write size by type.", "uuid", "type");
METRIC(bcfs_dev_info_desc, GAUGE, "node_bcachefs_device_info", "Device information.", "uuid", "device", "label",
       "state");
METRIC(bcfs_dev_bucket_size_desc, GAUGE, "node_bcachefs_device_bucket_size_bytes", "Bucket size in bytes.", "uuid",
       "device");
METRIC(bcfs_dev_buckets_desc, GAUGE, "node_bcachefs_device_buckets", "Total number of buckets.", "uuid", "device");
METRIC(bcfs_dev_durability_desc, GAUGE, "node_bcachefs_device_durability", "Device durability setting.", "uuid",
       "device");
METRIC(bcfs_dev_io_done_desc, COUNTER, "node_bcachefs_device_io_done_bytes_total",
       "IO bytes by operation type and data type.", "uuid", "device", "operation", "data_type");
METRIC(bcfs_dev_io_errors_desc, COUNTER, "node_bcachefs_device_io_errors_total", "IO errors by error type.", "uuid",
       "device", "type");

/* Trims blanks at both ends, in place. */
static char *bcfs_trim(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return strip_trailing(s);
}

/* Parses a human readable size ("2.05G", "720", "62.5k") into bytes, truncated. The string is modified.
 * Returns 0 or -EINVAL. */
static int bcfs_human(char *s, uint64_t *out)
{
	double mul = 1, v;
	const char *end;
	size_t len;

	s = bcfs_trim(s);
	len = strlen(s);
	if (!len)
		return -EINVAL;
	switch (s[len - 1]) {
	case 'k': case 'K': mul = 0x1p10; break;
	case 'm': case 'M': mul = 0x1p20; break;
	case 'g': case 'G': mul = 0x1p30; break;
	case 't': case 'T': mul = 0x1p40; break;
	case 'p': case 'P': mul = 0x1p50; break;
	case 'e': case 'E': mul = 0x1p60; break;
	}
	if (mul != 1)
		s[--len] = '\0';
	s = bcfs_trim(s);
	if (!*s || parse_double(s, &end, &v) < 0 || *end)
		return -EINVAL;
	v *= mul;
	if (!(v >= 0) || v >= 0x1p64)
		return -EINVAL;
	*out = (uint64_t)v;
	return 0;
}

/* Reads path into c->buf. Returns the length, 0 for a missing file (as node_exporter, which ignores those)
 * with an empty buffer, or a negative errno. */
static ssize_t bcfs_read(struct collect_ctx *c, const char *path)
{
	ssize_t n = file_read(path, &c->buf);

	if (n == -ENOENT) {
		sb_reset(&c->buf);
		sb_reserve(&c->buf, 1);
		if (c->buf.p)
			c->buf.p[0] = '\0';
		return 0;
	}
	return n;
}

struct bcfs_fs {
	struct collect_ctx *c;
	const char *uuid;
	const char *dir;
	int *bad;      /* failures of the run */
	char *first;   /* the first one, described */
	size_t first_size;
};

/* Records a failure; returns -EINVAL for `return bcfs_fail(...)`. */
static int bcfs_fail(struct bcfs_fs *f, const char *where, const char *why)
{
	if (!(*f->bad)++)
		snprintf(f->first, f->first_size, "%.300s: %s", where ? where : f->dir, why);
	return -EINVAL;
}

/* Makes "<dir>/<name>" in the run's arena. */
static const char *bcfs_path(struct bcfs_fs *f, const char *dir, const char *name)
{
	return arena_printf(&f->c->ms->arena, "%s/%s", dir, name);
}

/* Reads <fs>/<name> into ctx->buf (empty when missing) and returns its content, with its path in *path;
 * NULL when it cannot be read, recorded as a failure. */
static char *bcfs_load(struct bcfs_fs *f, const char *name, const char **path)
{
	*path = bcfs_path(f, f->dir, name);
	if (!*path || bcfs_read(f->c, *path) < 0) {
		bcfs_fail(f, *path, "cannot read");
		return NULL;
	}
	return f->c->buf.p;
}

static int bcfs_compression(struct bcfs_fs *f, struct metric_set *ms)
{
	const char *path;
	char *p = bcfs_load(f, "compression_stats", &path), *line;
	int lineno = 0;

	if (!p)
		return -EINVAL;
	while ((line = next_line(&p))) {
		char *fl[4];
		uint64_t comp, uncomp, avg;
		int nf;

		if (++lineno == 1)
			continue; /* header */
		nf = split_fields(line, fl, 4);
		if (nf < 3)
			continue;
		if (bcfs_human(fl[1], &comp) < 0 || bcfs_human(fl[2], &uncomp) < 0 ||
		    (nf >= 4 && bcfs_human(fl[3], &avg) < 0)) {
			bcfs_fail(f, path, "bad size");
			continue;
		}
		size_t len = strlen(fl[0]);
		if (len && fl[0][len - 1] == ':')
			fl[0][len - 1] = '\0';
		metric_emit(ms, &bcfs_compressed_desc, (double)comp, f->uuid, fl[0]);
		metric_emit(ms, &bcfs_uncompressed_desc, (double)uncomp, f->uuid, fl[0]);
	}
	return 0;
}

static int bcfs_errors(struct bcfs_fs *f, struct metric_set *ms)
{
	const char *path;
	char *p = bcfs_load(f, "errors", &path), *line;

	if (!p)
		return -EINVAL;
	while ((line = next_line(&p))) {
		char *fl[3];
		uint64_t count, ts;
		int nf = split_fields(line, fl, 3);

		if (nf < 2)
			continue;
		if (parse_u64(fl[1], NULL, &count) < 0 || (nf >= 3 && parse_u64(fl[2], NULL, &ts) < 0)) {
			bcfs_fail(f, path, "bad count");
			continue;
		}
		metric_emit(ms, &bcfs_errors_desc, (double)count, f->uuid, fl[0]);
	}
	return 0;
}

static int bcfs_counters(struct bcfs_fs *f, struct metric_set *ms)
{
	const char *dir = bcfs_path(f, f->dir, "counters");
	char **names;
	ssize_t nn;

	if (!dir)
		return bcfs_fail(f, f->dir, "out of memory");
	nn = dir_list(dir, &f->c->ms->arena, &names);
	if (nn == -ENOENT)
		return 0;
	if (nn < 0)
		return bcfs_fail(f, dir, "cannot list");
	for (ssize_t i = 0; i < nn; i++) {
		const char *path = bcfs_path(f, dir, names[i]);
		char *p, *line, name[256], help[320];
		uint64_t creation = 0, v;
		bool seen = false, ok = true;
		ssize_t n;

		if (!path)
			return bcfs_fail(f, dir, "out of memory");
		/* Subdirectories are skipped by the read failing, which saves a stat per counter. */
		n = file_read(path, &f->c->buf);
		if (n == -ENOENT || n == -EISDIR)
			continue;
		if (n < 0) {
			bcfs_fail(f, path, "cannot read");
			continue;
		}
		p = f->c->buf.p;
		while (ok && (line = next_line(&p))) {
			if (startswith(line, "since mount:")) {
				ok = bcfs_human(line + strlen("since mount:"), &v) == 0;
				seen = true;
			} else if (startswith(line, "since filesystem creation:")) {
				ok = bcfs_human(line + strlen("since filesystem creation:"), &creation) == 0;
				seen = true;
			}
		}
		if (!ok || !seen) {
			bcfs_fail(f, path, ok ? "counter file format not recognized" : "bad value");
			continue;
		}
		/* [^a-zA-Z0-9_] becomes '_' */
		size_t o = snprintf(name, sizeof(name), "node_bcachefs_");
		for (const char *s = names[i]; *s && o + 7 < sizeof(name); s++)
			name[o++] = ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				     (*s >= '0' && *s <= '9') || *s == '_')
					    ? *s
					    : '_';
		memcpy(name + o, "_total", 7);
		snprintf(help, sizeof(help), "Bcachefs counter %s since filesystem creation.", names[i]);
		struct metric_desc d = { .name = name, .help = help, .type = METRIC_COUNTER, .n_labels = 1,
					 .labels = bcfs_info_desc.labels, .help_from_input = true };
		metric_emit(ms, &d, (double)creation, f->uuid);
	}
	return 0;
}

static int bcfs_btree_writes(struct bcfs_fs *f, struct metric_set *ms)
{
	const char *path;
	char *p = bcfs_load(f, "btree_write_stats", &path), *line;
	int lineno = 0;

	if (!p)
		return -EINVAL;
	while ((line = next_line(&p))) {
		char *fl[3];
		uint64_t count, size;

		if (++lineno == 1)
			continue; /* header */
		if (split_fields(line, fl, 3) < 3)
			continue;
		if (parse_u64(fl[1], NULL, &count) < 0 || bcfs_human(fl[2], &size) < 0) {
			bcfs_fail(f, path, "bad value");
			continue;
		}
		size_t len = strlen(fl[0]);
		if (len && fl[0][len - 1] == ':')
			fl[0][len - 1] = '\0';
		metric_emit(ms, &bcfs_btree_writes_desc, (double)count, f->uuid, fl[0]);
		metric_emit(ms, &bcfs_btree_write_size_desc, (double)size, f->uuid, fl[0]);
	}
	return 0;
}

/* label and state: any read error gives "" (node_exporter's readSysfsFile). */
static const char *bcfs_attr_string(struct bcfs_fs *f, const char *dir, const char *name)
{
	const char *path = bcfs_path(f, dir, name);
	ssize_t n = path ? file_read(path, &f->c->buf) : -ENOMEM;

	if (n < 0)
		return "";
	const char *s = metric_strdup(f->c->ms, bcfs_trim(f->c->buf.p));
	return s ? s : "";
}

/* nbuckets and durability: a missing file reads as 0. */
static int bcfs_attr_u64(struct bcfs_fs *f, const char *dir, const char *name, uint64_t *out)
{
	const char *path = bcfs_path(f, dir, name);
	ssize_t n = path ? file_read(path, &f->c->buf) : -ENOMEM;

	*out = 0;
	if (n == -ENOENT)
		return 0;
	if (n < 0 || parse_u64(bcfs_trim(f->c->buf.p), NULL, out) < 0)
		return bcfs_fail(f, path, "bad value");
	return 0;
}

static int bcfs_device(struct bcfs_fs *f, struct metric_set *ms, const char *entry)
{
	const char *dev = entry + strlen("dev-");
	const char *dir = bcfs_path(f, f->dir, entry), *path;
	const char *label, *state;
	uint64_t bucket_size = 0, nbuckets, durability;
	char *p, *line;
	ssize_t n;

	if (!dir)
		return bcfs_fail(f, f->dir, "out of memory");
	label = bcfs_attr_string(f, dir, "label");
	state = bcfs_attr_string(f, dir, "state");
	path = bcfs_path(f, dir, "bucket_size");
	if (path && file_read(path, &f->c->buf) >= 0) {
		char *s = bcfs_trim(f->c->buf.p);
		if (*s && bcfs_human(s, &bucket_size) < 0)
			return bcfs_fail(f, path, "bad size");
	}
	if (bcfs_attr_u64(f, dir, "nbuckets", &nbuckets) < 0 || bcfs_attr_u64(f, dir, "durability", &durability) < 0)
		return -EINVAL;

	metric_emit(ms, &bcfs_dev_info_desc, 1, f->uuid, dev, label, state);
	metric_emit(ms, &bcfs_dev_bucket_size_desc, (double)bucket_size, f->uuid, dev);
	metric_emit(ms, &bcfs_dev_buckets_desc, (double)nbuckets, f->uuid, dev);
	metric_emit(ms, &bcfs_dev_durability_desc, (double)durability, f->uuid, dev);

	/* io_done: "read:" / "write:" sections of "<data type> : <bytes>" */
	path = bcfs_path(f, dir, "io_done");
	if (!path || (n = bcfs_read(f->c, path)) < 0) {
		bcfs_fail(f, path, "cannot read");
		sb_reset(&f->c->buf); /* nothing to parse; go on with io_errors */
	}
	p = f->c->buf.p;
	const char *op = NULL;
	while ((line = next_line(&p))) {
		char *t = bcfs_trim(line), *colon;
		uint64_t v;

		if (!*t)
			continue;
		if (streq(t, "read:") || streq(t, "write:")) {
			op = t[0] == 'r' ? "read" : "write";
			continue;
		}
		if (!op || !(colon = strchr(t, ':')))
			continue;
		*colon = '\0';
		if (parse_u64(bcfs_trim(colon + 1), NULL, &v) < 0) {
			bcfs_fail(f, path, "bad value");
			continue;
		}
		metric_emit(ms, &bcfs_dev_io_done_desc, (double)v, f->uuid, dev, op, bcfs_trim(t));
	}

	/* io_errors: the "IO errors since filesystem creation" section, up to the next "IO errors since" */
	path = bcfs_path(f, dir, "io_errors");
	if (!path || (n = bcfs_read(f->c, path)) < 0)
		return bcfs_fail(f, path, "cannot read");
	p = f->c->buf.p;
	bool in_section = false;
	while ((line = next_line(&p))) {
		char *t, *colon;
		uint64_t v;

		if (startswith(line, "IO errors since filesystem creation")) {
			in_section = true;
			continue;
		}
		if (startswith(line, "IO errors since "))
			break;
		if (!in_section)
			continue;
		t = bcfs_trim(line);
		if (!*t || !(colon = strchr(t, ':')))
			continue;
		*colon = '\0';
		if (parse_u64(bcfs_trim(colon + 1), NULL, &v) < 0) {
			bcfs_fail(f, path, "bad value");
			continue;
		}
		metric_emit(ms, &bcfs_dev_io_errors_desc, (double)v, f->uuid, dev, bcfs_trim(t));
	}
	return 0;
}

static int bcfs_filesystem(struct bcfs_fs *f, struct metric_set *ms)
{
	const char *path = bcfs_path(f, f->dir, "btree_cache_size");
	uint64_t cache = 0;
	char **names;
	ssize_t n, nn;

	metric_emit(ms, &bcfs_info_desc, 1, f->uuid);
	if (!path || (n = bcfs_read(f->c, path)) < 0) {
		bcfs_fail(f, path, "cannot read");
	} else {
		char *s = bcfs_trim(f->c->buf.p);
		if (!*s || bcfs_human(s, &cache) == 0)
			metric_emit(ms, &bcfs_btree_cache_desc, (double)cache, f->uuid);
		else
			bcfs_fail(f, path, "bad size");
	}
	bcfs_compression(f, ms);
	bcfs_errors(f, ms);
	bcfs_counters(f, ms);
	bcfs_btree_writes(f, ms);

	nn = dir_list(f->dir, &f->c->ms->arena, &names);
	if (nn < 0)
		return bcfs_fail(f, f->dir, "cannot list");
	for (ssize_t i = 0; i < nn; i++) {
		struct stat st;
		const char *d;

		if (!startswith(names[i], "dev-") || !(d = bcfs_path(f, f->dir, names[i])) || lstat(d, &st) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		bcfs_device(f, ms, names[i]);
	}
	return 0;
}

static int bcachefs_collect(struct collect_ctx *c)
{
	const char *base;
	char **names, first[400] = "";
	ssize_t nn = ctx_list_dir(c, CTX_LIST_NODATA_ENOTDIR, &base, &names, ROOT_SYS, "fs/bcachefs");
	int bad = 0, found = 0;

	if (nn == COLLECTOR_NO_DATA)
		return (int)nn;
	if (nn < 0)
		return ctx_fail(c, (int)nn, "failed to retrieve bcachefs stats: %s: %s", c->path.p, strerror((int)-nn));
	for (ssize_t i = 0; i < nn; i++) {
		struct bcfs_fs f = { .c = c, .uuid = names[i], .bad = &bad, .first = first,
				     .first_size = sizeof(first) };
		struct stat st;

		f.dir = arena_printf(&c->ms->arena, "%s/%s", base, names[i]);
		if (!f.dir || lstat(f.dir, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		found++;
		bcfs_filesystem(&f, c->ms);
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "failed to retrieve bcachefs stats: %d bad item(s), first: %s", bad,
				first);
	if (!found)
		return COLLECTOR_NO_DATA;
	return 0;
}

COLLECTOR(bcachefs, .default_on = true);
