#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "exposition.h"
#include "fmt.h"
#include "http.h"
#include "log.h"
#include "metric.h"
#include "nodex.h"
#include "scrape.h"
#include "webconfig.h"

#define MAX_LISTENERS 16
#define MAX_FILTER_NAMES 256
/* libmicrohttpd may hold this many connections beyond --web.max-connections: those we have just shut down
 * and it has not closed yet. */
#define EVICT_SLACK 64
/* Descriptors kept out of the connections' share for everything else (listeners, epoll, logs, textfiles). */
#define FD_RESERVE 64

struct listener {
	int fd;
	struct MHD_Daemon *daemon;
	char name[300];
	long limit; /* --web.max-connections, lowered to fit RLIMIT_NOFILE */
	long open;  /* connections counted against limit (conn_mu) */
};

/* One accepted connection. It waits for a request from its opening, and again after each response; a
 * request whose line and headers have not all arrived within --web.connection-timeout of the start of the
 * wait is cut off (libmicrohttpd's own timeout counts idle time only, so a client sending one byte every
 * few seconds would hold the connection forever). While a request is being served the connection is
 * busy and is never cut off here. */
struct conn {
	struct conn *prev, *next; /* in the waiting list, oldest first */
	struct listener *l;
	int fd;
	double since;    /* CLOCK_MONOTONIC seconds when the wait began */
	bool waiting;
	bool dropped;    /* shut down by us; no longer counted in l->open */
	void *tls;       /* the web configuration this TLS session is bound to */
};

static pthread_mutex_t conn_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t conn_cv;
static struct conn *wait_head, *wait_tail;
static pthread_t reaper;
static bool reaper_running, reaper_stop;
static double evict_warned; /* when the last warning about the limit was logged */
static unsigned long evicted_since_warning;

static struct http_config cfg;
static struct listener listeners[MAX_LISTENERS];
static size_t n_listeners;

/* promhttp's self metrics. */
static atomic_long in_flight;
static atomic_ulong requests_200, requests_500, requests_503, errors_gathering, errors_encoding;

static const struct metric_desc requests_desc =
	METRIC_DESC("promhttp_metric_handler_requests_total", "Total number of scrapes by HTTP status code.",
		    METRIC_COUNTER, "code");
static const struct metric_desc in_flight_desc = METRIC_DESC(
	"promhttp_metric_handler_requests_in_flight", "Current number of scrapes being served.", METRIC_GAUGE);
static const struct metric_desc errors_desc =
	METRIC_DESC("promhttp_metric_handler_errors_total",
		    "Total number of internal errors encountered by the promhttp metric handler.", METRIC_COUNTER,
		    "cause");

enum req_state {
	REQ_NEW,
	REQ_WAITING,
	REQ_DONE,
	REQ_AUTH_WAITING, /* suspended while the auth worker runs bcrypt */
	REQ_AUTH_DONE,
	REQ_AUTH_BUSY,    /* too many checks queued */
};

struct req {
	struct scrape_job job;
	struct MHD_Connection *conn;
	enum req_state state;
	bool gated; /* passed the web configuration's rate limit and basic auth */
	struct webconfig_auth_job *auth;
	uint64_t body_bytes; /* request body read (and dropped) so far */
};

static enum MHD_Result http_error(struct MHD_Connection *conn, unsigned status, const char *msg);

/* The request context of a request whose query has too many arguments (see uri_seen). */
static char too_many_args;

/* ---- connection limits and deadlines ---- */

/* Called with conn_mu held. */
static void wait_unlink(struct conn *c)
{
	if (!c->waiting)
		return;
	*(c->prev ? &c->prev->next : &wait_head) = c->next;
	*(c->next ? &c->next->prev : &wait_tail) = c->prev;
	c->prev = c->next = NULL;
	c->waiting = false;
}

/* Starts a wait for the next request. Called with conn_mu held. */
static void wait_append(struct conn *c)
{
	bool was_empty = !wait_head;

	c->since = now_monotonic();
	c->waiting = true;
	c->next = NULL;
	c->prev = wait_tail;
	*(wait_tail ? &wait_tail->next : &wait_head) = c;
	wait_tail = c;
	if (was_empty)
		pthread_cond_signal(&conn_cv);
}

/* Shuts the connection's socket down: libmicrohttpd reads the end of the stream on its next round and
 * closes the connection. Only the socket is touched, never libmicrohttpd's state, so this is safe from any
 * thread; the descriptor stays open until its NOTIFY_CLOSED, which needs conn_mu. Called with it held. */
static void conn_drop(struct conn *c)
{
	shutdown(c->fd, SHUT_RDWR);
	wait_unlink(c);
	c->dropped = true;
	c->l->open--;
}

static struct conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* Closes the connections whose wait for a request has passed --web.connection-timeout. */
static void *reaper_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&conn_mu);
	while (!reaper_stop) {
		double now = now_monotonic();
		while (wait_head && wait_head->since + cfg.connection_timeout <= now) {
			log_debug("closing a connection that sent no complete request in time", "listener",
				  wait_head->l->name);
			conn_drop(wait_head);
		}
		if (!wait_head) {
			pthread_cond_wait(&conn_cv, &conn_mu);
			continue;
		}
		double at = wait_head->since + cfg.connection_timeout;
		struct timespec ts = { .tv_sec = (time_t)at, .tv_nsec = (long)((at - floor(at)) * 1e9) };
		pthread_cond_timedwait(&conn_cv, &conn_mu, &ts);
	}
	pthread_mutex_unlock(&conn_mu);
	return NULL;
}

/* A new connection over the listener's limit closes the one that has waited longest for a request, so
 * idle or slow clients cannot keep a real scrape out: a scraper sends its request at once and is then
 * busy, and busy connections are never chosen. When every connection is busy the new one is closed.
 * Called with conn_mu held. */
static void conn_evict(struct conn *fresh)
{
	struct listener *l = fresh->l;
	struct conn *victim = wait_head;

	while (victim && (victim->l != l || victim == fresh))
		victim = victim->next;
	conn_drop(victim ? victim : fresh);
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
}

/* Tracks each connection from its opening to its end; for TLS connections, also binds the session to the
 * web configuration in force before its handshake, and lets it go when the connection closes. Runs on the
 * listener's thread. */
static void notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	struct listener *l = cls;
	struct conn *c;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		c = calloc(1, sizeof(*c));
		if (!c) {
			if (fd)
				shutdown(fd->connect_fd, SHUT_RDWR);
			*socket_context = NULL;
			return;
		}
		c->l = l;
		c->fd = fd ? fd->connect_fd : -1;
		if (webconfig_tls()) {
			const union MHD_ConnectionInfo *ci =
				MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
			c->tls = ci && ci->tls_session ? webconfig_tls_session_start(ci->tls_session) : NULL;
		}
		pthread_mutex_lock(&conn_mu);
		l->open++;
		wait_append(c);
		if (l->open > l->limit)
			conn_evict(c);
		pthread_mutex_unlock(&conn_mu);
		*socket_context = c;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		c = *socket_context;
		if (!c)
			return;
		pthread_mutex_lock(&conn_mu);
		wait_unlink(c);
		if (!c->dropped)
			l->open--;
		pthread_mutex_unlock(&conn_mu);
		if (c->tls)
			webconfig_tls_session_end(c->tls);
		free(c);
		*socket_context = NULL;
	}
}

/* The request line has arrived. libmicrohttpd 0.9.75 then stores each query argument in the connection's
 * memory pool (--web.max-request-bytes, about 48 bytes per argument); when a record does not fit there it
 * logs a 431 but neither answers nor closes, and the connection hangs. So the query and its records may take
 * a quarter of the pool at most (measured: with half, a request with many headers as well still ran the
 * pool out at a header record and hung; with a quarter, none of thousands of mixed requests did). For more,
 * cut the query (libmicrohttpd parses it right after this call, from this same buffer) and answer 414 in
 * the handler. A quarter of the default is about 130 collect[] values, more than there are collectors. */
static void *uri_seen(void *cls, const char *uri, struct MHD_Connection *conn)
{
	char *q = strchr(uri, '?');
	size_t n = 1;

	(void)cls;
	(void)conn;
	if (!q)
		return NULL;
	for (const char *p = q; *p; p++)
		n += *p == '&';
	if (n * 48 + strlen(uri) <= (size_t)cfg.request_memory_limit / 4)
		return NULL;
	q[1] = '\0';
	return &too_many_args;
}

struct header_scan {
	unsigned n_length;
	bool length_differs;
	const char *length;
};

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct header_scan *h = cls;

	(void)kind;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (h->n_length++ && !streq(h->length, value ? value : ""))
			h->length_differs = true;
		h->length = value ? value : "";
	}
	return MHD_YES;
}

/* Checks what can be checked once the headers are in, before any body is read: framing that two parsers
 * could read differently (RFC 9112 section 6.3) and bodies over --web.max-request-bytes. An answer queued
 * now makes libmicrohttpd skip the body and close the connection afterwards. Returns true when it answered. */
static bool reject_early(struct MHD_Connection *conn, enum MHD_Result *res)
{
	struct header_scan h = { 0 };
	char *end;

	MHD_get_connection_values(conn, MHD_HEADER_KIND, scan_header, &h);
	if (h.length_differs ||
	    (h.n_length && MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))) {
		*res = http_error(conn, MHD_HTTP_BAD_REQUEST, "Bad Request: conflicting Content-Length or Transfer-Encoding");
		return true;
	}
	if (h.length) {
		errno = 0;
		unsigned long long n = strtoull(h.length, &end, 10);
		if (errno || end == h.length || n > (unsigned long long)cfg.request_memory_limit) {
			*res = http_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, "Request body too large");
			return true;
		}
	}
	return false;
}

static void exporter_metrics(struct metric_set *ms)
{
	struct family *f = metric_family(ms, &requests_desc);

	metric_add(f, (double)atomic_load(&requests_200), "200");
	metric_add(f, (double)atomic_load(&requests_500), "500");
	metric_add(f, (double)atomic_load(&requests_503), "503");
	metric_emit(ms, &in_flight_desc, (double)atomic_load(&in_flight));
	f = metric_family(ms, &errors_desc);
	metric_add(f, (double)atomic_load(&errors_encoding), "encoding");
	metric_add(f, (double)atomic_load(&errors_gathering), "gathering");
}

bool http_accepts_gzip(const char *ae)
{
	bool gzip = false, star = false, gzip_named = false;

	if (!ae)
		return false;
	while (*ae) {
		char token[32];
		size_t n = 0;
		double q = 1;

		while (*ae == ' ' || *ae == '\t' || *ae == ',')
			ae++;
		while (*ae && *ae != ',' && *ae != ';' && *ae != ' ' && *ae != '\t') {
			if (n + 1 < sizeof(token))
				token[n++] = (char)tolower((unsigned char)*ae);
			ae++;
		}
		token[n] = '\0';
		/* Parameters: only q matters. */
		while (*ae && *ae != ',') {
			if (*ae == ';') {
				ae++;
				while (*ae == ' ' || *ae == '\t')
					ae++;
				if ((ae[0] == 'q' || ae[0] == 'Q') && ae[1] == '=') {
					char *end;
					q = strtod(ae + 2, &end);
					if (end == ae + 2)
						q = 0;
					ae = end;
					continue;
				}
			}
			if (*ae)
				ae++;
		}
		if (streq(token, "gzip") || streq(token, "x-gzip")) {
			gzip_named = true;
			gzip = q > 0;
		} else if (streq(token, "*")) {
			star = q > 0;
		}
	}
	return gzip_named ? gzip : star;
}

double http_scrape_timeout(const char *h)
{
	char *end;
	double t;

	if (!h)
		return 0;
	t = strtod(h, &end);
	if (end != h && t > 0 && t < 3600)
		return t > 1 ? t - 0.5 : t * 0.9;
	return 0;
}

/* Adds the web configuration's http_server_config.headers. exporter-toolkit sets them before the
 * handler runs, so a header the handler sets itself wins: those already present are left alone. */
static void add_web_headers(struct MHD_Response *resp)
{
	const struct webconfig_header *h;
	struct webconfig_state *st;
	size_t n;

	if (!webconfig_enabled() || !(st = webconfig_acquire()))
		return;
	n = webconfig_headers(st, &h);
	for (size_t i = 0; i < n; i++)
		if (!MHD_get_response_header(resp, h[i].name))
			MHD_add_response_header(resp, h[i].name, h[i].value);
	webconfig_release(st);
}

static enum MHD_Result queue(struct MHD_Connection *conn, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result r;

	add_web_headers(resp);
	r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static struct MHD_Response *text_response(const char *body, const char *content_type)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);

	if (!resp)
		return NULL;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	return resp;
}

static enum MHD_Result queue_text(struct MHD_Connection *conn, unsigned status, const char *body,
				  const char *content_type)
{
	struct MHD_Response *resp = text_response(body, content_type);

	return resp ? queue(conn, status, resp) : MHD_NO;
}

/* Go's http.Error: the text, a newline, text/plain. */
static enum MHD_Result http_error(struct MHD_Connection *conn, unsigned status, const char *msg)
{
	char body[600];

	snprintf(body, sizeof(body), "%s\n", msg);
	return queue_text(conn, status, body, "text/plain; charset=utf-8");
}

static void html_escape(struct strbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			sb_puts(b, "&lt;");
			break;
		case '>':
			sb_puts(b, "&gt;");
			break;
		case '&':
			sb_puts(b, "&amp;");
			break;
		case '"':
			sb_puts(b, "&quot;");
			break;
		default:
			sb_putc(b, *s);
		}
	}
}

static enum MHD_Result landing_page(struct MHD_Connection *conn)
{
	struct strbuf b = { 0 };
	struct collector_info ci;
	enum MHD_Result r;

	sb_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"UTF-8\">\n"
		    "<title>nodex</title>\n<style>body{font-family:sans-serif;margin:2em}"
		    "table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}"
		    "tr:nth-child(even){background:#f4f4f4}.fail{color:#b00}</style>\n</head>\n<body>\n"
		    "<h1>nodex</h1>\n<p>Prometheus node exporter, compatible with node_exporter. Version " NODEX_VERSION
		    ".</p>\n<ul><li><a href=\"");
	html_escape(&b, cfg.telemetry_path);
	sb_puts(&b, "\">Metrics</a></li></ul>\n<h2>Collectors</h2>\n<table>\n<tr><th>collector</th><th>last "
		    "result</th><th>duration (s)</th><th>last run (UTC)</th></tr>\n");
	for (size_t i = 0; scrape_collector_info(i, &ci); i++) {
		char dur[FMT_DOUBLE_MAX] = "", when[32] = "";
		if (!ci.enabled)
			continue;
		if (ci.ran) {
			time_t t = (time_t)ci.last_run;
			struct tm tm;
			snprintf(dur, sizeof(dur), "%.6f", ci.duration);
			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		}
		sb_printf(&b, "<tr><td>%s</td><td%s>%s</td><td>%s</td><td>%s</td></tr>\n", ci.name,
			  ci.ran && !ci.success ? " class=\"fail\"" : "",
			  !ci.ran ? "not run yet" : ci.success ? "success" : "failed", dur, when);
	}
	sb_puts(&b, "</table>\n</body>\n</html>\n");
	if (b.err) {
		sb_free(&b);
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	}
	r = queue_text(conn, MHD_HTTP_OK, b.p, "text/html; charset=UTF-8");
	sb_free(&b);
	return r;
}

struct query_names {
	const char *collect[MAX_FILTER_NAMES];
	size_t n_collect;
	const char *exclude[MAX_FILTER_NAMES];
	size_t n_exclude;
	bool overflow;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct query_names *q = cls;

	(void)kind;
	if (!value)
		value = "";
	if (streq(key, "collect[]")) {
		if (q->n_collect < MAX_FILTER_NAMES)
			q->collect[q->n_collect++] = value;
		else
			q->overflow = true;
	} else if (streq(key, "exclude[]")) {
		if (q->n_exclude < MAX_FILTER_NAMES)
			q->exclude[q->n_exclude++] = value;
		else
			q->overflow = true;
	}
	return MHD_YES;
}

static void free_output(void *cls)
{
	scrape_output_unref(cls);
}

/* Runs on the scrape thread. */
static void scrape_done(struct scrape_job *job)
{
	struct req *r = job->cls;

	r->state = REQ_DONE;
	MHD_resume_connection(r->conn);
}

static enum MHD_Result answer_scrape(struct req *r)
{
	struct scrape_output *o = r->job.out;
	enum MHD_Result res;

	atomic_fetch_sub(&in_flight, 1);
	atomic_fetch_add(&errors_gathering, r->job.gather_errors);
	if (r->job.result == SCRAPE_STOPPING) {
		atomic_fetch_add(&requests_503, 1);
		return http_error(r->conn, MHD_HTTP_SERVICE_UNAVAILABLE, "nodex is shutting down.");
	}
	if (r->job.result != SCRAPE_OK || !o) {
		atomic_fetch_add(&requests_500, 1);
		atomic_fetch_add(&errors_encoding, 1);
		return http_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "An error has occurred while serving metrics.");
	}
	r->job.out = NULL;
	struct MHD_Response *resp =
		MHD_create_response_from_buffer_with_free_callback_cls(o->len, o->data, free_output, o);
	if (!resp) {
		scrape_output_unref(o);
		atomic_fetch_add(&requests_500, 1);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, EXPO_CONTENT_TYPE);
	if (o->gzip)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	res = queue(r->conn, MHD_HTTP_OK, resp);
	atomic_fetch_add(&requests_200, 1);
	return res;
}

static enum MHD_Result start_scrape(struct req *r)
{
	struct MHD_Connection *conn = r->conn;
	struct query_names q = { 0 };
	char err[512];
	const char *h;

	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
	if (q.overflow)
		return http_error(conn, MHD_HTTP_BAD_REQUEST, "Too many collect[] or exclude[] values.");
	if (scrape_select(&r->job.sel, q.collect, q.n_collect, q.exclude, q.n_exclude, err, sizeof(err)) < 0) {
		log_warn("Couldn't create filtered metrics handler", "err", err);
		return http_error(conn, MHD_HTTP_BAD_REQUEST, err);
	}
	long limit = cfg.max_requests;
	if (limit > 0 && atomic_fetch_add(&in_flight, 1) >= limit) {
		atomic_fetch_sub(&in_flight, 1);
		atomic_fetch_add(&requests_503, 1);
		snprintf(err, sizeof(err), "Limit of concurrent requests reached (%ld), try again later.", limit);
		return http_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, err);
	}
	if (limit <= 0)
		atomic_fetch_add(&in_flight, 1);
	r->job.format = SCRAPE_FORMAT_TEXT;
	r->job.gzip = http_accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Encoding"));
	/* Prometheus says how long it will wait; collectors that may block get a little less than that. */
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Prometheus-Scrape-Timeout-Seconds");
	r->job.timeout = http_scrape_timeout(h);
	r->job.done = scrape_done;
	r->job.cls = r;
	r->state = REQ_WAITING;
	MHD_suspend_connection(conn);
	scrape_submit(&r->job);
	return MHD_YES;
}

/* Runs on the auth worker thread. */
static void auth_done(void *cls)
{
	struct req *r = cls;

	r->state = REQ_AUTH_DONE;
	MHD_resume_connection(r->conn);
}

/* 401 as exporter-toolkit answers it. */
static enum MHD_Result unauthorized(struct MHD_Connection *conn)
{
	struct MHD_Response *resp = text_response("Unauthorized\n", "text/plain; charset=utf-8");

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic");
	return queue(conn, MHD_HTTP_UNAUTHORIZED, resp);
}

/* exporter-toolkit's webHandler in front of everything: the rate limit (429, answered before the extra
 * headers are set, as there), then basic auth. Returns true when the request was answered or suspended
 * here, with what to return in *res. */
static bool web_gate(struct req *r, enum MHD_Result *res)
{
	struct MHD_Connection *conn = r->conn;
	struct webconfig_state *st;
	enum webconfig_auth_status a;

	*res = MHD_YES;
	if (r->state == REQ_AUTH_BUSY) {
		r->state = REQ_NEW;
		*res = http_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "Too many authentication checks waiting, try again later.");
		return true;
	}
	if (r->state == REQ_AUTH_DONE) {
		bool ok = webconfig_auth_finish(r->auth);
		r->auth = NULL;
		r->state = REQ_NEW;
		if (!ok)
			*res = unauthorized(conn);
		return !ok;
	}
	if (webconfig_tls()) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
		if (!ci || !ci->tls_session || webconfig_tls_session_check(ci->tls_session) < 0) {
			*res = MHD_NO;
			return true;
		}
	}
	webconfig_maybe_reload();
	st = webconfig_acquire();
	if (!st)
		return false;
	if (!webconfig_rate_allow(st)) {
		struct MHD_Response *resp = text_response("Too Many Requests\n", "text/plain; charset=utf-8");
		webconfig_release(st);
		if (!resp) {
			*res = MHD_NO;
			return true;
		}
		*res = MHD_queue_response(conn, MHD_HTTP_TOO_MANY_REQUESTS, resp);
		MHD_destroy_response(resp);
		return true;
	}
	a = webconfig_auth_begin(st, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
				 &r->auth);
	webconfig_release(st);
	switch (a) {
	case WEBCONFIG_AUTH_OFF:
	case WEBCONFIG_AUTH_OK:
		return false;
	case WEBCONFIG_AUTH_DENIED:
		*res = unauthorized(conn);
		return true;
	case WEBCONFIG_AUTH_PENDING:
		break;
	}
	/* Suspend first: the worker may finish and resume before this function returns. */
	r->state = REQ_AUTH_WAITING;
	MHD_suspend_connection(conn);
	if (webconfig_auth_submit(r->auth, auth_done, r) < 0) {
		r->auth = NULL;
		r->state = REQ_AUTH_BUSY;
		MHD_resume_connection(conn);
	}
	return true;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)version;
	(void)upload_data;
	if (!r || r == (struct req *)&too_many_args) {
		/* The first call: the request line and headers are in. The connection is busy from now on. */
		struct conn *c = conn_of(conn);
		enum MHD_Result res;
		if (c) {
			pthread_mutex_lock(&conn_mu);
			bool dropped = c->dropped;
			wait_unlink(c);
			pthread_mutex_unlock(&conn_mu);
			if (dropped)
				return MHD_NO;
		}
		if (r) {
			*con_cls = NULL;
			return http_error(conn, MHD_HTTP_URI_TOO_LONG, "Too many query arguments.");
		}
		if (reject_early(conn, &res))
			return res;
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->conn = conn;
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* A request body means nothing to us: it is read and dropped, up to --web.max-request-bytes (a
		 * chunked one has no length to check first); past that the connection is closed. */
		r->body_bytes += *upload_data_size;
		*upload_data_size = 0;
		return r->body_bytes > (uint64_t)cfg.request_memory_limit ? MHD_NO : MHD_YES;
	}
	if (r->state == REQ_DONE)
		return answer_scrape(r);
	if (r->state == REQ_WAITING || r->state == REQ_AUTH_WAITING)
		return MHD_YES;
	if (!r->gated && webconfig_enabled()) {
		enum MHD_Result res;
		if (web_gate(r, &res))
			return res;
		r->gated = true;
	}
	if (!streq(method, MHD_HTTP_METHOD_GET) && !streq(method, MHD_HTTP_METHOD_HEAD) &&
	    !streq(method, MHD_HTTP_METHOD_POST))
		return http_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "Method Not Allowed");
	if (streq(url, cfg.telemetry_path))
		return start_scrape(r);
	if (streq(url, "/"))
		return landing_page(conn);
	return http_error(conn, MHD_HTTP_NOT_FOUND, "404 page not found");
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	(void)cls;
	/* Back to waiting for the connection's next request, unless it is closing. */
	struct conn *c = conn_of(conn);
	if (c && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK) {
		pthread_mutex_lock(&conn_mu);
		if (!c->dropped && !c->waiting)
			wait_append(c);
		pthread_mutex_unlock(&conn_mu);
	}
	if (!r || r == (struct req *)&too_many_args)
		return;
	if (r->job.out)
		scrape_output_unref(r->job.out);
	if (r->auth)
		webconfig_auth_finish(r->auth);
	free(r);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (size_t n = strlen(msg); n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'); n--)
		msg[n - 1] = '\0';
	log_debug("http server", "err", msg);
}

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

static int start_daemon(struct listener *l, char *err, size_t err_size)
{
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem tls_opts[2] = { { MHD_OPTION_END, 0, NULL } };

	if (webconfig_tls()) {
		/* The certificate comes from the web configuration in force at each handshake. */
		flags |= MHD_USE_TLS;
		tls_opts[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_CERT_CALLBACK, 0,
						       (void *)webconfig_tls_retrieve_cert };
	}
	/* libmicrohttpd's own limit leaves room for the connections conn_evict shut down and it has not closed
	 * yet; its idle timeout (whole seconds, 0 = none) covers a client that stops reading a response. */
	l->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, handle, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET,
		l->fd, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, notify_connection, l,
		MHD_OPTION_URI_LOG_CALLBACK, uri_seen, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)ceil(cfg.connection_timeout > 0 ? cfg.connection_timeout : 0), MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)(l->limit + EVICT_SLACK), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)cfg.request_memory_limit, MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
	if (!l->daemon) {
		snprintf(err, err_size, "cannot start the HTTP server on %s", l->name);
		return -EIO;
	}
	log_info("Listening on", "address", l->name);
	log_info(webconfig_tls() ? "TLS is enabled." : "TLS is disabled.", "http2", "false", "address", l->name);
	return 0;
}

/* Gives each of n listeners --web.max-connections, or less when the descriptors would not suffice: the file
 * descriptor cache may hold half of RLIMIT_NOFILE, 512 at most (src/procfs.c), and a collector that cannot
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
		long fit = budget / (long)n - EVICT_SLACK;
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

static int start_reaper(char *err, size_t err_size)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&conn_cv, &ca);
	pthread_condattr_destroy(&ca);
	if (cfg.connection_timeout <= 0)
		return 0;
	reaper_stop = false;
	if (pthread_create(&reaper, NULL, reaper_main, NULL) != 0) {
		snprintf(err, err_size, "cannot start the connection timeout thread");
		return -EAGAIN;
	}
	reaper_running = true;
	return 0;
}

int http_start(const struct http_config *c, char *err, size_t err_size)
{
	cfg = *c;
	/* The path may point into a configuration file's memory, which a reload replaces. */
	cfg.telemetry_path = strdup(c->telemetry_path);
	if (!cfg.telemetry_path) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	if (cfg.connection_limit <= 0)
		cfg.connection_limit = 1024;
	if (cfg.request_memory_limit <= 0)
		cfg.request_memory_limit = 32 * 1024;
	scrape_set_exporter_hook(exporter_metrics);
	if (start_reaper(err, err_size) < 0)
		return -EAGAIN;
	if (cfg.systemd_socket) {
		int n = sd_listen_fds(1);
		if (n <= 0) {
			snprintf(err, err_size, "--web.systemd-socket given, but systemd passed no socket");
			return -EINVAL;
		}
		set_limits(n > MAX_LISTENERS ? MAX_LISTENERS : n);
		for (int i = 0; i < n && n_listeners < MAX_LISTENERS; i++) {
			struct listener *l = &listeners[n_listeners];
			l->fd = SD_LISTEN_FDS_START + i;
			snprintf(l->name, sizeof(l->name), "systemd socket %d", l->fd);
			if (start_daemon(l, err, err_size) < 0)
				return -EIO;
			n_listeners++;
		}
		return 0;
	}
	set_limits(cfg.listen.n);
	for (size_t i = 0; i < cfg.listen.n; i++) {
		struct listener *l = &listeners[n_listeners];
		if (n_listeners == MAX_LISTENERS) {
			snprintf(err, err_size, "too many listen addresses (at most %d)", MAX_LISTENERS);
			return -EINVAL;
		}
		l->fd = open_listener(cfg.listen.v[i], err, err_size);
		if (l->fd < 0)
			return l->fd;
		snprintf(l->name, sizeof(l->name), "%s", cfg.listen.v[i]);
		if (start_daemon(l, err, err_size) < 0) {
			close(l->fd);
			return -EIO;
		}
		n_listeners++;
	}
	return 0;
}

void http_quiesce(void)
{
	/* New connections are refused from here on; requests on open connections still get an answer. */
	for (size_t i = 0; i < n_listeners; i++)
		MHD_quiesce_daemon(listeners[i].daemon);
}

void http_stop(void)
{
	/* scrape_stop() has answered every job, but a resumed connection is still counted as suspended by
	 * libmicrohttpd until its own thread has queued the answer, and stopping the daemon before that
	 * aborts the process. in_flight drops when the answer is queued: wait for it, a few seconds at most. */
	for (int i = 0; i < 5000 && atomic_load(&in_flight) > 0; i++)
		usleep(1000);
	/* Requests waiting for a bcrypt check are answered first: MHD cannot stop with suspended ones. */
	webconfig_stop();
	if (reaper_running) {
		pthread_mutex_lock(&conn_mu);
		reaper_stop = true;
		pthread_cond_signal(&conn_cv);
		pthread_mutex_unlock(&conn_mu);
		pthread_join(reaper, NULL);
		reaper_running = false;
	}
	for (size_t i = 0; i < n_listeners; i++) {
		MHD_stop_daemon(listeners[i].daemon);
		close(listeners[i].fd);
	}
	n_listeners = 0;
	webconfig_fini();
}
