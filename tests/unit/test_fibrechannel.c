#include "harness.h"

extern const struct collector collector_fibrechannel;

static const struct collector_case cases[] = {
	{ "host with statistics, unimplemented counters left out",
	  { { "sys/class/fc_host/host0/speed", "16 Gbit\n" },
	    { "sys/class/fc_host/host0/port_state", "Online\n" },
	    { "sys/class/fc_host/host0/port_type", "NPort (fabric via point-to-point)\n" },
	    { "sys/class/fc_host/host0/port_id", "0x010200\n" },
	    { "sys/class/fc_host/host0/port_name", "0x10000090fa1b2c3d\n" },
	    { "sys/class/fc_host/host0/node_name", "0x20000090fa1b2c3d\n" },
	    { "sys/class/fc_host/host0/fabric_name", "0x0\n" },
	    { "sys/class/fc_host/host0/dev_loss_tmo", "30\n" },
	    { "sys/class/fc_host/host0/statistics/rx_frames", "0x3\n" },
	    { "sys/class/fc_host/host0/statistics/tx_frames", "0xffffffffffffffff\n" },
	    { "sys/class/fc_host/host0/statistics/nos_count", "18\n" },
	    { "sys/class/fc_host/host0/statistics/fc_no_free_exch", "0x1\n" },
	    { "sys/class/fc_host/host0/statistics/reset_statistics", "x\n" } },
	  .full = true,
	  .expect = "# HELP node_fibrechannel_info Non-numeric data from /sys/class/fc_host/<host>, value is always 1.\n"
		    "# TYPE node_fibrechannel_info gauge\n"
		    "node_fibrechannel_info{dev_loss_tmo=\"30\",fabric_name=\"0\",fc_host=\"host0\",port_id=\"010200\","
		    "port_name=\"10000090fa1b2c3d\",port_state=\"Online\",port_type=\"NPort (fabric via point-to-point)\","
		    "speed=\"16 Gbit\",supported_classes=\"\",supported_speeds=\"\",symbolic_name=\"\"} 1\n"
		    "# HELP node_fibrechannel_nos_total Number Not_Operational Primitive Sequence received by host port\n"
		    "# TYPE node_fibrechannel_nos_total counter\n"
		    "node_fibrechannel_nos_total{fc_host=\"host0\"} 18\n"
		    "# HELP node_fibrechannel_rx_frames_total Number of frames received\n"
		    "# TYPE node_fibrechannel_rx_frames_total counter\n"
		    "node_fibrechannel_rx_frames_total{fc_host=\"host0\"} 3\n" },
	{ "bad counter fails",
	  { { "sys/class/fc_host/host0/statistics/rx_frames", "many\n" } }, .expect = "", .expect_fail = 1 },
	{ "no statistics directory is no data",
	  { { "sys/class/fc_host/host0/speed", "8 Gbit\n" } }, .expect = "", .expect_fail = 1 },
	{ "no class is no data", { { "sys/class", NULL } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_fibrechannel, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
