/* softnet: per-CPU packet processing statistics from /proc/net/softnet_stat (hexadecimal columns), as
 * node_exporter's softnet_linux.go with procfs's parser. Columns: 0 processed, 1 dropped, 2 time_squeezed,
 * 8 cpu_collision, 9 received_rps (Linux >= 2.6.39), 10 flow_limit_count (>= 4.18), 11 backlog_len and
 * 12 the CPU number (>= 5.14). The cpu label is column 12 when present, else the row number (rows are only
 * printed for online CPUs, so on older kernels the row number can differ from the CPU number after a
 * hot-unplug; that is node_exporter's labelling too). As node_exporter does, a column the kernel does not
 * have yet is reported as 0, and every row needs at least 9 columns. */
#include "collector.h"

METRIC(processed_desc, COUNTER, "node_softnet_processed_total", "Number of processed packets", "cpu");
METRIC(dropped_desc, COUNTER, "node_softnet_dropped_total", "Number of dropped packets", "cpu");
METRIC(squeezed_desc, COUNTER, "node_softnet_times_squeezed_total",
       "Number of times processing packets ran out of quota", "cpu");
METRIC(collision_desc, COUNTER, "node_softnet_cpu_collision_total",
       "Number of collision occur while obtaining device lock while transmitting", "cpu");
METRIC(rps_desc, COUNTER, "node_softnet_received_rps_total", "Number of times cpu woken up received_rps", "cpu");
METRIC(flow_limit_desc, COUNTER, "node_softnet_flow_limit_count_total", "Number of times flow limit has been reached",
       "cpu");
METRIC(backlog_desc, GAUGE, "node_softnet_backlog_len", "Softnet backlog status", "cpu");

#define MIN_COLUMNS 9
#define MAX_COLUMNS 13 /* the columns procfs reads; later ones are not looked at */

static int softnet_collect(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "net/softnet_stat");
	const struct metric_desc *descs[] = { &processed_desc, &dropped_desc, &squeezed_desc,  &collision_desc,
					      &rps_desc,       &flow_limit_desc, &backlog_desc };
	struct family *f[ARRAY_SIZE(descs)];
	char *p, *line, cpu[24];
	unsigned row = 0;
	int bad = 0;

	if (n < 0)
		return ctx_fail(c, (int)n, "could not get softnet statistics: open %s: %s", c->path.p,
				strerror((int)-n));
	for (size_t i = 0; i < ARRAY_SIZE(descs); i++)
		f[i] = metric_family(c->ms, descs[i]);
	p = c->buf.p;
	while ((line = next_line(&p))) {
		uint64_t col[MAX_COLUMNS] = { 0 };
		unsigned width = 0;
		char *fld;
		bool ok = true;
		while ((fld = next_field(&line))) {
			uint64_t u;
			if (width < MAX_COLUMNS) {
				if (parse_hex_u64(fld, NULL, &u) < 0 || u > UINT32_MAX || startswith(fld, "0x") ||
				    startswith(fld, "0X"))
					ok = false;
				else
					col[width] = u;
			}
			width++;
		}
		if (width == 0)
			continue;
		if (!ok || width < MIN_COLUMNS) {
			bad++;
			row++;
			continue;
		}
		uint64_t index = width >= 13 ? col[12] : row;
		uint64_t backlog = width >= 13 ? col[11] : 0;
		size_t k = 0;
		char tmp[24];
		do {
			tmp[k++] = (char)('0' + index % 10);
			index /= 10;
		} while (index);
		for (size_t i = 0; i < k; i++)
			cpu[i] = tmp[k - 1 - i];
		cpu[k] = '\0';
		metric_add(f[0], (double)col[0], cpu);
		metric_add(f[1], (double)col[1], cpu);
		metric_add(f[2], (double)col[2], cpu);
		metric_add(f[3], (double)col[8], cpu);
		metric_add(f[4], (double)col[9], cpu);
		metric_add(f[5], (double)col[10], cpu);
		metric_add(f[6], (double)backlog, cpu);
		row++;
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "could not get softnet statistics: %d malformed row(s) in %s", bad, c->path.p);
	return 0;
}

COLLECTOR(softnet, .default_on = true);
