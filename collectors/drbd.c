/* drbd: DRBD 8 device statistics from /proc/drbd, as node_exporter's drbd collector (opt-in).
 *
 *   version: 8.4.11 (api:1/proto:86-101)
 *    0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----
 *       ns:5288 nr:0 dw:5316 dr:1317 al:3 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
 *
 * The file is read as whitespace-separated key:value words; "<n>:" starts device drbd<n>. Counters in KiB
 * are converted to bytes, except nr, which node_exporter exports unconverted (kept for compatibility).
 * Words that are not key:value pairs, and unknown keys, are ignored. A value that does not parse is
 * skipped and reported. */
#include <stdio.h>

#include "collector.h"

struct drbd_num {
	const char *key;
	double mult;
	struct metric_desc desc;
};

#define DN(k, m, n, h, t) { k, m, METRIC_DESC("node_drbd_" n, h, t, "device") }

static const struct drbd_num drbd_nums[] = {
	DN("ns", 1024, "network_sent_bytes_total", "Total number of bytes sent via the network.", METRIC_COUNTER),
	DN("nr", 1, "network_received_bytes_total", "Total number of bytes received via the network.", METRIC_COUNTER),
	DN("dw", 1024, "disk_written_bytes_total", "Net data written on local hard disk; in bytes.", METRIC_COUNTER),
	DN("dr", 1024, "disk_read_bytes_total", "Net data read from local hard disk; in bytes.", METRIC_COUNTER),
	DN("al", 1, "activitylog_writes_total", "Number of updates of the activity log area of the meta data.",
	   METRIC_COUNTER),
	DN("bm", 1, "bitmap_writes_total", "Number of updates of the bitmap area of the meta data.", METRIC_COUNTER),
	DN("lo", 1, "local_pending", "Number of open requests to the local I/O sub-system.", METRIC_GAUGE),
	DN("pe", 1, "remote_pending", "Number of requests sent to the peer, but that have not yet been answered by the latter.",
	   METRIC_GAUGE),
	DN("ua", 1, "remote_unacknowledged",
	   "Number of requests received by the peer via the network connection, but that have not yet been answered.",
	   METRIC_GAUGE),
	DN("ap", 1, "application_pending", "Number of block I/O requests forwarded to DRBD, but not yet answered by DRBD.",
	   METRIC_GAUGE),
	DN("ep", 1, "epochs", "Number of Epochs currently on the fly.", METRIC_GAUGE),
	DN("oos", 1024, "out_of_sync_bytes", "Amount of data known to be out of sync; in bytes.", METRIC_GAUGE),
};

/* "local/remote" pairs compared with the value that means healthy. */
static const struct {
	const char *key;
	const char *ok;
	struct metric_desc desc;
} drbd_pairs[] = {
	{ "ro", "Primary",
	  METRIC_DESC("node_drbd_node_role_is_primary", "Whether the role of the node is in the primary state.",
		      METRIC_GAUGE, "device", "node") },
	{ "ds", "UpToDate",
	  METRIC_DESC("node_drbd_disk_state_is_up_to_date", "Whether the disk of the node is up to date.", METRIC_GAUGE,
		      "device", "node") },
};

METRIC(drbd_connected_desc, GAUGE, "node_drbd_connected", "Whether DRBD is connected to the peer.", "device");

static int drbd_collect(struct collect_ctx *c)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "drbd");
	char device[32] = "unknown", *p, *word, first[160] = "";
	int bad = 0;

	if (n == -ENOENT) {
		log_debug("stats file does not exist, skipping", "file", c->path.p);
		return COLLECTOR_NO_DATA;
	}
	if (n < 0)
		return ctx_fail(c, (int)n, "%s: %s", c->path.p, strerror((int)-n));
	p = c->buf.p;
	while ((word = next_field(&p))) {
		char *colon = strchr(word, ':'), *val;
		uint64_t id;
		bool done = false;

		/* exactly one ':' */
		if (!colon || strchr(colon + 1, ':'))
			continue;
		*colon = '\0';
		val = colon + 1;
		if (!*val && parse_u64(word, NULL, &id) == 0) {
			snprintf(device, sizeof(device), "drbd%llu", (unsigned long long)id);
			continue;
		}
		for (size_t i = 0; i < ARRAY_SIZE(drbd_nums) && !done; i++) {
			double v;
			const char *end;

			if (!streq(word, drbd_nums[i].key))
				continue;
			done = true;
			if (parse_double(val, &end, &v) < 0 || *end) {
				if (!bad++)
					snprintf(first, sizeof(first), "%s: bad value for %s", device, word);
				continue;
			}
			metric_emit(c->ms, &drbd_nums[i].desc, v * drbd_nums[i].mult, device);
		}
		for (size_t i = 0; i < ARRAY_SIZE(drbd_pairs) && !done; i++) {
			char *slash;

			if (!streq(word, drbd_pairs[i].key))
				continue;
			done = true;
			slash = strchr(val, '/');
			if (slash)
				*slash = '\0';
			metric_emit(c->ms, &drbd_pairs[i].desc, streq(val, drbd_pairs[i].ok) ? 1 : 0, device, "local");
			if (!slash) {
				/* node_exporter indexes a missing remote half and panics; report it instead */
				if (!bad++)
					snprintf(first, sizeof(first), "%s: %s has no remote state", device, word);
				continue;
			}
			/* the remote half ends at a further '/', as strings.Split does */
			char *rest = slash + 1, *slash2 = strchr(rest, '/');
			if (slash2)
				*slash2 = '\0';
			metric_emit(c->ms, &drbd_pairs[i].desc, streq(rest, drbd_pairs[i].ok) ? 1 : 0, device, "remote");
		}
		if (!done && streq(word, "cs"))
			metric_emit(c->ms, &drbd_connected_desc, streq(val, "Connected") ? 1 : 0, device);
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "%d bad value(s) in %s, first: %s", bad, c->path.p, first);
	return 0;
}

COLLECTOR(drbd, .default_on = false);
