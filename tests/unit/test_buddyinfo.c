#include "harness.h"

extern const struct collector collector_buddyinfo;

#define S(node, size, zone, v) "node_buddyinfo_blocks{node=\"" node "\",size=\"" size "\",zone=\"" zone "\"} " v "\n"

static const struct collector_case cases[] = {
	{ "two zones",
	  { { "proc/buddyinfo", "Node 0, zone      DMA      0      1      2 \n"
				"Node 0, zone   Normal   5120    960   1234567 \n" } },
	  .expect = S("0", "0", "DMA", "0") S("0", "0", "Normal", "5120") S("0", "1", "DMA", "1") S("0", "1", "Normal", "960")
		  S("0", "2", "DMA", "2") S("0", "2", "Normal", "1.234567e+06") },
	{ "two nodes",
	  { { "proc/buddyinfo", "Node 0, zone   Normal   3 4\nNode 1, zone   Normal   5 6\n" } },
	  .expect = S("0", "0", "Normal", "3") S("0", "1", "Normal", "4") S("1", "0", "Normal", "5") S("1", "1", "Normal", "6") },
	{ "missing", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty", { { "proc/buddyinfo", "" } }, .expect = "" },
	/* Every line must have as many orders as the first; short and bad lines are skipped and reported. */
	{ "mismatch", { { "proc/buddyinfo", "Node 0, zone DMA 1 2\nNode 0, zone DMA32 1 2 3\nNode 0, zone\nNode 0, zone Normal 7 x\nNode 0, zone Movable 8 9\n" } },
	  .expect = S("0", "0", "DMA", "1") S("0", "0", "Movable", "8") S("0", "1", "DMA", "2") S("0", "1", "Movable", "9"),
	  .expect_fail = 1 },
	{ "truncated", { { "proc/buddyinfo", "Node 0, zone DMA 1 2\nNode 0, zone Norm" } },
	  .expect = S("0", "0", "DMA", "1") S("0", "1", "DMA", "2"), .expect_fail = 1 },
	{ "huge", { { "proc/buddyinfo", "Node 0, zone Normal 18446744073709551615\n" } },
	  .expect = S("0", "0", "Normal", "1.8446744073709552e+19") },
	/* Found by fuzz_buddyinfo: a zone name that is not UTF-8 went out as is, and Prometheus refuses a
	 * whole scrape with one such label value. Its series are dropped when rendering. */
	{ "zone name not UTF-8", { { "proc/buddyinfo", "Node 0, zone Norm\xe2l 1 2\nNode 0, zone DMA 3 4\n" } },
	  .expect = S("0", "0", "DMA", "3") S("0", "1", "DMA", "4") },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_buddyinfo, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
