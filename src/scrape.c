/* The scrape engine (include/scrape.h).
 *
 * Threads: the scrape thread takes jobs from the queue, runs one collection per group of jobs for the
 * same selection, renders and compresses; runner threads run the collectors that may block (and, when a
 * root may block, the others too); HTTP threads submit jobs and get them back through job->done().
 *
 * Lock order. collect_mu is taken first: it is held for a whole collection and by a configuration reload
 * (scrape_pause() .. scrape_resume()). Under it, each of queue.mu, info_lock and run_mu may be taken, one
 * at a time: none of these three is ever held while another of them is taken. A collector runs with no
 * engine lock held by its own thread other than collect_mu (on the scrape thread; run_mu is released
 * around each run), so the locks collectors and the helpers under them take (the descriptor cache's, a
 * regex memo's, the netlink socket pool's, the filesystem collector's pool) come after collect_mu and
 * never nest inside queue.mu, info_lock or run_mu; none of them is held when an engine lock is taken.
 * job->done() is called with no engine lock held. */
#include <libdeflate.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <time.h>

#include "collector.h"
#include "exposition.h"
#include "fmt.h"
#include "netlink.h"
#include "process.h"
#include "scrape.h"

struct cstate {
	const struct collector *c;
	bool enabled;
	bool initialized;
	struct metric_set ms;
	struct collect_ctx ctx;

	/* The outcome of the last run, read by the landing page under info_lock. */
	bool ran;
	bool success;
	bool no_data;
	double duration;
	double last_run;
	char *last_error; /* malloc'd, NULL for none */

	/* True while a run goes on, also after the scrape gave up waiting for it (guarded by run_mu). */
	bool busy;
	int result;

	/* The problem the previous finished run reported with ctx_warn ("" for none): logged on change. */
	char *last_warn; /* malloc'd, NULL for none */
};

static struct cstate *states;
static struct flag *enable_flags;
static bool disable_defaults;
static struct scrape_config config;
static void (*exporter_hook)(struct metric_set *ms);
static pthread_mutex_t info_lock = PTHREAD_MUTEX_INITIALIZER;
/* Guards the runners, their batches and cstate.busy. */
static pthread_mutex_t run_mu = PTHREAD_MUTEX_INITIALIZER;
/* Held for a whole collection, and by a configuration reload, which changes what collectors read. */
static pthread_mutex_t collect_mu = PTHREAD_MUTEX_INITIALIZER;
/* Whether the collectors that cannot block run on the scrape thread (see "running collectors under a
 * deadline"); set at (re)initialization, when the roots may have changed. */
static bool inline_ok;

/* Scrape-thread state: the job queue and what one collection needs. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct scrape_job *head;
	bool stop;
	bool running;
	pthread_t thread;
} queue = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static struct metric_set self_set;
/* What the collectors that run on the scrape thread share. They run one after the other and their metric
 * sets live until the render that follows, so one arena (reset at the start of each collection, its
 * unused chunks freed at the end) and one pair of scratch buffers serve them all, instead of an arena and
 * two buffers per collector, each sized for that collector's largest run ever. Collectors on runners
 * keep their own: an abandoned one may still be writing after the collection ended. */
static struct {
	struct arena arena;
	struct strbuf buf, path;
} shared_mem;
static struct strbuf self_scratch;
static struct expo expo;
static struct strbuf rendered[EXPO_N_FORMATS]; /* the last collection in each format asked for */
static struct metric_set **render_sets;
static size_t n_render_sets;  /* sets of the last collection, valid until the next one (collect_mu) */
static unsigned render_errors; /* gathering errors of the last collection's first render */
static bool render_logged;     /* the last collection's gathering errors are logged (once per collection) */
/* One compressor, used only by the scrape thread (allocated at the first gzip answer). */
static struct libdeflate_compressor *gz_compressor;

static const struct metric_desc duration_desc =
	METRIC_DESC("node_scrape_collector_duration_seconds", "node_exporter: Duration of a collector scrape.",
		    METRIC_GAUGE, "collector");
static const struct metric_desc success_desc = METRIC_DESC(
	"node_scrape_collector_success", "node_exporter: Whether a collector succeeded.", METRIC_GAUGE, "collector");
static const struct metric_desc build_info_desc =
	METRIC_DESC("node_exporter_build_info",
		    "A metric with a constant '1' value labeled by version, revision, branch, goversion from which "
		    "node_exporter was built, and the goos and goarch for the build.",
		    METRIC_GAUGE, "branch", "goarch", "goos", "goversion", "revision", "tags", "version");

void scrape_set_exporter_hook(void (*fn)(struct metric_set *ms))
{
	exporter_hook = fn;
}

size_t scrape_flag_sets(struct flag **sets, size_t max)
{
	size_t n = 0;

	if (!states) {
		states = calloc(collector_count, sizeof(*states));
		enable_flags = calloc(collector_count + 2, sizeof(*enable_flags));
		if (!states || !enable_flags)
			return 0;
		for (size_t i = 0; i < collector_count; i++) {
			const struct collector *c = collector_table[i];
			char name[96], help[128];
			states[i].c = c;
			snprintf(name, sizeof(name), "collector.%s", c->name);
			snprintf(help, sizeof(help), "Enable the %s collector (default: %s).", c->name,
				 c->default_on ? "enabled" : "disabled");
			enable_flags[i] = (struct flag){ .name = strdup(name), .type = FLAG_BOOL,
							 .def = c->default_on ? "true" : "false",
							 .help = strdup(help), .target = &states[i].enabled };
		}
		enable_flags[collector_count] = (struct flag){
			.name = "collector.disable-defaults", .type = FLAG_BOOL, .def = "false",
			.help = "Set all collectors to disabled by default.", .target = &disable_defaults };
		flags_set_defaults(enable_flags);
		for (size_t i = 0; i < collector_count; i++)
			if (collector_table[i]->flags)
				flags_set_defaults(collector_table[i]->flags);
	}
	if (n < max)
		sets[n++] = enable_flags;
	for (size_t i = 0; i < collector_count && n < max; i++)
		if (collector_table[i]->flags)
			sets[n++] = collector_table[i]->flags;
	return n;
}

/* Runs init for every enabled collector and applies --collector.disable-defaults. On failure, the
 * collectors initialized so far are finalized again. */
static void collectors_fini(void);

static int collectors_init(char *err, size_t err_size)
{
	inline_ok = !paths_init();
	log_debug("collectors that cannot block run on", "thread", inline_ok ? "scrape" : "runner");
	for (size_t i = 0; i < collector_count; i++) {
		struct cstate *st = &states[i];
		if (disable_defaults && enable_flags[i].source == FLAG_SRC_DEFAULT)
			st->enabled = false;
		st->ctx.ms = &st->ms;
		if (!st->enabled)
			continue;
		if (st->c->init) {
			char msg[400] = "";
			int r = st->c->init(msg, sizeof(msg));
			if (r < 0) {
				snprintf(err, err_size, "collector %s: %s", st->c->name, msg[0] ? msg : strerror(-r));
				collectors_fini();
				return r;
			}
		}
		st->initialized = true;
	}
	return 0;
}

/* Finalizes every initialized collector that is not stuck in a run. */
static void collectors_fini(void)
{
	for (size_t i = 0; states && i < collector_count; i++) {
		struct cstate *st = &states[i];
		pthread_mutex_lock(&run_mu);
		bool busy = st->busy;
		pthread_mutex_unlock(&run_mu);
		if (st->initialized && !busy) {
			if (st->c->fini)
				st->c->fini();
			st->initialized = false;
		}
	}
}

int scrape_init(const struct scrape_config *cfg, char *err, size_t err_size)
{
	struct flag *sets[1];

	if (!states && scrape_flag_sets(sets, 1) == 0) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	if (collector_count > SCRAPE_MAX_COLLECTORS) {
		snprintf(err, err_size, "too many collectors");
		return -EINVAL;
	}
	config = *cfg;
	render_sets = calloc(collector_count + 1, sizeof(*render_sets));
	if (!render_sets) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	return collectors_init(err, err_size);
}

int scrape_pause(char *err, size_t err_size)
{
	pthread_mutex_lock(&collect_mu);
	pthread_mutex_lock(&run_mu);
	for (size_t i = 0; i < collector_count; i++) {
		if (states[i].busy) {
			snprintf(err, err_size, "collector %s is still blocked in a run", states[i].c->name);
			pthread_mutex_unlock(&run_mu);
			pthread_mutex_unlock(&collect_mu);
			return -EBUSY;
		}
	}
	pthread_mutex_unlock(&run_mu);
	return 0;
}

int scrape_reinit(const struct scrape_config *cfg, char *err, size_t err_size)
{
	collectors_fini();
	fdcache_close_all();
	nl_pool_close();
	config = *cfg;
	return collectors_init(err, err_size);
}

void scrape_resume(void)
{
	pthread_mutex_unlock(&collect_mu);
}

void scrape_fini(void)
{
	collectors_fini();
	for (size_t i = 0; states && i < collector_count; i++) {
		struct cstate *st = &states[i];
		/* A collector still stuck in a run keeps its buffers; everything else is released. */
		if (!st->busy) {
			metric_set_free(&st->ms);
			sb_free(&st->ctx.buf);
			sb_free(&st->ctx.path);
		}
	}
	metric_set_free(&self_set);
	arena_free(&shared_mem.arena);
	sb_free(&shared_mem.buf);
	sb_free(&shared_mem.path);
	sb_free(&self_scratch);
	for (int f = 0; f < EXPO_N_FORMATS; f++)
		sb_free(&rendered[f]);
	expo_free(&expo);
	libdeflate_free_compressor(gz_compressor);
	gz_compressor = NULL;
	fdcache_close_all();
	nl_pool_close();
}

int scrape_select(struct scrape_selection *sel, const char *const *collect, size_t n_collect,
		  const char *const *exclude, size_t n_exclude, char *err, size_t err_size)
{
	struct scrape_selection named = { 0 };
	bool any = false;

	memset(sel, 0, sizeof(*sel));
	if (n_collect && n_exclude) {
		snprintf(err, err_size, "Combined collect and exclude queries are not allowed.");
		return -EINVAL;
	}
	for (size_t j = 0; j < n_collect + n_exclude; j++) {
		const char *name = n_collect ? collect[j] : exclude[j];
		size_t i;
		for (i = 0; i < collector_count; i++)
			if (streq(collector_table[i]->name, name))
				break;
		if (n_exclude) {
			/* Excluding an unknown or disabled collector narrows nothing; node_exporter only warns. */
			if (i == collector_count || !states[i].enabled)
				log_warn("Ignoring unknown or disabled collector in exclude[]", "collector", name);
			else
				named.bits[i / 64] |= UINT64_C(1) << (i % 64);
			continue;
		}
		if (i == collector_count || !states[i].enabled) {
			snprintf(err, err_size, "Couldn't create filtered metrics handler: %s collector: %s",
				 i == collector_count ? "missing" : "disabled", name);
			return -EINVAL;
		}
		named.bits[i / 64] |= UINT64_C(1) << (i % 64);
	}
	for (size_t i = 0; i < collector_count; i++) {
		bool in = (named.bits[i / 64] >> (i % 64)) & 1;
		if (n_collect ? in : (states[i].enabled && !in)) {
			sel->bits[i / 64] |= UINT64_C(1) << (i % 64);
			any = true;
		}
	}
	if (n_exclude && !any) {
		snprintf(err, err_size, "All enabled collectors have been excluded.");
		return -EINVAL;
	}
	return 0;
}

static bool selected(const struct scrape_selection *sel, size_t i)
{
	return (sel->bits[i / 64] >> (i % 64)) & 1;
}


/* Runs one collector. With use_shared, its set and scratch buffers live in shared_mem for the run. */
static void run_collector(struct cstate *st, bool use_shared)
{
	metric_set_reset(&st->ms);
	if (use_shared) {
		/* Whatever the collector held from runs on a runner goes; the shared memory comes in. */
		arena_free(&st->ms.arena);
		sb_free(&st->ctx.buf);
		sb_free(&st->ctx.path);
		st->ms.arena = shared_mem.arena;
		st->ctx.buf = shared_mem.buf;
		st->ctx.path = shared_mem.path;
	}
	st->ctx.err[0] = '\0';
	st->ctx.warn[0] = '\0';
	st->ctx.n_warn = 0;
	st->result = st->c->collect(&st->ctx);
	if (st->result >= 0 && st->ms.error)
		st->result = st->ms.error;
	if (use_shared) {
		shared_mem.arena = st->ms.arena;
		shared_mem.buf = st->ctx.buf;
		shared_mem.path = st->ctx.path;
		st->ms.arena = (struct arena){ 0 };
		st->ctx.buf = (struct strbuf){ 0 };
		st->ctx.path = (struct strbuf){ 0 };
	} else {
		/* Memory this run did not need is given back, not kept for the largest run ever. */
		arena_trim(&st->ms.arena);
	}
}

/* ---- running collectors under a deadline ----
 *
 * A collector stuck in the kernel (a dead NFS server, a FUSE daemon that never answers) must not stop the
 * scrape from answering at its deadline. Collectors marked COLLECTOR_MAY_BLOCK each get a runner thread of
 * their own, so they cannot eat the others' time either. The other collectors read the kernel's own
 * filesystems (procfs, sysfs), netlink and system calls that return; they run one after the other on the
 * scrape thread itself, which saves two thread hand-offs per scrape, as long as the configured roots are
 * the kernel's procfs and sysfs and rootfs and udev are on local filesystems (paths_init()). When a
 * root is anything else (a fixture tree on FUSE, a root on NFS), they share one runner instead, as any
 * read there may block. At the deadline the scrape renders what finished: a collector still running on a
 * runner is abandoned (its runner finishes it later and the result is dropped), one not started is
 * skipped. An abandoned collector is skipped by later scrapes until its run returns. */

enum item_state {
	ITEM_PENDING,
	ITEM_RUNNING,
	ITEM_DONE,
	ITEM_ABANDONED,
	ITEM_SKIPPED,
};

struct batch {
	int refs; /* the scrape thread and the runner */
	size_t n;
	size_t next;
	struct cstate *items[SCRAPE_MAX_COLLECTORS];
	enum item_state state[SCRAPE_MAX_COLLECTORS];
	double started[SCRAPE_MAX_COLLECTORS];
	double duration[SCRAPE_MAX_COLLECTORS];
};

struct runner {
	pthread_t thread;
	pthread_cond_t cv;
	struct batch *batch;
	struct runner *next_idle;
};

#define MAX_RUNNERS 16

static pthread_cond_t run_done;
static bool run_done_ready;
static struct runner *idle_runners;
static size_t n_runners;

/* Called with run_mu held. */
static void batch_unref(struct batch *b)
{
	if (--b->refs == 0)
		free(b);
}

/* Runs the pending items of b one after the other, skipping those not started by the deadline
 * (CLOCK_MONOTONIC seconds), in shared memory when use_shared (on the scrape thread). Called with run_mu
 * held; releases it while a collector runs. */
static void batch_run(struct batch *b, double deadline, bool use_shared)
{
	while (b->next < b->n) {
		size_t i = b->next++;
		if (b->state[i] != ITEM_PENDING)
			continue;
		struct cstate *st = b->items[i];
		b->started[i] = now_monotonic();
		if (b->started[i] >= deadline) {
			b->state[i] = ITEM_SKIPPED;
			continue;
		}
		b->state[i] = ITEM_RUNNING;
		st->busy = true;
		pthread_mutex_unlock(&run_mu);
		run_collector(st, use_shared);
		double t1 = now_monotonic();
		pthread_mutex_lock(&run_mu);
		st->busy = false;
		if (b->state[i] == ITEM_RUNNING) {
			b->state[i] = ITEM_DONE;
			b->duration[i] = t1 - b->started[i];
		}
	}
}

static void *runner_main(void *arg)
{
	struct runner *r = arg;

	pthread_mutex_lock(&run_mu);
	for (;;) {
		while (!r->batch)
			pthread_cond_wait(&r->cv, &run_mu);
		struct batch *b = r->batch;
		/* The scrape thread marks what was not started by the deadline; a runner just works through. */
		batch_run(b, INFINITY, false);
		/* Wake the scrape thread once per batch, not per collector: each wake-up is a context switch,
		 * and with fifty collectors those cost more than some of the collectors themselves. */
		pthread_cond_broadcast(&run_done);
		r->batch = NULL;
		batch_unref(b);
		r->next_idle = idle_runners;
		idle_runners = r;
	}
	return NULL;
}

/* Hands b to an idle runner, starting one if needed. Called with run_mu held. Returns false when no
 * runner can be had (too many are stuck in abandoned collectors). */
static bool batch_start(struct batch *b)
{
	struct runner *r = idle_runners;

	if (r) {
		idle_runners = r->next_idle;
	} else {
		if (n_runners >= MAX_RUNNERS)
			return false;
		r = calloc(1, sizeof(*r));
		if (!r)
			return false;
		pthread_cond_init(&r->cv, NULL);
		if (pthread_create(&r->thread, NULL, runner_main, r) != 0) {
			free(r);
			return false;
		}
		pthread_detach(r->thread);
		n_runners++;
	}
	b->refs++;
	r->batch = b;
	pthread_cond_signal(&r->cv);
	return true;
}

static bool batch_settled(const struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->state[i] == ITEM_PENDING || b->state[i] == ITEM_RUNNING)
			return false;
	return true;
}

/* Runs the collectors listed in sts[0..n) under the deadline (CLOCK_MONOTONIC seconds). For each, sets
 * its result, its duration (dur[i]) and whether its set may be rendered (include[i]). */
static void run_collectors(struct cstate **sts, size_t n, double deadline, bool *include, double *dur)
{
	struct batch *batches[SCRAPE_MAX_COLLECTORS + 1];
	size_t n_batches = 0;
	struct batch *shared = NULL;

	if (!run_done_ready) {
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&run_done, &ca);
		pthread_condattr_destroy(&ca);
		run_done_ready = true;
	}
	pthread_mutex_lock(&run_mu);
	for (size_t i = 0; i < n; i++) {
		struct cstate *st = sts[i];
		include[i] = false;
		dur[i] = 0;
		if (st->busy) {
			st->result = -EBUSY;
			snprintf(st->ctx.err, sizeof(st->ctx.err), "an earlier run is still blocked; skipped");
			continue;
		}
		bool may_block = (st->c->opts & COLLECTOR_MAY_BLOCK) && (!st->c->may_block_now || st->c->may_block_now());
		struct batch *b = may_block ? NULL : shared;
		if (!b) {
			b = calloc(1, sizeof(*b));
			if (!b) {
				st->result = -ENOMEM;
				continue;
			}
			b->refs = 1;
			batches[n_batches++] = b;
			if (!may_block)
				shared = b;
		}
		b->items[b->n] = st;
		b->state[b->n] = ITEM_PENDING;
		b->n++;
	}
	/* The collectors that may block start first, on their runners; then the shared batch runs here when
	 * nothing it reads can block, or on a runner of its own otherwise. */
	for (size_t k = 0; k < n_batches; k++)
		if (!(batches[k] == shared && inline_ok) && !batch_start(batches[k]))
			for (size_t i = 0; i < batches[k]->n; i++)
				batches[k]->state[i] = ITEM_SKIPPED;
	if (shared && inline_ok)
		batch_run(shared, deadline, true);

	struct timespec ts = { .tv_sec = (time_t)deadline,
			       .tv_nsec = (long)((deadline - (double)(time_t)deadline) * 1e9) };
	for (;;) {
		bool settled = true;
		for (size_t k = 0; k < n_batches && settled; k++)
			settled = batch_settled(batches[k]);
		if (settled)
			break;
		if (pthread_cond_timedwait(&run_done, &run_mu, &ts) == ETIMEDOUT) {
			double now = now_monotonic();
			for (size_t k = 0; k < n_batches; k++) {
				struct batch *b = batches[k];
				for (size_t i = 0; i < b->n; i++) {
					struct cstate *st = b->items[i];
					if (b->state[i] == ITEM_RUNNING) {
						b->state[i] = ITEM_ABANDONED;
						b->duration[i] = now - b->started[i];
						snprintf(st->ctx.err, sizeof(st->ctx.err),
							 "did not finish before the scrape deadline; left running");
					} else if (b->state[i] == ITEM_PENDING) {
						b->state[i] = ITEM_SKIPPED;
					}
				}
			}
			break;
		}
	}
	/* Read the outcome under the lock: an abandoned collector's runner may still write its state. */
	for (size_t k = 0; k < n_batches; k++) {
		struct batch *b = batches[k];
		for (size_t i = 0; i < b->n; i++) {
			struct cstate *st = b->items[i];
			size_t idx = 0;
			while (sts[idx] != st)
				idx++;
			switch (b->state[i]) {
			case ITEM_DONE:
				include[idx] = true;
				dur[idx] = b->duration[i];
				break;
			case ITEM_ABANDONED:
				st->result = -ETIMEDOUT;
				dur[idx] = b->duration[i];
				break;
			default:
				st->result = -ETIMEDOUT;
				snprintf(st->ctx.err, sizeof(st->ctx.err),
					 "not started: the scrape deadline passed or no runner was free");
				break;
			}
		}
		batch_unref(b);
	}
	pthread_mutex_unlock(&run_mu);
}

/* The labels of node_exporter_build_info that are not fixed at build time, found once. */
static struct {
	pthread_once_t once;
	const char *goarch;
	char machine[sizeof(((struct utsname *)0)->machine)];
	char compiler[64];
} build = { .once = PTHREAD_ONCE_INIT };

static void build_info_init(void)
{
	struct utsname u;

	build.goarch = "unknown";
	if (uname(&u) == 0) {
		/* Go's names for the common machines, so dashboards grouping by goarch see the usual values. */
		if (streq(u.machine, "x86_64"))
			build.goarch = "amd64";
		else if (streq(u.machine, "aarch64"))
			build.goarch = "arm64";
		else if (startswith(u.machine, "arm"))
			build.goarch = "arm";
		else if (streq(u.machine, "i686") || streq(u.machine, "i386"))
			build.goarch = "386";
		else
			build.goarch = strcpy(build.machine, u.machine);
	}
#if defined(__clang__)
	snprintf(build.compiler, sizeof(build.compiler), "clang%d.%d.%d", __clang_major__, __clang_minor__,
		 __clang_patchlevel__);
#elif defined(__GNUC__)
	snprintf(build.compiler, sizeof(build.compiler), "gcc%d.%d.%d", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
	snprintf(build.compiler, sizeof(build.compiler), "unknown");
#endif
}

static void add_build_info(struct metric_set *ms)
{
	pthread_once(&build.once, build_info_init);
	metric_emit(ms, &build_info_desc, 1, NODEX_BRANCH, build.goarch, "linux", build.compiler, NODEX_REVISION, "",
		    NODEX_VERSION);
}

/* Why the last run did not succeed: its message, else the error's name. */
static const char *failure_reason(const struct cstate *st)
{
	return st->ctx.err[0] ? st->ctx.err : st->result == COLLECTOR_NO_DATA ? "no data" : strerror(-st->result);
}

static void log_failure(struct cstate *st)
{
	char dur[FMT_DOUBLE_MAX];
	const char *why = failure_reason(st);

	fmt_double(dur, st->duration);
	if (st->result == COLLECTOR_NO_DATA)
		log_debug("collector returned no data", "name", st->c->name, "duration_seconds", dur, "err", why);
	else
		log_error("collector failed", "name", st->c->name, "duration_seconds", dur, "err", why);
}

/* Sets *m to a copy of text (NULL or "" for none), keeping it when it is the same. The messages of the
 * last run live on the heap rather than in two 512-byte arrays per collector: with about 80 collectors
 * those arrays were 80 kB that every scrape dirtied, for messages most collectors never have. A failed
 * copy leaves none: the message is then taken as new at the next run. */
static void set_message(char **m, const char *text)
{
	if (!text || !*text) {
		free(*m);
		*m = NULL;
		return;
	}
	if (*m && streq(*m, text))
		return;
	free(*m);
	*m = strdup(text);
}

/* Logs the problems a finished, successful run reported with ctx_warn: at warn level when they differ
 * from the previous run's, otherwise at debug. */
static void log_warnings(struct cstate *st)
{
	const struct collect_ctx *c = &st->ctx;

	if (!c->n_warn) {
		set_message(&st->last_warn, NULL);
		return;
	}
	char more[16];
	snprintf(more, sizeof(more), "%u", c->n_warn - 1);
	bool changed = !st->last_warn || strcmp(st->last_warn, c->warn) != 0;
	/* A NULL key ends the pairs: "more_problems" only when there are. */
	log_kv(changed ? LOG_LEVEL_WARN : LOG_LEVEL_DEBUG, __FILE__, __LINE__, "collector reported a problem",
	       "name", st->c->name, "err", c->warn, c->n_warn > 1 ? "more_problems" : (const char *)0, more,
	       (const char *)0);
	if (changed)
		set_message(&st->last_warn, c->warn);
}

#define GATHER_ERRORS_LOGGED 10

/* Runs the selected collectors and makes the self metrics; their sets are rendered by render(). Called
 * with collect_mu held. */
static void collect(const struct scrape_selection *sel, double timeout)
{
	size_t n_sets = 0;
	double deadline;
	struct timespec now;
	struct family *fdur, *fok;

	if (timeout <= 0)
		timeout = config.collector_timeout;
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = (double)now.tv_sec + (double)now.tv_nsec / 1e9 + timeout;

	arena_reset(&shared_mem.arena);
	struct cstate *run[SCRAPE_MAX_COLLECTORS];
	bool include[SCRAPE_MAX_COLLECTORS];
	double dur[SCRAPE_MAX_COLLECTORS];
	size_t n_run = 0;
	for (size_t i = 0; i < collector_count; i++)
		if (states[i].enabled && selected(sel, i))
			run[n_run++] = &states[i];
	run_collectors(run, n_run, deadline, include, dur);
	/* The self metrics are made here too: they take the shared arena from the collectors. */
	metric_set_reset(&self_set);
	arena_free(&self_set.arena);
	self_set.arena = shared_mem.arena;
	fdur = metric_family(&self_set, &duration_desc);
	fok = metric_family(&self_set, &success_desc);
	double wall = now_realtime();
	/* nodex's own metrics first: where a family name clashes, the first set rendered wins. */
	render_sets[n_sets++] = &self_set;
	for (size_t i = 0; i < n_run; i++) {
		struct cstate *st = run[i];
		pthread_mutex_lock(&info_lock);
		st->duration = dur[i];
		st->success = st->result >= 0;
		st->no_data = st->result == COLLECTOR_NO_DATA;
		if (st->success || (st->no_data && !st->ctx.err[0]))
			set_message(&st->last_error, NULL);
		else
			set_message(&st->last_error, failure_reason(st));
		st->ran = true;
		st->last_run = wall;
		pthread_mutex_unlock(&info_lock);
		if (!st->success)
			log_failure(st);
		if (include[i] && !st->c->yield) {
			render_sets[n_sets++] = &st->ms;
			if (st->success)
				log_warnings(st);
		}
		metric_add(fdur, st->duration, st->c->name);
		metric_add(fok, st->success ? 1 : 0, st->c->name);
	}
	add_build_info(&self_set);
	if (config.exporter_metrics) {
		process_collect(&self_set, &self_scratch);
		if (exporter_hook)
			exporter_hook(&self_set);
	}
	/* Collectors of outside input (textfile) come last, after they dropped what clashes with the rest. */
	size_t n_own = n_sets;
	for (size_t i = 0; i < n_run; i++) {
		struct cstate *st = run[i];
		if (!include[i] || !st->c->yield)
			continue;
		st->c->yield(&st->ctx, render_sets, n_own);
		render_sets[n_sets++] = &st->ms;
		if (st->success)
			log_warnings(st);
	}
	fdcache_sweep();
	n_render_sets = n_sets;
	render_logged = false;
	if (self_set.error)
		log_error("self metrics incomplete", "err", strerror(-self_set.error));
}

/* Renders the last collection in format fmt into out. The first render of a collection logs its gathering
 * errors and counts them in render_errors; later ones in other formats find the same. Called with
 * collect_mu held. */
static int render(enum expo_format fmt, struct strbuf *out)
{
	sb_reset(out);
	int r = expo_render_as(&expo, out, render_sets, n_render_sets, fmt);
	if (render_logged)
		return r;
	render_logged = true;
	render_errors = expo.n_errors;
	if (expo.n_errors) {
		/* Each line names one dropped family or series, as client_golang's gathering errors do. At most
		 * GATHER_ERRORS_LOGGED of them: a file of a million duplicate lines must not log a million lines
		 * per scrape. */
		char *p = expo.errors.p, *line, more[24];
		unsigned n = 0;
		while (n < GATHER_ERRORS_LOGGED && (line = next_line(&p))) {
			log_error("error gathering metrics", "err", line);
			n++;
		}
		if (expo.n_errors > n) {
			snprintf(more, sizeof(more), "%u", expo.n_errors - n);
			log_error("more errors gathering metrics, not logged one by one", "count", more);
		}
	}
	return r;
}

/* After the last render of a collection: the self metrics give the shared arena back, and the arena its
 * chunks this collection did not reach. */
static void collection_done(void)
{
	shared_mem.arena = self_set.arena;
	self_set.arena = (struct arena){ 0 };
	arena_trim(&shared_mem.arena);
}

int scrape_once(const struct scrape_selection *sel, double timeout, struct strbuf *out)
{
	pthread_mutex_lock(&collect_mu);
	collect(sel, timeout);
	int r = render(EXPO_TEXT, out);
	collection_done();
	pthread_mutex_unlock(&collect_mu);
	return r;
}

/* ---- outputs ---- */

void scrape_output_unref(struct scrape_output *o)
{
	if (o && atomic_fetch_sub(&o->refs, 1) == 1)
		free(o);
}

static struct scrape_output *output_plain(enum expo_format f, const char *data, size_t len)
{
	struct scrape_output *o = malloc(sizeof(*o) + len + 1);

	if (!o)
		return NULL;
	atomic_init(&o->refs, 1);
	o->len = len;
	o->format = f;
	o->gzip = false;
	memcpy(o->data, data, len);
	o->data[len] = '\0';
	return o;
}

/* libdeflate's level 1 (measured on this host's default scrape, 57 kB of text: 10.3 kB in 77 us, against
 * zlib's level 1 at 11.0 kB in 124 us and its level 4, the first within 10% of client_golang's 9.5 kB,
 * in 336 us): a body within 10% of what Prometheus gets from node_exporter, for a quarter of zlib's
 * CPU at that size. libdeflate compresses a whole buffer at once, which is what a rendered scrape is,
 * and writes the gzip wrapper itself. */
#define GZIP_LEVEL 1

static struct scrape_output *output_gzip(enum expo_format f, const char *data, size_t len)
{
	struct scrape_output *o, *shrunk;

	if (!gz_compressor && !(gz_compressor = libdeflate_alloc_compressor(GZIP_LEVEL)))
		return NULL;
	size_t bound = libdeflate_gzip_compress_bound(gz_compressor, len);
	o = malloc(sizeof(*o) + bound);
	if (!o)
		return NULL;
	size_t out_len = libdeflate_gzip_compress(gz_compressor, data, len, o->data, bound);
	if (out_len == 0) { /* not reached: bound always fits */
		free(o);
		return NULL;
	}
	/* Give back the room the bound reserved; the output lives until the last receiver has sent it. */
	shrunk = realloc(o, sizeof(*o) + out_len);
	if (shrunk)
		o = shrunk;
	atomic_init(&o->refs, 1);
	o->len = out_len;
	o->format = f;
	o->gzip = true;
	return o;
}

/* The collection in progress, which a request for the same selection joins rather than wait for it and
 * then read every file again: two Prometheus replicas scraping "at the same moment" arrive a few
 * milliseconds apart, when the first one's collection has already begun. Joining never answers later than
 * waiting would (collections run one at a time), whatever the request's own timeout. Guarded by queue.mu. */
static struct {
	bool open;
	struct scrape_selection sel;
	struct scrape_job *joined;
} current;

/* When the collection in progress started (monotonic seconds), 0 when none runs; guarded by info_lock. */
static double collect_started;

bool scrape_healthy(void)
{
	pthread_mutex_lock(&info_lock);
	double started = collect_started;
	pthread_mutex_unlock(&info_lock);
	/* Collections end at their deadline; one running a minute past it means the scrape thread is wedged. */
	return started == 0 || now_monotonic() - started < config.collector_timeout + 60;
}

/* Renders the formats the jobs of list ask for that are not rendered yet: res[f] is 1 until format f is
 * rendered, then render()'s result. Called with collect_mu held. */
static void render_wanted(const struct scrape_job *list, int res[EXPO_N_FORMATS])
{
	for (const struct scrape_job *j = list; j; j = j->next)
		if (res[j->format] > 0)
			res[j->format] = render(j->format, &rendered[j->format]);
}

static void run_group(struct scrape_job *group)
{
	double timeout = 0;
	struct scrape_output *outs[EXPO_N_FORMATS][2] = { { NULL } };
	int res[EXPO_N_FORMATS];
	struct scrape_job **tail = &group;

	for (struct scrape_job *j = group; j; j = j->next)
		if (j->timeout > 0 && (timeout <= 0 || j->timeout < timeout))
			timeout = j->timeout;
	pthread_mutex_lock(&collect_mu);
	pthread_mutex_lock(&info_lock);
	collect_started = now_monotonic();
	pthread_mutex_unlock(&info_lock);
	/* From here until the output is handed out, a request for the same selection joins this collection. */
	pthread_mutex_lock(&queue.mu);
	current.open = true;
	current.sel = group->sel;
	current.joined = NULL;
	pthread_mutex_unlock(&queue.mu);
	collect(&group->sel, timeout);
	for (int f = 0; f < EXPO_N_FORMATS; f++)
		res[f] = 1;
	render_wanted(group, res);
	pthread_mutex_lock(&queue.mu);
	current.open = false;
	while (*tail)
		tail = &(*tail)->next;
	*tail = current.joined;
	current.joined = NULL;
	pthread_mutex_unlock(&queue.mu);
	/* Requests that joined may want another format; the sets are still those of this collection. */
	render_wanted(*tail, res);
	/* Everything is rendered: the sets' memory can go back before the next collection. */
	collection_done();
	pthread_mutex_lock(&info_lock);
	collect_started = 0;
	pthread_mutex_unlock(&info_lock);
	pthread_mutex_unlock(&collect_mu);

	/* Each encoding of each format is made once, for the jobs that ask for it. rendered[] belongs to this
	 * thread, so this needs no lock. */
	for (struct scrape_job *j = group, *next; j; j = next) {
		next = j->next;
		j->out = NULL;
		j->result = SCRAPE_FAILED;
		j->gather_errors = render_errors;
		if (res[j->format] == 0) {
			const struct strbuf *b = &rendered[j->format];
			struct scrape_output **slot = &outs[j->format][j->gzip];
			if (!*slot)
				*slot = j->gzip ? output_gzip(j->format, b->p, b->len) : output_plain(j->format, b->p, b->len);
			if (*slot) {
				atomic_fetch_add(&(*slot)->refs, 1);
				j->out = *slot;
				j->result = SCRAPE_OK;
			}
		}
		j->done(j);
	}
	for (int f = 0; f < EXPO_N_FORMATS; f++) {
		scrape_output_unref(outs[f][0]);
		scrape_output_unref(outs[f][1]);
	}
}

static void *scrape_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&queue.mu);
	for (;;) {
		while (!queue.head && !queue.stop)
			pthread_cond_wait(&queue.cv, &queue.mu);
		if (queue.stop && !queue.head)
			break;
		struct scrape_job *list = queue.head;
		queue.head = NULL;
		pthread_mutex_unlock(&queue.mu);
		/* Jobs that wait together for the same selection share one collection. */
		while (list) {
			struct scrape_job *group = NULL, **gtail = &group, *rest = NULL, **rtail = &rest;
			struct scrape_selection sel = list->sel;
			for (struct scrape_job *j = list, *next; j; j = next) {
				next = j->next;
				j->next = NULL;
				if (memcmp(&j->sel, &sel, sizeof(sel)) == 0) {
					*gtail = j;
					gtail = &j->next;
				} else {
					*rtail = j;
					rtail = &j->next;
				}
			}
			run_group(group);
			list = rest;
		}
		pthread_mutex_lock(&queue.mu);
	}
	pthread_mutex_unlock(&queue.mu);
	return NULL;
}

void scrape_submit(struct scrape_job *job)
{
	pthread_mutex_lock(&queue.mu);
	if (queue.stop || !queue.running) {
		/* Shutting down: answer at once, so no request is left waiting for a thread that is gone. */
		pthread_mutex_unlock(&queue.mu);
		job->result = SCRAPE_STOPPING;
		job->out = NULL;
		job->gather_errors = 0;
		job->done(job);
		return;
	}
	if (current.open && memcmp(&current.sel, &job->sel, sizeof(job->sel)) == 0) {
		job->next = current.joined;
		current.joined = job;
		pthread_mutex_unlock(&queue.mu);
		return;
	}
	/* Arrival order is kept so groups are served oldest first. */
	struct scrape_job **t = &queue.head;
	while (*t)
		t = &(*t)->next;
	job->next = NULL;
	*t = job;
	pthread_cond_signal(&queue.cv);
	pthread_mutex_unlock(&queue.mu);
}

int scrape_start(void)
{
	queue.stop = false;
	if (pthread_create(&queue.thread, NULL, scrape_thread, NULL) != 0)
		return -EAGAIN;
	queue.running = true;
	return 0;
}

void scrape_stop(void)
{
	if (!queue.running)
		return;
	pthread_mutex_lock(&queue.mu);
	queue.stop = true;
	pthread_cond_signal(&queue.cv);
	pthread_mutex_unlock(&queue.mu);
	pthread_join(queue.thread, NULL);
	queue.running = false;
}

bool scrape_collector_info(size_t i, struct collector_info *info)
{
	if (i >= collector_count || !states)
		return false;
	pthread_mutex_lock(&info_lock);
	*info = (struct collector_info){
		.name = states[i].c->name,
		.enabled = states[i].enabled,
		.ran = states[i].ran,
		.success = states[i].success,
		.no_data = states[i].no_data,
		.duration = states[i].duration,
		.last_run = states[i].last_run,
	};
	snprintf(info->error, sizeof(info->error), "%s", states[i].last_error ? states[i].last_error : "");
	pthread_mutex_unlock(&info_lock);
	return true;
}
