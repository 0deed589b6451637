/* Basic auth (src/auth.c) and the one base64 decoder (src/base64.c): the Authorization header as Go's
 * Request.BasicAuth reads it, bcrypt checks, and whole checks through the worker: the cache of good
 * passwords, unknown users, the bounded queue and stopping. */
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

static void job_done(void *cls)
{
	struct waiter *w = cls;

	pthread_mutex_lock(&w->m);
	w->done = true;
	pthread_cond_signal(&w->c);
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

/* Runs one request's check to its end: OFF, OK or DENIED (a finished job gives OK or DENIED). */
static enum auth_status check_auth(const struct webconfig *wc, const char *header, double *seconds)
{
	struct auth_job *job = NULL;
	struct waiter w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false };
	double t0 = now_monotonic();
	enum auth_status a = auth_begin(wc, header, &job);

	if (a == AUTH_PENDING) {
		CHECK_INT(auth_submit(job, job_done, &w), 0);
		pthread_mutex_lock(&w.m);
		while (!w.done)
			pthread_cond_wait(&w.c, &w.m);
		pthread_mutex_unlock(&w.m);
		a = auth_finish(job) ? AUTH_OK : AUTH_DENIED;
	}
	if (seconds)
		*seconds = now_monotonic() - t0;
	return a;
}

#define ALICE_SECRET "Basic YWxpY2U6c2VjcmV0" /* alice:secret */
#define ALICE_WRONG "Basic YWxpY2U6d3Jvbmc="  /* alice:wrong */
#define BOB_SECRET "Basic Ym9iOnNlY3JldA=="   /* bob:secret */
#define CAROL_WRONG "Basic Y2Fyb2w6d3Jvbmc=" /* carol:wrong */
#define MALLORY_SECRET "Basic bWFsbG9yeTpzZWNyZXQ=" /* mallory:secret */

static void test_jobs(void)
{
	struct webconfig *none = config("rate_limit: {interval: 1h, burst: 2}\n");
	struct webconfig *wc = config("basic_auth_users:\n  alice: " H4 "\n  carol: " H10 "\n");
	struct webconfig *bob = config("basic_auth_users:\n  bob: " H4 "\n");
	struct auth_job *job = NULL;
	double known, unknown, cached;

	if (!none || !wc || !bob)
		return;
	CHECK_INT(check_auth(none, NULL, NULL), AUTH_OFF); /* no users: no auth */
	CHECK_INT(auth_begin(wc, NULL, &job), AUTH_DENIED);
	CHECK_INT(auth_begin(wc, "Bearer x", &job), AUTH_DENIED);
	CHECK_INT(auth_begin(wc, "Basic !!!", &job), AUTH_DENIED);

	CHECK_INT(check_auth(wc, ALICE_WRONG, NULL), AUTH_DENIED);
	CHECK_INT(check_auth(wc, BOB_SECRET, NULL), AUTH_DENIED);
	CHECK_INT(check_auth(wc, ALICE_SECRET, NULL), AUTH_OK);
	/* Cached now: answered without a job. */
	CHECK_INT(auth_begin(wc, ALICE_SECRET, &job), AUTH_OK);
	/* A wrong password is never cached: it always costs a bcrypt. */
	CHECK_INT(auth_begin(wc, ALICE_WRONG, &job), AUTH_PENDING);
	CHECK(!auth_finish(job));

	/* An unknown user costs as much as a known one with a wrong password: both pay bcrypt at the highest
	 * configured cost here (carol's 10 vs alice's 4 would differ, so compare against carol). */
	check_auth(wc, CAROL_WRONG, &known);
	check_auth(wc, MALLORY_SECRET, &unknown);
	check_auth(wc, ALICE_SECRET, &cached);
	CHECK(known > 0.01 && unknown > 0.01);
	CHECK(unknown > known * 0.5 && unknown < known * 2);
	CHECK(cached < 0.01);
	printf("bcrypt cost 10: known user, wrong password %.1f ms; unknown user %.1f ms; cached %.3f ms\n", known * 1e3,
	       unknown * 1e3, cached * 1e3);

	/* Another configuration: the cache is keyed by the hash too, and a user who is gone is refused. */
	CHECK_INT(check_auth(bob, BOB_SECRET, NULL), AUTH_OK);
	CHECK_INT(check_auth(bob, ALICE_SECRET, NULL), AUTH_DENIED); /* gone, even though cached */

	/* At most 64 checks wait: beyond that a request is refused at once (503) rather than queued. */
	{
		static struct waiter ws[80];
		struct auth_job *jobs[80] = { 0 };
		int busy = 0, queued = 0;
		for (int i = 0; i < 80; i++) {
			ws[i] = (struct waiter){ PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false };
			CHECK_INT(auth_begin(wc, CAROL_WRONG, &job), AUTH_PENDING);
			if (auth_submit(job, job_done, &ws[i]) == 0) {
				jobs[i] = job;
				queued++;
			} else {
				busy++;
				ws[i].done = true;
			}
		}
		CHECK(busy >= 80 - 64 - 1 && busy <= 80 - 64);
		printf("80 checks at once: %d queued, %d refused\n", queued, busy);
		/* Stopping answers what still waits (as denied) without running bcrypt for each. */
		auth_stop();
		for (int i = 0; i < 80; i++) {
			pthread_mutex_lock(&ws[i].m);
			CHECK(ws[i].done);
			pthread_mutex_unlock(&ws[i].m);
			if (jobs[i])
				CHECK(!auth_finish(jobs[i]));
		}
	}

	/* Stopped: new checks are refused. */
	CHECK_INT(auth_begin(bob, ALICE_WRONG, &job), AUTH_PENDING);
	CHECK_INT(auth_submit(job, job_done, NULL), -EBUSY);
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
