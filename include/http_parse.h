/* HTTP/1.x request parsing for nodex's own server (src/http_conn.c), as pure functions over bytes so that
 * they are unit-tested and fuzzed apart from sockets: the request head (request line and header fields,
 * RFC 9112 sections 2-5), body framing (Content-Length, chunked), percent-decoding of the path, and the
 * query's arguments. */
#ifndef NODEX_HTTP_PARSE_H
#define NODEX_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_header {
	const char *name, *value;
};

/* A request head parsed in place: the strings point into the buffer given to http_parse_head. */
struct http_head {
	const char *method;
	const char *target; /* as sent */
	unsigned minor;     /* HTTP/1.minor */
	struct http_header *headers; /* malloc'd by http_parse_head; free() it */
	size_t n_headers;
	/* framing */
	bool has_length, chunked;
	uint64_t length;
	/* Connection: close (or HTTP/1.0 without keep-alive), Expect: 100-continue */
	bool close, expect_continue;
};

/* The empty lines (CR and LF bytes) at the start of buf[0..len), which RFC 9112 section 2.2 says to ignore
 * before a request line: the caller drops them before looking for a head. */
size_t http_head_skip_empty(const char *buf, size_t len);

/* Where the end of a head is: returns the length of the head (through its empty line) in buf[0..len),
 * which starts with its request line, or 0 when it is not complete yet. *scanned remembers how far an
 * earlier call looked (start it at 0), so a head that arrives a byte at a time costs linear time. */
size_t http_head_end(const char *buf, size_t len, size_t *scanned);

/* Parses the complete head buf[0..len) (len from http_head_end) in place. Returns 0, or the HTTP status
 * to refuse it with: 400 (malformed, a NUL byte, conflicting framing), 413 (a Content-Length over
 * max_body), 501 (a transfer coding other than chunked), 505 (an HTTP major version other than 1). On
 * failure nothing needs freeing. */
int http_parse_head(char *buf, size_t len, uint64_t max_body, struct http_head *h);

/* The value of the first header field named name (case-insensitive), or NULL. */
const char *http_head_header(const struct http_head *h, const char *name);

/* A chunked body being read and dropped (RFC 9112 section 7.1). */
struct http_chunked {
	int state;
	uint64_t left;  /* bytes of chunk data still to come */
	unsigned ext;   /* bytes of the current extensions or trailer line, bounded */
	bool digits;    /* the size line has a digit */
	bool cr;        /* a CR was read: only the LF that ends the line may follow */
	bool done;      /* the last chunk and the trailers have been read */
	uint64_t total; /* chunk data read so far */
};

/* Feeds buf[0..len) to the decoder. Returns the bytes consumed (all of them, or fewer when the body ended
 * inside buf: the rest is the next request), or -1 when the body is malformed. */
long http_chunked_feed(struct http_chunked *c, const char *buf, size_t len);

/* Percent-decodes s in place, as a URL path: %XX becomes its byte, except an invalid escape or %00, which
 * stay as they are. */
void http_decode_path(char *s);

/* Splits a query (the part after '?', decoded in place) into key=value arguments, as Go's url.ParseQuery
 * does: '&' separates, '+' is a space, %XX a byte (an invalid escape or %00 is kept as it is, so that it
 * cannot name anything), a key without '=' has the value "". Calls fn for each; empty arguments are skipped. */
void http_query_each(char *query, void (*fn)(void *cls, const char *key, const char *value), void *cls);

#endif
