/* netclass: node_network_* from /sys/class/net/<iface>/ (sysfs variant): node_network_up, node_network_info
 * and one gauge or counter per numeric attribute, named and described as node_exporter does ("Network
 * device property: <name>"). Attribute files that are missing, unreadable or refuse the read (EINVAL,
 * EOPNOTSUPP, as "speed" on a link that is down) are left out; other read errors fail the collector.
 * Values are parsed as Go's strconv.ParseInt(s, 0, 64) (so "0x1003" is hex); a value that does not parse
 * is left out (node_exporter would report 0).
 *
 * --collector.netclass.netlink selects node_exporter's rtnetlink variant (netclass_rtnl_linux.go): one
 * RTM_GETLINK dump for the link attributes, an ETHTOOL_MSG_LINKMODES_GET dump over generic netlink for
 * speed and duplex, and three sysfs files per link that netlink does not carry (addr_assign_type, dev_id,
 * name_assign_type). Its output differs from the sysfs variant's as node_exporter's does; see
 * netlink_collect(). */
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "collector.h"
#include "gocompat.h"
#include "netlink.h"

static const char *ignored_devices;
static bool ignore_invalid_speed;
static bool use_netlink;
static bool rtnl_with_stats;
static struct regex *ignored_re;

static struct flag netclass_flags[] = {
	{ "collector.netclass.ignored-devices", FLAG_STRING, "^$",
	  "Regexp of net devices to ignore for netclass collector.", &ignored_devices },
	{ "collector.netclass.ignore-invalid-speed", FLAG_BOOL, "false",
	  "Ignore devices where the speed is invalid. This will be the default behavior in 2.x.",
	  &ignore_invalid_speed },
	{ "collector.netclass.netlink", FLAG_BOOL, "false", "Use netlink to gather stats instead of /proc/net/dev.",
	  &use_netlink },
	{ "collector.netclass_rtnl.with-stats", FLAG_BOOL, "false",
	  "Expose the statistics for each network device, replacing netdev collector.", &rtnl_with_stats },
	{ NULL },
};

METRIC(up_desc, GAUGE, "node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", "device");
METRIC(info_desc, GAUGE, "node_network_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
       "device", "address", "broadcast", "duplex", "operstate", "adminstate", "ifalias");

/* The attributes read from each interface directory. Strings first, then numbers (with the metric name
 * suffix and type); the table is sorted by file name for bsearch. */
enum attr_kind { A_STRING, A_INT };
enum {
	S_ADDRESS, S_BROADCAST, S_DUPLEX, S_IFALIAS, S_OPERSTATE, N_STRINGS
};
enum {
	I_ADDR_ASSIGN_TYPE, I_CARRIER, I_CARRIER_CHANGES, I_CARRIER_UP, I_CARRIER_DOWN, I_DEV_ID, I_DORMANT,
	I_FLAGS, I_IFINDEX, I_IFLINK, I_LINK_MODE, I_MTU, I_NETDEV_GROUP, I_NAME_ASSIGN_TYPE, I_SPEED,
	I_TX_QUEUE_LEN, I_TYPE, N_INTS
};

static const struct attr {
	const char *file;
	enum attr_kind kind;
	int slot;
} attrs[] = {
	{ "addr_assign_type", A_INT, I_ADDR_ASSIGN_TYPE },
	{ "address", A_STRING, S_ADDRESS },
	{ "broadcast", A_STRING, S_BROADCAST },
	{ "carrier", A_INT, I_CARRIER },
	{ "carrier_changes", A_INT, I_CARRIER_CHANGES },
	{ "carrier_down_count", A_INT, I_CARRIER_DOWN },
	{ "carrier_up_count", A_INT, I_CARRIER_UP },
	{ "dev_id", A_INT, I_DEV_ID },
	{ "dormant", A_INT, I_DORMANT },
	{ "duplex", A_STRING, S_DUPLEX },
	{ "flags", A_INT, I_FLAGS },
	{ "ifalias", A_STRING, S_IFALIAS },
	{ "ifindex", A_INT, I_IFINDEX },
	{ "iflink", A_INT, I_IFLINK },
	{ "link_mode", A_INT, I_LINK_MODE },
	{ "mtu", A_INT, I_MTU },
	{ "name_assign_type", A_INT, I_NAME_ASSIGN_TYPE },
	{ "netdev_group", A_INT, I_NETDEV_GROUP },
	{ "operstate", A_STRING, S_OPERSTATE },
	{ "speed", A_INT, I_SPEED },
	{ "tx_queue_len", A_INT, I_TX_QUEUE_LEN },
	{ "type", A_INT, I_TYPE },
};

/* node_exporter's pushMetric: node_network_<name>, "Network device property: <name>", by device. */
#define PROP(name, type) METRIC_DESC("node_network_" name, "Network device property: " name, METRIC_##type, "device")

/* The numeric metrics in node_exporter's order (the order does not matter for the output). */
static const struct metric_desc int_descs[N_INTS] = {
	[I_ADDR_ASSIGN_TYPE] = PROP("address_assign_type", GAUGE),
	[I_CARRIER] = PROP("carrier", GAUGE),
	[I_CARRIER_CHANGES] = PROP("carrier_changes_total", COUNTER),
	[I_CARRIER_UP] = PROP("carrier_up_changes_total", COUNTER),
	[I_CARRIER_DOWN] = PROP("carrier_down_changes_total", COUNTER),
	[I_DEV_ID] = PROP("device_id", GAUGE),
	[I_DORMANT] = PROP("dormant", GAUGE),
	[I_FLAGS] = PROP("flags", GAUGE),
	[I_IFINDEX] = PROP("iface_id", GAUGE),
	[I_IFLINK] = PROP("iface_link", GAUGE),
	[I_LINK_MODE] = PROP("iface_link_mode", GAUGE),
	[I_MTU] = PROP("mtu_bytes", GAUGE),
	[I_NETDEV_GROUP] = PROP("net_dev_group", GAUGE),
	[I_NAME_ASSIGN_TYPE] = PROP("name_assign_type", GAUGE),
	[I_SPEED] = PROP("speed_bytes", GAUGE),
	[I_TX_QUEUE_LEN] = PROP("transmit_queue_length", GAUGE),
	[I_TYPE] = PROP("protocol_type", GAUGE),
};

struct iface {
	const char *name;
	const char *str[N_STRINGS];
	int64_t val[N_INTS];
	uint32_t have; /* bit i: val[i] was read */
};

static int cmp_attr(const void *key, const void *elem)
{
	return strcmp(key, ((const struct attr *)elem)->file);
}

/* Go's strings.TrimSpace for ASCII white space, in place. */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
		s++;
	return strip_trailing(s);
}

/* Reads <sysfs>/class/net/<dir>/<file> as procfs' ParseNetClassAttribute does, and returns its trimmed
 * content in *out (in ctx->buf), 0 when the file is missing or refuses the read (the attribute is then
 * left out), or a negative errno with ctx->err for any other error. */
static int read_attr(struct collect_ctx *c, const char *dir, const char *file, char **out)
{
	ssize_t r = file_read(ctx_path(c, ROOT_SYS, "class/net/%s/%s", dir, file), &c->buf);

	if (r == -ENOENT || r == -EACCES || r == -EPERM || r == -EOPNOTSUPP || r == -EINVAL)
		return 0;
	if (r < 0)
		return ctx_fail(c, (int)r, "could not get net class info: failed to read file %s: %s", c->path.p,
				strerror((int)-r));
	/* procfs reads sysfs attributes with one read of at most 128 bytes. */
	if (c->buf.len > 128)
		c->buf.p[128] = '\0';
	*out = trim(c->buf.p);
	return 1;
}

/* Reads the attributes of one interface. Returns 0, or a negative errno (with ctx->err) for an error that
 * node_exporter treats as fatal; -ENOENT/-EACCES when the interface directory vanished or is closed. */
static int netclass_iface(struct collect_ctx *c, const char *dir, struct iface *ifc)
{
	char **files;
	ssize_t n = dir_list(ctx_path(c, ROOT_SYS, "class/net/%s", dir), &c->ms->arena, &files);

	if (n < 0)
		return ctx_fail(c, (int)n, "could not get net class info: %s: %s", c->path.p, strerror((int)-n));
	for (ssize_t i = 0; i < n; i++) {
		const struct attr *a = bsearch(files[i], attrs, ARRAY_SIZE(attrs), sizeof(attrs[0]), cmp_attr);
		char *v;
		if (!a)
			continue;
		int r = read_attr(c, dir, a->file, &v);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		if (a->kind == A_STRING) {
			ifc->str[a->slot] = arena_strdup(&c->ms->arena, v);
			if (!ifc->str[a->slot])
				return -ENOMEM;
		} else if (go_parse_int(v, 0, 64, &ifc->val[a->slot]) == 0) {
			ifc->have |= 1u << a->slot;
		}
	}
	return 0;
}

static int netlink_collect(struct collect_ctx *c);

static int netclass_collect(struct collect_ctx *c)
{
	if (use_netlink)
		return netlink_collect(c);

	char **names;
	ssize_t n = ctx_list_dir(c, CTX_LIST_NODATA_EACCES, NULL, &names, ROOT_SYS, "class/net");
	struct iface *ifs;
	size_t n_ifs = 0;

	if (n == COLLECTOR_NO_DATA)
		return (int)n;
	if (n < 0)
		return ctx_fail(c, (int)n, "could not get net class info: %s: %s", c->path.p, strerror((int)-n));
	ifs = arena_zalloc(&c->ms->arena, ((size_t)n + 1) * sizeof(*ifs));
	if (!ifs)
		return -ENOMEM;
	for (ssize_t i = 0; i < n; i++) {
		struct stat st;
		/* Entries are symlinks to the device directories; regular files (bonding_masters) are not devices. */
		if (lstat(ctx_path(c, ROOT_SYS, "class/net/%s", names[i]), &st) == 0 && S_ISREG(st.st_mode))
			continue;
		if (regex_match(ignored_re, names[i]))
			continue;
		struct iface *ifc = &ifs[n_ifs];
		ifc->name = names[i];
		int r = netclass_iface(c, names[i], ifc);
		if (r == -ENOENT || r == -EACCES || r == -EPERM)
			return COLLECTOR_NO_DATA;
		if (r < 0)
			return r;
		n_ifs++;
	}
	struct family *up = metric_family(c->ms, &up_desc);
	struct family *info = metric_family(c->ms, &info_desc);
	struct family *fams[N_INTS];
	for (int k = 0; k < N_INTS; k++)
		fams[k] = NULL;
	for (size_t i = 0; i < n_ifs; i++) {
		const struct iface *ifc = &ifs[i];
		const char *s[N_STRINGS];
		for (int k = 0; k < N_STRINGS; k++)
			s[k] = ifc->str[k] ? ifc->str[k] : "";
		metric_add(up, streq(s[S_OPERSTATE], "up") ? 1 : 0, ifc->name);
		const char *admin = !(ifc->have & (1u << I_FLAGS)) ? "unknown" : (ifc->val[I_FLAGS] & 1) ? "up" : "down";
		metric_add(info, 1, ifc->name, s[S_ADDRESS], s[S_BROADCAST], s[S_DUPLEX], s[S_OPERSTATE], admin,
			   s[S_IFALIAS]);
		for (int k = 0; k < N_INTS; k++) {
			if (!(ifc->have & (1u << k)))
				continue;
			double v = (double)ifc->val[k];
			if (k == I_SPEED) {
				if (ifc->val[k] < 0 && ignore_invalid_speed)
					continue;
				/* int64(speed * 1000 * 1000 / 8), with Go's wrapping arithmetic */
				uint64_t u = (uint64_t)ifc->val[k] * 1000000u;
				v = (double)((int64_t)u / 8);
			}
			if (!fams[k])
				fams[k] = metric_family(c->ms, &int_descs[k]);
			metric_add(fams[k], v, ifc->name);
		}
	}
	return 0;
}

/* ---- the netlink variant ---- */

METRIC(rtnl_info_desc, GAUGE, "node_network_info", "Non-numeric data of <iface>, value is always 1.", "device",
       "address", "broadcast", "duplex", "operstate", "ifalias");

/* --collector.netclass_rtnl.with-stats: IFLA_STATS64 counters, as gauges (node_exporter's types). */
#define STAT(n, field) { PROP(n, GAUGE), offsetof(struct rtnl_link_stats64, field) }
static const struct {
	struct metric_desc desc;
	size_t off;
} stats[] = {
	STAT("receive_packets_total", rx_packets),
	STAT("transmit_packets_total", tx_packets),
	STAT("receive_bytes_total", rx_bytes),
	STAT("transmit_bytes_total", tx_bytes),
	STAT("receive_errors_total", rx_errors),
	STAT("transmit_errors_total", tx_errors),
	STAT("receive_dropped_total", rx_dropped),
	STAT("transmit_dropped_total", tx_dropped),
	STAT("multicast_total", multicast),
	STAT("collisions_total", collisions),
	STAT("receive_length_errors_total", rx_length_errors),
	STAT("receive_over_errors_total", rx_over_errors),
	STAT("receive_crc_errors_total", rx_crc_errors),
	STAT("receive_frame_errors_total", rx_frame_errors),
	STAT("receive_fifo_errors_total", rx_fifo_errors),
	STAT("receive_missed_errors_total", rx_missed_errors),
	STAT("transmit_aborted_errors_total", tx_aborted_errors),
	STAT("transmit_carrier_errors_total", tx_carrier_errors),
	STAT("transmit_fifo_errors_total", tx_fifo_errors),
	STAT("transmit_heartbeat_errors_total", tx_heartbeat_errors),
	STAT("transmit_window_errors_total", tx_window_errors),
	STAT("receive_compressed_total", rx_compressed),
	STAT("transmit_compressed_total", tx_compressed),
	STAT("receive_nohandler_total", rx_nohandler),
};
#undef STAT

/* Link attributes reported only when the kernel sends them (node_exporter's nil pointers). "dormant"
 * repeats IFLA_LINKMODE, as node_exporter has it. */
static const struct {
	uint16_t type;
	int slot;
	bool u8;
} optional[] = {
	{ IFLA_CARRIER, I_CARRIER, true },	       { IFLA_CARRIER_CHANGES, I_CARRIER_CHANGES, false },
	{ IFLA_CARRIER_UP_COUNT, I_CARRIER_UP, false }, { IFLA_CARRIER_DOWN_COUNT, I_CARRIER_DOWN, false },
	{ IFLA_LINKMODE, I_LINK_MODE, true },	       { IFLA_LINKMODE, I_DORMANT, true },
	{ IFLA_GROUP, I_NETDEV_GROUP, false },	       { IFLA_TXQLEN, I_TX_QUEUE_LEN, false },
};

static const char *const operstates[] = { "unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up" };

/* One link's ethtool link modes. */
struct linkmode {
	char name[IFNAMSIZ];
	uint32_t speed;
	uint8_t duplex;
};

static struct family *prop_family(struct collect_ctx *c, struct family **fams, int k)
{
	if (!fams[k])
		fams[k] = metric_family(c->ms, &int_descs[k]);
	return fams[k];
}

/* Go's net.HardwareAddr.String(): lower-case hex bytes joined by ':', "" for none. */
static const char *hwaddr(struct collect_ctx *c, const struct nl_attr *a)
{
	char *s = arena_alloc(&c->ms->arena, a->data ? a->len * 3 + 1 : 1);

	if (!s)
		return NULL;
	size_t o = 0;
	s[0] = '\0';
	for (size_t i = 0; a->data && i < a->len; i++)
		o += (size_t)snprintf(s + o, 4, i ? ":%02x" : "%02x", a->data[i]);
	return s;
}

/* mdlayher/ethtool's Duplex.String() (a stringer). */
static const char *duplex_name(struct collect_ctx *c, uint8_t d)
{
	if (d == DUPLEX_HALF)
		return "Half";
	if (d == DUPLEX_FULL)
		return "Full";
	if (d == DUPLEX_UNKNOWN)
		return "Unknown";
	return arena_printf(&c->ms->arena, "Duplex(%u)", d);
}

/* The ETHTOOL_MSG_LINKMODES_GET dump. Returns the count of links in *out, 0 with *out NULL when the kernel
 * has no ethtool netlink family (node_exporter then scrapes neither speed nor duplex), or a negative errno
 * with ctx->err. */
static ssize_t ethtool_linkmodes(struct collect_ctx *c, struct nl_sock *s, struct strbuf *buf, struct linkmode **out)
{
	struct strbuf req = { 0 };
	struct genlmsghdr g = { .cmd = ETHTOOL_MSG_LINKMODES_GET, .version = ETHTOOL_GENL_VERSION };
	uint32_t flags = ETHTOOL_FLAG_COMPACT_BITSETS;
	uint16_t family;
	int r;

	*out = NULL;
	r = nl_genl_family(s, ETHTOOL_GENL_NAME, &family, buf);
	if (r == 0) {
		/* The request: the genetlink header, then a header attribute that only asks for compact bitsets. */
		struct strbuf nest = { 0 };
		if (sb_append(&req, (const char *)&g, sizeof(g)) < 0 ||
		    nl_put_attr(&nest, ETHTOOL_A_HEADER_FLAGS, &flags, sizeof(flags)) < 0 ||
		    nl_put_attr(&req, ETHTOOL_A_LINKMODES_HEADER | NLA_F_NESTED, nest.p, nest.len) < 0)
			r = -ENOMEM;
		sb_free(&nest);
		if (r == 0)
			r = nl_transact(s, family, NLM_F_DUMP, req.p, req.len, buf);
	}
	sb_free(&req);
	if (r == -ENOENT) {
		log_debug("ETHTOOL netlink interface unavailable, duplex and linkspeed are not scraped.");
		return 0;
	}
	if (r < 0)
		return ctx_fail(c, r, "could not get link modes: %s", strerror(-r));

	struct nl_iter it;
	struct nl_msg m;
	size_t n = 0, cap = 0;
	struct linkmode *v = NULL;
	nl_iter_init(&it, buf->p, buf->len);
	while (nl_next_msg(&it, &m)) {
		struct nl_attr tb[ETHTOOL_A_LINKMODES_DUPLEX + 1], hdr[ETHTOOL_A_HEADER_DEV_NAME + 1];
		if (m.type != family || m.len < GENL_HDRLEN)
			continue;
		if (nl_attr_parse(m.data + GENL_HDRLEN, m.len - GENL_HDRLEN, tb, ARRAY_SIZE(tb)) < 0 ||
		    (tb[ETHTOOL_A_LINKMODES_HEADER].data &&
		     nl_attr_parse(tb[ETHTOOL_A_LINKMODES_HEADER].data, tb[ETHTOOL_A_LINKMODES_HEADER].len, hdr,
				   ARRAY_SIZE(hdr)) < 0))
			return ctx_fail(c, -EBADMSG, "could not get link modes: malformed attributes");
		if (!tb[ETHTOOL_A_LINKMODES_HEADER].data)
			memset(hdr, 0, sizeof(hdr));
		if (!(v = arena_grow(&c->ms->arena, v, n, &cap, sizeof(*v))))
			return -ENOMEM;
		/* Absent attributes are Go's zero values: speed 0, duplex 0 ("Half"). */
		struct linkmode *lm = &v[n++];
		memset(lm, 0, sizeof(*lm));
		nl_attr_str(&hdr[ETHTOOL_A_HEADER_DEV_NAME], lm->name, sizeof(lm->name));
		nl_attr_u32(&tb[ETHTOOL_A_LINKMODES_SPEED], &lm->speed);
		nl_attr_u8(&tb[ETHTOOL_A_LINKMODES_DUPLEX], &lm->duplex);
	}
	if (it.bad)
		return ctx_fail(c, -EBADMSG, "could not get link modes: malformed message");
	*out = v;
	return (ssize_t)n;
}

/* The three sysfs attributes the netlink variant reads per link. */
static int rtnl_sysfs(struct collect_ctx *c, struct family **fams, const char *name)
{
	static const struct {
		const char *file;
		int slot;
	} files[] = {
		{ "addr_assign_type", I_ADDR_ASSIGN_TYPE },
		{ "dev_id", I_DEV_ID },
		{ "name_assign_type", I_NAME_ASSIGN_TYPE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *v;
		int64_t x;
		int r = read_attr(c, name, files[i].file, &v);
		if (r < 0)
			return r;
		if (r > 0 && go_parse_int(v, 0, 64, &x) == 0)
			metric_add(prop_family(c, fams, files[i].slot), (double)x, name);
	}
	return 0;
}

/* node_exporter's netClassRTNLUpdate, value for value, including its quirks: "dormant" repeats
 * IFLA_LINKMODE; every link ethtool lists gets speed_bytes, an unknown speed (0xffffffff) included, since
 * mdlayher/ethtool stores it as a positive int; duplex is "Half", "Full" or "Unknown"; the statistics are
 * gauges. One difference: the three sysfs files are read under --path.sysfs, where node_exporter reads
 * /sys whatever the flag says. */
static int netlink_collect(struct collect_ctx *c)
{
	struct nl_sock s = { .fd = -1 };
	struct strbuf buf = { 0 };
	struct linkmode *lms = NULL;
	ssize_t n_lms = 0;
	struct family *fams[N_INTS] = { 0 };
	struct ifinfomsg req = { .ifi_family = AF_UNSPEC };
	int r;

	if ((r = nl_open(&s, NETLINK_GENERIC)) < 0) {
		r = ctx_fail(c, r, "could not get link modes: %s", strerror(-r));
		goto out;
	}
	n_lms = ethtool_linkmodes(c, &s, &buf, &lms);
	nl_close(&s);
	if (n_lms < 0) {
		r = (int)n_lms;
		goto out;
	}
	for (ssize_t i = 0; i < n_lms; i++) {
		if (regex_match(ignored_re, lms[i].name))
			continue;
		/* uint64(SpeedMegabits * 1000 * 1000 / 8) */
		metric_add(prop_family(c, fams, I_SPEED), (double)((uint64_t)lms[i].speed * 1000000u / 8), lms[i].name);
	}

	if ((r = nl_open(&s, NETLINK_ROUTE)) < 0 ||
	    (r = nl_transact(&s, RTM_GETLINK, NLM_F_DUMP, &req, sizeof(req), &buf)) < 0) {
		r = ctx_fail(c, r, "could not get net class info: %s", strerror(-r));
		goto out;
	}
	/* A malformed reply fails before any link is reported, as rtnetlink's List does. */
	struct nl_iter it;
	struct nl_msg m;
	struct nl_attr tb[IFLA_CARRIER_DOWN_COUNT + 1];
	struct ifinfomsg ifi;
	const size_t hdr = NLMSG_ALIGN(sizeof(ifi));
	nl_iter_init(&it, buf.p, buf.len);
	while (nl_next_msg(&it, &m))
		if (m.type == RTM_NEWLINK && m.len >= hdr && nl_attr_parse(m.data + hdr, m.len - hdr, tb, ARRAY_SIZE(tb)) < 0)
			it.bad = true;
	if (it.bad) {
		r = ctx_fail(c, -EBADMSG, "could not get net class info: malformed link message");
		goto out;
	}
	struct family *up = metric_family(c->ms, &up_desc);
	struct family *info = metric_family(c->ms, &rtnl_info_desc);
	struct family *sfams[ARRAY_SIZE(stats)] = { 0 };
	nl_iter_init(&it, buf.p, buf.len);
	while (nl_next_msg(&it, &m)) {
		char name[IFNAMSIZ + 1];
		if (m.type != RTM_NEWLINK || m.len < hdr)
			continue;
		memcpy(&ifi, m.data, sizeof(ifi));
		nl_attr_parse(m.data + hdr, m.len - hdr, tb, ARRAY_SIZE(tb));
		nl_attr_str(&tb[IFLA_IFNAME], name, sizeof(name));
		if (regex_match(ignored_re, name))
			continue;
		const char *dev = arena_strdup(&c->ms->arena, name);
		uint8_t oper = 0, u8;
		uint32_t u32, iflink = 0, mtu = 0;
		char alias[257];
		nl_attr_u8(&tb[IFLA_OPERSTATE], &oper);
		const char *duplex = "";
		for (ssize_t i = 0; i < n_lms; i++)
			if (streq(lms[i].name, name))
				duplex = duplex_name(c, lms[i].duplex);
		const char *addr = hwaddr(c, &tb[IFLA_ADDRESS]), *brd = hwaddr(c, &tb[IFLA_BROADCAST]);
		if (!dev || !duplex || !addr || !brd) {
			r = -ENOMEM;
			goto out;
		}
		nl_attr_str(&tb[IFLA_IFALIAS], alias, sizeof(alias));
		metric_add(up, oper == 6 /* IF_OPER_UP */ ? 1 : 0, dev);
		metric_add(info, 1, dev, addr, brd, duplex, oper < ARRAY_SIZE(operstates) ? operstates[oper] : "unknown",
			   alias);
		if ((r = rtnl_sysfs(c, fams, dev)) < 0)
			goto out;
		for (size_t k = 0; k < ARRAY_SIZE(optional); k++) {
			const struct nl_attr *a = &tb[optional[k].type];
			bool have;
			if (optional[k].u8) {
				have = nl_attr_u8(a, &u8);
				u32 = u8;
			} else {
				have = nl_attr_u32(a, &u32);
			}
			if (have)
				metric_add(prop_family(c, fams, optional[k].slot), u32, dev);
		}
		metric_add(prop_family(c, fams, I_FLAGS), ifi.ifi_flags, dev);
		metric_add(prop_family(c, fams, I_IFINDEX), (uint32_t)ifi.ifi_index, dev);
		/* The kernel leaves IFLA_LINK out when it equals the index. */
		nl_attr_u32(&tb[IFLA_LINK], &iflink);
		metric_add(prop_family(c, fams, I_IFLINK), iflink ? iflink : (uint32_t)ifi.ifi_index, dev);
		nl_attr_u32(&tb[IFLA_MTU], &mtu);
		metric_add(prop_family(c, fams, I_MTU), mtu, dev);
		metric_add(prop_family(c, fams, I_TYPE), ifi.ifi_type, dev);
		if (!rtnl_with_stats || !tb[IFLA_STATS64].data)
			continue;
		struct rtnl_link_stats64 st;
		nl_attr_copy(&tb[IFLA_STATS64], &st, sizeof(st));
		for (size_t k = 0; k < ARRAY_SIZE(stats); k++) {
			uint64_t v;
			memcpy(&v, (const char *)&st + stats[k].off, sizeof(v));
			if (!sfams[k])
				sfams[k] = metric_family(c->ms, &stats[k].desc);
			metric_add(sfams[k], (double)v, dev);
		}
	}
	r = 0;
out:
	nl_close(&s);
	sb_free(&buf);
	return r;
}

static int netclass_init(char *err, size_t err_size)
{
	if (ignored_devices && *ignored_devices && !(ignored_re = regex_new(ignored_devices, err, err_size)))
		return -EINVAL;
	return 0;
}

static void netclass_fini(void)
{
	regex_free(ignored_re);
	ignored_re = NULL;
}

COLLECTOR(netclass, .default_on = true, .flags = netclass_flags, .init = netclass_init,
	  .fini = netclass_fini);
