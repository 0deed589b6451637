/* schedstat: per-CPU scheduler statistics from /proc/schedstat, as node_exporter's schedstat_linux.go with
 * procfs's parser: from each "cpuN" line with at least nine values, the 7th (time running, ns), 8th (time
 * waiting, ns) and 9th (timeslices). A missing file means no data. */
#include "collector.h"

METRIC(running_desc, COUNTER, "node_schedstat_running_seconds_total", "Number of seconds CPU spent running a process.",
       "cpu");
METRIC(waiting_desc, COUNTER, "node_schedstat_waiting_seconds_total",
       "Number of seconds spent by processing waiting for this CPU.", "cpu");
METRIC(timeslices_desc, COUNTER, "node_schedstat_timeslices_total", "Number of timeslices executed by CPU.", "cpu");

#define NS_PER_SEC 1e9

/* Matches procfs's `cpu(\d+) (\d+) ... (\d+)` (nine values, single spaces) at the start of line. Writes
 * the CPU number (NUL-terminated in place) and the three values. Returns 0, or -1 when the line does not
 * match, or -ERANGE when a wanted value overflows (procfs skips such a line). */
static int parse_cpu_line(char *line, char **cpu, uint64_t v[3])
{
	char *p = line + 3, *digits = p;
	int r = 0;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == digits || *p != ' ')
		return -1;
	*p++ = '\0';
	*cpu = digits;
	for (int i = 0; i < 9; i++) {
		char *s = p;
		uint64_t u = 0;
		bool overflow = false;
		while (*p >= '0' && *p <= '9') {
			unsigned d = (unsigned)(*p - '0');
			if (u > (UINT64_MAX - d) / 10)
				overflow = true;
			u = u * 10 + d;
			p++;
		}
		if (p == s || (i < 8 && *p != ' '))
			return -1;
		if (i >= 6) {
			if (overflow)
				r = -ERANGE;
			v[i - 6] = u;
		}
		if (i < 8)
			p++;
	}
	return r;
}

static int schedstat_collect(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "schedstat");
	char *p, *line;

	if (n == -ENOENT) {
		log_debug("schedstat file does not exist", "path", c->path.p);
		return COLLECTOR_NO_DATA;
	}
	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't read %s: %s", c->path.p, strerror((int)-n));
	struct family *fr = metric_family(c->ms, &running_desc);
	struct family *fw = metric_family(c->ms, &waiting_desc);
	struct family *ft = metric_family(c->ms, &timeslices_desc);
	p = c->buf.p;
	while ((line = next_line(&p))) {
		char *cpu;
		uint64_t v[3];
		if (line[0] != 'c' || line[1] != 'p' || line[2] != 'u')
			continue;
		if (parse_cpu_line(line, &cpu, v) != 0)
			continue;
		metric_add(fr, (double)v[0] / NS_PER_SEC, cpu);
		metric_add(fw, (double)v[1] / NS_PER_SEC, cpu);
		metric_add(ft, (double)v[2], cpu);
	}
	return 0;
}

COLLECTOR(schedstat, .default_on = true);
