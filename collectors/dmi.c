/* dmi: node_dmi_info from /sys/class/dmi/id, as node_exporter's dmi collector (collector/dmi.go over
 * procfs' DMIClass). The attributes are read once at start-up, as node_exporter does: they do not change
 * until the next boot. Only readable attributes become labels (serial numbers and the product UUID are
 * root-only); any other read error is a start-up error, as in node_exporter. */
#include <stdio.h>

#include "collector.h"
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

static void dmi_fini(void)
{
	for (unsigned i = 0; i < n_labels; i++)
		free(values[i]);
	n_labels = 0;
}

static int dmi_init(char *err, size_t err_size)
{
	struct arena a = { 0 };
	struct strbuf path = { 0 }, buf = { 0 };
	char **files;
	ssize_t n;
	int r = 0;

	dmi_fini();
	path_build(&path, ROOT_SYS, "class/dmi/id");
	if (!path.p) {
		r = -ENOMEM;
		goto out;
	}
	n = dir_list_regular(path.p, &a, &files);
	if (n == -ENOENT) {
		log_debug("Platform does not support Desktop Management Interface (DMI) information");
		goto out;
	}
	if (n < 0) {
		snprintf(err, err_size, "failed to read Desktop Management Interface (DMI) information: %s: %s", path.p,
			 strerror((int)-n));
		r = (int)n;
		goto out;
	}
	char *dir = arena_strdup(&a, path.p);
	for (ssize_t i = 0; dir && i < n; i++) {
		size_t k;
		if (streq(files[i], "modalias") || streq(files[i], "uevent"))
			continue;
		path_build(&path, ROOT_NONE, "%s/%s", dir, files[i]);
		ssize_t rd = sysattr_read(path.p, &buf);
		if (rd == -EACCES || rd == -EPERM)
			continue; /* serials and the UUID are root-only */
		if (rd < 0) {
			snprintf(err, err_size,
				 "failed to read Desktop Management Interface (DMI) information: failed to read file %s: %s",
				 path.p, strerror((int)-rd));
			r = (int)rd;
			dmi_fini();
			goto out;
		}
		for (k = 0; k < ARRAY_SIZE(dmi_attrs) && !streq(dmi_attrs[k].file, files[i]); k++)
			;
		if (k == ARRAY_SIZE(dmi_attrs))
			continue;
		const char *v = utf8_sanitize(&a, buf.p);
		labels[n_labels] = dmi_attrs[k].label;
		if (!v || !(values[n_labels] = strdup(v))) {
			r = -ENOMEM;
			dmi_fini();
			goto out;
		}
		n_labels++;
	}
out:
	arena_free(&a);
	sb_free(&path);
	sb_free(&buf);
	return r;
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

	if (!n_labels)
		return COLLECTOR_NO_DATA;
	metric_addv(metric_family(c->ms, &d), 1, (const char *const *)values);
	return 0;
}

const struct collector collector_dmi = {
	.name = "dmi",
	.default_on = true,
	.init = dmi_init,
	.collect = dmi_collect,
	.fini = dmi_fini,
};
