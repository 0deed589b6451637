/* btrfs: Btrfs filesystem statistics, as node_exporter's btrfs collector.
 *
 * From sysfs, per filesystem /sys/fs/btrfs/<uuid>/ (procfs btrfs parser): label, global reserve, commit
 * statistics (kernel 6.0+), and per block group type (data, metadata, system) the reserved bytes and,
 * per RAID profile, size, used bytes and the allocation ratio derived from the profile and the device
 * count.
 *
 * Per device, node_exporter prefers ioctls on a mount point of the filesystem (found in /proc/1/mountinfo,
 * or /proc/self/mountinfo when pid 1 is hidden): BTRFS_IOC_FS_INFO, BTRFS_IOC_DEV_INFO and
 * BTRFS_IOC_GET_DEV_STATS give each device's size, unused bytes and error counters, labelled by device
 * name and device UUID. The mount point is opened with O_NOATIME as node_exporter does, which fails
 * unless nodex runs as root (or owns the mount point); then, and for filesystems without a usable mount
 * point, the device sizes come from sysfs (devices/<dev>/size, in 512-byte sectors) without those labels.
 *
 * A file that is missing reads as zero, as in node_exporter. A value that does not parse is not exported
 * and is reported; a filesystem whose directories cannot be listed is skipped and reported. */
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "collector.h"

#define SECTOR_SIZE 512

METRIC(btrfs_info_desc, GAUGE, "node_btrfs_info", "Filesystem information", "uuid", "label");
METRIC(btrfs_rsv_desc, GAUGE, "node_btrfs_global_rsv_size_bytes", "Size of global reserve.", "uuid");
METRIC(btrfs_commits_desc, COUNTER, "node_btrfs_commits_total", "The total number of commits that have occurred.",
       "uuid");
METRIC(btrfs_last_commit_desc, GAUGE, "node_btrfs_last_commit_seconds",
       "Duration of the most recent commit, in seconds.", "uuid");
METRIC(btrfs_max_commit_desc, GAUGE, "node_btrfs_max_commit_seconds", "Duration of the slowest commit, in seconds.",
       "uuid");
METRIC(btrfs_commit_total_desc, COUNTER, "node_btrfs_commit_seconds_total",
       "Sum of the duration of all commits, in seconds.", "uuid");
METRIC(btrfs_reserved_desc, GAUGE, "node_btrfs_reserved_bytes", "Amount of space reserved for a data type", "uuid",
       "block_group_type");
METRIC(btrfs_used_desc, GAUGE, "node_btrfs_used_bytes", "Amount of used space by a layout/data type", "uuid",
       "block_group_type", "mode");
METRIC(btrfs_size_desc, GAUGE, "node_btrfs_size_bytes", "Amount of space allocated for a layout/data type", "uuid",
       "block_group_type", "mode");
METRIC(btrfs_ratio_desc, GAUGE, "node_btrfs_allocation_ratio", "Data allocation ratio for a layout/data type", "uuid",
       "block_group_type", "mode");

#define DEV_SIZE_HELP "Size of a device that is part of the filesystem."
METRIC(btrfs_dev_size_sysfs_desc, GAUGE, "node_btrfs_device_size_bytes", DEV_SIZE_HELP, "uuid", "device");
METRIC(btrfs_dev_size_ioctl_desc, GAUGE, "node_btrfs_device_size_bytes", DEV_SIZE_HELP, "uuid", "device",
       "btrfs_dev_uuid");
METRIC(btrfs_dev_unused_desc, GAUGE, "node_btrfs_device_unused_bytes",
       "Unused bytes unused on a device that is part of the filesystem.", "uuid", "device", "btrfs_dev_uuid");
METRIC(btrfs_dev_errors_desc, COUNTER, "node_btrfs_device_errors_total", "Errors reported for the device", "uuid",
       "type", "device", "btrfs_dev_uuid");

/* The order of the kernel's BTRFS_DEV_STAT_* values. */
static const char *const btrfs_error_types[] = { "write", "read", "flush", "corruption", "generation" };

/* ---- ioctl part ---- */

struct btrfs_ioctl_dev {
	const char *name; /* basename of the device path */
	char uuid[40];
	uint64_t bytes_used, total_bytes;
	uint64_t errors[5];
};

struct btrfs_ioctl_fs {
	char fsid[33]; /* hex, no dashes: compared with the sysfs UUID without dashes */
	struct btrfs_ioctl_dev *devs;
	size_t n_devs;
};

/* Formats a device UUID as dennwc/btrfs does (dashed hex, "<zero>" for all zeroes). */
static void btrfs_format_uuid(const uint8_t *u, char out[40])
{
	bool zero = true;

	for (int i = 0; i < 16; i++)
		zero = zero && u[i] == 0;
	if (zero) {
		strcpy(out, "<zero>");
		return;
	}
	snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
		 u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* Undoes the octal escapes of mountinfo paths (\040 for a space, \011, \012, \134). */
static void btrfs_unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Queries one mounted filesystem. Returns 0, or a negative errno (the mount point is then skipped). */
static int btrfs_query(struct collect_ctx *c, const char *path, struct btrfs_ioctl_fs *out)
{
	struct btrfs_ioctl_fs_info_args fi;
	struct stat st;
	struct statfs sfs;
	int fd, r = 0;

	/* dennwc/btrfs opens only subvolume roots (inode 256) of a btrfs filesystem. */
	if (stat(path, &st) < 0 || statfs(path, &sfs) < 0)
		return -errno;
	if (st.st_ino != 256 || !S_ISDIR(st.st_mode) || (uint32_t)sfs.f_type != (uint32_t)BTRFS_SUPER_MAGIC)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_NOATIME | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&fi, 0, sizeof(fi));
	if (ioctl(fd, BTRFS_IOC_FS_INFO, &fi) < 0) {
		r = -errno;
		goto out;
	}
	for (int i = 0; i < 16; i++)
		snprintf(out->fsid + 2 * i, 3, "%02x", fi.fsid[i]);
	out->n_devs = 0;
	out->devs = arena_zalloc(&c->ms->arena, (fi.num_devices ? fi.num_devices : 1) * sizeof(*out->devs));
	if (!out->devs) {
		r = -ENOMEM;
		goto out;
	}
	for (uint64_t id = 0; id <= fi.max_id && out->n_devs < fi.num_devices; id++) {
		struct btrfs_ioctl_dev_info_args di;
		struct btrfs_ioctl_get_dev_stats ds;
		struct btrfs_ioctl_dev *d = &out->devs[out->n_devs];
		const char *dpath, *slash;

		memset(&di, 0, sizeof(di));
		di.devid = id;
		if (ioctl(fd, BTRFS_IOC_DEV_INFO, &di) < 0) {
			if (errno == ENODEV)
				continue; /* device ids are neither contiguous nor start at 0 */
			r = -errno;
			goto out;
		}
		memset(&ds, 0, sizeof(ds));
		ds.devid = id;
		ds.nr_items = BTRFS_DEV_STAT_VALUES_MAX;
		if (ioctl(fd, BTRFS_IOC_GET_DEV_STATS, &ds) < 0) {
			r = -errno;
			goto out;
		}
		di.path[sizeof(di.path) - 1] = '\0';
		dpath = (const char *)di.path;
		slash = strrchr(dpath, '/');
		d->name = arena_strdup(&c->ms->arena, slash ? slash + 1 : dpath);
		if (!d->name) {
			r = -ENOMEM;
			goto out;
		}
		btrfs_format_uuid(di.uuid, d->uuid);
		d->bytes_used = di.bytes_used;
		d->total_bytes = di.total_bytes;
		for (int k = 0; k < 5; k++)
			d->errors[k] = ds.nr_items > (uint64_t)k ? ds.values[k] : 0;
		out->n_devs++;
	}
out:
	close(fd);
	return r;
}

/* Collects ioctl statistics for every mounted btrfs filesystem. Returns the count (fills *out) or a
 * negative errno; failures only mean falling back to sysfs, so they are logged at debug level. */
static ssize_t btrfs_ioctl_stats(struct collect_ctx *c, struct btrfs_ioctl_fs **out)
{
	struct strbuf mi = { 0 };
	struct btrfs_ioctl_fs *fs = NULL;
	const char **done = NULL;
	size_t n_fs = 0, cap = 0, n_done = 0, cap_done = 0;
	char *p, *line;
	ssize_t n, r;

	n = ctx_path(c, ROOT_PROC, "1/mountinfo") ? file_read(c->path.p, &mi) : -ENOMEM;
	if (n == -ENOENT) {
		log_debug("Reading root mounts failed, falling back to self mounts");
		n = ctx_path(c, ROOT_PROC, "self/mountinfo") ? file_read(c->path.p, &mi) : -ENOMEM;
	}
	if (n < 0) {
		r = n;
		goto out;
	}
	p = mi.p;
	while ((line = next_line(&p))) {
		char *f[64], *sep = strstr(line, " - "), *after;
		unsigned maj, min;
		int nf;

		if (!*line)
			continue;
		if (!sep) {
			r = -EINVAL;
			goto out;
		}
		*sep = '\0';
		after = sep + 3;
		nf = split_fields(line, f, 64);
		char *t[3];
		if (nf < 6 || split_fields(after, t, 3) < 2 || sscanf(f[2], "%u:%u", &maj, &min) != 2) {
			r = -EINVAL;
			goto out;
		}
		if (!streq(t[0], "btrfs"))
			continue;

		bool seen = false;
		for (size_t i = 0; i < n_done; i++)
			seen = seen || streq(done[i], t[1]);
		if (seen)
			continue; /* this device was already queried through another mount point */

		btrfs_unescape(f[4]);
		const char *root = nodex_paths.rootfs ? nodex_paths.rootfs : "/";
		const char *mp = f[4];
		if (!streq(root, "/") && startswith(mp, root))
			mp = mp + strlen(root); /* node_exporter strips the rootfs prefix, then joins it again */
		const char *path = streq(root, "/") ? arena_strdup(&c->ms->arena, f[4])
						      : arena_printf(&c->ms->arena, "%s%s%s", root,
								     *mp == '/' ? "" : "/", mp);
		struct btrfs_ioctl_fs q;
		int e;

		if (!path) {
			r = -ENOMEM;
			goto out;
		}
		e = btrfs_query(c, path, &q);
		if (e < 0) {
			log_debug("Error inspecting btrfs mountpoint", "mountPoint", path, "err", strerror(-e));
			continue;
		}
		seen = false;
		for (size_t i = 0; i < n_fs; i++)
			seen = seen || streq(fs[i].fsid, q.fsid);
		if (seen)
			continue;
		if (!(done = arena_grow(&c->ms->arena, done, n_done, &cap_done, sizeof(*done)))) {
			r = -ENOMEM;
			goto out;
		}
		if (!(fs = arena_grow(&c->ms->arena, fs, n_fs, &cap, sizeof(*fs)))) {
			r = -ENOMEM;
			goto out;
		}
		done[n_done] = arena_strdup(&c->ms->arena, t[1]);
		if (!done[n_done]) {
			r = -ENOMEM;
			goto out;
		}
		n_done++;
		fs[n_fs++] = q;
	}
	*out = fs;
	r = (ssize_t)n_fs;
out:
	sb_free(&mi);
	return r;
}

/* ---- sysfs part ---- */

enum btrfs_val { BV_OK, BV_MISSING, BV_BAD };

struct btrfs_run {
	struct collect_ctx *c;
	int bad;
	char first[400];
	/* The label set node_btrfs_device_size_bytes got first in this run (0 none, 2 sysfs, 3 ioctl). */
	unsigned dev_size_labels;
};

static void btrfs_bad(struct btrfs_run *r, const char *path, const char *why)
{
	if (!r->bad++)
		snprintf(r->first, sizeof(r->first), "%.300s: %s", path, why);
}

/* Reads an attribute holding an unsigned integer. A missing file reads as 0, as in procfs; a value that
 * does not parse is reported; other read errors fail the filesystem (-errno). */
static int btrfs_value(struct btrfs_run *r, const char *dir, const char *name, uint64_t *out)
{
	struct collect_ctx *c = r->c;
	ssize_t n = ctx_read(c, ROOT_NONE, "%s/%s", dir, name);

	*out = 0;
	if (n == -ENOENT)
		return BV_MISSING;
	if (n < 0)
		return (int)n;
	if (parse_u64(strip_trailing(c->buf.p), NULL, out) < 0) {
		btrfs_bad(r, c->path.p, "not an unsigned integer");
		return BV_BAD;
	}
	return BV_OK;
}

/* Reads a string attribute, trimmed; "" when missing. Returns NULL with *err set on other errors. */
static const char *btrfs_string(struct btrfs_run *r, const char *dir, const char *name, int *err)
{
	int e = 0;
	const char *s = ctx_read_trimmed(r->c, &e, ROOT_NONE, "%s/%s", dir, name);

	if (!s && e == -ENOENT)
		return "";
	if (!s)
		*err = e;
	return s;
}

static double btrfs_ratio(const char *profile, size_t n_devs)
{
	double n = (double)n_devs;

	if (streq(profile, "single") || streq(profile, "raid0"))
		return 1;
	if (streq(profile, "dup") || streq(profile, "raid1") || streq(profile, "raid10"))
		return 2;
	if (streq(profile, "raid5"))
		return n / (n - 1);
	if (streq(profile, "raid6"))
		return n / (n - 2);
	return 0; /* raid1c3, raid1c4 and unknown profiles, as node_exporter */
}

/* Commit statistics: "commits N", "last_commit_ms N", "max_commit_ms N", "total_commit_ms N". Missing file
 * (kernels before 6.0) gives zeros. */
static int btrfs_commit_stats(struct btrfs_run *r, const char *dir, uint64_t v[4], bool *ok)
{
	static const char *const keys[4] = { "commits", "last_commit_ms", "max_commit_ms", "total_commit_ms" };
	struct collect_ctx *c = r->c;
	ssize_t n = ctx_read(c, ROOT_NONE, "%s/commit_stats", dir);
	char *p, *line;

	memset(v, 0, 4 * sizeof(v[0]));
	*ok = true;
	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return (int)n;
	p = c->buf.p;
	while ((line = next_line(&p))) {
		char *f[3];
		uint64_t x;

		if (split_fields(line, f, 3) != 2 || parse_u64(f[1], NULL, &x) < 0) {
			btrfs_bad(r, c->path.p, "invalid commit_stats line");
			*ok = false;
			return 0;
		}
		for (int i = 0; i < 4; i++)
			if (streq(f[0], keys[i]))
				v[i] = x;
	}
	return 0;
}

static bool btrfs_is_dir(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return false;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* One filesystem. Returns 0, or a negative errno when it must be skipped (nothing emitted). */
static int btrfs_filesystem(struct btrfs_run *r, const char *dir, const char *dirname,
			    const struct btrfs_ioctl_fs *ioc, size_t n_ioc)
{
	static const char *const groups[3] = { "data", "metadata", "system" };
	struct collect_ctx *c = r->c;
	struct arena *a = &c->ms->arena;
	const char *label, *uuid, *sub;
	char **devs, **feats, **layouts[3];
	ssize_t n_devs, n_feats, n_layouts[3];
	uint64_t *dev_size, rsv, reserved[3], commit[4];
	int *st_dev, st_rsv, st_res[3], e = 0;
	bool commit_ok;

	/* Everything that can fail the filesystem is read before anything is emitted. */
	sub = arena_printf(a, "%s/devices", dir);
	n_devs = sub ? dir_list(sub, a, &devs) : -ENOMEM;
	if (n_devs < 0)
		return (int)n_devs;
	dev_size = arena_alloc(a, ((size_t)n_devs + 1) * sizeof(*dev_size));
	st_dev = arena_alloc(a, ((size_t)n_devs + 1) * sizeof(*st_dev));
	if (!dev_size || !st_dev)
		return -ENOMEM;
	for (ssize_t i = 0; i < n_devs; i++) {
		const char *ddir = arena_printf(a, "%s/%s", sub, devs[i]);
		if (!ddir)
			return -ENOMEM;
		st_dev[i] = btrfs_value(r, ddir, "size", &dev_size[i]);
		if (st_dev[i] < 0)
			return st_dev[i];
	}
	label = btrfs_string(r, dir, "label", &e);
	if (!label)
		return e;
	uuid = btrfs_string(r, dir, "metadata_uuid", &e);
	if (!uuid)
		return e;
	if (!*uuid)
		uuid = dirname;
	sub = arena_printf(a, "%s/features", dir);
	n_feats = sub ? dir_list(sub, a, &feats) : -ENOMEM;
	if (n_feats < 0)
		return (int)n_feats;
	sub = arena_printf(a, "%s/allocation", dir);
	if (!sub)
		return -ENOMEM;
	if ((st_rsv = btrfs_value(r, sub, "global_rsv_size", &rsv)) < 0)
		return st_rsv;
	for (int g = 0; g < 3; g++) {
		const char *gdir = arena_printf(a, "%s/%s", sub, groups[g]);
		if (!gdir)
			return -ENOMEM;
		if ((st_res[g] = btrfs_value(r, gdir, "bytes_reserved", &reserved[g])) < 0)
			return st_res[g];
		n_layouts[g] = dir_list(gdir, a, &layouts[g]);
		if (n_layouts[g] < 0)
			return (int)n_layouts[g];
	}
	if ((e = btrfs_commit_stats(r, dir, commit, &commit_ok)) < 0)
		return e;

	metric_emit(c->ms, &btrfs_info_desc, 1, uuid, label);
	if (st_rsv != BV_BAD)
		metric_emit(c->ms, &btrfs_rsv_desc, (double)rsv, uuid);
	if (commit_ok) {
		metric_emit(c->ms, &btrfs_commits_desc, (double)commit[0], uuid);
		metric_emit(c->ms, &btrfs_last_commit_desc, (double)commit[1] / 1000, uuid);
		metric_emit(c->ms, &btrfs_max_commit_desc, (double)commit[2] / 1000, uuid);
		metric_emit(c->ms, &btrfs_commit_total_desc, (double)commit[3] / 1000, uuid);
	}
	for (int g = 0; g < 3; g++) {
		const char *gdir = arena_printf(a, "%s/%s", sub, groups[g]);
		if (!gdir)
			return -ENOMEM;
		if (st_res[g] != BV_BAD)
			metric_emit(c->ms, &btrfs_reserved_desc, (double)reserved[g], uuid, groups[g]);
		for (ssize_t l = 0; l < n_layouts[g]; l++) {
			const char *ldir;
			uint64_t total, used;
			int st_t, st_u;

			if (!btrfs_is_dir(gdir, layouts[g][l]))
				continue;
			ldir = arena_printf(a, "%s/%s", gdir, layouts[g][l]);
			if (!ldir)
				return -ENOMEM;
			st_t = btrfs_value(r, ldir, "total_bytes", &total);
			st_u = btrfs_value(r, ldir, "used_bytes", &used);
			if (st_t < 0 || st_u < 0) {
				btrfs_bad(r, ldir, strerror(-(st_t < 0 ? st_t : st_u)));
				continue;
			}
			if (st_u != BV_BAD)
				metric_emit(c->ms, &btrfs_used_desc, (double)used, uuid, groups[g], layouts[g][l]);
			if (st_t != BV_BAD)
				metric_emit(c->ms, &btrfs_size_desc, (double)total, uuid, groups[g], layouts[g][l]);
			metric_emit(c->ms, &btrfs_ratio_desc, btrfs_ratio(layouts[g][l], (size_t)n_devs), uuid,
				    groups[g], layouts[g][l]);
		}
	}

	/* Devices: from the ioctls when this filesystem was queried through a mount point, else sysfs. */
	const struct btrfs_ioctl_fs *q = NULL;
	char bare[64];
	size_t o = 0;
	for (const char *s = uuid; *s && o + 1 < sizeof(bare); s++)
		if (*s != '-')
			bare[o++] = *s;
	bare[o] = '\0';
	for (size_t i = 0; i < n_ioc; i++)
		if (streq(ioc[i].fsid, bare))
			q = &ioc[i];

	/* node_btrfs_device_size_bytes has three labels with ioctl data and two without; as in
	 * node_exporter's registry, the first label set of a run wins and the other is dropped. */
	unsigned want = q ? 3 : 2;
	if (!r->dev_size_labels)
		r->dev_size_labels = want;
	bool size_ok = r->dev_size_labels == want;
	if (!size_ok)
		log_debug("btrfs device sizes with inconsistent labels dropped", "uuid", uuid);

	if (!q) {
		for (ssize_t i = 0; i < n_devs && size_ok; i++)
			if (st_dev[i] != BV_BAD)
				metric_emit(c->ms, &btrfs_dev_size_sysfs_desc, (double)(SECTOR_SIZE * dev_size[i]), uuid,
					    devs[i]);
		return 0;
	}
	for (size_t i = 0; i < q->n_devs; i++) {
		const struct btrfs_ioctl_dev *d = &q->devs[i];
		if (size_ok)
			metric_emit(c->ms, &btrfs_dev_size_ioctl_desc, (double)d->total_bytes, uuid, d->name, d->uuid);
		metric_emit(c->ms, &btrfs_dev_unused_desc, (double)(d->total_bytes - d->bytes_used), uuid, d->name,
			    d->uuid);
		for (int k = 0; k < 5; k++)
			metric_emit(c->ms, &btrfs_dev_errors_desc, (double)d->errors[k], uuid, btrfs_error_types[k],
				    d->name, d->uuid);
	}
	return 0;
}

static int btrfs_collect(struct collect_ctx *c)
{
	struct btrfs_run r = { .c = c };
	struct btrfs_ioctl_fs *ioc = NULL;
	const char *base;
	char **names;
	/* no btrfs directory: no filesystems, as node_exporter's glob */
	ssize_t nn = ctx_list_dir(c, CTX_LIST_GLOB, &base, &names, ROOT_SYS, "fs/btrfs"), n_ioc = 0;
	bool any = false;

	if (nn < 0)
		return (int)nn;
	for (ssize_t i = 0; i < nn; i++)
		any = any || strchr(names[i], '-');
	if (any) {
		n_ioc = btrfs_ioctl_stats(c, &ioc);
		if (n_ioc < 0) {
			log_debug("Error querying btrfs device stats with ioctl", "err", strerror((int)-n_ioc));
			n_ioc = 0;
		}
	}
	for (ssize_t i = 0; i < nn; i++) {
		const char *dir;
		int e;

		if (!strchr(names[i], '-'))
			continue;
		dir = arena_printf(&c->ms->arena, "%s/%s", base, names[i]);
		if (!dir)
			return -ENOMEM;
		e = btrfs_filesystem(&r, dir, names[i], ioc, (size_t)n_ioc);
		if (e < 0)
			btrfs_bad(&r, dir, strerror(-e));
	}
	if (r.bad)
		return ctx_fail(c, -EINVAL, "failed to retrieve Btrfs stats: %d problem(s), first: %s", r.bad,
				r.first);
	return 0;
}

COLLECTOR(btrfs, .default_on = true);
