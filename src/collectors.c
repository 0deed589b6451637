/* The collector table: one row per collector, sorted by name. Adding a collector means one new file in
 * collectors/ and one row here (tests/tools/collector-table.sh writes the rows from collectors/). */
#include "collector.h"

extern const struct collector collector_buddyinfo;
extern const struct collector collector_cgroups;
extern const struct collector collector_conntrack;
extern const struct collector collector_cpu;
extern const struct collector collector_entropy;
extern const struct collector collector_filefd;
extern const struct collector collector_interrupts;
extern const struct collector collector_ipvs;
extern const struct collector collector_kernel_hung;
extern const struct collector collector_ksmd;
extern const struct collector collector_lnstat;
extern const struct collector collector_loadavg;
extern const struct collector collector_meminfo;
extern const struct collector collector_meminfo_numa;
extern const struct collector collector_netstat;
extern const struct collector collector_pressure;
extern const struct collector collector_processes;
extern const struct collector collector_schedstat;
extern const struct collector collector_selinux;
extern const struct collector collector_slabinfo;
extern const struct collector collector_sockstat;
extern const struct collector collector_softirqs;
extern const struct collector collector_softnet;
extern const struct collector collector_stat;
extern const struct collector collector_swap;
extern const struct collector collector_sysctl;
extern const struct collector collector_systemd;
extern const struct collector collector_udp_queues;
extern const struct collector collector_vmstat;
extern const struct collector collector_xfrm;
extern const struct collector collector_zoneinfo;

const struct collector *const collector_table[] = {
	&collector_buddyinfo,
	&collector_cgroups,
	&collector_conntrack,
	&collector_cpu,
	&collector_entropy,
	&collector_filefd,
	&collector_interrupts,
	&collector_ipvs,
	&collector_kernel_hung,
	&collector_ksmd,
	&collector_lnstat,
	&collector_loadavg,
	&collector_meminfo,
	&collector_meminfo_numa,
	&collector_netstat,
	&collector_pressure,
	&collector_processes,
	&collector_schedstat,
	&collector_selinux,
	&collector_slabinfo,
	&collector_sockstat,
	&collector_softirqs,
	&collector_softnet,
	&collector_stat,
	&collector_swap,
	&collector_sysctl,
	&collector_systemd,
	&collector_udp_queues,
	&collector_vmstat,
	&collector_xfrm,
	&collector_zoneinfo,
};

const size_t collector_count = ARRAY_SIZE(collector_table);
