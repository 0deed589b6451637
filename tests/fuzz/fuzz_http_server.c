/* libFuzzer target for the HTTP handler end to end: each input is the raw bytes a client sends on one
 * connection, to a real nodex HTTP server (http_start: nodex's own server on 127.0.0.1, an ephemeral port)
 * with basic auth on (user alice, password secret, a bcrypt hash of cost 4 so a wrong password costs
 * little), an extra response header from the web configuration, and the scrape thread running the loadavg
 * and meminfo collectors on a small fixture tree. What is fuzzed is the server's request parser
 * (src/http_parse.c, src/http_conn.c: heads, bodies, pipelining) and the handler behind it: the method and path dispatch, web_gate (basic auth: auth_begin, the bcrypt
 * worker, suspend and resume), collect[] / exclude[], Accept-Encoding and the scrape-timeout header.
 *
 * After the input, the target sends a last request with "Connection: close" (preceded by an empty line,
 * which also ends a request the input left unfinished), so that the server closes the connection once it
 * has answered everything without waiting for its idle timeout (1 s here).
 *
 * Invariants: the server answers and closes every connection within 10 s (a suspended request that is
 * never resumed would hang here), and a 200 text/plain scrape body is valid exposition. Seeds: tests/fuzz/corpus/http_server, keywords: tests/fuzz/dict/http.dict. */
#include <arpa/inet.h>
#include <crypt.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "fuzz_common.h"
#include "http.h"
#include "log.h"
#include "fileio.h"
#include "scrape.h"
#include "webconfig.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256], proc_dir[300], sys_dir[300], udev_dir[300];
static struct sockaddr_in server;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void write_file(const char *name, const char *text)
{
	char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		abort();
	fputs(text, f);
	fclose(f);
}

static void shutdown_server(void)
{
	scrape_stop();
	http_stop();
	scrape_fini();
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* The listening socket http_start opened: the one AF_INET socket of ours that accepts. */
static bool find_listener(void)
{
	for (int fd = 3; fd < 4096; fd++) {
		int acc = 0;
		socklen_t l = sizeof(acc);
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &l) < 0 || !acc)
			continue;
		if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0 && sa.sin_family == AF_INET &&
		    sa.sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
			server = sa;
			return true;
		}
	}
	return false;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct flag *sets[SCRAPE_MAX_COLLECTORS + 1];
	size_t n = scrape_flag_sets(sets, ARRAY_SIZE(sets));
	const char *on[] = { "collector.disable-defaults", "collector.loadavg", "collector.meminfo" };
	struct scrape_config scfg = { .exporter_metrics = true, .collector_timeout = 2 };
	static const char *listen[] = { "127.0.0.1:0" };
	struct http_config hcfg = { .listen = { listen, 1 }, .telemetry_path = "/metrics", .max_requests = 40,
				    .exporter_metrics = true, .connection_timeout = 1, .connection_limit = 64,
				    .request_memory_limit = 32768 };
	char err[1024], setting[CRYPT_GENSALT_OUTPUT_SIZE], yml[512];
	struct crypt_data cd = { 0 };

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	log_setup(LOG_LEVEL_ERROR, LOG_FORMAT_LOGFMT);
	snprintf(dir, sizeof(dir), "/dev/shm/nodex-fuzz.http_server.%ld", (long)getpid());
	snprintf(proc_dir, sizeof(proc_dir), "%s/proc", dir);
	snprintf(sys_dir, sizeof(sys_dir), "%s/sys", dir);
	snprintf(udev_dir, sizeof(udev_dir), "%s/udev", dir);
	mkdir(dir, 0755);
	mkdir(proc_dir, 0755);
	mkdir(sys_dir, 0755);
	write_file("proc/loadavg", "0.02 0.04 0.05 1/497 11947\n");
	write_file("proc/meminfo", "MemTotal:       16314640 kB\nMemFree:         1198376 kB\n");
	nodex_paths.procfs = proc_dir;
	nodex_paths.sysfs = sys_dir;
	nodex_paths.rootfs = dir;
	nodex_paths.udev = udev_dir;

	const char *hash = NULL;
	if (crypt_gensalt_rn("$2b$", 4, NULL, 0, setting, sizeof(setting)))
		hash = crypt_rn("secret", setting, &cd, sizeof(cd));
	if (!hash || hash[0] == '*')
		abort();
	snprintf(yml, sizeof(yml),
		 "basic_auth_users:\n  alice: %s\nhttp_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n",
		 hash);
	write_file("web.yml", yml);
	snprintf(yml, sizeof(yml), "%s/web.yml", dir);
	if (webconfig_init(yml, err, sizeof(err)) < 0) {
		fprintf(stderr, "webconfig_init: %s\n", err);
		abort();
	}
	for (size_t i = 0; i < ARRAY_SIZE(on); i++) {
		struct flag *f = flag_find(sets, n, on[i]);
		if (!f || flag_set(f, "true", FLAG_SRC_CMDLINE, err, sizeof(err)) < 0)
			abort();
	}
	if (scrape_init(&scfg, err, sizeof(err)) < 0 || scrape_start() < 0 || http_start(&hcfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "start: %s\n", err);
		abort();
	}
	if (!find_listener())
		abort();
	atexit(shutdown_server);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Checks the first response on the connection. */
static void check_response(char *r, size_t len)
{
	if (!len)
		return;
	if (len < 12 || strncmp(r, "HTTP/1.", 7) != 0) {
		fprintf(stderr, "fuzz_http_server: the answer is no HTTP response:\n%.*s\n", (int)(len < 300 ? len : 300), r);
		abort();
	}
	char *end = strstr(r, "\r\n\r\n");
	if (!end || strncmp(r + 9, "200", 3) != 0)
		return;
	*end = '\0';
	char *body = end + 4;
	char *cl = strcasestr(r, "\r\nContent-Length: ");
	char *ct = strcasestr(r, "\r\nContent-Type: text/plain; version=0.0.4");
	if (!cl || !ct || strcasestr(r, "\r\nContent-Encoding:"))
		return;
	size_t n = strtoul(cl + 18, NULL, 10);
	if (n == 0 || (size_t)(body - r) + n > len)
		return; /* HEAD, or not all of it arrived */
	size_t line;
	char saved = body[n];
	body[n] = '\0';
	const char *bad = fz_expo_check(body, n, &line);
	if (bad) {
		fprintf(stderr, "fuzz_http_server: invalid exposition, line %zu: %s\n%s\n", line, bad, body);
		abort();
	}
	body[n] = saved;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	static char buf[1 << 20];
	size_t got = 0, sent = 0;
	bool wrapped = false;
	double deadline = now() + 10;

	if (fd < 0)
		return 0;
	/* A source address of its own from 127/8 for each connection: the server closes first, so every
	 * connection leaves a TIME_WAIT behind for a minute, and from one address the ephemeral ports would
	 * run out at about 470 connections a second. */
	static uint32_t next_src = 0x7f010101;
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(next_src) };
	next_src = next_src >= 0x7ffefffe ? 0x7f010101 : next_src + 1;
	(void)bind(fd, (struct sockaddr *)&src, sizeof(src));
	if (connect(fd, (struct sockaddr *)&server, sizeof(server)) < 0) {
		close(fd);
		return 0;
	}
	static const char last[] = "\r\n\r\nGET /nodex-fuzz-end HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n";
	bool ok = true;
	while (ok && sent < size) {
		ssize_t w = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
		if (w <= 0)
			ok = false; /* the server closed early: fine */
		else
			sent += (size_t)w;
	}
	for (sent = 0; ok && sent < sizeof(last) - 1;) {
		ssize_t w = send(fd, last + sent, sizeof(last) - 1 - sent, MSG_NOSIGNAL);
		if (w <= 0)
			ok = false;
		else
			sent += (size_t)w;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - now();
		if (left <= 0) {
			fprintf(stderr, "fuzz_http_server: no end of the answer within 10 s (%zu bytes so far)\n", got);
			abort();
		}
		if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		ssize_t r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got == sizeof(buf) - 1) {
			got = 0; /* a long pipeline: keep reading to the end, check nothing */
			wrapped = true;
		}
	}
	close(fd);
	buf[got] = '\0';
	if (!wrapped)
		check_response(buf, got);
	return 0;
}
