/* The collector table: one row per collector, sorted by name. Adding a collector means one new file in
 * collectors/ and one row here. */
#include "collector.h"

extern const struct collector collector_cpu_vulnerabilities;
extern const struct collector collector_cpufreq;
extern const struct collector collector_dmi;
extern const struct collector collector_drm;
extern const struct collector collector_edac;
extern const struct collector collector_fibrechannel;
extern const struct collector collector_hwmon;
extern const struct collector collector_infiniband;
extern const struct collector collector_loadavg;
extern const struct collector collector_meminfo;
extern const struct collector collector_nvme;
extern const struct collector collector_nvmesubsystem;
extern const struct collector collector_pcidevice;
extern const struct collector collector_powersupplyclass;
extern const struct collector collector_rapl;
extern const struct collector collector_tapestats;
extern const struct collector collector_thermal_zone;
extern const struct collector collector_watchdog;

const struct collector *const collector_table[] = {
	&collector_cpu_vulnerabilities,
	&collector_cpufreq,
	&collector_dmi,
	&collector_drm,
	&collector_edac,
	&collector_fibrechannel,
	&collector_hwmon,
	&collector_infiniband,
	&collector_loadavg,
	&collector_meminfo,
	&collector_nvme,
	&collector_nvmesubsystem,
	&collector_pcidevice,
	&collector_powersupplyclass,
	&collector_rapl,
	&collector_tapestats,
	&collector_thermal_zone,
	&collector_watchdog,
};

const size_t collector_count = ARRAY_SIZE(collector_table);
