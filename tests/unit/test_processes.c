#include "harness.h"

extern const struct collector collector_processes;

/* Real /proc/<pid>/stat lines; num_threads is the 20th field. */
#define STAT1 "1 (systemd) S 0 1 1 0 -1 4194560 46328 5376532 118 1925 389 254 11133 4045 20 0 1 0 27 171491328 3152 18446744073709551615 1 1 0 0 0 0 671173123 4096 1260 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
#define STAT2 "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 3 0 0 20 0 1 0 27 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
#define STAT15 "15 (rcu_preempt) I 2 0 0 0 -1 2129984 0 0 0 0 0 1022 0 0 20 0 1 0 28 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 3 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
#define STAT812 "812 (containerd) S 1 812 812 0 -1 4194560 18271 0 95 0 2131 1337 0 0 20 0 3 0 1201 2084610048 11740 18446744073709551615 1 1 0 0 0 0 1002055680 0 2143420159 0 0 0 17 2 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
#define STAT813 "813 (containerd) R 1 812 812 0 -1 1077936192 2 0 0 0 40 11 0 0 20 0 3 0 1202 2084610048 11740 18446744073709551615 1 1 0 0 0 0 1002055680 0 2143420159 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
#define STAT814 "814 (containerd) D 1 812 812 0 -1 1077936192 1 0 0 0 12 3 0 0 20 0 3 0 1202 2084610048 11740 18446744073709551615 1 1 0 0 0 0 1002055680 0 2143420159 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
/* comm may hold spaces and parentheses: the fields start after the last ')' */
#define STAT900 "900 (a) b) (c)) Z 1 900 900 0 -1 4227084 0 0 0 0 0 0 0 0 20 0 1 0 5000 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"

#define LIMITS { "proc/sys/kernel/threads-max", "63376\n" }, { "proc/sys/kernel/pid_max", "4194304\n" }

#define TREE                                                                                      \
	{ "proc/1/stat", STAT1 }, { "proc/1/task/1/stat", STAT1 }, { "proc/2/stat", STAT2 },      \
	{ "proc/2/task/2/stat", STAT2 }, { "proc/15/stat", STAT15 }, { "proc/15/task/15/stat", STAT15 }, \
	{ "proc/812/stat", STAT812 }, { "proc/812/task/812/stat", STAT812 },                      \
	{ "proc/812/task/813/stat", STAT813 }, { "proc/812/task/814/stat", STAT814 },             \
	{ "proc/900/stat", STAT900 }, { "proc/900/task/900", NULL }, { "proc/self", "->812" },    \
	{ "proc/net/dev", "" }, LIMITS

#define LIMIT_SAMPLES "node_processes_max_processes 4.194304e+06\nnode_processes_max_threads 63376\n"

static const struct collector_case cases[] = {
	{ "walk", { TREE },
	  .expect = LIMIT_SAMPLES "node_processes_pids 5\n"
				  "node_processes_state{state=\"I\"} 1\n"
				  "node_processes_state{state=\"S\"} 3\n"
				  "node_processes_state{state=\"Z\"} 1\n"
				  "node_processes_threads 7\n"
				  "node_processes_threads_state{thread_state=\"D\"} 1\n"
				  "node_processes_threads_state{thread_state=\"I\"} 1\n"
				  "node_processes_threads_state{thread_state=\"R\"} 1\n"
				  "node_processes_threads_state{thread_state=\"S\"} 3\n"
				  "node_processes_threads_state{thread_state=\"Z\"} 1\n" },
	/* Without task directories (node_exporter's own fixture tree) there are no thread states. */
	{ "no task directories",
	  { { "proc/1/stat", STAT1 }, { "proc/15/stat", STAT15 }, { "proc/812/stat", STAT812 }, LIMITS },
	  .expect = LIMIT_SAMPLES "node_processes_pids 3\n"
				  "node_processes_state{state=\"I\"} 1\n"
				  "node_processes_state{state=\"S\"} 2\n"
				  "node_processes_threads 5\n" },
	/* Tasks that exit during the walk are skipped without an error: a pid directory whose stat is gone,
	 * a thread whose stat is gone, a pid whose task directory is gone. */
	{ "vanishing tasks",
	  { { "proc/1/stat", STAT1 }, { "proc/1/task/1/stat", STAT1 }, { "proc/4242", NULL },
	    { "proc/812/stat", STAT812 }, { "proc/812/task/812/stat", STAT812 }, { "proc/812/task/814", NULL },
	    { "proc/15/stat", STAT15 }, LIMITS },
	  .expect = LIMIT_SAMPLES "node_processes_pids 3\n"
				  "node_processes_state{state=\"I\"} 1\n"
				  "node_processes_state{state=\"S\"} 2\n"
				  "node_processes_threads 5\n"
				  "node_processes_threads_state{thread_state=\"S\"} 2\n" },
	/* Malformed and truncated stat files are skipped, counted nowhere and reported. */
	{ "malformed stat",
	  { { "proc/1/stat", STAT1 }, { "proc/1/task/1/stat", STAT1 }, { "proc/70/stat", "70 (broken S 1 2 3\n" },
	    { "proc/71/stat", "71 (short) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0" },
	    { "proc/72/stat", "72 (twoletters) SS 0 1 1 0 -1 4194560 1 1 1 1 1 1 1 1 20 0 1 0 27 0 0\n" },
	    { "proc/73/stat", "73 (badthreads) S 0 1 1 0 -1 4194560 1 1 1 1 1 1 1 1 20 0 x 0 27 0 0\n" },
	    { "proc/74/stat", "" }, LIMITS },
	  .expect = LIMIT_SAMPLES "node_processes_pids 1\n"
				  "node_processes_state{state=\"S\"} 1\n"
				  "node_processes_threads 1\n"
				  "node_processes_threads_state{thread_state=\"S\"} 1\n",
	  .expect_fail = 1 },
	{ "malformed thread stat",
	  { { "proc/812/stat", STAT812 }, { "proc/812/task/812/stat", STAT812 }, { "proc/812/task/813/stat", "junk" },
	    { "proc/812/task/814/stat", STAT814 }, LIMITS },
	  .expect = LIMIT_SAMPLES "node_processes_pids 1\n"
				  "node_processes_state{state=\"S\"} 1\n"
				  "node_processes_threads 3\n"
				  "node_processes_threads_state{thread_state=\"D\"} 1\n"
				  "node_processes_threads_state{thread_state=\"S\"} 1\n",
	  .expect_fail = 1 },
	{ "missing limits", { { "proc/1/stat", STAT1 } },
	  .expect = "node_processes_pids 1\nnode_processes_state{state=\"S\"} 1\nnode_processes_threads 1\n",
	  .expect_fail = 1 },
	{ "bad limit",
	  { { "proc/1/stat", STAT1 }, { "proc/sys/kernel/threads-max", "lots\n" }, { "proc/sys/kernel/pid_max", "32768\n" } },
	  .expect = "node_processes_max_processes 32768\nnode_processes_pids 1\n"
		    "node_processes_state{state=\"S\"} 1\nnode_processes_threads 1\n",
	  .expect_fail = 1 },
	{ "no processes", { LIMITS },
	  .expect = LIMIT_SAMPLES "node_processes_pids 0\nnode_processes_threads 0\n" },
	{ "huge thread count",
	  { { "proc/3/stat", "3 (x) R 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 9007199254740993 0 27 0 0\n" }, LIMITS },
	  .expect = LIMIT_SAMPLES "node_processes_pids 1\nnode_processes_state{state=\"R\"} 1\n"
				  "node_processes_threads 9.007199254740992e+15\n" },
};

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };

	(void)argc;
	test_collector_cases(&collector_processes, cases, ARRAY_SIZE(cases));

	/* No procfs at all: a failure with nothing emitted. */
	CHECK(test_make_root(NULL, 0) != NULL);
	nodex_paths.procfs = "/nonexistent/proc";
	CHECK_INT(test_run_collector(&collector_processes, &out), -ENOENT);
	CHECK(!out.p || !out.p[0]);
	test_remove_root();

	/* The live /proc: the shortcut for single-threaded processes on a real procfs, getdents in batches. */
	nodex_paths.procfs = "/proc";
	CHECK_INT(test_run_collector(&collector_processes, &out), 0);
	CHECK(strstr(out.p, "\nnode_processes_pids ") != NULL);
	CHECK(strstr(out.p, "node_processes_threads_state{thread_state=") != NULL);
	CHECK(strstr(out.p, "node_processes_state{state=") != NULL);
	sb_free(&out);
	return test_summary(argv[0]);
}
