/* nodex: a Prometheus node exporter. main parses the flags, starts the scrape thread and the listeners,
 * then waits for signals. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>

#include "http.h"
#include "log.h"
#include "memtrim.h"
#include "nodex.h"
#include "procfs.h"
#include "scrape.h"
#include "webconfig.h"

static struct http_config http_cfg;
static const char *log_level_s, *log_format_s;
static bool disable_exporter_metrics;
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
	  "Close a connection that sent nothing for this long (nodex).", &http_cfg.connection_timeout },
	{ "web.max-connections", FLAG_INT, "1024", "Open connections at most, per listen address (nodex).",
	  &http_cfg.connection_limit },
	{ "scrape.timeout", FLAG_DURATION, "10s",
	  "Deadline for collectors that may block, when the scraper sends no "
	  "X-Prometheus-Scrape-Timeout-Seconds header (nodex).",
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
	{ NULL },
};

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

int main(int argc, char **argv)
{
	struct flag *sets[SCRAPE_MAX_COLLECTORS + 2];
	size_t n_sets = 0;
	bool help, version;
	char err[1024];
	enum log_level level;
	enum log_format format;
	sigset_t sigs;
	int r, sig;

	if (flags_set_defaults(main_flags) < 0) {
		fprintf(stderr, "nodex: internal error: bad flag default\n");
		return 1;
	}
	sets[n_sets++] = main_flags;
	n_sets += scrape_flag_sets(sets + n_sets, ARRAY_SIZE(sets) - n_sets);

	r = flags_parse(argc, argv, sets, n_sets, &help, &version, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "nodex: error: %s\n", err);
		return 2;
	}
	if (help) {
		flags_usage(stdout, "nodex", sets, n_sets);
		return 0;
	}
	if (version) {
		print_version();
		return 0;
	}
	if (log_parse_level(log_level_s, &level) < 0) {
		fprintf(stderr, "nodex: error: unrecognized log level \"%s\"\n", log_level_s);
		return 2;
	}
	if (log_parse_format(log_format_s, &format) < 0) {
		fprintf(stderr, "nodex: error: unrecognized log format \"%s\"\n", log_format_s);
		return 2;
	}
	if (http_cfg.telemetry_path[0] != '/') {
		fprintf(stderr, "nodex: error: --web.telemetry-path must start with /\n");
		return 2;
	}
	log_setup(level, format);
	raise_nofile();

	log_info("Starting nodex", "version", NODEX_VERSION, "revision", NODEX_REVISION);
	if (webconfig_init(web_config_file, err, sizeof(err)) < 0) {
		log_error("Unable to load the web configuration", "err", err);
		return 1;
	}
	struct scrape_config scfg = {
		.exporter_metrics = !disable_exporter_metrics,
		.collector_timeout = scrape_timeout > 0 ? scrape_timeout : 10,
	};
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
	/* Everything that runs only at start-up has run: let its library pages leave the resident set. */
	long trimmed = memtrim_file_mappings();
	if (trimmed > 0) {
		char kb[32];
		snprintf(kb, sizeof(kb), "%ld", trimmed);
		log_debug("dropped start-up pages of shared libraries", "kB", kb);
	}
	sd_notify(0, "READY=1\nSTATUS=serving metrics");

	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("SIGHUP received; reloading the web configuration");
			webconfig_reload();
			continue;
		}
		break;
	}
	log_info("Shutting down", "signal", strsignal(sig));
	sd_notify(0, "STOPPING=1");
	scrape_stop();
	http_stop();
	scrape_fini();
	return 0;
}
