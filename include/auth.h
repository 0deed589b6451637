/* HTTP Basic authentication against the web configuration's basic_auth_users, as exporter-toolkit does
 * it: the Authorization header is parsed as Go's Request.BasicAuth, the password is checked with bcrypt
 * (libcrypt) and compared in constant time, and good results are cached.
 *
 * bcrypt is slow on purpose, so a check that is not answered from the cache runs on a worker thread while
 * the HTTP layer keeps the request waiting: auth_begin() says whether a check is needed,
 * auth_submit() queues it, the done callback runs on the worker, auth_finish() gives the result. This
 * module knows no HTTP and keeps no reference to the configuration: a job copies what it needs. */
#ifndef NODEX_AUTH_H
#define NODEX_AUTH_H

#include <stdbool.h>

#include "webconfig.h"

enum auth_status {
	AUTH_OFF,     /* no basic_auth_users: nothing to check */
	AUTH_OK,      /* authenticated */
	AUTH_DENIED,  /* no usable credentials, or wrong ones: answer 401 */
	AUTH_PENDING, /* a bcrypt check is needed: *job is set; hand it to auth_submit */
	AUTH_BUSY,    /* the check was not run (queue full, pushed out, its deadline passed, stopping): 503 */
};

/* Checks waiting at most; beyond, a request is refused or pushes out another address's (see src/auth.c). */
#define AUTH_MAX_QUEUED 64
/* How long a check may wait for a worker when the request gives no deadline, in seconds. */
#define AUTH_DEFAULT_WAIT 10.0
/* The longest client address auth_submit keeps (an IPv6 address in text). */
#define AUTH_SOURCE_MAX 48

struct auth_job;

/* Looks at the Authorization header value (NULL when absent) against wc's users: AUTH_OFF, AUTH_OK
 * (a cached good password), AUTH_DENIED (no usable credentials, or a wrong password bcrypt refused before)
 * or AUTH_PENDING. Unknown users are checked against a dummy hash of cost 10, as in exporter-toolkit. */
enum auth_status auth_begin(const struct webconfig *wc, const char *authorization, struct auth_job **job);

/* Queues the check for a worker, fairly among client addresses (source: the client's IP address; one
 * queue per address, served in turn). timeout: seconds the client will wait (<= 0: AUTH_DEFAULT_WAIT); a
 * check still queued then ends AUTH_BUSY without bcrypt. done(cls) runs once the job has its result, on a
 * worker, or on the calling thread of a later auth_submit that pushed it out of a full queue. Returns 0, or
 * -EBUSY when the queue is full or the workers are stopping (the job is freed; answer 503). */
int auth_submit(struct auth_job *job, const char *source, double timeout, void (*done)(void *cls), void *cls);

/* The result of a finished job: AUTH_OK, AUTH_DENIED or AUTH_BUSY; frees it. NULL gives AUTH_DENIED. */
enum auth_status auth_finish(struct auth_job *job);

/* Stops the workers: queued checks end AUTH_BUSY and their done callbacks run. Call before the HTTP
 * server stops (its requests waiting for a check are then answered). Later submissions get -EBUSY. */
void auth_stop(void);

/* How many worker threads run bcrypt (0 before the first check). */
size_t auth_workers(void);

/* Sets how many checks may run at once (1..4; 0: one per two CPUs, the default). Takes effect when the
 * workers start, at the first check. Tests use it to make the order of checks deterministic. */
void auth_set_workers(size_t n);

/* How many bcrypt checks the workers have run since start (tests). */
uint64_t auth_bcrypt_runs(void);
/* The bcrypt hash a pending job checks the password against: the user's own, or for an unknown user the
 * fixed-cost dummy (tests). */
const char *auth_job_hash(const struct auth_job *job);

/* Checks a password against a bcrypt hash with libcrypt and compares in constant time. */
bool auth_bcrypt_check(const char *password, const char *hash);

/* Parses "Basic <base64 user:password>" as Go's Request.BasicAuth. Returns 0 with malloc'ed user and
 * password (free both), or -EINVAL. */
int auth_parse_basic(const char *header, char **user, char **password);

#endif
