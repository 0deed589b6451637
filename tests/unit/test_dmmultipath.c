#include "harness.h"

extern const struct collector collector_dmmultipath;

/* dm-2: a SCSI multipath map with two paths (one offline); dm-3: an NVMe map, suspended; dm-0: LVM. */
#define TREE                                                                                       \
	{ "sys/block/dm-2/dm/uuid", "mpath-36005076801810523100000000000001a\n" },                 \
		{ "sys/block/dm-2/dm/name", "mpatha\n" }, { "sys/block/dm-2/dm/suspended", "0\n" }, \
		{ "sys/block/dm-2/size", "209715200\n" }, { "sys/block/dm-2/slaves/sdc", "->../../sdc" }, \
		{ "sys/block/dm-2/slaves/sdd", "->../../sdd" }, { "sys/block/sdc/device/state", "running\n" }, \
		{ "sys/block/sdd/device/state", "offline\n" },                                     \
		{ "sys/block/dm-3/dm/uuid", "mpath-eui.0025385b71b07e2f\n" },                       \
		{ "sys/block/dm-3/dm/name", "nvme-mp\n" }, { "sys/block/dm-3/dm/suspended", "1\n" }, \
		{ "sys/block/dm-3/size", "1000215216\n" },                                         \
		{ "sys/block/dm-3/slaves/nvme0c0n1", "->../../nvme0c0n1" },                        \
		{ "sys/block/nvme0c0n1/device/state", "live\n" },                                  \
		{ "sys/block/dm-0/dm/uuid", "LVM-k2bd3nWh1d0aYq8mZ2x5tR\n" },                      \
		{ "sys/block/dm-0/dm/name", "vg0-root\n" }, { "sys/block/dm-0/size", "1\n" },      \
	{                                                                                          \
		"sys/block/sda/size", "1\n"                                                        \
	}

static const struct collector_case cases[] = {
	{ "SCSI and NVMe maps; LVM ignored", { TREE },
	  .expect = "node_dmmultipath_device_active{device=\"mpatha\",sysfs_name=\"dm-2\"} 1\n"
		    "node_dmmultipath_device_active{device=\"nvme-mp\",sysfs_name=\"dm-3\"} 0\n"
		    "node_dmmultipath_device_info{device=\"mpatha\",sysfs_name=\"dm-2\",uuid=\"mpath-36005076801810523100000000000001a\"} 1\n"
		    "node_dmmultipath_device_info{device=\"nvme-mp\",sysfs_name=\"dm-3\",uuid=\"mpath-eui.0025385b71b07e2f\"} 1\n"
		    "node_dmmultipath_device_paths{device=\"mpatha\",sysfs_name=\"dm-2\"} 2\n"
		    "node_dmmultipath_device_paths{device=\"nvme-mp\",sysfs_name=\"dm-3\"} 1\n"
		    "node_dmmultipath_device_paths_active{device=\"mpatha\",sysfs_name=\"dm-2\"} 1\n"
		    "node_dmmultipath_device_paths_active{device=\"nvme-mp\",sysfs_name=\"dm-3\"} 1\n"
		    "node_dmmultipath_device_paths_failed{device=\"mpatha\",sysfs_name=\"dm-2\"} 1\n"
		    "node_dmmultipath_device_paths_failed{device=\"nvme-mp\",sysfs_name=\"dm-3\"} 0\n"
		    "node_dmmultipath_device_size_bytes{device=\"mpatha\",sysfs_name=\"dm-2\"} 1.073741824e+11\n"
		    "node_dmmultipath_device_size_bytes{device=\"nvme-mp\",sysfs_name=\"dm-3\"} 5.12110190592e+11\n"
		    "node_dmmultipath_path_state{device=\"mpatha\",path=\"sdc\",state=\"running\"} 1\n"
		    "node_dmmultipath_path_state{device=\"mpatha\",path=\"sdd\",state=\"offline\"} 1\n"
		    "node_dmmultipath_path_state{device=\"nvme-mp\",path=\"nvme0c0n1\",state=\"live\"} 1\n" },
	{ "no slaves directory: zero paths",
	  { { "sys/block/dm-1/dm/uuid", "mpath-x\n" }, { "sys/block/dm-1/dm/name", "m\n" },
	    { "sys/block/dm-1/dm/suspended", "0\n" }, { "sys/block/dm-1/size", "8\n" } },
	  .needle = "paths",
	  .expect = "node_dmmultipath_device_paths{device=\"m\",sysfs_name=\"dm-1\"} 0\n"
		    "node_dmmultipath_device_paths_active{device=\"m\",sysfs_name=\"dm-1\"} 0\n"
		    "node_dmmultipath_device_paths_failed{device=\"m\",sysfs_name=\"dm-1\"} 0\n" },
	{ "bad size skips that map only",
	  { TREE, { "sys/block/dm-4/dm/uuid", "mpath-y\n" }, { "sys/block/dm-4/dm/name", "bad\n" },
	    { "sys/block/dm-4/dm/suspended", "0\n" }, { "sys/block/dm-4/size", "12x\n" } },
	  .needle = "device_info",
	  .expect = "node_dmmultipath_device_info{device=\"mpatha\",sysfs_name=\"dm-2\",uuid=\"mpath-36005076801810523100000000000001a\"} 1\n"
		    "node_dmmultipath_device_info{device=\"nvme-mp\",sysfs_name=\"dm-3\",uuid=\"mpath-eui.0025385b71b07e2f\"} 1\n",
	  .expect_fail = 1 },
	{ "path without a state file skips the map",
	  { { "sys/block/dm-1/dm/uuid", "mpath-x\n" }, { "sys/block/dm-1/dm/name", "m\n" },
	    { "sys/block/dm-1/dm/suspended", "0\n" }, { "sys/block/dm-1/size", "8\n" },
	    { "sys/block/dm-1/slaves/sdz", "->../../sdz" }, { "sys/block/sdz", NULL } },
	  .expect = "", .expect_fail = 1 },
	{ "missing dm/name", { { "sys/block/dm-1/dm/uuid", "mpath-x\n" } }, .expect = "", .expect_fail = 1 },
	{ "no multipath maps", { { "sys/block/sda/size", "1\n" } }, .expect = "" },
};

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };

	(void)argc;
	test_collector_cases(&collector_dmmultipath, cases, ARRAY_SIZE(cases));
	const struct tfile none[] = { { "sys", NULL } };
	test_make_root(none, 1);
	CHECK_INT(test_run_collector(&collector_dmmultipath, &out), COLLECTOR_NO_DATA);
	test_remove_root();
	sb_free(&out);
	return test_summary(argv[0]);
}
