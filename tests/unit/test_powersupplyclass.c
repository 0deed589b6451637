#include "harness.h"

extern const struct collector collector_powersupplyclass;

#define AC { "sys/class/power_supply/AC/online", "1\n" }, { "sys/class/power_supply/AC/type", "Mains\n" }
#define BAT                                                                              \
	{ "sys/class/power_supply/BAT0/capacity", "81\n" },                             \
	{ "sys/class/power_supply/BAT0/energy_now", "36580000\n" },                    \
	{ "sys/class/power_supply/BAT0/voltage_now", "11660000\n" },                   \
	{ "sys/class/power_supply/BAT0/temp", "305\n" },                               \
	{ "sys/class/power_supply/BAT0/time_to_empty_now", "0x10\n" },                 \
	{ "sys/class/power_supply/BAT0/status", "Discharging\n" },                     \
	{ "sys/class/power_supply/BAT0/manufacturer", "LGC\n" },                       \
	{ "sys/class/power_supply/BAT0/model_name", "LNV-45N1\xff\xfe\n" },            \
	{ "sys/class/power_supply/BAT0/serial_number", "\n" },                         \
	{ "sys/class/power_supply/BAT0/type", "Battery\n" },                           \
	{ "sys/class/power_supply/BAT0/uevent", "POWER_SUPPLY_NAME=BAT0\n" },          \
	{ "sys/class/power_supply/BAT0/device", "->.." },                               \
	{ "sys/class/power_supply/BAT0/power", NULL }

static const struct collector_case cases[] = {
	{ "mains and battery, sparse info labels",
	  { AC, BAT },
	  .full = true,
	  .expect = "# HELP node_power_supply_capacity capacity value of /sys/class/power_supply/<power_supply>.\n"
		    "# TYPE node_power_supply_capacity gauge\n"
		    "node_power_supply_capacity{power_supply=\"BAT0\"} 81\n"
		    "# HELP node_power_supply_energy_watthour energy_watthour value of /sys/class/power_supply/<power_supply>.\n"
		    "# TYPE node_power_supply_energy_watthour gauge\n"
		    "node_power_supply_energy_watthour{power_supply=\"BAT0\"} 36.58\n"
		    "# HELP node_power_supply_info info of /sys/class/power_supply/<power_supply>.\n"
		    "# TYPE node_power_supply_info gauge\n"
		    "node_power_supply_info{power_supply=\"AC\",type=\"Mains\"} 1\n"
		    "node_power_supply_info{manufacturer=\"LGC\",model_name=\"LNV-45N1\xef\xbf\xbd\",power_supply=\"BAT0\","
		    "status=\"Discharging\",type=\"Battery\"} 1\n"
		    "# HELP node_power_supply_online online value of /sys/class/power_supply/<power_supply>.\n"
		    "# TYPE node_power_supply_online gauge\n"
		    "node_power_supply_online{power_supply=\"AC\"} 1\n"
		    "# HELP node_power_supply_temp_celsius temp_celsius value of /sys/class/power_supply/<power_supply>.\n"
		    "# TYPE node_power_supply_temp_celsius gauge\n"
		    "node_power_supply_temp_celsius{power_supply=\"BAT0\"} 30.5\n"
		    "# HELP node_power_supply_time_to_empty_seconds time_to_empty_seconds value of /sys/class/power_supply/<power_supply>.\n"
		    "# TYPE node_power_supply_time_to_empty_seconds gauge\n"
		    "node_power_supply_time_to_empty_seconds{power_supply=\"BAT0\"} 16\n"
		    "# HELP node_power_supply_voltage_volt voltage_volt value of /sys/class/power_supply/<power_supply>.\n"
		    "# TYPE node_power_supply_voltage_volt gauge\n"
		    "node_power_supply_voltage_volt{power_supply=\"BAT0\"} 11.66\n" },
	{ "ignored supplies",
	  { AC, BAT },
	  .args = { "--collector.powersupply.ignored-supplies=^BAT" },
	  .expect = "node_power_supply_info{power_supply=\"AC\",type=\"Mains\"} 1\n"
		    "node_power_supply_online{power_supply=\"AC\"} 1\n" },
	{ "a number that does not parse fails, even one not exported",
	  { AC, { "sys/class/power_supply/BAT1/current_avg", "n/a\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "negative current, huge energy",
	  { { "sys/class/power_supply/BAT1/current_now", "-1500000\n" },
	    { "sys/class/power_supply/BAT1/energy_full", "9223372036854775807\n" } },
	  .expect = "node_power_supply_current_ampere{power_supply=\"BAT1\"} -1.5\n"
		    "node_power_supply_energy_full{power_supply=\"BAT1\"} 9.223372036854775e+12\n"
		    "node_power_supply_info{power_supply=\"BAT1\"} 1\n" },
	{ "a supply that is not a directory fails", { AC, { "sys/class/power_supply/oops", "x" } },
	  .expect = "", .expect_fail = 1 },
	{ "a dangling supply link is no data", { AC, { "sys/class/power_supply/gone", "->../nowhere" } },
	  .expect = "", .expect_fail = 1 },
	{ "no class is no data", { { "sys/class", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty class", { { "sys/class/power_supply", NULL } }, .expect = "" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_powersupplyclass, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
