/* Basic auth. bcrypt runs on one worker thread while the connection is suspended, never on the HTTP
 * polling thread; one at a time, as exporter-toolkit's bcryptMtx does. Good results are cached under an
 * HMAC of user, hash and password (keyed with a random per-process secret, so the cache holds no
 * password), in 100 slots with random eviction as exporter-toolkit's cache. Failures are not cached, so
 * every wrong password and every unknown user costs one bcrypt of the configured cost: unknown users are
 * checked against a dummy hash with the highest cost among the configured users. */
#include <crypt.h>
#include <gnutls/crypto.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <strings.h>

#include "auth.h"
#include "base64.h"
#include "nodex.h"

#define CACHE_SIZE 100
#define MAX_QUEUED_AUTH 64
#define BCRYPT_LEN 60

int auth_parse_basic(const char *header, char **user, char **password)
{
	unsigned char *buf;
	const unsigned char *colon;
	size_t len;
	ssize_t n;
	int r = -EINVAL;

	if (!header || strncasecmp(header, "Basic ", 6) != 0)
		return -EINVAL;
	len = strlen(header + 6);
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	n = base64_decode(header + 6, len, buf, len);
	if (n < 0) {
		n = 0;
		goto out;
	}
	colon = memchr(buf, ':', (size_t)n);
	/* A NUL byte cannot be part of a C string password: such credentials never match. */
	if (!colon || memchr(buf, '\0', (size_t)n))
		goto out;
	buf[n] = '\0';
	*user = strndup((const char *)buf, (size_t)(colon - buf));
	*password = strdup((const char *)colon + 1);
	if (!*user || !*password) {
		free(*user);
		free(*password);
		r = -ENOMEM;
		goto out;
	}
	r = 0;
out:
	explicit_bzero(buf, (size_t)n);
	free(buf);
	return r;
}

bool auth_bcrypt_check(const char *password, const char *hash)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *out;
	size_t lh = strlen(hash), lo;
	unsigned char diff;

	if (!cd)
		return false;
	out = crypt_rn(password, hash, cd, sizeof(*cd));
	if (!out || out[0] == '*') {
		explicit_bzero(cd, sizeof(*cd));
		free(cd);
		return false;
	}
	lo = strlen(out);
	diff = lh != lo;
	for (size_t i = 0; i < lh; i++)
		diff |= (unsigned char)hash[i] ^ (unsigned char)(i < lo ? out[i] : 0);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return diff == 0;
}

struct auth_job {
	char *password;
	char hash[BCRYPT_LEN + 1];
	bool known;
	bool ok;
	unsigned char key[32];
	void (*done)(void *cls);
	void *cls;
	struct auth_job *next;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char cache[CACHE_SIZE][32];
static bool cache_used[CACHE_SIZE];
static unsigned char cache_secret[32];
static bool cache_secret_set;

/* Dummy hashes for unknown users, one per cost (04..31), made when first needed. */
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy[32][BCRYPT_LEN + 1];

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static struct auth_job *queue_head, *queue_tail;
static size_t queued;
static bool worker_running, worker_stop;
static pthread_t worker;

static bool ct_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
	unsigned char d = 0;

	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/* The cache key: HMAC-SHA256 under a per-process secret of user, hash and password, each length-prefixed. */
static int cache_key(const char *user, const char *hash, const char *password, unsigned char key[32])
{
	size_t lu = strlen(user), lh = strlen(hash), lp = strlen(password), n = 0;
	unsigned char *buf;
	int r;

	pthread_mutex_lock(&cache_lock);
	if (!cache_secret_set) {
		if (gnutls_rnd(GNUTLS_RND_KEY, cache_secret, sizeof(cache_secret)) < 0) {
			pthread_mutex_unlock(&cache_lock);
			return -EIO;
		}
		cache_secret_set = true;
	}
	pthread_mutex_unlock(&cache_lock);
	buf = malloc(lu + lh + lp + 24);
	if (!buf)
		return -ENOMEM;
	memcpy(buf + n, &lu, sizeof(lu));
	n += sizeof(lu);
	memcpy(buf + n, user, lu);
	n += lu;
	memcpy(buf + n, &lh, sizeof(lh));
	n += sizeof(lh);
	memcpy(buf + n, hash, lh);
	n += lh;
	memcpy(buf + n, password, lp);
	n += lp;
	r = gnutls_hmac_fast(GNUTLS_MAC_SHA256, cache_secret, sizeof(cache_secret), buf, n, key);
	explicit_bzero(buf, n);
	free(buf);
	return r < 0 ? -EIO : 0;
}

static bool cache_has(const unsigned char key[32])
{
	bool found = false;

	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < CACHE_SIZE; i++)
		found |= cache_used[i] & ct_equal(cache[i], key, 32);
	pthread_mutex_unlock(&cache_lock);
	return found;
}

static void cache_put(const unsigned char key[32])
{
	size_t slot = CACHE_SIZE;
	uint32_t rnd;

	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < CACHE_SIZE; i++) {
		if (cache_used[i] && ct_equal(cache[i], key, 32)) {
			pthread_mutex_unlock(&cache_lock);
			return;
		}
		if (!cache_used[i] && slot == CACHE_SIZE)
			slot = i;
	}
	if (slot == CACHE_SIZE) {
		if (gnutls_rnd(GNUTLS_RND_NONCE, &rnd, sizeof(rnd)) < 0)
			rnd = 0;
		slot = rnd % CACHE_SIZE;
	}
	memcpy(cache[slot], key, 32);
	cache_used[slot] = true;
	pthread_mutex_unlock(&cache_lock);
}

/* A bcrypt hash of nothing anybody knows: a fresh salt and an impossible digest, at the given cost.
 * Returns NULL when libcrypt cannot make a salt. */
static const char *dummy_hash(unsigned cost)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *h = NULL;
	size_t n;

	if (cost < 4 || cost > 31)
		return NULL;
	pthread_mutex_lock(&dummy_lock);
	if (dummy[cost][0]) {
		h = dummy[cost];
	} else if (crypt_gensalt_rn("$2b$", cost, NULL, 0, setting, sizeof(setting)) &&
		   (n = strlen(setting)) < BCRYPT_LEN) {
		memcpy(dummy[cost], setting, n);
		memset(dummy[cost] + n, '.', BCRYPT_LEN - n);
		dummy[cost][BCRYPT_LEN] = '\0';
		h = dummy[cost];
	}
	pthread_mutex_unlock(&dummy_lock);
	return h;
}

static void job_free(struct auth_job *job)
{
	if (!job)
		return;
	if (job->password) {
		explicit_bzero(job->password, strlen(job->password));
		free(job->password);
	}
	free(job);
}

static const struct webconfig_user *find_user(const struct webconfig *wc, const char *name)
{
	size_t lo = 0, hi = wc->n_users;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, wc->users[mid].name);
		if (c == 0)
			return &wc->users[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

enum auth_status auth_begin(const struct webconfig *wc, const char *authorization, struct auth_job **jobp)
{
	const struct webconfig_user *u;
	struct auth_job *job = NULL;
	char *user = NULL, *password = NULL;
	const char *hash;

	if (wc->n_users == 0)
		return AUTH_OFF;
	if (auth_parse_basic(authorization, &user, &password) < 0)
		return AUTH_DENIED;
	u = find_user(wc, user);
	hash = u ? u->hash : dummy_hash(wc->max_cost);
	if (!hash || strlen(hash) > BCRYPT_LEN)
		goto denied;
	job = calloc(1, sizeof(*job));
	if (!job)
		goto denied;
	job->known = u != NULL;
	memcpy(job->hash, hash, strlen(hash) + 1);
	if (cache_key(user, job->hash, password, job->key) < 0)
		goto denied;
	if (job->known && cache_has(job->key)) {
		free(job);
		free(user);
		explicit_bzero(password, strlen(password));
		free(password);
		return AUTH_OK;
	}
	job->password = password;
	free(user);
	*jobp = job;
	return AUTH_PENDING;
denied:
	free(job);
	free(user);
	explicit_bzero(password, strlen(password));
	free(password);
	return AUTH_DENIED;
}

static void *auth_worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&queue_lock);
	for (;;) {
		struct auth_job *job;
		while (!queue_head && !worker_stop)
			pthread_cond_wait(&queue_cond, &queue_lock);
		job = queue_head;
		if (!job)
			break; /* stopping, nothing left */
		queue_head = job->next;
		if (!queue_head)
			queue_tail = NULL;
		queued--;
		pthread_mutex_unlock(&queue_lock);
		if (!worker_stop) {
			/* Always one bcrypt, whether the user is known or not. */
			bool match = auth_bcrypt_check(job->password, job->hash);
			job->ok = match && job->known;
			if (job->ok)
				cache_put(job->key);
		}
		explicit_bzero(job->password, strlen(job->password));
		job->done(job->cls);
		pthread_mutex_lock(&queue_lock);
	}
	pthread_mutex_unlock(&queue_lock);
	return NULL;
}

/* Called with queue_lock held. The worker blocks every signal: main's sigwait must receive them. */
static int start_worker(void)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&worker, NULL, auth_worker, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0)
		return -r;
	pthread_setname_np(worker, "nodex-auth");
	worker_running = true;
	return 0;
}

int auth_submit(struct auth_job *job, void (*done)(void *cls), void *cls)
{
	job->done = done;
	job->cls = cls;
	pthread_mutex_lock(&queue_lock);
	if (worker_stop || queued >= MAX_QUEUED_AUTH || (!worker_running && start_worker() < 0)) {
		pthread_mutex_unlock(&queue_lock);
		job_free(job);
		return -EBUSY;
	}
	job->next = NULL;
	if (queue_tail)
		queue_tail->next = job;
	else
		queue_head = job;
	queue_tail = job;
	queued++;
	pthread_cond_signal(&queue_cond);
	pthread_mutex_unlock(&queue_lock);
	return 0;
}

bool auth_finish(struct auth_job *job)
{
	bool ok = job && job->ok;

	job_free(job);
	return ok;
}

void auth_stop(void)
{
	bool join;

	pthread_mutex_lock(&queue_lock);
	worker_stop = true;
	join = worker_running;
	pthread_cond_broadcast(&queue_cond);
	pthread_mutex_unlock(&queue_lock);
	if (join)
		pthread_join(worker, NULL);
	worker_running = false;
}
