/* The request half of the HTTP front end (see include/http_internal.h): what one request gets, from its
 * headers to its answer. exporter-toolkit's gate first (rate limit, basic auth with bcrypt on the auth
 * worker), then the routes: the telemetry path (collect[]/exclude[], content negotiation, gzip, the scrape
 * on the scrape thread while the connection is suspended), the landing page, 404. */
#include <ctype.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "exposition.h"
#include "fmt.h"
#include "http_internal.h"
#include "log.h"
#include "metric.h"
#include "nodex.h"
#include "scrape.h"
#include "webconfig.h"

#define MAX_FILTER_NAMES 256

/* promhttp's self metrics. */
static atomic_long in_flight;
static atomic_ulong requests_200, requests_500, requests_503, errors_gathering, errors_encoding;

METRIC(requests_desc, COUNTER, "promhttp_metric_handler_requests_total", "Total number of scrapes by HTTP status code.",
       "code");
METRIC(in_flight_desc, GAUGE, "promhttp_metric_handler_requests_in_flight", "Current number of scrapes being served.");
METRIC(errors_desc, COUNTER, "promhttp_metric_handler_errors_total",
       "Total number of internal errors encountered by the promhttp metric handler.", "cause");

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
	struct auth_job *auth;
	uint64_t body_bytes; /* request body read (and dropped) so far */
};

static enum MHD_Result http_error(struct MHD_Connection *conn, unsigned status, const char *msg);

/* The request context of a request whose query has too many arguments (see uri_seen). */
static char too_many_args;

/* What requests need of the configuration. */
static const char *telemetry_path;
static long max_requests;
static long request_memory_limit;

/* The request line has arrived. libmicrohttpd 0.9.75 then stores each query argument in the connection's
 * memory pool (--web.max-request-bytes, about 48 bytes per argument); when a record does not fit there it
 * logs a 431 but neither answers nor closes, and the connection hangs. So the query and its records may take
 * a quarter of the pool at most (measured: with half, a request with many headers as well still ran the
 * pool out at a header record and hung; with a quarter, none of thousands of mixed requests did). For more,
 * cut the query (libmicrohttpd parses it right after this call, from this same buffer) and answer 414 in
 * the handler. A quarter of the default is about 130 collect[] values, more than there are collectors. */
void *http_request_uri_seen(void *cls, const char *uri, struct MHD_Connection *conn)
{
	char *q = strchr(uri, '?');
	size_t n = 1;

	(void)cls;
	(void)conn;
	if (!q)
		return NULL;
	for (const char *p = q; *p; p++)
		n += *p == '&';
	if (n * 48 + strlen(uri) <= (size_t)request_memory_limit / 4)
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
		if (errno || end == h.length || n > (unsigned long long)request_memory_limit) {
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

/* ---- content negotiation ---- */

/* One media range of an Accept header as goautoneg.ParseAccept reads it, with the parameters
 * expfmt.Negotiate looks at (pointers into a copy of the header). */
struct media_range {
	const char *type, *sub, *proto, *encoding, *version;
	double q;
};

#define MAX_MEDIA_RANGES 64

/* Go's strings.Trim(s, " "), in place. */
static char *trim_spaces(char *s)
{
	char *end;

	while (*s == ' ')
		s++;
	end = s + strlen(s);
	while (end > s && end[-1] == ' ')
		*--end = '\0';
	return s;
}

/* Go's strconv.ParseFloat(s, 32) as goautoneg calls it on the untrimmed text after "q=": a string it refuses
 * gives 0, and the value kept is a float32. */
static double go_q(const char *s)
{
	char *end;
	double v;

	if (!*s || isspace((unsigned char)*s))
		return 0;
	v = strtod(s, &end);
	return *end ? 0 : (double)(float)v;
}

/* Splits one comma-separated part into m. Returns false for a part goautoneg drops (no type/subtype). */
static bool parse_media_range(char *part, struct media_range *m)
{
	char *params = strchr(part, ';'), *slash;

	memset(m, 0, sizeof(*m));
	m->q = 1;
	if (params)
		*params++ = '\0';
	slash = strchr(part, '/');
	if (slash)
		*slash = '\0';
	m->type = trim_spaces(part);
	if (!slash) {
		if (!streq(m->type, "*"))
			return false;
		m->sub = "*";
	} else {
		if (strchr(slash + 1, '/'))
			return false;
		m->sub = trim_spaces(slash + 1);
	}
	for (char *param; params && (param = strsep(&params, ";"));) {
		char *eq = strchr(param, '=');
		if (!eq)
			continue;
		*eq = '\0';
		const char *key = trim_spaces(param);
		if (streq(key, "q")) {
			m->q = go_q(eq + 1);
			continue;
		}
		const char *value = trim_spaces(eq + 1);
		if (streq(key, "proto"))
			m->proto = value;
		else if (streq(key, "encoding"))
			m->encoding = value;
		else if (streq(key, "version"))
			m->version = value;
	}
	return true;
}

/* goautoneg's accept_slice.Less: a higher q first, then a concrete type before "*", then a concrete subtype
 * before "*". (Not a strict order: Go's sort.Sort, an insertion sort for the 12 ranges or fewer a scraper
 * sends, keeps the header's order among ranges that compare equal, and so does this.) */
static bool range_less(const struct media_range *a, const struct media_range *b)
{
	if (a->q > b->q)
		return true;
	if (!streq(a->type, "*") && streq(b->type, "*"))
		return true;
	return !streq(a->sub, "*") && streq(b->sub, "*");
}

enum expo_format http_negotiate(const char *accept)
{
	struct media_range r[MAX_MEDIA_RANGES];
	enum expo_format fmt = EXPO_TEXT;
	size_t n = 0;
	char *copy, *rest;

	if (!accept || !(copy = strdup(accept)))
		return EXPO_TEXT;
	rest = copy;
	for (char *part; (part = strsep(&rest, ",")) && n < MAX_MEDIA_RANGES;)
		if (parse_media_range(trim_spaces(part), &r[n]))
			n++;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && range_less(&r[j], &r[j - 1]); j--) {
			struct media_range t = r[j];
			r[j] = r[j - 1];
			r[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		if (streq(r[i].type, "application") && streq(r[i].sub, "vnd.google.protobuf") && r[i].proto &&
		    streq(r[i].proto, "io.prometheus.client.MetricFamily") && r[i].encoding) {
			if (streq(r[i].encoding, "delimited"))
				fmt = EXPO_PROTO;
			else if (streq(r[i].encoding, "text"))
				fmt = EXPO_PROTO_TEXT;
			else if (streq(r[i].encoding, "compact-text"))
				fmt = EXPO_PROTO_COMPACT;
			if (fmt != EXPO_TEXT)
				break;
		}
		if (streq(r[i].type, "text") && streq(r[i].sub, "plain") &&
		    (!r[i].version || streq(r[i].version, "0.0.4") || !r[i].version[0]))
			break;
	}
	free(copy);
	return fmt;
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
	html_escape(&b, telemetry_path);
	sb_puts(&b, "\">Metrics</a></li></ul>\n<h2>Collectors</h2>\n<table>\n<tr><th>collector</th><th>last "
		    "result</th><th>duration (s)</th><th>last run (UTC)</th><th>reason</th></tr>\n");
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
		/* "no data" (the hardware is absent; success 0, as node_exporter) is not a failure. */
		bool failed = ci.ran && !ci.success && !ci.no_data;
		sb_printf(&b, "<tr><td>%s</td><td%s>%s</td><td>%s</td><td>%s</td><td>", ci.name,
			  failed ? " class=\"fail\"" : "",
			  !ci.ran ? "not run yet" : ci.success ? "success" : ci.no_data ? "no data" : "failed", dur, when);
		html_escape(&b, ci.error);
		sb_puts(&b, "</td></tr>\n");
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
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, expo_content_type(r->job.format));
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
	long limit = max_requests;
	if (limit > 0 && atomic_fetch_add(&in_flight, 1) >= limit) {
		atomic_fetch_sub(&in_flight, 1);
		atomic_fetch_add(&requests_503, 1);
		snprintf(err, sizeof(err), "Limit of concurrent requests reached (%ld), try again later.", limit);
		return http_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, err);
	}
	if (limit <= 0)
		atomic_fetch_add(&in_flight, 1);
	r->job.format = http_negotiate(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
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

/* Runs on an auth worker, or on the thread whose check pushed this one out of the queue. */
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

/* 503 when a password check could not be run (src/auth.c bounds the bcrypt work). */
static enum MHD_Result auth_busy(struct MHD_Connection *conn)
{
	struct MHD_Response *resp =
		text_response("Too many authentication checks waiting, try again later.\n", "text/plain; charset=utf-8");

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Retry-After", "1");
	return queue(conn, MHD_HTTP_SERVICE_UNAVAILABLE, resp);
}

/* exporter-toolkit's webHandler in front of everything: the rate limit (429, answered before the extra
 * headers are set, as there), then basic auth. Returns true when the request was answered or suspended
 * here, with what to return in *res. */
static bool web_gate(struct req *r, enum MHD_Result *res)
{
	struct MHD_Connection *conn = r->conn;
	struct webconfig_state *st;
	enum auth_status a;
	char source[HTTP_PEER_MAX];

	*res = MHD_YES;
	if (r->state == REQ_AUTH_BUSY) {
		r->state = REQ_NEW;
		*res = auth_busy(conn);
		return true;
	}
	if (r->state == REQ_AUTH_DONE) {
		a = auth_finish(r->auth);
		r->auth = NULL;
		r->state = REQ_NEW;
		if (a == AUTH_OK)
			return false;
		*res = a == AUTH_BUSY ? auth_busy(conn) : unauthorized(conn);
		return true;
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
	a = auth_begin(webconfig_config(st),
		       MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
		       &r->auth);
	webconfig_release(st);
	switch (a) {
	case AUTH_OFF:
	case AUTH_OK:
		return false;
	case AUTH_PENDING:
		break;
	case AUTH_BUSY:
		*res = auth_busy(conn);
		return true;
	case AUTH_DENIED:
	default:
		*res = unauthorized(conn);
		return true;
	}
	/* Checks are queued fairly per client address; one whose client will have given up is not run. */
	http_peer(conn, source, sizeof(source), false);
	double timeout =
		http_scrape_timeout(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Prometheus-Scrape-Timeout-Seconds"));
	/* Suspend first: the worker may finish and resume before this function returns. */
	r->state = REQ_AUTH_WAITING;
	MHD_suspend_connection(conn);
	if (auth_submit(r->auth, source, timeout, auth_done, r) < 0) {
		r->auth = NULL;
		r->state = REQ_AUTH_BUSY;
		MHD_resume_connection(conn);
	}
	return true;
}

enum MHD_Result http_request_handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				    const char *version, const char *upload_data, size_t *upload_data_size,
				    void **con_cls)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)version;
	(void)upload_data;
	if (!r || r == (struct req *)&too_many_args) {
		/* The first call: the request line and headers are in. The connection is busy from now on. */
		enum MHD_Result res;
		if (!http_conn_busy(conn))
			return MHD_NO;
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
		return r->body_bytes > (uint64_t)request_memory_limit ? MHD_NO : MHD_YES;
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
	if (streq(url, telemetry_path))
		return start_scrape(r);
	if (streq(url, "/"))
		return landing_page(conn);
	return http_error(conn, MHD_HTTP_NOT_FOUND, "404 page not found");
}

void http_request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	(void)cls;
	/* Back to waiting for the connection's next request, unless it is closing. */
	http_conn_idle(conn, toe);
	if (!r || r == (struct req *)&too_many_args)
		return;
	if (r->job.out)
		scrape_output_unref(r->job.out);
	if (r->auth)
		auth_finish(r->auth);
	free(r);
	*con_cls = NULL;
}

int http_request_setup(const struct http_config *cfg)
{
	/* The path may point into a configuration file's memory, which a reload replaces. */
	telemetry_path = strdup(cfg->telemetry_path);
	if (!telemetry_path)
		return -ENOMEM;
	max_requests = cfg->max_requests;
	request_memory_limit = cfg->request_memory_limit;
	scrape_set_exporter_hook(exporter_metrics);
	return 0;
}

void http_request_drain(void)
{
	/* in_flight drops when a scrape's answer is queued. */
	for (int i = 0; i < 5000 && atomic_load(&in_flight) > 0; i++)
		usleep(1000);
}
