#include "harness.h"

extern const struct collector collector_stat;

#define STAT                                                                                     \
	"cpu  1000 20 300 40000 50 6 7 0 8 9\ncpu0 500 10 150 20000 25 3 4 0 4 5\n"                \
	"intr 8885917 17 0 0 0 0 0 0 0 1 79281 0 0 0 0 0 0 0 231237 0 0 0 0 250586 103 0 0\n"       \
	"ctxt 38014093\nbtime 1418183276\nprocesses 26442\nprocs_running 2\nprocs_blocked 0\n" \
	"softirq 5057579 250191 1481983 1647 211099 186066 0 1783454 622196 12499 508444\n"

#define BASE                                        \
	"node_boot_time_seconds 1.418183276e+09\n" \
	"node_context_switches_total 3.8014093e+07\n" \
	"node_forks_total 26442\n"                  \
	"node_intr_total 8.885917e+06\n"            \
	"node_procs_blocked 0\n"                    \
	"node_procs_running 2\n"

static const struct collector_case cases[] = {
	{ "ok", { { "proc/stat", STAT } }, .expect = BASE },
	{ "softirq vectors",
	  { { "proc/stat", STAT } },
	  .args = { "--collector.stat.softirq" },
	  .expect = BASE "node_softirqs_total{vector=\"block\"} 186066\n"
			 "node_softirqs_total{vector=\"block_iopoll\"} 0\n"
			 "node_softirqs_total{vector=\"hi\"} 250191\n"
			 "node_softirqs_total{vector=\"hrtimer\"} 12499\n"
			 "node_softirqs_total{vector=\"net_rx\"} 211099\n"
			 "node_softirqs_total{vector=\"net_tx\"} 1647\n"
			 "node_softirqs_total{vector=\"rcu\"} 508444\n"
			 "node_softirqs_total{vector=\"sched\"} 622196\n"
			 "node_softirqs_total{vector=\"tasklet\"} 1.783454e+06\n"
			 "node_softirqs_total{vector=\"timer\"} 1.481983e+06\n" },
	{ "softirq line with fewer vectors: the ones there, reported",
	  { { "proc/stat", "intr 1\nctxt 2\nbtime 3\nprocesses 4\nprocs_running 5\nprocs_blocked 6\nsoftirq 10 1 2\n" } },
	  .args = { "--collector.stat.softirq" },
	  .expect = "node_boot_time_seconds 3\nnode_context_switches_total 2\nnode_forks_total 4\nnode_intr_total 1\n"
		    "node_procs_blocked 6\nnode_procs_running 5\n"
		    "node_softirqs_total{vector=\"hi\"} 1\nnode_softirqs_total{vector=\"timer\"} 2\n",
	  .expect_fail = 1 },
	{ "softirq wanted but missing",
	  { { "proc/stat", "intr 1\nctxt 2\nbtime 3\nprocesses 4\nprocs_running 5\nprocs_blocked 6\n" } },
	  .args = { "--collector.stat.softirq" },
	  .expect = "node_boot_time_seconds 3\nnode_context_switches_total 2\nnode_forks_total 4\nnode_intr_total 1\n"
		    "node_procs_blocked 6\nnode_procs_running 5\n",
	  .expect_fail = 1 },
	{ "no trailing newline, tabs, unknown keys, lookalike keys",
	  { { "proc/stat", "intrx 5\nintr\t7 1 2\nctxt 2\nbtimes 9\nbtime 3\nprocesses 4\nprocs_running 5\n"
			   "page 1 2\nprocs_blocked 6" } },
	  .expect = "node_boot_time_seconds 3\nnode_context_switches_total 2\nnode_forks_total 4\nnode_intr_total 7\n"
		    "node_procs_blocked 6\nnode_procs_running 5\n" },
	{ "missing lines fail, the rest is kept",
	  { { "proc/stat", "ctxt 2\nbtime 3\n" } },
	  .expect = "node_boot_time_seconds 3\nnode_context_switches_total 2\n",
	  .expect_fail = 1 },
	{ "malformed values fail, the rest is kept",
	  { { "proc/stat", "intr -1\nctxt 2x\nbtime 3\nprocesses 4\nprocs_running 5\nprocs_blocked 6\n" } },
	  .expect = "node_boot_time_seconds 3\nnode_forks_total 4\nnode_procs_blocked 6\nnode_procs_running 5\n",
	  .expect_fail = 1 },
	{ "huge values",
	  { { "proc/stat", "intr 18446744073709551615\nctxt 18446744073709551615\nbtime 0\nprocesses 1\n"
			   "procs_running 0\nprocs_blocked 0\n" } },
	  .expect = "node_boot_time_seconds 0\nnode_context_switches_total 1.8446744073709552e+19\nnode_forks_total 1\n"
		    "node_intr_total 1.8446744073709552e+19\nnode_procs_blocked 0\nnode_procs_running 0\n" },
	{ "overflow is malformed",
	  { { "proc/stat", "intr 18446744073709551616\nctxt 1\nbtime 0\nprocesses 1\nprocs_running 0\nprocs_blocked 0\n" } },
	  .expect = "node_boot_time_seconds 0\nnode_context_switches_total 1\nnode_forks_total 1\n"
		    "node_procs_blocked 0\nnode_procs_running 0\n",
	  .expect_fail = 1 },
	{ "empty file", { { "proc/stat", "" } }, .expect = "", .expect_fail = 1 },
	{ "missing file", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_stat, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
