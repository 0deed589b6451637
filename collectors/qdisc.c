/* qdisc: queueing discipline statistics (node_qdisc_*), as node_exporter's qdisc collector.
 *
 * The kernel's view comes from an RTM_GETQDISC dump (what prometheus's ema/qdisc library asks): bytes,
 * packets, drops, requeues, overlimits, queue length and backlog from TCA_STATS2 and the legacy TCA_STATS,
 * in the order the kernel sends them. Only root qdiscs are reported unless --collector.qdisc.include-child
 * adds the others with parent and handle labels. The test-only --collector.qdisc.fixtures reads
 * <dir>/results.json (an array of ema/qdisc QdiscInfo objects) instead, as node_exporter's end-to-end
 * test does. */
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/socket.h>

#include "collector.h"
#include "json.h"
#include "netlink.h"

static const char *opt_fixtures, *opt_include, *opt_exclude, *opt_old_include, *opt_old_exclude;
static bool opt_child;
static struct name_filter filter;

enum { F_FIXTURES, F_CHILD, F_INCLUDE, F_OLD_INCLUDE, F_EXCLUDE, F_OLD_EXCLUDE };
static struct flag qdisc_flags[] = {
	[F_FIXTURES] = { "collector.qdisc.fixtures", FLAG_STRING, "",
			 "test fixtures to use for qdisc collector end-to-end testing", &opt_fixtures },
	[F_CHILD] = { "collector.qdisc.include-child", FLAG_BOOL, "false",
	  "Also expose non-root qdiscs, adding 'parent' and 'handle' labels to all qdisc metrics. Note that packets "
	  "traversing a child qdisc are also counted by its parents, so generic counters must not be aggregated "
	  "across a device without grouping by these labels.",
	  &opt_child },
	[F_INCLUDE] = { "collector.qdisc.device-include", FLAG_STRING, NULL,
			"Regexp of qdisc devices to include (mutually exclusive to device-exclude).", &opt_include },
	[F_OLD_INCLUDE] = { "collector.qdisk.device-include", FLAG_STRING, NULL,
			    "DEPRECATED: Use collector.qdisc.device-include", &opt_old_include, .hidden = true },
	[F_EXCLUDE] = { "collector.qdisc.device-exclude", FLAG_STRING, NULL,
			"Regexp of qdisc devices to exclude (mutually exclusive to device-include).", &opt_exclude },
	[F_OLD_EXCLUDE] = { "collector.qdisk.device-exclude", FLAG_STRING, NULL,
			    "DEPRECATED: Use collector.qdisc.device-exclude", &opt_old_exclude, .hidden = true },
	{ NULL },
};

enum { Q_BYTES, Q_PACKETS, Q_DROPS, Q_REQUEUES, Q_OVERLIMITS, Q_QLEN, Q_BACKLOG, Q_N };

#define QDISC_DESCS(...)                                                                                    \
	{                                                                                                   \
		METRIC_DESC("node_qdisc_bytes_total", "Number of bytes sent.", METRIC_COUNTER, __VA_ARGS__),  \
		METRIC_DESC("node_qdisc_packets_total", "Number of packets sent.", METRIC_COUNTER, __VA_ARGS__), \
		METRIC_DESC("node_qdisc_drops_total", "Number of packets dropped.", METRIC_COUNTER, __VA_ARGS__), \
		METRIC_DESC("node_qdisc_requeues_total",                                                    \
			    "Number of packets dequeued, not transmitted, and requeued.", METRIC_COUNTER,   \
			    __VA_ARGS__),                                                                   \
		METRIC_DESC("node_qdisc_overlimits_total", "Number of overlimit packets.", METRIC_COUNTER,   \
			    __VA_ARGS__),                                                                   \
		METRIC_DESC("node_qdisc_current_queue_length", "Number of packets currently in queue to be sent.", \
			    METRIC_GAUGE, __VA_ARGS__),                                                     \
		METRIC_DESC("node_qdisc_backlog", "Number of bytes currently in queue to be sent.", METRIC_GAUGE, \
			    __VA_ARGS__),                                                                   \
	}

static const struct metric_desc descs[Q_N] = QDISC_DESCS("device", "kind");
static const struct metric_desc child_descs[Q_N] = QDISC_DESCS("device", "kind", "parent", "handle");

/* One qdisc, as ema/qdisc's QdiscInfo: the counters it exposes are 32-bit except bytes. */
struct qinfo {
	const char *dev;
	const char *kind;
	uint32_t parent; /* TC_H_ROOT reported as 0 */
	uint32_t handle;
	uint64_t v[Q_N];
};

struct qsink {
	struct collect_ctx *c;
	struct family *f[Q_N];
};

static int qdisc_init(char *err, size_t err_size)
{
	const struct name_filter_flags ff = {
		.include = &qdisc_flags[F_INCLUDE],
		.exclude = &qdisc_flags[F_EXCLUDE],
		.alias = { { &qdisc_flags[F_OLD_INCLUDE], &qdisc_flags[F_INCLUDE] },
			   { &qdisc_flags[F_OLD_EXCLUDE], &qdisc_flags[F_EXCLUDE] } },
		.both_error = "collector.qdisc.device-include and collector.qdisc.device-exclude are mutaly exclusive",
	};

	return name_filter_from_flags(&filter, &ff, err, err_size);
}

static void emit(struct qsink *k, const struct qinfo *q)
{
	char parent[24], handle[24];

	/* By default only root qdiscs: a child's packets are also counted by its parents. */
	if (!opt_child && q->parent != 0)
		return;
	if (name_filter_ignored(&filter, q->dev))
		return;
	if (opt_child) {
		if (q->parent == 0)
			snprintf(parent, sizeof(parent), "root");
		else
			snprintf(parent, sizeof(parent), "%x:%x", q->parent >> 16, q->parent & 0xffff);
		snprintf(handle, sizeof(handle), "%x:%x", q->handle >> 16, q->handle & 0xffff);
	}
	for (int i = 0; i < Q_N; i++) {
		if (opt_child)
			metric_add(k->f[i], (double)q->v[i], q->dev, q->kind, parent, handle);
		else
			metric_add(k->f[i], (double)q->v[i], q->dev, q->kind);
	}
}

/* ---- the kernel: RTM_GETQDISC ---- */

/* Applies one TCA_STATS2 nest: basic (bytes, packets) and queue (qlen, backlog, drops, requeues,
 * overlimits). Returns false when a part is too short to be the kernel's structure. */
static bool apply_stats2(const struct nl_attr *a, struct qinfo *q)
{
	struct nl_attr tb[TCA_STATS_QUEUE + 1];
	bool ok = nl_attr_parse(a->data, a->len, tb, TCA_STATS_QUEUE + 1) == 0;

	if (tb[TCA_STATS_BASIC].data) {
		struct gnet_stats_basic b;
		if (tb[TCA_STATS_BASIC].len < 12)
			return false;
		nl_attr_copy(&tb[TCA_STATS_BASIC], &b, sizeof(b));
		q->v[Q_BYTES] = b.bytes;
		q->v[Q_PACKETS] = b.packets;
	}
	if (tb[TCA_STATS_QUEUE].data) {
		struct gnet_stats_queue s;
		if (tb[TCA_STATS_QUEUE].len < sizeof(s))
			return false;
		nl_attr_copy(&tb[TCA_STATS_QUEUE], &s, sizeof(s));
		q->v[Q_QLEN] = s.qlen;
		q->v[Q_BACKLOG] = s.backlog;
		q->v[Q_DROPS] = s.drops;
		q->v[Q_REQUEUES] = s.requeues;
		q->v[Q_OVERLIMITS] = s.overlimits;
	}
	return ok;
}

/* Applies the legacy struct tc_stats (it carries no requeues). */
static bool apply_stats(const struct nl_attr *a, struct qinfo *q)
{
	struct tc_stats s;

	if (a->len < 36) /* bytes .. backlog, without the trailing padding */
		return false;
	nl_attr_copy(a, &s, sizeof(s));
	q->v[Q_BYTES] = s.bytes;
	q->v[Q_PACKETS] = s.packets;
	q->v[Q_DROPS] = s.drops;
	q->v[Q_OVERLIMITS] = s.overlimits;
	q->v[Q_QLEN] = s.qlen;
	q->v[Q_BACKLOG] = s.backlog;
	return true;
}

/* Reads the RTM_NEWQDISC messages of a dump. Returns the number of malformed messages, or -ENOENT (with
 * *missing set) when a qdisc names an interface the link dump did not have, which fails node_exporter's
 * whole run too. */
static int parse_qdiscs(struct qsink *k, const void *buf, size_t len, const struct nl_link *links,
			size_t n_links, uint32_t *missing)
{
	struct nl_iter it;
	struct nl_msg m;
	int bad = 0;

	nl_iter_init(&it, buf, len);
	while (nl_next_msg(&it, &m)) {
		struct tcmsg t;
		struct qinfo q = { 0 };
		struct nl_iter ai;
		struct nl_attr a;
		char kind[IFNAMSIZ * 4] = "";
		size_t hdr = NLMSG_ALIGN(sizeof(t));

		if (m.type != RTM_NEWQDISC)
			continue;
		if (m.len < hdr) {
			bad++;
			continue;
		}
		memcpy(&t, m.data, sizeof(t));
		q.handle = t.tcm_handle;
		q.parent = t.tcm_parent == TC_H_ROOT ? 0 : t.tcm_parent;
		nl_iter_init(&ai, m.data + hdr, m.len - hdr);
		while (nl_attr_next(&ai, &a)) {
			switch (a.type) {
			case TCA_KIND:
				nl_attr_str(&a, kind, sizeof(kind));
				break;
			case TCA_STATS2:
				if (!apply_stats2(&a, &q))
					bad++;
				break;
			case TCA_STATS:
				if (!apply_stats(&a, &q))
					bad++;
				break;
			}
		}
		if (ai.bad)
			bad++;
		q.dev = nl_link_find(links, n_links, (uint32_t)t.tcm_ifindex);
		if (!q.dev) {
			*missing = (uint32_t)t.tcm_ifindex;
			return -ENOENT;
		}
		q.kind = kind;
		emit(k, &q);
	}
	if (it.bad)
		bad++;
	return bad;
}

static struct strbuf buf; /* netlink replies, kept between runs */

static int collect_kernel(struct collect_ctx *c, struct qsink *k)
{
	struct nl_sock s = { .fd = -1 };
	struct nl_link *links = NULL;
	struct tcmsg t = { .tcm_family = AF_UNSPEC };
	ssize_t n_links;
	uint32_t missing = 0;
	int r;

	if ((r = nl_open(&s, NETLINK_ROUTE)) < 0)
		return ctx_fail(c, r, "failed to dial netlink: %s", strerror(-r));
	n_links = nl_link_names(&s, &buf, &c->ms->arena, &links);
	if (n_links < 0) {
		nl_close(&s);
		return ctx_fail(c, (int)n_links, "failed to list interfaces: %s", strerror((int)-n_links));
	}
	r = nl_transact(&s, RTM_GETQDISC, NLM_F_DUMP, &t, sizeof(t), &buf);
	nl_close(&s);
	if (r < 0)
		return ctx_fail(c, r, "failed to execute request: %s", strerror(-r));
	r = parse_qdiscs(k, buf.p, buf.len, links, (size_t)n_links, &missing);
	if (r == -ENOENT)
		return ctx_fail(c, r, "route ip+net: no such network interface (index %u)", missing);
	if (r > 0)
		return ctx_fail(c, -EBADMSG, "%d malformed qdisc message(s) from the kernel", r);
	return 0;
}

/* ---- the end-to-end fixture: results.json ---- */

/* Reads an unsigned JSON field that Go decodes into a field of the given bit width. A missing or null
 * field is zero; anything else not an integer in range is an error, as json.Unmarshal says. */
static bool json_field(const struct json *o, const char *key, unsigned bits, uint64_t *out)
{
	uint64_t v = 0;
	int r = json_u64(json_get(o, key), &v);

	if (r == -ENOENT) {
		*out = 0;
		return true;
	}
	if (r < 0 || (bits < 64 && v >> bits))
		return false;
	*out = v;
	return true;
}

static int collect_fixtures(struct collect_ctx *c, struct qsink *k)
{
	char err[160];
	const char *path = path_build(&c->path, ROOT_NONE, "%s/results.json", opt_fixtures);
	ssize_t n;
	const struct json *root;

	if (!path)
		return -ENOMEM;
	n = file_read(path, &c->buf);
	if (n < 0)
		return ctx_fail(c, (int)n, "open %s: %s", path, strerror((int)-n));
	root = json_parse(c->buf.p, (size_t)n, &c->ms->arena, err, sizeof(err));
	if (!root)
		return ctx_fail(c, -EINVAL, "%s: %s", path, err);
	if (root->type == JSON_NULL)
		return 0;
	if (root->type != JSON_ARRAY)
		return ctx_fail(c, -EINVAL, "%s: json: cannot unmarshal into []qdisc.QdiscInfo", path);
	for (const struct json *e = root->child; e; e = e->next) {
		struct qinfo q = { .dev = "", .kind = "" };
		uint64_t parent, handle;
		const struct json *s;
		static const struct {
			const char *key;
			unsigned bits;
			int idx;
		} fields[] = {
			{ "Bytes", 64, Q_BYTES },	  { "Packets", 32, Q_PACKETS }, { "Drops", 32, Q_DROPS },
			{ "Requeues", 32, Q_REQUEUES }, { "Overlimits", 32, Q_OVERLIMITS }, { "Qlen", 32, Q_QLEN },
			{ "Backlog", 32, Q_BACKLOG },
		};

		if (e->type == JSON_NULL)
			continue;
		if (e->type != JSON_OBJECT)
			return ctx_fail(c, -EINVAL, "%s: json: cannot unmarshal into qdisc.QdiscInfo", path);
		for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
			if (!json_field(e, fields[i].key, fields[i].bits, &q.v[fields[i].idx]))
				return ctx_fail(c, -EINVAL, "%s: json: bad value for field %s", path, fields[i].key);
		if (!json_field(e, "Parent", 32, &parent) || !json_field(e, "Handle", 32, &handle))
			return ctx_fail(c, -EINVAL, "%s: json: bad value for Parent or Handle", path);
		q.parent = (uint32_t)parent;
		q.handle = (uint32_t)handle;
		if ((s = json_get(e, "IfaceName")) && s->type != JSON_NULL) {
			if (s->type != JSON_STRING)
				return ctx_fail(c, -EINVAL, "%s: json: IfaceName is not a string", path);
			q.dev = s->str;
		}
		if ((s = json_get(e, "Kind")) && s->type != JSON_NULL) {
			if (s->type != JSON_STRING)
				return ctx_fail(c, -EINVAL, "%s: json: Kind is not a string", path);
			q.kind = s->str;
		}
		emit(k, &q);
	}
	return 0;
}

static int qdisc_collect(struct collect_ctx *c)
{
	struct qsink k = { .c = c };
	const struct metric_desc *d = opt_child ? child_descs : descs;

	for (int i = 0; i < Q_N; i++)
		k.f[i] = metric_family(c->ms, &d[i]);
	if (opt_fixtures && *opt_fixtures)
		return collect_fixtures(c, &k);
	return collect_kernel(c, &k);
}

static void qdisc_fini(void)
{
	name_filter_free(&filter);
	sb_free(&buf);
}

COLLECTOR(qdisc, .default_on = false, .flags = qdisc_flags, .init = qdisc_init, .fini = qdisc_fini);
