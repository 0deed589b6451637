/* dmi: node_dmi_info from /sys/class/dmi/id, as node_exporter's dmi collector (collector/dmi.go over
 * procfs' DMIClass). The attributes are read once, as node_exporter does: they do not change until the
 * next boot. Only readable attributes become labels (serial numbers and the product UUID are root-only).
 * node_exporter reads them at start-up and refuses to start on any other read error; nodex reads them in
 * the first run that can, so an odd sysfs (the directory a FIFO, a loop, a file) fails this collector with
 * the reason, and no DMI at all is "no data", until a later run finds them. */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

/* File name -> label name, for the attributes node_exporter labels. */
static const struct {
	const char *file;
	const char *label;
} dmi_attrs[] = {
	{ "bios_date", "bios_date" },
	{ "bios_release", "bios_release" },
	{ "bios_vendor", "bios_vendor" },
	{ "bios_version", "bios_version" },
	{ "board_asset_tag", "board_asset_tag" },
	{ "board_name", "board_name" },
	{ "board_serial", "board_serial" },
	{ "board_vendor", "board_vendor" },
	{ "board_version", "board_version" },
	{ "chassis_asset_tag", "chassis_asset_tag" },
	{ "chassis_serial", "chassis_serial" },
	{ "chassis_vendor", "chassis_vendor" },
	{ "chassis_version", "chassis_version" },
	{ "product_family", "product_family" },
	{ "product_name", "product_name" },
	{ "product_serial", "product_serial" },
	{ "product_sku", "product_sku" },
	{ "product_uuid", "product_uuid" },
	{ "product_version", "product_version" },
	{ "sys_vendor", "system_vendor" },
};

static const char *labels[ARRAY_SIZE(dmi_attrs)];
static char *values[ARRAY_SIZE(dmi_attrs)];
static unsigned n_labels;
static bool loaded; /* the attributes were read: they are kept until fini */

static void dmi_fini(void)
{
	for (unsigned i = 0; i < n_labels; i++)
		free(values[i]);
	n_labels = 0;
	loaded = false;
}

/* Reads the attributes into labels/values. Returns 0, COLLECTOR_NO_DATA when there is no DMI directory,
 * or a negative errno with the reason in c->err. */
static int dmi_load(struct collect_ctx *c)
{
	struct arena *a = &c->ms->arena;
	const char *p = ctx_path(c, ROOT_SYS, "class/dmi/id");
	char *dir = p ? arena_strdup(a, p) : NULL;
	char **files;
	ssize_t n;

	if (!dir)
		return -ENOMEM;
	/* A host without DMI (most VMs but x86 ones, ARM boards) would try the directory at every scrape:
	 * path_exists() answers a kernel path found missing from memory until its recheck (fileio.h). */
	n = path_exists(dir) == -ENOENT ? -ENOENT : dir_list_regular(dir, a, &files);
	if (n == -ENOENT) {
		log_debug("Platform does not support Desktop Management Interface (DMI) information");
		return COLLECTOR_NO_DATA;
	}
	if (n < 0)
		return ctx_fail(c, (int)n, "failed to read Desktop Management Interface (DMI) information: %s: %s", dir,
				strerror((int)-n));
	for (ssize_t i = 0; i < n; i++) {
		size_t k;
		if (streq(files[i], "modalias") || streq(files[i], "uevent"))
			continue;
		const char *path = ctx_path(c, ROOT_NONE, "%s/%s", dir, files[i]);
		ssize_t rd = sysattr_read(path, &c->buf);
		if (rd == -EACCES || rd == -EPERM)
			continue; /* serials and the UUID are root-only */
		if (rd < 0) {
			dmi_fini();
			return ctx_fail(c, (int)rd,
					"failed to read Desktop Management Interface (DMI) information: failed to read file "
					"%s: %s",
					path ? path : dir, strerror((int)-rd));
		}
		for (k = 0; k < ARRAY_SIZE(dmi_attrs) && !streq(dmi_attrs[k].file, files[i]); k++)
			;
		if (k == ARRAY_SIZE(dmi_attrs))
			continue;
		const char *v = utf8_sanitize(a, c->buf.p);
		labels[n_labels] = dmi_attrs[k].label;
		if (!v || !(values[n_labels] = strdup(v))) {
			dmi_fini();
			return -ENOMEM;
		}
		n_labels++;
	}
	loaded = true;
	return 0;
}

static int dmi_collect(struct collect_ctx *c)
{
	struct metric_desc d = {
		.name = "node_dmi_info",
		.help = "A metric with a constant '1' value labeled by bios_date, bios_release, bios_vendor, bios_version, "
			"board_asset_tag, board_name, board_serial, board_vendor, board_version, chassis_asset_tag, "
			"chassis_serial, chassis_vendor, chassis_version, product_family, product_name, product_serial, "
			"product_sku, product_uuid, product_version, system_vendor if provided by DMI.",
		.type = METRIC_GAUGE,
		.n_labels = n_labels,
		.labels = labels,
	};
	int r;

	if (!loaded && (r = dmi_load(c)) < 0)
		return r;
	if (!n_labels)
		return COLLECTOR_NO_DATA;
	d.n_labels = n_labels;
	metric_addv(metric_family(c->ms, &d), 1, (const char *const *)values);
	return 0;
}

COLLECTOR(dmi, .default_on = true, .fini = dmi_fini);
