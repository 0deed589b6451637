#include "harness.h"

extern const struct collector collector_softirqs;

#define SOFTIRQS                                         \
	"                    CPU0       CPU1\n"          \
	"          HI:          1          0\n"          \
	"       TIMER:     123456     654321\n"          \
	"      NET_TX:         10         20\n"          \
	"      NET_RX:       1000       2000\n"          \
	"       BLOCK:         30         40\n"          \
	"    IRQ_POLL:          0          0\n"          \
	"     TASKLET:          5          6\n"          \
	"       SCHED:      77777      88888\n"          \
	"     HRTIMER:          1          2\n"          \
	"         RCU:      99999    1111111\n"

#define S(cpu, type, v) "node_softirqs_functions_total{cpu=\"" cpu "\",type=\"" type "\"} " v "\n"

static const struct collector_case cases[] = {
	{ "two cpus", { { "proc/softirqs", SOFTIRQS } },
	  .expect = S("0", "BLOCK", "30") S("0", "HI", "1") S("0", "HRTIMER", "1") S("0", "IRQ_POLL", "0")
		  S("0", "NET_RX", "1000") S("0", "NET_TX", "10") S("0", "RCU", "99999") S("0", "SCHED", "77777")
		  S("0", "TASKLET", "5") S("0", "TIMER", "123456")
		  S("1", "BLOCK", "40") S("1", "HI", "0") S("1", "HRTIMER", "2") S("1", "IRQ_POLL", "0")
		  S("1", "NET_RX", "2000") S("1", "NET_TX", "20") S("1", "RCU", "1.111111e+06") S("1", "SCHED", "88888")
		  S("1", "TASKLET", "6") S("1", "TIMER", "654321") },
	/* Unknown rows and rows without counts are ignored. */
	{ "unknown rows", { { "proc/softirqs", "   CPU0\n   HI: 4\n  NEWTYPE: 9\n  TIMER:\n" } },
	  .expect = S("0", "HI", "4") },
	{ "missing", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty", { { "proc/softirqs", "" } }, .expect = "", .expect_fail = 1 },
	{ "header only", { { "proc/softirqs", "   CPU0  CPU1\n" } }, .expect = "" },
	{ "bad count", { { "proc/softirqs", "   CPU0  CPU1\n   HI: 4 -5\n   RCU: 7 8\n" } },
	  .expect = S("0", "HI", "4") S("0", "RCU", "7") S("1", "RCU", "8"), .expect_fail = 1 },
	{ "truncated", { { "proc/softirqs", "   CPU0  CPU1\n   HI: 4 5\n   TIM" } }, .expect = S("0", "HI", "4") S("1", "HI", "5") },
	{ "huge", { { "proc/softirqs", "   CPU0\n   NET_RX: 18446744073709551615\n" } },
	  .expect = S("0", "NET_RX", "1.8446744073709552e+19") },
	{ "overflow", { { "proc/softirqs", "   CPU0\n   NET_RX: 18446744073709551616\n" } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_softirqs, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
