#include "harness.h"

extern const struct collector collector_ksmd;

#define KSM(f, v) { "sys/kernel/mm/ksm/" f, v }
#define ALL                                                                                               \
	KSM("full_scans", "1337\n"), KSM("general_profit", "524288\n"), KSM("merge_across_nodes", "1\n"), \
		KSM("pages_shared", "42\n"), KSM("pages_sharing", "1234\n"), KSM("pages_to_scan", "100\n"), \
		KSM("pages_unshared", "7\n"), KSM("pages_volatile", "3\n"), KSM("run", "1\n"),             \
		KSM("sleep_millisecs", "20\n"), KSM("max_page_sharing", "256\n")

static const struct collector_case cases[] = {
	{ "all", { ALL },
	  .expect = "node_ksmd_full_scans_total 1337\n"
		    "node_ksmd_general_profit_bytes 524288\n"
		    "node_ksmd_merge_across_nodes 1\n"
		    "node_ksmd_pages_shared 42\n"
		    "node_ksmd_pages_sharing 1234\n"
		    "node_ksmd_pages_to_scan 100\n"
		    "node_ksmd_pages_unshared 7\n"
		    "node_ksmd_pages_volatile 3\n"
		    "node_ksmd_run 1\n"
		    "node_ksmd_sleep_seconds 0.02\n" },
	/* Older kernels lack general_profit (6.1) and merge_across_nodes (non-NUMA): skipped. */
	{ "old kernel",
	  { KSM("full_scans", "0\n"), KSM("pages_shared", "0\n"), KSM("pages_sharing", "0\n"), KSM("pages_to_scan", "100\n"),
	    KSM("pages_unshared", "0\n"), KSM("pages_volatile", "0\n"), KSM("run", "0\n"), KSM("sleep_millisecs", "200\n") },
	  .expect = "node_ksmd_full_scans_total 0\nnode_ksmd_pages_shared 0\nnode_ksmd_pages_sharing 0\n"
		    "node_ksmd_pages_to_scan 100\nnode_ksmd_pages_unshared 0\nnode_ksmd_pages_volatile 0\n"
		    "node_ksmd_run 0\nnode_ksmd_sleep_seconds 0.2\n" },
	{ "no ksm", { { "sys/kernel/mm", NULL } }, .expect = "" },
	/* general_profit is signed in the kernel. */
	{ "negative profit", { KSM("general_profit", "-81920\n") }, .expect = "node_ksmd_general_profit_bytes -81920\n" },
	{ "bad values", { KSM("run", "yes\n"), KSM("pages_shared", "-1\n"), KSM("pages_to_scan", ""), KSM("full_scans", "5\n") },
	  .expect = "node_ksmd_full_scans_total 5\n", .expect_fail = 1 },
	{ "huge", { KSM("full_scans", "18446744073709551615\n") }, .expect = "node_ksmd_full_scans_total 1.8446744073709552e+19\n" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_ksmd, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
