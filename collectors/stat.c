/* stat: kernel and system statistics from /proc/stat, as node_exporter's stat_linux.go: boot time,
 * context switches, forks, interrupts (the total only, the first number of the "intr" line), running and
 * blocked processes, and with --collector.stat.softirq the per-vector softirq counts of the "softirq" line.
 *
 * node_exporter emits 0 for a line that is missing; nodex leaves such a family out and fails the run, so a
 * truncated file never shows up as a counter reset. */
#include "collector.h"

static bool opt_softirq;

static struct flag stat_flags[] = {
	{ "collector.stat.softirq", FLAG_BOOL, "false", "Export softirq calls per vector", &opt_softirq },
	{ NULL },
};

enum { S_INTR, S_CTXT, S_FORKS, S_BTIME, S_RUNNING, S_BLOCKED, S_COUNT };

static const struct metric_desc stat_descs[S_COUNT] = {
	[S_INTR] = METRIC_DESC("node_intr_total", "Total number of interrupts serviced.", METRIC_COUNTER),
	[S_CTXT] = METRIC_DESC("node_context_switches_total", "Total number of context switches.", METRIC_COUNTER),
	[S_FORKS] = METRIC_DESC("node_forks_total", "Total number of forks.", METRIC_COUNTER),
	[S_BTIME] = METRIC_DESC("node_boot_time_seconds", "Node boot time, in unixtime.", METRIC_GAUGE),
	[S_RUNNING] = METRIC_DESC("node_procs_running", "Number of processes in runnable state.", METRIC_GAUGE),
	[S_BLOCKED] = METRIC_DESC("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.",
				  METRIC_GAUGE),
};

METRIC(softirq_desc, COUNTER, "node_softirqs_total", "Number of softirq calls.", "vector");

/* The vectors of the "softirq" line after its total, in the kernel's order (softirq_to_name). */
static const char *const softirq_vectors[] = { "hi",	  "timer", "net_tx",  "net_rx",	 "block",
					       "block_iopoll", "tasklet", "sched", "hrtimer", "rcu" };

/* Which key a line starts with, by a switch on its first bytes; -1 for lines we do not want. */
static int stat_key(const char *line, size_t *klen)
{
	static const struct {
		const char *k;
		size_t len;
		int id;
	} keys[] = {
		{ "intr", 4, S_INTR },	      { "ctxt", 4, S_CTXT },		 { "processes", 9, S_FORKS },
		{ "btime", 5, S_BTIME },      { "procs_running", 13, S_RUNNING }, { "procs_blocked", 13, S_BLOCKED },
		{ "softirq", 7, S_COUNT },
	};

	switch (line[0]) {
	case 'i':
	case 'c':
	case 'p':
	case 'b':
	case 's':
		break;
	default:
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (line[0] == keys[i].k[0] && strncmp(line, keys[i].k, keys[i].len) == 0 &&
		    (line[keys[i].len] == ' ' || line[keys[i].len] == '\t')) {
			*klen = keys[i].len;
			return keys[i].id;
		}
	}
	return -1;
}

static int stat_collect(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "stat");
	bool seen[S_COUNT] = { false };
	double val[S_COUNT];
	uint64_t softirq[ARRAY_SIZE(softirq_vectors)];
	int n_softirq = -1, bad = 0, missing = 0;
	char *p, *end;

	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get stat: open %s: %s", c->path.p, strerror((int)-n));
	p = c->buf.p;
	end = p + n;
	while (p < end) {
		/* Walk by memchr: the "intr" line holds one number per interrupt and can be very long; only
		 * its first number is read. */
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line = p;
		size_t klen;
		int k;
		p = nl ? nl + 1 : end;
		if (line[0] == 'c' && line[1] == 'p')
			continue;
		k = stat_key(line, &klen);
		if (k < 0)
			continue;
		const char *q = line + klen;
		uint64_t u;
		if (k == S_COUNT) {
			if (!opt_softirq)
				continue;
			/* "softirq <total> <hi> <timer> ...": node_exporter reads exactly these ten vectors. */
			if (parse_u64(q, &q, &u) < 0) {
				bad++;
				continue;
			}
			n_softirq = 0;
			while (n_softirq < (int)ARRAY_SIZE(softirq_vectors) && parse_u64(q, &q, &u) == 0)
				softirq[n_softirq++] = u;
			if (n_softirq < (int)ARRAY_SIZE(softirq_vectors))
				bad++;
			continue;
		}
		if (parse_u64(q, &q, &u) < 0 || (*q != ' ' && *q != '\t' && *q != '\n' && q != end)) {
			bad++;
			continue;
		}
		val[k] = (double)u;
		seen[k] = true;
	}
	for (int k = 0; k < S_COUNT; k++) {
		if (seen[k])
			metric_emit(c->ms, &stat_descs[k], val[k]);
		else
			missing++;
	}
	if (n_softirq > 0) {
		struct family *f = metric_family(c->ms, &softirq_desc);
		for (int i = 0; i < n_softirq; i++)
			metric_add(f, (double)softirq[i], softirq_vectors[i]);
	} else if (opt_softirq && n_softirq < 0) {
		missing++;
	}
	if (bad || missing)
		return ctx_fail(c, -EINVAL, "couldn't get stat: %d malformed and %d missing line(s) in %s", bad, missing,
				c->path.p);
	return 0;
}

COLLECTOR(stat, .default_on = true, .flags = stat_flags);
