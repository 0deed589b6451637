/* perf: --collector.perf.cpus parsing, tracepoint set-up errors (which stop start-up, as in node_exporter),
 * live software counters (as root), a live tracepoint in a private mount namespace with tracefs, and an
 * unprivileged run that has no counters but does not fail. */
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"

extern const struct collector collector_perf;
extern const char *perf_mounts_path;

static void set(const char *name, const char *value)
{
	struct flag *sets[1] = { collector_perf.flags };
	char err[200];
	struct flag *f = flag_find(sets, 1, name);

	CHECK(f != NULL);
	if (f)
		CHECK_INT(flag_set(f, value, FLAG_SRC_CMDLINE, err, sizeof(err)), 0);
}

/* init with the given --collector.perf.cpus; returns init's result (and runs fini on success). */
static int init_with_cpus(const char *cpus, char *err, size_t size)
{
	flags_set_defaults(collector_perf.flags);
	set("collector.perf.cpus", cpus);
	/* No counters needed to test the parser. */
	set("collector.perf.disable-hardware-profilers", "true");
	set("collector.perf.disable-software-profilers", "true");
	set("collector.perf.disable-cache-profilers", "true");
	int r = collector_perf.init(err, size);
	if (r == 0)
		collector_perf.fini();
	flags_set_defaults(collector_perf.flags);
	return r;
}

static void test_cpus(void)
{
	char err[256];
	const char *good[] = { "0", "0,1", "0-1", "0-4:2", "1,0,1", "3" };
	const char *bad[] = { "x", "0,", ",0", "0,,1", "0-", "-1", "0-1-2", "0-4:0", "0-4:x", "1:2", " 1", "0-4:-1" };

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		int r = init_with_cpus(good[i], err, sizeof(err));
		if (r)
			fprintf(stderr, "cpus '%s' refused: %s\n", good[i], err);
		CHECK_INT(r, 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		int r = init_with_cpus(bad[i], err, sizeof(err));
		if (r == 0)
			fprintf(stderr, "cpus '%s' accepted\n", bad[i]);
		CHECK(r < 0);
		CHECK(err[0] != '\0');
	}
}

static void test_tracepoint_errors(void)
{
	char err[256];
	const struct tfile files[] = { { "mounts", "proc /proc proc rw 0 0\n" } };
	const char *root = test_make_root(files, 1);
	char mounts[512];

	snprintf(mounts, sizeof(mounts), "%s/mounts", root);
	perf_mounts_path = mounts;
	flags_set_defaults(collector_perf.flags);
	set("collector.perf.tracepoint", "sched");
	CHECK(collector_perf.init(err, sizeof(err)) < 0);
	CHECK(strstr(err, "invalid tracepoint config sched") != NULL);
	flags_set_defaults(collector_perf.flags);
	set("collector.perf.tracepoint", "sched:sched_switch");
	CHECK(collector_perf.init(err, sizeof(err)) < 0);
	CHECK(strstr(err, "no such mount") != NULL);
	flags_set_defaults(collector_perf.flags);
	test_remove_root();
	perf_mounts_path = "/proc/mounts";
}

/* Live software counters: as root they open on every kernel (no PMU needed). */
static void test_live_software(void)
{
	struct strbuf out = { 0 };

	if (geteuid() != 0) {
		printf("test_perf: not root, live counters skipped\n");
		return;
	}
	/* qemu-user has no perf_event_open: it fails ENOSYS. */
	if (test_qemu_lacks("perf_event_open"))
		return;
	flags_set_defaults(collector_perf.flags);
	set("collector.perf.cpus", "0");
	CHECK_INT(test_run_collector(&collector_perf, &out), 0);
	CHECK(strstr(out.p, "# TYPE node_perf_context_switches_total counter\nnode_perf_context_switches_total{cpu=\"0\"} ") != NULL);
	CHECK(strstr(out.p, "node_perf_page_faults_total{cpu=\"0\"} ") != NULL);
	CHECK(strstr(out.p, "cpu=\"1\"") == NULL);
	flags_set_defaults(collector_perf.flags);
	sb_free(&out);
}

/* Runs fn in a child process and returns true when it exits 0. */
static bool in_child(int (*fn)(void))
{
	pid_t pid;
	int st;

	fflush(stdout); /* or the child prints what the parent had buffered once more */
	pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0) {
		fflush(stdout);
		_exit(fn());
	}
	if (waitpid(pid, &st, 0) < 0)
		return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* An unprivileged user (perf_event_paranoid >= 1 refuses system-wide counters): start-up succeeds and
 * the collector succeeds with nothing, as node_exporter. */
static int unprivileged(void)
{
	struct strbuf out = { 0 };

	if (setgid(65534) < 0 || setuid(65534) < 0)
		return 2;
	int r = test_run_collector(&collector_perf, &out);
	bool ok = r == 0 && (!out.p || !strstr(out.p, "node_perf_"));
	if (!ok)
		fprintf(stderr, "unprivileged: rc %d, output:\n%s\n", r, out.p ? out.p : "");
	return ok ? 0 : 1;
}

/* A tracepoint counted for real: tracefs mounted in a private mount namespace. */
static int tracepoint(void)
{
	struct strbuf out = { 0 };
	char dir[] = "/tmp/nodex-tracefs.XXXXXX";

	if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || !mkdtemp(dir))
		return 3;
	if (mount("nodev", dir, "tracefs", 0, NULL) < 0) {
		rmdir(dir);
		return 3;
	}
	flags_set_defaults(collector_perf.flags);
	set("collector.perf.cpus", "0");
	set("collector.perf.tracepoint", "sched:sched_switch");
	set("collector.perf.disable-hardware-profilers", "true");
	set("collector.perf.disable-cache-profilers", "true");
	int r = test_run_collector(&collector_perf, &out);
	umount(dir);
	rmdir(dir);
	bool ok = r == 0 && out.p && strstr(out.p, "# HELP node_perf_sched_sched_switch Perf tracepoint sched:sched_switch\n"
						   "# TYPE node_perf_sched_sched_switch counter\n"
						   "node_perf_sched_sched_switch{cpu=\"0\"} ");
	if (!ok)
		fprintf(stderr, "tracepoint: rc %d (%s), output:\n%s\n", r, test_last_error, out.p ? out.p : "");
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	(void)argc;
	test_cpus();
	test_tracepoint_errors();
	test_live_software();
	if (geteuid() == 0) {
		CHECK(in_child(unprivileged));
		if (!test_qemu_lacks("perf_event_open"))
			CHECK(in_child(tracepoint));
	} else {
		printf("test_perf: not root, privilege and tracefs tests skipped\n");
	}
	return test_summary(argv[0]);
}
