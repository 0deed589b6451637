#include "harness.h"

extern const struct collector collector_meminfo;

static const struct collector_case cases[] = {
	{ "kB lines become _bytes, parentheses become _, unitless lines stay",
	  { { "proc/meminfo", "MemTotal:       16303728 kB\nMemAvailable:    9000000 kB\nActive(anon):      12 kB\n"
			      "HugePages_Total:       2\nHugepagesize:       2048 kB\n" } },
	  .expect = "node_memory_Active_anon_bytes 12288\nnode_memory_HugePages_Total 2\n"
		    "node_memory_Hugepagesize_bytes 2.097152e+06\nnode_memory_MemAvailable_bytes 9.216e+09\n"
		    "node_memory_MemTotal_bytes 1.6695017472e+10\n" },
	{ "HELP and TYPE",
	  { { "proc/meminfo", "Inactive(file):  1 kB\n" } },
	  .expect = "# HELP node_memory_Inactive_file_bytes Memory information field Inactive_file_bytes.\n"
		    "# TYPE node_memory_Inactive_file_bytes gauge\nnode_memory_Inactive_file_bytes 1024\n",
	  .full = true },
	{ "blank lines are skipped",
	  { { "proc/meminfo", "\nMemFree: 1 kB\n\n" } },
	  .expect = "node_memory_MemFree_bytes 1024\n" },
	{ "malformed lines are reported, the rest kept",
	  { { "proc/meminfo", "MemFree: x kB\nMemTotal 5 kB\nCached: 1 MB\nBuffers: 1 kB extra\nDirty: 2 kB\n" } },
	  .expect = "node_memory_Dirty_bytes 2048\n",
	  .expect_fail = 1 },
	{ "huge value", { { "proc/meminfo", "VmallocTotal:   34359738367 kB\n" } },
	  .expect = "node_memory_VmallocTotal_bytes 3.5184372087808e+13\n" },
	/* Found by fuzz_meminfo: a key that makes no metric name ("%", a dash) went out as a family that
	 * Prometheus refuses with the whole scrape. The render drops that family and keeps the others. */
	{ "key that is no name", { { "proc/meminfo", "%: 2\nMem-Free: 1 kB\nMemFree: 1 kB\n" } },
	  .expect = "node_memory_MemFree_bytes 1024\n" },
	{ "empty file", { { "proc/meminfo", "" } }, .expect = "" },
	{ "missing file", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_meminfo, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
