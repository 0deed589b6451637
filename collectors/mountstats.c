/* mountstats: NFS client statistics per mount from /proc/self/mountstats, as node_exporter's mountstats
 * collector (opt-in; procfs mountstats parser).
 *
 *   device <export> mounted on <mountpoint> with fstype nfs4 statvers=1.1
 *   	opts:	rw,vers=4.2,...
 *   	age:	13968
 *   	events:	<27 counters>
 *   	bytes:	<8 counters>
 *   	xprt:	tcp <13 values>        (one line per transport; several with nconnect)
 *   	per-op statistics
 *   	        READ: <8 or 9 values>
 *   <blank line>
 *
 * The server address (mountaddr label) is the addr= superblock option of the same mount in
 * /proc/self/mountinfo, which lists the mounts in the same order. Mounts with the same export, protocol
 * and address are reported once (the first one), but node_mountstats_nfs_mountpoint_info names every
 * mount point. Transport series carry a transport label with the transport's index.
 *
 * node_exporter fails the whole collector on the first malformed mount; nodex skips that mount, exports
 * the others and reports the failure. */
#include <stdio.h>

#include "collector.h"

#define MS_LABELS "export", "protocol", "mountaddr"
#define MS_TLABELS "export", "protocol", "mountaddr", "transport"
#define MS_OLABELS "export", "protocol", "mountaddr", "operation"
#define MSC(n, h) METRIC_DESC("node_mountstats_nfs_" n, h, METRIC_COUNTER, MS_LABELS)

/* 2^53: node_exporter takes large counters modulo the float64 mantissa. */
#define FLOAT64_MANTISSA 9007199254740992ULL

METRIC(ms_info_desc, GAUGE, "node_mountstats_nfs_mountpoint_info", "Info metric for an NFS mountpoint.", MS_LABELS,
       "mountpoint");
static const struct metric_desc ms_age_desc = MSC("age_seconds_total", "The age of the NFS mount in seconds.");

static const struct metric_desc ms_bytes_descs[8] = {
	MSC("read_bytes_total", "Number of bytes read using the read() syscall."),
	MSC("write_bytes_total", "Number of bytes written using the write() syscall."),
	MSC("direct_read_bytes_total", "Number of bytes read using the read() syscall in O_DIRECT mode."),
	MSC("direct_write_bytes_total", "Number of bytes written using the write() syscall in O_DIRECT mode."),
	MSC("total_read_bytes_total", "Number of bytes read from the NFS server, in total."),
	MSC("total_write_bytes_total", "Number of bytes written to the NFS server, in total."),
	MSC("read_pages_total", "Number of pages read directly via mmap()'d files."),
	MSC("write_pages_total", "Number of pages written directly via mmap()'d files."),
};

/* events: index in the kernel's 27 counters (18, congestion wait, is not exported). */
static const struct {
	int idx;
	struct metric_desc desc;
} ms_event_descs[] = {
	{ 0, MSC("event_inode_revalidate_total", "Number of times cached inode attributes are re-validated from the server.") },
	{ 1, MSC("event_dnode_revalidate_total", "Number of times cached dentry nodes are re-validated from the server.") },
	{ 2, MSC("event_data_invalidate_total", "Number of times an inode cache is cleared.") },
	{ 3, MSC("event_attribute_invalidate_total", "Number of times cached inode attributes are invalidated.") },
	{ 4, MSC("event_vfs_open_total", "Number of times cached inode attributes are invalidated.") },
	{ 5, MSC("event_vfs_lookup_total", "Number of times a directory lookup has occurred.") },
	{ 6, MSC("event_vfs_access_total", "Number of times permissions have been checked.") },
	{ 7, MSC("event_vfs_update_page_total", "Number of updates (and potential writes) to pages.") },
	{ 8, MSC("event_vfs_read_page_total", "Number of pages read directly via mmap()'d files.") },
	{ 9, MSC("event_vfs_read_pages_total", "Number of times a group of pages have been read.") },
	{ 10, MSC("event_vfs_write_page_total", "Number of pages written directly via mmap()'d files.") },
	{ 11, MSC("event_vfs_write_pages_total", "Number of times a group of pages have been written.") },
	{ 12, MSC("event_vfs_getdents_total", "Number of times directory entries have been read with getdents().") },
	{ 13, MSC("event_vfs_setattr_total", "Number of times directory entries have been read with getdents().") },
	{ 14, MSC("event_vfs_flush_total", "Number of pending writes that have been forcefully flushed to the server.") },
	{ 15, MSC("event_vfs_fsync_total", "Number of times fsync() has been called on directories and files.") },
	{ 16, MSC("event_vfs_lock_total", "Number of times locking has been attempted on a file.") },
	{ 17, MSC("event_vfs_file_release_total", "Number of times files have been closed and released.") },
	{ 19, MSC("event_truncation_total", "Number of times files have been truncated.") },
	{ 20, MSC("event_write_extension_total",
		  "Number of times a file has been grown due to writes beyond its existing end.") },
	{ 21, MSC("event_silly_rename_total", "Number of times a file was removed while still open by another process.") },
	{ 22, MSC("event_short_read_total", "Number of times the NFS server gave less data than expected while reading.") },
	{ 23, MSC("event_short_write_total", "Number of times the NFS server wrote less data than expected while writing.") },
	{ 24, MSC("event_jukebox_delay_total",
		  "Number of times the NFS server indicated EJUKEBOX; retrieving data from offline storage.") },
	{ 25, MSC("event_pnfs_read_total", "Number of NFS v4.1+ pNFS reads.") },
	{ 26, MSC("event_pnfs_write_total", "Number of NFS v4.1+ pNFS writes.") },
};

/* Transport values, normalized to the tcp layout of statvers 1.1: port bind connect connect_idle idle sends
 * receives bad_xids active_reqs backlog max_slots sending pending. */
enum { TX_PORT, TX_BIND, TX_CONNECT, TX_CONNIDLE, TX_IDLE, TX_SENDS, TX_RECVS, TX_BADXID, TX_ACTIVE,
       TX_BACKLOG, TX_MAXSLOTS, TX_SENDQ, TX_PENDQ, TX_N };

static const struct {
	int idx;
	bool mantissa;
	struct metric_desc desc;
} ms_tx_descs[] = {
	{ TX_BIND, false, METRIC_DESC("node_mountstats_nfs_transport_bind_total",
				      "Number of times the client has had to establish a connection from scratch to the NFS server.",
				      METRIC_COUNTER, MS_TLABELS) },
	{ TX_CONNECT, false, METRIC_DESC("node_mountstats_nfs_transport_connect_total",
					 "Number of times the client has made a TCP connection to the NFS server.",
					 METRIC_COUNTER, MS_TLABELS) },
	{ TX_IDLE, true, METRIC_DESC("node_mountstats_nfs_transport_idle_time_seconds",
				     "Duration since the NFS mount last saw any RPC traffic, in seconds.", METRIC_GAUGE,
				     MS_TLABELS) },
	{ TX_SENDS, false, METRIC_DESC("node_mountstats_nfs_transport_sends_total",
				       "Number of RPC requests for this mount sent to the NFS server.", METRIC_COUNTER,
				       MS_TLABELS) },
	{ TX_RECVS, false, METRIC_DESC("node_mountstats_nfs_transport_receives_total",
				       "Number of RPC responses for this mount received from the NFS server.",
				       METRIC_COUNTER, MS_TLABELS) },
	{ TX_BADXID, false,
	  METRIC_DESC("node_mountstats_nfs_transport_bad_transaction_ids_total",
		      "Number of times the NFS server sent a response with a transaction ID unknown to this client.",
		      METRIC_COUNTER, MS_TLABELS) },
	{ TX_BACKLOG, false, METRIC_DESC("node_mountstats_nfs_transport_backlog_queue_total",
					 "Total number of items added to the RPC backlog queue.", METRIC_COUNTER,
					 MS_TLABELS) },
	{ TX_MAXSLOTS, false, METRIC_DESC("node_mountstats_nfs_transport_maximum_rpc_slots",
					  "Maximum number of simultaneously active RPC requests ever used.",
					  METRIC_GAUGE, MS_TLABELS) },
	{ TX_SENDQ, false, METRIC_DESC("node_mountstats_nfs_transport_sending_queue_total",
				       "Total number of items added to the RPC transmission sending queue.",
				       METRIC_COUNTER, MS_TLABELS) },
	{ TX_PENDQ, false, METRIC_DESC("node_mountstats_nfs_transport_pending_queue_total",
				       "Total number of items added to the RPC transmission pending queue.",
				       METRIC_COUNTER, MS_TLABELS) },
};

/* Per-operation values: requests transmissions major_timeouts bytes_sent bytes_received queue_ms
 * response_ms request_ms [errors]. The three times are taken modulo 2^53 and converted to seconds. */
static const struct {
	int idx;
	bool ms;
	struct metric_desc desc;
} ms_op_descs[] = {
	{ 0, false, METRIC_DESC("node_mountstats_nfs_operations_requests_total",
				"Number of requests performed for a given operation.", METRIC_COUNTER, MS_OLABELS) },
	{ 1, false, METRIC_DESC("node_mountstats_nfs_operations_transmissions_total",
				"Number of times an actual RPC request has been transmitted for a given operation.",
				METRIC_COUNTER, MS_OLABELS) },
	{ 2, false, METRIC_DESC("node_mountstats_nfs_operations_major_timeouts_total",
				"Number of times a request has had a major timeout for a given operation.",
				METRIC_COUNTER, MS_OLABELS) },
	{ 3, false, METRIC_DESC("node_mountstats_nfs_operations_sent_bytes_total",
				"Number of bytes sent for a given operation, including RPC headers and payload.",
				METRIC_COUNTER, MS_OLABELS) },
	{ 4, false, METRIC_DESC("node_mountstats_nfs_operations_received_bytes_total",
				"Number of bytes received for a given operation, including RPC headers and payload.",
				METRIC_COUNTER, MS_OLABELS) },
	{ 5, true, METRIC_DESC("node_mountstats_nfs_operations_queue_time_seconds_total",
			       "Duration all requests spent queued for transmission for a given operation before they "
			       "were sent, in seconds.",
			       METRIC_COUNTER, MS_OLABELS) },
	{ 6, true, METRIC_DESC("node_mountstats_nfs_operations_response_time_seconds_total",
			       "Duration all requests took to get a reply back after a request for a given operation "
			       "was transmitted, in seconds.",
			       METRIC_COUNTER, MS_OLABELS) },
	{ 7, true, METRIC_DESC("node_mountstats_nfs_operations_request_time_seconds_total",
			       "Duration all requests took from when a request was enqueued to when it was completely "
			       "handled for a given operation, in seconds.",
			       METRIC_COUNTER, MS_OLABELS) },
};

#define MS_MAX_TX 64  /* transports per mount (nconnect is at most 16) */
#define MS_MAX_OPS 96 /* per-op lines per mount (NFSv4.2 has about 70) */

struct ms_op {
	const char *name;
	uint64_t v[8];
};

struct ms_nfs {
	const char *device, *mountpoint;
	double age;
	uint64_t bytes[8];
	uint64_t events[27];
	const char *tx_proto[MS_MAX_TX];
	uint64_t tx[MS_MAX_TX][TX_N];
	int n_tx;
	struct ms_op ops[MS_MAX_OPS];
	int n_ops;
};

/* Parses "n n n ..." into exactly n values. Returns 0 or -EINVAL. */
static int ms_values(char **f, int nf, uint64_t *v, int n)
{
	if (nf != n)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (parse_u64(f[i], NULL, &v[i]) < 0)
			return -EINVAL;
	return 0;
}

/* Parses an xprt line (after "xprt:") for the stats version, normalized to TX_* indices. */
static int ms_transport(char **f, int nf, const char *statvers, uint64_t out[TX_N])
{
	const char *proto = f[0];
	uint64_t v[40] = { 0 };
	int n = nf - 1, want;
	bool v11 = streq(statvers, "1.1");

	if (!v11 && !streq(statvers, "1.0"))
		return -EINVAL;
	if (streq(proto, "tcp"))
		want = v11 ? 13 : 10;
	else if (streq(proto, "udp"))
		want = v11 ? 10 : 7;
	else if (streq(proto, "rdma") && v11)
		want = -20; /* at least 20 */
	else
		return -EINVAL;
	if ((want > 0 && n != want) || (want < 0 && (n < -want || n > 40)))
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (parse_u64(f[i + 1], NULL, &v[i]) < 0)
			return -EINVAL;
	memset(out, 0, TX_N * sizeof(out[0]));
	if (streq(proto, "udp")) {
		/* udp has no connect count, connect idle time or idle time */
		out[TX_PORT] = v[0];
		out[TX_BIND] = v[1];
		for (int i = 2; i < n; i++)
			out[i + 3] = v[i];
	} else if (streq(proto, "tcp")) {
		memcpy(out, v, (size_t)n * sizeof(v[0]));
	} else {
		/* rdma: the first ten values are in tcp order; max slots and the queues do not exist */
		memcpy(out, v, 10 * sizeof(v[0]));
	}
	return 0;
}

/* Parses the statistics block of one NFS mount, starting after its device line. Consumes lines up to and
 * including the blank line that ends the block. Returns 0 or -EINVAL (the rest of the block is skipped). */
static int ms_parse_nfs(char **p, const char *statvers, struct ms_nfs *m)
{
	char *line;
	bool per_op = false;
	int err = 0;

	while ((line = next_line(p))) {
		char *f[48];
		int nf = split_fields(line, f, 48);

		if (nf == 0)
			break;
		if (err)
			continue;
		if (per_op) {
			struct ms_op *op;
			uint64_t v[48];
			/* name and at least 8 values; newer kernels append more (errors), which are checked too */
			if (nf < 9 || m->n_ops == MS_MAX_OPS) {
				err = -EINVAL;
				continue;
			}
			for (int i = 1; i < nf; i++)
				if (parse_u64(f[i], NULL, &v[i - 1]) < 0)
					err = -EINVAL;
			if (err)
				continue;
			op = &m->ops[m->n_ops++];
			size_t len = strlen(f[0]);
			if (len && f[0][len - 1] == ':')
				f[0][len - 1] = '\0';
			op->name = f[0];
			memcpy(op->v, v, sizeof(op->v)); /* the first 8 */
			continue;
		}
		if (streq(f[0], "age:")) {
			const char *end;
			if (nf < 2 || parse_double(f[1], &end, &m->age) < 0 || *end)
				err = -EINVAL;
		} else if (streq(f[0], "bytes:")) {
			if (ms_values(f + 1, nf - 1, m->bytes, 8) < 0)
				err = -EINVAL;
		} else if (streq(f[0], "events:")) {
			if (ms_values(f + 1, nf - 1, m->events, 27) < 0)
				err = -EINVAL;
		} else if (streq(f[0], "xprt:")) {
			if (nf < 3 || m->n_tx == MS_MAX_TX || ms_transport(f + 1, nf - 1, statvers, m->tx[m->n_tx]) < 0) {
				err = -EINVAL;
				continue;
			}
			m->tx_proto[m->n_tx++] = f[1];
		} else if (streq(f[0], "opts:")) {
			if (nf < 2)
				err = -EINVAL;
		} else if (streq(f[0], "per-op")) {
			per_op = true;
		}
	}
	return err;
}

/* The addr= superblock option of every mountinfo line, in order (NULL when absent). */
static ssize_t ms_mount_addrs(struct collect_ctx *c, struct strbuf *b, const char ***out)
{
	char *p = b->p, *line;
	size_t n = 0, cap = 0;
	const char **v = NULL;

	while ((line = next_line(&p))) {
		char *sep = strstr(line, " - "), *f[8], *rest;
		const char *addr = NULL;

		if (!*line)
			continue;
		if (!sep)
			return -EINVAL;
		*sep = '\0';
		rest = sep + 3;
		if (split_fields(line, f, 6) < 6 || split_fields(rest, f, 3) < 3)
			return -EINVAL;
		for (char *o = f[2], *tok; (tok = strsep(&o, ","));) {
			if (startswith(tok, "addr=")) {
				addr = tok + 5;
				if (strchr(addr, '='))
					addr = NULL; /* "addr=a=b" has no single value */
			}
		}
		if (!(v = arena_grow(&c->ms->arena, v, n, &cap, sizeof(*v))))
			return -ENOMEM;
		v[n++] = addr;
	}
	*out = v;
	return (ssize_t)n;
}

static void ms_emit(struct collect_ctx *c, const struct ms_nfs *m, const char *proto, const char *addr)
{
	const char *dev = m->device;

	metric_emit(c->ms, &ms_age_desc, m->age, dev, proto, addr);
	for (int i = 0; i < 8; i++)
		metric_emit(c->ms, &ms_bytes_descs[i], (double)m->bytes[i], dev, proto, addr);
	for (int t = 0; t < m->n_tx; t++) {
		char idx[16];
		snprintf(idx, sizeof(idx), "%d", t);
		for (size_t i = 0; i < ARRAY_SIZE(ms_tx_descs); i++) {
			uint64_t v = m->tx[t][ms_tx_descs[i].idx];
			if (ms_tx_descs[i].mantissa)
				v %= FLOAT64_MANTISSA;
			metric_emit(c->ms, &ms_tx_descs[i].desc, (double)v, dev, proto, addr, idx);
		}
	}
	for (int o = 0; o < m->n_ops; o++) {
		for (size_t i = 0; i < ARRAY_SIZE(ms_op_descs); i++) {
			uint64_t v = m->ops[o].v[ms_op_descs[i].idx];
			double d = ms_op_descs[i].ms ? (double)(v % FLOAT64_MANTISSA) / 1000.0 : (double)v;
			metric_emit(c->ms, &ms_op_descs[i].desc, d, dev, proto, addr, m->ops[o].name);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(ms_event_descs); i++)
		metric_emit(c->ms, &ms_event_descs[i].desc, (double)m->events[ms_event_descs[i].idx], dev, proto, addr);
}

/* mountinfo, read alongside mountstats; kept between runs. */
static struct strbuf ms_info;

struct ms_seen {
	const char *device, *proto, *addr;
};

static int mountstats_collect(struct collect_ctx *c)
{
	struct ms_nfs *m;
	struct ms_seen *seen = NULL;
	const char **addrs;
	size_t n_seen = 0, cap_seen = 0;
	ssize_t n, n_addrs;
	char *p, *line, first[300] = "";
	int idx = -1, bad = 0;

	n = ctx_read(c, ROOT_PROC, "self/mountstats");
	if (n < 0)
		return ctx_fail(c, (int)n, "failed to parse mountstats: %s: %s", c->path.p, strerror((int)-n));
	n = ctx_path(c, ROOT_PROC, "self/mountinfo") ? file_read(c->path.p, &ms_info) : -ENOMEM;
	if (n < 0)
		return ctx_fail(c, (int)n, "failed to parse mountinfo: %s: %s", c->path.p, strerror((int)-n));
	n_addrs = ms_mount_addrs(c, &ms_info, &addrs);
	if (n_addrs < 0)
		return ctx_fail(c, (int)n_addrs, "failed to parse mountinfo: unexpected line in %s", c->path.p);
	m = arena_alloc(&c->ms->arena, sizeof(*m));
	if (!m)
		return -ENOMEM;

	p = c->buf.p;
	while ((line = next_line(&p))) {
		char *f[10];
		int nf = split_fields(line, f, 10);

		if (nf == 0 || !streq(f[0], "device"))
			continue;
		idx++;
		/* device <dev> mounted on <mount> with fstype <type> [statvers=<v>] */
		if (nf < 8 || !streq(f[2], "mounted") || !streq(f[3], "on") || !streq(f[5], "with") ||
		    !streq(f[6], "fstype")) {
			if (!bad++)
				snprintf(first, sizeof(first), "invalid device line %d", idx + 1);
			continue;
		}
		if (nf == 8)
			continue; /* no statistics */
		if (!streq(f[7], "nfs") && !streq(f[7], "nfs4")) {
			if (!bad++)
				snprintf(first, sizeof(first), "cannot parse statistics of fstype %.64s", f[7]);
			continue;
		}
		memset(m, 0, sizeof(*m));
		m->device = f[1];
		m->mountpoint = f[4];
		if (ms_parse_nfs(&p, startswith(f[8], "statvers=") ? f[8] + 9 : f[8], m) < 0) {
			if (!bad++)
				snprintf(first, sizeof(first), "invalid statistics for %.200s", m->mountpoint);
			continue;
		}

		const char *addr = idx < n_addrs && addrs[idx] ? addrs[idx] : "";
		const char *proto = m->n_tx ? m->tx_proto[0] : "";
		metric_emit(c->ms, &ms_info_desc, 1, m->device, proto, addr, m->mountpoint);

		bool dup = false;
		for (size_t i = 0; i < n_seen && !dup; i++)
			dup = streq(seen[i].device, m->device) && streq(seen[i].proto, proto) && streq(seen[i].addr, addr);
		if (dup) {
			log_debug("Skipping duplicate device entry", "device", m->device, "mountpoint", m->mountpoint);
			continue;
		}
		if (!(seen = arena_grow(&c->ms->arena, seen, n_seen, &cap_seen, sizeof(*seen))))
			return -ENOMEM;
		seen[n_seen++] = (struct ms_seen){ m->device, proto, addr };
		ms_emit(c, m, proto, addr);
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "failed to parse mountstats: %d mount(s) skipped, first: %s", bad, first);
	return 0;
}

static void ms_fini(void)
{
	sb_free(&ms_info);
}

COLLECTOR(mountstats, .default_on = false, .fini = ms_fini);
