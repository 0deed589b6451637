/* powersupplyclass: /sys/class/power_supply, as node_exporter's powersupplyclass collector
 * (collector/powersupplyclass_linux.go over procfs' PowerSupplyClass).
 *
 * Every regular file of a supply is read (procfs does); known numeric attributes become
 * node_power_supply_<name> {power_supply} (micro-units divided by 1e6, temperatures in tenths of a
 * degree divided by 10), non-empty string attributes become labels of node_power_supply_info. An
 * attribute that is absent, not supported or gone (ENOENT, EOPNOTSUPP, ENODEV) is skipped; any other
 * read error or a number that does not parse fails the collection, as in procfs. */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

static const char *ignored_supplies;
static struct regex *ignored_re;

static struct flag powersupply_flags[] = {
	{ "collector.powersupply.ignored-supplies", FLAG_STRING, "^$",
	  "Regexp of power supplies to ignore for powersupplyclass collector.", &ignored_supplies },
	{ NULL },
};

/* How a numeric attribute is exported: metric name and divisor (0: parsed, not exported). */
struct ps_num {
	const char *file;
	const char *metric;
	double div;
};

/* Sorted by file name (looked up with bsearch). */
static const struct ps_num ps_nums[] = {
	{ "authentic", "authentic", 1 },
	{ "calibrate", "calibrate", 1 },
	{ "capacity", "capacity", 1 },
	{ "capacity_alert_max", "capacity_alert_max", 1 },
	{ "capacity_alert_min", "capacity_alert_min", 1 },
	{ "charge_avg", NULL, 0 },
	{ "charge_control_limit", "charge_control_limit", 1e6 },
	{ "charge_control_limit_max", "charge_control_limit_max", 1e6 },
	{ "charge_counter", "charge_counter", 1e6 },
	{ "charge_empty", "charge_empty", 1e6 },
	{ "charge_empty_design", "charge_empty_design", 1e6 },
	{ "charge_full", "charge_full", 1e6 },
	{ "charge_full_design", "charge_full_design", 1e6 },
	{ "charge_now", "charge_ampere", 1e6 },
	{ "charge_term_current", "charge_term_current", 1e6 },
	{ "constant_charge_current", "constant_charge_current", 1e6 },
	{ "constant_charge_current_max", "constant_charge_current_max", 1e6 },
	{ "constant_charge_voltage", "constant_charge_voltage", 1e6 },
	{ "constant_charge_voltage_max", "constant_charge_voltage_max", 1e6 },
	{ "current_avg", NULL, 0 },
	{ "current_boot", "current_boot", 1e6 },
	{ "current_max", "current_max", 1e6 },
	{ "current_now", "current_ampere", 1e6 },
	{ "cycle_count", "cyclecount", 1 },
	{ "energy_avg", NULL, 0 },
	{ "energy_empty", "energy_empty", 1e6 },
	{ "energy_empty_design", "energy_empty_design", 1e6 },
	{ "energy_full", "energy_full", 1e6 },
	{ "energy_full_design", "energy_full_design", 1e6 },
	{ "energy_now", "energy_watthour", 1e6 },
	{ "input_current_limit", "input_current_limit", 1e6 },
	{ "online", "online", 1 },
	{ "power_avg", NULL, 0 },
	{ "power_now", "power_watt", 1e6 },
	{ "precharge_current", "precharge_current", 1e6 },
	{ "present", "present", 1 },
	{ "temp", "temp_celsius", 10 },
	{ "temp_alert_max", "temp_alert_max_celsius", 10 },
	{ "temp_alert_min", "temp_alert_min_celsius", 10 },
	{ "temp_ambient", "temp_ambient_celsius", 10 },
	{ "temp_ambient_max", "temp_ambient_max_celsius", 10 },
	{ "temp_ambient_min", "temp_ambient_min_celsius", 10 },
	{ "temp_max", "temp_max_celsius", 10 },
	{ "temp_min", "temp_min_celsius", 10 },
	{ "time_to_empty_avg", NULL, 0 },
	{ "time_to_empty_now", "time_to_empty_seconds", 1 },
	{ "time_to_full_avg", NULL, 0 },
	{ "time_to_full_now", "time_to_full_seconds", 1 },
	{ "voltage_avg", NULL, 0 },
	{ "voltage_boot", "voltage_boot", 1e6 },
	{ "voltage_max", "voltage_max", 1e6 },
	{ "voltage_max_design", "voltage_max_design", 1e6 },
	{ "voltage_min", "voltage_min", 1e6 },
	{ "voltage_min_design", "voltage_min_design", 1e6 },
	{ "voltage_now", "voltage_volt", 1e6 },
	{ "voltage_ocv", "voltage_ocv", 1e6 },
};

/* String attributes that label node_power_supply_info (the file name is the label name). */
static const char *const ps_strings[] = {
	"capacity_level", "charge_type", "health", "manufacturer", "model_name", "scope",
	"serial_number", "status", "technology", "type", "usb_type",
};
#define N_STRINGS ARRAY_SIZE(ps_strings)

static const struct metric_desc info_desc = {
	.name = "node_power_supply_info",
	.help = "info of /sys/class/power_supply/<power_supply>.",
	.type = METRIC_GAUGE,
	.n_labels = N_STRINGS + 1,
	.labels = (const char *const[]){ "capacity_level", "charge_type", "health", "manufacturer", "model_name",
					 "scope", "serial_number", "status", "technology", "type", "usb_type",
					 "power_supply" },
	.sparse = true,
};

static int cmp_num(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ps_num *)elem)->file);
}

static int string_index(const char *name)
{
	for (size_t i = 0; i < N_STRINGS; i++)
		if (streq(ps_strings[i], name))
			return (int)i;
	return -1;
}

struct supply {
	const char *name;
	const struct ps_num *num[ARRAY_SIZE(ps_nums)];
	int64_t val[ARRAY_SIZE(ps_nums)];
	size_t n_num;
	const char *str[N_STRINGS + 1];
};

/* Reads one supply directory. Returns 0 or a negative errno with c->err set. */
static int read_supply(struct collect_ctx *c, const char *dir, struct supply *s)
{
	char **files;
	ssize_t n = dir_list_regular(dir, &c->ms->arena, &files);

	if (n < 0)
		return ctx_fail(c, (int)n, "open %s: %s", dir, strerror((int)-n));
	for (ssize_t i = 0; i < n; i++) {
		const struct ps_num *num = bsearch(files[i], ps_nums, ARRAY_SIZE(ps_nums), sizeof(*ps_nums), cmp_num);
		int si = num ? -1 : string_index(files[i]);
		ssize_t r = sysattr_read(ctx_path(c, ROOT_NONE, "%s/%s", dir, files[i]), &c->buf);

		if (r == -ENOENT || r == -EOPNOTSUPP || r == -ENODEV)
			continue;
		if (r < 0)
			return ctx_fail(c, (int)r, "failed to read file %s/%s: %s", dir, files[i], strerror((int)-r));
		if (num) {
			int64_t v;
			if (go_parse_int(c->buf.p, 0, 64, &v) < 0)
				return ctx_fail(c, -EINVAL, "%s/%s: invalid number %s", dir, files[i], c->buf.p);
			s->num[s->n_num] = num;
			s->val[s->n_num++] = v;
		} else if (si >= 0) {
			if (!(s->str[si] = utf8_sanitize(&c->ms->arena, c->buf.p)) ||
			    !(s->str[si] = arena_strdup(&c->ms->arena, s->str[si])))
				return -ENOMEM;
		}
	}
	return 0;
}

static int powersupplyclass_collect(struct collect_ctx *c)
{
	const char *cdir;
	char **names;
	ssize_t n = ctx_list_dir(c, 0, &cdir, &names, ROOT_SYS, "class/power_supply");
	struct supply *sup;

	if (n == COLLECTOR_NO_DATA)
		return (int)n;
	if (n < 0)
		return ctx_fail(c, (int)n, "could not get power_supply class info: %s", strerror((int)-n));
	if (!(sup = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*sup))))
		return -ENOMEM;
	/* procfs reads every supply before anything is reported; one failure reports nothing. */
	for (ssize_t i = 0; i < n; i++) {
		char *dir = arena_printf(&c->ms->arena, "%s/%s", cdir, names[i]);
		int r;
		if (!dir)
			return -ENOMEM;
		sup[i].name = names[i];
		if ((r = read_supply(c, dir, &sup[i])) < 0)
			return r == -ENOENT ? COLLECTOR_NO_DATA : r;
	}
	for (ssize_t i = 0; i < n; i++) {
		struct supply *s = &sup[i];
		char name[128], help[160];

		if (regex_match(ignored_re, s->name))
			continue;
		for (size_t k = 0; k < s->n_num; k++) {
			if (!s->num[k]->metric)
				continue;
			snprintf(name, sizeof(name), "node_power_supply_%s", s->num[k]->metric);
			snprintf(help, sizeof(help), "%s value of /sys/class/power_supply/<power_supply>.",
				 s->num[k]->metric);
			struct metric_desc d = { .name = name, .help = help, .type = METRIC_GAUGE, .n_labels = 1,
						 .labels = (const char *const[]){ "power_supply" } };
			double v = (double)s->val[k];
			metric_add(metric_family(c->ms, &d), s->num[k]->div == 1 ? v : v / s->num[k]->div, s->name);
		}
		const char *lv[N_STRINGS + 1];
		/* Only non-empty attributes label the series (node_exporter's `value != ""`). */
		for (size_t k = 0; k < N_STRINGS; k++)
			lv[k] = s->str[k] && *s->str[k] ? s->str[k] : NULL;
		lv[N_STRINGS] = s->name;
		metric_addv(metric_family(c->ms, &info_desc), 1, lv);
	}
	return 0;
}

static int powersupplyclass_init(char *err, size_t err_size)
{
	if (!(ignored_re = regex_new(ignored_supplies ? ignored_supplies : "", err, err_size)))
		return -EINVAL;
	return 0;
}

static void powersupplyclass_fini(void)
{
	regex_free(ignored_re);
	ignored_re = NULL;
}

COLLECTOR(powersupplyclass, .default_on = true, .flags = powersupply_flags, .init = powersupplyclass_init,
	  .fini = powersupplyclass_fini);
