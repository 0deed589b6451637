/* Between the two halves of the HTTP front end (include/http.h is its public face):
 *  - src/http_conn.c: nodex's own HTTP/1.1 server: listeners, one event thread (epoll) for every
 *    connection from accept to close, TLS sessions (GnuTLS, loaded only when the web configuration asks
 *    for TLS), request heads and bodies (parsed by src/http_parse.c), writing answers, keep-alive and
 *    pipelining, the connection limit and eviction, the deadline of a request that does not arrive;
 *  - src/http_request.c: one request from its head to its answer: the web configuration's gate (rate
 *    limit, basic auth), routing, content negotiation, the scrape and its response, the landing page,
 *    errors, promhttp's counters.
 * The request half's functions run on the event thread only. A request waiting for another thread (a
 * scrape, a bcrypt check) returns from http_request_run without answering; that thread calls http_wake
 * when it is done, and http_request_run runs again. */
#ifndef NODEX_HTTP_INTERNAL_H
#define NODEX_HTTP_INTERNAL_H

#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "http.h"
#include "http_parse.h"

struct conn;

/* One request. Its strings live until http_request_end. */
struct http_req {
	struct http_head head; /* method, target, minor version, headers */
	const char *path;      /* the target before '?', percent-decoded */
	char *query;           /* a copy of the target after '?' (NULL when none), for http_req_args */
	void *cls;             /* the request half's state */
	struct conn *conn;
};

#define HTTP_MAX_RESPONSE_HEADERS 16

struct http_response {
	unsigned status; /* 0: no answer, the connection just closes */
	struct http_header headers[HTTP_MAX_RESPONSE_HEADERS]; /* Date and Content-Length are added */
	size_t n_headers;
	const void *body;
	size_t len;
	void (*free_body)(void *cls); /* called with free_cls once the body is sent or dropped */
	void *free_cls;
	bool close; /* close the connection after this answer */
};

/* ---- src/http_request.c ---- */

/* Keeps what requests need of cfg (the telemetry path is copied) and registers promhttp's counters with
 * the scrape engine. Returns 0 or -ENOMEM. */
int http_request_setup(const struct http_config *cfg);

/* The head has arrived (before any body). Returns true when it answered the request already (then the
 * connection closes after the answer and the body is not read). */
bool http_request_head(struct http_req *r);

/* The whole request has arrived, or a thread called http_wake for it: answer it with http_respond, or
 * return without answering to wait for another thread. */
void http_request_run(struct http_req *r);

/* The request is over (answered, or its connection closes): free r->cls. */
void http_request_end(struct http_req *r);

/* An error answer as Go's http.Error writes it: msg and a newline, text/plain. */
void http_request_error(struct http_req *r, unsigned status, const char *msg);

/* ---- src/http_conn.c ---- */

/* Queues the answer to r; resp's header strings are copied at once, the body is kept until sent. Call
 * once per request, on the event thread. */
void http_respond(struct http_req *r, const struct http_response *resp);

/* From any thread: r waits no more; http_request_run runs again for it on the event thread. */
void http_wake(struct http_req *r);

/* The first value of the request header name (case-insensitive), or NULL. */
const char *http_req_header(const struct http_req *r, const char *name);

/* Calls fn for each argument of the query, decoded as Go's url.ParseQuery (see http_query_each). Once
 * per request: the query is decoded in place. */
void http_req_args(struct http_req *r, void (*fn)(void *cls, const char *key, const char *value), void *cls);

/* The TLS session of r's connection, or NULL for plain HTTP. */
gnutls_session_t http_req_tls(const struct http_req *r);

/* The client's address of r, as Go prints it ("192.0.2.1:50872", "[2001:db8::1]:50872"; an IPv4 client
 * of a dual-stack listener as IPv4), without the port when port is false. "?" when unknown. */
#define HTTP_PEER_MAX (INET6_ADDRSTRLEN + 16)
void http_peer(const struct http_req *r, char *buf, size_t size, bool port);

#endif
