/* The scrape engine: runs the enabled collectors, renders what they produced, compresses it, and hands
 * the bytes to whoever asked. It knows collectors and the registry; it does not know HTTP. Requests come
 * in as jobs; jobs that are waiting at the same time for the same collector selection share one
 * collection, and so does a job that arrives while a collection for its selection is running, so two
 * Prometheus replicas scraping at once cost one read of the kernel's files. */
#ifndef NODEX_SCRAPE_H
#define NODEX_SCRAPE_H

#include <stdatomic.h>

#include "arena.h"
#include "exposition.h"
#include "flags.h"
#include "metric.h"

#define SCRAPE_MAX_COLLECTORS 128

struct scrape_selection {
	uint64_t bits[SCRAPE_MAX_COLLECTORS / 64];
};

/* How a job ended. */
enum scrape_result {
	SCRAPE_OK,       /* out holds the rendered scrape */
	SCRAPE_FAILED,   /* rendering or compressing failed (out of memory) */
	SCRAPE_STOPPING, /* nodex is shutting down; nothing was collected */
};

/* The bytes of one rendered scrape, shared by every job that asked for them. */
struct scrape_output {
	atomic_int refs;
	size_t len;
	enum expo_format format;
	bool gzip;
	char data[];
};

/* Drops one reference; frees the output with the last one. */
void scrape_output_unref(struct scrape_output *o);

struct scrape_job {
	struct scrape_job *next;
	struct scrape_selection sel;
	enum expo_format format;
	bool gzip;
	double timeout; /* seconds the scraper will wait (0: the configured default) */
	/* Called on the scrape thread once result and out are set. */
	void (*done)(struct scrape_job *job);
	void *cls;
	enum scrape_result result;
	unsigned gather_errors;    /* families or series dropped while rendering */
	struct scrape_output *out; /* one reference, owned by the job's receiver; NULL unless SCRAPE_OK */
};

struct scrape_config {
	bool exporter_metrics;    /* process_* and the hook's metrics (promhttp_*) */
	double collector_timeout; /* deadline for collectors that may block, in seconds */
};

/* Flag arrays for the collectors: the enable flags with --collector.disable-defaults, then each
 * collector's options. Returns the number of arrays written to sets (at most max). */
size_t scrape_flag_sets(struct flag **sets, size_t max);

/* After flag parsing: applies --collector.disable-defaults and runs each enabled collector's init.
 * Returns 0, or a negative errno with a message in err. */
int scrape_init(const struct scrape_config *cfg, char *err, size_t err_size);

/* A configuration reload: scrape_pause() waits for the collection in progress and holds further ones
 * (-EBUSY with a message when a collector is stuck in a run, since its options cannot be changed under
 * it); then the caller changes the flags, scrape_reinit() finalizes the collectors and initializes the
 * enabled ones again (an error leaves every collector finalized: re-apply the old flags and call it
 * again), and scrape_resume() lets collections go on. */
int scrape_pause(char *err, size_t err_size);
int scrape_reinit(const struct scrape_config *cfg, char *err, size_t err_size);
void scrape_resume(void);

/* False when a collection has run far past its deadline (the watchdog stops being petted). */
bool scrape_healthy(void);

/* Starts and stops the scrape thread. */
int scrape_start(void);
void scrape_stop(void);
/* Calls every enabled collector's fini. */
void scrape_fini(void);

/* Builds a selection from collect[] / exclude[] names, with node_exporter's answers: both at once is an
 * error, so is an unknown or disabled name in collect[] ("...: missing collector: X", "...: disabled
 * collector: X"); such names in exclude[] are ignored with a warning, and excluding everything is an
 * error. No names selects every enabled collector. Returns 0, or -EINVAL with the full text of the 400
 * answer in err. */
int scrape_select(struct scrape_selection *sel, const char *const *collect, size_t n_collect,
		  const char *const *exclude, size_t n_exclude, char *err, size_t err_size);

/* Queues a job for the scrape thread, or adds it to the collection in progress when that one is for the
 * same selection; job->done is called once for each job either way. Once scrape_stop() has begun, the job
 * is done at once with SCRAPE_STOPPING (done() runs on the calling thread). */
void scrape_submit(struct scrape_job *job);

/* Runs one collection on the calling thread and renders it as text into out (tests, --check). Must not
 * run while the scrape thread runs. Returns 0 or a negative errno. */
int scrape_once(const struct scrape_selection *sel, double timeout, struct strbuf *out);

/* Adds exporter metrics owned by another module (the HTTP handler's request counters). */
void scrape_set_exporter_hook(void (*fn)(struct metric_set *ms));

struct collector_info {
	const char *name;
	bool enabled;
	bool ran;         /* has run at least once */
	bool success;
	bool no_data;     /* not success: the last run found nothing to report (the hardware is absent) */
	double duration;  /* seconds, last run */
	double last_run;  /* wall clock of the last run */
	char error[512];  /* why the last run did not succeed ("" after a success) */
};

/* Copies the state of collector i (for the landing page). Returns false past the end of the table. */
bool scrape_collector_info(size_t i, struct collector_info *info);

#endif
