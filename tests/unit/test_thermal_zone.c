#include "harness.h"

extern const struct collector collector_thermal_zone;

#define ZONE0                                                                     \
	{ "sys/class/thermal/thermal_zone0/type", "x86_pkg_temp\n" },           \
	{ "sys/class/thermal/thermal_zone0/policy", "step_wise\n" },            \
	{ "sys/class/thermal/thermal_zone0/temp", "47000\n" },                  \
	{ "sys/class/thermal/thermal_zone0/mode", "enabled\n" }
#define COOL0                                                                     \
	{ "sys/class/thermal/cooling_device0/type", "Processor\n" },            \
	{ "sys/class/thermal/cooling_device0/max_state", "10\n" },              \
	{ "sys/class/thermal/cooling_device0/cur_state", "0\n" }

static const struct collector_case cases[] = {
	{ "zone and cooling device",
	  { ZONE0, COOL0,
	    { "sys/class/thermal/thermal_zone10/type", "acpitz\n" },
	    { "sys/class/thermal/thermal_zone10/policy", "step_wise\n" },
	    { "sys/class/thermal/thermal_zone10/temp", "-5500\n" },
	    { "sys/class/thermal/thermal_zone10/passive", "0\n" },
	    { "sys/class/thermal/cooling_device1/type", "intel_powerclamp\n" },
	    { "sys/class/thermal/cooling_device1/max_state", "50\n" },
	    { "sys/class/thermal/cooling_device1/cur_state", "-1\n" } },
	  .full = true,
	  .expect = "# HELP node_cooling_device_cur_state Current throttle state of the cooling device\n"
		    "# TYPE node_cooling_device_cur_state gauge\n"
		    "node_cooling_device_cur_state{name=\"0\",type=\"Processor\"} 0\n"
		    "node_cooling_device_cur_state{name=\"1\",type=\"intel_powerclamp\"} -1\n"
		    "# HELP node_cooling_device_max_state Maximum throttle state of the cooling device\n"
		    "# TYPE node_cooling_device_max_state gauge\n"
		    "node_cooling_device_max_state{name=\"0\",type=\"Processor\"} 10\n"
		    "node_cooling_device_max_state{name=\"1\",type=\"intel_powerclamp\"} 50\n"
		    "# HELP node_thermal_zone_temp Zone temperature in Celsius\n"
		    "# TYPE node_thermal_zone_temp gauge\n"
		    "node_thermal_zone_temp{type=\"acpitz\",zone=\"10\"} -5.5\n"
		    "node_thermal_zone_temp{type=\"x86_pkg_temp\",zone=\"0\"} 47\n" },
	{ "disabled zone and zone without temp are skipped",
	  { ZONE0,
	    { "sys/class/thermal/thermal_zone1/type", "iwlwifi_1\n" },
	    { "sys/class/thermal/thermal_zone1/policy", "step_wise\n" },
	    { "sys/class/thermal/thermal_zone1/temp", "30000\n" },
	    { "sys/class/thermal/thermal_zone1/mode", "disabled\n" },
	    { "sys/class/thermal/thermal_zone2/type", "acpitz\n" },
	    { "sys/class/thermal/thermal_zone2/policy", "step_wise\n" } },
	  .expect = "node_thermal_zone_temp{type=\"x86_pkg_temp\",zone=\"0\"} 47\n" },
	{ "unparsable temperature fails and reports no zone",
	  { ZONE0,
	    { "sys/class/thermal/thermal_zone1/type", "acpitz\n" },
	    { "sys/class/thermal/thermal_zone1/policy", "step_wise\n" },
	    { "sys/class/thermal/thermal_zone1/temp", "47.5\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "a read error (a directory as temp) fails",
	  { ZONE0,
	    { "sys/class/thermal/thermal_zone1/type", "acpitz\n" },
	    { "sys/class/thermal/thermal_zone1/policy", "step_wise\n" },
	    { "sys/class/thermal/thermal_zone1/temp", NULL } },
	  .expect = "", .expect_fail = 1 },
	{ "cooling device without max_state skipped; bad cur_state fails after the zones",
	  { ZONE0,
	    { "sys/class/thermal/cooling_device0/type", "Fan\n" },
	    { "sys/class/thermal/cooling_device0/cur_state", "1\n" },
	    { "sys/class/thermal/cooling_device1/type", "Fan\n" },
	    { "sys/class/thermal/cooling_device1/max_state", "3\n" },
	    { "sys/class/thermal/cooling_device1/cur_state", "high\n" } },
	  .expect = "node_thermal_zone_temp{type=\"x86_pkg_temp\",zone=\"0\"} 47\n", .expect_fail = 1 },
	{ "not numbered entries are ignored",
	  { ZONE0, { "sys/class/thermal/thermal_zone/temp", "1\n" }, { "sys/class/thermal/cooling_devicex/type", "a\n" } },
	  .expect = "node_thermal_zone_temp{type=\"x86_pkg_temp\",zone=\"0\"} 47\n" },
	{ "no thermal class", { { "sys", NULL } }, .expect = "" },
	{ "huge temperature", 
	  { { "sys/class/thermal/thermal_zone0/type", "t\n" },
	    { "sys/class/thermal/thermal_zone0/policy", "p\n" },
	    { "sys/class/thermal/thermal_zone0/temp", "9223372036854775807\n" } },
	  .expect = "node_thermal_zone_temp{type=\"t\",zone=\"0\"} 9.223372036854776e+15\n" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_thermal_zone, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
