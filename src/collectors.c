/* The collector table: one row per collector, sorted by name. Adding a collector means one new file in
 * collectors/ and one row here. */
#include "collector.h"

extern const struct collector collector_cpufreq;
extern const struct collector collector_hwmon;
extern const struct collector collector_loadavg;
extern const struct collector collector_meminfo;
extern const struct collector collector_thermal_zone;

const struct collector *const collector_table[] = {
	&collector_cpufreq,
	&collector_hwmon,
	&collector_loadavg,
	&collector_meminfo,
	&collector_thermal_zone,
};

const size_t collector_count = ARRAY_SIZE(collector_table);
