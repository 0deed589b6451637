/* libFuzzer target for our code that reads HTTP request data, called directly (fast): the input is a list
 * of header-like lines "Name: value" (CRLF or LF), each handed to the parser for that name:
 *
 *   Accept                                http_negotiate() (the exposition format)
 *   Accept-Encoding                       http_accepts_gzip()
 *   X-Prometheus-Scrape-Timeout-Seconds   http_scrape_timeout()
 *   Authorization                         auth_parse_basic() (Basic, base64)  
 *   Query                                 the collect[] / exclude[] values of a query string, to
 *                                         scrape_select() (enabled here: loadavg, meminfo, stat)
 *   Listen                                http_split_address() (--web.listen-address)
 *
 * The whole input is also read as a client's bytes: a request head (http_head_end, http_parse_head) and
 * then a chunked body (http_chunked_feed), src/http_parse.c.
 *
 * tests/fuzz/fuzz_http_server.c sends whole requests through nodex's server to the real handler. */
#include <stdio.h>
#include <strings.h>

#include "auth.h"
#include "http.h"
#include "http_parse.h"
#include "log.h"
#include "scrape.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct flag *sets[SCRAPE_MAX_COLLECTORS + 1];
	size_t n = scrape_flag_sets(sets, ARRAY_SIZE(sets));
	const char *on[] = { "collector.disable-defaults", "collector.loadavg", "collector.meminfo", "collector.stat" };
	struct scrape_config cfg = { .collector_timeout = 1 };
	char err[512];

	(void)argc;
	(void)argv;
	log_setup(LOG_LEVEL_ERROR, LOG_FORMAT_LOGFMT);
	for (size_t i = 0; i < ARRAY_SIZE(on); i++) {
		struct flag *f = flag_find(sets, n, on[i]);
		if (!f || flag_set(f, "true", FLAG_SRC_CMDLINE, err, sizeof(err)) < 0)
			abort();
	}
	if (scrape_init(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "scrape_init: %s\n", err);
		abort();
	}
	return 0;
}

/* A query string's collect[] and exclude[] values, split on '&' (no percent-decoding: the
 * server's http_query_each does that before the handler sees the values). */
static void query(char *q)
{
	const char *collect[64], *exclude[64];
	size_t nc = 0, ne = 0;
	struct scrape_selection sel;
	char err[512] = "";

	for (char *p = q, *tok; (tok = strsep(&p, "&"));) {
		char *eq = strchr(tok, '=');
		const char *v = eq ? eq + 1 : "";
		if (eq)
			*eq = '\0';
		if (streq(tok, "collect[]") && nc < ARRAY_SIZE(collect))
			collect[nc++] = v;
		else if (streq(tok, "exclude[]") && ne < ARRAY_SIZE(exclude))
			exclude[ne++] = v;
	}
	int r = scrape_select(&sel, collect, nc, exclude, ne, err, sizeof(err));
	if (r < 0 && !err[0])
		abort(); /* a 400 always says why */
	if (r == 0 && nc) {
		/* collect[] selects exactly the named collectors, all of them enabled ones. */
		size_t bits = 0;
		for (size_t i = 0; i < ARRAY_SIZE(sel.bits); i++)
			bits += (size_t)__builtin_popcountll(sel.bits[i]);
		if (bits == 0 || bits > nc)
			abort();
	}
}

static void one(const char *name, char *value)
{
	if (!strcasecmp(name, "Accept")) {
		enum expo_format f = http_negotiate(value);
		if ((unsigned)f >= EXPO_N_FORMATS)
			abort();
	} else if (!strcasecmp(name, "Accept-Encoding")) {
		(void)http_accepts_gzip(value);
	} else if (!strcasecmp(name, "X-Prometheus-Scrape-Timeout-Seconds")) {
		double t = http_scrape_timeout(value);
		if (!(t >= 0 && t < 3600))
			abort();
	} else if (!strcasecmp(name, "Authorization")) {
		char *user = NULL, *password = NULL;
		if (auth_parse_basic(value, &user, &password) == 0) {
			if (!user || !password || strchr(user, ':'))
				abort();
			free(user);
			free(password);
		}
	} else if (!strcasecmp(name, "Query")) {
		query(value);
	} else if (!strcasecmp(name, "Listen")) {
		char host[256], port[16];
		if (http_split_address(value, host, port) == 0 && (strlen(host) > 255 || strlen(port) > 15 || !port[0]))
			abort();
	}
}

/* The whole input as what a client sends: a head (src/http_parse.c), then a chunked body. */
static void request(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	size_t skip, scanned = 0, end;
	struct http_head h;

	if (!buf)
		return;
	memcpy(buf, data, size);
	skip = http_head_skip_empty(buf, size);
	end = http_head_end(buf + skip, size - skip, &scanned);
	if (end > size - skip)
		abort();
	if (end && http_parse_head(buf + skip, end, 1 << 20, &h) == 0) {
		if (!h.method || !h.target || h.minor > 9)
			abort();
		for (size_t i = 0; i < h.n_headers; i++)
			if (!h.headers[i].name[0])
				abort();
		free(h.headers);
	}
	struct http_chunked c = { 0 };
	long used = http_chunked_feed(&c, (const char *)data + skip + end, size - skip - end);
	if (used > (long)(size - skip - end) || (used >= 0 && !c.done && (size_t)used != size - skip - end))
		abort(); /* the decoder takes everything until the body ends */
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	request(data, size);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (char *p = text, *line; (line = strsep(&p, "\n"));) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		one(line, v);
	}
	free(text);
	return 0;
}
