#include "harness.h"

extern const struct collector collector_pcidevice;

#define DEV(path, cls, ven, dev, sven, sdev, rev, numa)                          \
	{ "sys/devices/" path "/class", cls "\n" },                             \
	{ "sys/devices/" path "/vendor", ven "\n" },                            \
	{ "sys/devices/" path "/device", dev "\n" },                            \
	{ "sys/devices/" path "/subsystem_vendor", sven "\n" },                 \
	{ "sys/devices/" path "/subsystem_device", sdev "\n" },                 \
	{ "sys/devices/" path "/revision", rev "\n" },                          \
	{ "sys/devices/" path "/numa_node", numa "\n" }

#define BRIDGE                                                                                        \
	DEV("pci0000:00/0000:00:1c.0", "0x060400", "0x8086", "0xa110", "0x17aa", "0x2233", "0xf1", "-1"), \
	{ "sys/devices/pci0000:00/0000:00:1c.0/max_link_speed", "8.0 GT/s PCIe\n" },                 \
	{ "sys/devices/pci0000:00/0000:00:1c.0/max_link_width", "4\n" },                             \
	{ "sys/devices/pci0000:00/0000:00:1c.0/current_link_speed", "2.5 GT/s PCIe\n" },             \
	{ "sys/devices/pci0000:00/0000:00:1c.0/current_link_width", "1\n" },                         \
	{ "sys/devices/pci0000:00/0000:00:1c.0/power_state", "D3hot\n" },                            \
	{ "sys/devices/pci0000:00/0000:00:1c.0/d3cold_allowed", "1\n" },                             \
	{ "sys/bus/pci/devices/0000:00:1c.0", "->../../../devices/pci0000:00/0000:00:1c.0" }

#define NVME                                                                                             \
	DEV("pci0000:00/0000:00:1c.0/0000:3a:00.0", "0x010802", "0x144d", "0xa808", "0x144d", "0xa801", "0x00", "0"), \
	{ "sys/devices/pci0000:00/0000:00:1c.0/0000:3a:00.0/max_link_speed", "Unknown\n" },             \
	{ "sys/devices/pci0000:00/0000:00:1c.0/0000:3a:00.0/sriov_totalvfs", "8\n" },                    \
	{ "sys/devices/pci0000:00/0000:00:1c.0/0000:3a:00.0/sriov_numvfs", "2\n" },                      \
	{ "sys/bus/pci/devices/0000:3a:00.0", "->../../../devices/pci0000:00/0000:00:1c.0/0000:3a:00.0" }

static const struct collector_case cases[] = {
	{ "bridge on a root bus and a device behind it",
	  { BRIDGE, NVME },
	  .expect = "node_pcidevice_current_link_transfers_per_second{bus=\"00\",device=\"1c\",function=\"0\",segment=\"0000\"} 2.5e+09\n"
		    "node_pcidevice_current_link_width{bus=\"00\",device=\"1c\",function=\"0\",segment=\"0000\"} 1\n"
		    "node_pcidevice_d3cold_allowed{bus=\"00\",device=\"1c\",function=\"0\",segment=\"0000\"} 1\n"
		    "node_pcidevice_info{bus=\"00\",class_id=\"0x060400\",device=\"1c\",device_id=\"0xa110\",function=\"0\",parent_bus=\"*\",parent_device=\"*\",parent_function=\"*\",parent_segment=\"*\",revision=\"0xf1\",segment=\"0000\",subsystem_device_id=\"0x2233\",subsystem_vendor_id=\"0x17aa\",vendor_id=\"0x8086\"} 1\n"
		    "node_pcidevice_info{bus=\"3a\",class_id=\"0x010802\",device=\"00\",device_id=\"0xa808\",function=\"0\",parent_bus=\"00\",parent_device=\"1c\",parent_function=\"0\",parent_segment=\"0000\",revision=\"0x00\",segment=\"0000\",subsystem_device_id=\"0xa801\",subsystem_vendor_id=\"0x144d\",vendor_id=\"0x144d\"} 1\n"
		    "node_pcidevice_max_link_transfers_per_second{bus=\"00\",device=\"1c\",function=\"0\",segment=\"0000\"} 8e+09\n"
		    "node_pcidevice_max_link_width{bus=\"00\",device=\"1c\",function=\"0\",segment=\"0000\"} 4\n"
		    "node_pcidevice_numa_node{bus=\"3a\",device=\"00\",function=\"0\",segment=\"0000\"} 0\n"
		    "node_pcidevice_power_state{bus=\"00\",device=\"1c\",function=\"0\",segment=\"0000\",state=\"D0\"} 0\n"
		    "node_pcidevice_power_state{bus=\"00\",device=\"1c\",function=\"0\",segment=\"0000\",state=\"D1\"} 0\n"
		    "node_pcidevice_power_state{bus=\"00\",device=\"1c\",function=\"0\",segment=\"0000\",state=\"D2\"} 0\n"
		    "node_pcidevice_power_state{bus=\"00\",device=\"1c\",function=\"0\",segment=\"0000\",state=\"D3cold\"} 0\n"
		    "node_pcidevice_power_state{bus=\"00\",device=\"1c\",function=\"0\",segment=\"0000\",state=\"D3hot\"} 1\n"
		    "node_pcidevice_power_state{bus=\"00\",device=\"1c\",function=\"0\",segment=\"0000\",state=\"error\"} 0\n"
		    "node_pcidevice_power_state{bus=\"00\",device=\"1c\",function=\"0\",segment=\"0000\",state=\"unknown\"} 0\n"
		    "node_pcidevice_sriov_numvfs{bus=\"3a\",device=\"00\",function=\"0\",segment=\"0000\"} 2\n"
		    "node_pcidevice_sriov_totalvfs{bus=\"3a\",device=\"00\",function=\"0\",segment=\"0000\"} 8\n" },
	{ "unknown speed unit fails",
	  { BRIDGE, NVME, { "sys/devices/pci0000:00/0000:00:1c.0/0000:3a:00.0/max_link_speed", "8.0 GT/s\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "a required id missing is no data",
	  { { "sys/devices/pci0000:00/0000:00:02.0/class", "0x030000\n" },
	    { "sys/bus/pci/devices/0000:00:02.0", "->../../../devices/pci0000:00/0000:00:02.0" } },
	  .expect = "", .expect_fail = 1 },
	{ "an entry that is not a link fails", { BRIDGE, { "sys/bus/pci/devices/0000:00:1f.0", NULL } },
	  .expect = "", .expect_fail = 1 },
	{ "bad location fails",
	  { DEV("pci0000:00/zz", "0x1", "0x1", "0x1", "0x1", "0x1", "0x1", "0"),
	    { "sys/bus/pci/devices/zz", "->../../../devices/pci0000:00/zz" } },
	  .expect = "", .expect_fail = 1 },
	{ "no pci bus is no data", { { "sys/bus", NULL } }, .expect = "", .expect_fail = 1 },
};

/* Name resolution with a pci.ids of our own (the path depends on the fixture root). */
static void test_names(void)
{
	static const struct tfile files[] = {
		BRIDGE,
		NVME,
		{ "pci.ids",
		  "# a comment\n"
		  "8086  Intel Corporation\n"
		  "\ta110  Sunrise Point PCI Express Root Port\n"
		  "\t\t17aa 2233  ThinkPad Root Port\n"
		  "144d  Samsung Electronics Co Ltd\n"
		  "\ta808  NVMe SSD Controller SM981/PM981/PM983\n"
		  "C 01  Mass storage controller\n"
		  "\t08  Non-Volatile memory controller\n"
		  "\t\t02  NVM Express\n"
		  "C 06  Bridge\n" },
	};
	struct strbuf out = { 0 };
	char err[256], path[512];
	struct flag *sets[1] = { collector_pcidevice.flags };

	CHECK(test_make_root(files, ARRAY_SIZE(files)) != NULL);
	flags_set_defaults(collector_pcidevice.flags);
	snprintf(path, sizeof(path), "%s/pci.ids", nodex_paths.rootfs);
	CHECK(flag_set(flag_find(sets, 1, "collector.pcidevice.idsfile"), path, FLAG_SRC_CMDLINE, err, sizeof(err)) == 0);
	CHECK(flag_set(flag_find(sets, 1, "collector.pcidevice.names"), "true", FLAG_SRC_CMDLINE, err, sizeof(err)) == 0);
	CHECK_INT(test_run_collector(&collector_pcidevice, &out), 0);
	CHECK(strstr(out.p, "node_pcidevice_info{bus=\"00\",class_id=\"0x060400\",class_name=\"Bridge\",device=\"1c\","
			    "device_id=\"0xa110\",device_name=\"Sunrise Point PCI Express Root Port\",function=\"0\","
			    "parent_bus=\"*\",parent_device=\"*\",parent_function=\"*\",parent_segment=\"*\",revision=\"0xf1\","
			    "segment=\"0000\",subsystem_device_id=\"0x2233\",subsystem_device_name=\"ThinkPad Root Port\","
			    "subsystem_vendor_id=\"0x17aa\",subsystem_vendor_name=\"17aa\",vendor_id=\"0x8086\","
			    "vendor_name=\"Intel Corporation\"} 1\n") != NULL);
	CHECK(strstr(out.p, "class_name=\"NVM Express\"") != NULL);
	CHECK(strstr(out.p, "subsystem_device_name=\"a801\"") != NULL);
	CHECK(strstr(out.p, "vendor_name=\"Samsung Electronics Co Ltd\"") != NULL);
	flags_set_defaults(collector_pcidevice.flags);
	test_remove_root();
	sb_free(&out);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_pcidevice, cases, ARRAY_SIZE(cases));
	test_names();
	return test_summary(argv[0]);
}
