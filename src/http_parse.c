/* HTTP/1.x request parsing (include/http_parse.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gocompat.h"
#include "http_parse.h"
#include "nodex.h"

size_t http_head_skip_empty(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i;
}

size_t http_head_end(const char *buf, size_t len, size_t *scanned)
{
	for (size_t i = *scanned; i < len; i++) {
		if (buf[i] != '\n' || i == 0)
			continue;
		/* The line ending here is empty: "\n\n" or "\n\r\n". */
		if (buf[i - 1] == '\n' || (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n')) {
			*scanned = i + 1;
			return i + 1;
		}
	}
	/* Next time, look again at the last two bytes: they may begin the empty line. */
	*scanned = len >= 2 ? len - 2 : 0;
	return 0;
}

/* RFC 9110 section 5.6.2: token characters. */
static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!is_tchar((unsigned char)*s))
			return false;
	return true;
}

/* Whether a comma-separated list value holds token (case-insensitive). */
static bool list_has(const char *value, const char *token)
{
	size_t n = strlen(token);

	for (const char *p = value; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *start = p;
		while (*p && *p != ',')
			p++;
		const char *end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((size_t)(end - start) == n && strncasecmp(start, token, n) == 0)
			return true;
	}
	return false;
}

/* The request line "METHOD SP target SP HTTP/1.x", NUL-terminated. Returns 0 or a status. */
static int parse_request_line(char *line, struct http_head *h)
{
	char *sp1 = strchr(line, ' '), *sp2;

	if (!sp1)
		return 400;
	*sp1 = '\0';
	sp2 = strchr(sp1 + 1, ' ');
	if (!sp2)
		return 400; /* HTTP/0.9, or no version */
	*sp2 = '\0';
	h->method = line;
	h->target = sp1 + 1;
	const char *v = sp2 + 1;
	if (!is_token(h->method) || strlen(h->method) > 32 || !h->target[0] || strchr(h->target, ' '))
		return 400;
	for (const char *p = h->target; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 400;
	if (strncmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0' || v[7] > '9' ||
	    v[8])
		return 400;
	if (v[5] != '1')
		return 505;
	h->minor = (unsigned)(v[7] - '0');
	h->close = h->minor == 0; /* HTTP/1.0 closes unless it asks to keep alive */
	return 0;
}

/* Content-Length: digits only (RFC 9110 section 8.6). Returns 0, 400 or 413. */
static int parse_length(const char *v, uint64_t max_body, struct http_head *h)
{
	uint64_t n = 0;

	if (!*v)
		return 400;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return 400;
		if (n > (UINT64_MAX - 9) / 10) {
			n = UINT64_MAX;
			continue;
		}
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (h->has_length && h->length != n)
		return 400; /* two lengths that differ: two parsers could frame the body differently */
	h->has_length = true;
	h->length = n;
	return n > max_body ? 413 : 0;
}

int http_parse_head(char *buf, size_t len, uint64_t max_body, struct http_head *h)
{
	size_t lines = 0, i = 0;
	char *p, *end = buf + len;
	int status = 0;
	bool te = false;

	memset(h, 0, sizeof(*h));
	if (memchr(buf, '\0', len))
		return 400;
	for (size_t j = 0; j < len; j++)
		lines += buf[j] == '\n';
	/* Skip the empty lines before the request line. */
	while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	p = buf + i;
	h->headers = calloc(lines ? lines : 1, sizeof(*h->headers));
	if (!h->headers)
		return 400;
	for (bool first = true; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		char *line = p;
		p = nl + 1;
		if (first) {
			first = false;
			if ((status = parse_request_line(line, h)))
				goto fail;
			continue;
		}
		if (!*line)
			break; /* the empty line that ends the head */
		if (*line == ' ' || *line == '\t') {
			status = 400; /* obsolete line folding (RFC 9112 section 5.2) */
			goto fail;
		}
		char *colon = strchr(line, ':');
		if (!colon) {
			status = 400;
			goto fail;
		}
		*colon = '\0';
		/* "Name : value": whitespace before the colon is dropped, as libmicrohttpd did (Go refuses it). */
		char *name = go_trim_space(line), *value = go_trim_space(colon + 1);
		if (!is_token(name)) {
			status = 400;
			goto fail;
		}
		h->headers[h->n_headers].name = name;
		h->headers[h->n_headers].value = value;
		h->n_headers++;
		if (strcasecmp(name, "Content-Length") == 0) {
			int r = parse_length(value, max_body, h);
			if (r == 400 || (r && !status))
				status = r;
		} else if (strcasecmp(name, "Transfer-Encoding") == 0) {
			if (te || strcasecmp(value, "chunked") != 0) {
				if (!status)
					status = 501;
			}
			te = true;
			h->chunked = true;
		} else if (strcasecmp(name, "Connection") == 0) {
			if (list_has(value, "close"))
				h->close = true;
			else if (h->minor == 0 && list_has(value, "keep-alive"))
				h->close = false;
		} else if (strcasecmp(name, "Expect") == 0) {
			h->expect_continue = strcasecmp(value, "100-continue") == 0;
		}
	}
	if (!h->method) {
		status = 400;
		goto fail;
	}
	if (te && h->has_length)
		status = 400; /* RFC 9112 section 6.3: a request with both is an attack or a broken client */
	if (status)
		goto fail;
	return 0;
fail:
	free(h->headers);
	h->headers = NULL;
	h->n_headers = 0;
	return status ? status : 400;
}

const char *http_head_header(const struct http_head *h, const char *name)
{
	for (size_t i = 0; i < h->n_headers; i++)
		if (strcasecmp(h->headers[i].name, name) == 0)
			return h->headers[i].value;
	return NULL;
}

enum { CH_SIZE, CH_EXT, CH_DATA, CH_DATA_END, CH_TRAILER };

/* Bytes a size line's extensions or a trailer line may take. */
#define CHUNK_LINE_MAX 4096

/* A line of the framing ended (LF, or CR LF): the size line, the end of a chunk's data, or a trailer
 * line. Returns 0, or -1 when the line is malformed. */
static int line_end(struct http_chunked *c)
{
	switch (c->state) {
	case CH_SIZE:
		if (!c->digits)
			return -1;
		/* fall through */
	case CH_EXT:
		c->state = c->left ? CH_DATA : CH_TRAILER;
		c->ext = 0;
		return 0;
	case CH_DATA_END:
		c->state = CH_SIZE;
		c->digits = false;
		return 0;
	case CH_TRAILER:
		c->done = c->ext == 0; /* the empty line after the trailers */
		c->ext = 0;
		return 0;
	default:
		return -1;
	}
}

long http_chunked_feed(struct http_chunked *c, const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && !c->done) {
		if (c->state == CH_DATA) {
			size_t take = len - i;
			if ((uint64_t)take > c->left)
				take = (size_t)c->left;
			c->left -= take;
			c->total += take;
			i += take;
			if (!c->left)
				c->state = CH_DATA_END;
			continue;
		}
		char ch = buf[i++];
		if (c->cr && ch != '\n')
			return -1; /* a CR ends a line only before its LF */
		if (ch == '\n') {
			c->cr = false;
			if (line_end(c) < 0)
				return -1;
			continue;
		}
		if (ch == '\r') {
			c->cr = true;
			continue;
		}
		switch (c->state) {
		case CH_SIZE: {
			int v = hex_digit((unsigned char)ch);
			if (v >= 0) {
				if (c->left > (UINT64_MAX >> 4))
					return -1;
				c->left = c->left << 4 | (uint64_t)v;
				c->digits = true;
			} else if (c->digits && (ch == ';' || ch == ' ' || ch == '\t')) {
				c->state = CH_EXT;
			} else {
				return -1;
			}
			break;
		}
		case CH_EXT:
		case CH_TRAILER:
			if (++c->ext > CHUNK_LINE_MAX)
				return -1;
			break;
		default:
			return -1; /* anything but a line end after a chunk's data */
		}
	}
	return (long)i;
}

/* Decodes %XX at s (s[0] == '%') into *out. Returns false for an invalid escape or %00. */
static bool unescape(const char *s, char *out)
{
	int hi = hex_digit((unsigned char)s[1]), lo = hi >= 0 ? hex_digit((unsigned char)s[2]) : -1;

	if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
		return false;
	*out = (char)(hi << 4 | lo);
	return true;
}

static void decode(char *s, bool plus)
{
	char *w = s;

	for (const char *r = s; *r;) {
		if (*r == '%' && unescape(r, w)) {
			w++;
			r += 3;
		} else if (plus && *r == '+') {
			*w++ = ' ';
			r++;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

void http_decode_path(char *s)
{
	decode(s, false);
}

void http_query_each(char *query, void (*fn)(void *cls, const char *key, const char *value), void *cls)
{
	for (char *arg; (arg = strsep(&query, "&"));) {
		char *eq;
		if (!*arg)
			continue;
		eq = strchr(arg, '=');
		if (eq)
			*eq = '\0';
		decode(arg, true);
		if (eq)
			decode(eq + 1, true);
		fn(cls, arg, eq ? eq + 1 : "");
	}
}
