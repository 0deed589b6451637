/* Between the two halves of the HTTP front end (include/http.h is its public face):
 *  - src/http_conn.c: listeners, the libmicrohttpd daemons, connections from accept to close, the
 *    connection limit and eviction, the reaper of connections that send no request in time, TLS session
 *    set-up and handshake failures;
 *  - src/http_request.c: one request from its headers to its answer: the web configuration's gate (rate
 *    limit, basic auth), routing, content negotiation, the scrape and its response, the landing page,
 *    errors, promhttp's counters.
 * The connection half gives the request half's callbacks to libmicrohttpd; the request half tells the
 * connection half when a connection is busy with a request and when it waits for the next one. */
#ifndef NODEX_HTTP_INTERNAL_H
#define NODEX_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <netinet/in.h>
#include <stdbool.h>

#include "http.h"

/* ---- src/http_request.c ---- */

/* Keeps what requests need of cfg (the telemetry path is copied) and registers promhttp's counters with
 * the scrape engine. Returns 0 or -ENOMEM. */
int http_request_setup(const struct http_config *cfg);

/* libmicrohttpd's access handler, request-completed callback and URI callback (see their comments). */
enum MHD_Result http_request_handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				    const char *version, const char *upload_data, size_t *upload_data_size,
				    void **con_cls);
void http_request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			    enum MHD_RequestTerminationCode toe);
void *http_request_uri_seen(void *cls, const char *uri, struct MHD_Connection *conn);

/* Waits, a few seconds at most, until every scrape answer has been queued: libmicrohttpd aborts the process
 * when a daemon stops while a resumed connection has not been processed yet. */
void http_request_drain(void);

/* ---- src/http_conn.c ---- */

/* A request's headers have arrived: the connection is busy until http_conn_idle. Returns false when the
 * connection was already shut down (evicted or timed out): then answer nothing (MHD_NO). */
bool http_conn_busy(struct MHD_Connection *conn);

/* The request is over; the connection waits for its next request unless it is closing (toe is not
 * MHD_REQUEST_TERMINATED_COMPLETED_OK). */
void http_conn_idle(struct MHD_Connection *conn, enum MHD_RequestTerminationCode toe);

/* The client's address of conn, as Go prints it ("192.0.2.1:50872", "[2001:db8::1]:50872"; an IPv4 client
 * of a dual-stack listener as IPv4), without the port when port is false. "?" when unknown. */
#define HTTP_PEER_MAX (INET6_ADDRSTRLEN + 16)
void http_peer(struct MHD_Connection *conn, char *buf, size_t size, bool port);

#endif
