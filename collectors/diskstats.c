/* diskstats: node_disk_* from /proc/diskstats (14, 18 or 20 fields per line: each line reports as many
 * statistics as it has), node_disk_info with the udev properties (<udev data>/b<major>:<minor>) and the
 * queue's rotational flag, and from udev node_disk_filesystem_info, node_disk_device_mapper_info (plus
 * node_disk_device_mapper_backing_device_info from /sys/block/<dev>/slaves) and the ATA families.
 * Sectors are 512 bytes; times are milliseconds in the kernel and seconds here. */
#include <stdio.h>

#include "collector.h"

#define DISKSTATS_DEFAULT_EXCLUDE "^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$"

static const char *device_exclude;
static const char *device_include;
static const char *ignored_devices;
static struct name_filter filter;

enum { F_EXCLUDE, F_INCLUDE, F_IGNORED };
static struct flag diskstats_flags[] = {
	[F_EXCLUDE] = { "collector.diskstats.device-exclude", FLAG_STRING, DISKSTATS_DEFAULT_EXCLUDE,
			"Regexp of diskstats devices to exclude (mutually exclusive to device-include).",
			&device_exclude },
	[F_INCLUDE] = { "collector.diskstats.device-include", FLAG_STRING, NULL,
			"Regexp of diskstats devices to include (mutually exclusive to device-exclude).",
			&device_include },
	[F_IGNORED] = { "collector.diskstats.ignored-devices", FLAG_STRING, NULL,
			"DEPRECATED: Use collector.diskstats.device-exclude", &ignored_devices, .hidden = true },
	{ NULL },
};

/* The statistics of one /proc/diskstats line, in field order after the device name. */
#define N_STATS 17
static const struct metric_desc stat_descs[N_STATS] = {
	METRIC_DESC("node_disk_reads_completed_total", "The total number of reads completed successfully.",
		    METRIC_COUNTER, "device"),
	METRIC_DESC("node_disk_reads_merged_total", "The total number of reads merged.", METRIC_COUNTER, "device"),
	METRIC_DESC("node_disk_read_bytes_total", "The total number of bytes read successfully.", METRIC_COUNTER,
		    "device"),
	METRIC_DESC("node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.",
		    METRIC_COUNTER, "device"),
	METRIC_DESC("node_disk_writes_completed_total", "The total number of writes completed successfully.",
		    METRIC_COUNTER, "device"),
	METRIC_DESC("node_disk_writes_merged_total", "The number of writes merged.", METRIC_COUNTER, "device"),
	METRIC_DESC("node_disk_written_bytes_total", "The total number of bytes written successfully.",
		    METRIC_COUNTER, "device"),
	METRIC_DESC("node_disk_write_time_seconds_total", "This is the total number of seconds spent by all writes.",
		    METRIC_COUNTER, "device"),
	METRIC_DESC("node_disk_io_now", "The number of I/Os currently in progress.", METRIC_GAUGE, "device"),
	METRIC_DESC("node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", METRIC_COUNTER, "device"),
	METRIC_DESC("node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.",
		    METRIC_COUNTER, "device"),
	METRIC_DESC("node_disk_discards_completed_total", "The total number of discards completed successfully.",
		    METRIC_COUNTER, "device"),
	METRIC_DESC("node_disk_discards_merged_total", "The total number of discards merged.", METRIC_COUNTER,
		    "device"),
	METRIC_DESC("node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.",
		    METRIC_COUNTER, "device"),
	METRIC_DESC("node_disk_discard_time_seconds_total",
		    "This is the total number of seconds spent by all discards.", METRIC_COUNTER, "device"),
	METRIC_DESC("node_disk_flush_requests_total", "The total number of flush requests completed successfully",
		    METRIC_COUNTER, "device"),
	METRIC_DESC("node_disk_flush_requests_time_seconds_total",
		    "This is the total number of seconds spent by all flush requests.", METRIC_COUNTER, "device"),
};
/* Scale per statistic: sectors to bytes, milliseconds to seconds. */
static const double stat_scale[N_STATS] = {
	1, 1, 512, 0.001, 1, 1, 512, 0.001, 1, 0.001, 0.001, 1, 1, 1, 0.001, 1, 0.001,
};

METRIC(info_desc, GAUGE, "node_disk_info", "Info of /sys/block/<block_device>.", "device", "major", "minor", "path",
       "wwn", "model", "serial", "revision", "rotational");
METRIC(fs_info_desc, GAUGE, "node_disk_filesystem_info", "Info about disk filesystem.", "device", "type", "usage",
       "uuid", "version");
METRIC(dm_info_desc, GAUGE, "node_disk_device_mapper_info", "Info about disk device mapper.", "device", "name", "uuid",
       "vg_name", "lv_name", "lv_layer");
METRIC(dm_backing_desc, GAUGE, "node_disk_device_mapper_backing_device_info",
       "Info about the underlying block devices of a device mapper device.", "device", "backing_device");
static const struct metric_desc ata_descs[] = {
	METRIC_DESC("node_disk_ata_write_cache", "ATA disk has a write cache.", METRIC_GAUGE, "device"),
	METRIC_DESC("node_disk_ata_write_cache_enabled", "ATA disk has its write cache enabled.", METRIC_GAUGE,
		    "device"),
	METRIC_DESC("node_disk_ata_rotation_rate_rpm", "ATA disk rotation rate in RPMs (0 for SSDs).", METRIC_GAUGE,
		    "device"),
};

/* The udev properties we use, sorted for bsearch. */
enum {
	U_DM_LV_LAYER, U_DM_LV_NAME, U_DM_NAME, U_DM_UUID, U_DM_VG_NAME, U_ID_ATA, U_ID_ATA_ROTATION_RATE_RPM,
	U_ID_ATA_WRITE_CACHE, U_ID_ATA_WRITE_CACHE_ENABLED, U_ID_FS_TYPE, U_ID_FS_USAGE, U_ID_FS_UUID,
	U_ID_FS_VERSION, U_ID_MODEL, U_ID_PATH, U_ID_REVISION, U_ID_SERIAL, U_ID_SERIAL_SHORT, U_ID_WWN,
	U_SCSI_IDENT_SERIAL, U_COUNT
};
static const char *const udev_keys[U_COUNT] = {
	"DM_LV_LAYER", "DM_LV_NAME", "DM_NAME", "DM_UUID", "DM_VG_NAME", "ID_ATA", "ID_ATA_ROTATION_RATE_RPM",
	"ID_ATA_WRITE_CACHE", "ID_ATA_WRITE_CACHE_ENABLED", "ID_FS_TYPE", "ID_FS_USAGE", "ID_FS_UUID",
	"ID_FS_VERSION", "ID_MODEL", "ID_PATH", "ID_REVISION", "ID_SERIAL", "ID_SERIAL_SHORT", "ID_WWN",
	"SCSI_IDENT_SERIAL",
};
static const int ata_keys[] = { U_ID_ATA_WRITE_CACHE, U_ID_ATA_WRITE_CACHE_ENABLED, U_ID_ATA_ROTATION_RATE_RPM };

struct disk {
	unsigned major, minor;
	const char *name;
	int n_stats;
	uint64_t stats[N_STATS];
};

/* Scratch kept across runs: the udev file, sysfs attributes. */
static struct strbuf udev_buf, attr_buf;

/* Whether /sys/block/<dev>/queue holds every attribute prometheus/procfs reads: node_exporter reports the
 * rotational flag only when all of them were read, and "0" otherwise. The answer is cached per device name
 * and number (the set of queue attributes does not change while a device exists). */
struct queue_verdict {
	char *dev;
	unsigned major, minor;
	bool complete;
};
static struct queue_verdict *verdicts;
static size_t n_verdicts, cap_verdicts;

static int cmp_key(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* Parses one line of /proc/diskstats as fmt.Sscanf("%d %d %s %d ... %d") counts items: major, minor,
 * name, then up to 17 statistics. Returns the number of items read (3 + statistics), or -EINVAL when a
 * field is not an unsigned number where one is expected. */
static int parse_line(char *line, struct disk *d)
{
	char *f[3 + N_STATS];
	int n = split_fields(line, f, 3 + N_STATS);
	uint64_t v;

	for (int i = 0; i < n; i++) {
		if (i == 2)
			continue;
		if (f[i][0] < '0' || f[i][0] > '9' || parse_u64(f[i], NULL, &v) < 0)
			return -EINVAL;
		if (i < 2 && v > UINT32_MAX)
			return -EINVAL;
		if (i == 0)
			d->major = (unsigned)v;
		else if (i == 1)
			d->minor = (unsigned)v;
		else
			d->stats[i - 3] = v;
	}
	if (n >= 3)
		d->name = f[2];
	d->n_stats = n > 3 ? n - 3 : 0;
	return n;
}

/* Reads the udev database entry of a block device into vals (pointers into udev_buf). A missing file
 * leaves every value empty. */
static void read_udev(struct collect_ctx *c, unsigned major, unsigned minor, const char *vals[U_COUNT])
{
	for (int i = 0; i < U_COUNT; i++)
		vals[i] = NULL;
	if (file_read(ctx_path(c, ROOT_UDEV, "b%u:%u", major, minor), &udev_buf) < 0)
		return;
	char *p = udev_buf.p, *line;
	while ((line = next_line(&p))) {
		if (!startswith(line, "E:"))
			continue;
		line += 2;
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		size_t vl = strlen(eq + 1);
		if (vl && eq[vl] == '\r') /* bufio.Scanner drops a CR before the newline */
			eq[vl] = '\0';
		const char *const *k = bsearch(line, udev_keys, U_COUNT, sizeof(udev_keys[0]), cmp_key);
		if (k)
			vals[k - udev_keys] = eq + 1;
	}
}

static bool queue_complete_check(struct collect_ctx *c, const char *dev)
{
	static const char *const uints[] = {
		"add_random", "dax", "discard_granularity", "discard_max_hw_bytes", "discard_max_bytes",
		"hw_sector_size", "io_poll", "io_timeout", "iostats", "logical_block_size", "max_hw_sectors_kb",
		"max_integrity_segments", "max_sectors_kb", "max_segments", "max_segment_size", "minimum_io_size",
		"nomerges", "nr_requests", "optimal_io_size", "physical_block_size", "read_ahead_kb", "rotational",
		"rq_affinity", "write_same_max_bytes", "nr_zones", "chunk_sectors", "fua", "max_discard_segments",
		"write_zeroes_max_bytes",
	};
	static const char *const ints[] = { "io_poll_delay", "wbt_lat_usec" };
	static const char *const strs[] = { "write_cache", "zoned", "scheduler" };
	uint64_t u;
	int64_t i64;

	for (size_t i = 0; i < ARRAY_SIZE(uints); i++)
		if (file_read_u64(ctx_path(c, ROOT_SYS, "block/%s/queue/%s", dev, uints[i]), &attr_buf, &u) < 0)
			return false;
	for (size_t i = 0; i < ARRAY_SIZE(ints); i++)
		if (file_read_i64(ctx_path(c, ROOT_SYS, "block/%s/queue/%s", dev, ints[i]), &attr_buf, &i64) < 0)
			return false;
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		if (file_read(ctx_path(c, ROOT_SYS, "block/%s/queue/%s", dev, strs[i]), &attr_buf) < 0)
			return false;
	return true;
}

static bool queue_complete(struct collect_ctx *c, const char *dev, unsigned major, unsigned minor)
{
	for (size_t i = 0; i < n_verdicts; i++)
		if (verdicts[i].major == major && verdicts[i].minor == minor && streq(verdicts[i].dev, dev))
			return verdicts[i].complete;
	bool complete = queue_complete_check(c, dev);
	if (n_verdicts == 4096) {
		/* Device names churn (hot-plug): start over rather than grow without bound. */
		for (size_t i = 0; i < n_verdicts; i++)
			free(verdicts[i].dev);
		n_verdicts = 0;
	}
	struct queue_verdict *v = heap_grow(verdicts, n_verdicts, &cap_verdicts, sizeof(*verdicts));
	if (!v)
		return complete;
	verdicts = v;
	char *copy = strdup(dev);
	if (copy)
		verdicts[n_verdicts++] = (struct queue_verdict){ copy, major, minor, complete };
	return complete;
}

/* The queue's rotational flag as node_exporter prints it: strconv.FormatUint(v, 2), "0" when unknown. */
static void rotational(struct collect_ctx *c, const struct disk *d, char out[72])
{
	uint64_t v = 0;
	int n = 0;
	char tmp[72];

	if (file_read_u64(ctx_path(c, ROOT_SYS, "block/%s/queue/rotational", d->name), &attr_buf, &v) < 0 ||
	    !queue_complete(c, d->name, d->major, d->minor))
		v = 0;
	do {
		tmp[n++] = (char)('0' + (v & 1));
		v >>= 1;
	} while (v);
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

static void dm_backing(struct collect_ctx *c, struct family **fam, const char *dev)
{
	char **names;
	ssize_t n = dir_list(ctx_path(c, ROOT_SYS, "block/%s/slaves", dev), &c->ms->arena, &names);

	if (n <= 0)
		return;
	if (!*fam)
		*fam = metric_family(c->ms, &dm_backing_desc);
	for (ssize_t i = 0; i < n; i++)
		metric_add(*fam, 1, dev, names[i]);
}

static int diskstats_collect(struct collect_ctx *c)
{
	ssize_t len = ctx_read(c, ROOT_PROC, "diskstats");
	struct disk *disks;
	size_t n_disks = 0, n_lines = 1;

	if (len < 0)
		return ctx_fail(c, (int)len, "couldn't get diskstats: %s: %s", c->path.p, strerror((int)-len));
	for (char *p = c->buf.p; *p; p++)
		n_lines += *p == '\n';
	disks = arena_alloc(&c->ms->arena, n_lines * sizeof(*disks));
	if (!disks)
		return -ENOMEM;
	/* Parse everything first: node_exporter reports nothing when a line is malformed. */
	char *p = c->buf.p, *line;
	unsigned lineno = 0;
	while ((line = next_line(&p))) {
		struct disk *d = &disks[n_disks];
		lineno++;
		int n = parse_line(line, d);
		if (n < 0)
			return ctx_fail(c, -EINVAL, "couldn't get diskstats: %s: malformed line %u", c->path.p, lineno);
		if (n >= 14)
			n_disks++;
	}

	struct family *info = metric_family(c->ms, &info_desc);
	struct family *stats[N_STATS] = { NULL };
	struct family *fs_info = NULL, *dm_info = NULL, *dm_back = NULL, *ata[3] = { NULL };
	for (size_t i = 0; i < n_disks; i++) {
		const struct disk *d = &disks[i];
		const char *u[U_COUNT];
		char major[16], minor[16], rot[72];

		if (name_filter_ignored(&filter, d->name))
			continue;
		read_udev(c, d->major, d->minor, u);
		const char *serial = u[U_SCSI_IDENT_SERIAL];
		if (!serial || !*serial)
			serial = u[U_ID_SERIAL_SHORT];
		if (!serial || !*serial)
			serial = u[U_ID_SERIAL];
		for (int k = 0; k < U_COUNT; k++)
			if (!u[k])
				u[k] = "";
		if (!serial)
			serial = "";
		snprintf(major, sizeof(major), "%u", d->major);
		snprintf(minor, sizeof(minor), "%u", d->minor);
		rotational(c, d, rot);
		metric_add(info, 1, d->name, major, minor, u[U_ID_PATH], u[U_ID_WWN], u[U_ID_MODEL], serial,
			   u[U_ID_REVISION], rot);
		for (int k = 0; k < d->n_stats && k < N_STATS; k++) {
			if (!stats[k])
				stats[k] = metric_family(c->ms, &stat_descs[k]);
			metric_add(stats[k], (double)d->stats[k] * stat_scale[k], d->name);
		}
		if (*u[U_ID_FS_TYPE]) {
			if (!fs_info)
				fs_info = metric_family(c->ms, &fs_info_desc);
			metric_add(fs_info, 1, d->name, u[U_ID_FS_TYPE], u[U_ID_FS_USAGE], u[U_ID_FS_UUID],
				   u[U_ID_FS_VERSION]);
		}
		if (*u[U_DM_NAME]) {
			if (!dm_info)
				dm_info = metric_family(c->ms, &dm_info_desc);
			metric_add(dm_info, 1, d->name, u[U_DM_NAME], u[U_DM_UUID], u[U_DM_VG_NAME], u[U_DM_LV_NAME],
				   u[U_DM_LV_LAYER]);
			dm_backing(c, &dm_back, d->name);
		}
		if (*u[U_ID_ATA]) {
			for (size_t k = 0; k < ARRAY_SIZE(ata_keys); k++) {
				double v;
				/* A property that is absent is skipped; so is one that is not a number. */
				if (!*u[ata_keys[k]] || parse_double(u[ata_keys[k]], NULL, &v) < 0)
					continue;
				if (!ata[k])
					ata[k] = metric_family(c->ms, &ata_descs[k]);
				metric_add(ata[k], v, d->name);
			}
		}
	}
	return 0;
}

static int diskstats_init(char *err, size_t err_size)
{
	const struct name_filter_flags ff = {
		.include = &diskstats_flags[F_INCLUDE],
		.exclude = &diskstats_flags[F_EXCLUDE],
		.alias = { { &diskstats_flags[F_IGNORED], &diskstats_flags[F_EXCLUDE] } },
		.both_error = "device-exclude & device-include are mutually exclusive",
	};

	return name_filter_from_flags(&filter, &ff, err, err_size);
}

static void diskstats_fini(void)
{
	name_filter_free(&filter);
	for (size_t i = 0; i < n_verdicts; i++)
		free(verdicts[i].dev);
	free(verdicts);
	verdicts = NULL;
	n_verdicts = cap_verdicts = 0;
	sb_free(&udev_buf);
	sb_free(&attr_buf);
}

COLLECTOR(diskstats, .default_on = true, .flags = diskstats_flags, .init = diskstats_init,
	  .fini = diskstats_fini);
