/* pcidevice: PCI devices from /sys/bus/pci/devices, as node_exporter's pcidevice collector
 * (collector/pcidevice_linux.go over procfs' PciDevices). Disabled by default.
 *
 * A device's location and its parent's come from the target of its symlink (a parent named pci... is
 * a root bus and labelled "*"). class, vendor, device, subsystem ids, revision and numa_node are
 * required; link speed and width, SR-IOV and power-management attributes are optional. Any read or
 * parse error reports nothing, as in procfs. With --collector.pcidevice.names the info metric also
 * carries names from pci.ids (--collector.pcidevice.idsfile, else /usr/share/misc/pci.ids or
 * /usr/share/hwdata/pci.ids), loaded once at start-up.
 *
 * node_exporter reports -1 for an unknown link speed or width and 0 for absent SR-IOV and d3cold
 * attributes; here such series are left out, so a scrape never carries an invented value. */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

static const char *ids_file;
static bool pci_names;

static struct flag pcidevice_flags[] = {
	{ "collector.pcidevice.idsfile", FLAG_STRING, NULL, "Path to pci.ids file to use for PCI device identification.",
	  &ids_file },
	{ "collector.pcidevice.names", FLAG_BOOL, "false", "Enable PCI device name resolution (requires pci.ids file).",
	  &pci_names },
	{ NULL },
};

#define LOC_LABELS "segment", "bus", "device", "function"

METRIC(max_ts_desc, GAUGE, "node_pcidevice_max_link_transfers_per_second",
       "Value of maximum link's transfers per second (T/s)", LOC_LABELS);
METRIC(max_width_desc, GAUGE, "node_pcidevice_max_link_width", "Value of maximum link's width (number of lanes)",
       LOC_LABELS);
METRIC(cur_ts_desc, GAUGE, "node_pcidevice_current_link_transfers_per_second",
       "Value of current link's transfers per second (T/s)", LOC_LABELS);
METRIC(cur_width_desc, GAUGE, "node_pcidevice_current_link_width", "Value of current link's width (number of lanes)",
       LOC_LABELS);
METRIC(power_state_desc, GAUGE, "node_pcidevice_power_state",
       "PCIe device power state, one of: D0, D1, D2, D3hot, D3cold, unknown or error.", LOC_LABELS, "state");
METRIC(d3cold_desc, GAUGE, "node_pcidevice_d3cold_allowed",
       "Whether the PCIe device supports D3cold power state (0/1).", LOC_LABELS);
METRIC(autoprobe_desc, GAUGE, "node_pcidevice_sriov_drivers_autoprobe",
       "Whether SR-IOV drivers autoprobe is enabled for the device (0/1).", LOC_LABELS);
METRIC(numvfs_desc, GAUGE, "node_pcidevice_sriov_numvfs",
       "Number of Virtual Functions (VFs) currently enabled for SR-IOV.", LOC_LABELS);
METRIC(totalvfs_desc, GAUGE, "node_pcidevice_sriov_totalvfs",
       "Total number of Virtual Functions (VFs) supported by the device.", LOC_LABELS);
METRIC(msix_desc, GAUGE, "node_pcidevice_sriov_vf_total_msix", "Total number of MSI-X vectors for Virtual Functions.",
       LOC_LABELS);
METRIC(numa_desc, GAUGE, "node_pcidevice_numa_node",
       "NUMA node number for the PCI device. -1 indicates unknown or not available.", LOC_LABELS);

#define INFO_HELP "Non-numeric data from /sys/bus/pci/devices/<location>, value is always 1."
#define INFO_LABELS                                                                                            \
	LOC_LABELS, "parent_segment", "parent_bus", "parent_device", "parent_function", "class_id", "vendor_id", \
		"device_id", "subsystem_vendor_id", "subsystem_device_id", "revision"
METRIC(info_desc, GAUGE, "node_pcidevice_info", INFO_HELP, INFO_LABELS);
METRIC(info_names_desc, GAUGE, "node_pcidevice_info", INFO_HELP, INFO_LABELS, "vendor_name", "device_name",
       "subsystem_vendor_name", "subsystem_device_name", "class_name");

static const char *const power_states[] = { "D0", "D1", "D2", "D3hot", "D3cold", "unknown", "error" };

/* ---- pci.ids ---- */

/* The names from pci.ids as one table of keys: "v<vendor>", "d<vendor>:<device>",
 * "s<vendor>:<device>:<subvendor>:<subdevice>", "c<class>", "C<class><subclass>",
 * "p<class><subclass><progif>". Sorted by key, the last entry of a key wins (a Go map). */
struct id_entry {
	char *key;
	char *name;
	size_t order;
};

static struct id_entry *ids;
static size_t n_ids, cap_ids;

static int ids_add(const char *key, const char *name)
{
	struct id_entry *n = heap_grow(ids, n_ids, &cap_ids, sizeof(*ids));

	if (!n)
		return -ENOMEM;
	ids = n;
	ids[n_ids].key = strdup(key);
	ids[n_ids].name = strdup(name);
	ids[n_ids].order = n_ids;
	if (!ids[n_ids].key || !ids[n_ids].name) {
		free(ids[n_ids].key);
		free(ids[n_ids].name);
		return -ENOMEM;
	}
	n_ids++;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct id_entry *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	return r ? r : x->order < y->order ? -1 : x->order > y->order;
}

static const char *ids_find(const char *key)
{
	size_t lo = 0, hi = n_ids;

	/* The last entry with this key. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(ids[mid].key, key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && streq(ids[lo - 1].key, key) ? ids[lo - 1].name : NULL;
}

static void ids_free(void)
{
	for (size_t i = 0; i < n_ids; i++) {
		free(ids[i].key);
		free(ids[i].name);
	}
	free(ids);
	ids = NULL;
	n_ids = cap_ids = 0;
}

/* strings.SplitN(line, "  ", 2) with both parts trimmed. Returns false when there is no "  ". */
static bool split_two(char *line, char **id, char **name)
{
	char *sep = strstr(line, "  ");

	if (!sep)
		return false;
	*sep = '\0';
	*id = go_trim_space(line);
	*name = go_trim_space(sep + 2);
	return true;
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Parses pci.ids the way node_exporter does (its line rules, not the file format's full grammar). */
static int ids_parse(char *text)
{
	char cur_vendor[64] = "", cur_device[64] = "", cur_class[64] = "", cur_subclass[128] = "";
	char key[320];
	bool in_class = false;
	char *p = text, *line, *id, *name;
	int r = 0;

	while ((line = next_line(&p)) && r == 0) {
		if (!*line || *line == '#')
			continue;
		if (startswith(line, "C ")) {
			if (split_two(line, &id, &name)) {
				id = go_trim_space(id + 1);
				snprintf(cur_class, sizeof(cur_class), "%s", id);
				snprintf(key, sizeof(key), "c%s", id);
				r = ids_add(key, name);
				in_class = true;
			}
			continue;
		}
		if (line[0] == '\t' && line[1] != '\t' && in_class) {
			if (split_two(line + 1, &id, &name) && *cur_class) {
				snprintf(cur_subclass, sizeof(cur_subclass), "%s%s", cur_class, id);
				snprintf(key, sizeof(key), "C%s", cur_subclass);
				r = ids_add(key, name);
			}
			continue;
		}
		if (line[0] == '\t' && line[1] == '\t' && line[2] != '\t' && in_class) {
			if (split_two(line + 2, &id, &name) && *cur_subclass) {
				snprintf(key, sizeof(key), "p%s%s", cur_subclass, id);
				r = ids_add(key, name);
			}
			continue;
		}
		if (line[0] != '\t') {
			if (split_two(line, &id, &name)) {
				snprintf(cur_vendor, sizeof(cur_vendor), "%s", id);
				cur_device[0] = '\0';
				in_class = false;
				snprintf(key, sizeof(key), "v%s", id);
				r = ids_add(key, name);
			}
			continue;
		}
		if (line[1] != '\t') {
			if (split_two(line + 1, &id, &name) && *cur_vendor) {
				snprintf(cur_device, sizeof(cur_device), "%s", id);
				snprintf(key, sizeof(key), "d%s:%s", cur_vendor, id);
				r = ids_add(key, name);
			}
			continue;
		}
		/* Subsystem: "\t\t<subvendor> <subdevice>  <name>". */
		if (split_two(line + 2, &id, &name) && *cur_vendor && *cur_device) {
			char *f[3];
			if (split_fields(id, f, 3) == 2) {
				snprintf(key, sizeof(key), "s%s:%s:%s:%s", cur_vendor, cur_device, f[0], f[1]);
				r = ids_add(key, name);
			}
		}
	}
	return r;
}

static int pcidevice_init(char *err, size_t err_size)
{
	static const char *const defaults[] = { "/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids" };
	struct strbuf b = { 0 };
	ssize_t n = -ENOENT;
	int r = 0;

	(void)err;
	(void)err_size;
	ids_free();
	if (!pci_names)
		return 0;
	/* A missing file only means the names fall back to the ids, as in node_exporter. */
	if (ids_file && *ids_file) {
		if ((n = file_read(ids_file, &b)) < 0)
			log_debug("Failed to open PCI IDs file", "file", ids_file, "error", strerror((int)-n));
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(defaults) && n < 0; i++)
			n = file_read(defaults[i], &b);
		if (n < 0)
			log_debug("Failed to open any default PCI IDs file", "error", strerror((int)-n));
	}
	if (n >= 0) {
		r = ids_parse(b.p);
		if (r == 0 && n_ids > 1)
			qsort(ids, n_ids, sizeof(*ids), cmp_entry);
	}
	sb_free(&b);
	if (r < 0)
		ids_free();
	return r;
}

static void pcidevice_fini(void)
{
	ids_free();
}

/* ---- devices ---- */

struct loc {
	int64_t seg, bus, dev, fn;
};

struct pci_dev {
	struct loc loc, parent;
	bool has_parent;
	uint32_t cls, vendor, device, sub_vendor, sub_device, revision;
	int32_t numa;
	bool has_max_speed, has_max_width, has_cur_speed, has_cur_width;
	double max_speed, max_width, cur_speed, cur_width;
	bool has_autoprobe, has_numvfs, has_totalvfs, has_msix, has_d3cold;
	bool autoprobe, d3cold;
	uint32_t numvfs, totalvfs;
	uint64_t msix;
	const char *power_state;
};

/* "0000:00:02.1": segment:bus:device.function, all hexadecimal. Returns 0 or -EINVAL. */
static int parse_location(const char *s, struct loc *l)
{
	char buf[64], *parts[4], *dot;
	int n = 0;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	parts[n++] = buf;
	for (char *p = buf; *p; p++)
		if (*p == ':') {
			if (n == 3)
				return -EINVAL;
			*p = '\0';
			parts[n++] = p + 1;
		}
	if (n != 3 || !(dot = strchr(parts[2], '.')) || strchr(dot + 1, '.'))
		return -EINVAL;
	*dot = '\0';
	parts[3] = dot + 1;
	if (go_parse_int(parts[0], 16, 32, &l->seg) < 0 || go_parse_int(parts[1], 16, 32, &l->bus) < 0 ||
	    go_parse_int(parts[2], 16, 32, &l->dev) < 0 || go_parse_int(parts[3], 16, 32, &l->fn) < 0)
		return -EINVAL;
	return 0;
}

/* "8.0 GT/s PCIe" in GT/s. Returns 0 or -EINVAL. */
static int parse_speed(const char *v, double *out)
{
	const char *sp = strchr(v, ' ');
	char num[64];

	if (!sp || !streq(sp + 1, "GT/s PCIe") || (size_t)(sp - v) >= sizeof(num))
		return -EINVAL;
	memcpy(num, v, (size_t)(sp - v));
	num[sp - v] = '\0';
	return go_parse_float(go_trim_space(num), out) < 0 ? -EINVAL : 0;
}

/* Reads the attribute <dir>/<name>/<file> into c->buf. Returns 1 with its content there; 0 for an
 * optional attribute that is absent or empty; or the collector's failure. */
static int read_attr(struct collect_ctx *c, const char *dir, const char *name, const char *file, bool optional)
{
	ssize_t r = sysattr_read(ctx_path(c, ROOT_NONE, "%s/%s/%s", dir, name, file), &c->buf);

	if (optional && (r == -ENOENT || r == 0))
		return 0;
	if (r < 0)
		return ctx_fail(c, (int)r, "failed to read file %s: %s", c->path.p, strerror((int)-r));
	return 1;
}

static int read_device(struct collect_ctx *c, const char *dir, const char *name, struct pci_dev *d)
{
	static const char *const required[] = { "class", "vendor", "device", "subsystem_vendor",
						"subsystem_device", "revision", "numa_node" };
	char link[4096], *base, *slash;
	ssize_t n = readlink(ctx_path(c, ROOT_NONE, "%s/%s", dir, name), link, sizeof(link) - 1);

	if (n < 0)
		return ctx_fail(c, -errno, "failed to readlink %s: %s", c->path.p, strerror(errno));
	link[n] = '\0';
	/* filepath.Base and filepath.Base(filepath.Dir) of the link target. */
	while (n > 1 && link[n - 1] == '/')
		link[--n] = '\0';
	slash = strrchr(link, '/');
	base = slash ? slash + 1 : link;
	if (parse_location(base, &d->loc) < 0)
		return ctx_fail(c, -EINVAL, "failed to parse device location %s", base);
	if (slash) {
		*slash = '\0';
		char *pslash = strrchr(link, '/');
		const char *parent = pslash ? pslash + 1 : link;
		if (!*link)
			parent = "/";
		if (!startswith(parent, "pci")) {
			if (parse_location(parent, &d->parent) < 0)
				return ctx_fail(c, -EINVAL, "failed to parse parent device location %s", parent);
			d->has_parent = true;
		}
	} else if (parse_location(".", &d->parent) < 0) {
		return ctx_fail(c, -EINVAL, "failed to parse parent device location .");
	}

	for (size_t i = 0; i < ARRAY_SIZE(required); i++) {
		int64_t v;
		int r = read_attr(c, dir, name, required[i], false);
		if (r < 0)
			return r;
		if (go_parse_int(c->buf.p, 0, 32, &v) < 0)
			return ctx_fail(c, -EINVAL, "failed to parse %s: %s", c->path.p, c->buf.p);
		uint32_t u = (uint32_t)v;
		switch (i) {
		case 0: d->cls = u; break;
		case 1: d->vendor = u; break;
		case 2: d->device = u; break;
		case 3: d->sub_vendor = u; break;
		case 4: d->sub_device = u; break;
		case 5: d->revision = u; break;
		default: d->numa = (int32_t)v; break;
		}
	}

	static const char *const link_files[] = { "max_link_speed", "max_link_width", "current_link_speed",
						  "current_link_width" };
	for (size_t i = 0; i < ARRAY_SIZE(link_files); i++) {
		int r = read_attr(c, dir, name, link_files[i], true);
		double v;
		int64_t w;
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		/* An unknown speed (drivers/pci/probe.c pci_speed_string). */
		if (startswith(c->buf.p, "Unknown"))
			continue;
		if (i % 2 == 0) {
			if (parse_speed(c->buf.p, &v) < 0)
				return ctx_fail(c, -EINVAL, "invalid value for %s %s", c->path.p, c->buf.p);
			*(i == 0 ? &d->max_speed : &d->cur_speed) = v;
			*(i == 0 ? &d->has_max_speed : &d->has_cur_speed) = true;
		} else {
			if (go_parse_int(c->buf.p, 10, 64, &w) < 0)
				return ctx_fail(c, -EINVAL, "failed to parse %s %s", c->path.p, c->buf.p);
			*(i == 1 ? &d->max_width : &d->cur_width) = (double)w;
			*(i == 1 ? &d->has_max_width : &d->has_cur_width) = true;
		}
	}

	static const char *const opt_files[] = { "sriov_drivers_autoprobe", "sriov_numvfs", "sriov_offset",
						 "sriov_stride", "sriov_totalvfs", "sriov_vf_device",
						 "sriov_vf_total_msix", "d3cold_allowed", "power_state" };
	for (size_t i = 0; i < ARRAY_SIZE(opt_files); i++) {
		int r = read_attr(c, dir, name, opt_files[i], true);
		int64_t v;
		uint64_t u;
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		bool ok = true;
		switch (i) {
		case 0: /* sriov_drivers_autoprobe */
		case 7: /* d3cold_allowed */
			ok = go_parse_int(c->buf.p, 10, 32, &v) == 0;
			if (ok && i == 0) {
				d->autoprobe = v != 0;
				d->has_autoprobe = true;
			} else if (ok) {
				d->d3cold = v != 0;
				d->has_d3cold = true;
			}
			break;
		case 6: /* sriov_vf_total_msix */
			ok = go_parse_int(c->buf.p, 10, 64, &v) == 0;
			if (ok) {
				d->msix = (uint64_t)v;
				d->has_msix = true;
			}
			break;
		case 8:
			if (!(d->power_state = metric_strdup(c->ms, c->buf.p)))
				return -ENOMEM;
			break;
		default:
			ok = go_parse_uint(c->buf.p, 10, 32, &u) == 0;
			if (ok && i == 1) {
				d->numvfs = (uint32_t)u;
				d->has_numvfs = true;
			} else if (ok && i == 4) {
				d->totalvfs = (uint32_t)u;
				d->has_totalvfs = true;
			}
			break;
		}
		if (!ok)
			return ctx_fail(c, -EINVAL, "failed to parse %s: %s", c->path.p, c->buf.p);
	}
	return 0;
}

static const char *hex(struct arena *a, const char *fmt, uint32_t v)
{
	return arena_printf(a, fmt, v);
}

/* Name lookups with node_exporter's fallbacks: the id without 0x when the name is unknown. */
static const char *name_or(const char *key, const char *fallback)
{
	const char *n = ids_find(key);

	return n ? n : fallback;
}

static void emit_info(struct collect_ctx *c, const struct pci_dev *d, const char *const *loc)
{
	struct arena *a = &c->ms->arena;
	const char *lv[21];
	unsigned n = 0;

	for (int i = 0; i < 4; i++)
		lv[n++] = loc[i];
	if (d->has_parent) {
		lv[n++] = arena_printf(a, "%04llx", (unsigned long long)d->parent.seg);
		lv[n++] = arena_printf(a, "%02llx", (unsigned long long)d->parent.bus);
		lv[n++] = arena_printf(a, "%02llx", (unsigned long long)d->parent.dev);
		lv[n++] = arena_printf(a, "%llx", (unsigned long long)d->parent.fn);
	} else {
		for (int i = 0; i < 4; i++)
			lv[n++] = "*";
	}
	const char *cls = hex(a, "0x%06x", d->cls), *ven = hex(a, "0x%04x", d->vendor),
		   *dev = hex(a, "0x%04x", d->device), *sven = hex(a, "0x%04x", d->sub_vendor),
		   *sdev = hex(a, "0x%04x", d->sub_device);
	lv[n++] = cls;
	lv[n++] = ven;
	lv[n++] = dev;
	lv[n++] = sven;
	lv[n++] = sdev;
	lv[n++] = hex(a, "0x%02x", d->revision);
	for (unsigned i = 0; i < n; i++)
		if (!lv[i])
			return;
	if (!pci_names) {
		metric_addv(metric_family(c->ms, &info_desc), 1, lv);
		return;
	}
	char v[16], dv[16], sv[16], sd[16], cl[16], key[80];
	snprintf(v, sizeof(v), "%04x", d->vendor);
	snprintf(dv, sizeof(dv), "%04x", d->device);
	snprintf(sv, sizeof(sv), "%04x", d->sub_vendor);
	snprintf(sd, sizeof(sd), "%04x", d->sub_device);
	snprintf(cl, sizeof(cl), "%06x", d->cls);
	lower(cl);
	snprintf(key, sizeof(key), "v%s", v);
	lv[n++] = name_or(key, arena_strdup(a, v));
	snprintf(key, sizeof(key), "d%s:%s", v, dv);
	lv[n++] = name_or(key, arena_strdup(a, dv));
	snprintf(key, sizeof(key), "v%s", sv);
	lv[n++] = name_or(key, arena_strdup(a, sv));
	snprintf(key, sizeof(key), "s%s:%s:%s:%s", v, dv, sv, sd);
	lv[n++] = name_or(key, arena_strdup(a, sd));
	/* The class name: programming interface, else subclass, else base class. */
	const char *cname = NULL;
	size_t cl_len = strlen(cl);
	if (cl_len >= 6) {
		snprintf(key, sizeof(key), "p%.6s", cl);
		cname = ids_find(key);
	}
	if (!cname && cl_len >= 4) {
		snprintf(key, sizeof(key), "C%.4s", cl);
		cname = ids_find(key);
	}
	if (!cname && cl_len >= 2) {
		snprintf(key, sizeof(key), "c%.2s", cl);
		cname = ids_find(key);
	}
	lv[n++] = cname ? cname : arena_printf(a, "Unknown class (%s)", cl);
	for (unsigned i = 0; i < n; i++)
		if (!lv[i])
			return;
	metric_addv(metric_family(c->ms, &info_names_desc), 1, lv);
}

static int pcidevice_collect(struct collect_ctx *c)
{
	const char *dir;
	char **names;
	ssize_t n = ctx_list_dir(c, 0, &dir, &names, ROOT_SYS, "bus/pci/devices");
	struct pci_dev *devs;

	if (n == COLLECTOR_NO_DATA)
		return (int)n;
	if (n < 0)
		return ctx_fail(c, (int)n, "error obtaining PCI device info: %s", strerror((int)-n));
	if (!(devs = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*devs))))
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		int r = read_device(c, dir, names[i], &devs[i]);
		if (r < 0)
			return r == -ENOENT ? COLLECTOR_NO_DATA : r;
	}
	for (ssize_t i = 0; i < n; i++) {
		const struct pci_dev *d = &devs[i];
		struct arena *a = &c->ms->arena;
		const char *loc[4] = {
			arena_printf(a, "%04llx", (unsigned long long)d->loc.seg),
			arena_printf(a, "%02llx", (unsigned long long)d->loc.bus),
			arena_printf(a, "%02llx", (unsigned long long)d->loc.dev),
			arena_printf(a, "%llx", (unsigned long long)d->loc.fn),
		};
		if (!loc[0] || !loc[1] || !loc[2] || !loc[3])
			return -ENOMEM;
		emit_info(c, d, loc);
		/* Link speeds are GT/s. */
		if (d->has_max_speed)
			metric_addv(metric_family(c->ms, &max_ts_desc), d->max_speed * 1e9, loc);
		if (d->has_max_width)
			metric_addv(metric_family(c->ms, &max_width_desc), d->max_width, loc);
		if (d->has_cur_speed)
			metric_addv(metric_family(c->ms, &cur_ts_desc), d->cur_speed * 1e9, loc);
		if (d->has_cur_width)
			metric_addv(metric_family(c->ms, &cur_width_desc), d->cur_width, loc);
		if (d->has_d3cold)
			metric_addv(metric_family(c->ms, &d3cold_desc), d->d3cold, loc);
		if (d->has_autoprobe)
			metric_addv(metric_family(c->ms, &autoprobe_desc), d->autoprobe, loc);
		if (d->has_numvfs)
			metric_addv(metric_family(c->ms, &numvfs_desc), d->numvfs, loc);
		if (d->has_totalvfs)
			metric_addv(metric_family(c->ms, &totalvfs_desc), d->totalvfs, loc);
		if (d->has_msix)
			metric_addv(metric_family(c->ms, &msix_desc), (double)d->msix, loc);
		if (d->power_state)
			for (size_t k = 0; k < ARRAY_SIZE(power_states); k++)
				metric_add(metric_family(c->ms, &power_state_desc), streq(d->power_state, power_states[k]),
					   loc[0], loc[1], loc[2], loc[3], power_states[k]);
		if (d->numa != -1)
			metric_addv(metric_family(c->ms, &numa_desc), d->numa, loc);
	}
	return 0;
}

COLLECTOR(pcidevice, .default_on = false, .flags = pcidevice_flags, .init = pcidevice_init,
	  .fini = pcidevice_fini);
