/* kernel_hung: node_kernel_hung_tasks_total from /proc/sys/kernel/hung_task_detect_count (Linux 6.7+), as
 * node_exporter's kernel_hung collector. A kernel without the file has nothing to report (no data). */
#include "collector.h"

METRIC(hung_desc, COUNTER, "node_kernel_hung_tasks_total",
       "Total number of tasks that have been detected as hung since the system booted.");

static int kernel_hung_collect(struct collect_ctx *c)
{
	const char *path = ctx_path(c, ROOT_PROC, "sys/kernel/hung_task_detect_count");
	uint64_t v;
	int r;

	if (!path)
		return -ENOMEM;
	r = file_read_u64(path, &c->buf, &v);
	if (r == -ENOENT) {
		log_debug("hung_task_detect_count does not exist");
		return COLLECTOR_NO_DATA;
	}
	if (r == -EINVAL || r == -ERANGE)
		return ctx_fail(c, r, "unexpected content in %s", path);
	if (r < 0)
		return ctx_fail(c, r, "%s: %s", path, strerror(-r));
	metric_emit(c->ms, &hung_desc, (double)v);
	return 0;
}

COLLECTOR(kernel_hung, .default_on = true);
