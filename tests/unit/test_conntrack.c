#include "harness.h"

extern const struct collector collector_conntrack;

#define HEADER17                                                                                         \
	"entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop " \
	"icmp_error  expect_new expect_create expect_delete search_restart\n"
#define STAT17                                                                                                       \
	HEADER17                                                                                                     \
	"00000021  00000000 00000001 00000000 00000003 0000588a 00000000 00000000 00000002 00000001 00000004 00000005 " \
	"00000000  00000000 00000000 00000000 00000000\n"                                                           \
	"00000021  00000000 00000002 00000000 0000002f 000056a4 00000000 00000000 00000002 00000001 00000004 00000005 " \
	"00000000  00000000 00000000 00000000 00000007\n"

#define COUNT_MAX { "proc/sys/net/netfilter/nf_conntrack_count", "123\n" }, \
		  { "proc/sys/net/netfilter/nf_conntrack_max", "262144\n" }

static const struct collector_case cases[] = {
	{ "17 columns, summed over CPUs",
	  { COUNT_MAX, { "proc/net/stat/nf_conntrack", STAT17 } },
	  .expect = "node_nf_conntrack_entries 123\nnode_nf_conntrack_entries_limit 262144\n"
		    "node_nf_conntrack_stat_drop 8\nnode_nf_conntrack_stat_early_drop 10\n"
		    "node_nf_conntrack_stat_found 3\nnode_nf_conntrack_stat_ignore 44846\n"
		    "node_nf_conntrack_stat_insert 4\nnode_nf_conntrack_stat_insert_failed 2\n"
		    "node_nf_conntrack_stat_invalid 50\nnode_nf_conntrack_stat_search_restart 7\n" },
	{ "16 columns (Linux < 2.6.35): no search_restart, reported as 0 as procfs",
	  { COUNT_MAX,
	    { "proc/net/stat/nf_conntrack", "entries searched found new invalid ignore delete delete_list insert "
					     "insert_failed drop early_drop icmp_error expect_new expect_create expect_delete\n"
					     "1 2 3 4 5 6 7 8 9 a b c d e f 10\n" } },
	  .expect = "node_nf_conntrack_entries 123\nnode_nf_conntrack_entries_limit 262144\n"
		    "node_nf_conntrack_stat_drop 11\nnode_nf_conntrack_stat_early_drop 12\n"
		    "node_nf_conntrack_stat_found 3\nnode_nf_conntrack_stat_ignore 6\n"
		    "node_nf_conntrack_stat_insert 9\nnode_nf_conntrack_stat_insert_failed 10\n"
		    "node_nf_conntrack_stat_invalid 5\nnode_nf_conntrack_stat_search_restart 0\n" },
	{ "HELP and TYPE of one family",
	  { COUNT_MAX, { "proc/net/stat/nf_conntrack", HEADER17 } },
	  .expect = "# HELP node_nf_conntrack_entries Number of currently allocated flow entries for connection tracking.\n"
		    "# TYPE node_nf_conntrack_entries gauge\nnode_nf_conntrack_entries 123\n"
		    "# HELP node_nf_conntrack_entries_limit Maximum size of connection tracking table.\n"
		    "# TYPE node_nf_conntrack_entries_limit gauge\nnode_nf_conntrack_entries_limit 262144\n"
		    "# HELP node_nf_conntrack_stat_drop Number of packets dropped due to conntrack failure.\n"
		    "# TYPE node_nf_conntrack_stat_drop gauge\nnode_nf_conntrack_stat_drop 0\n"
		    "# HELP node_nf_conntrack_stat_early_drop Number of dropped conntrack entries to make room for new "
		    "ones, if maximum table size was reached.\n"
		    "# TYPE node_nf_conntrack_stat_early_drop gauge\nnode_nf_conntrack_stat_early_drop 0\n"
		    "# HELP node_nf_conntrack_stat_found Number of searched entries which were successful.\n"
		    "# TYPE node_nf_conntrack_stat_found gauge\nnode_nf_conntrack_stat_found 0\n"
		    "# HELP node_nf_conntrack_stat_ignore Number of packets seen which are already connected to a "
		    "conntrack entry.\n"
		    "# TYPE node_nf_conntrack_stat_ignore gauge\nnode_nf_conntrack_stat_ignore 0\n"
		    "# HELP node_nf_conntrack_stat_insert Number of entries inserted into the list.\n"
		    "# TYPE node_nf_conntrack_stat_insert gauge\nnode_nf_conntrack_stat_insert 0\n"
		    "# HELP node_nf_conntrack_stat_insert_failed Number of entries for which list insertion was "
		    "attempted but failed.\n"
		    "# TYPE node_nf_conntrack_stat_insert_failed gauge\nnode_nf_conntrack_stat_insert_failed 0\n"
		    "# HELP node_nf_conntrack_stat_invalid Number of packets seen which can not be tracked.\n"
		    "# TYPE node_nf_conntrack_stat_invalid gauge\nnode_nf_conntrack_stat_invalid 0\n"
		    "# HELP node_nf_conntrack_stat_search_restart Number of conntrack table lookups which had to be "
		    "restarted due to hashtable resizes.\n"
		    "# TYPE node_nf_conntrack_stat_search_restart gauge\nnode_nf_conntrack_stat_search_restart 0\n",
	  .full = true },
	{ "module not loaded: no data", { { "proc/sys", NULL } }, .expect = "", .expect_fail = 1 },
	{ "no stat file: no data, count and max kept",
	  { COUNT_MAX },
	  .expect = "node_nf_conntrack_entries 123\nnode_nf_conntrack_entries_limit 262144\n",
	  .expect_fail = 1 },
	{ "no max file", { { "proc/sys/net/netfilter/nf_conntrack_count", "5\n" } },
	  .expect = "node_nf_conntrack_entries 5\n",
	  .expect_fail = 1 },
	{ "bad count", { { "proc/sys/net/netfilter/nf_conntrack_count", "-1\n" } }, .expect = "", .expect_fail = 1 },
	{ "short row fails the stat part",
	  { COUNT_MAX, { "proc/net/stat/nf_conntrack", HEADER17 "1 2 3\n" } },
	  .expect = "node_nf_conntrack_entries 123\nnode_nf_conntrack_entries_limit 262144\n",
	  .expect_fail = 1 },
	{ "non-hex row fails the stat part",
	  { COUNT_MAX, { "proc/net/stat/nf_conntrack", HEADER17 "1 2 3 4 5 6 7 8 9 a b c d e f 10 zz\n" } },
	  .expect = "node_nf_conntrack_entries 123\nnode_nf_conntrack_entries_limit 262144\n",
	  .expect_fail = 1 },
	{ "too many columns fail",
	  { COUNT_MAX, { "proc/net/stat/nf_conntrack", HEADER17 "1 2 3 4 5 6 7 8 9 a b c d e f 10 11 12\n" } },
	  .expect = "node_nf_conntrack_entries 123\nnode_nf_conntrack_entries_limit 262144\n",
	  .expect_fail = 1 },
	{ "huge values",
	  { { "proc/sys/net/netfilter/nf_conntrack_count", "18446744073709551615\n" },
	    { "proc/sys/net/netfilter/nf_conntrack_max", "0\n" },
	    { "proc/net/stat/nf_conntrack", HEADER17 "0 0 ffffffffffffffff 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n" } },
	  .expect = "node_nf_conntrack_entries 1.8446744073709552e+19\nnode_nf_conntrack_entries_limit 0\n"
		    "node_nf_conntrack_stat_drop 0\nnode_nf_conntrack_stat_early_drop 0\n"
		    "node_nf_conntrack_stat_found 1.8446744073709552e+19\nnode_nf_conntrack_stat_ignore 0\n"
		    "node_nf_conntrack_stat_insert 0\nnode_nf_conntrack_stat_insert_failed 0\n"
		    "node_nf_conntrack_stat_invalid 0\nnode_nf_conntrack_stat_search_restart 0\n" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_conntrack, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
