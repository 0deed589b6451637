/* softirqs: node_softirqs_functions_total{cpu,type} from /proc/softirqs, as node_exporter's softirqs
 * collector (procfs Softirqs): the ten softirq types the kernel has known since 4.x, one count per CPU
 * column. The header line is skipped; rows of other names are ignored. */
#include "collector.h"

METRIC(softirqs_desc, COUNTER, "node_softirqs_functions_total", "Softirq counts per CPU.", "cpu", "type");

static const char *const types[] = {
	"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU",
};

static int softirqs_collect(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "softirqs");
	struct family *fam;
	char *p, *line;
	int bad = 0;

	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get softirqs: %s: %s", c->path.p, strerror((int)-n));
	p = c->buf.p;
	if (!next_line(&p))
		return ctx_fail(c, -EINVAL, "couldn't get softirqs: softirqs empty (%s)", c->path.p);
	fam = metric_family(c->ms, &softirqs_desc);
	while ((line = next_line(&p))) {
		char *key = next_field(&line), *v;
		const char *type = NULL;
		size_t kl;
		int cpu = 0;

		if (!key || !*line)
			continue;
		kl = strlen(key);
		if (kl < 2 || key[kl - 1] != ':')
			continue;
		key[kl - 1] = '\0';
		for (size_t i = 0; i < ARRAY_SIZE(types); i++)
			if (streq(key, types[i]))
				type = types[i];
		if (!type)
			continue;
		while ((v = next_field(&line))) {
			uint64_t u;
			char label[16];
			if (v[0] < '0' || v[0] > '9' || parse_u64(v, NULL, &u) < 0) {
				bad++;
				cpu++;
				continue;
			}
			snprintf(label, sizeof(label), "%d", cpu++);
			metric_add(fam, (double)u, label, type);
		}
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "couldn't get softirqs: %d invalid count(s) in %s", bad, c->path.p);
	return 0;
}

COLLECTOR(softirqs, .default_on = false);
