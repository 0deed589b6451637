#include "harness.h"

extern const struct collector collector_nvme;

#define CTRL                                                                                   \
	{ "sys/class/nvme/nvme0/firmware_rev", "1B2QEXP7\n" },                                \
	{ "sys/class/nvme/nvme0/model", "Samsung SSD 970 PRO 512GB               \n" },       \
	{ "sys/class/nvme/nvme0/serial", "S462NF0M123456A     \n" },                          \
	{ "sys/class/nvme/nvme0/state", "live\n" },                                           \
	{ "sys/class/nvme/nvme0/cntlid", "4\n" }

static const struct collector_case cases[] = {
	{ "controller with namespaces",
	  { CTRL,
	    { "sys/class/nvme/nvme0/nvme0n1/size", "1000215216\n" },
	    { "sys/class/nvme/nvme0/nvme0n1/nuse", "1000\n" },
	    { "sys/class/nvme/nvme0/nvme0n1/queue/logical_block_size", "512\n" },
	    { "sys/class/nvme/nvme0/nvme0c0n2/size", "10\n" },
	    { "sys/class/nvme/nvme0/nvme0c0n2/nuse", "5\n" },
	    { "sys/class/nvme/nvme0/nvme0c0n2/queue/logical_block_size", "4096\n" },
	    { "sys/class/nvme/nvme0/nvme0c0n2/ana_state", "optimized\n" },
	    { "sys/class/nvme/nvme0/ng0n1/size", "1\n" },
	    { "sys/class/nvme/nvme0/hwmon3", NULL } },
	  .expect = "node_nvme_info{cntlid=\"4\",device=\"nvme0\",firmware_revision=\"1B2QEXP7\",model=\"Samsung SSD 970 PRO 512GB\",serial=\"S462NF0M123456A\",state=\"live\"} 1\n"
		    "node_nvme_namespace_capacity_bytes{device=\"nvme0\",nsid=\"1\"} 5.12110190592e+11\n"
		    "node_nvme_namespace_capacity_bytes{device=\"nvme0\",nsid=\"2\"} 40960\n"
		    "node_nvme_namespace_info{ana_state=\"optimized\",device=\"nvme0\",nsid=\"2\"} 1\n"
		    "node_nvme_namespace_info{ana_state=\"unknown\",device=\"nvme0\",nsid=\"1\"} 1\n"
		    "node_nvme_namespace_logical_block_size_bytes{device=\"nvme0\",nsid=\"1\"} 512\n"
		    "node_nvme_namespace_logical_block_size_bytes{device=\"nvme0\",nsid=\"2\"} 4096\n"
		    "node_nvme_namespace_size_bytes{device=\"nvme0\",nsid=\"1\"} 5.12110190592e+11\n"
		    "node_nvme_namespace_size_bytes{device=\"nvme0\",nsid=\"2\"} 40960\n"
		    "node_nvme_namespace_used_bytes{device=\"nvme0\",nsid=\"1\"} 512000\n"
		    "node_nvme_namespace_used_bytes{device=\"nvme0\",nsid=\"2\"} 20480\n" },
	{ "unparsable size leaves out what derives from it",
	  { CTRL,
	    { "sys/class/nvme/nvme0/nvme0n1/size", "big\n" },
	    { "sys/class/nvme/nvme0/nvme0n1/nuse", "2\n" },
	    { "sys/class/nvme/nvme0/nvme0n1/queue/logical_block_size", "512\n" } },
	  .expect = "node_nvme_info{cntlid=\"4\",device=\"nvme0\",firmware_revision=\"1B2QEXP7\",model=\"Samsung SSD 970 PRO 512GB\",serial=\"S462NF0M123456A\",state=\"live\"} 1\n"
		    "node_nvme_namespace_info{ana_state=\"unknown\",device=\"nvme0\",nsid=\"1\"} 1\n"
		    "node_nvme_namespace_logical_block_size_bytes{device=\"nvme0\",nsid=\"1\"} 512\n"
		    "node_nvme_namespace_used_bytes{device=\"nvme0\",nsid=\"1\"} 1024\n" },
	{ "missing namespace attribute is no data",
	  { CTRL, { "sys/class/nvme/nvme0/nvme0n1/size", "1\n" } }, .expect = "", .expect_fail = 1 },
	{ "missing controller attribute is no data",
	  { { "sys/class/nvme/nvme0/model", "x\n" } }, .expect = "", .expect_fail = 1 },
	{ "unreadable controller attribute (a directory) fails",
	  { CTRL, { "sys/class/nvme/nvme1/model", NULL } }, .expect = "", .expect_fail = 1 },
	{ "no class is no data", { { "sys/class", NULL } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_nvme, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
