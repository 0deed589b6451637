/* netdev: node_network_{receive,transmit}_<stat>_total per device, as node_exporter's netdev collector.
 *
 * By default the counters come from rtnetlink (an RTM_GETLINK dump, IFLA_STATS64 or IFLA_STATS when a
 * driver has no 64-bit counters); with --no-collector.netdev.netlink from /proc/net/dev. Unless
 * --collector.netdev.enable-detailed-metrics is given, the kernel's detailed counters are folded into the
 * /proc/net/dev column names the way net/core/net-procfs.c does (node_exporter's legacy()):
 *   receive_drop = rx_dropped + rx_missed_errors
 *   receive_frame = rx_frame_errors + rx_length_errors + rx_over_errors + rx_crc_errors
 *   transmit_carrier = tx_carrier_errors + tx_aborted + tx_heartbeat + tx_window errors
 * Optional: an ifalias label (--collector.netdev.label-ifalias, from sysfs) and node_network_address_info
 * (--collector.netdev.address-info, from an RTM_GETADDR dump, formatted as Go's net package does). */
#include <linux/if_addr.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <sys/socket.h>

#include "collector.h"
#include "netlink.h"

static const char *opt_include, *opt_exclude, *opt_old_include, *opt_old_exclude;
static bool opt_address_info, opt_detailed, opt_netlink, opt_ifalias;
static struct name_filter filter;

enum { F_INCLUDE, F_WHITELIST, F_EXCLUDE, F_BLACKLIST };
static struct flag netdev_flags[] = {
	[F_INCLUDE] = { "collector.netdev.device-include", FLAG_STRING, NULL,
			"Regexp of net devices to include (mutually exclusive to device-exclude).", &opt_include },
	[F_WHITELIST] = { "collector.netdev.device-whitelist", FLAG_STRING, NULL,
			  "DEPRECATED: Use collector.netdev.device-include", &opt_old_include, .hidden = true },
	[F_EXCLUDE] = { "collector.netdev.device-exclude", FLAG_STRING, NULL,
			"Regexp of net devices to exclude (mutually exclusive to device-include).", &opt_exclude },
	[F_BLACKLIST] = { "collector.netdev.device-blacklist", FLAG_STRING, NULL,
			  "DEPRECATED: Use collector.netdev.device-exclude", &opt_old_exclude, .hidden = true },
	{ "collector.netdev.address-info", FLAG_BOOL, "false", "Collect address-info for every device",
	  &opt_address_info },
	{ "collector.netdev.enable-detailed-metrics", FLAG_BOOL, "false",
	  "Use (incompatible) metric names that provide more detailed stats on Linux", &opt_detailed },
	{ "collector.netdev.netlink", FLAG_BOOL, "true", "Use netlink to gather stats instead of /proc/net/dev.",
	  &opt_netlink },
	{ "collector.netdev.label-ifalias", FLAG_BOOL, "false", "Add ifAlias label", &opt_ifalias },
	{ NULL },
};

/* The 24 counters of struct rtnl_link_stats{,64}, in the kernel's order, under node_exporter's names. */
enum {
	NL_RX_PACKETS,
	NL_TX_PACKETS,
	NL_RX_BYTES,
	NL_TX_BYTES,
	NL_RX_ERRORS,
	NL_TX_ERRORS,
	NL_RX_DROPPED,
	NL_TX_DROPPED,
	NL_MULTICAST,
	NL_COLLISIONS,
	NL_RX_LENGTH,
	NL_RX_OVER,
	NL_RX_CRC,
	NL_RX_FRAME,
	NL_RX_FIFO,
	NL_RX_MISSED,
	NL_TX_ABORTED,
	NL_TX_CARRIER,
	NL_TX_FIFO,
	NL_TX_HEARTBEAT,
	NL_TX_WINDOW,
	NL_RX_COMPRESSED,
	NL_TX_COMPRESSED,
	NL_RX_NOHANDLER,
	NL_N,
};

static const char *const nl_keys[NL_N] = {
	"receive_packets", "transmit_packets", "receive_bytes", "transmit_bytes", "receive_errors",
	"transmit_errors", "receive_dropped", "transmit_dropped", "multicast", "collisions",
	"receive_length_errors", "receive_over_errors", "receive_crc_errors", "receive_frame_errors",
	"receive_fifo_errors", "receive_missed_errors", "transmit_aborted_errors", "transmit_carrier_errors",
	"transmit_fifo_errors", "transmit_heartbeat_errors", "transmit_window_errors", "receive_compressed",
	"transmit_compressed", "receive_nohandler",
};

/* The 16 columns of /proc/net/dev, in file order. */
enum { PROC_N = 16 };
static const char *const proc_keys[PROC_N] = {
	"receive_bytes", "receive_packets", "receive_errors", "receive_dropped", "receive_fifo",
	"receive_frame", "receive_compressed", "receive_multicast", "transmit_bytes", "transmit_packets",
	"transmit_errors", "transmit_dropped", "transmit_fifo", "transmit_colls", "transmit_carrier",
	"transmit_compressed",
};

/* The folded (legacy) names; same list for both sources except receive_nohandler (netlink only). */
enum {
	L_RX_BYTES,
	L_RX_PACKETS,
	L_RX_ERRS,
	L_RX_DROP,
	L_RX_FIFO,
	L_RX_FRAME,
	L_RX_COMPRESSED,
	L_RX_MULTICAST,
	L_TX_BYTES,
	L_TX_PACKETS,
	L_TX_ERRS,
	L_TX_DROP,
	L_TX_FIFO,
	L_TX_COLLS,
	L_TX_CARRIER,
	L_TX_COMPRESSED,
	L_RX_NOHANDLER,
	L_N,
};
static const char *const legacy_keys[L_N] = {
	"receive_bytes", "receive_packets", "receive_errs", "receive_drop", "receive_fifo", "receive_frame",
	"receive_compressed", "receive_multicast", "transmit_bytes", "transmit_packets", "transmit_errs",
	"transmit_drop", "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed",
	"receive_nohandler",
};

#define MAX_KEYS NL_N

struct netdev_dev {
	const char *name;
	uint64_t v[MAX_KEYS];
};

struct netdev_list {
	struct netdev_dev *d;
	size_t n, cap;
	int bad; /* malformed entries skipped */
};

METRIC(addr_desc, GAUGE, "node_network_address_info", "node network address by device", "device", "address", "netmask",
       "scope");

static int netdev_init(char *err, size_t err_size)
{
	const struct name_filter_flags ff = {
		.include = &netdev_flags[F_INCLUDE],
		.exclude = &netdev_flags[F_EXCLUDE],
		.alias = { { &netdev_flags[F_WHITELIST], &netdev_flags[F_INCLUDE] },
			   { &netdev_flags[F_BLACKLIST], &netdev_flags[F_EXCLUDE] } },
		.both_error = "device-exclude & device-include are mutually exclusive",
	};

	return name_filter_from_flags(&filter, &ff, err, err_size);
}

static void netdev_fini(void)
{
	name_filter_free(&filter);
}

static struct netdev_dev *list_add(struct netdev_list *l, struct arena *a, const char *name)
{
	void *grown = arena_grow(a, l->d, l->n, &l->cap, sizeof(*l->d));
	if (!grown)
		return NULL;
	l->d = grown;
	struct netdev_dev *d = &l->d[l->n];
	memset(d, 0, sizeof(*d));
	d->name = arena_strdup(a, name);
	if (!d->name)
		return NULL;
	l->n++;
	return d;
}

/* Reads the RTM_NEWLINK messages of a link dump. A device without statistics is skipped, as
 * node_exporter does; one whose statistics are too short to be a kernel structure counts as bad. */
static int parse_links(const void *buf, size_t len, struct arena *a, struct netdev_list *l)
{
	struct nl_iter it;
	struct nl_msg m;

	nl_iter_init(&it, buf, len);
	while (nl_next_msg(&it, &m)) {
		struct nl_attr tb[IFLA_STATS64 + 1];
		char name[IFNAMSIZ * 4];
		uint64_t v[NL_N] = { 0 };
		size_t hdr = NLMSG_ALIGN(sizeof(struct ifinfomsg));

		if (m.type != RTM_NEWLINK)
			continue;
		if (m.len < hdr) {
			l->bad++;
			continue;
		}
		if (nl_attr_parse(m.data + hdr, m.len - hdr, tb, IFLA_STATS64 + 1) < 0)
			l->bad++;
		if (!nl_attr_str(&tb[IFLA_IFNAME], name, sizeof(name)) || !name[0])
			continue;
		if (name_filter_ignored(&filter, name)) {
			log_debug("Ignoring device", "device", name);
			continue;
		}
		if (tb[IFLA_STATS64].data) {
			/* Kernels before 4.6 send 23 counters (no rx_nohandler); newer ones more than 24. */
			if (tb[IFLA_STATS64].len < (NL_N - 1) * sizeof(uint64_t)) {
				l->bad++;
				continue;
			}
			nl_attr_copy(&tb[IFLA_STATS64], v, sizeof(v));
		} else if (tb[IFLA_STATS].data) {
			uint32_t v32[NL_N];
			if (tb[IFLA_STATS].len < (NL_N - 1) * sizeof(uint32_t)) {
				l->bad++;
				continue;
			}
			nl_attr_copy(&tb[IFLA_STATS], v32, sizeof(v32));
			for (int i = 0; i < NL_N; i++)
				v[i] = v32[i];
		} else {
			log_debug("No netlink stats, skipping", "device", name);
			continue;
		}
		struct netdev_dev *d = list_add(l, a, name);
		if (!d)
			return -ENOMEM;
		memcpy(d->v, v, sizeof(v));
	}
	if (it.bad)
		l->bad++;
	return 0;
}

/* Parses /proc/net/dev: two header lines, then "name: 16 counters". */
static int parse_proc_net_dev(char *p, struct arena *a, struct netdev_list *l)
{
	char *line;
	int n = 0;

	while ((line = next_line(&p))) {
		if (n++ < 2)
			continue;
		char *colon = strchr(line, ':');
		char *fields[PROC_N + 1];
		uint64_t v[PROC_N];
		bool ok = true;

		if (!colon) {
			l->bad++;
			continue;
		}
		*colon = '\0';
		char *name = line;
		while (*name == ' ' || *name == '\t')
			name++;
		strip_trailing(name);
		if (!*name || split_fields(colon + 1, fields, PROC_N + 1) < PROC_N) {
			l->bad++;
			continue;
		}
		for (int i = 0; i < PROC_N && ok; i++)
			ok = parse_u64(fields[i], NULL, &v[i]) == 0;
		if (!ok) {
			l->bad++;
			continue;
		}
		if (name_filter_ignored(&filter, name)) {
			log_debug("Ignoring device", "device", name);
			continue;
		}
		struct netdev_dev *d = list_add(l, a, name);
		if (!d)
			return -ENOMEM;
		memcpy(d->v, v, sizeof(v));
	}
	return 0;
}

/* Folds the netlink counters into the legacy names (net-procfs.c). */
static void fold_netlink(const uint64_t *in, uint64_t *out)
{
	out[L_RX_BYTES] = in[NL_RX_BYTES];
	out[L_RX_PACKETS] = in[NL_RX_PACKETS];
	out[L_RX_ERRS] = in[NL_RX_ERRORS];
	out[L_RX_DROP] = in[NL_RX_DROPPED] + in[NL_RX_MISSED];
	out[L_RX_FIFO] = in[NL_RX_FIFO];
	out[L_RX_FRAME] = in[NL_RX_FRAME] + in[NL_RX_LENGTH] + in[NL_RX_OVER] + in[NL_RX_CRC];
	out[L_RX_COMPRESSED] = in[NL_RX_COMPRESSED];
	out[L_RX_MULTICAST] = in[NL_MULTICAST];
	out[L_TX_BYTES] = in[NL_TX_BYTES];
	out[L_TX_PACKETS] = in[NL_TX_PACKETS];
	out[L_TX_ERRS] = in[NL_TX_ERRORS];
	out[L_TX_DROP] = in[NL_TX_DROPPED];
	out[L_TX_FIFO] = in[NL_TX_FIFO];
	out[L_TX_COLLS] = in[NL_COLLISIONS];
	out[L_TX_CARRIER] = in[NL_TX_CARRIER] + in[NL_TX_ABORTED] + in[NL_TX_HEARTBEAT] + in[NL_TX_WINDOW];
	out[L_TX_COMPRESSED] = in[NL_TX_COMPRESSED];
	out[L_RX_NOHANDLER] = in[NL_RX_NOHANDLER];
}

/* /proc/net/dev already holds folded values; only errors and dropped are renamed. */
static void fold_proc(const uint64_t *in, uint64_t *out)
{
	for (int i = 0; i < PROC_N; i++)
		out[i] = in[i]; /* proc column i is legacy index i */
}

/* node_exporter's scope(): Go's net.IP classification. */
static const char *go_ip_scope(const unsigned char *a, size_t len)
{
	const unsigned char *v4 = NULL;

	if (len == 4)
		v4 = a;
	else if (nl_ip_v4_mapped(a, len))
		v4 = a + 12;
	if (v4) {
		bool loopback = v4[0] == 127;
		bool ll_unicast = v4[0] == 169 && v4[1] == 254;
		bool ll_multicast = v4[0] == 224 && v4[1] == 0 && v4[2] == 0;
		bool multicast = (v4[0] & 0xf0) == 0xe0;
		bool bcast = v4[0] == 255 && v4[1] == 255 && v4[2] == 255 && v4[3] == 255;
		bool unspec = !v4[0] && !v4[1] && !v4[2] && !v4[3];
		if (loopback || ll_unicast || ll_multicast)
			return "link-local";
		if (!bcast && !unspec && !multicast)
			return "global";
		return "";
	}
	static const unsigned char loop6[16] = { [15] = 1 };
	static const unsigned char zero6[16];
	bool loopback = memcmp(a, loop6, 16) == 0;
	bool ll_unicast = a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
	bool multicast = a[0] == 0xff;
	if (loopback || ll_unicast || (multicast && (a[1] & 0x0f) == 0x02))
		return "link-local";
	if (multicast && (a[1] & 0x0f) == 0x01)
		return "interface-local";
	if (!multicast && memcmp(a, zero6, 16) != 0)
		return "global";
	return "";
}

/* Emits node_network_address_info from an RTM_GETADDR dump, with the names of a link dump. The address
 * is chosen as Go's net package does: IFA_LOCAL when present (point-to-point), else IFA_ADDRESS. */
static int emit_addresses(struct collect_ctx *c, const void *buf, size_t len, const struct nl_link *links,
			  size_t n_links)
{
	struct family *f = metric_family(c->ms, &addr_desc);
	struct nl_iter it;
	struct nl_msg m;
	int bad = 0;

	nl_iter_init(&it, buf, len);
	while (nl_next_msg(&it, &m)) {
		struct ifaddrmsg ifa;
		struct nl_attr tb[IFA_LOCAL + 1];
		size_t hdr = NLMSG_ALIGN(sizeof(ifa));
		size_t alen;
		char addr[64], mask[8];
		unsigned prefix;

		if (m.type != RTM_NEWADDR)
			continue;
		if (m.len < hdr) {
			bad++;
			continue;
		}
		memcpy(&ifa, m.data, sizeof(ifa));
		if (nl_attr_parse(m.data + hdr, m.len - hdr, tb, IFA_LOCAL + 1) < 0)
			bad++;
		if (ifa.ifa_family == AF_INET)
			alen = 4;
		else if (ifa.ifa_family == AF_INET6)
			alen = 16;
		else
			continue;
		const struct nl_attr *at = tb[IFA_LOCAL].data ? &tb[IFA_LOCAL] : &tb[IFA_ADDRESS];
		if (!at->data)
			continue;
		if (at->len < alen) {
			bad++;
			continue;
		}
		const char *dev = nl_link_find(links, n_links, ifa.ifa_index);
		if (!dev)
			continue;
		prefix = ifa.ifa_prefixlen;
		if (prefix > alen * 8) {
			bad++;
			continue;
		}
		/* Go prints an IPv4-mapped IPv6 network as IPv4, with the mask's last 32 bits. */
		if (nl_ip_v4_mapped(at->data, alen))
			prefix = prefix > 96 ? prefix - 96 : 0;
		nl_ip_string(at->data, alen, addr, sizeof(addr));
		snprintf(mask, sizeof(mask), "%u", prefix);
		metric_add(f, 1, dev, addr, mask, go_ip_scope(at->data, alen));
	}
	if (it.bad)
		bad++;
	return bad;
}

static int collect_address_info(struct collect_ctx *c, struct strbuf *scratch)
{
	struct nl_sock s = { .fd = -1 };
	struct nl_link *links = NULL;
	struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
	ssize_t n_links;
	int r;

	r = nl_open(&s, NETLINK_ROUTE);
	if (r < 0)
		return ctx_fail(c, r, "could not get network interfaces: %s", strerror(-r));
	n_links = nl_link_names(&s, scratch, &c->ms->arena, &links);
	if (n_links < 0) {
		nl_close(&s);
		return ctx_fail(c, (int)n_links, "could not get network interfaces: %s", strerror((int)-n_links));
	}
	r = nl_transact(&s, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa), scratch);
	nl_close(&s);
	if (r < 0)
		return ctx_fail(c, r, "could not get network addresses: %s", strerror(-r));
	if (emit_addresses(c, scratch->p, scratch->len, links, (size_t)n_links))
		return ctx_fail(c, -EBADMSG, "malformed RTM_NEWADDR message(s) from the kernel");
	return 0;
}

/* ---- collect ---- */

static struct strbuf nl_buf; /* netlink replies, kept between runs */

static int netdev_collect(struct collect_ctx *c)
{
	struct netdev_list l = { 0 };
	const char *const *keys;
	size_t n_keys;
	int r;

	if (opt_netlink) {
		struct nl_sock s = { .fd = -1 };
		struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
		r = nl_open(&s, NETLINK_ROUTE);
		if (r == 0)
			r = nl_transact(&s, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi), &nl_buf);
		nl_close(&s);
		if (r < 0)
			return ctx_fail(c, r, "couldn't get netstats: %s", strerror(-r));
		r = parse_links(nl_buf.p, nl_buf.len, &c->ms->arena, &l);
		if (opt_detailed) {
			keys = nl_keys;
			n_keys = NL_N;
		} else {
			keys = legacy_keys;
			n_keys = L_N;
		}
	} else {
		ssize_t n = ctx_read(c, ROOT_PROC, "net/dev");
		if (n < 0)
			return ctx_fail(c, (int)n, "couldn't get netstats: failed to parse /proc/net/dev: open %s: %s",
					c->path.p, strerror((int)-n));
		r = parse_proc_net_dev(c->buf.p, &c->ms->arena, &l);
		keys = opt_detailed ? proc_keys : legacy_keys;
		n_keys = PROC_N;
	}
	if (r < 0)
		return ctx_fail(c, r, "couldn't get netstats: %s", strerror(-r));

	/* ifalias labels: node_exporter reads every device's sysfs attributes; a device absent there gets
	 * an empty alias here (node_exporter would build a family with mixed label sets). */
	const char **alias = NULL;
	if (opt_ifalias) {
		if (!path_is_dir(ctx_path(c, ROOT_SYS, "class/net")))
			return ctx_fail(c, -ENOENT, "couldn't get netdev labels: cannot access dir %s", c->path.p);
		alias = arena_zalloc(&c->ms->arena, (l.n + 1) * sizeof(*alias));
		if (!alias)
			return -ENOMEM;
		for (size_t i = 0; i < l.n; i++) {
			const char *p = ctx_path(c, ROOT_SYS, "class/net/%s/ifalias", l.d[i].name);
			alias[i] = "";
			if (p && file_read_attr(p, &c->buf) >= 0)
				alias[i] = metric_strdup(c->ms, c->buf.p);
		}
	}

	struct family *fams[MAX_KEYS];
	char name[96], help[128];
	for (size_t k = 0; k < n_keys; k++) {
		struct metric_desc d = { .name = name, .help = help, .type = METRIC_COUNTER };
		snprintf(name, sizeof(name), "node_network_%s_total", keys[k]);
		snprintf(help, sizeof(help), "Network device statistic %s.", keys[k]);
		if (alias) {
			static const char *const lbl2[] = { "device", "ifalias" };
			d.n_labels = 2;
			d.labels = lbl2;
		} else {
			static const char *const lbl1[] = { "device" };
			d.n_labels = 1;
			d.labels = lbl1;
		}
		fams[k] = NULL;
		/* Families are created lazily: no devices, no families (as node_exporter). */
		if (l.n)
			fams[k] = metric_family(c->ms, &d);
	}
	for (size_t i = 0; i < l.n; i++) {
		uint64_t out[MAX_KEYS];
		const uint64_t *v = l.d[i].v;
		if (!opt_detailed) {
			if (opt_netlink)
				fold_netlink(l.d[i].v, out);
			else
				fold_proc(l.d[i].v, out);
			v = out;
		}
		for (size_t k = 0; k < n_keys; k++) {
			if (alias)
				metric_add(fams[k], (double)v[k], l.d[i].name, alias[i]);
			else
				metric_add(fams[k], (double)v[k], l.d[i].name);
		}
	}

	if (opt_address_info) {
		r = collect_address_info(c, &nl_buf);
		if (r < 0)
			return r;
	}
	if (l.bad) {
		if (opt_netlink)
			return ctx_fail(c, -EBADMSG, "couldn't get netstats: %d malformed link message(s)", l.bad);
		return ctx_fail(c, -EINVAL, "couldn't get netstats: failed to parse /proc/net/dev: %d invalid line(s) in %s",
				l.bad, ctx_path(c, ROOT_PROC, "net/dev"));
	}
	return 0;
}

static void netdev_free(void)
{
	netdev_fini();
	sb_free(&nl_buf);
}

COLLECTOR(netdev, .default_on = true, .flags = netdev_flags, .init = netdev_init, .fini = netdev_free);
