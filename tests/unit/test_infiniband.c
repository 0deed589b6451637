#include "harness.h"

extern const struct collector collector_infiniband;

#define DEV(d)                                                                   \
	{ "sys/class/infiniband/" d "/fw_ver", "16.35.2000\n" },                \
	{ "sys/class/infiniband/" d "/hca_type", "MT4125\n" },                  \
	{ "sys/class/infiniband/" d "/ports/1/state", "4: ACTIVE\n" },          \
	{ "sys/class/infiniband/" d "/ports/1/phys_state", "5: LinkUp\n" },     \
	{ "sys/class/infiniband/" d "/ports/1/rate", "2.5 Gb/sec (1X SDR)\n" }

static const struct collector_case cases[] = {
	{ "mlx5 port: counters x4, N/A counters skipped, hw_counters",
	  { DEV("mlx5_0"),
	    { "sys/class/infiniband/mlx5_0/ports/1/counters/port_rcv_data", "1000\n" },
	    { "sys/class/infiniband/mlx5_0/ports/1/counters/port_xmit_wait", "N/A (no PMA)\n" },
	    { "sys/class/infiniband/mlx5_0/ports/1/counters/link_downed", "0x2\n" },
	    { "sys/class/infiniband/mlx5_0/ports/1/counters/unknown_counter", "7\n" },
	    { "sys/class/infiniband/mlx5_0/ports/1/hw_counters/out_of_buffer", "3\n" },
	    { "sys/class/infiniband/mlx5_0/ports/1/hw_counters/rx_write_requests", "11\n" },
	    { "sys/class/infiniband/mlx5_0/ports/1/hw_counters/lifespan", "10\n" } },
	  .expect = "node_infiniband_info{board_id=\"\",device=\"mlx5_0\",firmware_version=\"16.35.2000\",hca_type=\"MT4125\"} 1\n"
		    "node_infiniband_lifespan{device=\"mlx5_0\",port=\"1\"} 10\n"
		    "node_infiniband_link_downed_total{device=\"mlx5_0\",port=\"1\"} 2\n"
		    "node_infiniband_out_of_buffer{device=\"mlx5_0\",port=\"1\"} 3\n"
		    "node_infiniband_physical_state_id{device=\"mlx5_0\",port=\"1\"} 5\n"
		    "node_infiniband_port_data_received_bytes_total{device=\"mlx5_0\",port=\"1\"} 4000\n"
		    "node_infiniband_rate_bytes_per_second{device=\"mlx5_0\",port=\"1\"} 3.125e+08\n"
		    "node_infiniband_rx_write_requests{device=\"mlx5_0\",port=\"1\"} 11\n"
		    "node_infiniband_state_id{device=\"mlx5_0\",port=\"1\"} 4\n" },
	{ "irdma has no counters/ directory",
	  { DEV("irdma0"), { "sys/class/infiniband/irdma0/ports/1/hw_counters/tx_bytes", "100\n" } },
	  .expect = "node_infiniband_info{board_id=\"\",device=\"irdma0\",firmware_version=\"16.35.2000\",hca_type=\"MT4125\"} 1\n"
		    "node_infiniband_physical_state_id{device=\"irdma0\",port=\"1\"} 5\n"
		    "node_infiniband_rate_bytes_per_second{device=\"irdma0\",port=\"1\"} 3.125e+08\n"
		    "node_infiniband_state_id{device=\"irdma0\",port=\"1\"} 4\n"
		    "node_infiniband_tx_bytes{device=\"irdma0\",port=\"1\"} 100\n" },
	{ "legacy counters_ext",
	  { DEV("mlx4_0"), { "sys/class/infiniband/mlx4_0/ports/1/counters/link_downed", "0\n" },
	    { "sys/class/infiniband/mlx4_0/ports/1/counters_ext/port_xmit_data_64", "5\n" } },
	  .expect = "node_infiniband_info{board_id=\"\",device=\"mlx4_0\",firmware_version=\"16.35.2000\",hca_type=\"MT4125\"} 1\n"
		    "node_infiniband_legacy_data_transmitted_bytes_total{device=\"mlx4_0\",port=\"1\"} 20\n"
		    "node_infiniband_link_downed_total{device=\"mlx4_0\",port=\"1\"} 0\n"
		    "node_infiniband_physical_state_id{device=\"mlx4_0\",port=\"1\"} 5\n"
		    "node_infiniband_rate_bytes_per_second{device=\"mlx4_0\",port=\"1\"} 3.125e+08\n"
		    "node_infiniband_state_id{device=\"mlx4_0\",port=\"1\"} 4\n" },
	{ "bad counter fails", { DEV("mlx4_0"), { "sys/class/infiniband/mlx4_0/ports/1/counters/link_downed", "x\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "bad state fails", { DEV("mlx4_0"), { "sys/class/infiniband/mlx4_0/ports/1/counters", NULL },
				{ "sys/class/infiniband/mlx4_0/ports/2/state", "ACTIVE\n" },
				{ "sys/class/infiniband/mlx4_0/ports/2/phys_state", "5: LinkUp\n" },
				{ "sys/class/infiniband/mlx4_0/ports/2/rate", "10 Gb/sec\n" } },
	  .expect = "", .expect_fail = 1 },
	/* Found by fuzz_infiniband: a rate beyond float32's range converted to an integer was undefined
	 * behaviour. procfs reads the rate with ParseFloat(s, 32), which refuses it, so the class fails. */
	{ "rate beyond float32 fails", { DEV("mlx4_0"), { "sys/class/infiniband/mlx4_0/ports/1/counters", NULL },
				{ "sys/class/infiniband/mlx4_0/ports/2/state", "4: ACTIVE\n" },
				{ "sys/class/infiniband/mlx4_0/ports/2/phys_state", "5: LinkUp\n" },
				{ "sys/class/infiniband/mlx4_0/ports/2/rate", "1e39 Gb/sec (1X SDR)\n" } },
	  .expect = "", .expect_fail = 1 },
	/* "Inf" and negative rates parse in Go; uint64() then gives 2^63 and a wrapped negative. */
	{ "rate Inf and negative, converted as Go does",
	  { DEV("mlx4_0"), { "sys/class/infiniband/mlx4_0/ports/1/counters", NULL },
	    { "sys/class/infiniband/mlx4_0/ports/2/state", "4: ACTIVE\n" },
	    { "sys/class/infiniband/mlx4_0/ports/2/phys_state", "5: LinkUp\n" },
	    { "sys/class/infiniband/mlx4_0/ports/2/rate", "-Inf Gb/sec\n" },
	    { "sys/class/infiniband/mlx4_0/ports/2/counters", NULL } },
	  .needle = "rate",
	  .expect = "node_infiniband_rate_bytes_per_second{device=\"mlx4_0\",port=\"1\"} 3.125e+08\n"
		    "node_infiniband_rate_bytes_per_second{device=\"mlx4_0\",port=\"2\"} 9.223372036854776e+18\n" },
	{ "missing counters directory is no data", { DEV("mlx4_0") }, .expect = "", .expect_fail = 1 },
	{ "no class is no data", { { "sys/class", NULL } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_infiniband, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
