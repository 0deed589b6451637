/* hwmon: sensors under /sys/class/hwmon, as node_exporter's hwmon collector (collector/hwmon_linux.go).
 *
 * Every hwmonN directory and its device/ directory are scanned for files named <type><num>[_<prop>]
 * with a known sensor type. The chip label comes from the device the chip belongs to
 * (<parent-dir>_<device-dir> of the resolved device link), else from the chip's name file, else
 * hwmonN; chips that end up with the same label are told apart by a suffix (their name, or hwmonN).
 * Values are read with one read of at most 128 bytes, as node_exporter does, because some broken
 * drivers never finish a longer read. */
#include <stdio.h>
#include <sys/stat.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

static const char *chip_include, *chip_exclude, *sensor_include, *sensor_exclude;
static struct name_filter chip_filter, sensor_filter;

static struct flag hwmon_flags[] = {
	{ "collector.hwmon.chip-include", FLAG_STRING, NULL,
	  "Regexp of hwmon chip to include (mutually exclusive to device-exclude).", &chip_include },
	{ "collector.hwmon.chip-exclude", FLAG_STRING, NULL,
	  "Regexp of hwmon chip to exclude (mutually exclusive to device-include).", &chip_exclude },
	{ "collector.hwmon.sensor-include", FLAG_STRING, NULL,
	  "Regexp of hwmon sensor to include (mutually exclusive to sensor-exclude).", &sensor_include },
	{ "collector.hwmon.sensor-exclude", FLAG_STRING, NULL,
	  "Regexp of hwmon sensor to exclude (mutually exclusive to sensor-include).", &sensor_exclude },
	{ NULL },
};

METRIC(chip_names_desc, GAUGE, "node_hwmon_chip_names", "Annotation metric for human-readable chip names", "chip",
       "chip_name");
METRIC(sensor_label_desc, GAUGE, "node_hwmon_sensor_label", "Label for given chip and sensor", "chip", "sensor",
       "label");

static const char *const sensor_types[] = {
	"vrm", "beep_enable", "update_interval", "in", "cpu", "fan", "pwm",
	"temp", "curr", "power", "energy", "humidity", "intrusion", "freq",
};

/* One value file: sensor "temp1", property "input" ("" for a bare temp1 file), content. */
struct hw_value {
	const char *sensor;
	const char *type;
	const char *prop;
	const char *value;
	unsigned order; /* later files (device/) replace earlier ones with the same sensor and property */
};

struct hw_values {
	struct hw_value *v;
	size_t n, cap;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Splits a file name as node_exporter's ^(?P<type>[^0-9]+)(?P<id>[0-9]*)?(_(?P<property>.+))?$ does,
 * including the regexp's backtracking preferences. Returns false when the name does not match or the
 * number does not fit an int (node_exporter's Atoi). */
static bool explode_name(const char *name, size_t *type_len, long long *num, const char **prop)
{
	size_t tmax = 0, len = strlen(name);

	while (tmax < len && !is_digit(name[tmax]))
		tmax++;
	for (size_t t = tmax; t >= 1; t--) {
		size_t imax = t;
		while (imax < len && is_digit(name[imax]))
			imax++;
		for (size_t i = imax + 1; i-- > t;) {
			const char *rest = name + i;
			bool ok = !*rest || (rest[0] == '_' && rest[1] && !strchr(rest + 1, '\n'));
			if (!ok)
				continue;
			long long n = 0;
			for (size_t k = t; k < i; k++) {
				if (n > (INT64_MAX - (name[k] - '0')) / 10)
					return false;
				n = n * 10 + (name[k] - '0');
			}
			*type_len = t;
			*num = n;
			*prop = *rest ? rest + 1 : "";
			return true;
		}
	}
	return false;
}

/* Cleans s into the arena. */
static char *clean_dup(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) + 1);

	return out ? go_clean_metric_name(s, out) : NULL;
}

static bool known_type(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(sensor_types); i++)
		if (strlen(sensor_types[i]) == len && !memcmp(sensor_types[i], name, len))
			return true;
	return false;
}

/* Reads every sensor file of dir into vals (node_exporter's collectSensorData). Unreadable files are
 * skipped. Returns 0 or the negative errno of listing dir. */
static int collect_sensor_data(struct collect_ctx *c, struct strbuf *path, struct strbuf *buf, const char *dir,
			       struct hw_values *vals)
{
	char **names;
	ssize_t n = dir_list(dir, &c->ms->arena, &names);

	if (n < 0)
		return (int)n;
	for (ssize_t i = 0; i < n; i++) {
		size_t tl;
		long long num;
		const char *prop;

		if (!explode_name(names[i], &tl, &num, &prop) || !known_type(names[i], tl))
			continue;
		path_build(path, ROOT_NONE, "%s/%s", dir, names[i]);
		if (file_read(path->p, buf) < 0)
			continue;
		/* One read of at most 128 bytes, then only newlines trimmed (strings.Trim(raw, "\n")). */
		size_t len = buf->len > SYSATTR_MAX ? SYSATTR_MAX : buf->len;
		const char *v = buf->p;
		while (len && *v == '\n') {
			v++;
			len--;
		}
		while (len && v[len - 1] == '\n')
			len--;
		void *grown = arena_grow(&c->ms->arena, vals->v, vals->n, &vals->cap, sizeof(*vals->v));
		if (!grown)
			return -ENOMEM;
		vals->v = grown;
		struct hw_value *e = &vals->v[vals->n];
		char *type = arena_strndup(&c->ms->arena, names[i], tl);
		e->type = type;
		e->sensor = type ? arena_printf(&c->ms->arena, "%s%lld", type, num) : NULL;
		e->prop = prop;
		e->value = arena_strndup(&c->ms->arena, v, len);
		e->order = (unsigned)vals->n;
		if (!e->sensor || !e->value)
			return -ENOMEM;
		vals->n++;
	}
	return 0;
}

static int cmp_value(const void *a, const void *b)
{
	const struct hw_value *x = a, *y = b;
	int r = strcmp(x->sensor, y->sensor);

	if (!r)
		r = strcmp(x->prop, y->prop);
	if (!r)
		r = x->order < y->order ? -1 : x->order > y->order;
	return r;
}

static void emit(struct collect_ctx *c, const char *name, const char *help, enum metric_type type, double v,
		 const char *chip, const char *sensor)
{
	struct metric_desc d = { .name = name, .help = help, .type = type, .n_labels = 2,
				 .labels = (const char *const[]){ "chip", "sensor" }, .help_from_input = true };

	metric_add(metric_family(c->ms, &d), v, chip, sensor);
}

/* Finds the value of property prop in the sensor's values [from, to). */
static const char *sensor_prop(const struct hw_value *v, size_t from, size_t to, const char *prop)
{
	for (size_t i = from; i < to; i++)
		if (streq(v[i].prop, prop))
			return v[i].value;
	return NULL;
}

/* node_exporter's units, in the order it tries them: the first rule whose sensor type and element match
 * gives the name's suffix, the help (%s: the element) and the value, the file's times mul / div (the
 * two steps Go takes, so the result is the same to the last bit). */
struct unit_rule {
	const char *types;   /* space-separated sensor types; NULL: any */
	const char *els;     /* space-separated elements; NULL: any */
	const char *not_els; /* elements the rule leaves out; NULL: none */
	const char *suffix;
	const char *help;
	enum metric_type type;
	double mul, div;
	bool input_if_empty; /* the bare file's help says "input" */
	bool gpu_clock;      /* labelled by the cleaned sensor label, and only with one */
};

static const struct unit_rule unit_rules[] = {
	{ NULL, "beep", NULL, "_enabled", "Hardware monitor sensor has beeping enabled", METRIC_GAUGE, 1, 1 },
	{ "in cpu", NULL, NULL, "_volts", "Hardware monitor for voltage (%s)", METRIC_GAUGE, 0.001, 1 },
	{ "temp", NULL, "type", "_celsius", "Hardware monitor for temperature (%s)", METRIC_GAUGE, 0.001, 1,
	  .input_if_empty = true },
	{ "curr", NULL, NULL, "_amps", "Hardware monitor for current (%s)", METRIC_GAUGE, 0.001, 1 },
	{ "energy", NULL, NULL, "_joule_total", "Hardware monitor for joules used so far (%s)", METRIC_COUNTER, 1,
	  1000000.0 },
	{ "power", "accuracy", NULL, "", "Hardware monitor power meter accuracy, as a ratio", METRIC_GAUGE, 1,
	  1000000.0 },
	{ "power", "average_interval average_interval_min average_interval_max", NULL, "_seconds",
	  "Hardware monitor power usage update interval (%s)", METRIC_GAUGE, 0.001, 1 },
	{ "power", NULL, NULL, "_watt", "Hardware monitor for power usage in watts (%s)", METRIC_GAUGE, 1, 1000000.0 },
	{ "humidity", NULL, NULL, "",
	  "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (%s)",
	  METRIC_GAUGE, 1, 1000000.0 },
	{ "fan", "input min max target", NULL, "_rpm", "Hardware monitor for fan revolutions per minute (%s)",
	  METRIC_GAUGE, 1, 1 },
	{ "freq", "input", NULL, "_freq_mhz", "Hardware monitor for GPU frequency in MHz", METRIC_GAUGE, 1, 1000000.0,
	  .gpu_clock = true },
};

/* True when w is one of the space-separated words of list ("" is none of them). */
static bool in_words(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; n && (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static const struct unit_rule *unit_rule(const char *type, const char *el)
{
	for (size_t i = 0; i < ARRAY_SIZE(unit_rules); i++) {
		const struct unit_rule *u = &unit_rules[i];
		if ((!u->types || in_words(u->types, type)) && (!u->els || in_words(u->els, el)) &&
		    (!u->not_els || !in_words(u->not_els, el)))
			return u;
	}
	return NULL;
}

static void emit_sensor(struct collect_ctx *c, const char *chip, const struct hw_value *v, size_t from, size_t to)
{
	const char *sensor = v[from].sensor, *type = v[from].type;
	const char *label = sensor_prop(v, from, to, "label");
	char name[512], help[512], cleaned[SYSATTR_MAX + 1];
	double pv;

	if (label)
		metric_add(metric_family(c->ms, &sensor_label_desc), 1, chip, sensor,
			   utf8_sanitize(&c->ms->arena, label));

	if (streq(type, "beep_enable")) {
		const char *bare = sensor_prop(v, from, to, "");
		emit(c, "node_hwmon_beep_enabled", "Hardware beep enabled", METRIC_GAUGE,
		     bare && streq(bare, "1") ? 1 : 0, chip, sensor);
		return;
	}
	if (streq(type, "vrm") || streq(type, "update_interval")) {
		const char *bare = sensor_prop(v, from, to, "");
		if (!bare || go_parse_float(bare, &pv) < 0)
			return;
		if (streq(type, "vrm"))
			emit(c, "node_hwmon_voltage_regulator_version", "Hardware voltage regulator", METRIC_GAUGE, pv,
			     chip, sensor);
		else
			emit(c, "node_hwmon_update_interval_seconds", "Hardware monitor update interval", METRIC_GAUGE,
			     pv * 0.001, chip, sensor);
		return;
	}

	bool has_bare = sensor_prop(v, from, to, "") != NULL;
	for (size_t i = from; i < to; i++) {
		const char *el = v[i].prop;
		int nl;

		if (streq(el, "label"))
			continue;
		if (streq(el, "input"))
			nl = snprintf(name, sizeof(name), "node_hwmon_%s%s", type, has_bare ? "_input" : "");
		else if (*el) {
			char *ce = arena_alloc(&c->ms->arena, strlen(el) + 1);
			if (!ce)
				return;
			nl = snprintf(name, sizeof(name), "node_hwmon_%s_%s", type, go_clean_metric_name(el, ce));
		} else
			nl = snprintf(name, sizeof(name), "node_hwmon_%s", type);
		if (nl < 0 || (size_t)nl >= sizeof(name) - 32)
			continue;
		if (go_parse_float(v[i].value, &pv) < 0)
			continue;

		if (streq(el, "fault") || streq(el, "alarm")) {
			snprintf(help, sizeof(help), "Hardware sensor %s status (%s)", el, type);
			emit(c, name, help, METRIC_GAUGE, pv, chip, sensor);
			continue;
		}
		const struct unit_rule *u = unit_rule(type, el);
		if (!u) {
			snprintf(help, sizeof(help), "Hardware monitor %s element %s", type, el);
			emit(c, name, help, METRIC_GAUGE, pv, chip, sensor);
			continue;
		}
		/* GPU clocks: the sensor label is the cleaned label (sclk, mclk), and without one there is no
		 * metric. */
		if (u->gpu_clock && !label)
			continue;
		strcat(name, u->suffix);
		snprintf(help, sizeof(help), u->help, *el || !u->input_if_empty ? el : "input");
		emit(c, name, help, u->type, pv * u->mul / u->div, chip,
		     u->gpu_clock ? go_clean_metric_name(label, cleaned) : sensor);
	}
}

/* Collects one chip. Returns 0 or a negative errno (sensor directory unreadable). */
static int update_chip(struct collect_ctx *c, struct strbuf *path, struct strbuf *buf, const char *dir,
		       const char *chip, const char *chip_name)
{
	struct hw_values vals = { 0 };
	struct stat st;
	int r;

	if ((r = collect_sensor_data(c, path, buf, dir, &vals)) < 0)
		return r;
	path_build(path, ROOT_NONE, "%s/device", dir);
	if (stat(path->p, &st) == 0) {
		char *dev = arena_strdup(&c->ms->arena, path->p);
		if (!dev)
			return -ENOMEM;
		if ((r = collect_sensor_data(c, path, buf, dev, &vals)) < 0)
			return r;
	}

	/* The human-readable chip name, from the name file. */
	if (chip_name)
		metric_add(metric_family(c->ms, &chip_names_desc), 1, chip, chip_name);

	if (vals.n > 1)
		qsort(vals.v, vals.n, sizeof(*vals.v), cmp_value);
	/* Keep the last value of each (sensor, property): the device directory wins, as in a Go map. */
	size_t w = 0;
	for (size_t i = 0; i < vals.n; i++) {
		if (w && streq(vals.v[w - 1].sensor, vals.v[i].sensor) && streq(vals.v[w - 1].prop, vals.v[i].prop))
			vals.v[w - 1] = vals.v[i];
		else
			vals.v[w++] = vals.v[i];
	}
	vals.n = w;
	for (size_t i = 0; i < vals.n;) {
		size_t j = i + 1;
		while (j < vals.n && streq(vals.v[j].sensor, vals.v[i].sensor))
			j++;
		char *key = arena_printf(&c->ms->arena, "%s;%s", chip, vals.v[i].sensor);
		if (key && !name_filter_ignored(&sensor_filter, key))
			emit_sensor(c, chip, vals.v, i, j);
		i = j;
	}
	return 0;
}

/* The last path component of p (p modified). */
static char *last_component(char *p, char **parent)
{
	size_t n = strlen(p);
	char *slash;

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	slash = strrchr(p, '/');
	if (!slash) {
		if (parent)
			*parent = p + n; /* "" */
		return p;
	}
	*slash = '\0';
	if (parent) {
		char *ps = strrchr(p, '/');
		*parent = ps ? ps + 1 : p;
	}
	return slash + 1;
}

/* node_exporter's hwmonName: the chip label before disambiguation. Returns NULL when no name can be
 * derived (the directory cannot be resolved). */
static char *base_name(struct collect_ctx *c, struct strbuf *path, const char *dir, char *chip_name)
{
	char *real, *dev_name, *dev_type;

	path_build(path, ROOT_NONE, "%s/device", dir);
	if ((real = realpath(path->p, NULL))) {
		dev_name = last_component(real, &dev_type);
		char *cn = clean_dup(&c->ms->arena, dev_name), *ct = clean_dup(&c->ms->arena, dev_type);
		free(real);
		if (cn && ct && *cn && *ct)
			return arena_printf(&c->ms->arena, "%s_%s", ct, cn);
		if (cn && *cn)
			return cn;
	}
	if (chip_name)
		return chip_name;
	if ((real = realpath(dir, NULL))) {
		char *cn = clean_dup(&c->ms->arena, last_component(real, NULL));
		free(real);
		if (cn && *cn)
			return cn;
	}
	return NULL;
}

struct chip {
	char *dir;
	char *base;
	char *name; /* cleaned name file, or NULL */
	const char *entry;
};

static int hwmon_collect(struct collect_ctx *c)
{
	struct strbuf *path = &c->path, *buf = &c->buf;
	char **names;
	const char *cdir;
	ssize_t n = ctx_list_dir(c, 0, &cdir, &names, ROOT_SYS, "class/hwmon");
	int last_err = 0;

	if (n == COLLECTOR_NO_DATA)
		return (int)n;
	if (n < 0)
		return ctx_fail(c, (int)n, "open %s: %s", c->path.p, strerror((int)-n));

	struct chip *chips = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*chips));
	size_t nc = 0;
	if (!chips)
		return -ENOMEM;

	/* Pass 1: the chip directories and their base labels. */
	for (ssize_t i = 0; i < n; i++) {
		struct stat st;
		char *dir = arena_printf(&c->ms->arena, "%s/%s", cdir, names[i]);
		if (!dir)
			return -ENOMEM;
		if (lstat(dir, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode) && stat(dir, &st) < 0)
			continue;
		if (!S_ISDIR(st.st_mode))
			continue;
		/* The chip's name file, cleaned: a label candidate and the human-readable chip name. */
		char *chip_name = NULL;
		path_build(path, ROOT_NONE, "%s/name", dir);
		if (file_read(path->p, buf) > 0) {
			chip_name = clean_dup(&c->ms->arena, buf->p);
			if (chip_name && !*chip_name)
				chip_name = NULL;
		}
		char *base = base_name(c, path, dir, chip_name);
		if (!base) {
			last_err = ctx_fail(c, -ENOENT, "could not derive a monitoring name for %s", dir);
			continue;
		}
		chips[nc].dir = dir;
		chips[nc].base = base;
		chips[nc].entry = names[i];
		chips[nc].name = chip_name;
		nc++;
	}

	/* Pass 2: disambiguate chips that share a label, filter, collect. */
	for (size_t i = 0; i < nc; i++) {
		size_t same = 0, same_name = 0;
		const char *chip = chips[i].base;
		for (size_t j = 0; j < nc; j++) {
			if (!streq(chips[j].base, chips[i].base))
				continue;
			same++;
			if (chips[i].name && chips[j].name && streq(chips[i].name, chips[j].name))
				same_name++;
		}
		if (same > 1) {
			if (chips[i].name && same_name == 1)
				chip = arena_printf(&c->ms->arena, "%s_%s", chips[i].base, chips[i].name);
			else
				chip = arena_printf(&c->ms->arena, "%s_%s", chips[i].base,
						    clean_dup(&c->ms->arena, chips[i].entry));
			if (!chip)
				break;
		}
		if (name_filter_ignored(&chip_filter, chip)) {
			log_debug("ignoring hwmon chip", "chip", chip);
			continue;
		}
		int r = update_chip(c, path, buf, chips[i].dir, chip, chips[i].name);
		if (r < 0)
			last_err = ctx_fail(c, r, "hwmon chip %s (%s): %s", chip, chips[i].dir, strerror(-r));
	}
	return last_err;
}

static int hwmon_init(char *err, size_t err_size)
{
	if (name_filter_init(&chip_filter, chip_include, chip_exclude, err, err_size) < 0)
		return -EINVAL;
	if (name_filter_init(&sensor_filter, sensor_include, sensor_exclude, err, err_size) < 0) {
		name_filter_free(&chip_filter);
		return -EINVAL;
	}
	return 0;
}

static void hwmon_fini(void)
{
	name_filter_free(&chip_filter);
	name_filter_free(&sensor_filter);
}

COLLECTOR(hwmon, .default_on = true, .flags = hwmon_flags, .init = hwmon_init, .fini = hwmon_fini);
