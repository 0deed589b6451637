/* pressure: pressure stall information from /proc/pressure/{cpu,io,memory,irq}, as node_exporter's
 * pressure_linux.go. Counters in seconds (the kernel's microsecond totals divided by 1000 twice, as
 * node_exporter does, so the float rounding is the same): cpu "some" only (the system-wide cpu "full" line
 * is not exported), io and memory "some" and "full", irq "full" (Linux >= 6.1; irq has no "some").
 * A missing file is skipped; PSI switched off (EOPNOTSUPP), a file without the expected lines, or no file at
 * all means no data. */
#include "collector.h"

/* Per resource, the families of its "some" and "full" lines (no name: that line is not exported), which
 * must both be in the file when exported. */
#define WAITING(res, help) METRIC_DESC("node_pressure_" res "_waiting_seconds_total", help, METRIC_COUNTER)
#define STALLED(res, what)                                                                                   \
	METRIC_DESC("node_pressure_" res "_stalled_seconds_total",                                           \
		    "Total time in seconds no process could make progress due to " what " congestion", METRIC_COUNTER)
static const struct {
	const char *name;
	struct metric_desc some, full;
} resources[] = {
	{ "cpu", WAITING("cpu", "Total time in seconds that processes have waited for CPU time"), { 0 } },
	{ "io", WAITING("io", "Total time in seconds that processes have waited due to IO congestion"),
	  STALLED("io", "IO") },
	{ "memory", WAITING("memory", "Total time in seconds that processes have waited for memory"),
	  STALLED("memory", "memory") },
	{ "irq", { 0 }, STALLED("irq", "IRQ") },
};
#undef WAITING
#undef STALLED

/* Parses "avg10=F avg60=F avg300=F total=N" after the "some "/"full " prefix. Returns 0 or -EINVAL. */
static int parse_psi_line(const char *s, uint64_t *total)
{
	static const char *const keys[] = { "avg10=", "avg60=", "avg300=" };
	double d;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		while (*s == ' ')
			s++;
		if (!startswith(s, keys[i]) || parse_double(s + strlen(keys[i]), &s, &d) < 0)
			return -EINVAL;
	}
	while (*s == ' ')
		s++;
	if (!startswith(s, "total="))
		return -EINVAL;
	return parse_u64(s + 6, NULL, total);
}

static int pressure_collect(struct collect_ctx *c)
{
	int found = 0;

	for (size_t i = 0; i < ARRAY_SIZE(resources); i++) {
		ssize_t n = ctx_read(c, ROOT_PROC, "pressure/%s", resources[i].name);
		uint64_t some = 0, full = 0;
		bool has_some = false, has_full = false;
		char *p, *line;

		if (n == -ENOENT) {
			log_debug("pressure information is unavailable, you need a Linux kernel >= 4.20 (6.1 for irq) "
				  "and/or CONFIG_PSI enabled for your kernel",
				  "resource", resources[i].name);
			continue;
		}
		if (n == -EOPNOTSUPP) {
			log_debug("pressure information is disabled, add psi=1 kernel command line to enable it");
			return COLLECTOR_NO_DATA;
		}
		if (n < 0)
			return ctx_fail(c, (int)n, "failed to retrieve pressure stats: %s: %s", c->path.p,
					strerror((int)-n));
		p = c->buf.p;
		while ((line = next_line(&p))) {
			uint64_t *dst;
			bool *has;
			if (startswith(line, "some ")) {
				dst = &some;
				has = &has_some;
			} else if (startswith(line, "full ")) {
				dst = &full;
				has = &has_full;
			} else {
				continue; /* unknown kinds are ignored, as procfs does */
			}
			if (parse_psi_line(line + 5, dst) < 0)
				return ctx_fail(c, -EINVAL, "failed to retrieve pressure stats: malformed line in %s: %.80s",
						c->path.p, line);
			*has = true;
		}
		if ((resources[i].some.name && !has_some) || (resources[i].full.name && !has_full)) {
			log_debug("pressure information returned no 'some' or 'full' data", "resource", resources[i].name);
			return COLLECTOR_NO_DATA;
		}
		if (resources[i].some.name)
			metric_emit(c->ms, &resources[i].some, (double)some / 1000.0 / 1000.0);
		if (resources[i].full.name)
			metric_emit(c->ms, &resources[i].full, (double)full / 1000.0 / 1000.0);
		found++;
	}
	if (!found) {
		log_debug("pressure information is unavailable, you need a Linux kernel >= 4.20 and/or CONFIG_PSI "
			  "enabled for your kernel");
		return COLLECTOR_NO_DATA;
	}
	return 0;
}

COLLECTOR(pressure, .default_on = true);
