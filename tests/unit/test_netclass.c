#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "harness.h"
#include "nlbuild.h"

extern const struct collector collector_netclass;

#define ATTR(dev, f, v) { "sys/class/net/" dev "/" f, v }
/* A physical NIC with every attribute, as a 6.x kernel shows it. */
#define ETH0                                                                                              \
	ATTR("enp3s0", "addr_assign_type", "0\n"), ATTR("enp3s0", "addr_len", "6\n"),        \
		ATTR("enp3s0", "address", "3c:ec:ef:12:34:56\n"), ATTR("enp3s0", "broadcast", "ff:ff:ff:ff:ff:ff\n"), \
		ATTR("enp3s0", "carrier", "1\n"), ATTR("enp3s0", "carrier_changes", "4\n"),                     \
		ATTR("enp3s0", "carrier_down_count", "2\n"), ATTR("enp3s0", "carrier_up_count", "2\n"),         \
		ATTR("enp3s0", "dev_id", "0x0\n"), ATTR("enp3s0", "dormant", "0\n"), ATTR("enp3s0", "duplex", "full\n"), \
		ATTR("enp3s0", "flags", "0x1003\n"), ATTR("enp3s0", "ifalias", "uplink to core-sw1\n"),       \
		ATTR("enp3s0", "ifindex", "2\n"), ATTR("enp3s0", "iflink", "2\n"), ATTR("enp3s0", "link_mode", "0\n"), \
		ATTR("enp3s0", "mtu", "9000\n"), ATTR("enp3s0", "name_assign_type", "4\n"),                     \
		ATTR("enp3s0", "netdev_group", "0\n"), ATTR("enp3s0", "operstate", "up\n"),                     \
		ATTR("enp3s0", "phys_port_id", "\n"), ATTR("enp3s0", "speed", "10000\n"),                       \
		ATTR("enp3s0", "tx_queue_len", "1000\n"), ATTR("enp3s0", "type", "1\n"),                         \
		ATTR("enp3s0", "statistics/rx_bytes", "123\n")

/* Loopback: no duplex, no speed, no name_assign_type; operstate "unknown". */
#define LO                                                                                                 \
	ATTR("lo", "addr_assign_type", "0\n"), ATTR("lo", "address", "00:00:00:00:00:00\n"),              \
		ATTR("lo", "broadcast", "00:00:00:00:00:00\n"), ATTR("lo", "carrier", "1\n"),                 \
		ATTR("lo", "carrier_changes", "0\n"), ATTR("lo", "dev_id", "0x0\n"), ATTR("lo", "dormant", "0\n"), \
		ATTR("lo", "flags", "0x9\n"), ATTR("lo", "ifindex", "1\n"), ATTR("lo", "iflink", "1\n"),     \
		ATTR("lo", "link_mode", "0\n"), ATTR("lo", "mtu", "65536\n"), ATTR("lo", "netdev_group", "0\n"), \
		ATTR("lo", "operstate", "unknown\n"), ATTR("lo", "tx_queue_len", "1000\n"), ATTR("lo", "type", "772\n")

/* A wireless interface that is down: speed -1, flags without IFF_UP. */
#define WLAN                                                                                               \
	ATTR("wlp2s0", "address", "a4:c3:f0:aa:bb:cc\n"), ATTR("wlp2s0", "flags", "0x1002\n"),                  \
		ATTR("wlp2s0", "operstate", "down\n"), ATTR("wlp2s0", "speed", "-1\n"), ATTR("wlp2s0", "mtu", "1500\n")

static const char expect_all[] =
	"node_network_address_assign_type{device=\"enp3s0\"} 0\n"
	"node_network_address_assign_type{device=\"lo\"} 0\n"
	"node_network_carrier{device=\"enp3s0\"} 1\n"
	"node_network_carrier{device=\"lo\"} 1\n"
	"node_network_carrier_changes_total{device=\"enp3s0\"} 4\n"
	"node_network_carrier_changes_total{device=\"lo\"} 0\n"
	"node_network_carrier_down_changes_total{device=\"enp3s0\"} 2\n"
	"node_network_carrier_up_changes_total{device=\"enp3s0\"} 2\n"
	"node_network_device_id{device=\"enp3s0\"} 0\n"
	"node_network_device_id{device=\"lo\"} 0\n"
	"node_network_dormant{device=\"enp3s0\"} 0\n"
	"node_network_dormant{device=\"lo\"} 0\n"
	"node_network_flags{device=\"enp3s0\"} 4099\n"
	"node_network_flags{device=\"lo\"} 9\n"
	"node_network_flags{device=\"wlp2s0\"} 4098\n"
	"node_network_iface_id{device=\"enp3s0\"} 2\n"
	"node_network_iface_id{device=\"lo\"} 1\n"
	"node_network_iface_link{device=\"enp3s0\"} 2\n"
	"node_network_iface_link{device=\"lo\"} 1\n"
	"node_network_iface_link_mode{device=\"enp3s0\"} 0\n"
	"node_network_iface_link_mode{device=\"lo\"} 0\n"
	"node_network_info{address=\"00:00:00:00:00:00\",adminstate=\"up\",broadcast=\"00:00:00:00:00:00\",device=\"lo\",duplex=\"\",ifalias=\"\",operstate=\"unknown\"} 1\n"
	"node_network_info{address=\"3c:ec:ef:12:34:56\",adminstate=\"up\",broadcast=\"ff:ff:ff:ff:ff:ff\",device=\"enp3s0\",duplex=\"full\",ifalias=\"uplink to core-sw1\",operstate=\"up\"} 1\n"
	"node_network_info{address=\"a4:c3:f0:aa:bb:cc\",adminstate=\"down\",broadcast=\"\",device=\"wlp2s0\",duplex=\"\",ifalias=\"\",operstate=\"down\"} 1\n"
	"node_network_mtu_bytes{device=\"enp3s0\"} 9000\n"
	"node_network_mtu_bytes{device=\"lo\"} 65536\n"
	"node_network_mtu_bytes{device=\"wlp2s0\"} 1500\n"
	"node_network_name_assign_type{device=\"enp3s0\"} 4\n"
	"node_network_net_dev_group{device=\"enp3s0\"} 0\n"
	"node_network_net_dev_group{device=\"lo\"} 0\n"
	"node_network_protocol_type{device=\"enp3s0\"} 1\n"
	"node_network_protocol_type{device=\"lo\"} 772\n"
	"node_network_speed_bytes{device=\"enp3s0\"} 1.25e+09\n"
	"node_network_speed_bytes{device=\"wlp2s0\"} -125000\n"
	"node_network_transmit_queue_length{device=\"enp3s0\"} 1000\n"
	"node_network_transmit_queue_length{device=\"lo\"} 1000\n"
	"node_network_up{device=\"enp3s0\"} 1\n"
	"node_network_up{device=\"lo\"} 0\n"
	"node_network_up{device=\"wlp2s0\"} 0\n";

/* 140 bytes: procfs reads 128 of them. */
static const char ifalias_long[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcccccccccccc\n";

static const struct collector_case cases[] = {
	{ "three interfaces", { ETH0, LO, WLAN, { "sys/class/net/bonding_masters", "bond0\n" } }, .expect = expect_all },
	{ "ignore-invalid-speed and ignored-devices",
	  { WLAN, LO },
	  { "--collector.netclass.ignore-invalid-speed", "--collector.netclass.ignored-devices=^l" },
	  .expect = "node_network_flags{device=\"wlp2s0\"} 4098\n"
		    "node_network_info{address=\"a4:c3:f0:aa:bb:cc\",adminstate=\"down\",broadcast=\"\",device=\"wlp2s0\",duplex=\"\",ifalias=\"\",operstate=\"down\"} 1\n"
		    "node_network_mtu_bytes{device=\"wlp2s0\"} 1500\n"
		    "node_network_up{device=\"wlp2s0\"} 0\n" },
	{ "numbers as Go's ParseInt(s, 0, 64); unparsable ones are left out; ifalias cut at 128 bytes",
	  { ATTR("veth1", "mtu", "010\n"), ATTR("veth1", "ifindex", "0b101\n"), ATTR("veth1", "iflink", "banana\n"),
	    ATTR("veth1", "tx_queue_len", "99999999999999999999\n"), ATTR("veth1", "carrier", "\n"),
	    ATTR("veth1", "ifalias", ifalias_long), ATTR("veth1", "type", "  65534 \n") },
	  .expect = "node_network_iface_id{device=\"veth1\"} 5\n"
		    "node_network_info{address=\"\",adminstate=\"unknown\",broadcast=\"\",device=\"veth1\",duplex=\"\",ifalias=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\",operstate=\"\"} 1\n"
		    "node_network_mtu_bytes{device=\"veth1\"} 8\n"
		    "node_network_protocol_type{device=\"veth1\"} 65534\n"
		    "node_network_up{device=\"veth1\"} 0\n" },
	{ "an empty class directory", { { "sys/class/net", NULL } }, .expect = "" },
	{ "no /sys/class/net: no data", { { "sys", NULL } }, .expect = "", .expect_fail = 1 },
};


/* ---- the netlink variant (--collector.netclass.netlink) ---- */

#define ETHTOOL_FAMILY 0x1d
static int family_error, linkmodes_error, link_error;
static bool bad_link; /* a link message whose attributes run past its end */

static void put_link(struct nlb *x, int index, unsigned type, unsigned flags, const char *name, int full)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_type = (unsigned short)type, .ifi_index = index,
				 .ifi_flags = flags };
	static const unsigned char mac[6] = { 0x3c, 0xec, 0xef, 0x12, 0x34, 0x56 }, bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint64_t st[25];

	for (int i = 0; i < 25; i++)
		st[i] = 1000 + (uint64_t)i;
	nlb_begin(x, RTM_NEWLINK, NLM_F_MULTI);
	nlb_raw(x, &ifi, sizeof(ifi));
	nlb_str(x, IFLA_IFNAME, name);
	nlb_u32(x, IFLA_MTU, full ? 9000 : 65536);
	if (!full) {
		nlb_u8(x, IFLA_OPERSTATE, 0);
		nlb_end(x);
		return;
	}
	nlb_attr(x, IFLA_ADDRESS, mac, 6);
	nlb_attr(x, IFLA_BROADCAST, bcast, 6);
	nlb_u32(x, IFLA_LINK, 7); /* a VLAN-like link on index 7 */
	nlb_u8(x, IFLA_OPERSTATE, 6);
	nlb_u8(x, IFLA_LINKMODE, 1);
	nlb_u32(x, IFLA_TXQLEN, 1000);
	nlb_u32(x, IFLA_GROUP, 0);
	nlb_str(x, IFLA_IFALIAS, "uplink \"A\"");
	nlb_u8(x, IFLA_CARRIER, 1);
	nlb_u32(x, IFLA_CARRIER_CHANGES, 4);
	nlb_u32(x, IFLA_CARRIER_UP_COUNT, 2);
	nlb_u32(x, IFLA_CARRIER_DOWN_COUNT, 2);
	nlb_attr(x, IFLA_STATS64, st, sizeof(st));
	if (bad_link) {
		/* An attribute whose length runs past the message. */
		uint16_t hdr[2] = { 200, IFLA_QDISC };
		nlb_raw(x, hdr, sizeof(hdr));
	}
	nlb_end(x);
}

static void put_linkmodes(struct nlb *x, const char *name, int index, uint32_t speed, int duplex)
{
	struct genlmsghdr g = { .cmd = ETHTOOL_MSG_LINKMODES_GET_REPLY, .version = ETHTOOL_GENL_VERSION };

	nlb_begin(x, ETHTOOL_FAMILY, NLM_F_MULTI);
	nlb_raw(x, &g, sizeof(g));
	nlb_nest(x, ETHTOOL_A_LINKMODES_HEADER);
	nlb_u32(x, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)index);
	nlb_str(x, ETHTOOL_A_HEADER_DEV_NAME, name);
	nlb_nest_end(x);
	nlb_u8(x, ETHTOOL_A_LINKMODES_AUTONEG, 1);
	nlb_u32(x, ETHTOOL_A_LINKMODES_SPEED, speed);
	if (duplex >= 0)
		nlb_u8(x, ETHTOOL_A_LINKMODES_DUPLEX, (uint8_t)duplex);
	nlb_end(x);
}

static int respond_rtnl(struct nlb *x, int protocol, uint16_t type, const void *payload, size_t len)
{
	if (protocol == NETLINK_GENERIC && type == GENL_ID_CTRL) {
		struct genlmsghdr r = { .cmd = CTRL_CMD_NEWFAMILY };
		if (family_error) {
			nlb_error(x, family_error);
			return 0;
		}
		nlb_begin(x, GENL_ID_CTRL, 0);
		nlb_raw(x, &r, sizeof(r));
		nlb_u16(x, CTRL_ATTR_FAMILY_ID, ETHTOOL_FAMILY);
		nlb_end(x);
		return 0;
	}
	if (protocol == NETLINK_GENERIC && type == ETHTOOL_FAMILY) {
		struct genlmsghdr g;
		if (len < sizeof(g))
			return -EINVAL;
		memcpy(&g, payload, sizeof(g));
		if (g.cmd != ETHTOOL_MSG_LINKMODES_GET)
			return -EINVAL;
		if (linkmodes_error) {
			nlb_error(x, linkmodes_error);
			return 0;
		}
		put_linkmodes(x, "enp3s0", 2, 10000, DUPLEX_FULL);
		put_linkmodes(x, "wlan0", 3, 0xffffffffu, DUPLEX_UNKNOWN); /* not in the link dump */
		put_linkmodes(x, "ign0", 4, 100, DUPLEX_HALF);
		nlb_done(x, 0);
		return 0;
	}
	if (protocol == NETLINK_ROUTE && type == RTM_GETLINK) {
		if (link_error) {
			nlb_error(x, link_error);
			return 0;
		}
		put_link(x, 1, 772, 0x10049, "lo", 0);
		put_link(x, 2, 1, 0x11043, "enp3s0", 1);
		put_link(x, 4, 1, 0x1003, "ign0", 0);
		nlb_done(x, 0);
		return 0;
	}
	return -EINVAL;
}

#define NL_ARGS "--collector.netclass.netlink", "--collector.netclass.ignored-devices=^ign"
/* lo: only a name, MTU and operstate; enp3s0: everything. speed_bytes comes from ethtool for every link
 * it lists (wlan0 too, with node_exporter's value for an unknown speed); dormant repeats IFLA_LINKMODE;
 * the sysfs files come from the fixture. */
static const char nl_expect[] =
	"node_network_address_assign_type{device=\"enp3s0\"} 0\n"
	"node_network_address_assign_type{device=\"lo\"} 0\n"
	"node_network_carrier{device=\"enp3s0\"} 1\n"
	"node_network_carrier_changes_total{device=\"enp3s0\"} 4\n"
	"node_network_carrier_down_changes_total{device=\"enp3s0\"} 2\n"
	"node_network_carrier_up_changes_total{device=\"enp3s0\"} 2\n"
	"node_network_device_id{device=\"enp3s0\"} 0\n"
	"node_network_device_id{device=\"lo\"} 0\n"
	"node_network_dormant{device=\"enp3s0\"} 1\n"
	"node_network_flags{device=\"enp3s0\"} 69699\n"
	"node_network_flags{device=\"lo\"} 65609\n"
	"node_network_iface_id{device=\"enp3s0\"} 2\n"
	"node_network_iface_id{device=\"lo\"} 1\n"
	"node_network_iface_link{device=\"enp3s0\"} 7\n"
	"node_network_iface_link{device=\"lo\"} 1\n"
	"node_network_iface_link_mode{device=\"enp3s0\"} 1\n"
	"node_network_info{address=\"\",broadcast=\"\",device=\"lo\",duplex=\"\",ifalias=\"\",operstate=\"unknown\"} 1\n"
	"node_network_info{address=\"3c:ec:ef:12:34:56\",broadcast=\"ff:ff:ff:ff:ff:ff\",device=\"enp3s0\",duplex=\"Full\",ifalias=\"uplink \\\"A\\\"\",operstate=\"up\"} 1\n"
	"node_network_mtu_bytes{device=\"enp3s0\"} 9000\n"
	"node_network_mtu_bytes{device=\"lo\"} 65536\n"
	"node_network_name_assign_type{device=\"enp3s0\"} 4\n"
	"node_network_net_dev_group{device=\"enp3s0\"} 0\n"
	"node_network_protocol_type{device=\"enp3s0\"} 1\n"
	"node_network_protocol_type{device=\"lo\"} 772\n"
	"node_network_speed_bytes{device=\"enp3s0\"} 1.25e+09\n"
	"node_network_speed_bytes{device=\"wlan0\"} 5.36870911875e+14\n"
	"node_network_transmit_queue_length{device=\"enp3s0\"} 1000\n"
	"node_network_up{device=\"enp3s0\"} 1\n"
	"node_network_up{device=\"lo\"} 0\n";

/* Without the ethtool family: no speed, no duplex. */
static const char nl_expect_no_ethtool_info[] =
	"node_network_info{address=\"\",broadcast=\"\",device=\"lo\",duplex=\"\",ifalias=\"\",operstate=\"unknown\"} 1\n"
	"node_network_info{address=\"3c:ec:ef:12:34:56\",broadcast=\"ff:ff:ff:ff:ff:ff\",device=\"enp3s0\",duplex=\"\",ifalias=\"uplink \\\"A\\\"\",operstate=\"up\"} 1\n";

static const struct collector_case nl_cases[] = {
	{ "netlink: links, ethtool link modes and three sysfs files", { ETH0, LO }, { NL_ARGS }, .expect = nl_expect },
	{ "netlink: with-stats adds the IFLA_STATS64 counters as gauges", { ETH0, LO },
	  { NL_ARGS, "--collector.netclass_rtnl.with-stats" }, .needle = "receive_bytes_total",
	  .expect = "node_network_receive_bytes_total{device=\"enp3s0\"} 1002\n" },
	{ "netlink: with-stats, the last counter (rx_nohandler, the 24th)", { ETH0, LO },
	  { NL_ARGS, "--collector.netclass_rtnl.with-stats" }, .needle = "nohandler",
	  .expect = "node_network_receive_nohandler_total{device=\"enp3s0\"} 1023\n" },
};

static void run_netlink(void)
{
	struct strbuf out = { 0 };

	nlb_serve(respond_rtnl);
	test_collector_cases(&collector_netclass, nl_cases, ARRAY_SIZE(nl_cases));

	/* No ethtool family (ENOENT): the scrape goes on without speed and duplex. */
	family_error = -ENOENT;
	struct collector_case no_ethtool[] = {
		{ "netlink: no ethtool family", { ETH0, LO }, { NL_ARGS }, .needle = "node_network_info",
		  .expect = nl_expect_no_ethtool_info },
		{ "netlink: no ethtool family, no speed", { ETH0, LO }, { NL_ARGS }, .needle = "speed", .expect = "" },
	};
	test_collector_cases(&collector_netclass, no_ethtool, ARRAY_SIZE(no_ethtool));
	family_error = 0;

	/* Any other ethtool error, a link dump error or a malformed message fails the collector. What was
	 * reported before the failure stays, as with node_exporter (speed_bytes comes first). */
	struct collector_case failing[] = {
		{ "netlink: link modes refused", { ETH0, LO }, { NL_ARGS }, .expect = "", .expect_fail = 1 },
	};
	static const char speeds[] = "node_network_speed_bytes{device=\"enp3s0\"} 1.25e+09\n"
				     "node_network_speed_bytes{device=\"wlan0\"} 5.36870911875e+14\n";
	linkmodes_error = -EPERM;
	test_collector_cases(&collector_netclass, failing, 1);
	linkmodes_error = 0;
	link_error = -EACCES;
	failing[0].name = "netlink: link dump refused";
	failing[0].expect = speeds;
	test_collector_cases(&collector_netclass, failing, 1);
	link_error = 0;
	bad_link = true;
	failing[0].name = "netlink: malformed link attributes";
	test_collector_cases(&collector_netclass, failing, 1);
	bad_link = false;
	nlb_serve(NULL);
	sb_free(&out);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_netclass, cases, ARRAY_SIZE(cases));
	run_netlink();

	/* The missing directory is "no data", not a failure. */
	struct tfile files[] = { { "sys", NULL }, { NULL } };
	struct strbuf out = { 0 };
	CHECK(test_make_root(files, 1) != NULL);
	flags_set_defaults(collector_netclass.flags);
	CHECK_INT(test_run_collector(&collector_netclass, &out), COLLECTOR_NO_DATA);
	sb_free(&out);
	test_remove_root();
	return test_summary(argv[0]);
}
