/* The exporter-toolkit web configuration file: YAML text -> struct webconfig.
 *
 * The YAML front end (include/ytree.h) builds a small node tree (bounded in size and depth); a decoder
 * then walks the tree against the fixed schema of exporter-toolkit's Config struct. The rules follow what Go's
 * yaml.v2 UnmarshalStrict does with that struct: unknown and duplicate keys are errors, a plain scalar is
 * typed by YAML 1.1's implicit rules (so `http2: yes` is a boolean and `http2: "yes"` is not), a null
 * leaves the default, any scalar may fill a string, the first document is the only one read. The
 * validations of exporter-toolkit (header names and values, bcrypt hashes, client_auth_type, TLS
 * versions, cipher and curve names, cert/key presence) follow, each error naming the key and where it is.
 * The decoder never goes deeper than the schema, so aliases cannot make it do more work than the file's
 * own size. */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "gocompat.h"
#include "nodex.h"
#include "webconfig.h"
#include "ytree.h"

#define MAX_FILE_SIZE (1024 * 1024)

/* Go's crypto/tls.CipherSuites() of the Go releases node_exporter 1.5 .. 1.12 are built with. */
const struct webconfig_suite webconfig_suites[] = {
	{ "TLS_RSA_WITH_AES_128_CBC_SHA", 0x002f, "RSA", "AES-128-CBC", "SHA1", false },
	{ "TLS_RSA_WITH_AES_256_CBC_SHA", 0x0035, "RSA", "AES-256-CBC", "SHA1", false },
	{ "TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009c, "RSA", "AES-128-GCM", "AEAD", false },
	{ "TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009d, "RSA", "AES-256-GCM", "AEAD", false },
	{ "TLS_AES_128_GCM_SHA256", 0x1301, NULL, NULL, NULL, true },
	{ "TLS_AES_256_GCM_SHA384", 0x1302, NULL, NULL, NULL, true },
	{ "TLS_CHACHA20_POLY1305_SHA256", 0x1303, NULL, NULL, NULL, true },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xc009, "ECDHE-ECDSA", "AES-128-CBC", "SHA1", false },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xc00a, "ECDHE-ECDSA", "AES-256-CBC", "SHA1", false },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xc013, "ECDHE-RSA", "AES-128-CBC", "SHA1", false },
	{ "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xc014, "ECDHE-RSA", "AES-256-CBC", "SHA1", false },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02b, "ECDHE-ECDSA", "AES-128-GCM", "AEAD", false },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc02c, "ECDHE-ECDSA", "AES-256-GCM", "AEAD", false },
	{ "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xc02f, "ECDHE-RSA", "AES-128-GCM", "AEAD", false },
	{ "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xc030, "ECDHE-RSA", "AES-256-GCM", "AEAD", false },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca8, "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD", false },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca9, "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD",
	  false },
	{ NULL, 0, NULL, NULL, NULL, false },
};

/* exporter-toolkit's curves map. */
const struct webconfig_curve webconfig_curves[] = {
	{ "CurveP256", "GROUP-SECP256R1" },
	{ "CurveP384", "GROUP-SECP384R1" },
	{ "CurveP521", "GROUP-SECP521R1" },
	{ "X25519", "GROUP-X25519" },
	{ NULL, NULL },
};

/* ---- errors ---- */

static int errf(char *err, size_t err_size, unsigned line, unsigned col, const char *fmt, ...) PRINTF(5, 6);

static int errf(char *err, size_t err_size, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, err_size, "line %u, column %u: ", line, col);

	if (n < 0 || (size_t)n >= err_size)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err + n, err_size - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- scalars ---- */

enum yscalar {
	YS_NULL,
	YS_BOOL,
	YS_INT,
	YS_FLOAT,
	YS_STR,
};

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (streq(s, *list))
			return true;
	return false;
}

/* An integer as yaml.v2 resolves it: optional sign, then decimal, 0x hex, 0o/0 octal or 0b binary, with
 * '_' separators. */
static bool parse_yaml_int(const char *s, long long *out)
{
	char digits[80];
	size_t n = 0;
	bool neg = false;
	int base = 10;
	unsigned long long v = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	else if (s[0] == '0' && s[1])
		base = 8, s += 1;
	for (; *s; s++) {
		if (*s == '_')
			continue;
		if (n + 1 >= sizeof(digits))
			return false;
		digits[n++] = *s;
	}
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d;
		char c = digits[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		if (d >= base)
			return false;
		if (v > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
			return false;
		v = v * (unsigned)base + (unsigned)d;
	}
	if (neg ? v > (unsigned long long)LLONG_MAX + 1 : v > (unsigned long long)LLONG_MAX)
		return false;
	*out = neg ? (long long)(0 - v) : (long long)v;
	return true;
}

static bool looks_float(const char *s)
{
	static const char *const special[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
					       "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", NULL };
	bool digit = false, dot = false;

	if (in_list(s, special))
		return true;
	if (*s == '+' || *s == '-')
		s++;
	for (; *s && *s != 'e' && *s != 'E'; s++) {
		if (*s >= '0' && *s <= '9')
			digit = true;
		else if (*s == '.' && !dot)
			dot = true;
		else if (*s != '_')
			return false;
	}
	if (!digit)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		return all_digits(s);
	}
	return true;
}

static enum yscalar resolve(const struct ynode *n, bool *b, long long *i)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const trues[] = { "y",    "Y",    "yes", "Yes", "YES", "true",
					     "True", "TRUE", "on",  "On",  "ON",  NULL };
	static const char *const falses[] = { "n",     "N",     "no",  "No",  "NO",  "false",
					      "False", "FALSE", "off", "Off", "OFF", NULL };
	const char *s = n->val;

	if (n->tag) {
		if (streq(n->tag, "tag:yaml.org,2002:null"))
			return YS_NULL;
		if (streq(n->tag, "tag:yaml.org,2002:bool") && (in_list(s, trues) || in_list(s, falses))) {
			*b = in_list(s, trues);
			return YS_BOOL;
		}
		if (streq(n->tag, "tag:yaml.org,2002:int") && parse_yaml_int(s, i))
			return YS_INT;
		return YS_STR;
	}
	if (!n->plain || n->has_nul)
		return YS_STR;
	if (in_list(s, nulls))
		return YS_NULL;
	if (in_list(s, trues)) {
		*b = true;
		return YS_BOOL;
	}
	if (in_list(s, falses)) {
		*b = false;
		return YS_BOOL;
	}
	if (parse_yaml_int(s, i))
		return YS_INT;
	if (looks_float(s))
		return YS_FLOAT;
	return YS_STR;
}

/* ---- decoding ---- */

struct dec {
	struct webconfig *wc;
	const char *dir;
	char *err;
	size_t err_size;
};

static int fail(struct dec *d, const struct ynode *n, const char *fmt, ...) PRINTF(3, 4);

static int fail(struct dec *d, const struct ynode *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return errf(d->err, d->err_size, n->line, n->col, "%s", msg);
}

static const char *kind_name(const struct ynode *n)
{
	bool b;
	long long i;

	switch (n->kind) {
	case Y_MAP:
		return "a mapping";
	case Y_SEQ:
		return "a sequence";
	default:
		switch (resolve(n, &b, &i)) {
		case YS_NULL:
			return "null";
		case YS_BOOL:
			return "a boolean";
		case YS_INT:
			return "an integer";
		case YS_FLOAT:
			return "a number";
		default:
			return "a string";
		}
	}
}

/* Writes s into out for a message: printable ASCII kept, the rest escaped, cut at 64 characters. */
static const char *shown(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s && o + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (o >= 64) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			out[o++] = (char)c;
		} else {
			snprintf(out + o, size - o, "\\x%02x", c);
			o += 4;
		}
	}
	out[o] = '\0';
	return out;
}

static void set_pos(struct webconfig_pos *p, const struct ynode *n)
{
	p->line = n->line;
	p->col = n->col;
}

/* A string value: any scalar (a null gives NULL). The text is copied into the configuration's arena
 * (the tree's arena goes away after decoding). */
static int dec_string(struct dec *d, const struct ynode *v, const char *path, const char **out)
{
	bool b;
	long long i;

	if (v->kind != Y_SCALAR)
		return fail(d, v, "%s: expected a string, got %s", path, kind_name(v));
	if (resolve(v, &b, &i) == YS_NULL) {
		*out = NULL;
		return 0;
	}
	if (v->has_nul)
		return fail(d, v, "%s: the string holds a NUL byte", path);
	*out = arena_strndup(&d->wc->mem, v->val, v->len);
	return *out ? 0 : -ENOMEM;
}

static int dec_bool(struct dec *d, const struct ynode *v, const char *path, bool *out)
{
	char buf[80];
	long long i;
	bool b = false;
	enum yscalar t;

	if (v->kind != Y_SCALAR)
		return fail(d, v, "%s: expected a boolean, got %s", path, kind_name(v));
	t = resolve(v, &b, &i);
	if (t == YS_NULL) {
		*out = false;
		return 0;
	}
	if (t != YS_BOOL)
		return fail(d, v, "%s: expected a boolean (true or false), got \"%s\"", path,
			    shown(v->val, buf, sizeof(buf)));
	*out = b;
	return 0;
}

static int dec_int(struct dec *d, const struct ynode *v, const char *path, long *out)
{
	char buf[80];
	long long i = 0;
	bool b;
	enum yscalar t;

	if (v->kind != Y_SCALAR)
		return fail(d, v, "%s: expected an integer, got %s", path, kind_name(v));
	t = resolve(v, &b, &i);
	if (t == YS_NULL) {
		*out = 0;
		return 0;
	}
	if (t != YS_INT || i < LONG_MIN || i > LONG_MAX)
		return fail(d, v, "%s: expected an integer, got \"%s\"", path, shown(v->val, buf, sizeof(buf)));
	*out = (long)i;
	return 0;
}

/* A Go time.Duration as yaml.v2 decodes it: an integer is nanoseconds, a string goes through
 * time.ParseDuration. */
static int dec_duration(struct dec *d, const struct ynode *v, const char *path, double *out)
{
	char buf[80];
	long long i = 0;
	bool b;
	enum yscalar t;

	if (v->kind != Y_SCALAR)
		return fail(d, v, "%s: expected a duration, got %s", path, kind_name(v));
	t = resolve(v, &b, &i);
	if (t == YS_NULL) {
		*out = 0;
		return 0;
	}
	if (t == YS_INT) {
		*out = (double)i / 1e9;
		return 0;
	}
	if (t != YS_STR || v->has_nul || go_parse_duration(v->val, out) < 0)
		return fail(d, v, "%s: invalid duration \"%s\"", path, shown(v->val, buf, sizeof(buf)));
	return 0;
}

/* A list of strings: NULL-less array in the arena. *set tells a given list (even empty) from none. */
static int dec_strings(struct dec *d, const struct ynode *v, const char *path, const char ***out, size_t *n,
		       bool *set)
{
	bool b;
	long long i;
	char ipath[160];

	if (v->kind == Y_SCALAR && resolve(v, &b, &i) == YS_NULL) {
		*set = false;
		*n = 0;
		return 0;
	}
	if (v->kind != Y_SEQ)
		return fail(d, v, "%s: expected a list, got %s", path, kind_name(v));
	*out = arena_alloc(&d->wc->mem, (v->n ? v->n : 1) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t k = 0; k < v->n; k++) {
		const char *s;
		int r;
		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, k);
		r = dec_string(d, v->kids[k], ipath, &s);
		if (r < 0)
			return r;
		(*out)[k] = s ? s : "";
	}
	*n = v->n;
	*set = true;
	return 0;
}

/* Checks that v is a mapping (or null: returns 0 with *empty set) with scalar keys. */
static int want_map(struct dec *d, const struct ynode *v, const char *path, bool *empty)
{
	bool b;
	long long i;

	*empty = false;
	if (v->kind == Y_SCALAR && resolve(v, &b, &i) == YS_NULL) {
		*empty = true;
		return 0;
	}
	if (v->kind != Y_MAP)
		return fail(d, v, "%s: expected a mapping, got %s", path, kind_name(v));
	for (size_t k = 0; k + 1 < v->n; k += 2)
		if (v->kids[k]->kind != Y_SCALAR)
			return fail(d, v->kids[k], "%s: a key must be a string, got %s", path, kind_name(v->kids[k]));
	return 0;
}

/* Looks key up in a table of names; reports unknown and duplicate keys. Returns the index or an error. */
static int field(struct dec *d, const struct ynode *key, const char *path, const char *const *names,
		 const struct ynode **seen)
{
	char buf[80];

	for (int i = 0; names[i]; i++) {
		if (!key->has_nul && streq(key->val, names[i])) {
			if (seen[i])
				return fail(d, key, "%s: duplicate key \"%s\" (first at line %u)", path, names[i],
					    seen[i]->line);
			seen[i] = key;
			return i;
		}
	}
	return fail(d, key, "%s: unknown key \"%s\"", path, shown(key->val, buf, sizeof(buf)));
}

static const char *join_dir(struct dec *d, const char *path)
{
	if (!path || !*path)
		return NULL;
	if (path[0] == '/' || !d->dir || !*d->dir)
		return path;
	return arena_printf(&d->wc->mem, "%s/%s", d->dir, path);
}

static int dec_version(struct dec *d, const struct ynode *v, const char *path, enum webconfig_tls_version *out)
{
	static const char *const names[] = { "TLS10", "TLS11", "TLS12", "TLS13", NULL };
	char buf[80];
	const char *s;
	int r = dec_string(d, v, path, &s);

	if (r < 0)
		return r;
	if (!s)
		return 0; /* null: the default stays */
	for (int i = 0; names[i]; i++) {
		if (streq(s, names[i])) {
			*out = (enum webconfig_tls_version)(WEBCONFIG_TLS10 + i);
			return 0;
		}
	}
	return fail(d, v, "%s: unknown TLS version: %s", path, shown(s, buf, sizeof(buf)));
}

/* A list of names, each one of table's entries (stride bytes apart, each starting with its name, the
 * last name NULL), at most max of them: the index of each is written to idx, their count to *n. what
 * and plural name an entry in messages. */
static int dec_names(struct dec *d, const struct ynode *v, const char *path, const void *table, size_t stride,
		     const char *what, const char *plural, size_t max, size_t *idx, size_t *n)
{
	const char **names = NULL;
	size_t n_names = 0;
	bool set;
	char buf[80];
	int r = dec_strings(d, v, path, &names, &n_names, &set);

	if (r < 0)
		return r;
	*n = 0;
	for (size_t k = 0; k < n_names; k++) {
		size_t i = 0;
		const char *name;
		/* An entry starts with its name: a pointer to the entry is one to the name. */
		while ((name = *(const char *const *)(const void *)((const char *)table + i * stride)) &&
		       !streq(name, names[k]))
			i++;
		if (!name)
			return fail(d, v->kids[k], "%s: unknown %s: %s", path, what, shown(names[k], buf, sizeof(buf)));
		if (*n == max)
			return fail(d, v->kids[k], "%s: more than %zu %s", path, max, plural);
		idx[(*n)++] = i;
	}
	return 0;
}

static int dec_suites(struct dec *d, const struct ynode *v, const char *path)
{
	size_t idx[WEBCONFIG_MAX_SUITES];
	int r = dec_names(d, v, path, webconfig_suites, sizeof(*webconfig_suites), "cipher", "cipher suites",
			  WEBCONFIG_MAX_SUITES, idx, &d->wc->n_suites);

	for (size_t k = 0; r == 0 && k < d->wc->n_suites; k++)
		d->wc->suites[k] = &webconfig_suites[idx[k]];
	return r;
}

static int dec_curves(struct dec *d, const struct ynode *v, const char *path)
{
	size_t idx[WEBCONFIG_MAX_CURVES];
	int r = dec_names(d, v, path, webconfig_curves, sizeof(*webconfig_curves), "curve", "curves",
			  WEBCONFIG_MAX_CURVES, idx, &d->wc->n_curves);

	for (size_t k = 0; r == 0 && k < d->wc->n_curves; k++)
		d->wc->curves[k] = &webconfig_curves[idx[k]];
	return r;
}

enum tls_key {
	TK_CERT,
	TK_KEY,
	TK_CLIENT_CA,
	TK_CERT_FILE,
	TK_KEY_FILE,
	TK_CLIENT_AUTH_TYPE,
	TK_CLIENT_CA_FILE,
	TK_CIPHER_SUITES,
	TK_CURVE_PREFERENCES,
	TK_MIN_VERSION,
	TK_MAX_VERSION,
	TK_PREFER_SERVER_CIPHER_SUITES,
	TK_CLIENT_ALLOWED_SANS,
	TK_COUNT,
};

static int dec_client_auth(struct dec *d, const struct ynode *v, const char *s)
{
	static const struct {
		const char *name;
		enum webconfig_client_auth v;
	} types[] = {
		{ "NoClientCert", WEBCONFIG_NO_CLIENT_CERT },
		{ "RequestClientCert", WEBCONFIG_REQUEST_CLIENT_CERT },
		{ "RequireAnyClientCert", WEBCONFIG_REQUIRE_ANY_CLIENT_CERT },
		{ "RequireClientCert", WEBCONFIG_REQUIRE_ANY_CLIENT_CERT }, /* exporter-toolkit's old name */
		{ "VerifyClientCertIfGiven", WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN },
		{ "RequireAndVerifyClientCert", WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT },
	};
	char buf[80];

	if (!s) {
		d->wc->client_auth = WEBCONFIG_NO_CLIENT_CERT;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		if (streq(s, types[i].name)) {
			d->wc->client_auth = types[i].v;
			return 0;
		}
	}
	return fail(d, v, "tls_server_config.client_auth_type: Invalid ClientAuth: %s", shown(s, buf, sizeof(buf)));
}

static int dec_tls(struct dec *d, const struct ynode *key, const struct ynode *v)
{
	static const char *const names[] = { "cert",
					     "key",
					     "client_ca",
					     "cert_file",
					     "key_file",
					     "client_auth_type",
					     "client_ca_file",
					     "cipher_suites",
					     "curve_preferences",
					     "min_version",
					     "max_version",
					     "prefer_server_cipher_suites",
					     "client_allowed_sans",
					     NULL };
	const struct ynode *seen[TK_COUNT] = { 0 };
	struct webconfig *wc = d->wc;
	const char *client_auth = NULL;
	const struct ynode *client_auth_node = NULL;
	char path[96];
	bool empty;
	int r = want_map(d, v, "tls_server_config", &empty);

	if (r < 0)
		return r;
	set_pos(&wc->pos_tls, key);
	if (empty)
		return 0;
	for (size_t k = 0; k + 1 < v->n; k += 2) {
		const struct ynode *kn = v->kids[k], *vn = v->kids[k + 1];
		const char *s;
		int f = field(d, kn, "tls_server_config", names, seen);
		if (f < 0)
			return f;
		snprintf(path, sizeof(path), "tls_server_config.%s", names[f]);
		switch (f) {
		case TK_CERT:
		case TK_KEY:
		case TK_CLIENT_CA:
		case TK_CERT_FILE:
		case TK_KEY_FILE:
		case TK_CLIENT_CA_FILE:
		case TK_CLIENT_AUTH_TYPE:
			r = dec_string(d, vn, path, &s);
			if (r < 0)
				return r;
			if (s && !*s)
				s = NULL; /* "" is the same as not given */
			break;
		default:
			s = NULL;
			break;
		}
		switch (f) {
		case TK_CERT:
			wc->cert = s;
			set_pos(&wc->pos_cert, kn);
			break;
		case TK_KEY:
			wc->key = s;
			set_pos(&wc->pos_key, kn);
			break;
		case TK_CLIENT_CA:
			wc->client_ca = s;
			set_pos(&wc->pos_client_ca, kn);
			break;
		case TK_CERT_FILE:
			wc->cert_file = join_dir(d, s);
			set_pos(&wc->pos_cert_file, kn);
			if (s && !wc->cert_file)
				return -ENOMEM;
			break;
		case TK_KEY_FILE:
			wc->key_file = join_dir(d, s);
			set_pos(&wc->pos_key_file, kn);
			if (s && !wc->key_file)
				return -ENOMEM;
			break;
		case TK_CLIENT_CA_FILE:
			wc->client_ca_file = join_dir(d, s);
			set_pos(&wc->pos_client_ca_file, kn);
			if (s && !wc->client_ca_file)
				return -ENOMEM;
			break;
		case TK_CLIENT_AUTH_TYPE:
			client_auth = s;
			client_auth_node = vn;
			break;
		case TK_CIPHER_SUITES:
			r = dec_suites(d, vn, path);
			break;
		case TK_CURVE_PREFERENCES:
			r = dec_curves(d, vn, path);
			break;
		case TK_MIN_VERSION:
			r = dec_version(d, vn, path, &wc->min_version);
			break;
		case TK_MAX_VERSION:
			r = dec_version(d, vn, path, &wc->max_version);
			break;
		case TK_PREFER_SERVER_CIPHER_SUITES:
			r = dec_bool(d, vn, path, &wc->prefer_server_cipher_suites);
			break;
		case TK_CLIENT_ALLOWED_SANS:
			r = dec_strings(d, vn, path, &wc->sans, &wc->n_sans, &wc->sans_set);
			break;
		}
		if (r < 0)
			return r;
	}
	if (client_auth_node && (r = dec_client_auth(d, client_auth_node, client_auth)) < 0)
		return r;
	wc->tls = wc->cert || wc->key || wc->cert_file || wc->key_file || wc->client_ca || wc->client_ca_file ||
		  client_auth;
	return 0;
}

static int dec_headers(struct dec *d, const struct ynode *v)
{
	static const struct {
		const char *name;
		const char *allowed[3];
	} known[] = {
		{ "Strict-Transport-Security", { NULL } },
		{ "X-Content-Type-Options", { "nosniff", NULL } },
		{ "X-Frame-Options", { "deny", "sameorigin", NULL } },
		{ "X-XSS-Protection", { NULL } },
		{ "Content-Security-Policy", { NULL } },
	};
	const struct ynode *seen[ARRAY_SIZE(known)] = { 0 };
	struct webconfig *wc = d->wc;
	char buf[80], buf2[80], path[96];
	bool empty;
	int r = want_map(d, v, "http_server_config.headers", &empty);

	if (r < 0 || empty)
		return r;
	for (size_t k = 0; k + 1 < v->n; k += 2) {
		const struct ynode *kn = v->kids[k], *vn = v->kids[k + 1];
		const char *val;
		size_t h = 0;
		while (h < ARRAY_SIZE(known) && (kn->has_nul || !streq(kn->val, known[h].name)))
			h++;
		if (h == ARRAY_SIZE(known))
			return fail(d, kn, "http_server_config.headers: HTTP header \"%s\" can not be configured",
				    shown(kn->val, buf, sizeof(buf)));
		if (seen[h])
			return fail(d, kn, "http_server_config.headers: duplicate key \"%s\" (first at line %u)",
				    known[h].name, seen[h]->line);
		seen[h] = kn;
		snprintf(path, sizeof(path), "http_server_config.headers.%s", known[h].name);
		r = dec_string(d, vn, path, &val);
		if (r < 0)
			return r;
		if (!val)
			val = "";
		if (known[h].allowed[0]) {
			bool ok = false;
			for (size_t a = 0; known[h].allowed[a]; a++)
				ok |= streq(val, known[h].allowed[a]);
			if (!ok)
				return fail(d, vn, "%s: invalid value, expected one of: %s%s%s, but got: \"%s\"", path,
					    known[h].allowed[0], known[h].allowed[1] ? ", " : "",
					    known[h].allowed[1] ? known[h].allowed[1] : "",
					    shown(val, buf2, sizeof(buf2)));
		}
		if (!*val)
			continue; /* an empty value sets nothing */
		/* Go's HTTP server turns CR and LF in header values into spaces; so do we, at load. */
		if (strpbrk(val, "\r\n")) {
			char *c = arena_strdup(&wc->mem, val);
			if (!c)
				return -ENOMEM;
			for (char *p = c; *p; p++)
				if (*p == '\r' || *p == '\n')
					*p = ' ';
			val = c;
		}
		wc->headers[wc->n_headers].name = known[h].name;
		wc->headers[wc->n_headers++].value = val;
	}
	return 0;
}

static int dec_http(struct dec *d, const struct ynode *v)
{
	static const char *const names[] = { "http2", "headers", NULL };
	const struct ynode *seen[2] = { 0 };
	bool empty;
	int r = want_map(d, v, "http_server_config", &empty);

	if (r < 0)
		return r;
	if (empty) {
		d->wc->http2 = false; /* yaml.v2 zeroes a struct set to null */
		return 0;
	}
	for (size_t k = 0; k + 1 < v->n; k += 2) {
		int f = field(d, v->kids[k], "http_server_config", names, seen);
		if (f < 0)
			return f;
		if (f == 0) {
			r = dec_bool(d, v->kids[k + 1], "http_server_config.http2", &d->wc->http2);
			d->wc->http2_given = true;
		} else {
			r = dec_headers(d, v->kids[k + 1]);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* A bcrypt hash as libcrypt and Go's x/crypto/bcrypt both understand it. Returns the cost or 0. */
static unsigned bcrypt_cost(const char *h)
{
	unsigned cost;

	if (strlen(h) != 60 || h[0] != '$' || h[1] != '2' || (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') ||
	    h[3] != '$' || h[6] != '$')
		return 0;
	if (h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9')
		return 0;
	cost = (unsigned)(h[4] - '0') * 10 + (unsigned)(h[5] - '0');
	if (cost < 4 || cost > 31)
		return 0;
	for (const char *p = h + 7; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '/'))
			return 0;
	return cost;
}

struct user_node {
	struct webconfig_user u;
	const struct ynode *key;
};

static int cmp_user_node(const void *a, const void *b)
{
	const struct user_node *x = a, *y = b;
	int c = strcmp(x->u.name, y->u.name);

	if (c)
		return c;
	return x->key->line != y->key->line ? (x->key->line < y->key->line ? -1 : 1) :
					       (x->key->col < y->key->col ? -1 : x->key->col > y->key->col);
}

static int dec_users(struct dec *d, const struct ynode *v)
{
	struct webconfig *wc = d->wc;
	struct user_node *un;
	size_t n = 0;
	char buf[80], path[160];
	bool empty;
	int r = want_map(d, v, "basic_auth_users", &empty);

	if (r < 0 || empty)
		return r;
	un = malloc((v->n / 2 + 1) * sizeof(*un));
	wc->users = arena_alloc(&wc->mem, (v->n / 2 + 1) * sizeof(*wc->users));
	if (!un || !wc->users) {
		free(un);
		return -ENOMEM;
	}
	for (size_t k = 0; k + 1 < v->n; k += 2) {
		const struct ynode *kn = v->kids[k], *vn = v->kids[k + 1];
		const char *hash;
		unsigned cost;
		if (kn->has_nul) {
			r = fail(d, kn, "basic_auth_users: the user name holds a NUL byte");
			goto out;
		}
		snprintf(path, sizeof(path), "basic_auth_users.%s", shown(kn->val, buf, sizeof(buf)));
		r = dec_string(d, vn, path, &hash);
		if (r < 0)
			goto out;
		cost = bcrypt_cost(hash ? hash : "");
		if (!cost) {
			r = fail(d, vn, "%s: not a bcrypt hash (want $2a$, $2b$ or $2y$, cost 04 to 31, 60 characters)",
				 path);
			goto out;
		}
		un[n].u.name = arena_strndup(&wc->mem, kn->val, kn->len);
		if (!un[n].u.name) {
			r = -ENOMEM;
			goto out;
		}
		un[n].u.hash = hash;
		un[n].u.cost = cost;
		un[n++].key = kn;
	}
	qsort(un, n, sizeof(*un), cmp_user_node);
	for (size_t k = 0; k < n; k++) {
		if (k > 0 && streq(un[k].u.name, un[k - 1].u.name)) {
			r = fail(d, un[k].key, "basic_auth_users: duplicate key \"%s\" (first at line %u)",
				 shown(un[k].u.name, buf, sizeof(buf)), un[k - 1].key->line);
			goto out;
		}
		wc->users[k] = un[k].u;
		if (un[k].u.cost > wc->max_cost)
			wc->max_cost = un[k].u.cost;
	}
	wc->n_users = n;
	r = 0;
out:
	free(un);
	return r;
}

static int dec_rate(struct dec *d, const struct ynode *v)
{
	static const char *const names[] = { "interval", "burst", NULL };
	const struct ynode *seen[2] = { 0 };
	bool empty;
	int r = want_map(d, v, "rate_limit", &empty);

	if (r < 0 || empty)
		return r;
	for (size_t k = 0; k + 1 < v->n; k += 2) {
		int f = field(d, v->kids[k], "rate_limit", names, seen);
		if (f < 0)
			return f;
		if (f == 0)
			r = dec_duration(d, v->kids[k + 1], "rate_limit.interval", &d->wc->rate_interval);
		else
			r = dec_int(d, v->kids[k + 1], "rate_limit.burst", &d->wc->rate_burst);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The checks exporter-toolkit makes once the YAML decoded (validateTLSPaths, ConfigToTLSConfig). */
static int check_tls(struct dec *d)
{
	struct webconfig *wc = d->wc;
	const struct ynode at = { .line = wc->pos_tls.line, .col = wc->pos_tls.col };

	if (!wc->tls)
		return 0;
	if (!wc->cert && !wc->cert_file)
		return fail(d, &at, "tls_server_config: missing one of cert or cert_file");
	if (!wc->key && !wc->key_file)
		return fail(d, &at, "tls_server_config: missing one of key or key_file");
	if ((wc->client_ca || wc->client_ca_file) && wc->client_auth == WEBCONFIG_NO_CLIENT_CERT)
		return fail(d, &at, "tls_server_config: Client CA's have been configured without a Client Auth Policy");
	if (wc->min_version > wc->max_version)
		return fail(d, &at, "tls_server_config: min_version TLS%d is above max_version TLS%d",
			    (int)wc->min_version, (int)wc->max_version);
	return 0;
}

static int decode(struct dec *d, const struct ynode *root)
{
	static const char *const names[] = { "tls_server_config", "http_server_config", "basic_auth_users",
					     "rate_limit", NULL };
	const struct ynode *seen[4] = { 0 };
	bool empty;
	int r;

	if (!root)
		return 0; /* an empty file: defaults, plain HTTP */
	r = want_map(d, root, "the configuration", &empty);
	if (r < 0 || empty)
		return r;
	for (size_t k = 0; k + 1 < root->n; k += 2) {
		const struct ynode *v = root->kids[k + 1];
		int f = field(d, root->kids[k], "the configuration", names, seen);
		if (f < 0)
			return f;
		switch (f) {
		case 0:
			r = dec_tls(d, root->kids[k], v);
			break;
		case 1:
			r = dec_http(d, v);
			break;
		case 2:
			r = dec_users(d, v);
			break;
		default:
			r = dec_rate(d, v);
			break;
		}
		if (r < 0)
			return r;
	}
	return check_tls(d);
}

void webconfig_free(struct webconfig *wc)
{
	struct arena a;

	if (!wc)
		return;
	a = wc->mem;
	arena_free(&a); /* wc itself lives in its arena */
}

int webconfig_parse(const char *buf, size_t len, const char *dir, struct webconfig **out, char *err,
		    size_t err_size)
{
	struct arena a = { 0 }, tree = { 0 };
	struct ytree *t;
	struct ytree_error e;
	struct ynode *root = NULL;
	struct webconfig *wc;
	struct dec d;
	int r;

	/* The configuration lives in its own arena, which from here on is wc->mem. */
	wc = arena_zalloc(&a, sizeof(*wc));
	if (!wc) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	wc->mem = a;
	wc->min_version = WEBCONFIG_TLS12;
	wc->max_version = WEBCONFIG_TLS13;
	wc->prefer_server_cipher_suites = true;
	wc->http2 = true;
	d = (struct dec){ .wc = wc, .dir = dir, .err = err, .err_size = err_size };
	/* The first document only, as yaml.v2's Unmarshal: what follows it is not even parsed. The tree lives
	 * only while it is decoded. */
	t = ytree_open(buf, len, &tree, NULL);
	if (!t) {
		const char *why = ytree_unavailable();
		r = why ? -ENOSYS : -ENOMEM;
		e = (struct ytree_error){ 0 };
		snprintf(e.msg, sizeof(e.msg), "%s", why ? why : "out of memory");
	} else {
		r = ytree_next(t, &root, &e);
		ytree_close(t);
	}
	if (r < 0 && e.line)
		errf(err, err_size, e.line, e.col, "%s", e.msg);
	else if (r < 0)
		snprintf(err, err_size, "%s", e.msg);
	else if ((r = decode(&d, r > 0 ? root : NULL)) == -ENOMEM)
		snprintf(err, err_size, "out of memory");
	arena_free(&tree);
	if (r < 0) {
		webconfig_free(wc);
		return r;
	}
	*out = wc;
	return 0;
}

int webconfig_parse_file(const char *path, struct webconfig **out, char *err, size_t err_size)
{
	char msg[600], *buf = NULL, *dir = NULL, *slash;
	struct stat st;
	size_t len = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, err_size, "open %s: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		snprintf(err, err_size, "read %s: %s", path,
			 S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
		close(fd);
		return r;
	}
	buf = malloc(MAX_FILE_SIZE + 1);
	if (!buf) {
		close(fd);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, MAX_FILE_SIZE + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(err, err_size, "read %s: %s", path, strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > MAX_FILE_SIZE) {
			r = -EFBIG;
			snprintf(err, err_size, "%s: larger than %d bytes", path, MAX_FILE_SIZE);
			goto out;
		}
	}
	dir = strdup(path);
	if (!dir) {
		r = -ENOMEM;
		snprintf(err, err_size, "out of memory");
		goto out;
	}
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	else
		dir[0] = '\0';
	r = webconfig_parse(buf, len, dir, out, msg, sizeof(msg));
	if (r < 0)
		snprintf(err, err_size, "%s: %s", path, msg);
out:
	free(dir);
	free(buf);
	close(fd);
	return r;
}

static int put(char *buf, size_t size, size_t *o, const char *s)
{
	size_t l = strlen(s);

	if (*o + l + 1 > size)
		return -ENOSPC;
	memcpy(buf + *o, s, l + 1);
	*o += l;
	return 0;
}

/* Appends ":+word" unless the words added since mark hold it already. */
static int put_once(char *buf, size_t size, size_t *o, size_t mark, const char *word)
{
	size_t l = strlen(word);

	for (size_t i = mark; i + 2 + l <= *o; i++)
		if (buf[i] == ':' && buf[i + 1] == '+' && memcmp(buf + i + 2, word, l) == 0 &&
		    (i + 2 + l == *o || buf[i + 2 + l] == ':'))
			return 0;
	if (put(buf, size, o, ":+") < 0)
		return -ENOSPC;
	return put(buf, size, o, word);
}

int webconfig_priority_string(const struct webconfig *wc, char *buf, size_t size)
{
	static const char *const def_kx[] = { "ECDHE-ECDSA", "ECDHE-RSA", NULL };
	static const char *const def_cipher[] = { "AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305", "AES-128-CBC",
						  "AES-256-CBC", NULL };
	static const char *const def_mac[] = { "AEAD", "SHA1", NULL };
	static const char *const def_group[] = { "GROUP-X25519", "GROUP-SECP256R1", "GROUP-SECP384R1",
						 "GROUP-SECP521R1", NULL };
	static const char *const tls13_cipher[] = { "AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305", NULL };
	char v[24];
	size_t o = 0, mark;
	bool listed = false;

	if (put(buf, size, &o, "NORMAL:-VERS-ALL") < 0)
		return -ENOSPC;
	for (int ver = (int)wc->max_version; ver >= (int)wc->min_version; ver--) {
		snprintf(v, sizeof(v), ":+VERS-TLS1.%d", ver - 10);
		if (put(buf, size, &o, v) < 0)
			return -ENOSPC;
	}
	for (size_t i = 0; i < wc->n_suites; i++)
		listed |= !wc->suites[i]->tls13;

	/* Key exchanges, then ciphers, then MACs: the listed suites' parts first, in the order given; what
	 * TLS 1.3 needs after them (Go never lets cipher_suites restrict TLS 1.3). The parts can combine into
	 * suites that were not listed: the live layer refuses those in the handshake. */
	if (put(buf, size, &o, ":-KX-ALL") < 0)
		return -ENOSPC;
	mark = o;
	for (size_t i = 0; listed && i < wc->n_suites; i++)
		if (!wc->suites[i]->tls13 && put_once(buf, size, &o, mark, wc->suites[i]->kx) < 0)
			return -ENOSPC;
	for (size_t i = 0; def_kx[i] && (!listed || wc->max_version >= WEBCONFIG_TLS13); i++)
		if (put_once(buf, size, &o, mark, def_kx[i]) < 0)
			return -ENOSPC;

	if (put(buf, size, &o, ":-CIPHER-ALL") < 0)
		return -ENOSPC;
	mark = o;
	for (size_t i = 0; listed && i < wc->n_suites; i++)
		if (!wc->suites[i]->tls13 && put_once(buf, size, &o, mark, wc->suites[i]->cipher) < 0)
			return -ENOSPC;
	for (size_t i = 0; !listed && def_cipher[i]; i++)
		if (put_once(buf, size, &o, mark, def_cipher[i]) < 0)
			return -ENOSPC;
	for (size_t i = 0; listed && wc->max_version >= WEBCONFIG_TLS13 && tls13_cipher[i]; i++)
		if (put_once(buf, size, &o, mark, tls13_cipher[i]) < 0)
			return -ENOSPC;

	if (put(buf, size, &o, ":-MAC-ALL") < 0)
		return -ENOSPC;
	mark = o;
	for (size_t i = 0; listed && i < wc->n_suites; i++)
		if (!wc->suites[i]->tls13 && put_once(buf, size, &o, mark, wc->suites[i]->mac) < 0)
			return -ENOSPC;
	for (size_t i = 0; def_mac[i] && (!listed || wc->max_version >= WEBCONFIG_TLS13); i++)
		if ((listed ? i == 0 : true) && put_once(buf, size, &o, mark, def_mac[i]) < 0)
			return -ENOSPC;

	if (put(buf, size, &o, ":-GROUP-ALL") < 0)
		return -ENOSPC;
	mark = o;
	for (size_t i = 0; i < wc->n_curves; i++)
		if (put_once(buf, size, &o, mark, wc->curves[i]->group) < 0)
			return -ENOSPC;
	for (size_t i = 0; !wc->n_curves && def_group[i]; i++)
		if (put_once(buf, size, &o, mark, def_group[i]) < 0)
			return -ENOSPC;
	/* prefer_server_cipher_suites (default true): the order above wins; false lets the client's order win,
	 * as exporter-toolkit documents it. (Go 1.17 and later ignore both the flag and the configured order
	 * and use Go's own fixed preference, so node_exporter picks AES-128-GCM over AES-256-GCM either way.) */
	return wc->prefer_server_cipher_suites ? put(buf, size, &o, ":%SERVER_PRECEDENCE") : 0;
}
