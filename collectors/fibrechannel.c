/* fibrechannel: Fibre Channel HBAs from /sys/class/fc_host, as node_exporter's fibrechannel collector
 * (collector/fibrechannel_linux.go over procfs' FibreChannelClass). Host attributes label
 * node_fibrechannel_info ("" when the driver does not expose one; the 0x of port and fabric names is
 * dropped), the statistics/ counters become node_fibrechannel_<counter>_total. A counter that reads
 * 0xffffffffffffffff is not implemented by the HBA firmware and is left out, as node_exporter does. */
#include <stdio.h>

#include "collector.h"
#include "gocompat.h"
#include "sysattr.h"

enum { A_SPEED, A_PORT_STATE, A_PORT_TYPE, A_NODE_NAME, A_PORT_ID, A_PORT_NAME, A_FABRIC_NAME, A_DEV_LOSS_TMO,
       A_SYMBOLIC_NAME, A_SUPPORTED_CLASSES, A_SUPPORTED_SPEEDS, A_COUNT };

/* procfs reads these in this order; the hexadecimal names lose their first two characters. */
static const struct {
	const char *file;
	bool strip0x;
} host_files[A_COUNT] = {
	{ "speed", false },	  { "port_state", false },	{ "port_type", false },
	{ "node_name", true },	  { "port_id", true },		{ "port_name", true },
	{ "fabric_name", true },  { "dev_loss_tmo", false },	{ "symbolic_name", false },
	{ "supported_classes", false }, { "supported_speeds", false },
};

/* statistics/<file> -> metric, help. Sorted by file name. */
static const struct {
	const char *file;
	struct metric_desc desc;
} counters[] = {
	{ "dumped_frames", METRIC_DESC("node_fibrechannel_dumped_frames_total", "Number of dumped frames", METRIC_COUNTER,
				       "fc_host") },
	{ "error_frames", METRIC_DESC("node_fibrechannel_error_frames_total", "Number of errors in frames", METRIC_COUNTER,
				      "fc_host") },
	{ "fcp_packet_aborts", METRIC_DESC("node_fibrechannel_fcp_packet_aborts_total", "Number of aborted packets",
					   METRIC_COUNTER, "fc_host") },
	{ "invalid_crc_count", METRIC_DESC("node_fibrechannel_invalid_crc_total", "Invalid Cyclic Redundancy Check count",
					   METRIC_COUNTER, "fc_host") },
	{ "invalid_tx_word_count",
	  METRIC_DESC("node_fibrechannel_invalid_tx_words_total", "Number of invalid words transmitted by host port",
		      METRIC_COUNTER, "fc_host") },
	{ "link_failure_count", METRIC_DESC("node_fibrechannel_link_failure_total",
					    "Number of times the host port link has failed", METRIC_COUNTER, "fc_host") },
	{ "loss_of_signal_count", METRIC_DESC("node_fibrechannel_loss_of_signal_total",
					      "Number of times signal has been lost", METRIC_COUNTER, "fc_host") },
	{ "loss_of_sync_count",
	  METRIC_DESC("node_fibrechannel_loss_of_sync_total",
		      "Number of failures on either bit or transmission word boundaries", METRIC_COUNTER, "fc_host") },
	{ "nos_count",
	  METRIC_DESC("node_fibrechannel_nos_total", "Number Not_Operational Primitive Sequence received by host port",
		      METRIC_COUNTER, "fc_host") },
	{ "rx_frames", METRIC_DESC("node_fibrechannel_rx_frames_total", "Number of frames received", METRIC_COUNTER,
				   "fc_host") },
	{ "rx_words", METRIC_DESC("node_fibrechannel_rx_words_total", "Number of words received by host port",
				  METRIC_COUNTER, "fc_host") },
	{ "seconds_since_last_reset",
	  METRIC_DESC("node_fibrechannel_seconds_since_last_reset_total", "Number of seconds since last host port reset",
		      METRIC_COUNTER, "fc_host") },
	{ "tx_frames", METRIC_DESC("node_fibrechannel_tx_frames_total", "Number of frames transmitted by host port",
				   METRIC_COUNTER, "fc_host") },
	{ "tx_words", METRIC_DESC("node_fibrechannel_tx_words_total", "Number of words transmitted by host port",
				  METRIC_COUNTER, "fc_host") },
};
#define N_COUNTERS ARRAY_SIZE(counters)

METRIC(info_desc, GAUGE, "node_fibrechannel_info",
       "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.", "fc_host", "speed", "port_state",
       "port_type", "port_id", "port_name", "fabric_name", "symbolic_name", "supported_classes", "supported_speeds",
       "dev_loss_tmo");

struct host {
	const char *name;
	const char *attr[A_COUNT];
	bool has[N_COUNTERS];
	uint64_t val[N_COUNTERS];
};

static int read_host(struct collect_ctx *c, const char *cdir, struct host *h)
{
	char *dir = arena_printf(&c->ms->arena, "%s/%s", cdir, h->name), *sdir;
	char **files;
	ssize_t n;

	if (!dir || !(sdir = arena_printf(&c->ms->arena, "%s/statistics", dir)))
		return -ENOMEM;
	for (int i = 0; i < A_COUNT; i++) {
		ssize_t r = sysattr_read(ctx_path(c, ROOT_NONE, "%s/%s", dir, host_files[i].file), &c->buf);
		const char *v = c->buf.p;
		h->attr[i] = "";
		if (r == -ENOENT)
			continue; /* drivers may leave attributes out */
		if (r < 0)
			return ctx_fail(c, (int)r, "failed to read file %s: %s", c->path.p, strerror((int)-r));
		if (host_files[i].strip0x && r > 2)
			v += 2;
		if (!(h->attr[i] = metric_strdup(c->ms, utf8_sanitize(&c->ms->arena, v))))
			return -ENOMEM;
	}
	n = dir_list_regular(sdir, &c->ms->arena, &files);
	if (n < 0)
		return ctx_fail(c, (int)n, "open %s: %s", sdir, strerror((int)-n));
	for (ssize_t i = 0; i < n; i++) {
		size_t k;
		uint64_t v;
		if (streq(files[i], "reset_statistics"))
			continue;
		ssize_t r = sysattr_read(ctx_path(c, ROOT_NONE, "%s/%s", sdir, files[i]), &c->buf);
		/* Some files are write-only or unsupported by the driver. */
		if (r == -ENOENT || r == -EOPNOTSUPP)
			continue;
		if (r < 0)
			return ctx_fail(c, (int)r, "failed to read file %s: %s", c->path.p, strerror((int)-r));
		for (k = 0; k < N_COUNTERS && !streq(counters[k].file, files[i]); k++)
			;
		if (k == N_COUNTERS)
			continue;
		if (go_parse_uint(c->buf.p, 0, 64, &v) < 0)
			return ctx_fail(c, -EINVAL, "%s: invalid number %s", c->path.p, c->buf.p);
		h->val[k] = v;
		h->has[k] = true;
	}
	return 0;
}

static int fibrechannel_collect(struct collect_ctx *c)
{
	const char *cdir;
	char **names;
	ssize_t n = ctx_list_dir(c, 0, &cdir, &names, ROOT_SYS, "class/fc_host");
	struct host *hosts;

	if (n == COLLECTOR_NO_DATA)
		return (int)n;
	if (n < 0)
		return ctx_fail(c, (int)n, "error obtaining FibreChannel class info: %s", strerror((int)-n));
	if (!(hosts = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*hosts))))
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		int r;
		hosts[i].name = names[i];
		if ((r = read_host(c, cdir, &hosts[i])) < 0)
			return r == -ENOENT ? COLLECTOR_NO_DATA : r;
	}
	for (ssize_t i = 0; i < n; i++) {
		const struct host *h = &hosts[i];
		metric_add(metric_family(c->ms, &info_desc), 1, h->name, h->attr[A_SPEED], h->attr[A_PORT_STATE],
			   h->attr[A_PORT_TYPE], h->attr[A_PORT_ID], h->attr[A_PORT_NAME], h->attr[A_FABRIC_NAME],
			   h->attr[A_SYMBOLIC_NAME], h->attr[A_SUPPORTED_CLASSES], h->attr[A_SUPPORTED_SPEEDS],
			   h->attr[A_DEV_LOSS_TMO]);
		for (size_t k = 0; k < N_COUNTERS; k++)
			if (h->has[k] && h->val[k] != UINT64_MAX)
				metric_add(metric_family(c->ms, &counters[k].desc), (double)h->val[k], h->name);
	}
	return 0;
}

COLLECTOR(fibrechannel, .default_on = true);
