/* The collector table: one row per collector, sorted by name. Adding a collector means one new file in
 * collectors/ and one row here. */
#include "collector.h"

extern const struct collector collector_arp;
extern const struct collector collector_ethtool;
extern const struct collector collector_loadavg;
extern const struct collector collector_logind;
extern const struct collector collector_meminfo;
extern const struct collector collector_netdev;
extern const struct collector collector_network_route;
extern const struct collector collector_perf;
extern const struct collector collector_qdisc;
extern const struct collector collector_tcpstat;
extern const struct collector collector_wifi;

const struct collector *const collector_table[] = {
	&collector_arp,
	&collector_ethtool,
	&collector_loadavg,
	&collector_logind,
	&collector_meminfo,
	&collector_netdev,
	&collector_network_route,
	&collector_perf,
	&collector_qdisc,
	&collector_tcpstat,
	&collector_wifi,
};

const size_t collector_count = ARRAY_SIZE(collector_table);
