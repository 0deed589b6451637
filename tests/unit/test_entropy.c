#include "harness.h"

extern const struct collector collector_entropy;

static const struct collector_case cases[] = {
	{ "ok",
	  { { "proc/sys/kernel/random/entropy_avail", "1337\n" }, { "proc/sys/kernel/random/poolsize", "4096\n" } },
	  .expect = "# HELP node_entropy_available_bits Bits of available entropy.\n"
		    "# TYPE node_entropy_available_bits gauge\nnode_entropy_available_bits 1337\n"
		    "# HELP node_entropy_pool_size_bits Bits of entropy pool.\n"
		    "# TYPE node_entropy_pool_size_bits gauge\nnode_entropy_pool_size_bits 4096\n",
	  .full = true },
	{ "Linux >= 5.18 values, no newline",
	  { { "proc/sys/kernel/random/entropy_avail", "256" }, { "proc/sys/kernel/random/poolsize", "256" } },
	  .expect = "node_entropy_available_bits 256\nnode_entropy_pool_size_bits 256\n" },
	{ "no poolsize: avail kept, run fails",
	  { { "proc/sys/kernel/random/entropy_avail", "3\n" } },
	  .expect = "node_entropy_available_bits 3\n",
	  .expect_fail = 1 },
	{ "no entropy_avail", { { "proc/sys/kernel/random/poolsize", "4096\n" } }, .expect = "", .expect_fail = 1 },
	{ "garbage", { { "proc/sys/kernel/random/entropy_avail", "lots\n" }, { "proc/sys/kernel/random/poolsize", "1\n" } },
	  .expect = "",
	  .expect_fail = 1 },
	{ "empty", { { "proc/sys/kernel/random/entropy_avail", "" }, { "proc/sys/kernel/random/poolsize", "1\n" } },
	  .expect = "",
	  .expect_fail = 1 },
	{ "no directory", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_entropy, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
