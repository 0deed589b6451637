/* The web configuration file: the YAML decoder against a table of files (valid ones rendered and
 * compared whole, broken ones with their exact message, line and column), then the pieces of the live
 * layer: loading certificates and keys, reloading, the rate limiter, Go durations and the GnuTLS
 * priorities (basic auth: test_auth.c). The certificates below were made for these tests with openssl (EC P-256, valid until
 * 2126): a CA, a server certificate it signed, and an unrelated key. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "harness.h"
#include "webconfig.h"

static const char SRV_CRT[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBojCCAUmgAwIBAgIULfiSg6hjWD+a9eYS2ObBdVf9srQwCgYIKoZIzj0EAwIw\n"
	"GDEWMBQGA1UEAwwNbm9kZXgtdGVzdC1jYTAgFw0yNjExMjEwODUzMjZaGA8yMTI2\n"
	"MTAyODA4NTMyNlowFDESMBAGA1UEAwwJbG9jYWxob3N0MFkwEwYHKoZIzj0CAQYI\n"
	"KoZIzj0DAQcDQgAEZjRHdGQ92fngpQZZpsRY1YtM6HcVe6qMHRkN+gFOHZxTtkk3\n"
	"dvNNF/hKHPrgMrN0qC1S42CkdyoUjkekCx9KOKNzMHEwGgYDVR0RBBMwEYIJbG9j\n"
	"YWxob3N0hwR/AAABMBMGA1UdJQQMMAoGCCsGAQUFBwMBMB0GA1UdDgQWBBTYK+2h\n"
	"6NdsNCNB5wmWaBl9Cj/0RzAfBgNVHSMEGDAWgBRQ+Xwh+6X1n1JGRRClMVQGv8XH\n"
	"jDAKBggqhkjOPQQDAgNHADBEAiB1z3wCTvoLoCXLMmwWSaRZ6x+a+Fa34UXrYxIR\n"
	"7xKgKQIgPbKDbjGRVtIGORHrAzdskshythDkPQkWkqHmXnm9ZOk=\n"
	"-----END CERTIFICATE-----\n";
static const char SRV_KEY[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7x5MA1Ny0oQ0CRR1\n"
	"2KHzo+FWE4bHPxotJt7Cn6KLbkyhRANCAARmNEd0ZD3Z+eClBlmmxFjVi0zodxV7\n"
	"qowdGQ36AU4dnFO2STd2800X+Eoc+uAys3SoLVLjYKR3KhSOR6QLH0o4\n"
	"-----END PRIVATE KEY-----\n";
static const char OTHER_KEY[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgACNVLI6gzZR6hl1d\n"
	"xMiADmm5csGUoc2AINZ053DoBOChRANCAATAyS5plbM3vw4H3jPUpJtFl/bwfpd4\n"
	"GU3OG3QfTb2UnGhDDLaBA+wUjF+A8tiw0SfeicwQhMlbQS2qsYP3sC5i\n"
	"-----END PRIVATE KEY-----\n";
static const char CA_CRT[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBhzCCAS2gAwIBAgIUe3VGZKKBWsfbfWSX9UrMZEewswwwCgYIKoZIzj0EAwIw\n"
	"GDEWMBQGA1UEAwwNbm9kZXgtdGVzdC1jYTAgFw0yNjExMjEwODUzMjZaGA8yMTI2\n"
	"MTAyODA4NTMyNlowGDEWMBQGA1UEAwwNbm9kZXgtdGVzdC1jYTBZMBMGByqGSM49\n"
	"AgEGCCqGSM49AwEHA0IABJOiZyg0eIYi1+8uyW7+4i9eacLX3zZUtYwB+GvIV87/\n"
	"lNtukd0JoatcSMlpIr+JExJ1dae2x5EAerpO1n/U9ZyjUzBRMB0GA1UdDgQWBBRQ\n"
	"+Xwh+6X1n1JGRRClMVQGv8XHjDAfBgNVHSMEGDAWgBRQ+Xwh+6X1n1JGRRClMVQG\n"
	"v8XHjDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCICLelKjcmMBZ\n"
	"OvdgZd5nrVvphuATuEfs6t9kqAFDO9TKAiEAqgEPq/oDeTRYFgzCNtD04BwD7FtT\n"
	"g9J1oQ8noP6pA+0=\n"
	"-----END CERTIFICATE-----\n";

/* bcrypt of "secret" at cost 4 (libxcrypt) and 5, so the tests stay fast. */
#define H4 "$2b$04$P5nOcYl05WJkE3tC6P08m.O6GLb1/u98yr.CWXAleP.YVdrCjcAo2"
#define H4Y "$2y$04$P5nOcYl05WJkE3tC6P08m.O6GLb1/u98yr.CWXAleP.YVdrCjcAo2"
#define H10 "$2b$10$Ydkqa86DlgizwHnCCP9boeZPpSHV6b7Jcw2aWSXNjqcJpLadRFaY6"

/* Renders everything the decoder produced, so a case compares the whole result. */
static void dump(const struct webconfig *wc, struct strbuf *b)
{
	sb_printf(b, "tls=%d", wc->tls);
	if (wc->cert)
		sb_printf(b, " cert=%zu bytes", strlen(wc->cert));
	if (wc->key)
		sb_printf(b, " key=%zu bytes", strlen(wc->key));
	if (wc->client_ca)
		sb_printf(b, " client_ca=%zu bytes", strlen(wc->client_ca));
	if (wc->cert_file)
		sb_printf(b, " cert_file=%s", wc->cert_file);
	if (wc->key_file)
		sb_printf(b, " key_file=%s", wc->key_file);
	if (wc->client_ca_file)
		sb_printf(b, " client_ca_file=%s", wc->client_ca_file);
	sb_printf(b, " client_auth=%d min=%d max=%d prefer=%d", wc->client_auth, wc->min_version, wc->max_version,
		  wc->prefer_server_cipher_suites);
	if (wc->sans_set) {
		sb_puts(b, " sans=[");
		for (size_t i = 0; i < wc->n_sans; i++)
			sb_printf(b, "%s%s", i ? "," : "", wc->sans[i]);
		sb_puts(b, "]");
	}
	if (wc->n_suites) {
		sb_puts(b, " suites=[");
		for (size_t i = 0; i < wc->n_suites; i++)
			sb_printf(b, "%s%04x", i ? "," : "", wc->suites[i]->id);
		sb_puts(b, "]");
	}
	if (wc->n_curves) {
		sb_puts(b, " curves=[");
		for (size_t i = 0; i < wc->n_curves; i++)
			sb_printf(b, "%s%s", i ? "," : "", wc->curves[i]->name);
		sb_puts(b, "]");
	}
	sb_printf(b, "\nhttp2=%d%s", wc->http2, wc->http2_given ? " (given)" : "");
	for (size_t i = 0; i < wc->n_headers; i++)
		sb_printf(b, " %s=[%s]", wc->headers[i].name, wc->headers[i].value);
	sb_printf(b, "\nusers=%zu max_cost=%u", wc->n_users, wc->max_cost);
	for (size_t i = 0; i < wc->n_users; i++)
		sb_printf(b, " %s:%.7s", wc->users[i].name, wc->users[i].hash);
	sb_printf(b, "\nrate=%gs/%ld\n", wc->rate_interval, wc->rate_burst);
}

struct parse_case {
	const char *name;
	const char *yaml;
	const char *want; /* the dump, or the error message when it starts with "ERR " */
};

#define DEF_TLS " client_auth=0 min=12 max=13 prefer=1"
#define DEFAULTS "tls=0" DEF_TLS "\nhttp2=1\nusers=0 max_cost=0\nrate=0s/0\n"

static const struct parse_case cases[] = {
	/* ---- valid files ---- */
	{ "empty file", "", DEFAULTS },
	{ "comments only", "# nothing here\n\n", DEFAULTS },
	{ "empty mapping", "{}\n", DEFAULTS },
	{ "null document", "~\n", DEFAULTS },
	{ "files and every TLS key",
	  "tls_server_config:\n"
	  "  cert_file: server.crt\n"
	  "  key_file: /etc/tls/server.key\n"
	  "  client_ca_file: ca/clients.pem\n"
	  "  client_auth_type: RequireAndVerifyClientCert\n"
	  "  client_allowed_sans: [\"client.example\", 10.0.0.1, spiffe://x/y]\n"
	  "  min_version: TLS13\n"
	  "  max_version: TLS13\n"
	  "  cipher_suites:\n"
	  "    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n"
	  "    - TLS_AES_128_GCM_SHA256\n"
	  "    - TLS_RSA_WITH_AES_256_CBC_SHA\n"
	  "  curve_preferences: [X25519, CurveP256, CurveP384, CurveP521]\n"
	  "  prefer_server_cipher_suites: false\n",
	  "tls=1 cert_file=/cfg/dir/server.crt key_file=/etc/tls/server.key client_ca_file=/cfg/dir/ca/clients.pem "
	  "client_auth=4 min=13 max=13 prefer=0 sans=[client.example,10.0.0.1,spiffe://x/y] suites=[c02f,1301,0035] "
	  "curves=[X25519,CurveP256,CurveP384,CurveP521]\nhttp2=1\nusers=0 max_cost=0\nrate=0s/0\n" },
	{ "inline cert, key and CA",
	  "tls_server_config:\n  cert: |\n    -----BEGIN CERTIFICATE-----\n    abc\n    -----END CERTIFICATE-----\n"
	  "  key: \"k\"\n  client_ca: ca\n  client_auth_type: VerifyClientCertIfGiven\n",
	  "tls=1 cert=58 bytes key=1 bytes client_ca=2 bytes client_auth=3 min=12 max=13 prefer=1\nhttp2=1\n"
	  "users=0 max_cost=0\nrate=0s/0\n" },
	{ "client_auth_type alone turns TLS on (and then needs a cert)",
	  "tls_server_config:\n  client_auth_type: NoClientCert\n",
	  "ERR line 1, column 1: tls_server_config: missing one of cert or cert_file" },
	{ "old name RequireClientCert",
	  "tls_server_config: {cert_file: c, key_file: k, client_auth_type: RequireClientCert}\n",
	  "tls=1 cert_file=/cfg/dir/c key_file=/cfg/dir/k client_auth=2 min=12 max=13 prefer=1\nhttp2=1\n"
	  "users=0 max_cost=0\nrate=0s/0\n" },
	{ "RequestClientCert", "tls_server_config: {cert_file: c, key_file: k, client_auth_type: RequestClientCert}\n",
	  "tls=1 cert_file=/cfg/dir/c key_file=/cfg/dir/k client_auth=1 min=12 max=13 prefer=1\nhttp2=1\n"
	  "users=0 max_cost=0\nrate=0s/0\n" },
	{ "empty strings are not given", "tls_server_config:\n  cert_file: \"\"\n  key_file: ''\n", DEFAULTS },
	{ "empty SAN list is kept (refuses every client, as in Go)",
	  "tls_server_config: {cert_file: c, key_file: k, client_auth_type: RequireAnyClientCert, "
	  "client_allowed_sans: []}\n",
	  "tls=1 cert_file=/cfg/dir/c key_file=/cfg/dir/k client_auth=2 min=12 max=13 prefer=1 sans=[]\nhttp2=1\n"
	  "users=0 max_cost=0\nrate=0s/0\n" },
	{ "null SAN list is no list",
	  "tls_server_config: {cert_file: c, key_file: k, client_auth_type: RequireAnyClientCert, "
	  "client_allowed_sans: ~}\n",
	  "tls=1 cert_file=/cfg/dir/c key_file=/cfg/dir/k client_auth=2 min=12 max=13 prefer=1\nhttp2=1\n"
	  "users=0 max_cost=0\nrate=0s/0\n" },
	{ "TLS10 to TLS11", "tls_server_config: {cert: c, key: k, min_version: TLS10, max_version: TLS11}\n",
	  "tls=1 cert=1 bytes key=1 bytes client_auth=0 min=10 max=11 prefer=1\nhttp2=1\nusers=0 max_cost=0\n"
	  "rate=0s/0\n" },
	{ "a null version keeps the default", "tls_server_config: {cert: c, key: k, min_version: null}\n",
	  "tls=1 cert=1 bytes key=1 bytes" DEF_TLS "\nhttp2=1\nusers=0 max_cost=0\nrate=0s/0\n" },
	{ "null tls_server_config", "tls_server_config:\n", DEFAULTS },
	{ "http_server_config with every header",
	  "http_server_config:\n"
	  "  http2: no\n"
	  "  headers:\n"
	  "    Content-Security-Policy: default-src 'self'\n"
	  "    X-Frame-Options: sameorigin\n"
	  "    X-Content-Type-Options: nosniff\n"
	  "    X-XSS-Protection: 1; mode=block\n"
	  "    Strict-Transport-Security: max-age=31536000; includeSubDomains\n",
	  "tls=0" DEF_TLS "\nhttp2=0 (given) Content-Security-Policy=[default-src 'self'] X-Frame-Options=[sameorigin] "
	  "X-Content-Type-Options=[nosniff] X-XSS-Protection=[1; mode=block] "
	  "Strict-Transport-Security=[max-age=31536000; includeSubDomains]\nusers=0 max_cost=0\nrate=0s/0\n" },
	{ "YAML 1.1 booleans", "http_server_config: {http2: On}\n",
	  "tls=0" DEF_TLS "\nhttp2=1 (given)\nusers=0 max_cost=0\nrate=0s/0\n" },
	{ "an empty header value sets nothing", "http_server_config:\n  headers:\n    X-XSS-Protection: \"\"\n",
	  DEFAULTS },
	{ "CR and LF in a header value become spaces",
	  "http_server_config:\n  headers:\n    Content-Security-Policy: \"a\\r\\nb\"\n",
	  "tls=0" DEF_TLS "\nhttp2=1 Content-Security-Policy=[a  b]\nusers=0 max_cost=0\nrate=0s/0\n" },
	{ "null http_server_config zeroes it, as yaml.v2 does", "http_server_config: ~\n",
	  "tls=0" DEF_TLS "\nhttp2=0\nusers=0 max_cost=0\nrate=0s/0\n" },
	{ "users sorted, highest cost kept",
	  "basic_auth_users:\n  zed: " H4 "\n  alice: " H10 "\n  bob: '" H4Y "'\n",
	  "tls=0" DEF_TLS "\nhttp2=1\nusers=3 max_cost=10 alice:$2b$10$ bob:$2y$04$ zed:$2b$04$\nrate=0s/0\n" },
	{ "user names are any scalar", "basic_auth_users:\n  123: " H4 "\n  \"a b:c\": " H4 "\n",
	  "tls=0" DEF_TLS "\nhttp2=1\nusers=2 max_cost=4 123:$2b$04$ a b:c:$2b$04$\nrate=0s/0\n" },
	{ "anchors and aliases", "basic_auth_users:\n  a: &h " H4 "\n  b: *h\n",
	  "tls=0" DEF_TLS "\nhttp2=1\nusers=2 max_cost=4 a:$2b$04$ b:$2b$04$\nrate=0s/0\n" },
	{ "null users", "basic_auth_users:\n", DEFAULTS },
	{ "rate limit", "rate_limit:\n  interval: 1m30s\n  burst: 10\n",
	  "tls=0" DEF_TLS "\nhttp2=1\nusers=0 max_cost=0\nrate=90s/10\n" },
	{ "rate limit: integer nanoseconds, hex burst", "rate_limit: {interval: 250000000, burst: 0x1_0}\n",
	  "tls=0" DEF_TLS "\nhttp2=1\nusers=0 max_cost=0\nrate=0.25s/16\n" },
	{ "rate limit: quoted duration, negative", "rate_limit: {interval: \"-1.5h\", burst: -1}\n",
	  "tls=0" DEF_TLS "\nhttp2=1\nusers=0 max_cost=0\nrate=-5400s/-1\n" },
	{ "only the first document counts", "---\nrate_limit: {burst: 3}\n---\nbogus: [\n",
	  "tls=0" DEF_TLS "\nhttp2=1\nusers=0 max_cost=0\nrate=0s/3\n" },
	{ "explicit !!str tag", "tls_server_config: {cert: !!str 123, key: !!str true}\n",
	  "tls=1 cert=3 bytes key=4 bytes" DEF_TLS "\nhttp2=1\nusers=0 max_cost=0\nrate=0s/0\n" },

	/* ---- misspelt and duplicate keys ---- */
	{ "misspelt top-level key", "tls_server_confg:\n  cert_file: a\n",
	  "ERR line 1, column 1: the configuration: unknown key \"tls_server_confg\"" },
	{ "misspelt TLS key", "tls_server_config:\n  cert_file: a\n  key_fil: b\n",
	  "ERR line 3, column 3: tls_server_config: unknown key \"key_fil\"" },
	{ "misspelt http key", "http_server_config:\n  http_2: true\n",
	  "ERR line 2, column 3: http_server_config: unknown key \"http_2\"" },
	{ "misspelt rate_limit key", "rate_limit:\n  intervall: 1s\n",
	  "ERR line 2, column 3: rate_limit: unknown key \"intervall\"" },
	{ "header names are case-sensitive", "http_server_config:\n  headers:\n    x-frame-options: deny\n",
	  "ERR line 3, column 5: http_server_config.headers: HTTP header \"x-frame-options\" can not be configured" },
	{ "header that can not be configured", "http_server_config:\n  headers:\n    Server: nodex\n",
	  "ERR line 3, column 5: http_server_config.headers: HTTP header \"Server\" can not be configured" },
	{ "duplicate key", "rate_limit: {burst: 1}\nrate_limit: {burst: 2}\n",
	  "ERR line 2, column 1: the configuration: duplicate key \"rate_limit\" (first at line 1)" },
	{ "duplicate TLS key", "tls_server_config:\n  cert: a\n  cert: b\n",
	  "ERR line 3, column 3: tls_server_config: duplicate key \"cert\" (first at line 2)" },
	{ "duplicate user", "basic_auth_users:\n  bob: " H4 "\n  alice: " H4 "\n  bob: " H4 "\n",
	  "ERR line 4, column 3: basic_auth_users: duplicate key \"bob\" (first at line 2)" },
	{ "duplicate header", "http_server_config:\n  headers: {X-XSS-Protection: a, X-XSS-Protection: b}\n",
	  "ERR line 2, column 34: http_server_config.headers: duplicate key \"X-XSS-Protection\" (first at line 2)" },
	{ "odd key shown escaped", "\"a\\tb\": 1\n", "ERR line 1, column 1: the configuration: unknown key \"a\\x09b\"" },

	/* ---- wrong types ---- */
	{ "quoted boolean", "http_server_config:\n  http2: \"true\"\n",
	  "ERR line 2, column 10: http_server_config.http2: expected a boolean (true or false), got \"true\"" },
	{ "list for a boolean", "http_server_config:\n  http2: [true]\n",
	  "ERR line 2, column 10: http_server_config.http2: expected a boolean, got a sequence" },
	{ "mapping for a string", "tls_server_config:\n  cert_file: {a: b}\n",
	  "ERR line 2, column 14: tls_server_config.cert_file: expected a string, got a mapping" },
	{ "string for a list", "tls_server_config:\n  cipher_suites: TLS_AES_128_GCM_SHA256\n",
	  "ERR line 2, column 18: tls_server_config.cipher_suites: expected a list, got a string" },
	{ "list item not a string", "tls_server_config:\n  client_allowed_sans: [a, [b]]\n",
	  "ERR line 2, column 28: tls_server_config.client_allowed_sans[1]: expected a string, got a sequence" },
	{ "section not a mapping", "tls_server_config: [a]\n",
	  "ERR line 1, column 20: tls_server_config: expected a mapping, got a sequence" },
	{ "root is a list", "- a\n", "ERR line 1, column 1: the configuration: expected a mapping, got a sequence" },
	{ "root is a string", "hello\n", "ERR line 1, column 1: the configuration: expected a mapping, got a string" },
	{ "key not a string", "? [a]\n: b\n", "ERR line 1, column 3: the configuration: a key must be a string, got a sequence" },
	{ "float for an integer", "rate_limit:\n  burst: 1.5\n",
	  "ERR line 2, column 10: rate_limit.burst: expected an integer, got \"1.5\"" },
	{ "integer too large", "rate_limit:\n  burst: 99999999999999999999\n",
	  "ERR line 2, column 10: rate_limit.burst: expected an integer, got \"99999999999999999999\"" },
	{ "bad duration", "rate_limit:\n  interval: 5x\n", "ERR line 2, column 13: rate_limit.interval: invalid duration \"5x\"" },
	{ "Prometheus-only duration unit", "rate_limit:\n  interval: 1d\n",
	  "ERR line 2, column 13: rate_limit.interval: invalid duration \"1d\"" },
	{ "users not a mapping", "basic_auth_users: [alice]\n",
	  "ERR line 1, column 19: basic_auth_users: expected a mapping, got a sequence" },
	{ "NUL byte in a string", "tls_server_config:\n  cert_file: \"a\\0b\"\n",
	  "ERR line 2, column 14: tls_server_config.cert_file: the string holds a NUL byte" },

	/* ---- bad values ---- */
	{ "bad client_auth_type", "tls_server_config:\n  cert_file: c\n  key_file: k\n  client_auth_type: RequireSomething\n",
	  "ERR line 4, column 21: tls_server_config.client_auth_type: Invalid ClientAuth: RequireSomething" },
	{ "bad min_version", "tls_server_config:\n  min_version: TLS14\n",
	  "ERR line 2, column 16: tls_server_config.min_version: unknown TLS version: TLS14" },
	{ "lower-case version", "tls_server_config:\n  max_version: tls13\n",
	  "ERR line 2, column 16: tls_server_config.max_version: unknown TLS version: tls13" },
	{ "unknown cipher", "tls_server_config:\n  cipher_suites:\n    - TLS_AES_128_GCM_SHA256\n    - TLS_RSA_WITH_RC4_128_SHA\n",
	  "ERR line 4, column 7: tls_server_config.cipher_suites: unknown cipher: TLS_RSA_WITH_RC4_128_SHA" },
	{ "GnuTLS cipher name is not a Go name", "tls_server_config:\n  cipher_suites: [ECDHE-RSA-AES128-GCM-SHA256]\n",
	  "ERR line 2, column 19: tls_server_config.cipher_suites: unknown cipher: ECDHE-RSA-AES128-GCM-SHA256" },
	{ "unknown curve", "tls_server_config:\n  curve_preferences: [X25519, P256]\n",
	  "ERR line 2, column 31: tls_server_config.curve_preferences: unknown curve: P256" },
	{ "X-Frame-Options value is case-sensitive", "http_server_config:\n  headers:\n    X-Frame-Options: DENY\n",
	  "ERR line 3, column 22: http_server_config.headers.X-Frame-Options: invalid value, expected one of: deny, "
	  "sameorigin, but got: \"DENY\"" },
	{ "X-Content-Type-Options value", "http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n",
	  "ERR line 3, column 29: http_server_config.headers.X-Content-Type-Options: invalid value, expected one of: "
	  "nosniff, but got: \"sniff\"" },
	{ "empty X-Frame-Options is invalid, as in exporter-toolkit", "http_server_config:\n  headers:\n    X-Frame-Options:\n",
	  "ERR line 3, column 21: http_server_config.headers.X-Frame-Options: invalid value, expected one of: deny, "
	  "sameorigin, but got: \"\"" },
	{ "not a bcrypt hash", "basic_auth_users:\n  alice: secret\n",
	  "ERR line 2, column 10: basic_auth_users.alice: not a bcrypt hash (want $2a$, $2b$ or $2y$, cost 04 to 31, 60 "
	  "characters)" },
	{ "$2x$ is refused", "basic_auth_users:\n  alice: $2x$04$P5nOcYl05WJkE3tC6P08m.O6GLb1/u98yr.CWXAleP.YVdrCjcAo2\n",
	  "ERR line 2, column 10: basic_auth_users.alice: not a bcrypt hash (want $2a$, $2b$ or $2y$, cost 04 to 31, 60 "
	  "characters)" },
	{ "cost 03", "basic_auth_users:\n  alice: $2b$03$P5nOcYl05WJkE3tC6P08m.O6GLb1/u98yr.CWXAleP.YVdrCjcAo2\n",
	  "ERR line 2, column 10: basic_auth_users.alice: not a bcrypt hash (want $2a$, $2b$ or $2y$, cost 04 to 31, 60 "
	  "characters)" },
	{ "truncated hash", "basic_auth_users:\n  alice: $2b$04$P5nOcYl05WJkE3tC6P08m.O6GLb1/u98yr.CWXAleP.YVdrCjcAo\n",
	  "ERR line 2, column 10: basic_auth_users.alice: not a bcrypt hash (want $2a$, $2b$ or $2y$, cost 04 to 31, 60 "
	  "characters)" },
	{ "null password hash", "basic_auth_users:\n  alice:\n",
	  "ERR line 2, column 9: basic_auth_users.alice: not a bcrypt hash (want $2a$, $2b$ or $2y$, cost 04 to 31, 60 "
	  "characters)" },
	{ "key without cert", "tls_server_config:\n  key_file: k\n",
	  "ERR line 1, column 1: tls_server_config: missing one of cert or cert_file" },
	{ "cert without key", "tls_server_config:\n  cert: c\n",
	  "ERR line 1, column 1: tls_server_config: missing one of key or key_file" },
	{ "client CA without a client auth policy", "tls_server_config:\n  cert: c\n  key: k\n  client_ca_file: ca\n",
	  "ERR line 1, column 1: tls_server_config: Client CA's have been configured without a Client Auth Policy" },
	{ "min above max", "tls_server_config:\n  cert: c\n  key: k\n  min_version: TLS13\n  max_version: TLS12\n",
	  "ERR line 1, column 1: tls_server_config: min_version TLS13 is above max_version TLS12" },

	/* ---- YAML syntax ---- */
	{ "unclosed flow sequence", "tls_server_config:\n  cipher_suites: [a, b\n",
	  "ERR line 3, column 1: did not find expected ',' or ']' while parsing a flow sequence (line 2, column 18)" },
	{ "tab indentation", "tls_server_config:\n\tcert_file: a\n",
	  "ERR line 2, column 1: found character that cannot start any token while scanning for the next token (line 2, "
	  "column 1)" },
	{ "bad indentation", "tls_server_config:\n  cert_file: a\n key_file: b\n",
	  "ERR line 3, column 2: did not find expected key while parsing a block mapping (line 1, column 1)" },
	{ "unknown alias", "basic_auth_users:\n  a: *nope\n", "ERR line 2, column 6: unknown anchor 'nope' referenced" },
	{ "alias to an ancestor", "tls_server_config: &t\n  cert: *t\n",
	  "ERR line 1, column 20: tls_server_config.cert: expected a string, got a mapping" },
};

static void test_parse_cases(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct webconfig *wc = NULL;
		struct strbuf b = { 0 };
		char err[600];
		int r = webconfig_parse(cases[i].yaml, strlen(cases[i].yaml), "/cfg/dir", &wc, err, sizeof(err));
		if (r < 0)
			sb_printf(&b, "ERR %s", err);
		else
			dump(wc, &b);
		if (!b.p || strcmp(b.p, cases[i].want) != 0)
			fprintf(stderr, "case \"%s\":\n", cases[i].name);
		CHECK_STR(b.p, cases[i].want);
		CHECK(r < 0 ? strncmp(cases[i].want, "ERR ", 4) == 0 : strncmp(cases[i].want, "ERR ", 4) != 0);
		sb_free(&b);
		webconfig_free(wc);
	}
}

/* Buffers that are not NUL-terminated, no directory, and limits on the tree. */
static void test_parse_edges(void)
{
	struct webconfig *wc = NULL;
	struct strbuf big = { 0 };
	char err[600];
	const char text[] = "tls_server_config: {cert_file: a.pem, key_file: b.pem}XXXX";

	CHECK_INT(webconfig_parse(text, sizeof(text) - 5, NULL, &wc, err, sizeof(err)), 0);
	if (wc) {
		CHECK_STR(wc->cert_file, "a.pem"); /* no directory: relative names stay relative */
		webconfig_free(wc);
	}
	CHECK(webconfig_parse(text, sizeof(text) - 1, NULL, &wc, err, sizeof(err)) < 0);
	CHECK_STR(err, "line 1, column 55: did not find expected key while parsing a block mapping (line 1, column 1)");

	sb_puts(&big, "rate_limit:\n  burst: ");
	for (int i = 0; i < 70; i++)
		sb_putc(&big, '[');
	CHECK(webconfig_parse(big.p, big.len, NULL, &wc, err, sizeof(err)) < 0);
	/* the root and rate_limit mappings are two levels, so the 63rd bracket is one too many */
	CHECK_STR(err, "line 2, column 72: nested deeper than 64 levels");
	sb_reset(&big);
	sb_puts(&big, "tls_server_config:\n  client_allowed_sans: [");
	for (int i = 0; i < 100001; i++)
		sb_puts(&big, "a,");
	sb_puts(&big, "a]\n");
	CHECK(webconfig_parse(big.p, big.len, NULL, &wc, err, sizeof(err)) < 0);
	CHECK(strstr(err, "more than 100000 YAML nodes") != NULL);
	/* A hundred thousand SANs are fine. */
	sb_reset(&big);
	sb_puts(&big, "tls_server_config:\n  client_allowed_sans: [");
	for (int i = 0; i < 99990; i++)
		sb_puts(&big, "a,");
	sb_puts(&big, "a]\n");
	CHECK_INT(webconfig_parse(big.p, big.len, NULL, &wc, err, sizeof(err)), 0);
	if (wc) {
		CHECK_INT(wc->n_sans, 99991);
		webconfig_free(wc);
	}
	/* Billion laughs: aliases are not expanded, the decoder stops at the first wrong type. */
	sb_reset(&big);
	sb_puts(&big, "a: &a [x, x, x, x, x, x, x, x, x]\n");
	for (char c = 'b'; c <= 'z'; c++)
		sb_printf(&big, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c, c - 1, c - 1, c - 1, c - 1,
			  c - 1, c - 1, c - 1, c - 1, c - 1);
	CHECK(webconfig_parse(big.p, big.len, NULL, &wc, err, sizeof(err)) < 0);
	CHECK_STR(err, "line 1, column 1: the configuration: unknown key \"a\"");
	sb_free(&big);
}

static char tmpdir[256];

static void write_file(const char *name, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(content, f);
	fclose(f);
}

static const char *tpath(const char *name)
{
	static char path[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", tmpdir, name);
	return path[i];
}

static void test_parse_file(void)
{
	struct webconfig *wc = NULL;
	struct strbuf b = { 0 };
	char err[600], want[800];

	write_file("web.yml", "tls_server_config:\n  cert_file: srv.crt\n  key_file: ../abs.key\n");
	CHECK_INT(webconfig_parse_file(tpath("web.yml"), &wc, err, sizeof(err)), 0);
	if (wc) {
		/* Relative names are joined with the file's directory, as exporter-toolkit's SetDirectory. */
		CHECK_STR(wc->cert_file, tpath("srv.crt"));
		CHECK_STR(wc->key_file, tpath("../abs.key"));
		webconfig_free(wc);
	}
	CHECK_INT(webconfig_parse_file(tpath("nope.yml"), &wc, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "open %s: No such file or directory", tpath("nope.yml"));
	CHECK_STR(err, want);
	CHECK_INT(webconfig_parse_file(tmpdir, &wc, err, sizeof(err)), -EISDIR);
	snprintf(want, sizeof(want), "read %s: is a directory", tmpdir);
	CHECK_STR(err, want);
	write_file("bad.yml", "basic_auth_users:\n  alice: " H4 "\n  bob: nohash\n");
	CHECK(webconfig_parse_file(tpath("bad.yml"), &wc, err, sizeof(err)) < 0);
	snprintf(want, sizeof(want),
		 "%s: line 3, column 8: basic_auth_users.bob: not a bcrypt hash (want $2a$, $2b$ or $2y$, cost 04 to 31, 60 "
		 "characters)",
		 tpath("bad.yml"));
	CHECK_STR(err, want);
	for (int i = 0; i < 1024 * 1024 / 8 + 1; i++)
		sb_puts(&b, "#######\n");
	write_file("big.yml", b.p);
	CHECK_INT(webconfig_parse_file(tpath("big.yml"), &wc, err, sizeof(err)), -EFBIG);
	sb_free(&b);
}

static void test_priorities(void)
{
	static const struct {
		const char *yaml;
		const char *want;
	} t[] = {
		{ "tls_server_config: {cert: c, key: k}",
		  "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:-CIPHER-ALL:+AES-128-GCM:"
		  "+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-CBC:+AES-256-CBC:-MAC-ALL:+AEAD:+SHA1:-GROUP-ALL:+GROUP-X25519:"
		  "+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1:%SERVER_PRECEDENCE" },
		{ "tls_server_config: {cert: c, key: k, min_version: TLS10, max_version: TLS11, curve_preferences: "
		  "[CurveP384]}",
		  "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:-CIPHER-ALL:+AES-128-GCM:"
		  "+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-CBC:+AES-256-CBC:-MAC-ALL:+AEAD:+SHA1:-GROUP-ALL:"
		  "+GROUP-SECP384R1:%SERVER_PRECEDENCE" },
		{ "tls_server_config: {cert: c, key: k, cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]}",
		  "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-KX-ALL:+ECDHE-RSA:+ECDHE-ECDSA:-CIPHER-ALL:+AES-128-GCM:"
		  "+AES-256-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:"
		  "+GROUP-SECP384R1:+GROUP-SECP521R1:%SERVER_PRECEDENCE" },
		{ "tls_server_config: {cert: c, key: k, max_version: TLS12, cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA, "
		  "TLS_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA]}",
		  "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+RSA:+ECDHE-ECDSA:-CIPHER-ALL:+AES-128-CBC:+AES-256-CBC:-MAC-ALL:"
		  "+SHA1:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1:%SERVER_PRECEDENCE" },
		{ "tls_server_config: {cert: c, key: k, cipher_suites: [TLS_AES_128_GCM_SHA256]}",
		  "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:-CIPHER-ALL:+AES-128-GCM:"
		  "+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-CBC:+AES-256-CBC:-MAC-ALL:+AEAD:+SHA1:-GROUP-ALL:+GROUP-X25519:"
		  "+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1:%SERVER_PRECEDENCE" },
		/* prefer_server_cipher_suites: false lets the client's order win. */
		{ "tls_server_config: {cert: c, key: k, prefer_server_cipher_suites: false, cipher_suites: "
		  "[TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]}",
		  "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:-CIPHER-ALL:+AES-256-GCM:"
		  "+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:"
		  "+GROUP-SECP384R1:+GROUP-SECP521R1" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct webconfig *wc = NULL;
		char err[600], prio[1024];
		gnutls_priority_t p;
		CHECK_INT(webconfig_parse(t[i].yaml, strlen(t[i].yaml), NULL, &wc, err, sizeof(err)), 0);
		if (!wc)
			continue;
		CHECK_INT(webconfig_priority_string(wc, prio, sizeof(prio)), 0);
		CHECK_STR(prio, t[i].want);
		CHECK_INT(gnutls_priority_init(&p, prio, NULL), 0);
		gnutls_priority_deinit(p);
		CHECK_INT(webconfig_priority_string(wc, prio, 40), -ENOSPC);
		webconfig_free(wc);
	}
}

/* "  key: |\n" followed by the PEM indented. */
static void yaml_block(struct strbuf *b, const char *key, const char *pem)
{
	sb_printf(b, "  %s: |\n", key);
	for (const char *p = pem; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		sb_printf(b, "    %.*s\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
}

struct init_case {
	const char *name;
	const char *yaml;
	const char *want_err; /* NULL: loads; else the message after "<path>: ", with %s for tmpdir */
	bool tls;
};

static void test_init(void)
{
	static const struct init_case t[] = {
		{ "files", "tls_server_config:\n  cert_file: srv.crt\n  key_file: srv.key\n", NULL, true },
		{ "client CA file", "tls_server_config:\n  cert_file: srv.crt\n  key_file: srv.key\n  client_ca_file: ca.crt\n"
				    "  client_auth_type: RequireAndVerifyClientCert\n", NULL, true },
		{ "verify without a CA uses the system roots",
		  "tls_server_config:\n  cert_file: srv.crt\n  key_file: srv.key\n  client_auth_type: VerifyClientCertIfGiven\n",
		  NULL, true },
		{ "no TLS", "basic_auth_users:\n  alice: " H4 "\n", NULL, false },
		{ "missing cert file", "tls_server_config:\n  cert_file: nope.crt\n  key_file: srv.key\n",
		  "line 2, column 3: tls_server_config.cert_file: failed to read cert_file (%s/nope.crt): No such file or "
		  "directory" },
		{ "unreadable cert (a directory)", "tls_server_config:\n  cert_file: sub\n  key_file: srv.key\n",
		  "line 2, column 3: tls_server_config.cert_file: failed to read cert_file (%s/sub): Is a directory" },
		{ "unreadable key (dangling symlink)", "tls_server_config:\n  cert_file: srv.crt\n  key_file: dangling.key\n",
		  "line 3, column 3: tls_server_config.key_file: failed to read key_file (%s/dangling.key): No such file or "
		  "directory" },
		{ "garbage cert", "tls_server_config:\n  cert_file: garbage.crt\n  key_file: srv.key\n",
		  "line 2, column 3: tls_server_config.cert_file: failed to load X509KeyPair: cannot read a certificate: No "
		  "certificate was found." },
		{ "key in place of the cert", "tls_server_config:\n  cert_file: srv.key\n  key_file: srv.key\n",
		  "line 2, column 3: tls_server_config.cert_file: failed to load X509KeyPair: cannot read a certificate: No "
		  "certificate was found." },
		{ "cert in place of the key", "tls_server_config:\n  cert_file: srv.crt\n  key_file: srv.crt\n",
		  "line 3, column 3: tls_server_config.key_file: failed to load X509KeyPair: cannot read a private key: The "
		  "requested data were not available." },
		{ "key does not match", "tls_server_config:\n  cert_file: srv.crt\n  key_file: other.key\n",
		  "line 2, column 3: tls_server_config.cert_file: failed to load X509KeyPair: private key does not match "
		  "public key (The certificate and the given key do not match.)" },
		{ "client CA file without certificates",
		  "tls_server_config:\n  cert_file: srv.crt\n  key_file: srv.key\n  client_ca_file: garbage.crt\n"
		  "  client_auth_type: RequireAndVerifyClientCert\n",
		  "line 4, column 3: tls_server_config.client_ca_file: No certificate was found." },
		{ "missing client CA file",
		  "tls_server_config:\n  cert_file: srv.crt\n  key_file: srv.key\n  client_ca_file: none.pem\n"
		  "  client_auth_type: RequestClientCert\n",
		  "line 4, column 3: tls_server_config.client_ca_file: failed to read client_ca_file (%s/none.pem): No such "
		  "file or directory" },
		{ "YAML error", "tls_server_config:\n  cert_file: srv.crt\n  keyfile: srv.key\n",
		  "line 3, column 3: tls_server_config: unknown key \"keyfile\"" },
	};
	char err[1200], want[1200];

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		int r;
		write_file("web.yml", t[i].yaml);
		r = webconfig_init(tpath("web.yml"), err, sizeof(err));
		if (t[i].want_err) {
			char msg[800];
			snprintf(msg, sizeof(msg), t[i].want_err, tmpdir);
			snprintf(want, sizeof(want), "%s: %s", tpath("web.yml"), msg);
			CHECK_INT(r, -EINVAL);
			if (r < 0)
				CHECK_STR(err, want);
			else
				fprintf(stderr, "case \"%s\" loaded\n", t[i].name);
			CHECK(!webconfig_enabled());
		} else {
			if (r < 0)
				fprintf(stderr, "case \"%s\": %s\n", t[i].name, err);
			CHECK_INT(r, 0);
			CHECK(webconfig_enabled());
			CHECK(webconfig_tls() == t[i].tls);
		}
		webconfig_fini();
	}

	/* The file named by --web.config.file must exist. */
	CHECK_INT(webconfig_init(tpath("nothing.yml"), err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "open %s: No such file or directory", tpath("nothing.yml"));
	CHECK_STR(err, want);
	/* No file: no web configuration. */
	CHECK_INT(webconfig_init("", err, sizeof(err)), 0);
	CHECK(!webconfig_enabled());
	CHECK(webconfig_acquire() == NULL);
	webconfig_fini();

	/* Inline PEM, as YAML block scalars. */
	{
		struct strbuf b = { 0 };
		sb_puts(&b, "tls_server_config:\n");
		yaml_block(&b, "cert", SRV_CRT);
		yaml_block(&b, "key", SRV_KEY);
		yaml_block(&b, "client_ca", CA_CRT);
		sb_puts(&b, "  client_auth_type: RequireAndVerifyClientCert\n");
		write_file("web.yml", b.p);
		CHECK_INT(webconfig_init(tpath("web.yml"), err, sizeof(err)), 0);
		CHECK(webconfig_tls());
		webconfig_fini();
		sb_free(&b);
	}
}

/* The user names of the configuration in force, space-separated ("-" without a configuration). */
static const char *users_in_force(void)
{
	static char buf[256];
	struct webconfig_state *st = webconfig_acquire();
	const struct webconfig *wc = webconfig_config(st);
	size_t o = 0;

	buf[0] = '\0';
	if (!wc) {
		webconfig_release(st);
		return "-";
	}
	for (size_t i = 0; i < wc->n_users && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "", wc->users[i].name);
	webconfig_release(st);
	return buf;
}

/* The live layer: the rate limiter, the extra headers, and reloading (SIGHUP, a broken file, a change on
 * disk), observed through the users of the configuration in force. */
static void test_live(void)
{
	char err[1200];
	struct webconfig_state *st;

	write_file("web.yml", "rate_limit: {interval: 1h, burst: 2}\n");
	CHECK_INT(webconfig_init(tpath("web.yml"), err, sizeof(err)), 0);
	st = webconfig_acquire();
	/* A token bucket that starts full: two requests, then 429 for an hour. */
	CHECK(webconfig_rate_allow(st));
	CHECK(webconfig_rate_allow(st));
	CHECK(!webconfig_rate_allow(st));
	webconfig_release(st);
	webconfig_fini();

	write_file("web.yml", "basic_auth_users:\n  alice: " H4 "\n  carol: " H10 "\n"
			      "http_server_config:\n  headers: {X-Frame-Options: deny}\n");
	CHECK_INT(webconfig_init(tpath("web.yml"), err, sizeof(err)), 0);
	st = webconfig_acquire();
	CHECK(webconfig_rate_allow(st)); /* no rate_limit: always */
	{
		const struct webconfig_header *h;
		CHECK_INT(webconfig_headers(st, &h), 1);
		CHECK_STR(h[0].name, "X-Frame-Options");
		CHECK_STR(h[0].value, "deny");
	}
	webconfig_release(st);
	CHECK_STR(users_in_force(), "alice carol");

	/* Reload: a new file is used at once; a broken file leaves the old configuration in force. */
	write_file("web.yml", "basic_auth_users:\n  bob: " H4 "\n");
	webconfig_reload();
	CHECK_STR(users_in_force(), "bob");
	write_file("web.yml", "basic_auth_users:\n  bob: " H4 "\n  alice: nohash\n");
	webconfig_reload();
	CHECK_STR(users_in_force(), "bob");
	/* Turning TLS on needs a restart: refused, the old configuration stays. */
	write_file("web.yml", "tls_server_config:\n  cert_file: srv.crt\n  key_file: srv.key\n");
	webconfig_reload();
	CHECK(!webconfig_tls());
	CHECK_STR(users_in_force(), "bob");
	/* A change noticed by the once-a-second check. */
	write_file("web.yml", "basic_auth_users:\n  alice: " H4 "\n");
	{
		struct timespec ts = { 1, 100000000 };
		nanosleep(&ts, NULL);
	}
	webconfig_maybe_reload();
	CHECK_STR(users_in_force(), "alice");
	webconfig_fini();
	CHECK_STR(users_in_force(), "-");
}

int main(int argc, char **argv)
{
	(void)argc;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nodex-webconfig.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 2;
	write_file("srv.crt", SRV_CRT);
	write_file("srv.key", SRV_KEY);
	write_file("other.key", OTHER_KEY);
	write_file("ca.crt", CA_CRT);
	write_file("garbage.crt", "this is not PEM\n");
	mkdir(tpath("sub"), 0755);
	if (symlink(tpath("missing-target"), tpath("dangling.key")) < 0)
		perror("symlink");

	test_parse_cases();
	test_parse_edges();
	test_parse_file();
	test_priorities();
	test_init();
	test_live();

	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return test_summary(argv[0]);
}
