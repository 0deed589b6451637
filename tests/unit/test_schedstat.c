#include "harness.h"

extern const struct collector collector_schedstat;

#define SCHEDSTAT                                                                                            \
	"version 15\ntimestamp 15819019232\n"                                                                \
	"cpu0 498494191 0 3533438552 2553969831 3853684107 2465731542 2045936778163039 343796328169361 4767485306\n" \
	"domain0 00000000,00000003 212499247 210112015 1861015 1860405436 536440 369895 32599 210079416\n"      \
	"cpu1 518377256 0 4155211005 2778589869 10466382 2867629021 1904686152592476 364107263788241 5145567945\n" \
	"domain0 00000000,00000003 217653037 215526982 1577949 1580427380 557469 393576 28538 215498444\n"

static const struct collector_case cases[] = {
	{ "ok",
	  { { "proc/schedstat", SCHEDSTAT } },
	  .expect = "node_schedstat_running_seconds_total{cpu=\"0\"} 2.045936778163039e+06\n"
		    "node_schedstat_running_seconds_total{cpu=\"1\"} 1.904686152592476e+06\n"
		    "node_schedstat_timeslices_total{cpu=\"0\"} 4.767485306e+09\n"
		    "node_schedstat_timeslices_total{cpu=\"1\"} 5.145567945e+09\n"
		    "node_schedstat_waiting_seconds_total{cpu=\"0\"} 343796.328169361\n"
		    "node_schedstat_waiting_seconds_total{cpu=\"1\"} 364107.263788241\n" },
	{ "HELP and TYPE",
	  { { "proc/schedstat", "cpu3 0 0 0 0 0 0 1000000000 2 3\n" } },
	  .expect = "# HELP node_schedstat_running_seconds_total Number of seconds CPU spent running a process.\n"
		    "# TYPE node_schedstat_running_seconds_total counter\n"
		    "node_schedstat_running_seconds_total{cpu=\"3\"} 1\n"
		    "# HELP node_schedstat_timeslices_total Number of timeslices executed by CPU.\n"
		    "# TYPE node_schedstat_timeslices_total counter\nnode_schedstat_timeslices_total{cpu=\"3\"} 3\n"
		    "# HELP node_schedstat_waiting_seconds_total Number of seconds spent by processing waiting for "
		    "this CPU.\n# TYPE node_schedstat_waiting_seconds_total counter\n"
		    "node_schedstat_waiting_seconds_total{cpu=\"3\"} 2e-09\n",
	  .full = true },
	{ "lines that do not match are skipped, as procfs's regex does",
	  { { "proc/schedstat", "cpu0 1 2 3 4 5 6 7 8\n"          /* eight values */
				"cpu1 1 2 3 4 5 6 7 8 x\n"        /* not a number */
				"cpu2  1 2 3 4 5 6 7 8 9\n"       /* two spaces */
				"cpu 1 2 3 4 5 6 7 8 9\n"         /* no number */
				"cpu4 1 2 3 4 5 6 7 8 9 10 11\n"  /* longer lines match */
				"cpu5 1 2 3 4 5 6 99999999999999999999 8 9\n" /* overflow: skipped */
				"cpu6 0 0 0 0 0 0 0 0 18446744073709551615\n" } },
	  .expect = "node_schedstat_running_seconds_total{cpu=\"4\"} 7e-09\n"
		    "node_schedstat_running_seconds_total{cpu=\"6\"} 0\n"
		    "node_schedstat_timeslices_total{cpu=\"4\"} 9\n"
		    "node_schedstat_timeslices_total{cpu=\"6\"} 1.8446744073709552e+19\n"
		    "node_schedstat_waiting_seconds_total{cpu=\"4\"} 8e-09\n"
		    "node_schedstat_waiting_seconds_total{cpu=\"6\"} 0\n" },
	{ "missing file: no data", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty file", { { "proc/schedstat", "" } }, .expect = "" },
	{ "truncated", { { "proc/schedstat", "version 15\ncpu0 1 2 3 4 5 6 7" } }, .expect = "" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_schedstat, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
