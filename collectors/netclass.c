/* netclass: node_network_* from /sys/class/net/<iface>/ (sysfs variant): node_network_up, node_network_info
 * and one gauge or counter per numeric attribute, named and described as node_exporter does ("Network
 * device property: <name>"). Attribute files that are missing, unreadable or refuse the read (EINVAL,
 * EOPNOTSUPP, as "speed" on a link that is down) are left out; other read errors fail the collector.
 * Values are parsed as Go's strconv.ParseInt(s, 0, 64) (so "0x1003" is hex); a value that does not parse
 * is left out (node_exporter would report 0).
 *
 * --collector.netclass.netlink selects node_exporter's rtnetlink variant; nodex does not implement it and
 * reads sysfs in both cases. */
#include <stdio.h>
#include <sys/stat.h>

#include "collector.h"
#include "sysattr.h"

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

static const struct metric_desc up_desc = METRIC_DESC(
	"node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", METRIC_GAUGE, "device");
static const struct metric_desc info_desc =
	METRIC_DESC("node_network_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
		    METRIC_GAUGE, "device", "address", "broadcast", "duplex", "operstate", "adminstate", "ifalias");

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

/* The numeric metrics in node_exporter's order (the order does not matter for the output). */
static const struct metric_desc int_descs[N_INTS] = {
	[I_ADDR_ASSIGN_TYPE] = METRIC_DESC("node_network_address_assign_type",
					   "Network device property: address_assign_type", METRIC_GAUGE, "device"),
	[I_CARRIER] = METRIC_DESC("node_network_carrier", "Network device property: carrier", METRIC_GAUGE, "device"),
	[I_CARRIER_CHANGES] = METRIC_DESC("node_network_carrier_changes_total",
					  "Network device property: carrier_changes_total", METRIC_COUNTER, "device"),
	[I_CARRIER_UP] = METRIC_DESC("node_network_carrier_up_changes_total",
				     "Network device property: carrier_up_changes_total", METRIC_COUNTER, "device"),
	[I_CARRIER_DOWN] = METRIC_DESC("node_network_carrier_down_changes_total",
				       "Network device property: carrier_down_changes_total", METRIC_COUNTER, "device"),
	[I_DEV_ID] = METRIC_DESC("node_network_device_id", "Network device property: device_id", METRIC_GAUGE,
				 "device"),
	[I_DORMANT] = METRIC_DESC("node_network_dormant", "Network device property: dormant", METRIC_GAUGE, "device"),
	[I_FLAGS] = METRIC_DESC("node_network_flags", "Network device property: flags", METRIC_GAUGE, "device"),
	[I_IFINDEX] = METRIC_DESC("node_network_iface_id", "Network device property: iface_id", METRIC_GAUGE,
				  "device"),
	[I_IFLINK] = METRIC_DESC("node_network_iface_link", "Network device property: iface_link", METRIC_GAUGE,
				 "device"),
	[I_LINK_MODE] = METRIC_DESC("node_network_iface_link_mode", "Network device property: iface_link_mode",
				    METRIC_GAUGE, "device"),
	[I_MTU] = METRIC_DESC("node_network_mtu_bytes", "Network device property: mtu_bytes", METRIC_GAUGE,
			      "device"),
	[I_NETDEV_GROUP] = METRIC_DESC("node_network_net_dev_group", "Network device property: net_dev_group",
				       METRIC_GAUGE, "device"),
	[I_NAME_ASSIGN_TYPE] = METRIC_DESC("node_network_name_assign_type",
					   "Network device property: name_assign_type", METRIC_GAUGE, "device"),
	[I_SPEED] = METRIC_DESC("node_network_speed_bytes", "Network device property: speed_bytes", METRIC_GAUGE,
				"device"),
	[I_TX_QUEUE_LEN] = METRIC_DESC("node_network_transmit_queue_length",
				       "Network device property: transmit_queue_length", METRIC_GAUGE, "device"),
	[I_TYPE] = METRIC_DESC("node_network_protocol_type", "Network device property: protocol_type", METRIC_GAUGE,
			       "device"),
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
		if (!a)
			continue;
		ssize_t r = file_read(ctx_path(c, ROOT_SYS, "class/net/%s/%s", dir, a->file), &c->buf);
		if (r == -ENOENT || r == -EACCES || r == -EPERM || r == -EOPNOTSUPP || r == -EINVAL)
			continue;
		if (r < 0)
			return ctx_fail(c, (int)r, "could not get net class info: failed to read file %s: %s", c->path.p,
					strerror((int)-r));
		/* procfs reads sysfs attributes with one read of at most 128 bytes. */
		if (c->buf.len > 128)
			c->buf.p[128] = '\0';
		char *v = trim(c->buf.p);
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

static int netclass_collect(struct collect_ctx *c)
{
	char **names;
	ssize_t n = dir_list(ctx_path(c, ROOT_SYS, "class/net"), &c->ms->arena, &names);
	struct iface *ifs;
	size_t n_ifs = 0;

	if (n == -ENOENT || n == -EACCES || n == -EPERM)
		return ctx_fail(c, COLLECTOR_NO_DATA, "Could not read netclass file: %s: %s", c->path.p,
				strerror((int)-n));
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

static int netclass_init(char *err, size_t err_size)
{
	if (use_netlink)
		log_debug("netclass: the netlink variant is not implemented, reading sysfs");
	if (ignored_devices && *ignored_devices && !(ignored_re = regex_new(ignored_devices, err, err_size)))
		return -EINVAL;
	return 0;
}

static void netclass_fini(void)
{
	regex_free(ignored_re);
	ignored_re = NULL;
}

const struct collector collector_netclass = {
	.name = "netclass",
	.default_on = true,
	.flags = netclass_flags,
	.init = netclass_init,
	.collect = netclass_collect,
	.fini = netclass_fini,
};
