/* Request parsing of nodex's HTTP server (src/http_parse.c): where a head ends, what a head parses to and
 * which heads are refused with which status, chunked bodies, paths and query arguments. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "http_parse.h"

/* Parses text as a whole head. Returns the status (0 when accepted); h is filled on success. */
static int parse(const char *text, uint64_t max_body, struct http_head *h, char **keep)
{
	size_t scanned = 0, len = strlen(text), end;
	char *buf = strdup(text);

	end = http_head_end(buf, len, &scanned);
	if (!end) {
		free(buf);
		return -1; /* incomplete */
	}
	int r = http_parse_head(buf, end, max_body, h);
	*keep = buf;
	return r;
}

static void test_head_end(void)
{
	size_t scanned = 0;
	const char *req = "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next";
	size_t full = strlen("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

	/* Byte by byte: only the last byte of the empty line completes it. */
	for (size_t n = 1; n < full; n++)
		CHECK_INT(http_head_end(req, n, &scanned), 0);
	CHECK_INT(http_head_end(req, full, &scanned), full);
	scanned = 0;
	CHECK_INT(http_head_end(req, strlen(req), &scanned), full); /* pipelined bytes stay after it */
	scanned = 0;
	CHECK_INT(http_head_end("GET / HTTP/1.1\nHost: x\n\n", 24, &scanned), 24); /* bare LF */
	scanned = 0;
	CHECK_INT(http_head_end("GET / HTTP/1.1\r\nHost: x\r\n", 25, &scanned), 0);
	CHECK_INT(http_head_skip_empty("\r\n\r\n\nGET", 8), 5);
	CHECK_INT(http_head_skip_empty("GET", 3), 0);
}

static void test_head_fields(void)
{
	struct http_head h;
	char *buf = NULL;

	CHECK_INT(parse("GET /metrics?collect[]=cpu HTTP/1.1\r\nHost: x\r\nAccept-Encoding:  gzip \r\n"
			"X-A : b\r\nConnection: keep-alive, Close\r\n\r\n",
			1024, &h, &buf),
		  0);
	CHECK_STR(h.method, "GET");
	CHECK_STR(h.target, "/metrics?collect[]=cpu");
	CHECK_INT(h.minor, 1);
	CHECK_INT(h.n_headers, 4);
	CHECK_STR(http_head_header(&h, "accept-encoding"), "gzip");
	CHECK_STR(http_head_header(&h, "X-A"), "b"); /* whitespace before the colon is dropped */
	CHECK(http_head_header(&h, "Nope") == NULL);
	CHECK(h.close);
	CHECK(!h.has_length && !h.chunked);
	free(h.headers);
	free(buf);

	CHECK_INT(parse("GET / HTTP/1.0\r\n\r\n", 1024, &h, &buf), 0);
	CHECK(h.close); /* HTTP/1.0 closes by default */
	free(h.headers);
	free(buf);
	CHECK_INT(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1024, &h, &buf), 0);
	CHECK(!h.close);
	free(h.headers);
	free(buf);

	CHECK_INT(parse("POST / HTTP/1.1\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n", 1024, &h, &buf), 0);
	CHECK(h.has_length && h.length == 11 && h.expect_continue);
	free(h.headers);
	free(buf);
	CHECK_INT(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 1024, &h, &buf), 0);
	free(h.headers);
	free(buf);
	CHECK_INT(parse("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n", 1024, &h, &buf), 0);
	CHECK(h.chunked);
	free(h.headers);
	free(buf);
}

static void test_head_refused(void)
{
	static const struct {
		const char *head;
		int status;
	} cases[] = {
		{ "GET /metrics\r\n\r\n", 400 },                    /* HTTP/0.9 */
		{ "GET /metrics HTTP/9.9\r\n\r\n", 505 },
		{ "GET /metrics HTTP/1.1x\r\n\r\n", 400 },
		{ "GET  /metrics HTTP/1.1\r\n\r\n", 400 },          /* an empty target */
		{ "G(T / HTTP/1.1\r\n\r\n", 400 },                  /* not a token */
		{ "GET / HTTP/1.1\r\nbogus header line\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nX-A: b\r\n folded\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\n: empty name\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 2048\r\n\r\n", 413 },
		{ "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413 },
		{ "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_head h;
		char *buf = NULL;
		int r = parse(cases[i].head, 1024, &h, &buf);
		if (r != cases[i].status)
			fprintf(stderr, "case %zu: %s", i, cases[i].head);
		CHECK_INT(r, cases[i].status);
		CHECK(r == 0 || h.headers == NULL);
		free(buf);
	}
	/* A NUL byte anywhere in the head. */
	char nul[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";
	struct http_head h;
	CHECK_INT(http_parse_head(nul, sizeof(nul) - 1, 1024, &h), 400);
}

static void test_chunked(void)
{
	struct http_chunked c = { 0 };
	const char *body = "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\nGET /next";
	size_t end = strlen(body) - strlen("GET /next");

	/* Fed in pieces of 3 bytes, it stops exactly at the end of the body. */
	size_t off = 0;
	long r = 0;
	while (off < strlen(body) && !c.done) {
		size_t n = strlen(body) - off < 3 ? strlen(body) - off : 3;
		r = http_chunked_feed(&c, body + off, n);
		CHECK(r >= 0);
		if (r < 0)
			break;
		off += (size_t)r;
	}
	CHECK(c.done);
	CHECK_INT(off, end);
	CHECK_INT(c.total, 11);

	struct http_chunked bad = { 0 };
	CHECK_INT(http_chunked_feed(&bad, "zz\r\nabc\r\n", 9), -1);
	struct http_chunked nodigit = { 0 };
	CHECK_INT(http_chunked_feed(&nodigit, "\r\n", 2), -1);
	struct http_chunked huge = { 0 };
	CHECK_INT(http_chunked_feed(&huge, "fffffffffffffffff\r\n", 19), -1);
	struct http_chunked lf = { 0 };
	CHECK_INT(http_chunked_feed(&lf, "3\nabc\n0\n\n", 9), 9); /* bare LF line ends */
	CHECK(lf.done && lf.total == 3);
	struct http_chunked lonecr = { 0 };
	CHECK_INT(http_chunked_feed(&lonecr, "5\r\rhello", 9), -1); /* a CR not followed by LF */
	struct http_chunked trailer_cr = { 0 };
	CHECK_INT(http_chunked_feed(&trailer_cr, "0\r\nX: a\rb\r\n\r\n", 13), -1);
	struct http_chunked nocrlf = { 0 };
	CHECK_INT(http_chunked_feed(&nocrlf, "1\r\naX", 5), -1); /* data not followed by CRLF */
}

struct args {
	char keys[8][32], values[8][32];
	int n;
};

static void add_arg(void *cls, const char *key, const char *value)
{
	struct args *a = cls;

	if (a->n < 8) {
		snprintf(a->keys[a->n], sizeof(a->keys[0]), "%s", key);
		snprintf(a->values[a->n], sizeof(a->values[0]), "%s", value);
		a->n++;
	}
}

static void test_query_and_path(void)
{
	char q[] = "collect%5B%5D=cpu&&exclude[]=a+b&bad=%zz%4&nul=load%00avg&flag";
	struct args a = { 0 };

	http_query_each(q, add_arg, &a);
	CHECK_INT(a.n, 5);
	CHECK_STR(a.keys[0], "collect[]");
	CHECK_STR(a.values[0], "cpu");
	CHECK_STR(a.keys[1], "exclude[]");
	CHECK_STR(a.values[1], "a b");
	CHECK_STR(a.values[2], "%zz%4"); /* invalid escapes stay, so they name nothing */
	CHECK_STR(a.values[3], "load%00avg");
	CHECK_STR(a.keys[4], "flag");
	CHECK_STR(a.values[4], "");

	char p[] = "/met%72ics+x%2";
	http_decode_path(p);
	CHECK_STR(p, "/metrics+x%2");
}

int main(int argc, char **argv)
{
	(void)argc;
	test_head_end();
	test_head_fields();
	test_head_refused();
	test_chunked();
	test_query_and_path();
	return test_summary(argv[0]);
}
