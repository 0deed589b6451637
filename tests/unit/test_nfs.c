#include "harness.h"

extern const struct collector collector_nfs;

/* From a 6.1 client: proc4 carries 69 operations, more than node_exporter names (59). */
#define NFS_FULL                                                                                   \
	"net 18628 0 18628 6\n"                                                                    \
	"rpc 4329785 3 4338291\n"                                                                  \
	"proc2 18 2 69 0 0 4410 0 0 0 0 0 0 0 0 0 0 0 99 2\n"                                      \
	"proc3 22 1 4084749 29200 94754 32580 186 47747 7981 8639 0 6356 0 6962 0 7958 0 0 241 4 4 " \
	"2 39\n"                                                                                   \
	"proc4 69 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 " \
	"30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 " \
	"60 61 62 63 64 65 66 67 68\n"

static const struct collector_case cases[] = {
	{ "net line: packets", { { "proc/net/rpc/nfs", NFS_FULL } }, .needle = "node_nfs_packets",
	  .expect = "node_nfs_packets_total{protocol=\"tcp\"} 18628\n"
		    "node_nfs_packets_total{protocol=\"udp\"} 0\n" },
	{ "net line: connections", { { "proc/net/rpc/nfs", NFS_FULL } }, .needle = "node_nfs_connections",
	  .expect = "node_nfs_connections_total 6\n" },
	{ "rpc counters", { { "proc/net/rpc/nfs", NFS_FULL } }, .needle = "_rpc",
	  .expect = "node_nfs_rpc_authentication_refreshes_total 4.338291e+06\n"
		    "node_nfs_rpc_retransmissions_total 3\n"
		    "node_nfs_rpcs_total 4.329785e+06\n" },
	{ "v3 procedures", { { "proc/net/rpc/nfs", NFS_FULL } }, .needle = "\"Read",
	  .expect = "node_nfs_requests_total{method=\"Read\",proto=\"2\"} 0\n"
		    "node_nfs_requests_total{method=\"Read\",proto=\"3\"} 47747\n"
		    "node_nfs_requests_total{method=\"Read\",proto=\"4\"} 1\n"
		    "node_nfs_requests_total{method=\"ReadDir\",proto=\"2\"} 99\n"
		    "node_nfs_requests_total{method=\"ReadDir\",proto=\"3\"} 0\n"
		    "node_nfs_requests_total{method=\"ReadDir\",proto=\"4\"} 29\n"
		    "node_nfs_requests_total{method=\"ReadDirPlus\",proto=\"3\"} 241\n"
		    "node_nfs_requests_total{method=\"ReadLink\",proto=\"2\"} 0\n"
		    "node_nfs_requests_total{method=\"ReadLink\",proto=\"3\"} 186\n"
		    "node_nfs_requests_total{method=\"ReadLink\",proto=\"4\"} 28\n" },
	{ "v4 names stop at Clone (value 59)", { { "proc/net/rpc/nfs", NFS_FULL } }, .needle = "\"Clone\"",
	  .expect = "node_nfs_requests_total{method=\"Clone\",proto=\"4\"} 58\n" },
	{ "series count: 18 + 22 + 59 procedures", { { "proc/net/rpc/nfs", NFS_FULL } },
	  .needle = "method=\"Null\"",
	  .expect = "node_nfs_requests_total{method=\"Null\",proto=\"2\"} 2\n"
		    "node_nfs_requests_total{method=\"Null\",proto=\"3\"} 1\n"
		    "node_nfs_requests_total{method=\"Null\",proto=\"4\"} 0\n" },
	{ "missing proc lines read as zeros", { { "proc/net/rpc/nfs", "net 1 2 3 4\n" } },
	  .needle = "method=\"FsStat\"",
	  .expect = "node_nfs_requests_total{method=\"FsStat\",proto=\"2\"} 0\n"
		    "node_nfs_requests_total{method=\"FsStat\",proto=\"3\"} 0\n" },
	{ "proc3 count does not match: v3 skipped, rest kept, reported",
	  { { "proc/net/rpc/nfs", "net 1 2 3 4\nproc3 22 1 2\nproc2 18 2 69 0 0 4410 0 0 0 0 0 0 0 0 0 0 0 99 7\n" } },
	  .needle = "FsStat", .expect = "node_nfs_requests_total{method=\"FsStat\",proto=\"2\"} 7\n", .expect_fail = 1 },
	{ "proc2 with fewer than 18 procedures", { { "proc/net/rpc/nfs", "proc2 2 1 1\n" } },
	  .needle = "proto=\"2\"", .expect = "", .expect_fail = 1 },
	{ "garbage in net", { { "proc/net/rpc/nfs", "net 1 x 3 4\nrpc 5 6 7\n" } }, .needle = "node_nfs_rpcs",
	  .expect = "node_nfs_rpcs_total 5\n", .expect_fail = 1 },
	{ "net with too few values", { { "proc/net/rpc/nfs", "net 1 2\n" } }, .needle = "packets", .expect = "",
	  .expect_fail = 1 },
	{ "unknown lines are ignored", { { "proc/net/rpc/nfs", "future 1 2 3\nrpc 5 6 7\n" } },
	  .needle = "node_nfs_rpcs", .expect = "node_nfs_rpcs_total 5\n" },
	{ "huge counter", { { "proc/net/rpc/nfs", "rpc 18446744073709551615 0 0\n" } }, .needle = "node_nfs_rpcs",
	  .expect = "node_nfs_rpcs_total 1.8446744073709552e+19\n" },
	{ "counter overflow", { { "proc/net/rpc/nfs", "rpc 18446744073709551616 0 0\n" } }, .needle = "node_nfs_rpcs",
	  .expect = "", .expect_fail = 1 },
	{ "empty file reads as zeros", { { "proc/net/rpc/nfs", "" } }, .needle = "node_nfs_rpcs",
	  .expect = "node_nfs_rpcs_total 0\n" },
	{ "truncated last line", { { "proc/net/rpc/nfs", "rpc 5 6 7\nproc2 18 2 69" } }, .needle = "node_nfs_rpcs",
	  .expect = "node_nfs_rpcs_total 5\n", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };
	(void)argc;
	test_collector_cases(&collector_nfs, cases, ARRAY_SIZE(cases));

	/* An older kernel's short proc4 line: values 1..3 are Null, Read, Write; all later operations are
	 * padded with zeros, so all 59 v4 series exist. */
	const struct tfile old[] = { { "proc/net/rpc/nfs", "proc4 3 7 8 9\n" } };
	test_make_root(old, 1);
	CHECK_INT(test_run_collector(&collector_nfs, &out), 0);
	CHECK(strstr(out.p, "node_nfs_requests_total{method=\"Write\",proto=\"4\"} 9\n") != NULL);
	CHECK(strstr(out.p, "node_nfs_requests_total{method=\"Clone\",proto=\"4\"} 0\n") != NULL);
	size_t n4 = 0;
	for (const char *s = out.p; (s = strstr(s, "proto=\"4\"")); s++)
		n4++;
	CHECK_INT(n4, 59);

	const struct tfile none[] = { { "proc/net", NULL } };
	test_make_root(none, 1);
	CHECK_INT(test_run_collector(&collector_nfs, &out), COLLECTOR_NO_DATA);
	test_remove_root();
	sb_free(&out);
	return test_summary(argv[0]);
}
