/* Basic auth (src/auth.c) and the one base64 decoder (src/base64.c): the Authorization header as Go's
 * Request.BasicAuth reads it, bcrypt checks, and whole checks through the workers: the caches of good and
 * wrong passwords, unknown users' fixed cost, the queue's fairness across addresses, deadlines, its bound
 * and push-out, and stopping. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "auth.h"
#include "base64.h"
#include "harness.h"
#include "webconfig.h"

/* bcrypt of "secret" (libxcrypt) at cost 4 ($2b$ and $2y$) and 10. */
#define H4 "$2b$04$P5nOcYl05WJkE3tC6P08m.O6GLb1/u98yr.CWXAleP.YVdrCjcAo2"
#define H4Y "$2y$04$P5nOcYl05WJkE3tC6P08m.O6GLb1/u98yr.CWXAleP.YVdrCjcAo2"
#define H10 "$2b$10$Ydkqa86DlgizwHnCCP9boeZPpSHV6b7Jcw2aWSXNjqcJpLadRFaY6"

static void test_base64(void)
{
	static const struct {
		const char *in;
		const char *out; /* NULL: -EINVAL */
		size_t len;
	} t[] = {
		{ "", "", 0 },
		{ "qrvM3e7/", "\xaa\xbb\xcc\xdd\xee\xff", 6 },
		{ "ABEiM0RV", "\x00\x11\x22\x33\x44\x55", 6 },
		{ "AQ==", "\x01", 1 },
		{ "AQI=", "\x01\x02", 2 },
		{ "AQ=\r\n=", "\x01", 1 },     /* CR and LF are skipped anywhere */
		{ "YW\nJj", "abc", 3 },
		{ "AQ==\n", "\x01", 1 },        /* and may follow the padding */
		{ "AR==", "\x01", 1 },          /* unused bits are not checked (StdEncoding, not Strict) */
		{ "A===", NULL, 0 },
		{ "====", NULL, 0 },
		{ "AQ", NULL, 0 },               /* unpadded */
		{ "AQI", NULL, 0 },
		{ "AQ=", NULL, 0 },
		{ "AQ=A", NULL, 0 },
		{ "AQ==AQ==", NULL, 0 },         /* data after padding */
		{ "!!!!", NULL, 0 },
		{ "YW Jj", NULL, 0 },
		{ "YW-j", NULL, 0 },             /* URL alphabet */
	};
	unsigned char out[16];

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		ssize_t n = base64_decode(t[i].in, strlen(t[i].in), out, sizeof(out));
		if (!t[i].out) {
			CHECK_INT(n, -EINVAL);
			continue;
		}
		CHECK_INT(n, (long long)t[i].len);
		CHECK(n >= 0 && memcmp(out, t[i].out, t[i].len) == 0);
	}
	CHECK_INT(base64_decode("AAAAAAAAAAAA", 12, out, 8), -ENOSPC);
	CHECK_INT(base64_decode("AAAAAAAAAAA=", 12, out, 8), 8);
	CHECK_INT(base64_decode("AAAAAAAAAAAA", 12, out, 9), 9);
}

static void test_basic_auth_header(void)
{
	static const struct {
		const char *h;
		const char *user, *pass; /* NULL: refused */
	} t[] = {
		{ "Basic YWxpY2U6c2VjcmV0", "alice", "secret" },
		{ "basic YWxpY2U6c2VjcmV0", "alice", "secret" }, /* the scheme is case-insensitive */
		{ "BASIC YWxpY2U6c2VjcmV0", "alice", "secret" },
		{ "Basic YWxpY2U6c2Vj\r\ncmV0", "alice", "secret" }, /* Go skips CR and LF */
		{ "Basic YWxpY2U6", "alice", "" },
		{ "Basic OnB3", "", "pw" },
		{ "Basic YTpiOmM=", "a", "b:c" },		    /* the first colon splits */
		{ "Basic YWxpY2U6c2VjcmV0IQ==", "alice", "secret!" }, /* padding */
		{ "Basic YWxpY2U=", NULL, NULL },		    /* no colon */
		{ "Basic YWxpY2U6c2VjcmV0IQ", NULL, NULL },	    /* padding missing */
		{ "Basic YWxpY2U6c2VjcmV0IQ=", NULL, NULL },
		{ "Basic YWxp Y2U6", NULL, NULL },
		{ "Basic YWxpY2U6c2VjcmV0IQ==YQ==", NULL, NULL }, /* data after padding */
		{ "Basic", NULL, NULL },
		{ "Bearer YWxpY2U6c2VjcmV0", NULL, NULL },
		{ "BasicYWxpY2U6c2VjcmV0", NULL, NULL },
		{ "Basic YWI6YQBi", NULL, NULL }, /* "ab:a\0b": a NUL never matches */
		{ "", NULL, NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		char *u = NULL, *p = NULL;
		int r = auth_parse_basic(t[i].h, &u, &p);
		if (!t[i].user) {
			CHECK_INT(r, -EINVAL);
			continue;
		}
		CHECK_INT(r, 0);
		CHECK_STR(u, t[i].user);
		CHECK_STR(p, t[i].pass);
		free(u);
		free(p);
	}
	CHECK_INT(auth_parse_basic(NULL, NULL, NULL), -EINVAL);
}

static void test_bcrypt(void)
{
	CHECK(auth_bcrypt_check("secret", H4));
	CHECK(auth_bcrypt_check("secret", H4Y));
	CHECK(!auth_bcrypt_check("Secret", H4));
	CHECK(!auth_bcrypt_check("secret ", H4));
	CHECK(!auth_bcrypt_check("", H4));
	CHECK(!auth_bcrypt_check("secret", "$2b$04$P5nOcYl05WJkE3tC6P08m.O6GLb1/u98yr.CWXAleP.YVdrCjcAo3"));
	CHECK(!auth_bcrypt_check("secret", "*0"));
	CHECK(!auth_bcrypt_check("secret", ""));
}

struct waiter {
	pthread_mutex_t m;
	pthread_cond_t c;
	bool done;
};

/* The order in which jobs finish (the waiters' tags). */
static pthread_mutex_t order_lock = PTHREAD_MUTEX_INITIALIZER;
static char order[256];

struct tagged {
	struct waiter w;
	char tag[8];
	double at; /* when it ended */
};

static void job_done(void *cls)
{
	struct waiter *w = cls;

	pthread_mutex_lock(&w->m);
	w->done = true;
	pthread_cond_signal(&w->c);
	pthread_mutex_unlock(&w->m);
}

static void tagged_done(void *cls)
{
	struct tagged *t = cls;

	t->at = now_monotonic();
	pthread_mutex_lock(&order_lock);
	snprintf(order + strlen(order), sizeof(order) - strlen(order), "%s%s", order[0] ? " " : "", t->tag);
	pthread_mutex_unlock(&order_lock);
	job_done(&t->w);
}

static void wait_for(struct waiter *w)
{
	pthread_mutex_lock(&w->m);
	while (!w->done)
		pthread_cond_wait(&w->c, &w->m);
	pthread_mutex_unlock(&w->m);
}

static struct webconfig *config(const char *yaml)
{
	struct webconfig *wc = NULL;
	char err[512];

	if (webconfig_parse(yaml, strlen(yaml), NULL, &wc, err, sizeof(err)) < 0)
		fprintf(stderr, "webconfig_parse: %s\n", err);
	CHECK(wc != NULL);
	return wc;
}

/* Runs one request's check to its end: OFF, OK, DENIED or BUSY. */
static enum auth_status check_auth(const struct webconfig *wc, const char *header, double *seconds)
{
	struct auth_job *job = NULL;
	struct waiter w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false };
	double t0 = now_monotonic();
	enum auth_status a = auth_begin(wc, header, &job);

	if (a == AUTH_PENDING) {
		CHECK_INT(auth_submit(job, "192.0.2.1", 0, job_done, &w), 0);
		wait_for(&w);
		a = auth_finish(job);
	}
	if (seconds)
		*seconds = now_monotonic() - t0;
	return a;
}

/* "Basic " and the base64 of s, into out (test credentials; nodex itself only decodes). */
static const char *basic(const char *s, char *out, size_t size)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), o = snprintf(out, size, "Basic ");

	for (size_t i = 0; i < n && o + 5 < size; i += 3) {
		unsigned v = (unsigned char)s[i] << 16 | (i + 1 < n ? (unsigned char)s[i + 1] << 8 : 0) |
			     (i + 2 < n ? (unsigned char)s[i + 2] : 0);
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		out[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? a[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

/* Submits a check of header from source; its tag goes to order when it finishes. */
static void submit(const struct webconfig *wc, const char *header, const char *source, double timeout,
		   struct tagged *t, const char *tag, struct auth_job **job)
{
	t->w = (struct waiter){ PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false };
	snprintf(t->tag, sizeof(t->tag), "%s", tag);
	*job = NULL;
	CHECK_INT(auth_begin(wc, header, job), AUTH_PENDING);
	CHECK_INT(auth_submit(*job, source, timeout, tagged_done, t), 0);
}

#define ALICE_SECRET "Basic YWxpY2U6c2VjcmV0"  /* alice:secret */
#define ALICE_WRONG "Basic YWxpY2U6d3Jvbmc="   /* alice:wrong */
#define ALICE_WRONG2 "Basic YWxpY2U6d3Jvbmcy"  /* alice:wrong2 */
#define BOB_SECRET "Basic Ym9iOnNlY3JldA=="    /* bob:secret */
#define CAROL_WRONG "Basic Y2Fyb2w6d3Jvbmc="  /* carol:wrong */
#define DAVE_SECRET "Basic ZGF2ZTpzZWNyZXQ="   /* dave:secret */
#define MALLORY_SECRET "Basic bWFsbG9yeTpzZWNyZXQ=" /* mallory:secret */
#define H12 "$2b$12$8ePXHk1DdU1AZQGV8RtWgekjZGdGNKsi9PvW9YpI/vdhxAc.Q.qju"

static void test_jobs(void)
{
	struct webconfig *none = config("rate_limit: {interval: 1h, burst: 2}\n");
	struct webconfig *wc = config("basic_auth_users:\n  alice: " H4 "\n  carol: " H10 "\n  dave: " H12 "\n");
	struct webconfig *bob = config("basic_auth_users:\n  bob: " H4 "\n");
	struct auth_job *job = NULL;
	double known4, known10, unknown, cached, wrong_cached;

	if (!none || !wc || !bob)
		return;
	auth_set_workers(1); /* the order of checks below assumes one at a time */
	CHECK_INT(check_auth(none, NULL, NULL), AUTH_OFF); /* no users: no auth */
	CHECK_INT(auth_begin(wc, NULL, &job), AUTH_DENIED);
	CHECK_INT(auth_begin(wc, "Bearer x", &job), AUTH_DENIED);
	CHECK_INT(auth_begin(wc, "Basic !!!", &job), AUTH_DENIED);

	CHECK_INT(check_auth(wc, ALICE_WRONG, &known4), AUTH_DENIED);
	CHECK_INT(check_auth(wc, BOB_SECRET, NULL), AUTH_DENIED);
	CHECK_INT(check_auth(wc, ALICE_SECRET, NULL), AUTH_OK);
	CHECK_INT(auth_workers(), 1);
	/* Cached now, both: answered without a job. A wrong password is cached too, apart. */
	CHECK_INT(auth_begin(wc, ALICE_SECRET, &job), AUTH_OK);
	CHECK_INT(auth_begin(wc, ALICE_WRONG, &job), AUTH_DENIED);
	CHECK_INT(check_auth(wc, ALICE_WRONG, &wrong_cached), AUTH_DENIED);
	CHECK_INT(auth_begin(wc, BOB_SECRET, &job), AUTH_DENIED); /* an unknown user's failure is cached too */
	/* Another wrong password is not cached yet. */
	CHECK_INT(auth_begin(wc, ALICE_WRONG2, &job), AUTH_PENDING);
	CHECK_INT(auth_finish(job), AUTH_DENIED); /* never submitted: no result */

	/* Unknown users are checked against a bcrypt hash of cost 10, as in exporter-toolkit, whatever the
	 * users' hashes cost (alice's is cost 4, dave's cost 12): the same dummy for every unknown user, and
	 * the check runs (a pending job, denied by bcrypt). The times are printed, not asserted: they only
	 * illustrate (under qemu-user a cost-4 check takes longer than natively a cost-10 one). */
	{
		struct auth_job *j1 = NULL, *j2 = NULL;
		CHECK_INT(auth_begin(wc, MALLORY_SECRET, &j1), AUTH_PENDING);
		CHECK_INT(auth_begin(wc, "Basic bm9ib2R5Onh5eg==" /* nobody:xyz */, &j2), AUTH_PENDING);
		if (j1 && j2) {
			CHECK(strncmp(auth_job_hash(j1), "$2b$10$", 7) == 0);
			CHECK_STR(auth_job_hash(j1), auth_job_hash(j2));
		}
		CHECK_INT(auth_finish(j1), AUTH_DENIED);
		CHECK_INT(auth_finish(j2), AUTH_DENIED);
	}
	check_auth(wc, CAROL_WRONG, &known10);
	CHECK_INT(check_auth(wc, MALLORY_SECRET, &unknown), AUTH_DENIED);
	check_auth(wc, ALICE_SECRET, &cached);
	printf("bcrypt: known user, wrong password, cost 4 %.1f ms, cost 10 %.1f ms; unknown user %.1f ms; cached good "
	       "%.3f ms, cached wrong %.3f ms\n",
	       known4 * 1e3, known10 * 1e3, unknown * 1e3, cached * 1e3, wrong_cached * 1e3);

	/* Another configuration: the cache is keyed by the hash too, and a user who is gone is refused. */
	CHECK_INT(check_auth(bob, BOB_SECRET, NULL), AUTH_OK);
	CHECK_INT(check_auth(bob, ALICE_SECRET, NULL), AUTH_DENIED); /* gone, even though cached */

	/* Fair across addresses: while dave's cost-12 check runs, a flood from 198.51.100.7 is queued, then
	 * one check from 192.0.2.1: it runs right after the first of the flood, not after all of it. */
	{
		static struct tagged t[6];
		struct auth_job *jobs[6];
		const char *wrong[] = { "Basic YWxpY2U6eDE=", "Basic YWxpY2U6eDI=", "Basic YWxpY2U6eDM=",
					"Basic YWxpY2U6eDQ=" }; /* alice:x1..x4 */
		order[0] = '\0';
		submit(wc, DAVE_SECRET, "192.0.2.9", 0, &t[0], "dave", &jobs[0]);
		for (int i = 0; i < 4; i++) {
			char tag[8];
			snprintf(tag, sizeof(tag), "a%d", i + 1);
			submit(wc, wrong[i], "198.51.100.7", 0, &t[1 + i], tag, &jobs[1 + i]);
		}
		submit(wc, "Basic Ym9iOnMx", "192.0.2.1", 0, &t[5], "b", &jobs[5]); /* bob:s1 */
		for (int i = 0; i < 6; i++) {
			wait_for(&t[i].w);
			CHECK_INT(auth_finish(jobs[i]), i == 0 ? AUTH_OK : AUTH_DENIED);
		}
		CHECK_STR(order, "dave a1 b a2 a3 a4");
	}

	/* From one address, first come first served; a check still queued at its deadline is not run. */
	{
		static struct tagged t[3];
		struct auth_job *jobs[3];
		struct webconfig *slow = config("basic_auth_users:\n  eve: " H12 "\n");
		order[0] = '\0';
		submit(slow, "Basic ZXZlOng=", "192.0.2.1", 0, &t[0], "e1", &jobs[0]);  /* eve:x, cost 12 */
		submit(slow, "Basic ZXZlOnk=", "192.0.2.1", 0.05, &t[1], "e2", &jobs[1]); /* eve:y, gives up */
		submit(slow, "Basic ZXZlOno=", "192.0.2.1", 0, &t[2], "e3", &jobs[2]);   /* eve:z */
		for (int i = 0; i < 3; i++)
			wait_for(&t[i].w);
		CHECK_STR(order, "e1 e2 e3");
		CHECK_INT(auth_finish(jobs[0]), AUTH_DENIED);
		CHECK_INT(auth_finish(jobs[1]), AUTH_BUSY);
		CHECK_INT(auth_finish(jobs[2]), AUTH_DENIED);
		/* An expired check was not run, so not cached: asked again, it is a job again. */
		CHECK_INT(auth_begin(slow, "Basic ZXZlOnk=", &job), AUTH_PENDING);
		auth_finish(job);
		CHECK_INT(auth_begin(slow, "Basic ZXZlOno=", &job), AUTH_DENIED);
		webconfig_free(slow);
	}

	/* Checks of the same credentials queued together (a scraper retrying while its first check waits)
	 * share the first one's answer: one bcrypt for all of them. */
	{
		static struct tagged t[6];
		struct auth_job *jobs[6];
		double first = 1e9, last = 0;
		uint64_t runs0 = auth_bcrypt_runs();
		submit(wc, "Basic ZGF2ZTp3Mg==", "192.0.2.9", 0, &t[0], "dave", &jobs[0]); /* dave:w2, cost 12 */
		for (int i = 1; i < 6; i++)
			submit(wc, "Basic Y2Fyb2w6c2FtZQ==", "192.0.2.1", 0, &t[i], "c", &jobs[i]); /* carol:same */
		for (int i = 0; i < 6; i++) {
			wait_for(&t[i].w);
			CHECK_INT(auth_finish(jobs[i]), AUTH_DENIED);
			if (i && t[i].at < first)
				first = t[i].at;
			if (i && t[i].at > last)
				last = t[i].at;
		}
		printf("5 checks of the same credentials: ended within %.1f ms of each other\n", (last - first) * 1e3);
		CHECK_INT(auth_bcrypt_runs() - runs0, 2); /* dave's, and the first of carol's */
	}

	/* At most AUTH_MAX_QUEUED checks wait. From the busiest address a newcomer is refused, from an address
	 * with fewer it pushes the busiest address's newest check out; either way that check ends AUTH_BUSY
	 * (503) one second later, so a client retrying at once gets one answer a second. */
	{
		enum { N = AUTH_MAX_QUEUED + 10 };
		static struct tagged t[N + 2];
		struct auth_job *jobs[N + 2] = { 0 };
		double t0 = now_monotonic();
		int busy = 0, early = 0;
		order[0] = '\0';
		submit(wc, "Basic ZGF2ZTp3MQ==", "192.0.2.9", 0, &t[0], "dave", &jobs[0]); /* dave:w1, cost 12 */
		for (int i = 1; i <= N; i++) { /* carol:w1, carol:w2... all different */
			char cred[32], h[64];
			snprintf(cred, sizeof(cred), "carol:w%d", i);
			submit(wc, basic(cred, h, sizeof(h)), "198.51.100.7", 0, &t[i], "c", &jobs[i]);
		}
		submit(wc, "Basic Ym9iOnMy", "192.0.2.1", 0, &t[N + 1], "b", &jobs[N + 1]); /* bob:s2 */
		wait_for(&t[N + 1].w);
		CHECK_INT(auth_finish(jobs[N + 1]), AUTH_DENIED);
		jobs[N + 1] = NULL;
		{
			struct timespec ts = { 1, 300000000 };
			nanosleep(&ts, NULL);
		}
		for (int i = 1; i <= N; i++) {
			pthread_mutex_lock(&t[i].w.m);
			bool done = t[i].w.done;
			pthread_mutex_unlock(&t[i].w.m);
			if (!done)
				continue;
			enum auth_status a = auth_finish(jobs[i]);
			jobs[i] = NULL;
			if (a == AUTH_BUSY) {
				busy++;
				early += t[i].at - t0 < 0.95;
			}
		}
		/* 10 or 11 refused (the worker may not have taken dave's yet), and one pushed out by bob's. */
		printf("%d checks from one address at once, then one from another: %d ended busy a second later\n", N,
		       busy);
		CHECK(busy >= N - AUTH_MAX_QUEUED && busy <= N - AUTH_MAX_QUEUED + 2);
		CHECK_INT(early, 0);
		/* Stopping ends what still waits as AUTH_BUSY, without running bcrypt for each. */
		auth_stop();
		busy = 0;
		for (int i = 0; i <= N; i++) {
			if (!jobs[i])
				continue;
			wait_for(&t[i].w);
			busy += auth_finish(jobs[i]) == AUTH_BUSY;
		}
		CHECK(busy >= AUTH_MAX_QUEUED - 40);
	}

	/* Stopped: new checks are refused. */
	CHECK_INT(auth_begin(bob, ALICE_WRONG2, &job), AUTH_PENDING);
	CHECK_INT(auth_submit(job, "192.0.2.1", 0, job_done, NULL), -EBUSY);
	webconfig_free(none);
	webconfig_free(wc);
	webconfig_free(bob);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_base64();
	test_basic_auth_header();
	test_bcrypt();
	test_jobs();
	return test_summary(argv[0]);
}
