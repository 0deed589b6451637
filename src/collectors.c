/* The collector table: one row per collector, sorted by name. Adding a collector means one new file in
 * collectors/ and one row here. */
#include "collector.h"

extern const struct collector collector_conntrack;
extern const struct collector collector_cpu;
extern const struct collector collector_entropy;
extern const struct collector collector_filefd;
extern const struct collector collector_loadavg;
extern const struct collector collector_meminfo;
extern const struct collector collector_netstat;
extern const struct collector collector_pressure;
extern const struct collector collector_schedstat;
extern const struct collector collector_sockstat;
extern const struct collector collector_softnet;
extern const struct collector collector_stat;
extern const struct collector collector_vmstat;

const struct collector *const collector_table[] = {
	&collector_conntrack,
	&collector_cpu,
	&collector_entropy,
	&collector_filefd,
	&collector_loadavg,
	&collector_meminfo,
	&collector_netstat,
	&collector_pressure,
	&collector_schedstat,
	&collector_sockstat,
	&collector_softnet,
	&collector_stat,
	&collector_vmstat,
};

const size_t collector_count = ARRAY_SIZE(collector_table);
