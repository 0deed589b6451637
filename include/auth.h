/* HTTP Basic authentication against the web configuration's basic_auth_users, as exporter-toolkit does
 * it: the Authorization header is parsed as Go's Request.BasicAuth, the password is checked with bcrypt
 * (libcrypt) and compared in constant time, and good results are cached.
 *
 * bcrypt is slow on purpose, so a check that is not answered from the cache runs on a worker thread while
 * the HTTP layer keeps the connection suspended: auth_begin() says whether a check is needed,
 * auth_submit() queues it, the done callback runs on the worker, auth_finish() gives the result. This
 * module knows no HTTP and keeps no reference to the configuration: a job copies what it needs. */
#ifndef NODEX_AUTH_H
#define NODEX_AUTH_H

#include <stdbool.h>

#include "webconfig.h"

enum auth_status {
	AUTH_OFF,     /* no basic_auth_users: nothing to check */
	AUTH_OK,      /* a cached good password */
	AUTH_DENIED,  /* no usable credentials in the header: answer 401 */
	AUTH_PENDING, /* a bcrypt check is needed: *job is set; hand it to auth_submit */
};

struct auth_job;

/* Looks at the Authorization header value (NULL when absent) against wc's users. Unknown users are
 * checked against a dummy hash, so they cost bcrypt time too. */
enum auth_status auth_begin(const struct webconfig *wc, const char *authorization, struct auth_job **job);

/* Queues the check on the worker thread; done(cls) runs there when it finished. Returns 0, or -EBUSY
 * when too many checks wait or the worker is stopping (the job is freed; answer 503). */
int auth_submit(struct auth_job *job, void (*done)(void *cls), void *cls);

/* The result of a finished job (true: authenticated); frees it. NULL gives false. */
bool auth_finish(struct auth_job *job);

/* Stops the worker: queued checks complete as denied and their done callbacks run. Call before the HTTP
 * daemons stop (they must not hold suspended connections). Later submissions get -EBUSY. */
void auth_stop(void);

/* Checks a password against a bcrypt hash with libcrypt and compares in constant time. */
bool auth_bcrypt_check(const char *password, const char *hash);

/* Parses "Basic <base64 user:password>" as Go's Request.BasicAuth. Returns 0 with malloc'ed user and
 * password (free both), or -EINVAL. */
int auth_parse_basic(const char *header, char **user, char **password);

#endif
