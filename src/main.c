/* nodex: a Prometheus node exporter. main parses the flags and the configuration file, starts the scrape
 * thread and the listeners, then waits for signals: SIGHUP reloads the configuration, SIGTERM/SIGINT stop.
 * Under systemd it reports READY=1, STATUS=, STOPPING=1 and pets the watchdog. */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "nodex.h"
#include "fileio.h"
#include "scrape.h"
#include "webconfig.h"

static struct http_config http_cfg;
static const char *log_level_s, *log_format_s, *config_file;
static bool disable_exporter_metrics, check_config;
static long gomaxprocs;
static double scrape_timeout;
static const char *web_config_file;

static struct flag main_flags[] = {
	{ "web.listen-address", FLAG_STRINGS, ":9100",
	  "Addresses on which to expose metrics and web interface. Repeatable for multiple addresses.",
	  &http_cfg.listen },
	{ "web.systemd-socket", FLAG_BOOL, "false",
	  "Use systemd socket activation listeners instead of port listeners (Linux only).",
	  &http_cfg.systemd_socket },
	{ "web.config.file", FLAG_STRING, NULL,
	  "Path to configuration file that can enable TLS or authentication. See: "
	  "https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md",
	  &web_config_file },
	{ "web.telemetry-path", FLAG_STRING, "/metrics", "Path under which to expose metrics.",
	  &http_cfg.telemetry_path },
	{ "web.disable-exporter-metrics", FLAG_BOOL, "false",
	  "Exclude metrics about the exporter itself (promhttp_*, process_*, go_*).", &disable_exporter_metrics },
	{ "web.max-requests", FLAG_INT, "40",
	  "Maximum number of parallel scrape requests. Use 0 to disable.", &http_cfg.max_requests },
	{ "web.connection-timeout", FLAG_DURATION, "60s",
	  "Close a connection whose request line and headers have not all arrived this long after it opened or "
	  "after its previous response, however slowly bytes trickle in, or that stalls this long while a "
	  "response is sent. 0 disables (nodex).",
	  &http_cfg.connection_timeout },
	{ "web.max-connections", FLAG_INT, "1024",
	  "Open connections at most, per listen address. One more closes the connection that has waited longest "
	  "for a request, so idle or slow clients cannot lock a scraper out. Lowered to fit the open file limit "
	  "(nodex).",
	  &http_cfg.connection_limit },
	{ "web.max-request-bytes", FLAG_INT, "32768",
	  "Bytes a request line and its headers may take, per connection (more is answered 414 or 431), and the "
	  "largest request body read (more is answered 413 or closed) (nodex).",
	  &http_cfg.request_memory_limit },
	{ "scrape.timeout", FLAG_DURATION, "10s",
	  "Deadline for the collectors, when the scraper sends no X-Prometheus-Scrape-Timeout-Seconds header "
	  "(nodex).",
	  &scrape_timeout },
	{ "path.procfs", FLAG_STRING, "/proc", "procfs mountpoint.", &nodex_paths.procfs },
	{ "path.sysfs", FLAG_STRING, "/sys", "sysfs mountpoint.", &nodex_paths.sysfs },
	{ "path.rootfs", FLAG_STRING, "/", "rootfs mountpoint.", &nodex_paths.rootfs },
	{ "path.udev.data", FLAG_STRING, "/run/udev/data", "udev data path.", &nodex_paths.udev },
	{ "runtime.gomaxprocs", FLAG_INT, "1",
	  "Accepted for compatibility with node_exporter; nodex has no Go runtime.", &gomaxprocs },
	{ "log.level", FLAG_STRING, "info",
	  "Only log messages with the given severity or above. One of: [debug, info, warn, error]", &log_level_s },
	{ "log.format", FLAG_STRING, "logfmt", "Output format of log messages. One of: [logfmt, json]",
	  &log_format_s },
	{ "config.file", FLAG_STRING, "",
	  "YAML file whose keys mirror these flags (web.listen-address, collector.cpu.info, ...); flags win. "
	  "Reloaded on SIGHUP (nodex).",
	  &config_file },
	{ "check-config", FLAG_BOOL, "false",
	  "Check the flags and the configuration file, print the result and exit (nodex).", &check_config },
	{ NULL },
};

static struct flag *sets[SCRAPE_MAX_COLLECTORS + 2];
static size_t n_sets;
static int saved_argc;
static char **saved_argv;
/* The configuration file in force (its text, kept to restore it when a reload fails) and the arena its
 * strings live in, as long as flags point into them. */
static struct strbuf config_text;
static struct arena config_arena;

static void print_version(void)
{
	printf("nodex, version %s (branch: %s, revision: %s)\n", NODEX_VERSION, NODEX_BRANCH, NODEX_REVISION);
	printf("  build date:       %s\n", __DATE__ " " __TIME__);
	printf("  compiler:         %s\n", __VERSION__);
	printf("  platform:         linux\n");
}

/* Go raises the soft descriptor limit to the hard one at start; node_exporter users rely on that. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Sets every flag from its default, the command line and the configuration file (in that order of
 * precedence, lowest first). The file's content comes from text when it holds any, otherwise it is read
 * into text. Returns 0, 1 for --help/--version (already printed), or a negative errno with err set. */
static int load_flags(struct strbuf *text, struct arena *a, char *err, size_t err_size)
{
	bool help, version;
	int r;

	for (size_t i = 0; i < n_sets; i++)
		if (flags_set_defaults(sets[i]) < 0) {
			snprintf(err, err_size, "internal error: a flag default does not parse");
			return -EINVAL;
		}
	r = flags_parse(saved_argc, saved_argv, sets, n_sets, &help, &version, err, err_size);
	if (r < 0)
		return r;
	if (help) {
		flags_usage(stdout, "nodex", sets, n_sets);
		return 1;
	}
	if (version) {
		print_version();
		return 1;
	}
	if (config_file && *config_file) {
		/* The file may not name another file. */
		const char *file = config_file;
		if (!text->len) {
			ssize_t n = file_read(file, text);
			if (n < 0) {
				snprintf(err, err_size, "%s: %s", file, strerror((int)-n));
				return (int)n;
			}
		}
		r = config_apply_buffer(text->p, text->len, file, sets, n_sets, a, err, err_size);
		if (r < 0)
			return r;
		if (config_file != file) {
			snprintf(err, err_size, "%s: config.file cannot be set from the configuration file", file);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_values(enum log_level *level, enum log_format *format, char *err, size_t err_size)
{
	if (log_parse_level(log_level_s, level) < 0) {
		snprintf(err, err_size, "unrecognized log level \"%s\"", log_level_s);
		return -EINVAL;
	}
	if (log_parse_format(log_format_s, format) < 0) {
		snprintf(err, err_size, "unrecognized log format \"%s\"", log_format_s);
		return -EINVAL;
	}
	if (http_cfg.telemetry_path[0] != '/') {
		snprintf(err, err_size, "--web.telemetry-path must start with /");
		return -EINVAL;
	}
	return 0;
}

static struct scrape_config scrape_cfg(void)
{
	return (struct scrape_config){
		.exporter_metrics = !disable_exporter_metrics,
		.collector_timeout = scrape_timeout > 0 ? scrape_timeout : 10,
	};
}

/* SIGHUP: read the configuration file again. A broken file is logged and the old configuration stays. */
static void reload(void)
{
	char err[1024];
	struct arena fresh = { 0 };
	struct strbuf fresh_text = { 0 };
	enum log_level level;
	enum log_format format;
	struct scrape_config sc;

	if (!config_file || !*config_file) {
		log_info("SIGHUP received; no --config.file to reload");
		return;
	}
	if (scrape_pause(err, sizeof(err)) < 0) {
		log_warn("Configuration reload postponed", "err", err);
		return;
	}
	int r = load_flags(&fresh_text, &fresh, err, sizeof(err));
	if (r == 0)
		r = check_values(&level, &format, err, sizeof(err));
	if (r == 0) {
		sc = scrape_cfg();
		r = scrape_reinit(&sc, err, sizeof(err));
	}
	if (r == 0) {
		arena_free(&config_arena);
		sb_free(&config_text);
		config_arena = fresh;
		config_text = fresh_text;
		log_setup(level, format);
		log_info("Configuration reloaded", "file", config_file);
	} else {
		log_error("Configuration reload failed; keeping the previous configuration", "err", err);
		arena_free(&fresh);
		sb_free(&fresh_text);
		/* Put the previous values back from the text in force; its strings are in config_arena. */
		struct arena again = { 0 };
		if (load_flags(&config_text, &again, err, sizeof(err)) < 0)
			log_error("Restoring the previous configuration failed", "err", err);
		arena_free(&config_arena);
		config_arena = again;
		sc = scrape_cfg();
		if (scrape_reinit(&sc, err, sizeof(err)) < 0)
			log_error("Collectors could not be set up again", "err", err);
	}
	scrape_resume();
}

int main(int argc, char **argv)
{
	char err[1024];
	enum log_level level;
	enum log_format format;
	sigset_t sigs;
	int r, sig;

#ifdef M_ARENA_MAX
	/* One malloc arena for every thread: glibc gives each new thread's allocations an arena of their own,
	 * each with its own slack and free lists, for a daemon whose threads allocate little and rarely at
	 * the same time (55 kB less private memory after 50 scrapes). */
	mallopt(M_ARENA_MAX, 1);
#endif
	saved_argc = argc;
	saved_argv = argv;
	sets[n_sets++] = main_flags;
	n_sets += scrape_flag_sets(sets + n_sets, ARRAY_SIZE(sets) - n_sets);

	r = load_flags(&config_text, &config_arena, err, sizeof(err));
	if (r == 1)
		return 0;
	if (r < 0) {
		fprintf(stderr, "nodex: error: %s\n", err);
		return 2;
	}
	if (check_values(&level, &format, err, sizeof(err)) < 0) {
		fprintf(stderr, "nodex: error: %s\n", err);
		return 2;
	}
	log_setup(level, format);
	raise_nofile();

	struct scrape_config scfg = scrape_cfg();
	if (check_config) {
		r = webconfig_init(web_config_file, err, sizeof(err));
		webconfig_fini();
		if (r >= 0)
			r = scrape_init(&scfg, err, sizeof(err));
		scrape_fini();
		if (r < 0) {
			fprintf(stderr, "nodex: configuration is invalid: %s\n", err);
			return 1;
		}
		printf("nodex: configuration is valid%s%s\n", config_file && *config_file ? ": " : "",
		       config_file && *config_file ? config_file : "");
		return 0;
	}

	log_info("Starting nodex", "version", NODEX_VERSION, "revision", NODEX_REVISION);
	if (webconfig_init(web_config_file, err, sizeof(err)) < 0) {
		log_error("Unable to load the web configuration", "err", err);
		return 1;
	}
	if (scrape_init(&scfg, err, sizeof(err)) < 0) {
		log_error("Couldn't create collectors", "err", err);
		return 1;
	}
	{
		struct collector_info ci;
		log_info("Enabled collectors");
		for (size_t i = 0; scrape_collector_info(i, &ci); i++)
			if (ci.enabled)
				log_info(ci.name);
	}

	/* Threads inherit this mask, so only the sigwait below receives these signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (scrape_start() < 0) {
		log_error("cannot start the scrape thread");
		return 1;
	}
	http_cfg.exporter_metrics = !disable_exporter_metrics;
	if (http_start(&http_cfg, err, sizeof(err)) < 0) {
		log_error("Error starting HTTP server", "err", err);
		scrape_stop();
		return 1;
	}
	uint64_t wd_usec = 0;
	bool watchdog = sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0;
	sd_notifyf(0, "READY=1\nSTATUS=Serving metrics on %s", http_cfg.listen.n ? http_cfg.listen.v[0] : "systemd sockets");

	for (;;) {
		if (watchdog) {
			/* Pet the watchdog at half its interval, only while collections are not stuck. */
			struct timespec ts = { .tv_sec = (time_t)(wd_usec / 2000000),
					       .tv_nsec = (long)((wd_usec / 2) % 1000000) * 1000 };
			sig = sigtimedwait(&sigs, NULL, &ts);
			if (sig < 0) {
				if (scrape_healthy())
					sd_notify(0, "WATCHDOG=1");
				else
					log_error("A collection has been running far past its deadline; not petting the "
						  "watchdog");
				continue;
			}
		} else if (sigwait(&sigs, &sig) != 0) {
			continue;
		}
		if (sig == SIGHUP) {
			sd_notify(0, "RELOADING=1\nSTATUS=Reloading configuration");
			reload();
			webconfig_reload();
			sd_notify(0, "READY=1\nSTATUS=Serving metrics");
			continue;
		}
		break;
	}
	log_info("Shutting down", "signal", strsignal(sig));
	sd_notify(0, "STOPPING=1\nSTATUS=Shutting down");
	http_quiesce();
	scrape_stop();
	http_stop();
	scrape_fini();
	arena_free(&config_arena);
	sb_free(&config_text);
	return 0;
}
