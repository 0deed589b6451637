/* Regular expressions: Go's semantics where node_exporter's flags rely on them, and the memo of recent
 * names giving the same answers as matching, also past its capacity and from several threads at once. */
#include <pthread.h>
#include <stdio.h>

#include "harness.h"
#include "regex.h"

static struct regex *shared;
static int thread_bad;

static void *hammer(void *arg)
{
	char name[32];
	int offset = (int)(long)arg;

	for (int round = 0; round < 200; round++)
		for (int k = 0; k < 150; k++) {
			int i = (k + offset * 37) % 150; /* each thread in its own order */
			snprintf(name, sizeof(name), "/mnt/%s%d", i % 3 ? "data" : "sys", i);
			if (regex_match(shared, name) != (i % 3 == 0))
				__atomic_add_fetch(&thread_bad, 1, __ATOMIC_RELAXED);
		}
	return NULL;
}

int main(int argc, char **argv)
{
	char err[256], name[64];

	(void)argc;
	/* node_exporter's default mount point exclusion */
	struct regex *re = regex_new("^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)",
				     err, sizeof(err));
	CHECK(re != NULL);
	static const struct {
		const char *s;
		bool match;
	} cases[] = {
		{ "/", false },	     { "/proc", true },	      { "/proc/sys/fs/binfmt_misc", true },
		{ "/procx", false }, { "/sys/fs/cgroup", true }, { "/var/lib/docker/overlay2/x/merged", true },
		{ "/var/lib/docker", false }, { "/home", false }, { "", false },
	};
	/* Twice: the second round answers from the memo. */
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
			CHECK_INT(regex_match(re, cases[i].s), cases[i].match);
	/* Go's $ matches only at the very end, not before a final newline. */
	struct regex *end = regex_new("a$", err, sizeof(err));
	for (int round = 0; round < 2; round++) {
		CHECK(regex_match(end, "xa"));
		CHECK(!regex_match(end, "xa\n"));
	}
	/* Far more distinct names than the memo holds, three times over: every answer stays right. */
	unsigned bad = 0;
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 1000; i++) {
			snprintf(name, sizeof(name), i % 2 ? "/sys/devices/%d" : "/srv/%d", i);
			bad += regex_match(re, name) != (i % 2 == 1);
		}
	CHECK_INT(bad, 0);
	regex_free(end);
	regex_free(re);

	/* Four threads on one regex, their names overlapping. */
	shared = regex_new("^/mnt/sys", err, sizeof(err));
	pthread_t th[4];
	for (long i = 0; i < 4; i++)
		CHECK(pthread_create(&th[i], NULL, hammer, (void *)i) == 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	CHECK_INT(thread_bad, 0);
	regex_free(shared);
	return test_summary(argv[0]);
}
