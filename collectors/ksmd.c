/* ksmd: kernel samepage merging state from /sys/kernel/mm/ksm, as node_exporter's ksmd collector. A file
 * the kernel does not have (general_profit is 6.1+) is skipped.
 *
 * general_profit is a signed number in the kernel (profit turns negative while KSM costs more rmap items
 * than it saves) and is parsed as such; node_exporter parses it unsigned and fails on a negative value. */
#include <stdio.h>

#include "collector.h"

static const struct ksm_file {
	const char *file;
	bool is_signed;
	double scale;
	struct metric_desc d;
} files[] = {
	{ "full_scans", false, 1,
	  METRIC_DESC("node_ksmd_full_scans_total", "How many times all mergeable areas have been scanned.",
		      METRIC_COUNTER) },
	{ "general_profit", true, 1,
	  METRIC_DESC("node_ksmd_general_profit_bytes",
		      "How effective is KSM. ksm_saved_pages * sizeof(page) - (all_rmap_items) * sizeof(rmap_item)",
		      METRIC_GAUGE) },
	{ "merge_across_nodes", false, 1,
	  METRIC_DESC("node_ksmd_merge_across_nodes", "Specifies if pages from different NUMA nodes can be merged.",
		      METRIC_GAUGE) },
	{ "pages_shared", false, 1,
	  METRIC_DESC("node_ksmd_pages_shared", "How many shared pages are being used.", METRIC_GAUGE) },
	{ "pages_sharing", false, 1,
	  METRIC_DESC("node_ksmd_pages_sharing", "How many more sites are sharing them i.e. how much saved.",
		      METRIC_GAUGE) },
	{ "pages_to_scan", false, 1,
	  METRIC_DESC("node_ksmd_pages_to_scan", "How many pages to scan before ksmd goes to sleep.", METRIC_GAUGE) },
	{ "pages_unshared", false, 1,
	  METRIC_DESC("node_ksmd_pages_unshared", "How many pages unique but repeatedly checked for merging.",
		      METRIC_GAUGE) },
	{ "pages_volatile", false, 1,
	  METRIC_DESC("node_ksmd_pages_volatile", "How many pages changing too fast to be placed in a tree.",
		      METRIC_GAUGE) },
	{ "run", false, 1, METRIC_DESC("node_ksmd_run", "The status of ksmd. stopped = 0, running = 1", METRIC_GAUGE) },
	{ "sleep_millisecs", false, 1000,
	  METRIC_DESC("node_ksmd_sleep_seconds", "How many seconds ksmd should sleep before next scan.",
		      METRIC_GAUGE) },
};

static int ksmd_collect(struct collect_ctx *c)
{
	int err = 0;
	char err_path[512] = "";

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		const char *path = ctx_path(c, ROOT_SYS, "kernel/mm/ksm/%s", files[i].file);
		double v;
		int r;

		if (!path)
			return -ENOMEM;
		if (files[i].is_signed) {
			int64_t s;
			r = file_read_i64(path, &c->buf, &s);
			v = (double)s;
		} else {
			uint64_t u;
			r = file_read_u64(path, &c->buf, &u);
			v = (double)u;
		}
		if (r == -ENOENT) {
			log_debug("ksmd file not found, skipping", "file", files[i].file);
			continue;
		}
		if (r < 0) {
			if (!err) {
				err = r;
				snprintf(err_path, sizeof(err_path), "%s", path);
			}
			continue;
		}
		metric_emit(c->ms, &files[i].d, v / files[i].scale);
	}
	if (err)
		return ctx_fail(c, err, "%s: %s", err_path,
				err == -EINVAL || err == -ERANGE ? "unexpected content" : strerror(-err));
	return 0;
}

COLLECTOR(ksmd, .default_on = false);
