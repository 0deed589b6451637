#include "harness.h"

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

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_netclass, cases, ARRAY_SIZE(cases));

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
