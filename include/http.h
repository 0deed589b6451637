/* The HTTP front end (nodex's own HTTP/1.1 server): /metrics with content negotiation (text or protobuf)
 * and gzip, the landing page, 404s, connection limits, and the web configuration's TLS, rate limit and
 * basic auth. A scrape request waits while the scrape thread collects, and a password check while a
 * bcrypt worker runs, so the event thread never blocks and slow collectors cannot stall other connections.
 * Connections: src/http_conn.c; requests: src/http_request.c (include/http_internal.h between them). */
#ifndef NODEX_HTTP_H
#define NODEX_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "exposition.h"
#include "flags.h"

struct http_config {
	struct strlist listen;      /* --web.listen-address, repeatable */
	const char *telemetry_path; /* --web.telemetry-path */
	long max_requests;          /* --web.max-requests; 0 = no limit */
	bool exporter_metrics;      /* !--web.disable-exporter-metrics */
	bool systemd_socket;        /* --web.systemd-socket: use the sockets systemd passed us */
	double connection_timeout;  /* seconds a connection may take to send a whole request; 0 = no limit */
	long connection_limit;      /* open connections at most, per listener; more evict the longest waiting */
	long request_memory_limit;  /* bytes per connection for the request line and headers; largest body */
};

/* Opens the listeners and starts serving. Returns 0, or a negative errno with a message in err. */
int http_start(const struct http_config *cfg, char *err, size_t err_size);

/* Stops accepting connections; open ones are still served. First step of a shutdown: then
 * scrape_stop() answers every waiting scrape, then http_stop(). */
void http_quiesce(void);

/* Stops every listener. Requests waiting for a scrape must have been answered (scrape_stop first). */
void http_stop(void);

/* Splits "host:port", "[v6]:port" or ":port" into host (empty for all addresses) and port. Returns 0 or
 * -EINVAL. host must hold at least 256 bytes and port 16. */
int http_split_address(const char *addr, char *host, char *port);

/* The exposition format for an Accept value (NULL when absent), negotiated as node_exporter 1.5.0's
 * client_golang does it (prometheus/common 0.37, expfmt.Negotiate over goautoneg.ParseAccept): the media
 * ranges sorted by q, then the first that is application/vnd.google.protobuf with
 * proto=io.prometheus.client.MetricFamily and encoding delimited, text or compact-text, or text/plain with
 * version 0.0.4 or none; text otherwise, so OpenMetrics and text 1.0.0 get text 0.0.4. */
enum expo_format http_negotiate(const char *accept);

/* Returns true when an Accept-Encoding value allows gzip (a gzip or * entry with a non-zero q). */
bool http_accepts_gzip(const char *accept_encoding);

/* The collectors' deadline, in seconds, for a scrape whose X-Prometheus-Scrape-Timeout-Seconds header is
 * h (NULL when absent): a little less than the scraper will wait. Returns 0, meaning the configured
 * default, when there is no header or it holds no number of seconds in (0, 3600). */
double http_scrape_timeout(const char *h);

#endif
