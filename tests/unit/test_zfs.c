#include "harness.h"

extern const struct collector collector_zfs;

#define ARC_HDR "13 1 0x01 4 1088 5266997922 97951858082072\nname                            type data\n"
#define IO_HDR                                                                                     \
	"12 3 0x00 1 80 79205351707403 395818011156865\n"                                          \
	"nread    nwritten reads    writes   wtime    wlentime wupdate  rtime    rlentime rupdate  " \
	"wcnt     rcnt    \n"
#define OBJSET_HDR "23 1 0x01 7 2160 221578688875 6665999035587\nname                            type data\n"
#define STATES_ZERO(pool)                                                                          \
	"node_zfs_zpool_state{state=\"degraded\",zpool=\"" pool "\"} 0\n"                          \
	"node_zfs_zpool_state{state=\"faulted\",zpool=\"" pool "\"} 0\n"                           \
	"node_zfs_zpool_state{state=\"offline\",zpool=\"" pool "\"} 0\n"                           \
	"node_zfs_zpool_state{state=\"online\",zpool=\"" pool "\"} 0\n"                            \
	"node_zfs_zpool_state{state=\"removed\",zpool=\"" pool "\"} 0\n"                           \
	"node_zfs_zpool_state{state=\"suspended\",zpool=\"" pool "\"} 0\n"                         \
	"node_zfs_zpool_state{state=\"unavail\",zpool=\"" pool "\"} 0\n"

static const struct collector_case cases[] = {
	{ "global kstats: uint64, int64, other types skipped, dash in name",
	  { { "proc/spl/kstat/zfs/arcstats", ARC_HDR "hits                            4    8772612\n"
					     "memory_available_bytes          3    -922337203685477580\n"
					     "evict_l2_skip                   4    0\n"
					     "some_string                     7    hello\n"
					     "arc_meta-used                   4    18446744073709551615\n" },
	    { "proc/spl/kstat/zfs/zil", "7 1 0x01 2 96 8012538347 351689526932992\nname type data\n"
					"zil_commit_count 4 10\nzil_itx_count 4 0\n" } },
	  .expect = "node_zfs_arc_arc_meta_used 1.8446744073709552e+19\n"
		    "node_zfs_arc_evict_l2_skip 0\n"
		    "node_zfs_arc_hits 8.772612e+06\n"
		    "node_zfs_arc_memory_available_bytes -9.223372036854776e+17\n"
		    "node_zfs_zil_zil_commit_count 10\n"
		    "node_zfs_zil_zil_itx_count 0\n" },
	{ "help text names the kstat file",
	  { { "proc/spl/kstat/zfs/dmu_tx", ARC_HDR "dmu_tx_assigned 4 1\n" } },
	  .expect = "# HELP node_zfs_dmu_tx_dmu_tx_assigned kstat.zfs.misc.dmu_tx.dmu_tx_assigned\n"
		    "# TYPE node_zfs_dmu_tx_dmu_tx_assigned untyped\n"
		    "node_zfs_dmu_tx_dmu_tx_assigned 1\n",
	  .full = true },
	{ "pool io, objsets with a dataset name holding spaces, state",
	  { { "proc/spl/kstat/zfs/tank/io", IO_HDR "1884160  3206144  22       132      7155162  104112268 "
						   "79210489694949 24168078 104112268 79210489849220 0        0\n" },
	    { "proc/spl/kstat/zfs/tank/objset-0x36", OBJSET_HDR "dataset_name                    7    tank/my  data\n"
								"writes                          4    4\n"
								"nread                           4    28\n" },
	    { "proc/spl/kstat/zfs/tank/state", "DEGRADED\n" } },
	  .expect = "node_zfs_zpool_dataset_nread{dataset=\"tank/my  data\",zpool=\"tank\"} 28\n"
		    "node_zfs_zpool_dataset_writes{dataset=\"tank/my  data\",zpool=\"tank\"} 4\n"
		    "node_zfs_zpool_nread{zpool=\"tank\"} 1.88416e+06\n"
		    "node_zfs_zpool_nwritten{zpool=\"tank\"} 3.206144e+06\n"
		    "node_zfs_zpool_rcnt{zpool=\"tank\"} 0\n"
		    "node_zfs_zpool_reads{zpool=\"tank\"} 22\n"
		    "node_zfs_zpool_rlentime{zpool=\"tank\"} 1.04112268e+08\n"
		    "node_zfs_zpool_rtime{zpool=\"tank\"} 2.4168078e+07\n"
		    "node_zfs_zpool_rupdate{zpool=\"tank\"} 7.921048984922e+13\n"
		    "node_zfs_zpool_state{state=\"degraded\",zpool=\"tank\"} 1\n"
		    "node_zfs_zpool_state{state=\"faulted\",zpool=\"tank\"} 0\n"
		    "node_zfs_zpool_state{state=\"offline\",zpool=\"tank\"} 0\n"
		    "node_zfs_zpool_state{state=\"online\",zpool=\"tank\"} 0\n"
		    "node_zfs_zpool_state{state=\"removed\",zpool=\"tank\"} 0\n"
		    "node_zfs_zpool_state{state=\"suspended\",zpool=\"tank\"} 0\n"
		    "node_zfs_zpool_state{state=\"unavail\",zpool=\"tank\"} 0\n"
		    "node_zfs_zpool_wcnt{zpool=\"tank\"} 0\n"
		    "node_zfs_zpool_wlentime{zpool=\"tank\"} 1.04112268e+08\n"
		    "node_zfs_zpool_writes{zpool=\"tank\"} 132\n"
		    "node_zfs_zpool_wtime{zpool=\"tank\"} 7.155162e+06\n"
		    "node_zfs_zpool_wupdate{zpool=\"tank\"} 7.9210489694949e+13\n" },
	{ "pool with only a state file, empty state file",
	  { { "proc/spl/kstat/zfs/p1/state", "" } },
	  .expect = STATES_ZERO("p1") },
	{ "objset rows before dataset_name get empty labels",
	  { { "proc/spl/kstat/zfs/p/objset-1", OBJSET_HDR "writes 4 3\ndataset_name 7 p\nreads 4 5\n" } },
	  .expect = "node_zfs_zpool_dataset_reads{dataset=\"p\",zpool=\"p\"} 5\n"
		    "node_zfs_zpool_dataset_writes{dataset=\"\",zpool=\"\"} 3\n" },
	{ "objset: int64 rows are not exported (uint64 only)",
	  { { "proc/spl/kstat/zfs/p/objset-1", OBJSET_HDR "dataset_name 7 p\nweird 3 -5\nreads 4 5\n" } },
	  .expect = "node_zfs_zpool_dataset_reads{dataset=\"p\",zpool=\"p\"} 5\n" },
	{ "zfs not loaded", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty kstat directory", { { "proc/spl/kstat/zfs", NULL } }, .expect = "" },
	{ "malformed uint64 is skipped and reported",
	  { { "proc/spl/kstat/zfs/arcstats", ARC_HDR "hits 4 12x\nmisses 4 7\nc 4 -1\n" } },
	  .expect = "node_zfs_arc_misses 7\n",
	  .expect_fail = 1 },
	{ "value out of range is reported",
	  { { "proc/spl/kstat/zfs/arcstats", ARC_HDR "hits 4 18446744073709551616\nmisses 4 7\n" } },
	  .expect = "node_zfs_arc_misses 7\n",
	  .expect_fail = 1 },
	{ "kstat file without header",
	  { { "proc/spl/kstat/zfs/arcstats", "hits 4 1\n" }, { "proc/spl/kstat/zfs/zil", ARC_HDR "x 4 1\n" } },
	  .expect = "node_zfs_zil_x 1\n",
	  .expect_fail = 1 },
	{ "empty kstat file", { { "proc/spl/kstat/zfs/arcstats", "" } }, .expect = "", .expect_fail = 1 },
	{ "truncated lines are skipped",
	  { { "proc/spl/kstat/zfs/arcstats", ARC_HDR "hits 4\nmisses\n\nc 4 9" } },
	  .expect = "node_zfs_arc_c 9\n" },
	{ "truncated io value row",
	  { { "proc/spl/kstat/zfs/p/io", IO_HDR "1 2 3\n" } },
	  .expect = "",
	  .expect_fail = 1 },
	{ "io without a header row is ignored",
	  { { "proc/spl/kstat/zfs/p/io", "12 3 0x00 1 80 1 2\n1 2 3 4 5 6 7 8 9 10 11 12\n" } },
	  .expect = "" },
	{ "invalid metric name characters are skipped",
	  { { "proc/spl/kstat/zfs/arcstats", ARC_HDR "bad/name 4 1\nok 4 2\n" } },
	  .expect = "node_zfs_arc_ok 2\n" },
};

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };

	(void)argc;
	test_collector_cases(&collector_zfs, cases, ARRAY_SIZE(cases));

	/* A missing kstat directory is "no data", not a failure. */
	const struct tfile none[] = { { "proc", NULL } };
	test_make_root(none, 1);
	CHECK_INT(test_run_collector(&collector_zfs, &out), COLLECTOR_NO_DATA);
	test_remove_root();
	sb_free(&out);
	return test_summary(argv[0]);
}
