#include "harness.h"

extern const struct collector collector_loadavg;

static const struct collector_case cases[] = {
	{ "ok", { { "proc/loadavg", "0.02 0.04 0.05 1/497 11947\n" } },
	  .expect = "node_load1 0.02\nnode_load15 0.05\nnode_load5 0.04\n" },
	{ "missing file", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
	{ "truncated", { { "proc/loadavg", "0.02 0.0" } }, .expect = "", .expect_fail = 1 },
	{ "garbage", { { "proc/loadavg", "x y z\n" } }, .expect = "", .expect_fail = 1 },
	{ "empty", { { "proc/loadavg", "" } }, .expect = "", .expect_fail = 1 },
	{ "big values", { { "proc/loadavg", "1234567.5 12 0 1/1 1\n" } },
	  .expect = "node_load1 1.2345675e+06\nnode_load15 0\nnode_load5 12\n" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_loadavg, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
