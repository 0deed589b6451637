/* The collector interface. One file per collector in collectors/, one row per collector in the table in
 * src/collectors.c. A collector describes its families as static const data (struct metric_desc), reads
 * files through fileio.h or the ctx_read helpers below, parses them with parse.h, and appends samples to
 * ctx->ms. It returns 0 or a negative errno and never exits. A failing collector shows up as
 * node_scrape_collector_success{collector=...} 0 with what it emitted before failing; it is retried on
 * the next scrape. */
#ifndef NODEX_COLLECTOR_H
#define NODEX_COLLECTOR_H

#include <stdarg.h>

#include "flags.h"
#include "log.h"
#include "metric.h"
#include "fileio.h"
#include "parse.h"
#include "regex.h"

/* Returned by a collector that found nothing to report (node_exporter's ErrNoData): success is 0 and the
 * scrape logs it at debug level only. */
#define COLLECTOR_NO_DATA (-ENODATA)

/* What a collector sees during one run. The buffers belong to the collector and keep their memory across
 * runs; the metric set is emptied before each run. */
struct collect_ctx {
	struct metric_set *ms;
	struct strbuf buf;  /* scratch for file contents */
	struct strbuf path; /* scratch for paths */
	char err[512];      /* message for the log when the run fails */
	char warn[512];     /* the first problem that did not fail the run (ctx_warn) */
	unsigned n_warn;    /* how many ctx_warn calls this run */
};

/* Builds a path under root into ctx->path and reads that file into ctx->buf. Returns the length or a
 * negative errno. The content is ctx->buf.p, valid until the next ctx_read. */
ssize_t ctx_read(struct collect_ctx *c, enum nodex_root root, const char *fmt, ...) PRINTF(3, 4);

/* Reads <root>/<fmt...> like ctx_read() and returns its content with the white space at both ends removed
 * (Go's strings.TrimSpace), copied into the run's arena. Returns NULL with the negative errno in *err. */
const char *ctx_read_trimmed(struct collect_ctx *c, int *err, enum nodex_root root, const char *fmt, ...)
	PRINTF(4, 5);

/* Builds a path under root into ctx->path and returns it (NULL when out of memory). */
const char *ctx_path(struct collect_ctx *c, enum nodex_root root, const char *fmt, ...) PRINTF(3, 4);

/* Records why the run failed and returns err, for `return ctx_fail(c, -EINVAL, "bad line %d", n);`. */
int ctx_fail(struct collect_ctx *c, int err, const char *fmt, ...) PRINTF(3, 4);

/* Records a problem in outside input that does not fail the run (a broken textfile: the collector still
 * succeeds and says so in a metric). The scrape loop logs the run's first problem at warn level, with
 * the collector's name and the count of the others, when it differs from the previous run's: a broken
 * file is reported when it breaks, not on every scrape. */
void ctx_warn(struct collect_ctx *c, const char *fmt, ...) PRINTF(2, 3);

/* How ctx_list_dir() takes a directory it cannot list. */
enum {
	/* As Go's filepath.Glob: any error (other than out of memory) lists nothing, and 0 is returned. */
	CTX_LIST_GLOB = 1 << 0,
	/* Permission denied (EACCES, EPERM) is no data too, as node_exporter's os.IsPermission checks. */
	CTX_LIST_NODATA_EACCES = 1 << 1,
	/* A path component that is not a directory (ENOTDIR) is no data too. */
	CTX_LIST_NODATA_ENOTDIR = 1 << 2,
};

/* Lists the directory <root>/<fmt...> for a collector that reports one thing per entry (a class
 * directory such as /sys/class/hwmon, a filesystem's /sys/fs/<type>): the names sorted as dir_list()
 * sorts them, in the run's arena, and *dir (when dir is not NULL) the directory's path, copied to the
 * arena since ctx->path is scratch. Returns the number of names; COLLECTOR_NO_DATA when the directory
 * does not exist (ENOENT: the hardware or filesystem is absent), with the path and the reason in
 * ctx->err for the debug log; or another negative errno for the collector to report in its own words.
 * flags: CTX_LIST_* above. *names and *dir are set only when a count (0 included) is returned; on an
 * error ctx->path still holds the path, for the collector's message. */
ssize_t ctx_list_dir(struct collect_ctx *c, unsigned flags, const char **dir, char ***names, enum nodex_root root,
		     const char *fmt, ...) PRINTF(6, 7);

enum {
	/* May block in the kernel (network filesystems, FUSE, FIFOs): runs on its own thread under the
	 * scrape's deadline, and is skipped while an earlier run is still stuck. */
	COLLECTOR_MAY_BLOCK = 1 << 0,
};

struct collector {
	const char *name;
	bool default_on;
	/* Options as flags (--collector.<name>.<option>), NULL-name terminated, or NULL. */
	struct flag *flags;
	/* Called once at start-up when enabled, after flags are parsed. Returns 0, or a negative errno with a
	 * message in err (a bad regex, mutually exclusive flags): nodex then refuses to start. So init checks
	 * options and reads nothing of the host: only a bad flag or configuration may stop the start. What
	 * node_exporter reads once at start-up (DMI, the isolated CPUs) is read by the first run that can; a
	 * failing read fails that run with its reason and is tried again on the next. May be NULL. */
	int (*init)(char *err, size_t err_size);
	int (*collect)(struct collect_ctx *ctx);
	/* Frees what init allocated. May be NULL. */
	void (*fini)(void);
	/* For a collector whose families come from outside input (textfile): nodex's own families win
	 * whatever a file says. Called on the scrape thread once every collector of the scrape has finished,
	 * with the sets of the others and nodex's own metrics (own[0..n_own)); it drops its families whose
	 * names those hold and reports each clash. Its set is rendered after all others. May be NULL. */
	void (*yield)(struct collect_ctx *ctx, struct metric_set *const *own, size_t n_own);
	unsigned opts;
	/* For a COLLECTOR_MAY_BLOCK collector: whether its next run may block, by its configuration (the
	 * textfile collector with no directory reads nothing). When false the run goes with the collectors
	 * that cannot block, sparing a hand-off to a runner thread and back. Called on the scrape thread with
	 * the configuration stable. NULL: it may. */
	bool (*may_block_now)(void);
};

/* Defines collectors/<name>.c's row of the table: collector_<name>, called "<name>", whose collect
 * function is <name>_collect, so the three names cannot drift apart. The other fields follow as
 * designated initializers, .default_on always among them:
 *   COLLECTOR(arp, .default_on = true, .flags = arp_flags, .init = arp_init, .fini = arp_fini); */
#define COLLECTOR(name_, ...) \
	const struct collector collector_##name_ = { .name = #name_, .collect = name_##_collect, __VA_ARGS__ }

/* The table, in name order. */
extern const struct collector *const collector_table[];
extern const size_t collector_count;

/* Whether the collector called name is enabled: the engine's answer once it has started (ask from a
 * collect, not from an init: --collector.disable-defaults is applied while the collectors initialize),
 * the table's default without an engine (unit tests). False for a name not in the table. */
bool collector_enabled(const char *name);

/* Questions one collector answers for another, so neither reads the other's flags. */

/* cpu.c: whether the cpu collector is enabled with its info option (--collector.cpu.info, or implied by
 * --collector.cpu.info.flags-include or bugs-include), and so exports node_cpu_frequency_hertz from
 * /proc/cpuinfo. Same timing as collector_enabled(). */
bool cpu_info_enabled(void);

#endif
