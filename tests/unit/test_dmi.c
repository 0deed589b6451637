#include <sys/stat.h>

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
static void test_skips_links(void)
{
	static const struct tfile files[] = { { "sys/class/dmi/id/board_name", "x\n" },
					      { "sys/class/dmi/id/bios_vendor", "->bios_vendor" } };
	struct strbuf out = { 0 };

	CHECK(test_make_root(files, ARRAY_SIZE(files)) != NULL);
	CHECK_INT(test_run_collector(&collector_dmi, &out), 0);
	test_keep_samples(&out, NULL);
	CHECK_STR(out.p, "node_dmi_info{board_name=\"x\"} 1\n");
	sb_free(&out);
	test_remove_root();
}

#define DMI_X "node_dmi_info{board_name=\"x\"} 1\n"

/* Issue 14, defect 4: an odd sysfs (the DMI directory a FIFO, a symlink loop, a file) must not stop the
 * start: init reads nothing, the run fails with the reason, and a later run reads DMI once it is
 * there. DMI missing at start and appearing later is reported then; once read, it is kept (it does not
 * change until the next boot, and node_exporter reads it once). */
static void test_start_and_retry(void)
{
	static const struct tfile files[] = { { "sys/class/dmi", NULL } };
	struct metric_set ms = { 0 };
	struct collect_ctx ctx = { .ms = &ms };
	struct strbuf out = { 0 };
	char err[256] = "", path[1100], dmi[1024];

	CHECK(test_make_root(files, ARRAY_SIZE(files)) != NULL);
	snprintf(dmi, sizeof(dmi), "%s/class/dmi/id", nodex_paths.sysfs);
	CHECK(mkfifo(dmi, 0644) == 0);
	CHECK(!collector_dmi.init || collector_dmi.init(err, sizeof(err)) == 0);
	CHECK(test_collect(&collector_dmi, &ctx, &out) < 0);
	CHECK(test_collect(&collector_dmi, &ctx, &out) != COLLECTOR_NO_DATA);
	CHECK(strstr(test_last_error, "class/dmi/id") != NULL);
	CHECK_STR(out.p, "");
	/* a symlink loop */
	CHECK(unlink(dmi) == 0 && symlink("id", dmi) == 0);
	CHECK(test_collect(&collector_dmi, &ctx, &out) < 0);
	CHECK(strstr(test_last_error, "symbolic links") != NULL);
	/* absent: no data */
	CHECK(unlink(dmi) == 0);
	CHECK_INT(test_collect(&collector_dmi, &ctx, &out), COLLECTOR_NO_DATA);
	/* it appears */
	CHECK(mkdir(dmi, 0755) == 0);
	snprintf(path, sizeof(path), "%s/board_name", dmi);
	CHECK_INT(test_write_file(path, "x\n", 2), 0);
	CHECK_INT(test_collect(&collector_dmi, &ctx, &out), 0);
	test_keep_samples(&out, NULL);
	CHECK_STR(out.p, DMI_X);
	/* read once: a later change is not seen, a later breakage does not fail the run */
	CHECK_INT(test_write_file(path, "y\n", 2), 0);
	CHECK_INT(test_collect(&collector_dmi, &ctx, &out), 0);
	test_keep_samples(&out, NULL);
	CHECK_STR(out.p, DMI_X);
	collector_dmi.fini();
	test_ctx_free(&ctx);
	sb_free(&out);
	test_remove_root();
}

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_dmi, cases, ARRAY_SIZE(cases));
	test_skips_links();
	test_start_and_retry();
	return test_summary(argv[0]);
}
