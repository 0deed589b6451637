/* The collector table: one row per collector, sorted by name. Adding a collector means one new file in
 * collectors/ and one row here. */
#include "collector.h"

extern const struct collector collector_bonding;
extern const struct collector collector_diskstats;
extern const struct collector collector_filesystem;
extern const struct collector collector_loadavg;
extern const struct collector collector_mdadm;
extern const struct collector collector_meminfo;
extern const struct collector collector_netclass;
extern const struct collector collector_os;
extern const struct collector collector_textfile;
extern const struct collector collector_time;
extern const struct collector collector_timex;
extern const struct collector collector_uname;

const struct collector *const collector_table[] = {
	&collector_bonding,
	&collector_diskstats,
	&collector_filesystem,
	&collector_loadavg,
	&collector_mdadm,
	&collector_meminfo,
	&collector_netclass,
	&collector_os,
	&collector_textfile,
	&collector_time,
	&collector_timex,
	&collector_uname,
};

const size_t collector_count = ARRAY_SIZE(collector_table);
