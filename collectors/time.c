/* time: node_time_seconds, node_time_zone_offset_seconds{time_zone} and the clocksources from
 * <sysfs>/devices/system/clocksource/clocksource<N>/{available,current}_clocksource. As node_exporter,
 * the device label is the position of the clocksource directory in the sorted listing. */
#include <stdio.h>
#include <time.h>

#include "collector.h"

METRIC(now_desc, GAUGE, "node_time_seconds", "System time in seconds since epoch (1970).");
METRIC(zone_desc, GAUGE, "node_time_zone_offset_seconds", "System time zone offset in seconds.", "time_zone");
METRIC(available_desc, GAUGE, "node_time_clocksource_available_info",
       "Available clocksources read from '/sys/devices/system/clocksource'.", "device", "clocksource");
METRIC(current_desc, GAUGE, "node_time_clocksource_current_info",
       "Current clocksource read from '/sys/devices/system/clocksource'.", "device", "clocksource");

/* Emits the clocksource families. Returns 0 or a negative errno (with ctx->err set). */
static int time_clocksources(struct collect_ctx *c)
{
	char **names;
	/* node_exporter globs clocksource[0-9]*: an unreadable or missing directory is no match. */
	ssize_t n = ctx_list_dir(c, CTX_LIST_GLOB, NULL, &names, ROOT_SYS, "devices/system/clocksource");
	struct family *avail = metric_family(c->ms, &available_desc);
	struct family *cur = metric_family(c->ms, &current_desc);
	unsigned idx = 0;

	if (n < 0)
		return (int)n;
	for (ssize_t i = 0; i < n; i++) {
		const char *name = names[i];
		char dev[16];
		if (!startswith(name, "clocksource") || name[11] < '0' || name[11] > '9')
			continue;
		snprintf(dev, sizeof(dev), "%u", idx++);
		ssize_t r = file_read_attr(ctx_path(c, ROOT_SYS, "devices/system/clocksource/%s/available_clocksource",
						    name), &c->buf);
		if (r < 0)
			return ctx_fail(c, (int)r, "couldn't get clocksources: %s: %s", c->path.p, strerror((int)-r));
		char *p = c->buf.p, *f;
		while ((f = next_field(&p)))
			metric_add(avail, 1, dev, f);
		r = file_read_attr(ctx_path(c, ROOT_SYS, "devices/system/clocksource/%s/current_clocksource", name),
				   &c->buf);
		if (r < 0)
			return ctx_fail(c, (int)r, "couldn't get clocksources: %s: %s", c->path.p, strerror((int)-r));
		char *s = c->buf.p;
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		metric_add(cur, 1, dev, s);
	}
	return 0;
}

static int time_collect(struct collect_ctx *c)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	/* Go: float64(now.UnixNano()) / 1e9 */
	int64_t ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	metric_emit(c->ms, &now_desc, (double)ns / 1e9);
	if (localtime_r(&ts.tv_sec, &tm))
		metric_emit(c->ms, &zone_desc, (double)tm.tm_gmtoff, tm.tm_zone ? tm.tm_zone : "");
	return time_clocksources(c);
}

COLLECTOR(time, .default_on = true);
