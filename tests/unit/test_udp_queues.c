#include "harness.h"

extern const struct collector collector_udp_queues;

#define UDP_HDR "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
#define UDP                                                                                                   \
	UDP_HDR                                                                                               \
	"  123: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 17520 2 0000000000000000 0\n" \
	"  456: 3500007F:0035 00000000:0000 07 00000100:00000200 00:00000000 00000000   101        0 18211 2 0000000000000000 0\n" \
	"  789: 0100007F:A3F1 0100007F:0035 01 00000010:00000000 00:00000000 00000000  1000        0 30011 2 0000000000000000 3\n"
#define UDP6                                                                                                  \
	"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n" \
	"  100: 00000000000000000000000000000000:0222 00000000000000000000000000000000:0000 07 00000000:00000400 00:00000000 00000000     0        0 19012 2 0000000000000000 0\n" \
	"  101: 0000000000000000FFFF00000100007F:0223 00000000000000000000000000000000:0000 07 00000001:00000000 00:00000000 00000000   998        0 19013 2 0000000000000000 0\n"

static const struct collector_case cases[] = {
	{ "v4 and v6", { { "proc/net/udp", UDP }, { "proc/net/udp6", UDP6 } },
	  .expect = "node_udp_queues{ip=\"v4\",queue=\"rx\"} 512\n"
		    "node_udp_queues{ip=\"v4\",queue=\"tx\"} 272\n"
		    "node_udp_queues{ip=\"v6\",queue=\"rx\"} 1024\n"
		    "node_udp_queues{ip=\"v6\",queue=\"tx\"} 1\n" },
	{ "no ipv6", { { "proc/net/udp", UDP } },
	  .expect = "node_udp_queues{ip=\"v4\",queue=\"rx\"} 512\n"
		    "node_udp_queues{ip=\"v4\",queue=\"tx\"} 272\n" },
	{ "neither", { { "proc/net", NULL } }, .expect = "", .expect_fail = 1 },
	{ "header only", { { "proc/net/udp", UDP_HDR }, { "proc/net/udp6", "" } },
	  .expect = "node_udp_queues{ip=\"v4\",queue=\"rx\"} 0\n"
		    "node_udp_queues{ip=\"v4\",queue=\"tx\"} 0\n"
		    "node_udp_queues{ip=\"v6\",queue=\"rx\"} 0\n"
		    "node_udp_queues{ip=\"v6\",queue=\"tx\"} 0\n" },
	/* Short lines (no drops column) and bad numbers are skipped and reported. */
	{ "malformed lines",
	  { { "proc/net/udp", UDP_HDR
		"  1: 00000000:0044 00000000:0000 07 00000005:00000006 00:00000000 00000000 0 0 1 2 0000000000000000 0\n"
		"  2: 00000000:0044 00000000:0000 07 00000100:00000200 00:00000000 00000000 0 0 1 2 0000000000000000\n"
		"  3: 00000000:0044 00000000:0000 07 0000010G:00000200 00:00000000 00000000 0 0 1 2 0000000000000000 0\n"
		"  4: 000000:0044 00000000:0000 07 00000100:00000200 00:00000000 00000000 0 0 1 2 0000000000000000 0\n"
		"  5: 00000000:0044 00000000:0000 07 00000100 00:00000000 00000000 0 0 1 2 0000000000000000 0\n"
		"  6: 00000000:0044 00000000:0000 07 00000100:00000200 00:00000000 00000000 x 0 1 2 0000000000000000 0\n"
		"\n" } },
	  .expect = "node_udp_queues{ip=\"v4\",queue=\"rx\"} 6\n"
		    "node_udp_queues{ip=\"v4\",queue=\"tx\"} 5\n",
	  .expect_fail = 1 },
	{ "truncated", { { "proc/net/udp", UDP_HDR "  1: 00000000:0044 00000000:0000 07 00000005:0000" } },
	  .expect = "node_udp_queues{ip=\"v4\",queue=\"rx\"} 0\n"
		    "node_udp_queues{ip=\"v4\",queue=\"tx\"} 0\n",
	  .expect_fail = 1 },
	{ "huge queues",
	  { { "proc/net/udp", UDP_HDR
		"  1: 00000000:0044 00000000:0000 07 FFFFFFFF:FFFFFFFF 00:00000000 00000000 0 0 1 2 0000000000000000 0\n"
		"  2: 00000000:0044 00000000:0000 07 FFFFFFFF:00000001 00:00000000 00000000 0 0 1 2 0000000000000000 0\n" } },
	  .expect = "node_udp_queues{ip=\"v4\",queue=\"rx\"} 4.294967296e+09\n"
		    "node_udp_queues{ip=\"v4\",queue=\"tx\"} 8.58993459e+09\n" },
};

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };
	static const struct tfile none[] = { { "proc/net", NULL } };

	(void)argc;
	test_collector_cases(&collector_udp_queues, cases, ARRAY_SIZE(cases));
	CHECK(test_make_root(none, ARRAY_SIZE(none)) != NULL);
	CHECK_INT(test_run_collector(&collector_udp_queues, &out), COLLECTOR_NO_DATA);
	test_remove_root();
	sb_free(&out);
	return test_summary(argv[0]);
}
