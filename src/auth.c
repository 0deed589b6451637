/* Basic auth, with bounded work.
 *
 * bcrypt runs on worker threads while the request waits, never on the HTTP event thread, and
 * never more than one per two CPUs at once (at least one, at most MAX_WORKERS; exporter-toolkit runs one
 * at a time behind its bcryptMtx). What bcrypt has answered is cached under an HMAC-SHA256 of user, hash
 * and password keyed with a random per-process secret, so no cache holds a password:
 *  - good passwords in 100 slots with random eviction, as exporter-toolkit's cache: a scraper pays
 *    bcrypt once, then never again while its password and the hash stay;
 *  - wrong ones in a separate ring of 1024, so a client that retries the same wrong password (a
 *    misconfigured Prometheus, a script) costs bcrypt once, and wrong passwords, however many, never
 *    evict a good one (in exporter-toolkit one cache holds both). Caching a failure is safe because the
 *    key holds the hash: a changed password or a new user is a new key.
 * Checks of the same credentials that are queued together share the answer of the first one that runs.
 *
 * Checks that are not cached wait in a queue of at most AUTH_MAX_QUEUED, served fairly across client
 * addresses by a virtual clock: a job from an address with checks queued is stamped one past the later
 * of the clock and that address's last stamp; one from an address with none gets the clock itself, the
 * round in progress; the smallest stamp runs next, the older first among equals, and the clock is the
 * stamp of the last check started. So a flood from some addresses makes a scraper at another address
 * wait for one round at most, not for the flood's backlog. When the queue is full, a newcomer from an
 * address with fewer queued checks than the busiest address pushes that address's newest check out; else
 * the newcomer is refused. Refused and pushed-out checks end as AUTH_BUSY (503) BUSY_DELAY later, without
 * bcrypt; so does a check still queued at its deadline, when its client has given up. From one address,
 * as when a flood comes from the scraper's own host, the queue is first come, first served: a scraper's
 * first check waits for the checks already queued, AUTH_MAX_QUEUED at most.
 *
 * Unknown users are checked against a dummy hash of fixed cost 10, as exporter-toolkit does, whatever the
 * configured hashes cost: an unauthenticated request costs one cost-10 bcrypt at most. The price is that
 * timing tells an unknown user from a known one whose hash has another cost (README, "HTTP"). */
#include <crypt.h>
#include <gnutls/crypto.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "base64.h"
#include "nodex.h"

#define GOOD_CACHE_SIZE 100
#define BAD_CACHE_SIZE 1024
#define BCRYPT_LEN 60
#define DUMMY_COST 10
#define MAX_WORKERS 4
/* A refused or pushed-out check is answered (503) this many seconds late, so that a client retrying at
 * once cannot make nodex answer thousands of 503s a second; at most this many wait so (beyond, 503 at
 * once): a delayed request keeps its connection busy, and the connection limit never closes busy
 * connections, so the delayed ones must stay few next to --web.max-connections. */
#define BUSY_DELAY 1.0
#define MAX_DELAYED 64

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
	enum auth_status result;
	unsigned char key[32];
	char source[AUTH_SOURCE_MAX];
	uint64_t stamp;  /* virtual time: the smallest runs next */
	uint64_t seq;    /* order of submission, for equal stamps */
	double deadline; /* CLOCK_MONOTONIC; still queued then: AUTH_BUSY (delayed: when to answer) */
	void (*done)(void *cls);
	void *cls;
	struct auth_job *next;
};

/* A cache of keys: good passwords (random eviction) or wrong ones (a ring). */
struct key_cache {
	unsigned char (*keys)[32];
	bool *used;
	size_t size, next;
	bool ring;
};

static unsigned char good_keys[GOOD_CACHE_SIZE][32], bad_keys[BAD_CACHE_SIZE][32];
static bool good_used[GOOD_CACHE_SIZE], bad_used[BAD_CACHE_SIZE];
static struct key_cache good = { good_keys, good_used, GOOD_CACHE_SIZE, 0, false };
static struct key_cache bad = { bad_keys, bad_used, BAD_CACHE_SIZE, 0, true };
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char cache_secret[32];
static bool cache_secret_set;

/* The dummy hash unknown users are checked against, made when first needed. */
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy[BCRYPT_LEN + 1];

/* The queue and the workers. */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static struct auth_job *queue; /* unordered; AUTH_MAX_QUEUED at most */
static size_t queued;
static uint64_t vclock;        /* stamp of the last check started */
static uint64_t submitted;     /* checks submitted so far */
static pthread_t workers[MAX_WORKERS];
static size_t n_workers, max_workers;
static bool worker_stop;

/* Checks answered AUTH_BUSY after BUSY_DELAY, oldest first, and the thread that answers them. */
static struct auth_job *delayed_head, *delayed_tail;
static size_t delayed;
static pthread_cond_t delay_cond;
static pthread_t delayer;
static bool delayer_running;

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

/* Every slot is compared, so the time taken says nothing about where a key is. */
static bool cache_has(const struct key_cache *c, const unsigned char key[32])
{
	bool found = false;

	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < c->size; i++)
		found |= c->used[i] & ct_equal(c->keys[i], key, 32);
	pthread_mutex_unlock(&cache_lock);
	return found;
}

static void cache_put(struct key_cache *c, const unsigned char key[32])
{
	size_t slot = c->size;
	uint32_t rnd;

	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < c->size; i++) {
		if (c->used[i] && ct_equal(c->keys[i], key, 32)) {
			pthread_mutex_unlock(&cache_lock);
			return;
		}
		if (!c->used[i] && slot == c->size)
			slot = i;
	}
	if (c->ring) {
		slot = c->next;
		c->next = (c->next + 1) % c->size;
	} else if (slot == c->size) {
		if (gnutls_rnd(GNUTLS_RND_NONCE, &rnd, sizeof(rnd)) < 0)
			rnd = 0;
		slot = rnd % c->size;
	}
	memcpy(c->keys[slot], key, 32);
	c->used[slot] = true;
	pthread_mutex_unlock(&cache_lock);
}

/* A bcrypt hash of nothing anybody knows: a fresh salt and an impossible digest, of cost DUMMY_COST.
 * Returns NULL when libcrypt cannot make a salt. */
static const char *dummy_hash(void)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *h = NULL;
	size_t n;

	pthread_mutex_lock(&dummy_lock);
	if (dummy[0]) {
		h = dummy;
	} else if (crypt_gensalt_rn("$2b$", DUMMY_COST, NULL, 0, setting, sizeof(setting)) &&
		   (n = strlen(setting)) < BCRYPT_LEN) {
		memcpy(dummy, setting, n);
		memset(dummy + n, '.', BCRYPT_LEN - n);
		dummy[BCRYPT_LEN] = '\0';
		h = dummy;
	}
	pthread_mutex_unlock(&dummy_lock);
	return h;
}

static uint64_t bcrypt_runs;

uint64_t auth_bcrypt_runs(void)
{
	return __atomic_load_n(&bcrypt_runs, __ATOMIC_RELAXED);
}

const char *auth_job_hash(const struct auth_job *job)
{
	return job->hash;
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

static void free_credentials(char *user, char *password)
{
	free(user);
	if (password) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
}

enum auth_status auth_begin(const struct webconfig *wc, const char *authorization, struct auth_job **jobp)
{
	const struct webconfig_user *u;
	struct auth_job *job = NULL;
	char *user = NULL, *password = NULL;
	const char *hash;
	enum auth_status a = AUTH_DENIED;

	if (wc->n_users == 0)
		return AUTH_OFF;
	if (auth_parse_basic(authorization, &user, &password) < 0)
		return AUTH_DENIED;
	u = find_user(wc, user);
	hash = u ? u->hash : dummy_hash();
	if (!hash || strlen(hash) > BCRYPT_LEN || !(job = calloc(1, sizeof(*job))))
		goto out;
	job->known = u != NULL;
	job->result = AUTH_DENIED;
	memcpy(job->hash, hash, strlen(hash) + 1);
	if (cache_key(user, job->hash, password, job->key) < 0)
		goto out;
	if (job->known && cache_has(&good, job->key)) {
		a = AUTH_OK;
		goto out;
	}
	if (cache_has(&bad, job->key))
		goto out; /* AUTH_DENIED: bcrypt said so before */
	job->password = password;
	password = NULL;
	*jobp = job;
	job = NULL;
	a = AUTH_PENDING;
out:
	free(job);
	free_credentials(user, password);
	return a;
}

/* The queued job that runs next: the smallest stamp. Called with queue_lock held. */
static struct auth_job **next_job(void)
{
	struct auth_job **best = NULL;

	for (struct auth_job **pj = &queue; *pj; pj = &(*pj)->next)
		if (!best || (*pj)->stamp < (*best)->stamp ||
		    ((*pj)->stamp == (*best)->stamp && (*pj)->seq < (*best)->seq))
			best = pj;
	return best;
}

static void *auth_worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&queue_lock);
	for (;;) {
		struct auth_job **pj, *job;
		while (!queue && !worker_stop)
			pthread_cond_wait(&queue_cond, &queue_lock);
		pj = next_job();
		if (!pj)
			break; /* stopping, nothing left */
		job = *pj;
		*pj = job->next;
		queued--;
		if (job->stamp > vclock)
			vclock = job->stamp;
		pthread_mutex_unlock(&queue_lock);
		if (worker_stop || now_monotonic() > job->deadline) {
			job->result = AUTH_BUSY; /* stopping, or its client has given up: no bcrypt */
		} else {
			/* Always one bcrypt, whether the user is known or not. */
			bool match = auth_bcrypt_check(job->password, job->hash);
			__atomic_add_fetch(&bcrypt_runs, 1, __ATOMIC_RELAXED);
			job->result = match && job->known ? AUTH_OK : AUTH_DENIED;
			cache_put(job->result == AUTH_OK ? &good : &bad, job->key);
		}
		explicit_bzero(job->password, strlen(job->password));
		pthread_mutex_lock(&queue_lock);
		/* Checks of the same credentials that queued meanwhile (a scraper's retries) share the answer. */
		struct auth_job *same = NULL;
		if (job->result != AUTH_BUSY) {
			for (struct auth_job **q = &queue; *q;) {
				struct auth_job *j = *q;
				if (ct_equal(j->key, job->key, 32)) {
					*q = j->next;
					queued--;
					j->result = job->result;
					j->next = same;
					same = j;
				} else {
					q = &j->next;
				}
			}
		}
		pthread_mutex_unlock(&queue_lock);
		job->done(job->cls);
		while (same) {
			struct auth_job *j = same;
			same = j->next;
			j->done(j->cls);
		}
		pthread_mutex_lock(&queue_lock);
	}
	pthread_mutex_unlock(&queue_lock);
	return NULL;
}

/* Answers the delayed checks when their time comes. */
static void *auth_delayer(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&queue_lock);
	for (;;) {
		struct auth_job *job = delayed_head;
		if (!job && worker_stop)
			break;
		if (!job) {
			pthread_cond_wait(&delay_cond, &queue_lock);
			continue;
		}
		if (!worker_stop && now_monotonic() < job->deadline) {
			struct timespec ts;
			double at = job->deadline;
			ts.tv_sec = (time_t)at;
			ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
			pthread_cond_timedwait(&delay_cond, &queue_lock, &ts);
			continue;
		}
		delayed_head = job->next;
		if (!delayed_head)
			delayed_tail = NULL;
		delayed--;
		pthread_mutex_unlock(&queue_lock);
		job->done(job->cls);
		pthread_mutex_lock(&queue_lock);
	}
	pthread_mutex_unlock(&queue_lock);
	return NULL;
}

/* Queues job to be answered AUTH_BUSY in BUSY_DELAY. Returns false when too many wait so already. Called
 * with queue_lock held. */
static bool delay_busy(struct auth_job *job)
{
	if (!delayer_running || delayed >= MAX_DELAYED)
		return false;
	job->result = AUTH_BUSY;
	job->deadline = now_monotonic() + BUSY_DELAY;
	job->next = NULL;
	*(delayed_tail ? &delayed_tail->next : &delayed_head) = job;
	delayed_tail = job;
	if (delayed++ == 0)
		pthread_cond_signal(&delay_cond);
	return true;
}

/* Called with queue_lock held. Workers block every signal: main's sigwait must receive them. */
static int start_workers(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = max_workers ? max_workers : cpus >= 2 ? (size_t)cpus / 2 : 1;
	sigset_t all, old;
	int r = 0;

	if (want > MAX_WORKERS)
		want = MAX_WORKERS;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (n_workers < want && (r = pthread_create(&workers[n_workers], NULL, auth_worker, NULL)) == 0)
		pthread_setname_np(workers[n_workers++], "nodex-auth");
	if (n_workers && !delayer_running) {
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&delay_cond, &ca);
		pthread_condattr_destroy(&ca);
		/* Without it, busy checks are answered at once. */
		delayer_running = pthread_create(&delayer, NULL, auth_delayer, NULL) == 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return n_workers ? 0 : -r;
}

void auth_set_workers(size_t n)
{
	pthread_mutex_lock(&queue_lock);
	max_workers = n;
	pthread_mutex_unlock(&queue_lock);
}

size_t auth_workers(void)
{
	pthread_mutex_lock(&queue_lock);
	size_t n = n_workers;
	pthread_mutex_unlock(&queue_lock);
	return n;
}

/* Called with queue_lock held: the queued jobs of source, and the largest stamp among them (0: none). */
static size_t source_jobs(const char *source, uint64_t *last)
{
	size_t n = 0;

	*last = 0;
	for (struct auth_job *j = queue; j; j = j->next)
		if (streq(j->source, source)) {
			n++;
			if (j->stamp > *last)
				*last = j->stamp;
		}
	return n;
}

/* The queue is full: takes out the newest job of the address with the most queued jobs when that is more
 * than the newcomer's address has. Returns it, or NULL when the newcomer is the one to refuse. Called with
 * queue_lock held. */
static struct auth_job *push_out(const char *newcomer)
{
	struct auth_job **victim = NULL;
	size_t most = 0;
	uint64_t last;
	size_t mine = source_jobs(newcomer, &last);

	for (struct auth_job **pj = &queue; *pj; pj = &(*pj)->next) {
		size_t n = source_jobs((*pj)->source, &last);
		if (n > most || (n == most && victim && streq((*pj)->source, (*victim)->source) &&
				 (*pj)->stamp > (*victim)->stamp)) {
			most = n;
			victim = pj;
		}
	}
	if (!victim || most <= mine + 1)
		return NULL;
	struct auth_job *j = *victim;
	*victim = j->next;
	queued--;
	return j;
}

int auth_submit(struct auth_job *job, const char *source, double timeout, void (*done)(void *cls), void *cls)
{
	struct auth_job *out = NULL;
	uint64_t last;

	job->done = done;
	job->cls = cls;
	snprintf(job->source, sizeof(job->source), "%s", source ? source : "");
	job->deadline = now_monotonic() + (timeout > 0 ? timeout : AUTH_DEFAULT_WAIT);
	pthread_mutex_lock(&queue_lock);
	if (worker_stop || (!n_workers && start_workers() < 0))
		goto refuse;
	if (queued >= AUTH_MAX_QUEUED && !(out = push_out(job->source))) {
		if (!delay_busy(job))
			goto refuse;
		pthread_mutex_unlock(&queue_lock);
		return 0;
	}
	/* An address with nothing queued joins the round in progress; one with checks queued goes after its
	 * last. */
	if (source_jobs(job->source, &last))
		job->stamp = (last > vclock ? last : vclock) + 1;
	else
		job->stamp = vclock;
	job->seq = ++submitted;
	job->next = queue;
	queue = job;
	queued++;
	pthread_cond_signal(&queue_cond);
	if (out && delay_busy(out))
		out = NULL;
	pthread_mutex_unlock(&queue_lock);
	if (out) {
		out->result = AUTH_BUSY;
		out->done(out->cls);
	}
	return 0;
refuse:
	pthread_mutex_unlock(&queue_lock);
	job_free(job);
	return -EBUSY;
}

enum auth_status auth_finish(struct auth_job *job)
{
	enum auth_status a = job ? job->result : AUTH_DENIED;

	job_free(job);
	return a;
}

void auth_stop(void)
{
	pthread_mutex_lock(&queue_lock);
	worker_stop = true;
	pthread_cond_broadcast(&queue_cond);
	if (delayer_running)
		pthread_cond_signal(&delay_cond);
	pthread_mutex_unlock(&queue_lock);
	for (size_t i = 0; i < n_workers; i++)
		pthread_join(workers[i], NULL);
	n_workers = 0;
	if (delayer_running)
		pthread_join(delayer, NULL);
	delayer_running = false;
}
