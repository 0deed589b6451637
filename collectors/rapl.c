/* rapl: RAPL energy counters from /sys/class/powercap, as node_exporter's rapl collector
 * (collector/rapl_linux.go over procfs' GetRaplZones).
 *
 * Every powercap entry with a readable name file is a zone. A name "package-0" is zone "package" with
 * index 0; names without such a suffix are numbered by how often they were seen. Each zone becomes
 * node_rapl_<zone>_joules_total {index,path}, or with --collector.rapl.enable-zone-label one family
 * node_rapl_joules_total {index,path,rapl_zone}. energy_uj is root-only on current kernels: a
 * permission error is "no data", as in node_exporter. */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

static bool zone_label;

static struct flag rapl_flags[] = {
	/* node_exporter's help text, copied as it is. */
	{ "collector.rapl.enable-zone-label", FLAG_BOOL, "false", "Enables service unit metric unit_start_time_seconds",
	  &zone_label },
	{ NULL },
};

METRIC(joules_desc, COUNTER, "node_rapl_joules_total", "Current RAPL value in joules", "index", "path", "rapl_zone");

struct zone {
	const char *name;
	long long index;
	const char *path;
};

/* node_exporter's SanitizeMetricName: every run of characters outside [0-9A-Za-z_], with the
 * underscores around it, becomes one "_". */
static void sanitize(const char *s, char *out, size_t size)
{
	size_t o = 0;

	while (*s && o + 2 < size) {
		const char *p = s;
		while (*p == '_')
			p++;
		const char *q = p;
		while (*q && !((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			       *q == '_'))
			q++;
		if (q > p) {
			while (*q == '_')
				q++;
			out[o++] = '_';
			s = q;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
}

static int rapl_collect(struct collect_ctx *c)
{
	const char *p = ctx_path(c, ROOT_SYS, "class/powercap");
	char *cdir = p ? arena_strdup(&c->ms->arena, p) : NULL;
	char **names;
	ssize_t n;
	struct zone *zones;
	size_t nz = 0;
	/* How often each (index-less) name was seen: (name, next index) pairs. */
	const char **seen_name;
	long long *seen_next;
	size_t n_seen = 0;

	if (!cdir)
		return -ENOMEM;
	n = dir_list(cdir, &c->ms->arena, &names);
	if (n == -ENOENT || n == -EACCES || n == -EPERM) {
		log_debug("Platform doesn't have powercap files present", "err", strerror((int)-n));
		return COLLECTOR_NO_DATA;
	}
	if (n < 0)
		return ctx_fail(c, (int)n, "failed to retrieve rapl stats: unable to read class/powercap: %s",
				strerror((int)-n));
	zones = arena_alloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*zones));
	seen_name = arena_alloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*seen_name));
	seen_next = arena_alloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*seen_next));
	if (!zones || !seen_name || !seen_next)
		return -ENOMEM;

	for (ssize_t i = 0; i < n; i++) {
		char *name, *dash;
		long long index = 0;
		bool has_index = false;
		uint64_t max;
		size_t k;
		int r;

		if (file_read(ctx_path(c, ROOT_NONE, "%s/%s/name", cdir, names[i]), &c->buf) < 0)
			continue;
		if (!(name = arena_strdup(&c->ms->arena, go_trim_space(c->buf.p))))
			return -ENOMEM;
		/* "package-0": index 0 of "package" (exactly one dash and a number after it). */
		dash = strchr(name, '-');
		if (dash && !strchr(dash + 1, '-')) {
			int64_t v;
			if (go_parse_int(dash + 1, 10, 64, &v) == 0) {
				index = v;
				has_index = true;
				*dash = '\0';
			}
		}
		for (k = 0; k < n_seen && !streq(seen_name[k], name); k++)
			;
		if (!has_index)
			index = k < n_seen ? seen_next[k] : 0;

		r = read_uint_file(ctx_path(c, ROOT_NONE, "%s/%s/max_energy_range_uj", cdir, names[i]), &c->buf, &max);
		if (r == -ENOENT || r == -EACCES || r == -EPERM) {
			log_debug("Can't access powercap files", "err", strerror(-r));
			return COLLECTOR_NO_DATA;
		}
		if (r == -EBADMSG)
			return ctx_fail(c, -EINVAL, "failed to retrieve rapl stats: %s: invalid value", c->path.p);
		if (r < 0)
			return ctx_fail(c, r, "failed to retrieve rapl stats: %s: %s", c->path.p, strerror(-r));

		char *path = arena_printf(&c->ms->arena, "%s/%s", cdir, names[i]);
		if (!path)
			return -ENOMEM;
		zones[nz++] = (struct zone){ .name = name, .index = index, .path = path_clean_in_place(path) };
		if (k == n_seen) {
			seen_name[n_seen] = name;
			n_seen++;
		}
		seen_next[k] = index + 1;
	}

	for (size_t i = 0; i < nz; i++) {
		uint64_t uj;
		char idx[24], fam[256], help[300];
		int r = read_uint_file(ctx_path(c, ROOT_NONE, "%s/energy_uj", zones[i].path), &c->buf, &uj);

		if (r == -EACCES || r == -EPERM) {
			log_debug("Can't access energy_uj file", "zone", zones[i].path);
			return COLLECTOR_NO_DATA;
		}
		if (r == -EBADMSG)
			return ctx_fail(c, -EINVAL, "%s: invalid value", c->path.p);
		if (r < 0)
			return ctx_fail(c, r, "read %s: %s", c->path.p, strerror(-r));
		snprintf(idx, sizeof(idx), "%lld", zones[i].index);
		double joules = (double)uj / 1000000.0;
		if (zone_label) {
			metric_add(metric_family(c->ms, &joules_desc), joules, idx, zones[i].path, zones[i].name);
			continue;
		}
		char zn[200];
		snprintf(zn, sizeof(zn), "%s_joules_total", zones[i].name);
		sanitize(zn, fam + strlen("node_rapl_"), sizeof(fam) - strlen("node_rapl_"));
		memcpy(fam, "node_rapl_", strlen("node_rapl_"));
		snprintf(help, sizeof(help), "Current RAPL %s value in joules", zones[i].name);
		struct metric_desc d = { .name = fam, .help = help, .type = METRIC_COUNTER, .n_labels = 2,
					 .labels = (const char *const[]){ "index", "path" }, .help_from_input = true };
		metric_add(metric_family(c->ms, &d), joules, idx, zones[i].path);
	}
	return 0;
}

COLLECTOR(rapl, .default_on = true, .flags = rapl_flags);
