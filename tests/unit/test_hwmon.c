#include "harness.h"

extern const struct collector collector_hwmon;

/* A coretemp chip: device link, name file, labels, a sensor in device/ too. */
#define CORETEMP                                                                                    \
	{ "sys/devices/platform/coretemp.0/hwmon/hwmon0/name", "coretemp\n" },                    \
	{ "sys/devices/platform/coretemp.0/hwmon/hwmon0/device", "->../../../coretemp.0" },        \
	{ "sys/devices/platform/coretemp.0/hwmon/hwmon0/temp1_input", "41000\n" },                \
	{ "sys/devices/platform/coretemp.0/hwmon/hwmon0/temp1_label", "Package id 0\n" },         \
	{ "sys/devices/platform/coretemp.0/hwmon/hwmon0/temp1_crit", "100000\n" },                \
	{ "sys/devices/platform/coretemp.0/hwmon/hwmon0/temp1_crit_alarm", "0\n" },               \
	{ "sys/class/hwmon/hwmon0", "->../../devices/platform/coretemp.0/hwmon/hwmon0" }

static const struct collector_case cases[] = {
	{ "coretemp",
	  { CORETEMP },
	  .expect = "node_hwmon_chip_names{chip=\"platform_coretemp_0\",chip_name=\"coretemp\"} 1\n"
		    "node_hwmon_sensor_label{chip=\"platform_coretemp_0\",label=\"Package id 0\",sensor=\"temp1\"} 1\n"
		    "node_hwmon_temp_celsius{chip=\"platform_coretemp_0\",sensor=\"temp1\"} 41\n"
		    "node_hwmon_temp_crit_alarm_celsius{chip=\"platform_coretemp_0\",sensor=\"temp1\"} 0\n"
		    "node_hwmon_temp_crit_celsius{chip=\"platform_coretemp_0\",sensor=\"temp1\"} 100\n" },
	/* Issue 14, defect 2: the part of a file name after the sensor lands in HELP, which must be UTF-8. */
	{ "file name that is not UTF-8",
	  { { "sys/class/hwmon/hwmon1/name", "x\n" }, { "sys/class/hwmon/hwmon1/temp1_\xff", "1000\n" } },
	  .full = true,
	  .expect = "# HELP node_hwmon_chip_names Annotation metric for human-readable chip names\n"
		    "# TYPE node_hwmon_chip_names gauge\n"
		    "node_hwmon_chip_names{chip=\"x\",chip_name=\"x\"} 1\n"
		    "# HELP node_hwmon_temp__celsius Hardware monitor for temperature (\xef\xbf\xbd)\n"
		    "# TYPE node_hwmon_temp__celsius gauge\n"
		    "node_hwmon_temp__celsius{chip=\"x\",sensor=\"temp1\"} 1\n" },
	{ "help texts and types",
	  { { "sys/class/hwmon/hwmon1/name", "acpi_power\n" },
	    { "sys/class/hwmon/hwmon1/power1_average", "12500000\n" },
	    { "sys/class/hwmon/hwmon1/power1_average_interval", "1000\n" },
	    { "sys/class/hwmon/hwmon1/power1_accuracy", "50000\n" },
	    { "sys/class/hwmon/hwmon1/energy1_input", "2000000\n" },
	    { "sys/class/hwmon/hwmon1/humidity1_input", "45500000\n" },
	    { "sys/class/hwmon/hwmon1/curr1_input", "1500\n" },
	    { "sys/class/hwmon/hwmon1/in0_input", "1200\n" },
	    { "sys/class/hwmon/hwmon1/fan1_input", "1200\n" },
	    { "sys/class/hwmon/hwmon1/fan1_fault", "0\n" },
	    { "sys/class/hwmon/hwmon1/fan1_beep", "1\n" },
	    { "sys/class/hwmon/hwmon1/pwm1", "128\n" },
	    { "sys/class/hwmon/hwmon1/pwm1_enable", "2\n" },
	    { "sys/class/hwmon/hwmon1/temp2_type", "4\n" },
	    { "sys/class/hwmon/hwmon1/vrm", "9.1\n" },
	    { "sys/class/hwmon/hwmon1/update_interval", "500\n" },
	    { "sys/class/hwmon/hwmon1/beep_enable", "1\n" } },
	  .full = true,
	  .expect = "# HELP node_hwmon_beep_enabled Hardware beep enabled\n"
		    "# TYPE node_hwmon_beep_enabled gauge\n"
		    "node_hwmon_beep_enabled{chip=\"acpi_power\",sensor=\"beep_enable0\"} 1\n"
		    "# HELP node_hwmon_chip_names Annotation metric for human-readable chip names\n"
		    "# TYPE node_hwmon_chip_names gauge\n"
		    "node_hwmon_chip_names{chip=\"acpi_power\",chip_name=\"acpi_power\"} 1\n"
		    "# HELP node_hwmon_curr_amps Hardware monitor for current (input)\n"
		    "# TYPE node_hwmon_curr_amps gauge\n"
		    "node_hwmon_curr_amps{chip=\"acpi_power\",sensor=\"curr1\"} 1.5\n"
		    "# HELP node_hwmon_energy_joule_total Hardware monitor for joules used so far (input)\n"
		    "# TYPE node_hwmon_energy_joule_total counter\n"
		    "node_hwmon_energy_joule_total{chip=\"acpi_power\",sensor=\"energy1\"} 2\n"
		    "# HELP node_hwmon_fan_beep_enabled Hardware monitor sensor has beeping enabled\n"
		    "# TYPE node_hwmon_fan_beep_enabled gauge\n"
		    "node_hwmon_fan_beep_enabled{chip=\"acpi_power\",sensor=\"fan1\"} 1\n"
		    "# HELP node_hwmon_fan_fault Hardware sensor fault status (fan)\n"
		    "# TYPE node_hwmon_fan_fault gauge\n"
		    "node_hwmon_fan_fault{chip=\"acpi_power\",sensor=\"fan1\"} 0\n"
		    "# HELP node_hwmon_fan_rpm Hardware monitor for fan revolutions per minute (input)\n"
		    "# TYPE node_hwmon_fan_rpm gauge\n"
		    "node_hwmon_fan_rpm{chip=\"acpi_power\",sensor=\"fan1\"} 1200\n"
		    "# HELP node_hwmon_humidity Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (input)\n"
		    "# TYPE node_hwmon_humidity gauge\n"
		    "node_hwmon_humidity{chip=\"acpi_power\",sensor=\"humidity1\"} 45.5\n"
		    "# HELP node_hwmon_in_volts Hardware monitor for voltage (input)\n"
		    "# TYPE node_hwmon_in_volts gauge\n"
		    "node_hwmon_in_volts{chip=\"acpi_power\",sensor=\"in0\"} 1.2\n"
		    "# HELP node_hwmon_power_accuracy Hardware monitor power meter accuracy, as a ratio\n"
		    "# TYPE node_hwmon_power_accuracy gauge\n"
		    "node_hwmon_power_accuracy{chip=\"acpi_power\",sensor=\"power1\"} 0.05\n"
		    "# HELP node_hwmon_power_average_interval_seconds Hardware monitor power usage update interval (average_interval)\n"
		    "# TYPE node_hwmon_power_average_interval_seconds gauge\n"
		    "node_hwmon_power_average_interval_seconds{chip=\"acpi_power\",sensor=\"power1\"} 1\n"
		    "# HELP node_hwmon_power_average_watt Hardware monitor for power usage in watts (average)\n"
		    "# TYPE node_hwmon_power_average_watt gauge\n"
		    "node_hwmon_power_average_watt{chip=\"acpi_power\",sensor=\"power1\"} 12.5\n"
		    "# HELP node_hwmon_pwm Hardware monitor pwm element \n"
		    "# TYPE node_hwmon_pwm gauge\n"
		    "node_hwmon_pwm{chip=\"acpi_power\",sensor=\"pwm1\"} 128\n"
		    "# HELP node_hwmon_pwm_enable Hardware monitor pwm element enable\n"
		    "# TYPE node_hwmon_pwm_enable gauge\n"
		    "node_hwmon_pwm_enable{chip=\"acpi_power\",sensor=\"pwm1\"} 2\n"
		    "# HELP node_hwmon_temp_type Hardware monitor temp element type\n"
		    "# TYPE node_hwmon_temp_type gauge\n"
		    "node_hwmon_temp_type{chip=\"acpi_power\",sensor=\"temp2\"} 4\n"
		    "# HELP node_hwmon_update_interval_seconds Hardware monitor update interval\n"
		    "# TYPE node_hwmon_update_interval_seconds gauge\n"
		    "node_hwmon_update_interval_seconds{chip=\"acpi_power\",sensor=\"update_interval0\"} 0.5\n"
		    "# HELP node_hwmon_voltage_regulator_version Hardware voltage regulator\n"
		    "# TYPE node_hwmon_voltage_regulator_version gauge\n"
		    "node_hwmon_voltage_regulator_version{chip=\"acpi_power\",sensor=\"vrm0\"} 9.1\n" },
	{ "bare file and _input: the input gets its own name",
	  { { "sys/class/hwmon/hwmon2/name", "X Sensor!\n" },
	    { "sys/class/hwmon/hwmon2/temp1", "20000\n" },
	    { "sys/class/hwmon/hwmon2/temp1_input", "21000\n" } },
	  .expect = "node_hwmon_chip_names{chip=\"x_sensor\",chip_name=\"x_sensor\"} 1\n"
		    "node_hwmon_temp_celsius{chip=\"x_sensor\",sensor=\"temp1\"} 20\n"
		    "node_hwmon_temp_input_celsius{chip=\"x_sensor\",sensor=\"temp1\"} 21\n" },
	{ "no device, no name: hwmonN; GPU clocks labelled by their cleaned label",
	  { { "sys/class/hwmon/hwmon3/freq1_input", "1800000000\n" },
	    { "sys/class/hwmon/hwmon3/freq1_label", "SCLK\n" },
	    { "sys/class/hwmon/hwmon3/freq2_input", "900000000\n" } },
	  .expect = "node_hwmon_freq_freq_mhz{chip=\"hwmon3\",sensor=\"sclk\"} 1800\n"
		    "node_hwmon_sensor_label{chip=\"hwmon3\",label=\"SCLK\",sensor=\"freq1\"} 1\n" },
	{ "two chips on one device: told apart by name, else by hwmonN",
	  { { "sys/devices/platform/asus-nb-wmi/hwmon/hwmon6/device", "->../../../asus-nb-wmi" },
	    { "sys/devices/platform/asus-nb-wmi/hwmon/hwmon6/name", "asus\n" },
	    { "sys/devices/platform/asus-nb-wmi/hwmon/hwmon6/pwm1_enable", "2\n" },
	    { "sys/devices/platform/asus-nb-wmi/hwmon/hwmon7/device", "->../../../asus-nb-wmi" },
	    { "sys/devices/platform/asus-nb-wmi/hwmon/hwmon7/name", "asus\n" },
	    { "sys/devices/platform/asus-nb-wmi/hwmon/hwmon7/pwm1_enable", "1\n" },
	    { "sys/devices/platform/asus-nb-wmi/hwmon/hwmon8/device", "->../../../asus-nb-wmi" },
	    { "sys/devices/platform/asus-nb-wmi/hwmon/hwmon8/name", "asus_wmi_sensors\n" },
	    { "sys/devices/platform/asus-nb-wmi/hwmon/hwmon8/pwm1_enable", "0\n" },
	    { "sys/class/hwmon/hwmon6", "->../../devices/platform/asus-nb-wmi/hwmon/hwmon6" },
	    { "sys/class/hwmon/hwmon7", "->../../devices/platform/asus-nb-wmi/hwmon/hwmon7" },
	    { "sys/class/hwmon/hwmon8", "->../../devices/platform/asus-nb-wmi/hwmon/hwmon8" } },
	  .expect = "node_hwmon_chip_names{chip=\"platform_asus_nb_wmi_asus_wmi_sensors\",chip_name=\"asus_wmi_sensors\"} 1\n"
		    "node_hwmon_chip_names{chip=\"platform_asus_nb_wmi_hwmon6\",chip_name=\"asus\"} 1\n"
		    "node_hwmon_chip_names{chip=\"platform_asus_nb_wmi_hwmon7\",chip_name=\"asus\"} 1\n"
		    "node_hwmon_pwm_enable{chip=\"platform_asus_nb_wmi_asus_wmi_sensors\",sensor=\"pwm1\"} 0\n"
		    "node_hwmon_pwm_enable{chip=\"platform_asus_nb_wmi_hwmon6\",sensor=\"pwm1\"} 2\n"
		    "node_hwmon_pwm_enable{chip=\"platform_asus_nb_wmi_hwmon7\",sensor=\"pwm1\"} 1\n" },
	{ "device values replace the chip's own; device/ sensors are read",
	  { { "sys/devices/platform/applesmc.768/fan1_input", "2000\n" },
	    { "sys/devices/platform/applesmc.768/fan1_label", "Left side  \n" },
	    { "sys/devices/platform/applesmc.768/fan1_safe", "" },
	    { "sys/devices/platform/applesmc.768/hwmon/hwmon2/fan1_input", "1000\n" },
	    { "sys/devices/platform/applesmc.768/hwmon/hwmon2/device", "->../../../applesmc.768" },
	    { "sys/class/hwmon/hwmon2", "->../../devices/platform/applesmc.768/hwmon/hwmon2" } },
	  .expect = "node_hwmon_fan_rpm{chip=\"platform_applesmc_768\",sensor=\"fan1\"} 2000\n"
		    "node_hwmon_sensor_label{chip=\"platform_applesmc_768\",label=\"Left side  \",sensor=\"fan1\"} 1\n" },
	{ "chip include filter applies to the final label",
	  { CORETEMP, { "sys/class/hwmon/hwmon9/name", "nvme\n" }, { "sys/class/hwmon/hwmon9/temp1_input", "30000\n" } },
	  .args = { "--collector.hwmon.chip-include=^nvme$" },
	  .expect = "node_hwmon_chip_names{chip=\"nvme\",chip_name=\"nvme\"} 1\n"
		    "node_hwmon_temp_celsius{chip=\"nvme\",sensor=\"temp1\"} 30\n" },
	{ "chip exclude",
	  { CORETEMP, { "sys/class/hwmon/hwmon9/name", "nvme\n" }, { "sys/class/hwmon/hwmon9/temp1_input", "30000\n" } },
	  .args = { "--collector.hwmon.chip-exclude=coretemp" },
	  .expect = "node_hwmon_chip_names{chip=\"nvme\",chip_name=\"nvme\"} 1\n"
		    "node_hwmon_temp_celsius{chip=\"nvme\",sensor=\"temp1\"} 30\n" },
	{ "sensor filters match chip;sensor",
	  { { "sys/class/hwmon/hwmon9/name", "nvme\n" },
	    { "sys/class/hwmon/hwmon9/temp1_input", "30000\n" },
	    { "sys/class/hwmon/hwmon9/temp2_input", "31000\n" } },
	  .args = { "--collector.hwmon.sensor-exclude=^nvme;temp2$" },
	  .expect = "node_hwmon_chip_names{chip=\"nvme\",chip_name=\"nvme\"} 1\n"
		    "node_hwmon_temp_celsius{chip=\"nvme\",sensor=\"temp1\"} 30\n" },
	{ "sensor include",
	  { { "sys/class/hwmon/hwmon9/name", "nvme\n" },
	    { "sys/class/hwmon/hwmon9/temp1_input", "30000\n" },
	    { "sys/class/hwmon/hwmon9/temp2_input", "31000\n" } },
	  .args = { "--collector.hwmon.sensor-include=temp2" },
	  .expect = "node_hwmon_chip_names{chip=\"nvme\",chip_name=\"nvme\"} 1\n"
		    "node_hwmon_temp_celsius{chip=\"nvme\",sensor=\"temp2\"} 31\n" },
	{ "garbage, empty, huge and odd names",
	  { { "sys/class/hwmon/hwmon4/name", "k\n" },
	    { "sys/class/hwmon/hwmon4/temp1_input", "N/A\n" },
	    { "sys/class/hwmon/hwmon4/temp2_input", "" },
	    { "sys/class/hwmon/hwmon4/temp3_input", " 5000\n" },
	    { "sys/class/hwmon/hwmon4/temp4_input", "1e300\n" },
	    { "sys/class/hwmon/hwmon4/temp05_max", "7000\n" },
	    { "sys/class/hwmon/hwmon4/temp99999999999999999999_input", "1000\n" },
	    { "sys/class/hwmon/hwmon4/temp_x1", "1000\n" },
	    { "sys/class/hwmon/hwmon4/fan1_", "1\n" },
	    { "sys/class/hwmon/hwmon4/subsystem", NULL },
	    { "sys/class/hwmon/hwmon4/uevent", "OF_NAME=x\n" } },
	  .expect = "node_hwmon_chip_names{chip=\"k\",chip_name=\"k\"} 1\n"
		    "node_hwmon_temp_celsius{chip=\"k\",sensor=\"temp4\"} 1e+297\n"
		    "node_hwmon_temp_max_celsius{chip=\"k\",sensor=\"temp5\"} 7\n" },
	{ "a value longer than one 128-byte read is cut",
	  { { "sys/class/hwmon/hwmon5/name", "x\n" },
	    { "sys/class/hwmon/hwmon5/temp1_label",
	      "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123456789\n" } },
	  .expect = "node_hwmon_chip_names{chip=\"x\",chip_name=\"x\"} 1\n"
		    "node_hwmon_sensor_label{chip=\"x\",label=\"01234567890123456789012345678901234567890123456789012345678901234"
		    "567890123456789012345678901234567890123456789012345678901234567\",sensor=\"temp1\"} 1\n" },
	{ "invalid UTF-8 label is repaired; non-directories and dangling links ignored",
	  { { "sys/class/hwmon/hwmon1/name", "x\n" },
	    { "sys/class/hwmon/hwmon1/in1_label", "V\xff" "core\n" },
	    { "sys/class/hwmon/hwmon1/in1_input", "900\n" },
	    { "sys/class/hwmon/hwmon2", "not a directory" },
	    { "sys/class/hwmon/hwmon3", "->../../nowhere" } },
	  .expect = "node_hwmon_chip_names{chip=\"x\",chip_name=\"x\"} 1\n"
		    "node_hwmon_in_volts{chip=\"x\",sensor=\"in1\"} 0.9\n"
		    "node_hwmon_sensor_label{chip=\"x\",label=\"V\xef\xbf\xbd" "core\",sensor=\"in1\"} 1\n" },
	{ "no hwmon class: no data", { { "sys/class", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty class", { { "sys/class/hwmon", NULL } }, .expect = "" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_hwmon, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
