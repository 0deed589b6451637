#include "harness.h"

extern const struct collector collector_dmi;

static const struct collector_case cases[] = {
	{ "attributes read once; modalias, uevent, chassis_type and links are not labels",
	  { { "sys/class/dmi/id/bios_date", "04/12/2021\n" },
	    { "sys/class/dmi/id/bios_vendor", "Dell Inc.\n" },
	    { "sys/class/dmi/id/board_name", "07PXPY\n" },
	    { "sys/class/dmi/id/chassis_asset_tag", " \n" },
	    { "sys/class/dmi/id/chassis_type", "23\n" },
	    { "sys/class/dmi/id/modalias", "dmi:bvnDellInc.:\n" },
	    { "sys/class/dmi/id/uevent", "MODALIAS=dmi:\n" },
	    { "sys/class/dmi/id/product_version", "\xef\xbf\xbd\x1c[\xff\n" },
	    { "sys/class/dmi/id/sys_vendor", "Dell Inc.\n" },
	    { "sys/class/dmi/id/subsystem", "->../../../../class/dmi" },
	    { "sys/class/dmi/id/power", NULL } },
	  .full = true,
	  .expect = "# HELP node_dmi_info A metric with a constant '1' value labeled by bios_date, bios_release, bios_vendor, "
		    "bios_version, board_asset_tag, board_name, board_serial, board_vendor, board_version, chassis_asset_tag, "
		    "chassis_serial, chassis_vendor, chassis_version, product_family, product_name, product_serial, "
		    "product_sku, product_uuid, product_version, system_vendor if provided by DMI.\n"
		    "# TYPE node_dmi_info gauge\n"
		    "node_dmi_info{bios_date=\"04/12/2021\",bios_vendor=\"Dell Inc.\",board_name=\"07PXPY\",chassis_asset_tag=\"\","
		    "product_version=\"\xef\xbf\xbd\x1c[\xef\xbf\xbd\",system_vendor=\"Dell Inc.\"} 1\n" },
	{ "no DMI is no data", { { "sys/class", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty DMI directory is no data", { { "sys/class/dmi/id", NULL } }, .expect = "", .expect_fail = 1 },
};

/* Only regular files are attributes: a symlink (here a loop, which could not be read) is skipped. */
static void test_init_skips_links(void)
{
	static const struct tfile files[] = { { "sys/class/dmi/id/board_name", "x\n" },
					      { "sys/class/dmi/id/bios_vendor", "->bios_vendor" } };
	char err[256] = "";

	CHECK(test_make_root(files, ARRAY_SIZE(files)) != NULL);
	CHECK_INT(collector_dmi.init(err, sizeof(err)), 0);
	collector_dmi.fini();
	test_remove_root();
}

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_dmi, cases, ARRAY_SIZE(cases));
	test_init_skips_links();
	return test_summary(argv[0]);
}
