#include "harness.h"

extern const struct collector collector_nfsd;

/* A 6.x server: proc4ops has 76 operations, wdeleg_getattr follows it. */
#define NFSD_FULL                                                                                  \
	"rc 12 25020854 19157796\n"                                                                \
	"fh 276 0 0 0 0\n"                                                                         \
	"io 899844043 2470085989\n"                                                                \
	"th 16 0 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000\n"                    \
	"ra 0 0 0 0 0 0 0 0 0 0 0 0\n"                                                             \
	"net 44179842 1 44179026 3092\n"                                                           \
	"rpc 44177753 7 1 2 3\n"                                                                   \
	"proc3 22 747 7259760 1383711 1570520 3464939 8436 4688207 21668847 1173194 6457 2127 172 " \
	"213538 1253 556401 14950 1101 56245 90790 742 367 1989658\n"                              \
	"proc4 2 5 1000\n"                                                                         \
	"proc4ops 76 0 0 0 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 " \
	"35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 " \
	"65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83\n"                               \
	"wdeleg_getattr 9\n"

static const struct collector_case cases[] = {
	{ "reply and read-ahead cache", { { "proc/net/rpc/nfsd", NFSD_FULL } }, .needle = "cache_",
	  .expect = "node_nfsd_read_ahead_cache_not_found_total 0\n"
		    "node_nfsd_read_ahead_cache_size_blocks 0\n"
		    "node_nfsd_reply_cache_hits_total 12\n"
		    "node_nfsd_reply_cache_misses_total 2.5020854e+07\n"
		    "node_nfsd_reply_cache_nocache_total 1.9157796e+07\n" },
	{ "rpc errors", { { "proc/net/rpc/nfsd", NFSD_FULL } }, .needle = "rpc_errors",
	  .expect = "node_nfsd_rpc_errors_total{error=\"auth\"} 2\n"
		    "node_nfsd_rpc_errors_total{error=\"cInt\"} 3\n"
		    "node_nfsd_rpc_errors_total{error=\"fmt\"} 1\n" },
	{ "v3 and v4 operations", { { "proc/net/rpc/nfsd", NFSD_FULL } }, .needle = "method=\"Re",
	  .expect = "node_nfsd_requests_total{method=\"Read\",proto=\"2\"} 0\n"
		    "node_nfsd_requests_total{method=\"Read\",proto=\"3\"} 4.688207e+06\n"
		    "node_nfsd_requests_total{method=\"Read\",proto=\"4\"} 33\n"
		    "node_nfsd_requests_total{method=\"ReadDir\",proto=\"2\"} 0\n"
		    "node_nfsd_requests_total{method=\"ReadDir\",proto=\"3\"} 1101\n"
		    "node_nfsd_requests_total{method=\"ReadDir\",proto=\"4\"} 34\n"
		    "node_nfsd_requests_total{method=\"ReadDirPlus\",proto=\"3\"} 56245\n"
		    "node_nfsd_requests_total{method=\"ReadLink\",proto=\"2\"} 0\n"
		    "node_nfsd_requests_total{method=\"ReadLink\",proto=\"3\"} 8436\n"
		    "node_nfsd_requests_total{method=\"ReadLink\",proto=\"4\"} 35\n"
		    "node_nfsd_requests_total{method=\"RelLockOwner\",proto=\"4\"} 47\n"
		    "node_nfsd_requests_total{method=\"Remove\",proto=\"2\"} 0\n"
		    "node_nfsd_requests_total{method=\"Remove\",proto=\"3\"} 213538\n"
		    "node_nfsd_requests_total{method=\"Remove\",proto=\"4\"} 36\n"
		    "node_nfsd_requests_total{method=\"Rename\",proto=\"2\"} 0\n"
		    "node_nfsd_requests_total{method=\"Rename\",proto=\"3\"} 556401\n"
		    "node_nfsd_requests_total{method=\"Rename\",proto=\"4\"} 37\n"
		    "node_nfsd_requests_total{method=\"Renew\",proto=\"4\"} 38\n"
		    "node_nfsd_requests_total{method=\"RestoreFH\",proto=\"4\"} 39\n" },
	{ "wdeleg_getattr becomes a v4 method", { { "proc/net/rpc/nfsd", NFSD_FULL } }, .needle = "Wdeleg",
	  .expect = "node_nfsd_requests_total{method=\"WdelegGetattr\",proto=\"4\"} 9\n" },
	{ "39-value proc4ops (older kernels): RelLockOwner is zero",
	  { { "proc/net/rpc/nfsd", "proc4ops 39 0 0 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 "
				   "23 24 25 26 27 28 29 30 31 32 33 34 35 36\n" } },
	  .needle = "\"Write\"", .expect = "node_nfsd_requests_total{method=\"Write\",proto=\"2\"} 0\n"
					   "node_nfsd_requests_total{method=\"Write\",proto=\"3\"} 0\n"
					   "node_nfsd_requests_total{method=\"Write\",proto=\"4\"} 36\n" },
	{ "39-value proc4ops: RelLockOwner", { { "proc/net/rpc/nfsd", "proc4ops 39 0 0 0 1 2 3 4 5 6 7 8 9 10 11 "
								 "12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 "
								 "28 29 30 31 32 33 34 35 36\n" } },
	  .needle = "RelLock", .expect = "node_nfsd_requests_total{method=\"RelLockOwner\",proto=\"4\"} 0\n" },
	{ "proc4ops count mismatch: v4 not exported, reported",
	  { { "proc/net/rpc/nfsd", "proc4ops 72 0 0 0 1\nrc 1 2 3\n" } }, .needle = "proto=\"4\"",
	  .expect = "node_nfsd_requests_total{method=\"WdelegGetattr\",proto=\"4\"} 0\n",
	  .expect_fail = 1 },
	{ "rc with too few values", { { "proc/net/rpc/nfsd", "rc 1 2\nio 5 6\n" } }, .needle = "reply_cache",
	  .expect = "", .expect_fail = 1 },
	{ "th needs two values", { { "proc/net/rpc/nfsd", "th 8\n" } }, .needle = "threads", .expect = "",
	  .expect_fail = 1 },
	{ "garbage value", { { "proc/net/rpc/nfsd", "io 1 x\nth 4 0 0.000\n" } }, .needle = "threads",
	  .expect = "node_nfsd_server_threads 4\n", .expect_fail = 1 },
	{ "unknown lines are ignored", { { "proc/net/rpc/nfsd", "newstat 1 2\nth 4 0\n" } }, .needle = "threads",
	  .expect = "node_nfsd_server_threads 4\n" },
	{ "absent sections read as zeros", { { "proc/net/rpc/nfsd", "th 4 0\n" } }, .needle = "disk_bytes",
	  .expect = "node_nfsd_disk_bytes_read_total 0\nnode_nfsd_disk_bytes_written_total 0\n" },
	{ "huge values", { { "proc/net/rpc/nfsd", "io 18446744073709551615 1\n" } }, .needle = "disk_bytes_read",
	  .expect = "node_nfsd_disk_bytes_read_total 1.8446744073709552e+19\n" },
	{ "truncated file", { { "proc/net/rpc/nfsd", "rc 0 6 18622\nfh 0 0" } }, .needle = "stale", .expect = "",
	  .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };

	(void)argc;
	test_collector_cases(&collector_nfsd, cases, ARRAY_SIZE(cases));

	/* Every family once, with the exact HELP text (one uses a UTF-8 ellipsis). */
	const struct tfile full[] = { { "proc/net/rpc/nfsd", NFSD_FULL } };
	test_make_root(full, 1);
	CHECK_INT(test_run_collector(&collector_nfsd, &out), 0);
	CHECK(strstr(out.p, "# HELP node_nfsd_reply_cache_nocache_total Total number of NFSd Reply Cache "
			    "non-idempotent operations (rename/delete/\xe2\x80\xa6).\n") != NULL);
	CHECK(strstr(out.p, "node_nfsd_server_threads 16\n") != NULL);
	CHECK(strstr(out.p, "node_nfsd_disk_bytes_written_total 2.470085989e+09\n") != NULL);
	CHECK(strstr(out.p, "node_nfsd_packets_total{proto=\"tcp\"} 4.4179026e+07\n") != NULL);
	CHECK(strstr(out.p, "node_nfsd_packets_total{proto=\"udp\"} 1\n") != NULL);
	CHECK(strstr(out.p, "node_nfsd_connections_total 3092\n") != NULL);
	CHECK(strstr(out.p, "node_nfsd_file_handles_stale_total 276\n") != NULL);
	CHECK(strstr(out.p, "node_nfsd_server_rpcs_total 4.4177753e+07\n") != NULL);
	CHECK(strstr(out.p, "# TYPE node_nfsd_server_threads gauge\n") != NULL);
	/* v2 absent: 17 zero series; v3 21; v4 35 + WdelegGetattr. */
	size_t nreq = 0;
	for (const char *s = out.p; (s = strstr(s, "\nnode_nfsd_requests_total{")); s++)
		nreq++;
	CHECK_INT(nreq, 17 + 21 + 36);

	const struct tfile none[] = { { "proc/net/rpc", NULL } };
	test_make_root(none, 1);
	CHECK_INT(test_run_collector(&collector_nfsd, &out), COLLECTOR_NO_DATA);
	test_remove_root();
	sb_free(&out);
	return test_summary(argv[0]);
}
