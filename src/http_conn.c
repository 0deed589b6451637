/* The connection half of the HTTP front end (see include/http_internal.h): nodex's own HTTP/1.1 server.
 *
 * Why not libmicrohttpd: Debian's libmicrohttpd links GnuTLS, so every nodex mapped and initialised the
 * whole TLS stack (GnuTLS, p11-kit, nettle, hogweed, gmp, libtasn1, libunistring, libidn2, libffi: about
 * 2.3 MB of private memory, make bench) although most serve plain HTTP; and nodex needs only GET on two
 * paths. Here GnuTLS is loaded (src/libgnutls.c) only when the web configuration asks for TLS.
 *
 * One event thread runs every listener and connection with epoll (level-triggered). A connection:
 *  HANDSHAKE (TLS only) -> HEAD (reading the request line and headers, at most --web.max-request-bytes)
 *  -> BODY (a body is read and dropped, at most as much again) -> RUN (http_request_run) -> PENDING while
 *  the scrape thread or a bcrypt worker has the request (nothing is read meanwhile) -> WRITE (the answer)
 *  -> HEAD again for the next request (keep-alive, pipelining), or LINGER: after an answer that closes the
 *  connection, our side is shut and what the client still sends is read and dropped for a second, so that
 *  it reads the answer instead of a reset.
 *
 * Deadlines: a request whose head and body have not all arrived within --web.connection-timeout of the
 * start of the wait is cut off (a client sending a byte every few seconds cannot hold a connection), and
 * so is an answer the client does not read for that long. A request being served has no deadline.
 * Over the listener's connection limit a new connection closes the one waiting longest for a request: a
 * scraper sends its request at once and is then busy, and busy connections are never chosen. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "http_internal.h"
#include "log.h"
#include "nodex.h"
#include "webconfig.h"

#define MAX_LISTENERS 16
/* Descriptors kept out of the connections' share for everything else (listeners, epoll, logs, textfiles). */
#define FD_RESERVE 64
/* Input buffer: first size, and what a body may use beyond the head's limit. */
#define BUF_FIRST 1024
#define BUF_BODY_SLACK 4096
/* Seconds a closing connection reads and drops what the client still sends after our answer. */
#define LINGER_SECONDS 1.0
/* Seconds http_stop waits for answers still being written. */
#define STOP_GRACE 3.0

enum obj_kind { OBJ_LISTENER, OBJ_CONN, OBJ_WAKE };

struct listener {
	enum obj_kind kind;
	int fd;
	char name[300];
	long limit; /* --web.max-connections, lowered to fit RLIMIT_NOFILE */
	long open;
	double paused_until; /* accept() ran out of descriptors: try again then */
	bool closed;
};

enum conn_state { C_HANDSHAKE, C_HEAD, C_BODY, C_RUN, C_PENDING, C_WRITE, C_LINGER };

struct conn {
	enum obj_kind kind;
	struct listener *l;
	int fd;
	enum conn_state state;
	uint32_t events; /* what epoll watches for */
	struct sockaddr_storage peer;
	/* in a deadline list: idle (waiting for a request, oldest first) or timed (writing, lingering) */
	struct conn *prev, *next;
	int list; /* 0 none, 1 idle, 2 timed */
	double since, deadline;
	/* input: buf[0..len); the current request's head is buf[0..head_len), unconsumed bytes from pos */
	char *buf;
	size_t cap, len, pos, head_len, scanned;
	/* the request */
	struct http_req req;
	bool have_req;
	uint64_t body_left; /* Content-Length still to read */
	struct http_chunked chunked;
	bool close_after;
	/* the answer */
	char *out;
	size_t out_len, out_off;
	const char *body;
	size_t body_len, body_off;
	void (*free_body)(void *);
	void *free_cls;
	/* TLS */
	gnutls_session_t tls;
	void *tls_cfg;
	bool tls_peeked; /* the first bytes were looked at for plain HTTP */
	bool tls_up;     /* the handshake completed */
	/* woken by another thread */
	struct conn *wake_next;
	bool wake_queued;
};

static struct http_config cfg;
static struct listener listeners[MAX_LISTENERS];
static size_t n_listeners;
static int ep = -1;
static struct {
	enum obj_kind kind;
	int fd;
} wake = { OBJ_WAKE, -1 };
static pthread_t loop_thread;
static bool loop_running;
static atomic_bool quiescing, stopping;
static gnutls_certificate_credentials_t tls_cred;
static bool tls_mode;

static pthread_mutex_t wake_mu = PTHREAD_MUTEX_INITIALIZER;
static struct conn *wake_head;

/* Deadline lists (event thread only). */
static struct conn *idle_head, *idle_tail, *timed_head, *timed_tail;
static double evict_warned;
static unsigned long evicted_since_warning;
static long n_conns;

/* Bytes a request's line and headers may take (--web.max-request-bytes). */
static size_t head_limit(void)
{
	return (size_t)cfg.request_memory_limit;
}

/* ---- deadline lists ---- */

static void list_unlink(struct conn *c)
{
	struct conn **head = c->list == 1 ? &idle_head : &timed_head, **tail = c->list == 1 ? &idle_tail : &timed_tail;

	if (!c->list)
		return;
	*(c->prev ? &c->prev->next : head) = c->next;
	*(c->next ? &c->next->prev : tail) = c->prev;
	c->prev = c->next = NULL;
	c->list = 0;
}

/* Starts the wait for a request: the connection may be evicted, and is cut off after the timeout. */
static void idle_start(struct conn *c)
{
	list_unlink(c);
	c->since = now_monotonic();
	c->deadline = cfg.connection_timeout > 0 ? c->since + cfg.connection_timeout : INFINITY;
	c->list = 1;
	c->prev = idle_tail;
	*(idle_tail ? &idle_tail->next : &idle_head) = c;
	idle_tail = c;
}

/* A deadline seconds from now, kept in order (deadlines mostly grow, so this walks little). */
static void timed_start(struct conn *c, double seconds)
{
	struct conn *after;

	list_unlink(c);
	if (!isfinite(seconds))
		return;
	c->deadline = now_monotonic() + seconds;
	c->list = 2;
	for (after = timed_tail; after && after->deadline > c->deadline; after = after->prev)
		;
	c->prev = after;
	c->next = after ? after->next : timed_head;
	*(c->next ? &c->next->prev : &timed_tail) = c;
	*(after ? &after->next : &timed_head) = c;
}

/* ---- epoll ---- */

/* Watches c for events; none takes it out of epoll, which reports a hang-up or an error even when asked
 * for nothing and would, level-triggered, report it again and again while a request waits for a scrape. */
static void watch(struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (c->events == events)
		return;
	if (!events) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		c->events = 0;
		return;
	}
	if (epoll_ctl(ep, c->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev) == 0)
		c->events = events;
}

/* ---- closing ---- */

static void answer_free(struct conn *c)
{
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	if (c->free_body)
		c->free_body(c->free_cls);
	c->free_body = NULL;
	c->body = NULL;
	c->body_len = c->body_off = 0;
}

static void request_end(struct conn *c)
{
	if (!c->have_req)
		return;
	http_request_end(&c->req);
	free(c->req.head.headers);
	free((char *)c->req.path); /* the query is in the same allocation */
	memset(&c->req, 0, sizeof(c->req));
	c->have_req = false;
}

static void conn_close(struct conn *c)
{
	list_unlink(c);
	request_end(c);
	answer_free(c);
	if (c->tls) {
		gnutls_deinit(c->tls);
		webconfig_tls_session_end(c->tls_cfg);
	}
	if (c->events)
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->l->open--;
	n_conns--;
	free(c->buf);
	free(c);
}

/* Ends the connection after an answer that closes it: our side is shut at once; the client's bytes are
 * read and dropped for a while, so that its kernel does not reset the connection before it read us. */
static void conn_linger(struct conn *c)
{
	if (c->tls_up)
		gnutls_bye(c->tls, GNUTLS_SHUT_WR);
	shutdown(c->fd, SHUT_WR);
	c->state = C_LINGER;
	request_end(c);
	timed_start(c, LINGER_SECONDS);
	watch(c, EPOLLIN);
}

/* ---- the connection limit ---- */

/* Over the listener's limit: closes the connection of l that has waited longest for a request (never
 * fresh itself, unless every other one is busy). */
static void conn_evict(struct conn *fresh)
{
	struct listener *l = fresh->l;
	struct conn *victim = idle_head;

	while (victim && (victim->l != l || victim == fresh))
		victim = victim->next;
	evicted_since_warning++;
	double now = now_monotonic();
	if (evict_warned == 0 || now - evict_warned >= 60) {
		char n[32], limit[32];
		snprintf(n, sizeof(n), "%lu", evicted_since_warning);
		snprintf(limit, sizeof(limit), "%ld", l->limit);
		log_warn("Connection limit reached; closed the connections waiting longest for a request", "listener",
			 l->name, "limit", limit, "closed", n);
		evict_warned = now;
		evicted_since_warning = 0;
	}
	log_debug("closing a connection over the limit", "listener", l->name);
	conn_close(victim ? victim : fresh);
}

/* ---- reading and writing through TCP or TLS ---- */

/* Returns bytes read, 0 at the end of the stream, -EAGAIN, or another negative error. */
static ssize_t conn_recv(struct conn *c, void *p, size_t n)
{
	if (c->tls) {
		ssize_t r = gnutls_record_recv(c->tls, p, n);
		if (r >= 0)
			return r;
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			return -EAGAIN;
		if (r == GNUTLS_E_PREMATURE_TERMINATION)
			return 0;
		return -EIO;
	}
	for (;;) {
		ssize_t r = recv(c->fd, p, n, 0);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
}

/* Writes what is left of the answer. Returns 1 when all of it is out, 0 when the socket is full, or a
 * negative error. */
static int conn_send(struct conn *c)
{
	while (c->out_off < c->out_len || c->body_off < c->body_len) {
		ssize_t r;
		if (c->tls) {
			bool head = c->out_off < c->out_len;
			r = head ? gnutls_record_send(c->tls, c->out + c->out_off, c->out_len - c->out_off) :
				   gnutls_record_send(c->tls, c->body + c->body_off, c->body_len - c->body_off);
			if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
				return 0;
			if (r < 0)
				return -EIO;
		} else {
			struct iovec iov[2];
			int n = 0;
			if (c->out_off < c->out_len)
				iov[n++] = (struct iovec){ c->out + c->out_off, c->out_len - c->out_off };
			if (c->body_off < c->body_len)
				iov[n++] = (struct iovec){ (void *)(c->body + c->body_off), c->body_len - c->body_off };
			struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)n };
			r = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				return errno == EWOULDBLOCK ? 0 : -errno;
			}
		}
		size_t done = (size_t)r, h = c->out_len - c->out_off;
		if (done <= h) {
			c->out_off += done;
		} else {
			c->out_off = c->out_len;
			c->body_off += done - h;
		}
	}
	return 1;
}

/* ---- answers ---- */

static const char *reason(unsigned status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Request Entity Too Large";
	case 414: return "Request URI Too Long";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

/* The Date header's value, as Go's http.TimeFormat; made once a second. */
static const char *date_now(void)
{
	static char buf[40];
	static time_t made;
	time_t t = time(NULL);

	if (t != made) {
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		made = t;
	}
	return buf;
}

void http_respond(struct http_req *r, const struct http_response *resp)
{
	struct conn *c = r->conn;
	size_t n = 128 + strlen(date_now());
	bool head_only = streq(r->head.method, "HEAD");
	char *p;

	if (c->state != C_RUN && c->state != C_HEAD && c->state != C_BODY) {
		/* Not the event thread's request of the moment: a bug, and the body must not leak. */
		log_error("internal error: an answer for a request that is not being served");
		if (resp->free_body)
			resp->free_body(resp->free_cls);
		return;
	}
	c->close_after |= resp->close || r->head.close || atomic_load(&stopping);
	if (resp->status == 0) {
		/* No answer at all: the connection closes. */
		c->close_after = true;
		c->state = C_WRITE;
		return;
	}
	for (size_t i = 0; i < resp->n_headers; i++)
		n += strlen(resp->headers[i].name) + strlen(resp->headers[i].value) + 4;
	c->out = malloc(n);
	if (!c->out) {
		if (resp->free_body)
			resp->free_body(resp->free_cls);
		c->close_after = true;
		c->state = C_WRITE;
		return;
	}
	p = c->out;
	p += sprintf(p, "HTTP/1.%u %u %s\r\n", r->head.minor ? 1u : 0u, resp->status, reason(resp->status));
	for (size_t i = 0; i < resp->n_headers; i++)
		p += sprintf(p, "%s: %s\r\n", resp->headers[i].name, resp->headers[i].value);
	p += sprintf(p, "Date: %s\r\nContent-Length: %zu\r\n", date_now(), resp->len);
	if (c->close_after && r->head.minor)
		p += sprintf(p, "Connection: close\r\n");
	else if (!c->close_after && !r->head.minor)
		p += sprintf(p, "Connection: keep-alive\r\n");
	p += sprintf(p, "\r\n");
	c->out_len = (size_t)(p - c->out);
	c->out_off = 0;
	c->body = head_only ? NULL : resp->body;
	c->body_len = head_only ? 0 : resp->len;
	c->body_off = 0;
	c->free_body = resp->free_body;
	c->free_cls = resp->free_cls;
	c->state = C_WRITE;
}

/* An answer from the connection half itself (a malformed head), through the request half's error page;
 * the connection closes after it. */
static void conn_refuse(struct conn *c, unsigned status)
{
	char msg[64];

	c->close_after = true;
	if (!c->have_req) {
		/* No head to answer through: a bare answer in the request's place. */
		memset(&c->req, 0, sizeof(c->req));
		c->req.head.method = "GET";
		c->req.head.minor = 1;
		c->req.head.close = true;
		c->req.conn = c;
		c->have_req = true;
	}
	snprintf(msg, sizeof(msg), "%u %s", status, reason(status));
	c->state = C_RUN;
	http_request_error(&c->req, status, msg);
}

/* ---- requests ---- */

/* The head buf[0..head_len) is complete: parse it and decide what follows. */
static void head_done(struct conn *c)
{
	struct http_req *r = &c->req;
	int status;

	memset(r, 0, sizeof(*r));
	r->conn = c;
	status = http_parse_head(c->buf, c->head_len, (uint64_t)cfg.request_memory_limit, &r->head);
	c->pos = c->head_len;
	if (status) {
		conn_refuse(c, (unsigned)status);
		return;
	}
	c->have_req = true;
	/* path and query: a copy of the target, so that the head stays as sent */
	const char *q = strchr(r->head.target, '?');
	size_t plen = q ? (size_t)(q - r->head.target) : strlen(r->head.target);
	char *path = malloc(plen + 1 + (q ? strlen(q) : 0) + 1);
	if (!path) {
		conn_refuse(c, 500);
		return;
	}
	memcpy(path, r->head.target, plen);
	path[plen] = '\0';
	http_decode_path(path);
	r->path = path; /* owns the allocation; the query is a copy after it */
	if (q) {
		r->query = path + plen + 1;
		strcpy(r->query, q + 1);
	}
	if (http_request_head(r)) {
		c->close_after = true;
		return;
	}
	c->body_left = r->head.has_length ? r->head.length : 0;
	memset(&c->chunked, 0, sizeof(c->chunked));
	if ((r->head.has_length && r->head.length) || r->head.chunked) {
		/* The body is part of the request: the connection stays on the idle list, with the deadline
		 * its wait began with. */
		c->state = C_BODY;
		if (r->head.expect_continue && c->len == c->pos && !c->tls) {
			static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
			/* Best effort: a client sends the body anyway when this does not come (curl after a
			 * second). Not over TLS, where a send that would block must be repeated with the same
			 * data before anything else is sent. */
			send(c->fd, cont, sizeof(cont) - 1, MSG_NOSIGNAL);
		}
	} else {
		c->state = C_RUN;
	}
}

/* Drops the body bytes in buf[pos..len). */
static void body_feed(struct conn *c)
{
	size_t avail = c->len - c->pos;

	if (c->req.head.chunked) {
		long used = http_chunked_feed(&c->chunked, c->buf + c->pos, avail);
		if (used < 0) {
			conn_refuse(c, 400);
			return;
		}
		c->pos += (size_t)used;
		if (c->chunked.total > (uint64_t)cfg.request_memory_limit) {
			conn_refuse(c, 413);
			return;
		}
		if (c->chunked.done)
			c->state = C_RUN;
	} else {
		size_t take = avail < c->body_left ? avail : (size_t)c->body_left;
		c->pos += take;
		c->body_left -= take;
		if (!c->body_left)
			c->state = C_RUN;
	}
	if (c->pos == c->len) {
		/* Everything read so far is consumed: the space after the head is free again. */
		c->len = c->pos = c->head_len;
	}
}

/* The answer is out: the next request, or the end. */
static void request_finish(struct conn *c)
{
	answer_free(c);
	if (c->close_after) {
		conn_linger(c);
		return;
	}
	request_end(c);
	/* Keep what was sent after this request (pipelining) at the start of the buffer. */
	memmove(c->buf, c->buf + c->pos, c->len - c->pos);
	c->len -= c->pos;
	c->pos = c->head_len = c->scanned = 0;
	if (c->cap > 4 * BUF_FIRST && c->len <= BUF_FIRST) {
		char *small = realloc(c->buf, BUF_FIRST);
		if (small) {
			c->buf = small;
			c->cap = BUF_FIRST;
		}
	}
	c->state = C_HEAD;
	idle_start(c);
}

/* Reads into the buffer. Returns true when bytes arrived; false when there are none yet (the caller
 * watches for more) or the connection is gone (c->state is then C_LINGER or c was closed: *closed). */
static bool conn_fill(struct conn *c, bool *closed)
{
	size_t limit = c->state == C_HEAD ? head_limit() : head_limit() + BUF_BODY_SLACK;

	if (c->len == c->cap) {
		size_t want = c->cap ? c->cap * 2 : BUF_FIRST;
		if (want > limit)
			want = limit;
		if (want <= c->cap) {
			/* The head does not fit in --web.max-request-bytes. */
			conn_refuse(c, 431);
			return true;
		}
		char *b = realloc(c->buf, want);
		if (!b) {
			conn_close(c);
			*closed = true;
			return false;
		}
		c->buf = b;
		c->cap = want;
	}
	ssize_t r = conn_recv(c, c->buf + c->len, c->cap - c->len);
	if (r > 0) {
		c->len += (size_t)r;
		return true;
	}
	if (r == -EAGAIN)
		return false;
	/* The end of the stream, or an error, before a whole request: nothing to answer. */
	conn_close(c);
	*closed = true;
	return false;
}

/* A plain HTTP request on a TLS port gets Go's answer, as from node_exporter (net/http's
 * tlsRecordHeaderLooksLikeHTTP on the first five bytes), instead of a reset: a port that silently answers
 * nothing to "curl http://" leaves its user guessing. Returns true when it answered (the connection then
 * lingers and closes). Fewer than five bytes so far: the handshake goes on (epoll cannot wait for more). */
static bool plain_http_on_tls(struct conn *c)
{
	static const char *const starts[] = { "GET /", "HEAD ", "POST ", "PUT /", "OPTIO" };
	static const char answer[] = "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";
	char hdr[5];

	if (recv(c->fd, hdr, sizeof(hdr), MSG_PEEK) != (ssize_t)sizeof(hdr))
		return false;
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (memcmp(hdr, starts[i], sizeof(hdr)) == 0) {
			if (send(c->fd, answer, sizeof(answer) - 1, MSG_NOSIGNAL) < 0)
				log_debug("cannot answer plain HTTP on the TLS port", "err", strerror(errno));
			conn_linger(c);
			return true;
		}
	return false;
}

/* Reads more of the request. Returns true when bytes arrived (or an answer was queued); false when
 * conn_drive must return: nothing to read yet (epoll watches for more), or the connection is gone. */
static bool fill_or_wait(struct conn *c)
{
	bool closed = false;

	if (conn_fill(c, &closed))
		return true;
	if (!closed)
		watch(c, EPOLLIN);
	return false;
}

/* Moves the connection on as far as it can go now. */
static void conn_drive(struct conn *c)
{
	for (;;) {
		switch (c->state) {
		case C_HANDSHAKE: {
			if (!c->tls_peeked) {
				c->tls_peeked = true;
				if (plain_http_on_tls(c))
					return;
			}
			int r = gnutls_handshake(c->tls);
			if (r == 0) {
				c->tls_up = true;
				c->state = C_HEAD;
				break;
			}
			if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal(r)) {
				if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
					watch(c, gnutls_record_get_direction(c->tls) ? EPOLLOUT : EPOLLIN);
					return;
				}
				break;
			}
			/* webconfig_tls_session_end logs why, when the connection closes. */
			conn_close(c);
			return;
		}
		case C_HEAD: {
			if (c->len) {
				size_t skip = c->head_len == 0 && c->scanned == 0 ? http_head_skip_empty(c->buf, c->len) : 0;
				if (skip) {
					memmove(c->buf, c->buf + skip, c->len - skip);
					c->len -= skip;
				}
				c->head_len = http_head_end(c->buf, c->len, &c->scanned);
				if (c->head_len) {
					head_done(c);
					break;
				}
			}
			if (!fill_or_wait(c))
				return;
			break;
		}
		case C_BODY:
			if (c->pos < c->len) {
				body_feed(c);
				break;
			}
			if (!fill_or_wait(c))
				return;
			break;
		case C_RUN:
			list_unlink(c); /* busy: never evicted, no deadline while served */
			http_request_run(&c->req);
			if (c->state == C_RUN) {
				/* Waiting for another thread: read nothing meanwhile. */
				c->state = C_PENDING;
				watch(c, 0);
				return;
			}
			break;
		case C_PENDING:
			return;
		case C_WRITE: {
			int r = conn_send(c);
			if (r < 0) {
				conn_close(c);
				return;
			}
			if (r == 0) {
				if (c->list != 2 && cfg.connection_timeout > 0)
					timed_start(c, cfg.connection_timeout);
				watch(c, EPOLLOUT);
				return;
			}
			list_unlink(c);
			request_finish(c);
			if (c->state == C_LINGER)
				return;
			break;
		}
		case C_LINGER: {
			/* The bytes are dropped unread, TLS or not: only the end of the stream matters. */
			char drop[4096];
			ssize_t r = recv(c->fd, drop, sizeof(drop), 0);
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return;
			if (r <= 0) {
				conn_close(c);
				return;
			}
			break;
		}
		}
	}
}

/* ---- the event thread ---- */

static void accept_some(struct listener *l)
{
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage sa;
		socklen_t sl = sizeof(sa);
		int fd = accept4(l->fd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				static double warned;
				double now = now_monotonic();
				if (now - warned >= 60) {
					log_warn("Cannot accept connections for now", "listener", l->name, "err",
						 strerror(errno));
					warned = now;
				}
				/* Level-triggered: stop watching the listener for a moment instead of spinning. */
				l->paused_until = now + 0.1;
				epoll_ctl(ep, EPOLL_CTL_DEL, l->fd, NULL);
			}
			return;
		}
		struct conn *c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->kind = OBJ_CONN;
		c->l = l;
		c->fd = fd;
		c->peer = sa;
		c->state = C_HEAD;
		c->events = EPOLLIN;
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			continue;
		}
		l->open++;
		n_conns++;
		idle_start(c);
		if (tls_mode) {
			char peer[HTTP_PEER_MAX];
			c->req.conn = c;
			http_peer(&c->req, peer, sizeof(peer), true);
			if (gnutls_init(&c->tls, GNUTLS_SERVER | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL) < 0) {
				c->tls = NULL;
				conn_close(c);
				continue;
			}
			gnutls_set_default_priority(c->tls);
			gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, tls_cred);
			gnutls_transport_set_int2(c->tls, fd, fd);
			c->tls_cfg = webconfig_tls_session_start(c->tls, peer);
			if (!c->tls_cfg) {
				gnutls_deinit(c->tls);
				c->tls = NULL;
				conn_close(c);
				continue;
			}
			c->state = C_HANDSHAKE;
		}
		if (l->open > l->limit)
			conn_evict(c);
	}
}

static void listener_watch(struct listener *l)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = l };

	l->paused_until = 0;
	epoll_ctl(ep, EPOLL_CTL_ADD, l->fd, &ev);
}

static void listeners_close(void)
{
	for (size_t i = 0; i < n_listeners; i++) {
		struct listener *l = &listeners[i];
		if (l->closed)
			continue;
		epoll_ctl(ep, EPOLL_CTL_DEL, l->fd, NULL);
		close(l->fd);
		l->closed = true;
	}
}

static void wakes_run(void)
{
	uint64_t v;
	struct conn *list;

	if (read(wake.fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("wake read failed", "err", strerror(errno));
	pthread_mutex_lock(&wake_mu);
	list = wake_head;
	wake_head = NULL;
	for (struct conn *c = list; c; c = c->wake_next)
		c->wake_queued = false;
	pthread_mutex_unlock(&wake_mu);
	/* Oldest first is not needed: each was woken once. */
	while (list) {
		struct conn *c = list;
		list = c->wake_next;
		c->wake_next = NULL;
		if (c->state == C_PENDING) {
			c->state = C_RUN;
			conn_drive(c);
		}
	}
}

/* Closes the connections whose deadline passed. Returns the milliseconds until the next one (-1: none). */
static int expire(void)
{
	double now = now_monotonic(), next = INFINITY;

	while (idle_head && idle_head->deadline <= now) {
		log_debug("closing a connection that sent no complete request in time", "listener", idle_head->l->name);
		conn_close(idle_head);
	}
	while (timed_head && timed_head->deadline <= now)
		conn_close(timed_head);
	if (idle_head)
		next = idle_head->deadline;
	if (timed_head && timed_head->deadline < next)
		next = timed_head->deadline;
	for (size_t i = 0; i < n_listeners; i++)
		if (listeners[i].paused_until > 0) {
			if (listeners[i].paused_until <= now && !atomic_load(&quiescing))
				listener_watch(&listeners[i]);
			else if (listeners[i].paused_until < next)
				next = listeners[i].paused_until;
		}
	if (!isfinite(next))
		return -1;
	double ms = ceil((next - now) * 1000);
	return ms < 1 ? 1 : ms > 60000 ? 60000 : (int)ms;
}

/* During a stop: true while an answer is still due or being written. */
static bool answers_due(void)
{
	/* Connections are not listed in one place; the busy ones are neither idle nor lingering. Count the
	 * others: every connection is idle, timed (writing or lingering), or busy. */
	long listed = 0;

	for (struct conn *c = idle_head; c; c = c->next)
		listed++;
	for (struct conn *c = timed_head; c; c = c->next)
		if (c->state == C_WRITE)
			return true;
		else
			listed++;
	return listed < n_conns;
}

static void *loop_main(void *arg)
{
	struct epoll_event evs[64];
	double stop_by = 0;
	bool closed_listeners = false;

	(void)arg;
	for (;;) {
		int timeout = expire();
		if (atomic_load(&quiescing) && !closed_listeners) {
			listeners_close();
			closed_listeners = true;
		}
		if (atomic_load(&stopping)) {
			double now = now_monotonic();
			if (stop_by == 0)
				stop_by = now + STOP_GRACE;
			/* Connections waiting for a request will not get one answered now. */
			while (idle_head)
				conn_close(idle_head);
			if (!answers_due() || now >= stop_by)
				break;
			timeout = 50;
		}
		int n = epoll_wait(ep, evs, 64, timeout);
		for (int i = 0; i < n; i++) {
			enum obj_kind *k = evs[i].data.ptr;
			if (*k == OBJ_WAKE) {
				wakes_run();
			} else if (*k == OBJ_LISTENER) {
				struct listener *l = (struct listener *)k;
				if (!l->closed && !atomic_load(&quiescing))
					accept_some(l);
			} else {
				conn_drive((struct conn *)k);
			}
		}
	}
	return NULL;
}

/* ---- other threads ---- */

void http_wake(struct http_req *r)
{
	struct conn *c = r->conn;
	uint64_t one = 1;

	pthread_mutex_lock(&wake_mu);
	if (!c->wake_queued) {
		c->wake_queued = true;
		c->wake_next = wake_head;
		wake_head = c;
	}
	pthread_mutex_unlock(&wake_mu);
	if (write(wake.fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_error("cannot wake the HTTP thread", "err", strerror(errno));
}

/* ---- what the request half reads ---- */

const char *http_req_header(const struct http_req *r, const char *name)
{
	return http_head_header(&r->head, name);
}

void http_req_args(struct http_req *r, void (*fn)(void *cls, const char *key, const char *value), void *cls)
{
	if (r->query)
		http_query_each(r->query, fn, cls);
}

gnutls_session_t http_req_tls(const struct http_req *r)
{
	return r->conn ? r->conn->tls : NULL;
}

void http_peer(const struct http_req *r, char *buf, size_t size, bool port)
{
	const struct sockaddr *sa = r->conn ? (const struct sockaddr *)&r->conn->peer : NULL;
	char host[INET6_ADDRSTRLEN];
	const void *addr;
	unsigned p;
	bool v6 = false;

	snprintf(buf, size, "?");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		addr = &s4->sin_addr;
		p = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		addr = &s6->sin6_addr;
		p = ntohs(s6->sin6_port);
		/* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; Go prints them as IPv4. */
		v6 = !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr);
		if (!v6)
			addr = (const unsigned char *)addr + 12;
	} else {
		return;
	}
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, addr, host, sizeof(host)))
		return;
	if (!port)
		snprintf(buf, size, "%s", host);
	else
		snprintf(buf, size, v6 ? "[%s]:%u" : "%s:%u", host, p);
}

/* ---- listeners ---- */

int http_split_address(const char *addr, char *host, char *port)
{
	const char *colon;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');
		if (!close || close[1] != ':' || (size_t)(close - addr - 1) >= 256)
			return -EINVAL;
		memcpy(host, addr + 1, (size_t)(close - addr - 1));
		host[close - addr - 1] = '\0';
		colon = close + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon || (size_t)(colon - addr) >= 256)
			return -EINVAL;
		memcpy(host, addr, (size_t)(colon - addr));
		host[colon - addr] = '\0';
		if (strchr(host, ':'))
			return -EINVAL; /* an IPv6 address needs brackets */
	}
	if (!colon[1] || strlen(colon + 1) >= 16)
		return -EINVAL;
	for (const char *p = colon + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return -EINVAL;
	strcpy(port, colon + 1);
	return 0;
}

static int bind_one(int family, const struct sockaddr *sa, socklen_t len, bool dual)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1, zero = 0;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? &zero : &one, sizeof(int));
	if (bind(fd, sa, len) < 0 || listen(fd, SOMAXCONN) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* Opens a listening socket for addr. ":port" listens on every IPv6 and IPv4 address, as Go does. */
static int open_listener(const char *addr, char *err, size_t err_size)
{
	char host[256], port[16];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res = NULL;
	int fd = -EADDRNOTAVAIL, gai;

	if (http_split_address(addr, host, port) < 0) {
		snprintf(err, err_size, "listen tcp %s: address %s: missing port in address", addr, addr);
		return -EINVAL;
	}
	if (!host[0]) {
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
		struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
		char *end;
		unsigned long p = strtoul(port, &end, 10);
		if (*end || p > 65535) {
			snprintf(err, err_size, "listen tcp %s: unknown port", addr);
			return -EINVAL;
		}
		s6.sin6_port = htons((uint16_t)p);
		s4.sin_port = htons((uint16_t)p);
		fd = bind_one(AF_INET6, (struct sockaddr *)&s6, sizeof(s6), true);
		if (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL)
			fd = bind_one(AF_INET, (struct sockaddr *)&s4, sizeof(s4), false);
	} else {
		gai = getaddrinfo(host, port, &hints, &res);
		if (gai != 0) {
			snprintf(err, err_size, "listen tcp %s: %s", addr, gai_strerror(gai));
			return -EINVAL;
		}
		for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
			fd = bind_one(ai->ai_family, ai->ai_addr, ai->ai_addrlen, false);
			if (fd >= 0)
				break;
		}
		freeaddrinfo(res);
	}
	if (fd < 0)
		snprintf(err, err_size, "listen tcp %s: bind: %s", addr, strerror(-fd));
	return fd;
}

static int listener_add(int fd, const char *name, char *err, size_t err_size)
{
	struct listener *l = &listeners[n_listeners];

	if (n_listeners == MAX_LISTENERS) {
		snprintf(err, err_size, "too many listen addresses (at most %d)", MAX_LISTENERS);
		return -EINVAL;
	}
	l->kind = OBJ_LISTENER;
	l->fd = fd;
	l->closed = false;
	snprintf(l->name, sizeof(l->name), "%s", name);
	/* systemd's sockets may be blocking; accept must not block the event thread. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	listener_watch(l);
	n_listeners++;
	log_info("Listening on", "address", l->name);
	log_info(tls_mode ? "TLS is enabled." : "TLS is disabled.", "http2", "false", "address", l->name);
	return 0;
}

/* Gives each of n listeners --web.max-connections, or less when the descriptors would not suffice: the file
 * descriptor cache may hold half of RLIMIT_NOFILE, 512 at most (src/fileio.c), and a collector that cannot
 * open its files because connections took every descriptor would fail the very scrape the limit is meant
 * to protect. */
static void set_limits(size_t n)
{
	struct rlimit rl;
	long limit = cfg.connection_limit;

	if (n == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		long cache = (long)(rl.rlim_cur / 2) < 512 ? (long)(rl.rlim_cur / 2) : 512;
		long budget = (long)rl.rlim_cur - cache - FD_RESERVE;
		long fit = budget / (long)n;
		if (fit < 16)
			fit = 16;
		if (limit > fit) {
			char want[32], got[32], nofile[32];
			snprintf(want, sizeof(want), "%ld", limit);
			snprintf(got, sizeof(got), "%ld", fit);
			snprintf(nofile, sizeof(nofile), "%llu", (unsigned long long)rl.rlim_cur);
			log_warn("--web.max-connections lowered to fit the open file limit", "configured", want,
				 "per_listener", got, "nofile", nofile);
			limit = fit;
		}
	}
	for (size_t i = 0; i < MAX_LISTENERS; i++)
		listeners[i].limit = limit;
}

static int tls_setup(char *err, size_t err_size)
{
	int r;

	tls_mode = webconfig_tls();
	if (!tls_mode)
		return 0;
	r = gnutls_certificate_allocate_credentials(&tls_cred);
	if (r < 0) {
		snprintf(err, err_size, "TLS: %s", gnutls_strerror(r));
		return -EIO;
	}
	/* The certificate comes from the web configuration in force at each handshake. */
	gnutls_certificate_set_retrieve_function2(tls_cred, webconfig_tls_retrieve_cert);
	return 0;
}

int http_start(const struct http_config *c, char *err, size_t err_size)
{
	cfg = *c;
	if (cfg.connection_limit <= 0)
		cfg.connection_limit = 1024;
	if (cfg.request_memory_limit <= 0)
		cfg.request_memory_limit = 32 * 1024;
	atomic_store(&quiescing, false);
	atomic_store(&stopping, false);
	if (http_request_setup(&cfg) < 0) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	if (tls_setup(err, err_size) < 0)
		return -EIO;
	ep = epoll_create1(EPOLL_CLOEXEC);
	wake.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ep < 0 || wake.fd < 0) {
		snprintf(err, err_size, "cannot start the HTTP server: %s", strerror(errno));
		return -EIO;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &wake };
	epoll_ctl(ep, EPOLL_CTL_ADD, wake.fd, &ev);
	if (cfg.systemd_socket) {
		int n = sd_listen_fds(1);
		if (n <= 0) {
			snprintf(err, err_size, "--web.systemd-socket given, but systemd passed no socket");
			return -EINVAL;
		}
		set_limits(n > MAX_LISTENERS ? MAX_LISTENERS : (size_t)n);
		for (int i = 0; i < n && n_listeners < MAX_LISTENERS; i++) {
			char name[64];
			snprintf(name, sizeof(name), "systemd socket %d", SD_LISTEN_FDS_START + i);
			if (listener_add(SD_LISTEN_FDS_START + i, name, err, err_size) < 0)
				return -EIO;
		}
	} else {
		set_limits(cfg.listen.n);
		for (size_t i = 0; i < cfg.listen.n; i++) {
			int fd;
			if (n_listeners == MAX_LISTENERS) {
				snprintf(err, err_size, "too many listen addresses (at most %d)", MAX_LISTENERS);
				return -EINVAL;
			}
			fd = open_listener(cfg.listen.v[i], err, err_size);
			if (fd < 0)
				return fd;
			listener_add(fd, cfg.listen.v[i], err, err_size);
		}
	}
	if (pthread_create(&loop_thread, NULL, loop_main, NULL) != 0) {
		snprintf(err, err_size, "cannot start the HTTP thread");
		return -EAGAIN;
	}
	loop_running = true;
	return 0;
}

static void loop_wake(void)
{
	uint64_t one = 1;

	if (wake.fd >= 0 && write(wake.fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_error("cannot wake the HTTP thread", "err", strerror(errno));
}

void http_quiesce(void)
{
	/* New connections are refused from here on; requests on open connections still get an answer. */
	atomic_store(&quiescing, true);
	loop_wake();
}

void http_stop(void)
{
	/* Requests waiting for a bcrypt check are answered first (the workers wake their connections). */
	auth_stop();
	atomic_store(&quiescing, true);
	atomic_store(&stopping, true);
	loop_wake();
	if (loop_running) {
		pthread_join(loop_thread, NULL);
		loop_running = false;
	}
	/* What is left: connections whose answer did not go out within the grace period, and those still
	 * waiting for another thread (their request half keeps its state until the process ends). */
	while (timed_head)
		conn_close(timed_head);
	listeners_close();
	n_listeners = 0;
	if (wake.fd >= 0)
		close(wake.fd);
	wake.fd = -1;
	if (ep >= 0)
		close(ep);
	ep = -1;
	if (tls_cred)
		gnutls_certificate_free_credentials(tls_cred);
	tls_cred = NULL;
	webconfig_fini();
}
