#include "harness.h"

extern const struct collector collector_swap;

#define HDR "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
#define S(dev, type, size, used, prio)                                                         \
	"node_swap_priority{device=\"" dev "\",swap_type=\"" type "\"} " prio "\n"             \
	"node_swap_size_bytes{device=\"" dev "\",swap_type=\"" type "\"} " size "\n"           \
	"node_swap_used_bytes{device=\"" dev "\",swap_type=\"" type "\"} " used "\n"

static const struct collector_case cases[] = {
	{ "partition and file",
	  { { "proc/swaps", HDR "/dev/nvme0n1p3                          partition\t8388604\t\t262144\t\t-2\n"
				"/swapfile                               file\t\t2097148\t\t0\t\t10\n" } },
	  .expect = "node_swap_priority{device=\"/dev/nvme0n1p3\",swap_type=\"partition\"} -2\n"
		    "node_swap_priority{device=\"/swapfile\",swap_type=\"file\"} 10\n"
		    "node_swap_size_bytes{device=\"/dev/nvme0n1p3\",swap_type=\"partition\"} 8.589930496e+09\n"
		    "node_swap_size_bytes{device=\"/swapfile\",swap_type=\"file\"} 2.147479552e+09\n"
		    "node_swap_used_bytes{device=\"/dev/nvme0n1p3\",swap_type=\"partition\"} 2.68435456e+08\n"
		    "node_swap_used_bytes{device=\"/swapfile\",swap_type=\"file\"} 0\n" },
	{ "no swap", { { "proc/swaps", HDR } }, .expect = "" },
	{ "missing", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty", { { "proc/swaps", "" } }, .expect = "" },
	{ "malformed",
	  { { "proc/swaps", HDR "/dev/zram0 partition 4194300 1024\n/dev/sdb2 partition lots 0 -3\n/dev/sda2 partition 1024 0 -2\n" } },
	  .expect = S("/dev/sda2", "partition", "1.048576e+06", "0", "-2"), .expect_fail = 1 },
	{ "truncated", { { "proc/swaps", HDR "/dev/sda2 partition 1024 0 -2\n/dev/sda3 parti" } },
	  .expect = S("/dev/sda2", "partition", "1.048576e+06", "0", "-2"), .expect_fail = 1 },
	{ "huge", { { "proc/swaps", HDR "/dev/big partition 9007199254740992 0 0\n" } },
	  .expect = S("/dev/big", "partition", "9.223372036854776e+18", "0", "0") },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_swap, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
