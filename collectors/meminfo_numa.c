/* meminfo_numa: per NUMA node memory from /sys/devices/system/node/node<N>/meminfo (gauges
 * node_memory_numa_<Field>, kB turned into bytes) and numastat (counters node_memory_numa_<field>_total),
 * as node_exporter's meminfo_numa collector.
 *
 * The node label of the meminfo series is the number the file itself gives ("Node 0 MemTotal: ..."), the
 * one of the numastat series the number in the directory name. No node directories (or no
 * /sys/devices/system/node at all) means nothing to report; a node directory without either file is an
 * error, as in node_exporter. */
#include <stdio.h>

#include "collector.h"

/* "node" followed by a digit, as the glob node[0-9]* */
static bool is_node_dir(const char *name)
{
	return startswith(name, "node") && name[4] >= '0' && name[4] <= '9';
}

static void emit(struct collect_ctx *c, const char *field, enum metric_type type, const char *node, double v)
{
	char name[256], help[256];
	struct metric_desc d = { .name = name, .help = help, .type = type, .n_labels = 1,
				 .labels = (const char *const[]){ "node" } };

	snprintf(name, sizeof(name), "node_memory_numa_%s", field);
	snprintf(help, sizeof(help), "Memory information field %s.", field);
	metric_emit(c->ms, &d, v, node);
}

/* "Node 0 Active(anon):  691324 kB" -> Active_anon, node "0", bytes. Returns the number of bad lines. */
static int parse_meminfo(struct collect_ctx *c, char *s)
{
	char *line;
	int bad = 0;

	while ((line = next_line(&s))) {
		char *f[6], key[200];
		int nf = split_fields(line, f, 6);
		double v;
		size_t kl, o = 0;

		if (nf == 0)
			continue;
		if (nf < 4 || parse_double(f[3], NULL, &v) < 0) {
			bad++;
			continue;
		}
		if (nf == 5 && streq(f[4], "kB")) {
			v *= 1024;
		} else if (nf != 4) {
			bad++;
			continue;
		}
		kl = strlen(f[2]);
		while (kl && f[2][kl - 1] == ':')
			kl--;
		f[2][kl] = '\0';
		/* \((.*)\) -> _$1: the first '(' and the last ')' after it */
		char *open = strchr(f[2], '('), *close = open ? strrchr(open, ')') : NULL;
		if (close) {
			o = (size_t)snprintf(key, sizeof(key), "%.*s_%.*s%s", (int)(open - f[2]), f[2],
					     (int)(close - open - 1), open + 1, close + 1);
		} else {
			o = (size_t)snprintf(key, sizeof(key), "%s", f[2]);
		}
		if (o >= sizeof(key)) {
			bad++;
			continue;
		}
		emit(c, key, METRIC_GAUGE, f[1], v);
	}
	return bad;
}

static int parse_numastat(struct collect_ctx *c, char *s, const char *node)
{
	char *line;
	int bad = 0;

	while ((line = next_line(&s))) {
		char *f[3], key[200];
		int nf = split_fields(line, f, 3);
		double v;

		if (nf == 0)
			continue;
		if (nf != 2 || parse_double(f[1], NULL, &v) < 0 ||
		    (size_t)snprintf(key, sizeof(key), "%s_total", f[0]) >= sizeof(key)) {
			bad++;
			continue;
		}
		emit(c, key, METRIC_COUNTER, node, v);
	}
	return bad;
}

static int meminfo_numa_collect(struct collect_ctx *c)
{
	char **names;
	ssize_t n = ctx_list_dir(c, CTX_LIST_NODATA_ENOTDIR, NULL, &names, ROOT_SYS, "devices/system/node");
	int bad = 0, err = 0;
	char err_path[512] = "";

	if (n == COLLECTOR_NO_DATA)
		return 0; /* no NUMA nodes: nothing to report, and not a failure */
	if (n < 0)
		return ctx_fail(c, (int)n, "couldn't get NUMA meminfo: %s: %s", c->path.p, strerror((int)-n));
	for (ssize_t i = 0; i < n; i++) {
		const char *node = names[i];
		const char *num = node + 4;
		ssize_t r;

		if (!is_node_dir(node))
			continue;
		r = ctx_read(c, ROOT_SYS, "devices/system/node/%s/meminfo", node);
		if (r < 0) {
			if (!err) {
				err = (int)r;
				snprintf(err_path, sizeof(err_path), "%s", c->path.p);
			}
			continue;
		}
		bad += parse_meminfo(c, c->buf.p);
		r = ctx_read(c, ROOT_SYS, "devices/system/node/%s/numastat", node);
		if (r < 0) {
			if (!err) {
				err = (int)r;
				snprintf(err_path, sizeof(err_path), "%s", c->path.p);
			}
			continue;
		}
		/* the digits after "node" */
		char digits[32];
		size_t nd = strspn(num, "0123456789");
		snprintf(digits, sizeof(digits), "%.*s", (int)nd, num);
		bad += parse_numastat(c, c->buf.p, digits);
	}
	if (err)
		return ctx_fail(c, err, "couldn't get NUMA meminfo: %s: %s", err_path, strerror(-err));
	if (bad)
		return ctx_fail(c, -EINVAL, "couldn't get NUMA meminfo: %d malformed line(s)", bad);
	return 0;
}

COLLECTOR(meminfo_numa, .default_on = false);
