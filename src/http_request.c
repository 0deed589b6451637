/* The request half of the HTTP front end (see include/http_internal.h): what one request gets, from its
 * head to its answer. exporter-toolkit's gate first (rate limit, basic auth with bcrypt on the auth
 * worker), then the routes: the telemetry path (collect[]/exclude[], content negotiation, gzip, the scrape
 * on the scrape thread while the request waits), the landing page, 404. */
#include <ctype.h>
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
	REQ_AUTH_WAITING, /* waiting while the auth worker runs bcrypt */
	REQ_AUTH_DONE,
	REQ_AUTH_BUSY,    /* too many checks queued */
};

struct req {
	struct scrape_job job;
	struct http_req *hr;
	enum req_state state;
	bool gated; /* passed the web configuration's rate limit and basic auth */
	struct auth_job *auth;
};

static void http_error(struct http_req *hr, unsigned status, const char *msg);

/* What requests need of the configuration. */
static const char *telemetry_path;
static long max_requests;
static long request_memory_limit;

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
 * handler runs, so a header the handler sets itself wins: those already present are left alone. The
 * strings are copied by http_respond before the state is released. */
static void respond(struct http_req *hr, struct http_response *resp)
{
	const struct webconfig_header *h;
	struct webconfig_state *st = NULL;
	size_t n;

	if (webconfig_enabled() && (st = webconfig_acquire())) {
		n = webconfig_headers(st, &h);
		for (size_t i = 0; i < n && resp->n_headers < HTTP_MAX_RESPONSE_HEADERS; i++) {
			bool present = false;
			for (size_t k = 0; k < resp->n_headers; k++)
				present |= strcasecmp(resp->headers[k].name, h[i].name) == 0;
			if (!present)
				resp->headers[resp->n_headers++] = (struct http_header){ h[i].name, h[i].value };
		}
	}
	http_respond(hr, resp);
	if (st)
		webconfig_release(st);
}

static void free_copy(void *p)
{
	free(p);
}

/* A text answer (body[0..len), copied unless owned, which hands body over to be freed), with extra, a
 * NULL-terminated list of name/value pairs, and the web configuration's headers unless bare. */
static void respond_text(struct http_req *hr, unsigned status, const char *body, size_t len, const char *content_type,
			 const char *const *extra, bool owned, bool bare)
{
	struct http_response resp = { .status = status };
	char *copy = owned ? (char *)body : malloc(len ? len : 1);

	if (!copy) {
		resp.close = true;
		len = 0;
	} else if (!owned) {
		memcpy(copy, body, len);
	}
	resp.headers[resp.n_headers++] = (struct http_header){ "Content-Type", content_type };
	resp.headers[resp.n_headers++] = (struct http_header){ "X-Content-Type-Options", "nosniff" };
	for (; extra && extra[0]; extra += 2)
		resp.headers[resp.n_headers++] = (struct http_header){ extra[0], extra[1] };
	resp.body = copy;
	resp.len = copy ? len : 0;
	resp.free_body = free_copy;
	resp.free_cls = copy;
	if (bare)
		http_respond(hr, &resp);
	else
		respond(hr, &resp);
}

/* Go's http.Error: the text, a newline, text/plain. */
static void http_error(struct http_req *hr, unsigned status, const char *msg)
{
	char body[600];
	int n = snprintf(body, sizeof(body), "%s\n", msg);

	respond_text(hr, status, body, n < 0 ? 0 : (size_t)n >= sizeof(body) ? sizeof(body) - 1 : (size_t)n,
		     "text/plain; charset=utf-8", NULL, false, false);
}

void http_request_error(struct http_req *hr, unsigned status, const char *msg)
{
	http_error(hr, status, msg);
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

static void landing_page(struct http_req *hr)
{
	struct strbuf b = { 0 };
	struct collector_info ci;

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
		http_error(hr, 500, "out of memory");
		return;
	}
	respond_text(hr, 200, b.p, b.len, "text/html; charset=UTF-8", NULL, true, false);
}

struct query_names {
	const char *collect[MAX_FILTER_NAMES];
	size_t n_collect;
	const char *exclude[MAX_FILTER_NAMES];
	size_t n_exclude;
	bool overflow;
};

static void collect_arg(void *cls, const char *key, const char *value)
{
	struct query_names *q = cls;

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
	http_wake(r->hr);
}

static void answer_scrape(struct req *r)
{
	struct scrape_output *o = r->job.out;
	struct http_response resp = { .status = 200 };

	atomic_fetch_sub(&in_flight, 1);
	atomic_fetch_add(&errors_gathering, r->job.gather_errors);
	if (r->job.result == SCRAPE_STOPPING) {
		atomic_fetch_add(&requests_503, 1);
		http_error(r->hr, 503, "nodex is shutting down.");
		return;
	}
	if (r->job.result != SCRAPE_OK || !o) {
		atomic_fetch_add(&requests_500, 1);
		atomic_fetch_add(&errors_encoding, 1);
		http_error(r->hr, 500, "An error has occurred while serving metrics.");
		return;
	}
	r->job.out = NULL;
	resp.headers[resp.n_headers++] = (struct http_header){ "Content-Type", expo_content_type(r->job.format) };
	if (o->gzip)
		resp.headers[resp.n_headers++] = (struct http_header){ "Content-Encoding", "gzip" };
	resp.headers[resp.n_headers++] = (struct http_header){ "Vary", "Accept-Encoding" };
	resp.body = o->data;
	resp.len = o->len;
	resp.free_body = free_output;
	resp.free_cls = o;
	respond(r->hr, &resp);
	atomic_fetch_add(&requests_200, 1);
}

static void start_scrape(struct req *r)
{
	struct http_req *hr = r->hr;
	struct query_names q = { 0 };
	char err[512];

	http_req_args(hr, collect_arg, &q);
	if (q.overflow) {
		http_error(hr, 400, "Too many collect[] or exclude[] values.");
		return;
	}
	if (scrape_select(&r->job.sel, q.collect, q.n_collect, q.exclude, q.n_exclude, err, sizeof(err)) < 0) {
		log_warn("Couldn't create filtered metrics handler", "err", err);
		http_error(hr, 400, err);
		return;
	}
	long limit = max_requests;
	if (limit > 0 && atomic_fetch_add(&in_flight, 1) >= limit) {
		atomic_fetch_sub(&in_flight, 1);
		atomic_fetch_add(&requests_503, 1);
		snprintf(err, sizeof(err), "Limit of concurrent requests reached (%ld), try again later.", limit);
		http_error(hr, 503, err);
		return;
	}
	if (limit <= 0)
		atomic_fetch_add(&in_flight, 1);
	r->job.format = http_negotiate(http_req_header(hr, "Accept"));
	r->job.gzip = http_accepts_gzip(http_req_header(hr, "Accept-Encoding"));
	/* Prometheus says how long it will wait; collectors that may block get a little less than that. */
	r->job.timeout = http_scrape_timeout(http_req_header(hr, "X-Prometheus-Scrape-Timeout-Seconds"));
	r->job.done = scrape_done;
	r->job.cls = r;
	r->state = REQ_WAITING;
	scrape_submit(&r->job);
}

/* Runs on an auth worker, or on the thread whose check pushed this one out of the queue. */
static void auth_done(void *cls)
{
	struct req *r = cls;

	r->state = REQ_AUTH_DONE;
	http_wake(r->hr);
}

/* 401 as exporter-toolkit answers it. */
static void unauthorized(struct http_req *hr)
{
	static const char *const extra[] = { "WWW-Authenticate", "Basic", NULL };
	static const char body[] = "Unauthorized\n";

	respond_text(hr, 401, body, sizeof(body) - 1, "text/plain; charset=utf-8", extra, false, false);
}

/* 503 when a password check could not be run (src/auth.c bounds the bcrypt work). */
static void auth_busy(struct http_req *hr)
{
	static const char *const extra[] = { "Retry-After", "1", NULL };
	static const char body[] = "Too many authentication checks waiting, try again later.\n";

	respond_text(hr, 503, body, sizeof(body) - 1, "text/plain; charset=utf-8", extra, false, false);
}

/* exporter-toolkit's webHandler in front of everything: the rate limit (429, answered before the extra
 * headers are set, as there), then basic auth. Returns true when the request was answered here, or waits
 * for a bcrypt check. */
static bool web_gate(struct req *r)
{
	struct http_req *hr = r->hr;
	struct webconfig_state *st;
	enum auth_status a;
	char source[HTTP_PEER_MAX];

	if (r->state == REQ_AUTH_BUSY) {
		r->state = REQ_NEW;
		auth_busy(hr);
		return true;
	}
	if (r->state == REQ_AUTH_DONE) {
		a = auth_finish(r->auth);
		r->auth = NULL;
		r->state = REQ_NEW;
		if (a == AUTH_OK)
			return false;
		if (a == AUTH_BUSY)
			auth_busy(hr);
		else
			unauthorized(hr);
		return true;
	}
	if (webconfig_tls()) {
		gnutls_session_t tls = http_req_tls(hr);
		if (!tls || webconfig_tls_session_check(tls) < 0) {
			/* A resumed session that the client-certificate policy refuses now: no answer. */
			struct http_response resp = { .status = 0, .close = true };
			http_respond(hr, &resp);
			return true;
		}
	}
	webconfig_maybe_reload();
	st = webconfig_acquire();
	if (!st)
		return false;
	if (!webconfig_rate_allow(st)) {
		static const char body[] = "Too Many Requests\n";
		webconfig_release(st);
		/* Without the configured headers, as exporter-toolkit. */
		respond_text(hr, 429, body, sizeof(body) - 1, "text/plain; charset=utf-8", NULL, false, true);
		return true;
	}
	a = auth_begin(webconfig_config(st), http_req_header(hr, "Authorization"), &r->auth);
	webconfig_release(st);
	switch (a) {
	case AUTH_OFF:
	case AUTH_OK:
		return false;
	case AUTH_PENDING:
		break;
	case AUTH_BUSY:
		auth_busy(hr);
		return true;
	case AUTH_DENIED:
	default:
		unauthorized(hr);
		return true;
	}
	/* Checks are queued fairly per client address; one whose client will have given up is not run. */
	http_peer(hr, source, sizeof(source), false);
	double timeout = http_scrape_timeout(http_req_header(hr, "X-Prometheus-Scrape-Timeout-Seconds"));
	r->state = REQ_AUTH_WAITING;
	if (auth_submit(r->auth, source, timeout, auth_done, r) < 0) {
		r->auth = NULL;
		r->state = REQ_AUTH_BUSY;
		http_wake(hr);
	}
	return true;
}

/* libmicrohttpd 0.9.75 kept each query argument in the connection's memory pool and hung when they did
 * not fit; nodex's own server has no such pool, but a query with more arguments than a quarter of
 * --web.max-request-bytes could hold at about 48 bytes each is still refused (414), so that what a
 * request may cost stays bounded and the answers stay as they were. A quarter of the default is about 130
 * collect[] values, more than there are collectors. */
bool http_request_head(struct http_req *hr)
{
	size_t n = 1;

	if (!hr->query)
		return false;
	for (const char *p = hr->query; *p; p++)
		n += *p == '&';
	if (n * 48 + strlen(hr->head.target) <= (size_t)request_memory_limit / 4)
		return false;
	http_error(hr, 414, "Too many query arguments.");
	return true;
}

void http_request_run(struct http_req *hr)
{
	struct req *r = hr->cls;

	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r) {
			http_error(hr, 500, "out of memory");
			return;
		}
		r->hr = hr;
		hr->cls = r;
	}
	if (r->state == REQ_DONE) {
		answer_scrape(r);
		return;
	}
	if (r->state == REQ_WAITING || r->state == REQ_AUTH_WAITING)
		return;
	if (!r->gated && webconfig_enabled()) {
		if (web_gate(r))
			return;
		r->gated = true;
	}
	const char *method = hr->head.method;
	if (!streq(method, "GET") && !streq(method, "HEAD") && !streq(method, "POST"))
		http_error(hr, 405, "Method Not Allowed");
	else if (streq(hr->path, telemetry_path))
		start_scrape(r);
	else if (streq(hr->path, "/"))
		landing_page(hr);
	else
		http_error(hr, 404, "404 page not found");
}

void http_request_end(struct http_req *hr)
{
	struct req *r = hr->cls;

	if (!r)
		return;
	if (r->job.out)
		scrape_output_unref(r->job.out);
	if (r->auth)
		auth_finish(r->auth);
	free(r);
	hr->cls = NULL;
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
