/* tapestats: SCSI tape statistics from /sys/class/scsi_tape/stN/stats, as node_exporter's tapestats
 * collector (collector/tapestats_linux.go over procfs' SCSITapeClass). Only the stN devices are read (the
 * nstN/stNa... variants are the same drive). Every file of stats/ is read; an unreadable file or a
 * counter that does not parse reports nothing, as in procfs. Times are nanoseconds. */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

static const char *ignored_devices;
static struct regex *ignored_re;

static struct flag tapestats_flags[] = {
	{ "collector.tapestats.ignored-devices", FLAG_STRING, "^$", "Regexp of devices to ignore for tapestats.",
	  &ignored_devices },
	{ NULL },
};

/* stats/<file>: metric, sorted by file name. */
static const struct {
	const char *file;
	struct metric_desc desc;
	bool ns;
} tape_stats[] = {
	{ "in_flight", METRIC_DESC("node_tape_io_now", "The number of I/Os currently outstanding to this device.",
				   METRIC_GAUGE, "device"), false },
	{ "io_ns",
	  METRIC_DESC("node_tape_io_time_seconds_total",
		      "The amount of time spent waiting for all I/O to complete (including read and write). This includes "
		      "tape movement commands such as seeking between file or set marks and implicit tape movement such as "
		      "when rewind on close tape devices are used.",
		      METRIC_COUNTER, "device"),
	  true },
	{ "other_cnt",
	  METRIC_DESC("node_tape_io_others_total",
		      "The number of I/Os issued to the tape drive other than read or write commands. The time taken to "
		      "complete these commands uses the following calculation "
		      "io_time_seconds_total-read_time_seconds_total-write_time_seconds_total",
		      METRIC_COUNTER, "device"),
	  false },
	{ "read_byte_cnt", METRIC_DESC("node_tape_read_bytes_total", "The number of bytes read from the tape drive.",
				       METRIC_COUNTER, "device"), false },
	{ "read_cnt", METRIC_DESC("node_tape_reads_completed_total", "The number of read requests issued to the tape drive.",
				  METRIC_COUNTER, "device"), false },
	{ "read_ns", METRIC_DESC("node_tape_read_time_seconds_total",
				 "The amount of time spent waiting for read requests to complete.", METRIC_COUNTER,
				 "device"), true },
	{ "resid_cnt",
	  METRIC_DESC("node_tape_residual_total",
		      "The number of times during a read or write we found the residual amount to be non-zero. This "
		      "should mean that a program is issuing a read larger thean the block size on tape. For write not "
		      "all data made it to tape.",
		      METRIC_COUNTER, "device"),
	  false },
	{ "write_byte_cnt", METRIC_DESC("node_tape_written_bytes_total", "The number of bytes written to the tape drive.",
					METRIC_COUNTER, "device"), false },
	{ "write_cnt", METRIC_DESC("node_tape_writes_completed_total",
				   "The number of write requests issued to the tape drive.", METRIC_COUNTER, "device"),
	  false },
	{ "write_ns", METRIC_DESC("node_tape_write_time_seconds_total",
				  "The amount of time spent waiting for write requests to complete.", METRIC_COUNTER,
				  "device"), true },
};
#define N_STATS ARRAY_SIZE(tape_stats)

struct tape {
	const char *name;
	bool has[N_STATS];
	uint64_t v[N_STATS];
};

/* ^st[0-9]+$ */
static bool is_tape(const char *name)
{
	const char *p = name + 2;

	if (!startswith(name, "st") || !*p)
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static int read_tape(struct collect_ctx *c, const char *cdir, struct tape *t)
{
	char *dir = arena_printf(&c->ms->arena, "%s/%s/stats", cdir, t->name);
	char **files;
	ssize_t n;

	if (!dir)
		return -ENOMEM;
	n = dir_list(dir, &c->ms->arena, &files);
	if (n < 0)
		return ctx_fail(c, (int)n, "open %s: %s", dir, strerror((int)-n));
	for (ssize_t i = 0; i < n; i++) {
		ssize_t r = sysattr_read(ctx_path(c, ROOT_NONE, "%s/%s", dir, files[i]), &c->buf);
		size_t k;
		if (r < 0)
			return ctx_fail(c, (int)r, "failed to read file %s: %s", c->path.p, strerror((int)-r));
		for (k = 0; k < N_STATS && !streq(tape_stats[k].file, files[i]); k++)
			;
		if (k == N_STATS)
			continue;
		if (go_parse_uint(c->buf.p, 0, 64, &t->v[k]) < 0)
			return ctx_fail(c, -EINVAL, "%s: invalid number %s", c->path.p, c->buf.p);
		t->has[k] = true;
	}
	return 0;
}

static int tapestats_collect(struct collect_ctx *c)
{
	const char *cdir;
	char **names;
	ssize_t n = ctx_list_dir(c, 0, &cdir, &names, ROOT_SYS, "class/scsi_tape");
	struct tape *tapes;
	size_t nt = 0;

	if (n == COLLECTOR_NO_DATA)
		return (int)n;
	if (n < 0)
		return ctx_fail(c, (int)n, "error obtaining SCSITape class info: %s", strerror((int)-n));
	if (!(tapes = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*tapes))))
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		int r;
		if (!is_tape(names[i]))
			continue;
		tapes[nt].name = names[i];
		if ((r = read_tape(c, cdir, &tapes[nt])) < 0)
			return r == -ENOENT ? COLLECTOR_NO_DATA : r;
		nt++;
	}
	for (size_t i = 0; i < nt; i++) {
		const struct tape *t = &tapes[i];
		if (regex_match(ignored_re, t->name)) {
			log_debug("Ignoring device", "device", t->name);
			continue;
		}
		/* node_exporter would report 0 for a counter the kernel does not provide; it is left out. */
		for (size_t k = 0; k < N_STATS; k++) {
			double v = (double)t->v[k];
			if (!t->has[k])
				continue;
			metric_add(metric_family(c->ms, &tape_stats[k].desc), tape_stats[k].ns ? v * 0.000000001 : v,
				   t->name);
		}
	}
	return 0;
}

static int tapestats_init(char *err, size_t err_size)
{
	if (!(ignored_re = regex_new(ignored_devices ? ignored_devices : "", err, err_size)))
		return -EINVAL;
	return 0;
}

static void tapestats_fini(void)
{
	regex_free(ignored_re);
	ignored_re = NULL;
}

COLLECTOR(tapestats, .default_on = true, .flags = tapestats_flags, .init = tapestats_init,
	  .fini = tapestats_fini);
