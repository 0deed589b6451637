/* The collector table: one row per collector, sorted by name. Adding a collector means one new file in
 * collectors/ and one row here (tests/tools/collector-table.sh writes the rows from collectors/). */
#include "collector.h"

extern const struct collector collector_arp;
extern const struct collector collector_bcache;
extern const struct collector collector_bcachefs;
extern const struct collector collector_bonding;
extern const struct collector collector_btrfs;
extern const struct collector collector_buddyinfo;
extern const struct collector collector_cgroups;
extern const struct collector collector_conntrack;
extern const struct collector collector_container;
extern const struct collector collector_cpu;
extern const struct collector collector_cpu_vulnerabilities;
extern const struct collector collector_cpufreq;
extern const struct collector collector_diskstats;
extern const struct collector collector_dmi;
extern const struct collector collector_dmmultipath;
extern const struct collector collector_drbd;
extern const struct collector collector_drm;
extern const struct collector collector_edac;
extern const struct collector collector_entropy;
extern const struct collector collector_ethtool;
extern const struct collector collector_fibrechannel;
extern const struct collector collector_filefd;
extern const struct collector collector_filesystem;
extern const struct collector collector_hwmon;
extern const struct collector collector_infiniband;
extern const struct collector collector_interrupts;
extern const struct collector collector_ipvs;
extern const struct collector collector_kernel_hung;
extern const struct collector collector_ksmd;
extern const struct collector collector_lnstat;
extern const struct collector collector_loadavg;
extern const struct collector collector_logind;
extern const struct collector collector_mdadm;
extern const struct collector collector_meminfo;
extern const struct collector collector_meminfo_numa;
extern const struct collector collector_mountstats;
extern const struct collector collector_netclass;
extern const struct collector collector_netdev;
extern const struct collector collector_netstat;
extern const struct collector collector_network_route;
extern const struct collector collector_nfs;
extern const struct collector collector_nfsd;
extern const struct collector collector_nvme;
extern const struct collector collector_nvmesubsystem;
extern const struct collector collector_os;
extern const struct collector collector_pcidevice;
extern const struct collector collector_perf;
extern const struct collector collector_powersupplyclass;
extern const struct collector collector_pressure;
extern const struct collector collector_processes;
extern const struct collector collector_qdisc;
extern const struct collector collector_rapl;
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
extern const struct collector collector_tapestats;
extern const struct collector collector_tcpstat;
extern const struct collector collector_textfile;
extern const struct collector collector_thermal_zone;
extern const struct collector collector_time;
extern const struct collector collector_timex;
extern const struct collector collector_udp_queues;
extern const struct collector collector_uname;
extern const struct collector collector_vmstat;
extern const struct collector collector_watchdog;
extern const struct collector collector_wifi;
extern const struct collector collector_xfrm;
extern const struct collector collector_xfs;
extern const struct collector collector_zfs;
extern const struct collector collector_zoneinfo;

const struct collector *const collector_table[] = {
	&collector_arp,
	&collector_bcache,
	&collector_bcachefs,
	&collector_bonding,
	&collector_btrfs,
	&collector_buddyinfo,
	&collector_cgroups,
	&collector_conntrack,
	&collector_container,
	&collector_cpu,
	&collector_cpu_vulnerabilities,
	&collector_cpufreq,
	&collector_diskstats,
	&collector_dmi,
	&collector_dmmultipath,
	&collector_drbd,
	&collector_drm,
	&collector_edac,
	&collector_entropy,
	&collector_ethtool,
	&collector_fibrechannel,
	&collector_filefd,
	&collector_filesystem,
	&collector_hwmon,
	&collector_infiniband,
	&collector_interrupts,
	&collector_ipvs,
	&collector_kernel_hung,
	&collector_ksmd,
	&collector_lnstat,
	&collector_loadavg,
	&collector_logind,
	&collector_mdadm,
	&collector_meminfo,
	&collector_meminfo_numa,
	&collector_mountstats,
	&collector_netclass,
	&collector_netdev,
	&collector_netstat,
	&collector_network_route,
	&collector_nfs,
	&collector_nfsd,
	&collector_nvme,
	&collector_nvmesubsystem,
	&collector_os,
	&collector_pcidevice,
	&collector_perf,
	&collector_powersupplyclass,
	&collector_pressure,
	&collector_processes,
	&collector_qdisc,
	&collector_rapl,
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
	&collector_tapestats,
	&collector_tcpstat,
	&collector_textfile,
	&collector_thermal_zone,
	&collector_time,
	&collector_timex,
	&collector_udp_queues,
	&collector_uname,
	&collector_vmstat,
	&collector_watchdog,
	&collector_wifi,
	&collector_xfrm,
	&collector_xfs,
	&collector_zfs,
	&collector_zoneinfo,
};

const size_t collector_count = ARRAY_SIZE(collector_table);
