/* network_route: the routing tables from an RTM_GETROUTE dump, as node_exporter's network_route collector.
 *
 * node_network_route_info has one series per unicast route (per next hop for multipath routes) and per
 * blackhole or unreachable route; node_network_routes counts the unicast ones by output interface.
 * Table numbers are named from /etc/iproute2/rt_tables and /etc/iproute2/rt_tables.d/ *.conf as
 * node_exporter reads them (absolute paths, not under --path.rootfs). */
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <sys/socket.h>

#include "collector.h"
#include "netlink.h"

METRIC(info_desc, GAUGE, "node_network_route_info", "network routing table information", "device", "src", "dest", "gw",
       "priority", "proto", "weight", "table", "type");
METRIC(routes_desc, GAUGE, "node_network_routes", "network routes by interface", "device");

/* Where the table names live. Tests point these elsewhere. */
const char *network_route_rt_tables = "/etc/iproute2/rt_tables";
const char *network_route_rt_tables_d = "/etc/iproute2/rt_tables.d";

static const char *proto_name(uint8_t p)
{
	switch (p) {
	case 0: return "unspec";
	case 1: return "redirect";
	case 2: return "kernel";
	case 3: return "boot";
	case 4: return "static";
	case 8: return "gated";
	case 9: return "ra";
	case 10: return "mrt";
	case 11: return "zebra";
	case 12: return "bird";
	case 13: return "dnrouted";
	case 14: return "xorp";
	case 15: return "ntk";
	case 16: return "dhcp";
	case 17: return "mrouted";
	case 42: return "babel";
	case 186: return "bgp";
	case 187: return "isis";
	case 188: return "ospf";
	case 189: return "rip";
	case 192: return "eigrp";
	}
	return "unknown";
}

static const char *type_name(uint8_t t)
{
	switch (t) {
	case RTN_BLACKHOLE: return "blackhole";
	case RTN_UNREACHABLE: return "unreachable";
	case RTN_UNICAST: return "unicast";
	}
	return "unknown";
}

/* ---- table names ---- */

struct table_name {
	long id;
	const char *name;
};

struct table_names {
	struct table_name *v;
	size_t n, cap;
};

/* Parses one rt_tables file as node_exporter does: lines starting with '#' are skipped; a line that splits
 * into exactly two parts on a tab, else on a space, is "id name"; an id that is not a number is an error
 * for the whole collector. Later entries win. Returns 0 or -EINVAL. */
static int parse_rt_tables(char *p, struct arena *a, struct table_names *t)
{
	char *line;

	while ((line = next_line(&p))) {
		char *sep, *second;
		int64_t id;
		if (line[0] == '#')
			continue;
		/* Exactly two parts: one separator, and no second one. */
		sep = strchr(line, '\t');
		if (!sep || strchr(sep + 1, '\t')) {
			sep = strchr(line, ' ');
			if (!sep || strchr(sep + 1, ' '))
				continue;
		}
		*sep = '\0';
		second = sep + 1;
		/* strconv.Atoi: an optional sign and decimal digits only. */
		const char *end;
		if (!line[0] || line[0] == ' ' || parse_i64(line, &end, &id) < 0 || *end != '\0')
			return -EINVAL;
		void *grown = arena_grow(a, t->v, t->n, &t->cap, sizeof(*t->v));
		if (!grown)
			return -ENOMEM;
		t->v = grown;
		t->v[t->n].id = (long)id;
		t->v[t->n].name = arena_strdup(a, second);
		if (!t->v[t->n].name)
			return -ENOMEM;
		t->n++;
	}
	return 0;
}

static int read_table_names(struct collect_ctx *c, struct table_names *t)
{
	char **names = NULL;
	ssize_t n;
	int r;

	if (file_read(network_route_rt_tables, &c->buf) >= 0 &&
	    (r = parse_rt_tables(c->buf.p, &c->ms->arena, t)) < 0)
		return ctx_fail(c, r, "couldn't get route table names: invalid rt_tables config in %s",
				network_route_rt_tables);
	n = dir_list(network_route_rt_tables_d, &c->ms->arena, &names);
	for (ssize_t i = 0; i < n; i++) {
		const char *p;
		/* iproute2 reads every file ending in .conf. */
		if (!endswith(names[i], ".conf"))
			continue;
		p = path_build(&c->path, ROOT_NONE, "%s/%s", network_route_rt_tables_d, names[i]);
		if (!p || path_is_dir(p))
			continue;
		ssize_t len = file_read(p, &c->buf);
		if (len < 0)
			return ctx_fail(c, (int)len, "couldn't get route table names: could not open %s", p);
		if ((r = parse_rt_tables(c->buf.p, &c->ms->arena, t)) < 0)
			return ctx_fail(c, r, "couldn't get route table names: invalid rt_tables config in %s", p);
	}
	return 0;
}

static void table_label(const struct table_names *t, uint32_t id, char *out, size_t size)
{
	for (size_t i = t->n; i-- > 0;) {
		if (t->v[i].id == (long)id) {
			snprintf(out, size, "%s", t->v[i].name);
			return;
		}
	}
	/* Go's int(route.Attributes.Table) with strconv.Itoa. */
	snprintf(out, size, "%u", id);
}

/* ---- addresses ---- */

/* node_exporter's networkRouteIPWithPrefixToString: "default" for a zero prefix, else Go's IPNet.String(). */
static void dest_string(const struct nl_attr *dst, uint8_t prefix, char *out, size_t size)
{
	char ip[64];

	if (prefix == 0) {
		snprintf(out, size, "default");
		return;
	}
	if (!dst->data) {
		snprintf(out, size, "<nil>");
		return;
	}
	size_t len = dst->len;
	unsigned bits = len * 8;
	if (prefix > bits) {
		snprintf(out, size, "<nil>"); /* CIDRMask refuses it; IPNet.String prints <nil> */
		return;
	}
	/* An IPv4-mapped IPv6 network prints as IPv4 with the mask's last 32 bits. */
	if (nl_ip_v4_mapped(dst->data, len))
		prefix = prefix > 96 ? (uint8_t)(prefix - 96) : 0;
	nl_ip_string(dst->data, len, ip, sizeof(ip));
	snprintf(out, size, "%s/%u", ip, prefix);
}

static void ip_string(const struct nl_attr *a, char *out, size_t size)
{
	if (!a->data || a->len == 0) {
		out[0] = '\0';
		return;
	}
	nl_ip_string(a->data, a->len, out, size);
}

/* ---- routes ---- */

struct dev_count {
	const char *dev;
	unsigned n;
};

struct route_ctx {
	struct collect_ctx *c;
	struct family *info;
	const struct nl_link *links;
	size_t n_links;
	const struct table_names *tables;
	struct dev_count *counts;
	size_t n_counts, cap_counts;
};

static int count_dev(struct route_ctx *x, const char *dev)
{
	for (size_t i = 0; i < x->n_counts; i++)
		if (streq(x->counts[i].dev, dev)) {
			x->counts[i].n++;
			return 0;
		}
	void *grown = arena_grow(&x->c->ms->arena, x->counts, x->n_counts, &x->cap_counts, sizeof(*x->counts));
	if (!grown)
		return -ENOMEM;
	x->counts = grown;
	x->counts[x->n_counts++] = (struct dev_count){ dev, 1 };
	return 0;
}

static bool addr_ok(const struct nl_attr *a)
{
	return !a->data || a->len == 4 || a->len == 16;
}

/* Reads the RTM_NEWROUTE messages of a dump. Returns the number of malformed ones, or -ENOMEM. */
static int parse_routes(struct route_ctx *x, const void *buf, size_t len)
{
	struct nl_iter it;
	struct nl_msg m;
	int bad = 0;

	nl_iter_init(&it, buf, len);
	while (nl_next_msg(&it, &m)) {
		struct rtmsg rt;
		struct nl_attr tb[RTA_TABLE + 1];
		size_t hdr = NLMSG_ALIGN(sizeof(rt));
		uint32_t prio = 0, table, oif = 0;
		char src[64], dest[80], gw[64], prio_s[16], table_s[64];

		if (m.type != RTM_NEWROUTE)
			continue;
		if (m.len < hdr) {
			bad++;
			continue;
		}
		memcpy(&rt, m.data, sizeof(rt));
		if (nl_attr_parse(m.data + hdr, m.len - hdr, tb, RTA_TABLE + 1) < 0 || !addr_ok(&tb[RTA_DST]) ||
		    !addr_ok(&tb[RTA_PREFSRC]) || !addr_ok(&tb[RTA_GATEWAY])) {
			bad++;
			continue;
		}
		if (rt.rtm_type != RTN_UNICAST && rt.rtm_type != RTN_BLACKHOLE && rt.rtm_type != RTN_UNREACHABLE)
			continue;
		table = rt.rtm_table;
		nl_attr_u32(&tb[RTA_TABLE], &table);
		nl_attr_u32(&tb[RTA_PRIORITY], &prio);
		nl_attr_u32(&tb[RTA_OIF], &oif);
		ip_string(&tb[RTA_PREFSRC], src, sizeof(src));
		dest_string(&tb[RTA_DST], rt.rtm_dst_len, dest, sizeof(dest));
		snprintf(prio_s, sizeof(prio_s), "%u", prio);
		table_label(x->tables, table, table_s, sizeof(table_s));
		const char *proto = proto_name(rt.rtm_protocol), *type = type_name(rt.rtm_type);

		if (rt.rtm_type != RTN_UNICAST) {
			metric_add(x->info, 1, "", src, dest, "", prio_s, proto, "", table_s, type);
			continue;
		}
		if (!tb[RTA_MULTIPATH].data) {
			const char *dev = nl_link_find(x->links, x->n_links, oif);
			ip_string(&tb[RTA_GATEWAY], gw, sizeof(gw));
			metric_add(x->info, 1, dev ? dev : "", src, dest, gw, prio_s, proto, "", table_s, type);
			if (count_dev(x, dev ? dev : "") < 0)
				return -ENOMEM;
			continue;
		}
		/* RTA_MULTIPATH: struct rtnexthop, each followed by its own attributes. */
		const unsigned char *p = tb[RTA_MULTIPATH].data;
		size_t left = tb[RTA_MULTIPATH].len;
		while (left > 0) {
			struct rtnexthop nh;
			struct nl_attr nt[RTA_GATEWAY + 1];
			char weight[8];
			if (left < sizeof(nh)) {
				bad++;
				break;
			}
			memcpy(&nh, p, sizeof(nh));
			if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > left) {
				bad++;
				break;
			}
			if (nl_attr_parse(p + sizeof(nh), nh.rtnh_len - sizeof(nh), nt, RTA_GATEWAY + 1) < 0 ||
			    !addr_ok(&nt[RTA_GATEWAY])) {
				bad++;
				break;
			}
			const char *dev = nl_link_find(x->links, x->n_links, (uint32_t)nh.rtnh_ifindex);
			ip_string(&nt[RTA_GATEWAY], gw, sizeof(gw));
			snprintf(weight, sizeof(weight), "%d", nh.rtnh_hops + 1);
			metric_add(x->info, 1, dev ? dev : "", src, dest, gw, prio_s, proto, weight, table_s, type);
			if (count_dev(x, dev ? dev : "") < 0)
				return -ENOMEM;
			size_t step = RTNH_ALIGN(nh.rtnh_len);
			if (step >= left)
				break;
			p += step;
			left -= step;
		}
	}
	if (it.bad)
		bad++;
	return bad;
}

static struct strbuf buf; /* netlink replies, kept between runs */

static int network_route_collect(struct collect_ctx *c)
{
	struct nl_sock s = { .fd = -1 };
	struct nl_link *links = NULL;
	struct rtmsg rt = { .rtm_family = AF_UNSPEC };
	struct table_names tables = { 0 };
	ssize_t n_links;
	int r;

	if ((r = nl_open(&s, NETLINK_ROUTE)) < 0)
		return ctx_fail(c, r, "couldn't connect rtnetlink: %s", strerror(-r));
	n_links = nl_link_names(&s, &buf, &c->ms->arena, &links);
	if (n_links < 0) {
		nl_close(&s);
		return ctx_fail(c, (int)n_links, "couldn't get links: %s", strerror((int)-n_links));
	}
	r = nl_transact(&s, RTM_GETROUTE, NLM_F_DUMP, &rt, sizeof(rt), &buf);
	nl_close(&s);
	if (r < 0)
		return ctx_fail(c, r, "couldn't get routes: %s", strerror(-r));
	if ((r = read_table_names(c, &tables)) < 0)
		return r;

	struct route_ctx x = { .c = c, .info = metric_family(c->ms, &info_desc), .links = links,
			       .n_links = (size_t)n_links, .tables = &tables };
	r = parse_routes(&x, buf.p, buf.len);
	if (r < 0)
		return r;
	struct family *f = metric_family(c->ms, &routes_desc);
	for (size_t i = 0; i < x.n_counts; i++)
		metric_add(f, x.counts[i].n, x.counts[i].dev);
	if (r > 0)
		return ctx_fail(c, -EBADMSG, "couldn't get routes: %d malformed route message(s)", r);
	return 0;
}

static void network_route_fini(void)
{
	sb_free(&buf);
}

COLLECTOR(network_route, .default_on = false, .fini = network_route_fini);
