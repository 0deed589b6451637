#include "harness.h"

extern const struct collector collector_watchdog;

static const struct collector_case cases[] = {
	{ "full device and an empty one",
	  { { "sys/class/watchdog/watchdog0/bootstatus", "1\n" },
	    { "sys/class/watchdog/watchdog0/options", "0x8380\n" },
	    { "sys/class/watchdog/watchdog0/fw_version", "2\n" },
	    { "sys/class/watchdog/watchdog0/identity", "iTCO_wdt\n" },
	    { "sys/class/watchdog/watchdog0/nowayout", "0\n" },
	    { "sys/class/watchdog/watchdog0/state", "active\n" },
	    { "sys/class/watchdog/watchdog0/status", "0x8000\n" },
	    { "sys/class/watchdog/watchdog0/timeleft", "300\n" },
	    { "sys/class/watchdog/watchdog0/timeout", "0x3c\n" },
	    { "sys/class/watchdog/watchdog0/pretimeout", "120\n" },
	    { "sys/class/watchdog/watchdog0/pretimeout_governor", "noop\n" },
	    { "sys/class/watchdog/watchdog0/access_cs0", "0\n" },
	    { "sys/class/watchdog/watchdog1", NULL } },
	  .full = true,
	  .expect = "# HELP node_watchdog_access_cs0 Value of /sys/class/watchdog/<watchdog>/access_cs0\n"
		    "# TYPE node_watchdog_access_cs0 gauge\n"
		    "node_watchdog_access_cs0{name=\"watchdog0\"} 0\n"
		    "# HELP node_watchdog_bootstatus Value of /sys/class/watchdog/<watchdog>/bootstatus\n"
		    "# TYPE node_watchdog_bootstatus gauge\n"
		    "node_watchdog_bootstatus{name=\"watchdog0\"} 1\n"
		    "# HELP node_watchdog_fw_version Value of /sys/class/watchdog/<watchdog>/fw_version\n"
		    "# TYPE node_watchdog_fw_version gauge\n"
		    "node_watchdog_fw_version{name=\"watchdog0\"} 2\n"
		    "# HELP node_watchdog_info Info of /sys/class/watchdog/<watchdog>\n"
		    "# TYPE node_watchdog_info gauge\n"
		    "node_watchdog_info{identity=\"\",name=\"watchdog1\",options=\"\",pretimeout_governor=\"\",state=\"\",status=\"\"} 1\n"
		    "node_watchdog_info{identity=\"iTCO_wdt\",name=\"watchdog0\",options=\"0x8380\",pretimeout_governor=\"noop\",state=\"active\",status=\"0x8000\"} 1\n"
		    "# HELP node_watchdog_nowayout Value of /sys/class/watchdog/<watchdog>/nowayout\n"
		    "# TYPE node_watchdog_nowayout gauge\n"
		    "node_watchdog_nowayout{name=\"watchdog0\"} 0\n"
		    "# HELP node_watchdog_pretimeout_seconds Value of /sys/class/watchdog/<watchdog>/pretimeout\n"
		    "# TYPE node_watchdog_pretimeout_seconds gauge\n"
		    "node_watchdog_pretimeout_seconds{name=\"watchdog0\"} 120\n"
		    "# HELP node_watchdog_timeleft_seconds Value of /sys/class/watchdog/<watchdog>/timeleft\n"
		    "# TYPE node_watchdog_timeleft_seconds gauge\n"
		    "node_watchdog_timeleft_seconds{name=\"watchdog0\"} 300\n"
		    "# HELP node_watchdog_timeout_seconds Value of /sys/class/watchdog/<watchdog>/timeout\n"
		    "# TYPE node_watchdog_timeout_seconds gauge\n"
		    "node_watchdog_timeout_seconds{name=\"watchdog0\"} 60\n" },
	{ "bad number fails and reports nothing",
	  { { "sys/class/watchdog/watchdog0/timeout", "60\n" }, { "sys/class/watchdog/watchdog1/timeout", "1m\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "unreadable attribute (a directory) fails",
	  { { "sys/class/watchdog/watchdog0/timeout", NULL } }, .expect = "", .expect_fail = 1 },
	{ "a plain file in the class fails",
	  { { "sys/class/watchdog/watchdog0", "x" } }, .expect = "", .expect_fail = 1 },
	{ "negative and empty",
	  { { "sys/class/watchdog/watchdog0/timeleft", "-1\n" }, { "sys/class/watchdog/watchdog0/identity", "\n" } },
	  .expect = "node_watchdog_info{identity=\"\",name=\"watchdog0\",options=\"\",pretimeout_governor=\"\",state=\"\",status=\"\"} 1\n"
		    "node_watchdog_timeleft_seconds{name=\"watchdog0\"} -1\n" },
	{ "no class is no data", { { "sys/class", NULL } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_watchdog, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
