/* The web configuration in force: a reference-counted state (the parsed file, the certificate and key,
 * the client CAs, the GnuTLS priorities, the rate limiter) swapped as a whole when the files change.
 *
 * Reloading. exporter-toolkit reads the file on every request and the certificate on every handshake.
 * nodex checks the files' identity (device, inode, size, mtime, ctime) at most once per second when a
 * connection or a request arrives, and on SIGHUP re-reads unconditionally. A file that does not load
 * leaves the previous state in force and is logged once per change. Each TLS connection takes a reference
 * to the state in force when it was accepted and keeps it until it closes: its handshake uses that
 * state's certificate (through the retrieve callback), priorities and client-certificate policy, so a
 * certificate replaced on disk is served to the next connection and no pointer GnuTLS still holds is
 * freed. (The alternative, restarting the server on the same listening socket, would cut the
 * connections in flight.)
 *
 * Basic auth lives in src/auth.c; it reads the users from the state in force. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

#include "libgnutls.h"
#include "log.h"
#include "nodex.h"
#include "webconfig.h"

#define MAX_CHAIN 16
#define MAX_PEM_SIZE (1024 * 1024)
#define RELOAD_CHECK_INTERVAL 1.0

enum {
	SIG_CONFIG,
	SIG_CERT,
	SIG_KEY,
	SIG_CA,
	SIG_COUNT,
};

struct filesig {
	int err; /* -errno of stat, 0 when it worked, 1 when there is no such file to watch */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim, ctim;
};

struct webconfig_state {
	atomic_long refs;
	struct webconfig *cfg;
	struct filesig sig[SIG_COUNT];

	/* TLS */
	gnutls_pcert_st pcerts[MAX_CHAIN];
	unsigned n_pcerts;
	gnutls_privkey_t key;
	gnutls_x509_trust_list_t cas;
	gnutls_priority_t prio;
	char prio_string[560];
	char key_usage[160]; /* the certificate's key usage when it lacks digitalSignature, else "" */
	bool suite_check; /* the priorities allow TLS 1.2 suites that cipher_suites did not list */
	uint16_t allowed[WEBCONFIG_MAX_SUITES];
	size_t n_allowed;

	/* rate limit */
	pthread_mutex_t rl_lock;
	double tokens, last;
};

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static struct webconfig_state *cur;
static char *cfg_path;
static bool enabled, tls_mode;

static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic double last_check;
static struct filesig failed_sig[SIG_COUNT];
static bool have_failed;

/* ---- files ---- */

static void stat_sig(const char *path, struct filesig *s)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	if (!path) {
		s->err = 1;
		return;
	}
	if (stat(path, &st) < 0) {
		s->err = -errno;
		return;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtim = st.st_mtim;
	s->ctim = st.st_ctim;
}

static bool sig_equal(const struct filesig *a, const struct filesig *b)
{
	return a->err == b->err && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtim.tv_sec == b->mtim.tv_sec && a->mtim.tv_nsec == b->mtim.tv_nsec &&
	       a->ctim.tv_sec == b->ctim.tv_sec && a->ctim.tv_nsec == b->ctim.tv_nsec;
}

static void sigs_of(const struct webconfig *wc, struct filesig sig[SIG_COUNT])
{
	stat_sig(cfg_path, &sig[SIG_CONFIG]);
	stat_sig(wc ? wc->cert_file : NULL, &sig[SIG_CERT]);
	stat_sig(wc ? wc->key_file : NULL, &sig[SIG_KEY]);
	stat_sig(wc ? wc->client_ca_file : NULL, &sig[SIG_CA]);
}

/* Reads a whole file of at most MAX_PEM_SIZE bytes. Returns 0 with a malloc'ed, NUL-terminated buffer. */
static int read_all(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0, cap = 4096;
	char *buf;

	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r;
		if (n + 1 == cap) {
			char *nb;
			if (cap > MAX_PEM_SIZE) {
				free(buf);
				close(fd);
				return -EFBIG;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;
			free(buf);
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* The PEM text of cert, key or client CA: the file when one is named (it wins, as in exporter-toolkit),
 * else the inline text. *mem is what to free. */
static int pem_of(const char *file, const char *inline_pem, const char *what, const struct webconfig_pos *pos,
		  gnutls_datum_t *d, char **mem, char *err, size_t err_size)
{
	size_t len = 0;
	int r;

	*mem = NULL;
	if (file) {
		r = read_all(file, mem, &len);
		if (r < 0) {
			snprintf(err, err_size,
				 "line %u, column %u: tls_server_config.%s_file: failed to read %s_file (%s): %s",
				 pos->line, pos->col, what, what, file, strerror(-r));
			return r;
		}
		d->data = (unsigned char *)*mem;
		d->size = (unsigned)len;
		return 0;
	}
	d->data = (unsigned char *)(uintptr_t)(inline_pem ? inline_pem : "");
	d->size = (unsigned)strlen((const char *)d->data);
	return 0;
}

/* ---- building a state ---- */

static void state_free(struct webconfig_state *st)
{
	if (!st)
		return;
	for (unsigned i = 0; i < st->n_pcerts; i++)
		gnutls_pcert_deinit(&st->pcerts[i]);
	if (st->key)
		gnutls_privkey_deinit(st->key);
	if (st->cas)
		gnutls_x509_trust_list_deinit(st->cas, 1);
	if (st->prio)
		gnutls_priority_deinit(st->prio);
	webconfig_free(st->cfg);
	pthread_mutex_destroy(&st->rl_lock);
	free(st);
}

static int keys_match(struct webconfig_state *st)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t a = { 0 }, b = { 0 };
	int r;

	r = gnutls_pubkey_init(&pub);
	if (r >= 0)
		r = gnutls_pubkey_import_privkey(pub, st->key, 0, 0);
	if (r >= 0)
		r = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &a);
	if (r >= 0)
		r = gnutls_pubkey_export2(st->pcerts[0].pubkey, GNUTLS_X509_FMT_DER, &b);
	if (r >= 0)
		r = a.size == b.size && memcmp(a.data, b.data, a.size) == 0 ? 0 : GNUTLS_E_CERTIFICATE_KEY_MISMATCH;
	libgnutls_free(a.data);
	libgnutls_free(b.data);
	if (pub)
		gnutls_pubkey_deinit(pub);
	return r;
}

static int load_keypair(struct webconfig_state *st, char *err, size_t err_size)
{
	const struct webconfig *wc = st->cfg;
	const struct webconfig_pos *cpos = wc->cert_file ? &wc->pos_cert_file : &wc->pos_cert;
	gnutls_datum_t cd, kd;
	char *cmem = NULL, *kmem = NULL;
	int r;

	r = pem_of(wc->cert_file, wc->cert, "cert", &wc->pos_cert_file, &cd, &cmem, err, err_size);
	if (r < 0)
		return r;
	r = pem_of(wc->key_file, wc->key, "key", &wc->pos_key_file, &kd, &kmem, err, err_size);
	if (r < 0)
		goto out;
	st->n_pcerts = MAX_CHAIN;
	r = gnutls_pcert_list_import_x509_raw(st->pcerts, &st->n_pcerts, &cd, GNUTLS_X509_FMT_PEM, 0);
	if (r < 0 || st->n_pcerts == 0) {
		st->n_pcerts = 0;
		snprintf(err, err_size,
			 "line %u, column %u: tls_server_config.%s: failed to load X509KeyPair: "
			 "cannot read a certificate: %s",
			 cpos->line, cpos->col, wc->cert_file ? "cert_file" : "cert",
			 r == GNUTLS_E_SHORT_MEMORY_BUFFER ? "more than 16 certificates" :
			 r < 0				  ? gnutls_strerror(r) :
							    "no certificate found");
		r = -EINVAL;
		goto out;
	}
	r = gnutls_privkey_init(&st->key);
	if (r >= 0)
		r = gnutls_privkey_import_x509_raw(st->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (r < 0) {
		const struct webconfig_pos *kpos = wc->key_file ? &wc->pos_key_file : &wc->pos_key;
		snprintf(err, err_size,
			 "line %u, column %u: tls_server_config.%s: failed to load X509KeyPair: "
			 "cannot read a private key: %s",
			 kpos->line, kpos->col, wc->key_file ? "key_file" : "key", gnutls_strerror(r));
		r = -EINVAL;
		goto out;
	}
	r = keys_match(st);
	if (r < 0) {
		snprintf(err, err_size,
			 "line %u, column %u: tls_server_config.%s: failed to load X509KeyPair: "
			 "private key does not match public key (%s)",
			 cpos->line, cpos->col, wc->cert_file ? "cert_file" : "cert", gnutls_strerror(r));
		r = -EINVAL;
		goto out;
	}
	r = 0;
out:
	if (kmem) {
		explicit_bzero(kmem, kd.size);
		free(kmem);
	}
	free(cmem);
	return r;
}

static int load_cas(struct webconfig_state *st, char *err, size_t err_size)
{
	const struct webconfig *wc = st->cfg;
	bool verify = wc->client_auth == WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN ||
		      wc->client_auth == WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT;
	const struct webconfig_pos *pos = wc->client_ca_file ? &wc->pos_client_ca_file : &wc->pos_client_ca;
	gnutls_datum_t d;
	char *mem = NULL;
	int r;

	if (!wc->client_ca_file && !wc->client_ca && !verify)
		return 0;
	r = gnutls_x509_trust_list_init(&st->cas, 0);
	if (r < 0) {
		snprintf(err, err_size, "%s", gnutls_strerror(r));
		return -ENOMEM;
	}
	if (!wc->client_ca_file && !wc->client_ca) {
		/* Go verifies against the system roots when no client CA is given. */
		r = gnutls_x509_trust_list_add_system_trust(st->cas, 0, 0);
		if (r < 0)
			log_warn("No system trust store for client certificates", "err", gnutls_strerror(r));
		return 0;
	}
	r = pem_of(wc->client_ca_file, wc->client_ca, "client_ca", &wc->pos_client_ca_file, &d, &mem, err, err_size);
	if (r < 0)
		return r;
	r = gnutls_x509_trust_list_add_trust_mem(st->cas, &d, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
	free(mem);
	if (r <= 0) {
		snprintf(err, err_size, "line %u, column %u: tls_server_config.%s: %s", pos->line, pos->col,
			 wc->client_ca_file ? "client_ca_file" : "client_ca",
			 r < 0 ? gnutls_strerror(r) : "no certificate found");
		return -EINVAL;
	}
	return 0;
}

/* Which TLS 1.2 suites the priorities allow beyond cipher_suites: then each handshake is checked. */
static void plan_suite_check(struct webconfig_state *st)
{
	const struct webconfig *wc = st->cfg;

	if (wc->n_suites == 0)
		return;
	for (size_t i = 0; i < wc->n_suites; i++)
		if (!wc->suites[i]->tls13)
			st->allowed[st->n_allowed++] = wc->suites[i]->id;
	for (unsigned k = 0;; k++) {
		unsigned idx;
		unsigned char id[2];
		int r = gnutls_priority_get_cipher_suite_index(st->prio, k, &idx);
		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (r < 0 || !gnutls_cipher_suite_info(idx, id, NULL, NULL, NULL, NULL) || id[0] == 0x13)
			continue;
		bool listed = false;
		for (size_t i = 0; i < st->n_allowed; i++)
			listed |= st->allowed[i] == (uint16_t)(id[0] << 8 | id[1]);
		if (!listed)
			st->suite_check = true;
	}
}

/* The key usage bits of a certificate by their X.509 names, comma-separated. */
static void key_usage_names(unsigned ku, char *buf, size_t size)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ GNUTLS_KEY_DIGITAL_SIGNATURE, "digitalSignature" }, { GNUTLS_KEY_NON_REPUDIATION, "nonRepudiation" },
		{ GNUTLS_KEY_KEY_ENCIPHERMENT, "keyEncipherment" },   { GNUTLS_KEY_DATA_ENCIPHERMENT, "dataEncipherment" },
		{ GNUTLS_KEY_KEY_AGREEMENT, "keyAgreement" },         { GNUTLS_KEY_KEY_CERT_SIGN, "keyCertSign" },
		{ GNUTLS_KEY_CRL_SIGN, "cRLSign" },                   { GNUTLS_KEY_ENCIPHER_ONLY, "encipherOnly" },
		{ GNUTLS_KEY_DECIPHER_ONLY, "decipherOnly" },
	};
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names) && o < size; i++)
		if (ku & names[i].bit)
			o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? "," : "", names[i].name);
}

/* Every TLS handshake nodex offers (ECDHE key exchange, TLS 1.3) signs with the certificate's key, so
 * GnuTLS refuses a certificate whose key usage extension leaves out digitalSignature, such as the
 * "critical, keyEncipherment" of older CA templates. Go's crypto/tls never looks at its own certificate's
 * key usage, so node_exporter serves it, and clients accept it (OpenSSL asks for digitalSignature or
 * keyEncipherment of a server certificate; Go checks nothing). The undocumented %DEBUG_ALLOW_KEY_USAGE_VIOLATIONS
 * tells GnuTLS (3.6 and later) to do as Go does for our own certificate only; the client certificates we
 * verify are not affected. A GnuTLS that does not know the keyword refuses the priorities: then the
 * certificate is refused with the missing usage named, and a reload keeps the configuration in force. */
static const char allow_ku[] = ":%DEBUG_ALLOW_KEY_USAGE_VIOLATIONS";

static int load_tls(struct webconfig_state *st, char *err, size_t err_size)
{
	const struct webconfig_pos *pos = &st->cfg->pos_tls;
	const char *where = NULL, *cert = st->cfg->cert_file ? st->cfg->cert_file : "tls_server_config.cert";
	unsigned ku = 0;
	size_t n;
	int r;

	r = load_keypair(st, err, err_size);
	if (r < 0)
		return r;
	r = load_cas(st, err, err_size);
	if (r < 0)
		return r;
	if (webconfig_priority_string(st->cfg, st->prio_string, sizeof(st->prio_string)) < 0) {
		snprintf(err, err_size, "line %u, column %u: tls_server_config: too many settings", pos->line,
			 pos->col);
		return -EINVAL;
	}
	n = strlen(st->prio_string);
	if (gnutls_pubkey_get_key_usage(st->pcerts[0].pubkey, &ku) >= 0 && ku != 0 &&
	    !(ku & GNUTLS_KEY_DIGITAL_SIGNATURE)) {
		key_usage_names(ku, st->key_usage, sizeof(st->key_usage));
		if (n + sizeof(allow_ku) > sizeof(st->prio_string)) {
			snprintf(err, err_size, "line %u, column %u: tls_server_config: too many settings", pos->line,
				 pos->col);
			return -EINVAL;
		}
		memcpy(st->prio_string + n, allow_ku, sizeof(allow_ku));
	}
	r = gnutls_priority_init(&st->prio, st->prio_string, &where);
	if (r < 0 && st->key_usage[0] && where && where >= st->prio_string + n) {
		st->prio = NULL;
		snprintf(err, err_size,
			 "certificate %s: its key usage (%s) lacks digitalSignature, which every TLS handshake nodex "
			 "offers needs, and this GnuTLS cannot be told to ignore that as Go does: issue the certificate "
			 "with keyUsage digitalSignature",
			 cert, st->key_usage);
		return -EINVAL;
	}
	if (r < 0) {
		st->prio = NULL;
		snprintf(err, err_size,
			 "line %u, column %u: tls_server_config: GnuTLS refuses the priorities \"%s\": %s", pos->line,
			 pos->col, st->prio_string, gnutls_strerror(r));
		return -EINVAL;
	}
	plan_suite_check(st);
	return 0;
}

/* Reads the configuration file and all it names. Returns the new state (one reference) or NULL with
 * the reason in err. The file signatures are taken before reading, so a change during the read is seen
 * by the next check. */
static struct webconfig_state *state_build(char *err, size_t err_size)
{
	struct webconfig_state *st = calloc(1, sizeof(*st));
	struct filesig first;
	char msg[900];

	if (!st) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	atomic_init(&st->refs, 1);
	pthread_mutex_init(&st->rl_lock, NULL);
	stat_sig(cfg_path, &first);
	if (webconfig_parse_file(cfg_path, &st->cfg, err, err_size) < 0)
		goto fail;
	sigs_of(st->cfg, st->sig);
	st->sig[SIG_CONFIG] = first;
	if (st->cfg->tls || st->cfg->n_users) {
		/* TLS and basic auth (its cache keys) need GnuTLS, which is loaded on first use. */
		const char *why = libgnutls_load();
		if (why) {
			snprintf(err, err_size, "%s: %s need GnuTLS, which could not be loaded: %s", cfg_path,
				 st->cfg->tls ? "tls_server_config" : "basic_auth_users", why);
			goto fail;
		}
	}
	if (st->cfg->tls && load_tls(st, msg, sizeof(msg)) < 0) {
		snprintf(err, err_size, "%s: %s", cfg_path, msg);
		goto fail;
	}
	st->tokens = (double)st->cfg->rate_burst;
	st->last = now_monotonic();
	return st;
fail:
	state_free(st);
	return NULL;
}

/* ---- the state in force ---- */

struct webconfig_state *webconfig_acquire(void)
{
	struct webconfig_state *st;

	pthread_mutex_lock(&state_lock);
	st = cur;
	if (st)
		atomic_fetch_add(&st->refs, 1);
	pthread_mutex_unlock(&state_lock);
	return st;
}

void webconfig_release(struct webconfig_state *st)
{
	if (st && atomic_fetch_sub(&st->refs, 1) == 1)
		state_free(st);
}

const struct webconfig *webconfig_config(const struct webconfig_state *st)
{
	return st ? st->cfg : NULL;
}

bool webconfig_enabled(void)
{
	return enabled;
}

bool webconfig_tls(void)
{
	return tls_mode;
}

static void log_loaded(const struct webconfig_state *st)
{
	const struct webconfig *wc = st->cfg;

	if (wc->http2_given && wc->http2)
		log_info("http_server_config.http2 is ignored: nodex serves HTTP/1.1 only", "file", cfg_path);
	if (wc->tls && wc->sans_set && wc->client_auth == WEBCONFIG_NO_CLIENT_CERT)
		log_warn("tls_server_config.client_allowed_sans is ignored: client_auth_type NoClientCert asks for no "
			 "client certificate",
			 "file", cfg_path);
	if (st->key_usage[0])
		log_info("The certificate's key usage lacks digitalSignature; it is served all the same, as "
			 "node_exporter serves it",
			 "cert", wc->cert_file ? wc->cert_file : "tls_server_config.cert", "key_usage", st->key_usage);
}

/* Installs a freshly built state. Called with reload_lock held. */
static int swap_in(struct webconfig_state *st, char *err, size_t err_size)
{
	struct webconfig_state *old;

	if (st->cfg->tls != tls_mode) {
		snprintf(err, err_size, "%s: turning TLS %s needs a restart", cfg_path, tls_mode ? "off" : "on");
		return -EINVAL;
	}
	pthread_mutex_lock(&state_lock);
	old = cur;
	cur = st;
	pthread_mutex_unlock(&state_lock);
	webconfig_release(old);
	have_failed = false;
	log_loaded(st);
	return 0;
}

/* Rebuilds from disk. sig is what the files looked like when the change was noticed (remembered on
 * failure so the same broken files are not reported every second). Called with reload_lock held. */
static void reload_locked(const struct filesig sig[SIG_COUNT], bool forced)
{
	char err[1024];
	struct webconfig_state *st = state_build(err, sizeof(err));

	if (st && swap_in(st, err, sizeof(err)) == 0) {
		log_info("Loaded web configuration", "file", cfg_path, "tls", tls_mode ? "true" : "false");
		return;
	}
	state_free(st);
	if (!forced && have_failed) {
		bool same = true;
		for (int i = 0; i < SIG_COUNT; i++)
			same &= sig_equal(&sig[i], &failed_sig[i]);
		if (same)
			return;
	}
	memcpy(failed_sig, sig, sizeof(failed_sig));
	have_failed = true;
	log_error("Unable to reload the web configuration; the previous one stays in force", "err", err);
}

void webconfig_reload(void)
{
	struct filesig sig[SIG_COUNT];
	struct webconfig_state *st;

	if (!enabled)
		return;
	pthread_mutex_lock(&reload_lock);
	st = webconfig_acquire();
	sigs_of(st ? st->cfg : NULL, sig);
	webconfig_release(st);
	reload_locked(sig, true);
	atomic_store(&last_check, now_monotonic());
	pthread_mutex_unlock(&reload_lock);
}

void webconfig_maybe_reload(void)
{
	struct filesig sig[SIG_COUNT];
	struct webconfig_state *st;
	double now;
	bool changed = false;

	if (!enabled)
		return;
	now = now_monotonic();
	if (now - atomic_load(&last_check) < RELOAD_CHECK_INTERVAL)
		return;
	if (pthread_mutex_trylock(&reload_lock) != 0)
		return; /* another thread is checking */
	if (now - atomic_load(&last_check) < RELOAD_CHECK_INTERVAL)
		goto out;
	atomic_store(&last_check, now);
	st = webconfig_acquire();
	sigs_of(st ? st->cfg : NULL, sig);
	for (int i = 0; st && i < SIG_COUNT; i++)
		changed |= !sig_equal(&sig[i], &st->sig[i]);
	webconfig_release(st);
	if (!changed)
		goto out;
	if (have_failed) {
		bool same = true;
		for (int i = 0; i < SIG_COUNT; i++)
			same &= sig_equal(&sig[i], &failed_sig[i]);
		if (same)
			goto out;
	}
	reload_locked(sig, false);
out:
	pthread_mutex_unlock(&reload_lock);
}

int webconfig_init(const char *path, char *err, size_t err_size)
{
	struct webconfig_state *st;

	if (!path || !*path)
		return 0;
	cfg_path = strdup(path);
	if (!cfg_path) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	st = state_build(err, err_size);
	if (!st) {
		free(cfg_path);
		cfg_path = NULL;
		return -EINVAL;
	}
	tls_mode = st->cfg->tls;
	cur = st;
	enabled = true;
	atomic_store(&last_check, now_monotonic());
	log_loaded(st);
	return 0;
}

void webconfig_fini(void)
{
	struct webconfig_state *old;

	pthread_mutex_lock(&state_lock);
	old = cur;
	cur = NULL;
	pthread_mutex_unlock(&state_lock);
	webconfig_release(old);
	enabled = false;
	free(cfg_path);
	cfg_path = NULL;
}

/* ---- TLS sessions ---- */

static void format_ip(const unsigned char *ip, size_t len, char *out, size_t size)
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	out[0] = '\0';
	if (len == 16 && memcmp(ip, v4mapped, 12) == 0) {
		ip += 12; /* Go prints an IPv4-mapped address as IPv4 */
		len = 4;
	}
	if (len == 4)
		inet_ntop(AF_INET, ip, out, (socklen_t)size);
	else if (len == 16)
		inet_ntop(AF_INET6, ip, out, (socklen_t)size);
}

/* Go's TLSConfig.VerifyPeerCertificate of exporter-toolkit: one of the leaf's DNS, e-mail, IP or URI
 * subject alternative names must be in client_allowed_sans. */
static bool sans_match(const struct webconfig *wc, gnutls_x509_crt_t leaf)
{
	for (unsigned i = 0;; i++) {
		char buf[2048], ip[64];
		size_t size = sizeof(buf) - 1;
		unsigned type, critical;
		const char *value = buf;
		int r = gnutls_x509_crt_get_subject_alt_name2(leaf, i, buf, &size, &type, &critical);
		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return false;
		if (r < 0)
			continue; /* too long to match anything sensible */
		if (type == GNUTLS_SAN_IPADDRESS) {
			format_ip((const unsigned char *)buf, size, ip, sizeof(ip));
			value = ip;
			size = strlen(ip);
		} else if (type != GNUTLS_SAN_DNSNAME && type != GNUTLS_SAN_RFC822NAME && type != GNUTLS_SAN_URI) {
			continue;
		}
		for (size_t k = 0; k < wc->n_sans; k++)
			if (strlen(wc->sans[k]) == size && memcmp(wc->sans[k], value, size) == 0)
				return true;
	}
}

/* One TLS connection: the state its handshake uses, and how far the handshake got, so that a handshake
 * that fails is logged when the connection closes (libmicrohttpd, nodex's server until 2026-12, only logged it at debug level, as "received
 * handshake message out of context" whatever the cause). It is the session's user pointer. */
struct tls_conn {
	struct webconfig_state *st;
	char peer[INET6_ADDRSTRLEN + 16];
	bool client_hello; /* a ClientHello arrived */
	bool server_hello; /* the ServerHello went out */
	bool done;         /* the client's Finished arrived: the handshake is complete */
	char refused[200]; /* why nodex refused the client itself ("" when it did not) */
};

static struct webconfig_state *state_of(gnutls_session_t session)
{
	struct tls_conn *tc = gnutls_session_get_ptr(session);

	return tc ? tc->st : NULL;
}

static int refuse(gnutls_session_t session, const char *why, const char *detail)
{
	struct tls_conn *tc = gnutls_session_get_ptr(session);

	if (tc)
		snprintf(tc->refused, sizeof(tc->refused), "%s%s%s", why, detail ? ": " : "", detail ? detail : "");
	return -1;
}

/* The client-certificate policy, run by GnuTLS during the handshake (a non-zero return fails it). */
static int verify_client(gnutls_session_t session)
{
	struct webconfig_state *st = state_of(session);
	const struct webconfig *wc;
	const gnutls_datum_t *raw;
	gnutls_x509_crt_t crts[MAX_CHAIN];
	unsigned n = 0, status = 0;
	int r, ret = -1;
	bool verify;

	if (!st)
		return -1;
	wc = st->cfg;
	verify = wc->client_auth == WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN ||
		 wc->client_auth == WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT;
	raw = gnutls_certificate_get_peers(session, &n);
	if (!raw || n == 0) {
		if (wc->sans_set)
			return refuse(session, "no client certificate to match client_allowed_sans against", NULL);
		if (wc->client_auth == WEBCONFIG_REQUIRE_ANY_CLIENT_CERT ||
		    wc->client_auth == WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT)
			return refuse(session, "no client certificate", NULL);
		return 0;
	}
	if (n > MAX_CHAIN)
		n = MAX_CHAIN;
	for (unsigned i = 0; i < n; i++) {
		crts[i] = NULL;
		r = gnutls_x509_crt_init(&crts[i]);
		if (r >= 0)
			r = gnutls_x509_crt_import(crts[i], &raw[i], GNUTLS_X509_FMT_DER);
		if (r < 0) {
			refuse(session, "bad client certificate", gnutls_strerror(r));
			n = i + 1;
			goto out;
		}
	}
	if (verify) {
		gnutls_typed_vdata_st purpose = { .type = GNUTLS_DT_KEY_PURPOSE_OID,
						  .data = (unsigned char *)(uintptr_t)GNUTLS_KP_TLS_WWW_CLIENT };
		r = gnutls_x509_trust_list_verify_crt2(st->cas, crts, n, &purpose, 1, 0, &status, NULL);
		if (r < 0 || status != 0) {
			gnutls_datum_t why = { 0 };
			if (r >= 0)
				gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &why, 0);
			refuse(session, "client certificate not verified",
			       r < 0 ? gnutls_strerror(r) : why.data ? (const char *)why.data : "?");
			libgnutls_free(why.data);
			goto out;
		}
	}
	if (wc->sans_set && !sans_match(wc, crts[0])) {
		refuse(session, "could not find allowed SANs in client cert", NULL);
		goto out;
	}
	ret = 0;
out:
	for (unsigned i = 0; i < n; i++)
		if (crts[i])
			gnutls_x509_crt_deinit(crts[i]);
	return ret;
}

/* Before the ServerHello goes out: refuses a TLS 1.0-1.2 suite that cipher_suites did not list (the
 * priorities can only name key exchanges, ciphers and MACs, whose combinations may be more). The body is
 * version(2) random(32) session_id(1+n) cipher_suite(2). */
static int check_suite(gnutls_session_t session, const struct webconfig_state *st, const gnutls_datum_t *msg)
{
	size_t o = 2 + 32;
	uint16_t id;

	if (!msg || msg->size < o + 1)
		return GNUTLS_E_UNWANTED_ALGORITHM;
	o += 1 + msg->data[o];
	if (msg->size < o + 2)
		return GNUTLS_E_UNWANTED_ALGORITHM;
	id = (uint16_t)(msg->data[o] << 8 | msg->data[o + 1]);
	if ((id >> 8) == 0x13)
		return 0; /* TLS 1.3: not configurable, as in Go */
	for (size_t i = 0; i < st->n_allowed; i++)
		if (st->allowed[i] == id)
			return 0;
	refuse(session, "no cipher suite of cipher_suites in common with the client", NULL);
	return GNUTLS_E_UNWANTED_ALGORITHM;
}

/* Runs before and after each handshake message: follows the handshake's progress, and checks the cipher
 * suite when cipher_suites asks for it. */
static int handshake_hook(gnutls_session_t session, unsigned htype, unsigned when, unsigned incoming,
			  const gnutls_datum_t *msg)
{
	struct tls_conn *tc = gnutls_session_get_ptr(session);

	if (!tc)
		return GNUTLS_E_INTERNAL_ERROR;
	if (incoming) {
		tc->client_hello |= htype == GNUTLS_HANDSHAKE_CLIENT_HELLO;
		tc->done |= htype == GNUTLS_HANDSHAKE_FINISHED && when == GNUTLS_HOOK_POST;
		return 0;
	}
	if (htype != GNUTLS_HANDSHAKE_SERVER_HELLO)
		return 0;
	if (when == GNUTLS_HOOK_PRE)
		return tc->st->suite_check ? check_suite(session, tc->st, msg) : 0;
	tc->server_hello = true;
	return 0;
}

void *webconfig_tls_session_start(gnutls_session_t session, const char *peer)
{
	struct tls_conn *tc = calloc(1, sizeof(*tc));
	gnutls_certificate_request_t req = GNUTLS_CERT_IGNORE;

	if (!tc)
		return NULL;
	webconfig_maybe_reload();
	tc->st = webconfig_acquire();
	if (!tc->st) {
		free(tc);
		return NULL;
	}
	snprintf(tc->peer, sizeof(tc->peer), "%s", peer ? peer : "?");
	gnutls_session_set_ptr(session, tc);
	if (tc->st->prio)
		gnutls_priority_set(session, tc->st->prio);
	switch (tc->st->cfg->client_auth) {
	case WEBCONFIG_NO_CLIENT_CERT:
		break;
	case WEBCONFIG_REQUEST_CLIENT_CERT:
	case WEBCONFIG_VERIFY_CLIENT_CERT_IF_GIVEN:
		req = GNUTLS_CERT_REQUEST;
		break;
	case WEBCONFIG_REQUIRE_ANY_CLIENT_CERT:
	case WEBCONFIG_REQUIRE_AND_VERIFY_CLIENT_CERT:
		req = GNUTLS_CERT_REQUIRE;
		break;
	}
	gnutls_certificate_server_set_request(session, req);
	if (req != GNUTLS_CERT_IGNORE)
		gnutls_session_set_verify_function(session, verify_client);
	gnutls_handshake_set_hook_function(session, GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_BOTH, handshake_hook);
	return tc;
}

/* Handshake failures are logged at warn level with the peer's address, at most one line per
 * HANDSHAKE_LOG_INTERVAL seconds: a port whose handshakes all fail must not stay silent, and a flood of
 * them must not flood the log. Each line counts the failures not logged since the one before. */
#define HANDSHAKE_LOG_INTERVAL 10.0

static pthread_mutex_t hs_log_lock = PTHREAD_MUTEX_INITIALIZER;
static double hs_logged_at;
static unsigned long hs_unlogged;

static void log_handshake_failure(const struct tls_conn *tc)
{
	const char *why = tc->refused;
	char more[32] = "";
	double now = now_monotonic();

	pthread_mutex_lock(&hs_log_lock);
	if (hs_logged_at > 0 && now - hs_logged_at < HANDSHAKE_LOG_INTERVAL) {
		hs_unlogged++;
		pthread_mutex_unlock(&hs_log_lock);
		return;
	}
	if (hs_unlogged)
		snprintf(more, sizeof(more), "%lu", hs_unlogged);
	hs_logged_at = now;
	hs_unlogged = 0;
	pthread_mutex_unlock(&hs_log_lock);
	if (!why[0]) {
		if (!tc->client_hello)
			why = "the connection closed before a TLS ClientHello arrived (not TLS, e.g. plain HTTP, or a "
			      "TCP probe or timeout)";
		else if (!tc->server_hello)
			why = "nothing acceptable in the client's ClientHello: no TLS version, cipher suite, group or "
			      "signature algorithm in common with the configuration, or none the certificate can serve";
		else
			why = "the client ended the handshake after the server's certificate (does it trust it?)";
	}
	log_warn(tc->done ? "TLS client refused" : "TLS handshake failed", "peer", tc->peer, "err", why,
		 more[0] ? "failures_not_logged_since_last" : (const char *)0, more, (const char *)0);
}

void webconfig_tls_session_end(void *handle)
{
	struct tls_conn *tc = handle;

	if (!tc)
		return;
	if (!tc->done || tc->refused[0])
		log_handshake_failure(tc);
	webconfig_release(tc->st);
	free(tc);
}

int webconfig_tls_retrieve_cert(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
				const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length, gnutls_pcert_st **pcert,
				unsigned int *pcert_length, gnutls_privkey_t *privkey)
{
	struct webconfig_state *st = state_of(session);

	(void)req_ca_dn;
	(void)nreqs;
	(void)pk_algos;
	(void)pk_algos_length;
	if (!st || !st->n_pcerts)
		return -1;
	*pcert = st->pcerts;
	*pcert_length = st->n_pcerts;
	*privkey = st->key;
	return 0;
}

int webconfig_tls_session_check(gnutls_session_t session)
{
	struct webconfig_state *st = state_of(session);

	/* A resumed session skipped the certificate exchange: hold it to the policy again. */
	if (!st || !gnutls_session_is_resumed(session) || st->cfg->client_auth == WEBCONFIG_NO_CLIENT_CERT)
		return 0;
	return verify_client(session) == 0 ? 0 : -EPERM;
}

/* ---- rate limit: golang.org/x/time/rate's token bucket, starting full ---- */

bool webconfig_rate_allow(struct webconfig_state *st)
{
	const struct webconfig *wc = st->cfg;
	double now;
	bool ok;

	if (wc->rate_interval <= 0)
		return true;
	pthread_mutex_lock(&st->rl_lock);
	now = now_monotonic();
	st->tokens += (now - st->last) / wc->rate_interval;
	if (st->tokens > (double)wc->rate_burst)
		st->tokens = (double)wc->rate_burst;
	st->last = now;
	ok = st->tokens >= 1;
	if (ok)
		st->tokens -= 1;
	pthread_mutex_unlock(&st->rl_lock);
	return ok;
}

size_t webconfig_headers(const struct webconfig_state *st, const struct webconfig_header **headers)
{
	*headers = st->cfg->headers;
	return st->cfg->n_headers;
}
