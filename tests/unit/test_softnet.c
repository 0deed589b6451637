#include "harness.h"

extern const struct collector collector_softnet;

#define ROW(cpu, proc, drop, sq, coll, rps, flow, backlog)                                                        \
	"node_softnet_backlog_len{cpu=\"" cpu "\"} " backlog "\nnode_softnet_cpu_collision_total{cpu=\"" cpu "\"} " coll \
	"\nnode_softnet_dropped_total{cpu=\"" cpu "\"} " drop "\nnode_softnet_flow_limit_count_total{cpu=\"" cpu "\"} " \
	flow "\nnode_softnet_processed_total{cpu=\"" cpu "\"} " proc "\nnode_softnet_received_rps_total{cpu=\"" cpu   \
	"\"} " rps "\nnode_softnet_times_squeezed_total{cpu=\"" cpu "\"} " sq "\n"

static const struct collector_case cases[] = {
	{ "Linux >= 5.14 (15 columns): cpu from column 13, so an offline CPU leaves a gap",
	  { { "proc/net/softnet_stat",
	      "0000023b 00000001 00000002 00000000 00000000 00000000 00000000 00000000 00000003 00000004 00000005 "
	      "00000006 00000000 00000000 00000000\n"
	      "000008ee 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
	      "00000000 00000002 00000000 00000000\n" } },
	  .expect = "node_softnet_backlog_len{cpu=\"0\"} 6\nnode_softnet_backlog_len{cpu=\"2\"} 0\n"
		    "node_softnet_cpu_collision_total{cpu=\"0\"} 3\nnode_softnet_cpu_collision_total{cpu=\"2\"} 0\n"
		    "node_softnet_dropped_total{cpu=\"0\"} 1\nnode_softnet_dropped_total{cpu=\"2\"} 0\n"
		    "node_softnet_flow_limit_count_total{cpu=\"0\"} 5\nnode_softnet_flow_limit_count_total{cpu=\"2\"} 0\n"
		    "node_softnet_processed_total{cpu=\"0\"} 571\nnode_softnet_processed_total{cpu=\"2\"} 2286\n"
		    "node_softnet_received_rps_total{cpu=\"0\"} 4\nnode_softnet_received_rps_total{cpu=\"2\"} 0\n"
		    "node_softnet_times_squeezed_total{cpu=\"0\"} 2\nnode_softnet_times_squeezed_total{cpu=\"2\"} 0\n" },
	{ "Linux 4.18 (11 columns): cpu is the row, backlog reported as 0 as node_exporter",
	  { { "proc/net/softnet_stat",
	      "00049279 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n"
	      "000dfb82 00000029 0000000a 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n" } },
	  .expect = "node_softnet_backlog_len{cpu=\"0\"} 0\nnode_softnet_backlog_len{cpu=\"1\"} 0\n"
		    "node_softnet_cpu_collision_total{cpu=\"0\"} 0\nnode_softnet_cpu_collision_total{cpu=\"1\"} 0\n"
		    "node_softnet_dropped_total{cpu=\"0\"} 0\nnode_softnet_dropped_total{cpu=\"1\"} 41\n"
		    "node_softnet_flow_limit_count_total{cpu=\"0\"} 0\nnode_softnet_flow_limit_count_total{cpu=\"1\"} 0\n"
		    "node_softnet_processed_total{cpu=\"0\"} 299641\nnode_softnet_processed_total{cpu=\"1\"} 916354\n"
		    "node_softnet_received_rps_total{cpu=\"0\"} 0\nnode_softnet_received_rps_total{cpu=\"1\"} 0\n"
		    "node_softnet_times_squeezed_total{cpu=\"0\"} 1\nnode_softnet_times_squeezed_total{cpu=\"1\"} 10\n" },
	{ "Linux 2.6.23 (9 columns): rps and flow limit as 0",
	  { { "proc/net/softnet_stat", "0000000a 00000001 00000002 00000000 00000000 00000000 00000000 00000000 00000003\n" } },
	  .expect = ROW("0", "10", "1", "2", "3", "0", "0", "0") },
	{ "HELP and TYPE of one family", { { "proc/net/softnet_stat", "ffffffff 0 0 0 0 0 0 0 0\n" } },
	  .expect = "# HELP node_softnet_backlog_len Softnet backlog status\n# TYPE node_softnet_backlog_len gauge\n"
		    "node_softnet_backlog_len{cpu=\"0\"} 0\n"
		    "# HELP node_softnet_cpu_collision_total Number of collision occur while obtaining device lock while "
		    "transmitting\n# TYPE node_softnet_cpu_collision_total counter\n"
		    "node_softnet_cpu_collision_total{cpu=\"0\"} 0\n"
		    "# HELP node_softnet_dropped_total Number of dropped packets\n"
		    "# TYPE node_softnet_dropped_total counter\nnode_softnet_dropped_total{cpu=\"0\"} 0\n"
		    "# HELP node_softnet_flow_limit_count_total Number of times flow limit has been reached\n"
		    "# TYPE node_softnet_flow_limit_count_total counter\nnode_softnet_flow_limit_count_total{cpu=\"0\"} 0\n"
		    "# HELP node_softnet_processed_total Number of processed packets\n"
		    "# TYPE node_softnet_processed_total counter\nnode_softnet_processed_total{cpu=\"0\"} 4.294967295e+09\n"
		    "# HELP node_softnet_received_rps_total Number of times cpu woken up received_rps\n"
		    "# TYPE node_softnet_received_rps_total counter\nnode_softnet_received_rps_total{cpu=\"0\"} 0\n"
		    "# HELP node_softnet_times_squeezed_total Number of times processing packets ran out of quota\n"
		    "# TYPE node_softnet_times_squeezed_total counter\nnode_softnet_times_squeezed_total{cpu=\"0\"} 0\n",
	  .full = true },
	{ "bad rows are reported, good rows kept with their row number",
	  { { "proc/net/softnet_stat", "1 2 3\n100000000 0 0 0 0 0 0 0 0\n0x1 0 0 0 0 0 0 0 0\nzz 0 0 0 0 0 0 0 0\n"
				       "5 0 0 0 0 0 0 0 0\n" } },
	  .expect = ROW("4", "5", "0", "0", "0", "0", "0", "0"),
	  .expect_fail = 1 },
	{ "empty file", { { "proc/net/softnet_stat", "" } }, .expect = "" },
	{ "missing file", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_softnet, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
