/* The collector table: one row per collector, sorted by name. Adding a collector means one new file in
 * collectors/ and one row here. */
#include "collector.h"

extern const struct collector collector_bcache;
extern const struct collector collector_bcachefs;
extern const struct collector collector_btrfs;
extern const struct collector collector_dmmultipath;
extern const struct collector collector_drbd;
extern const struct collector collector_loadavg;
extern const struct collector collector_meminfo;
extern const struct collector collector_mountstats;
extern const struct collector collector_nfs;
extern const struct collector collector_nfsd;
extern const struct collector collector_xfs;
extern const struct collector collector_zfs;

const struct collector *const collector_table[] = {
	&collector_bcache,
	&collector_bcachefs,
	&collector_btrfs,
	&collector_dmmultipath,
	&collector_drbd,
	&collector_loadavg,
	&collector_meminfo,
	&collector_mountstats,
	&collector_nfs,
	&collector_nfsd,
	&collector_xfs,
	&collector_zfs,
};

const size_t collector_count = ARRAY_SIZE(collector_table);
