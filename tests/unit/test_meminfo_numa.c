#include "harness.h"

extern const struct collector collector_meminfo_numa;

#define NODE0_MEMINFO                                  \
	"Node 0 MemTotal:        8053556 kB\n"          \
	"Node 0 MemFree:          405488 kB\n"          \
	"Node 0 Active(anon):    2153124 kB\n"          \
	"Node 0 HugePages_Total:     2\n"               \
	"Node 0 HugePages_Free:      1\n"
#define NODE0_NUMASTAT                                 \
	"numa_hit 1234567890\n"                         \
	"numa_miss 0\n"                                 \
	"local_node 1234567000\n"
#define NODE1_MEMINFO "Node 1 MemTotal:        8388608 kB\nNode 1 Inactive(file):        12 kB\n"
#define NODE1_NUMASTAT "numa_hit 42\n"

static const struct collector_case cases[] = {
	{ "two nodes",
	  { { "sys/devices/system/node/node0/meminfo", NODE0_MEMINFO },
	    { "sys/devices/system/node/node0/numastat", NODE0_NUMASTAT },
	    { "sys/devices/system/node/node1/meminfo", NODE1_MEMINFO },
	    { "sys/devices/system/node/node1/numastat", NODE1_NUMASTAT },
	    { "sys/devices/system/node/possible", "0-1\n" },
	    { "sys/devices/system/node/power", NULL } },
	  .expect = "node_memory_numa_Active_anon{node=\"0\"} 2.204798976e+09\n"
		    "node_memory_numa_HugePages_Free{node=\"0\"} 1\n"
		    "node_memory_numa_HugePages_Total{node=\"0\"} 2\n"
		    "node_memory_numa_Inactive_file{node=\"1\"} 12288\n"
		    "node_memory_numa_MemFree{node=\"0\"} 4.15219712e+08\n"
		    "node_memory_numa_MemTotal{node=\"0\"} 8.246841344e+09\n"
		    "node_memory_numa_MemTotal{node=\"1\"} 8.589934592e+09\n"
		    "node_memory_numa_local_node_total{node=\"0\"} 1.234567e+09\n"
		    "node_memory_numa_numa_hit_total{node=\"0\"} 1.23456789e+09\n"
		    "node_memory_numa_numa_hit_total{node=\"1\"} 42\n"
		    "node_memory_numa_numa_miss_total{node=\"0\"} 0\n" },
	{ "no numa", { { "sys/devices/system", NULL } }, .expect = "" },
	{ "no nodes", { { "sys/devices/system/node/possible", "0\n" } }, .expect = "" },
	{ "missing numastat",
	  { { "sys/devices/system/node/node0/meminfo", NODE0_MEMINFO },
	    { "sys/devices/system/node/node1/meminfo", NODE1_MEMINFO },
	    { "sys/devices/system/node/node1/numastat", NODE1_NUMASTAT } },
	  .expect = "node_memory_numa_Active_anon{node=\"0\"} 2.204798976e+09\n"
		    "node_memory_numa_HugePages_Free{node=\"0\"} 1\n"
		    "node_memory_numa_HugePages_Total{node=\"0\"} 2\n"
		    "node_memory_numa_Inactive_file{node=\"1\"} 12288\n"
		    "node_memory_numa_MemFree{node=\"0\"} 4.15219712e+08\n"
		    "node_memory_numa_MemTotal{node=\"0\"} 8.246841344e+09\n"
		    "node_memory_numa_MemTotal{node=\"1\"} 8.589934592e+09\n"
		    "node_memory_numa_numa_hit_total{node=\"1\"} 42\n",
	  .expect_fail = 1 },
	/* Bad lines are skipped and reported: a wrong unit, a short line, a value that is not a number. */
	{ "malformed lines",
	  { { "sys/devices/system/node/node0/meminfo", "Node 0 MemTotal: 10 MB\nNode 0 MemFree:\nNode 0 Dirty: x kB\nNode 0 Shmem: 1 kB\n\n" },
	    { "sys/devices/system/node/node0/numastat", "numa_hit 1 2\nnuma_miss\nother_node 5\n" } },
	  .expect = "node_memory_numa_Shmem{node=\"0\"} 1024\n"
		    "node_memory_numa_other_node_total{node=\"0\"} 5\n",
	  .expect_fail = 1 },
	{ "truncated", { { "sys/devices/system/node/node0/meminfo", "Node 0 MemTotal: 10 kB\nNode 0 Mem" },
			 { "sys/devices/system/node/node0/numastat", "numa_hit 7" } },
	  .expect = "node_memory_numa_MemTotal{node=\"0\"} 10240\nnode_memory_numa_numa_hit_total{node=\"0\"} 7\n",
	  .expect_fail = 1 },
	{ "empty files", { { "sys/devices/system/node/node0/meminfo", "" }, { "sys/devices/system/node/node0/numastat", "" } },
	  .expect = "" },
	{ "huge", { { "sys/devices/system/node/node3/meminfo", "Node 3 MemTotal: 18014398509481984 kB\n" },
		    { "sys/devices/system/node/node3/numastat", "numa_hit 18446744073709551615\n" } },
	  .expect = "node_memory_numa_MemTotal{node=\"3\"} 1.8446744073709552e+19\n"
		    "node_memory_numa_numa_hit_total{node=\"3\"} 1.8446744073709552e+19\n" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_meminfo_numa, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
