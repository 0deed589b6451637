/* dmmultipath: device-mapper multipath devices from sysfs, as node_exporter's dmmultipath collector
 * (procfs blockdevice parser).
 *
 * A multipath map is a /sys/block/dm-* device whose dm/uuid starts with "mpath-". Its dm/name is the map
 * name (device label), dm/suspended tells whether it is active, size is in 512-byte sectors, and each
 * entry of slaves/ is a path whose state is /sys/block/<path>/device/state: "running" (SCSI) or "live"
 * (NVMe) count as active, anything else as failed.
 *
 * No /sys/block (or no permission) means no data. A device whose attributes cannot be read is skipped and
 * reported; the other devices are still exported. */
#include <stdio.h>

#include "collector.h"

METRIC(dmmp_info_desc, GAUGE, "node_dmmultipath_device_info", "Non-numeric information about a DM-multipath device.",
       "device", "sysfs_name", "uuid");
METRIC(dmmp_active_desc, GAUGE, "node_dmmultipath_device_active",
       "Whether the multipath device-mapper device is active (1) or suspended (0).", "device", "sysfs_name");
METRIC(dmmp_size_desc, GAUGE, "node_dmmultipath_device_size_bytes",
       "Size of the multipath device in bytes, read from /sys/block/<dm>/size.", "device", "sysfs_name");
METRIC(dmmp_paths_desc, GAUGE, "node_dmmultipath_device_paths", "Number of paths for a multipath device.", "device",
       "sysfs_name");
METRIC(dmmp_paths_active_desc, GAUGE, "node_dmmultipath_device_paths_active",
       "Number of paths in active state (SCSI running or NVMe live) for a multipath device.", "device", "sysfs_name");
METRIC(dmmp_paths_failed_desc, GAUGE, "node_dmmultipath_device_paths_failed",
       "Number of paths not in active state for a multipath device.", "device", "sysfs_name");
METRIC(dmmp_path_state_desc, GAUGE, "node_dmmultipath_path_state",
       "Reports the underlying device state for a multipath path, as read from /sys/block/<dev>/device/state.",
       "device", "path", "state");

static int dmmp_u64(struct collect_ctx *c, const char *fmt, const char *a, const char *b, uint64_t *out)
{
	int err = 0;
	const char *s = ctx_read_trimmed(c, &err, ROOT_SYS, fmt, a, b);

	if (!s)
		return err;
	return parse_u64(s, NULL, out) < 0 ? -EINVAL : 0;
}

struct dmmp_path {
	const char *name;
	const char *state;
};

/* One dm-* device. Returns 0 (exported or not a multipath map) or a negative errno (skipped). */
static int dmmp_device(struct collect_ctx *c, const char *dm)
{
	const char *uuid, *name, *dir;
	uint64_t suspended, sectors;
	struct dmmp_path *paths = NULL;
	char **slaves;
	ssize_t ns;
	int err = 0;
	double active = 0, failed = 0;

	uuid = ctx_read_trimmed(c, &err, ROOT_SYS, "block/%s/dm/uuid", dm);
	if (!uuid)
		return err == -ENOENT || err == -ENOTDIR ? 0 : err; /* not a device-mapper device */
	if (!startswith(uuid, "mpath-"))
		return 0;
	if (!(name = ctx_read_trimmed(c, &err, ROOT_SYS, "block/%s/dm/name", dm)))
		return err;
	if ((err = dmmp_u64(c, "block/%s/dm/%s", dm, "suspended", &suspended)) < 0)
		return err;
	if ((err = dmmp_u64(c, "block/%s/%s", dm, "size", &sectors)) < 0)
		return err;

	dir = ctx_path(c, ROOT_SYS, "block/%s/slaves", dm);
	ns = dir ? dir_list(dir, &c->ms->arena, &slaves) : -ENOMEM;
	if (ns == -ENOENT)
		ns = 0;
	if (ns < 0)
		return (int)ns;
	if (ns > 0) {
		paths = arena_alloc(&c->ms->arena, (size_t)ns * sizeof(*paths));
		if (!paths)
			return -ENOMEM;
	}
	for (ssize_t i = 0; i < ns; i++) {
		paths[i].name = slaves[i];
		if (!(paths[i].state = ctx_read_trimmed(c, &err, ROOT_SYS, "block/%s/device/state", slaves[i])))
			return err;
	}

	metric_emit(c->ms, &dmmp_info_desc, 1, name, dm, uuid);
	metric_emit(c->ms, &dmmp_active_desc, suspended == 1 ? 0 : 1, name, dm);
	metric_emit(c->ms, &dmmp_size_desc, (double)(sectors * 512), name, dm);
	for (ssize_t i = 0; i < ns; i++) {
		if (streq(paths[i].state, "running") || streq(paths[i].state, "live"))
			active++;
		else
			failed++;
		metric_emit(c->ms, &dmmp_path_state_desc, 1, name, paths[i].name, paths[i].state);
	}
	metric_emit(c->ms, &dmmp_paths_desc, (double)ns, name, dm);
	metric_emit(c->ms, &dmmp_paths_active_desc, active, name, dm);
	metric_emit(c->ms, &dmmp_paths_failed_desc, failed, name, dm);
	return 0;
}

static int dmmultipath_collect(struct collect_ctx *c)
{
	char **names, first[400] = "";
	ssize_t nn = ctx_list_dir(c, CTX_LIST_NODATA_EACCES | CTX_LIST_NODATA_ENOTDIR, NULL, &names, ROOT_SYS, "block");
	int bad = 0;

	if (nn == COLLECTOR_NO_DATA)
		return (int)nn;
	if (nn < 0)
		return ctx_fail(c, (int)nn, "failed to scan DM-multipath devices: %s: %s", c->path.p, strerror((int)-nn));
	for (ssize_t i = 0; i < nn; i++) {
		int e;

		if (!startswith(names[i], "dm-"))
			continue;
		e = dmmp_device(c, names[i]);
		if (e < 0 && !bad++)
			snprintf(first, sizeof(first), "%.300s: %s", c->path.p,
				 e == -EINVAL ? "not a number" : strerror(-e));
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "failed to scan DM-multipath devices: %d device(s) skipped, first: %s", bad,
				first);
	return 0;
}

COLLECTOR(dmmultipath, .default_on = true);
