/* thermal_zone: /sys/class/thermal zones and cooling devices, as node_exporter's thermal_zone collector
 * (collector/thermal_zone_linux.go over procfs' ClassThermalZoneStats / ClassCoolingDeviceStats).
 *
 * Error handling follows procfs per attribute: a zone whose attribute cannot be opened, or reads
 * ENODATA or EAGAIN (a sensor that is present but asleep), is skipped; a zone in mode "disabled" is
 * skipped; any other read error or an unparsable temperature drops all zones for this scrape. A
 * cooling device with an unreadable attribute (ENOENT, EACCES, EINVAL, EOPNOTSUPP) is skipped. */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

/* Internal marker for "the content did not parse" (Go's *NumError), never returned to the scrape. */
#define ERR_PARSE (-EBADMSG)

METRIC(zone_temp_desc, GAUGE, "node_thermal_zone_temp", "Zone temperature in Celsius", "zone", "type");
METRIC(cur_state_desc, GAUGE, "node_cooling_device_cur_state", "Current throttle state of the cooling device", "name",
       "type");
METRIC(max_state_desc, GAUGE, "node_cooling_device_max_state", "Maximum throttle state of the cooling device", "name",
       "type");

/* Whether ClassThermalZoneStats skips the zone for this error instead of failing. */
static bool zone_skippable(int err, bool open_err)
{
	return open_err || err == -ENODATA || err == -EAGAIN;
}

struct zone {
	const char *name;
	const char *type;
	double temp;
};

/* Reads one zone. Returns 1 when it is to be reported, 0 when it is skipped, or a negative errno. */
static int read_zone(struct collect_ctx *c, const char *dir, struct zone *z)
{
	bool oe;
	ssize_t n;
	int64_t t;

	n = sysattr_read_once(ctx_path(c, ROOT_NONE, "%s/mode", dir), &c->buf, &oe);
	if (n < 0 && n != -ENOENT && n != -EACCES && n != -EPERM)
		return zone_skippable((int)n, oe) ? 0 : (int)n;
	if (n >= 0 && streq(c->buf.p, "disabled"))
		return 0;

	n = sysattr_read_once(ctx_path(c, ROOT_NONE, "%s/type", dir), &c->buf, &oe);
	if (n < 0)
		return zone_skippable((int)n, oe) ? 0 : (int)n;
	z->type = metric_strdup(c->ms, c->buf.p);

	n = sysattr_read_once(ctx_path(c, ROOT_NONE, "%s/policy", dir), &c->buf, &oe);
	if (n < 0)
		return zone_skippable((int)n, oe) ? 0 : (int)n;

	n = sysattr_read_once(ctx_path(c, ROOT_NONE, "%s/temp", dir), &c->buf, &oe);
	if (n < 0)
		return zone_skippable((int)n, oe) ? 0 : (int)n;
	if (go_parse_int(c->buf.p, 10, 64, &t) < 0)
		return ERR_PARSE;
	z->temp = (double)t / 1000.0;

	/* Optional; its content is still validated as procfs does. */
	n = sysattr_read_once(ctx_path(c, ROOT_NONE, "%s/passive", dir), &c->buf, &oe);
	if (n >= 0) {
		uint64_t p;
		if (go_parse_uint(c->buf.p, 10, 64, &p) < 0)
			return ERR_PARSE;
	} else if (n != -ENOENT && n != -EACCES && n != -EPERM) {
		return zone_skippable((int)n, oe) ? 0 : (int)n;
	}
	return z->type ? 1 : -ENOMEM;
}

/* canIgnoreError in procfs: the attribute is absent, forbidden, or not supported by the driver. */
static bool cooling_ignorable(int err, bool open_err)
{
	return err == -ENOENT || err == -EACCES || err == -EPERM || err == -EINVAL ||
	       (!open_err && err == -EOPNOTSUPP);
}

static int collect_cooling(struct collect_ctx *c, const char *tdir, char **names, ssize_t n)
{
	for (ssize_t i = 0; i < n; i++) {
		const char *name = names[i] + strlen("cooling_device");
		char *dir, *type;
		int64_t max, cur;
		ssize_t r;
		bool oe;

		if (!startswith(names[i], "cooling_device") || !(*name >= '0' && *name <= '9'))
			continue;
		if (!(dir = arena_printf(&c->ms->arena, "%s/%s", tdir, names[i])))
			return -ENOMEM;
		r = sysattr_read_once(ctx_path(c, ROOT_NONE, "%s/type", dir), &c->buf, &oe);
		if (r < 0) {
			if (cooling_ignorable((int)r, oe))
				continue;
			return ctx_fail(c, (int)r, "read %s/type: %s", dir, strerror((int)-r));
		}
		if (!(type = arena_strdup(&c->ms->arena, c->buf.p)))
			return -ENOMEM;
		r = sysattr_read_once(ctx_path(c, ROOT_NONE, "%s/max_state", dir), &c->buf, &oe);
		if (r < 0) {
			if (cooling_ignorable((int)r, oe))
				continue;
			return ctx_fail(c, (int)r, "read %s/max_state: %s", dir, strerror((int)-r));
		}
		if (go_parse_int(c->buf.p, 10, 64, &max) < 0)
			return ctx_fail(c, -EINVAL, "%s/max_state: invalid value %s", dir, c->buf.p);
		/* cur_state can be -1 (intel_powerclamp). */
		r = sysattr_read_once(ctx_path(c, ROOT_NONE, "%s/cur_state", dir), &c->buf, &oe);
		if (r < 0) {
			if (cooling_ignorable((int)r, oe))
				continue;
			return ctx_fail(c, (int)r, "read %s/cur_state: %s", dir, strerror((int)-r));
		}
		if (go_parse_int(c->buf.p, 10, 64, &cur) < 0)
			return ctx_fail(c, -EINVAL, "%s/cur_state: invalid value %s", dir, c->buf.p);
		metric_add(metric_family(c->ms, &cur_state_desc), (double)cur, name, type);
		metric_add(metric_family(c->ms, &max_state_desc), (double)max, name, type);
	}
	return 0;
}

static int thermal_zone_collect(struct collect_ctx *c)
{
	const char *tdir;
	char **names;
	/* A missing class directory is no zones and no cooling devices (Go's Glob finds nothing). */
	ssize_t n = ctx_list_dir(c, CTX_LIST_GLOB, &tdir, &names, ROOT_SYS, "class/thermal");
	struct zone *zones;
	size_t nz = 0;

	if (n < 0)
		return (int)n;
	if (!(zones = arena_alloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*zones))))
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		const char *num = names[i] + strlen("thermal_zone");
		char *dir;
		int r;

		if (!startswith(names[i], "thermal_zone") || !(*num >= '0' && *num <= '9'))
			continue;
		if (!(dir = arena_printf(&c->ms->arena, "%s/%s", tdir, names[i])))
			return -ENOMEM;
		zones[nz].name = num;
		r = read_zone(c, dir, &zones[nz]);
		if (r == 1)
			nz++;
		else if (r < 0) {
			/* Nothing of the zones is reported then. Missing, forbidden or invalid is "no data". */
			if (r == -ENOENT || r == -EACCES || r == -EPERM || r == -EINVAL) {
				log_debug("Could not read thermal zone stats", "zone", dir, "err", strerror(-r));
				return COLLECTOR_NO_DATA;
			}
			if (r == ERR_PARSE)
				return ctx_fail(c, -EINVAL, "%s: unexpected content (%s)", dir, c->buf.p);
			return ctx_fail(c, r, "%s: %s", dir, strerror(-r));
		}
	}
	for (size_t i = 0; i < nz; i++)
		metric_add(metric_family(c->ms, &zone_temp_desc), zones[i].temp, zones[i].name, zones[i].type);
	return collect_cooling(c, tdir, names, n);
}

COLLECTOR(thermal_zone, .default_on = true);
