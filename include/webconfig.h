/* --web.config.file: the web configuration file of Prometheus' exporter-toolkit (TLS, basic auth, extra
 * response headers, rate limit), read with the same strictness (unknown keys are errors) and the same
 * semantics, so one file serves node_exporter and nodex alike.
 *
 * Two layers:
 *  - webconfig_parse() turns the YAML text into a struct webconfig. It is pure (no file access, no
 *    global state), bounds every input and reports the first problem as "line L, column C: key: what".
 *    The fuzz target calls it.
 *  - The live layer (src/webconfig_live.c) keeps the configuration in force: it loads the certificates,
 *    re-reads the files when they change or on SIGHUP (a broken file is logged and the old configuration
 *    stays), configures each TLS session and runs the rate limiter. The HTTP layer calls it; it knows
 *    nothing about HTTP. Basic auth against the users of the state in force is include/auth.h. */
#ifndef NODEX_WEBCONFIG_H
#define NODEX_WEBCONFIG_H

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* crypto/tls ClientAuthType, by the names exporter-toolkit accepts. */
enum webconfig_client_auth {
	WEBCONFIG_NO_CLIENT_CERT,
	WEBCONFIG_REQUEST_CLIENT_CERT,
	WEBCONFIG_REQUIRE_ANY_CLIENT_CERT,
	WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN,
	WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT,
};

/* TLS protocol versions as min_version/max_version name them (TLS10..TLS13). */
enum webconfig_tls_version {
	WEBCONFIG_TLS10 = 10,
	WEBCONFIG_TLS11 = 11,
	WEBCONFIG_TLS12 = 12,
	WEBCONFIG_TLS13 = 13,
};

/* One of Go's crypto/tls.CipherSuites(), with what GnuTLS calls its parts. TLS 1.3 suites are accepted
 * by name but, as in Go, cannot be configured (tls13 is set and the GnuTLS parts are NULL). */
struct webconfig_suite {
	const char *name;   /* Go's name, e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
	uint16_t id;        /* IANA id */
	const char *kx;     /* GnuTLS priority keywords */
	const char *cipher;
	const char *mac;
	bool tls13;
};

/* A curve_preferences entry: Go's name and the GnuTLS group keyword. */
struct webconfig_curve {
	const char *name;
	const char *group;
};

/* Where a key was in the file (1-based; line 0 = the key was not given). */
struct webconfig_pos {
	unsigned line, col;
};

struct webconfig_header {
	const char *name;
	const char *value;
};

struct webconfig_user {
	const char *name;
	const char *hash; /* bcrypt: $2a$, $2b$ or $2y$, cost 04..31, 60 characters (checked) */
	unsigned cost;
};

#define WEBCONFIG_MAX_SUITES 32
#define WEBCONFIG_MAX_CURVES 8
#define WEBCONFIG_MAX_HEADERS 5

struct webconfig {
	struct arena mem; /* every string and array below */

	/* tls_server_config. tls is set when any of cert, key, client CA or client_auth_type is given:
	 * exporter-toolkit then serves TLS, otherwise plain HTTP. File paths are already joined with the
	 * directory of the configuration file when relative. NULL = not given (or empty). */
	bool tls;
	const char *cert, *key, *client_ca;
	const char *cert_file, *key_file, *client_ca_file;
	struct webconfig_pos pos_tls, pos_cert, pos_key, pos_client_ca, pos_cert_file, pos_key_file,
		pos_client_ca_file;
	enum webconfig_client_auth client_auth;
	/* client_allowed_sans: set even when the list is empty ([] refuses every client, as in Go). */
	bool sans_set;
	const char **sans;
	size_t n_sans;
	enum webconfig_tls_version min_version, max_version;
	const struct webconfig_suite *suites[WEBCONFIG_MAX_SUITES];
	size_t n_suites;
	const struct webconfig_curve *curves[WEBCONFIG_MAX_CURVES];
	size_t n_curves;
	bool prefer_server_cipher_suites;

	/* http_server_config */
	bool http2;
	bool http2_given;
	struct webconfig_header headers[WEBCONFIG_MAX_HEADERS];
	size_t n_headers;

	/* basic_auth_users, sorted by name */
	struct webconfig_user *users;
	size_t n_users;
	unsigned max_cost; /* highest bcrypt cost among users (0 without users) */

	/* rate_limit: a token bucket of burst tokens, one more every interval; interval <= 0 = off. */
	double rate_interval; /* seconds */
	long rate_burst;
};

/* Parses a configuration from buf (len bytes, need not be NUL-terminated). dir, when not NULL, is the
 * directory relative file names are joined with. Returns 0 and a new configuration in *out (free it with
 * webconfig_free), or a negative errno with the reason in err ("line 3, column 3: tls_server_config:
 * unknown key \"cert_fil\""). Never reads files. */
int webconfig_parse(const char *buf, size_t len, const char *dir, struct webconfig **out, char *err,
		    size_t err_size);

/* Reads path (at most 1 MiB) and parses it with its directory. Errors start with the path. */
int webconfig_parse_file(const char *path, struct webconfig **out, char *err, size_t err_size);

void webconfig_free(struct webconfig *wc);

/* The tables of accepted names, NULL-name terminated. */
extern const struct webconfig_suite webconfig_suites[];
extern const struct webconfig_curve webconfig_curves[];

/* Builds the GnuTLS priority string for the configuration's TLS settings into buf. Returns 0, or
 * -ENOSPC when buf is too small. */
int webconfig_priority_string(const struct webconfig *wc, char *buf, size_t size);

/* ---- the live configuration (src/webconfig_live.c) ---- */

struct webconfig_state;

/* Loads path (the --web.config.file value; "" = no web configuration) and everything it names
 * (certificates, keys, client CAs). Returns 0 or a negative errno with the message in err; nodex then
 * exits. Call once, before http_start. */
int webconfig_init(const char *path, char *err, size_t err_size);

/* Re-reads the configuration and the files it names now (SIGHUP). On error the message is logged and
 * the configuration in force stays. Thread-safe. */
void webconfig_reload(void);

/* Re-reads the files when one of them changed on disk; checks at most once per second. Thread-safe and
 * cheap; the HTTP front end calls it on each connection and request. */
void webconfig_maybe_reload(void);

/* Drops the configuration in force; TLS sessions still open keep theirs until they close. */
void webconfig_fini(void);

/* True when a web configuration file is in use / when it enables TLS (fixed at start). */
bool webconfig_enabled(void);
bool webconfig_tls(void);

/* The configuration in force, with a reference: pass it to webconfig_release. NULL without a file. */
struct webconfig_state *webconfig_acquire(void);
void webconfig_release(struct webconfig_state *st);
const struct webconfig *webconfig_config(const struct webconfig_state *st);

/* TLS. session_start runs when a connection was accepted, before its handshake: it binds the session to
 * the configuration in force (priorities, certificate, client-certificate policy) and returns a handle for
 * session_end, to call when the connection closed (NULL on allocation failure). peer ("ip:port") names
 * the client in the warning session_end logs, rate-limited, when the handshake failed or the client was
 * refused. retrieve_cert is the gnutls_certificate_retrieve_function2 to give the TLS library.
 * session_check runs at each request: it returns 0, or -EPERM when the session must be dropped (a resumed
 * session that no longer meets the client-certificate policy). */
void *webconfig_tls_session_start(gnutls_session_t session, const char *peer);
void webconfig_tls_session_end(void *handle);
int webconfig_tls_retrieve_cert(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
				const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length, gnutls_pcert_st **pcert,
				unsigned int *pcert_length, gnutls_privkey_t *privkey);
int webconfig_tls_session_check(gnutls_session_t session);

/* Rate limit: true when the request may go on; false = answer 429. */
bool webconfig_rate_allow(struct webconfig_state *st);

/* The extra response headers of http_server_config.headers. Returns how many (at most
 * WEBCONFIG_MAX_HEADERS). */
size_t webconfig_headers(const struct webconfig_state *st, const struct webconfig_header **headers);

#endif
