/* netdev: /proc/net/dev parsing (--no-collector.netdev.netlink), and the rtnetlink path on canned
 * RTM_GETLINK / RTM_GETADDR replies: folding into the legacy names, detailed names, filters, ifalias,
 * address-info, malformed messages. */
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "harness.h"
#include "json.h"
#include "netns.h"
#include "nlbuild.h"

extern const struct collector collector_netdev;

#define HDR "Inter-|   Receive                                                |  Transmit\n" \
	    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"

/* All 16 legacy families for one device, values given in file order. */
#define PROC_SERIES(dev, rb, rp, re, rd, rfi, rfr, rc, rm, tb, tp, te, td, tfi, tco, tca, tc)          \
	"node_network_receive_bytes_total{device=\"" dev "\"} " rb "\n"                                 \
	"node_network_receive_compressed_total{device=\"" dev "\"} " rc "\n"                            \
	"node_network_receive_drop_total{device=\"" dev "\"} " rd "\n"                                  \
	"node_network_receive_errs_total{device=\"" dev "\"} " re "\n"                                  \
	"node_network_receive_fifo_total{device=\"" dev "\"} " rfi "\n"                                 \
	"node_network_receive_frame_total{device=\"" dev "\"} " rfr "\n"                                \
	"node_network_receive_multicast_total{device=\"" dev "\"} " rm "\n"                             \
	"node_network_receive_packets_total{device=\"" dev "\"} " rp "\n"                               \
	"node_network_transmit_bytes_total{device=\"" dev "\"} " tb "\n"                                \
	"node_network_transmit_carrier_total{device=\"" dev "\"} " tca "\n"                             \
	"node_network_transmit_colls_total{device=\"" dev "\"} " tco "\n"                               \
	"node_network_transmit_compressed_total{device=\"" dev "\"} " tc "\n"                           \
	"node_network_transmit_drop_total{device=\"" dev "\"} " td "\n"                                 \
	"node_network_transmit_errs_total{device=\"" dev "\"} " te "\n"                                 \
	"node_network_transmit_fifo_total{device=\"" dev "\"} " tfi "\n"                                \
	"node_network_transmit_packets_total{device=\"" dev "\"} " tp "\n"

#define LO_LINE "    lo: 2776770   11307    0    0    0     0          0         0  2776770   11307    0    0    0     0       0          0\n"
#define ETH_LINE "  eth0: 1000 20 1 2 3 4 5 6 7000 80 9 10 11 12 13 14\n"

/* Interleaved as the registry sorts: by family, then device. */
static const char proc_two[] =
	"node_network_receive_bytes_total{device=\"eth0\"} 1000\n"
	"node_network_receive_bytes_total{device=\"lo\"} 2.77677e+06\n"
	"node_network_receive_compressed_total{device=\"eth0\"} 5\n"
	"node_network_receive_compressed_total{device=\"lo\"} 0\n"
	"node_network_receive_drop_total{device=\"eth0\"} 2\n"
	"node_network_receive_drop_total{device=\"lo\"} 0\n"
	"node_network_receive_errs_total{device=\"eth0\"} 1\n"
	"node_network_receive_errs_total{device=\"lo\"} 0\n"
	"node_network_receive_fifo_total{device=\"eth0\"} 3\n"
	"node_network_receive_fifo_total{device=\"lo\"} 0\n"
	"node_network_receive_frame_total{device=\"eth0\"} 4\n"
	"node_network_receive_frame_total{device=\"lo\"} 0\n"
	"node_network_receive_multicast_total{device=\"eth0\"} 6\n"
	"node_network_receive_multicast_total{device=\"lo\"} 0\n"
	"node_network_receive_packets_total{device=\"eth0\"} 20\n"
	"node_network_receive_packets_total{device=\"lo\"} 11307\n"
	"node_network_transmit_bytes_total{device=\"eth0\"} 7000\n"
	"node_network_transmit_bytes_total{device=\"lo\"} 2.77677e+06\n"
	"node_network_transmit_carrier_total{device=\"eth0\"} 13\n"
	"node_network_transmit_carrier_total{device=\"lo\"} 0\n"
	"node_network_transmit_colls_total{device=\"eth0\"} 12\n"
	"node_network_transmit_colls_total{device=\"lo\"} 0\n"
	"node_network_transmit_compressed_total{device=\"eth0\"} 14\n"
	"node_network_transmit_compressed_total{device=\"lo\"} 0\n"
	"node_network_transmit_drop_total{device=\"eth0\"} 10\n"
	"node_network_transmit_drop_total{device=\"lo\"} 0\n"
	"node_network_transmit_errs_total{device=\"eth0\"} 9\n"
	"node_network_transmit_errs_total{device=\"lo\"} 0\n"
	"node_network_transmit_fifo_total{device=\"eth0\"} 11\n"
	"node_network_transmit_fifo_total{device=\"lo\"} 0\n"
	"node_network_transmit_packets_total{device=\"eth0\"} 80\n"
	"node_network_transmit_packets_total{device=\"lo\"} 11307\n";

static const char eth0_only[] = PROC_SERIES("eth0", "1000", "20", "1", "2", "3", "4", "5", "6", "7000",
					    "80", "9", "10", "11", "12", "13", "14");

static const char eth0_detailed[] =
	"node_network_receive_bytes_total{device=\"eth0\"} 1000\n"
	"node_network_receive_compressed_total{device=\"eth0\"} 5\n"
	"node_network_receive_dropped_total{device=\"eth0\"} 2\n"
	"node_network_receive_errors_total{device=\"eth0\"} 1\n"
	"node_network_receive_fifo_total{device=\"eth0\"} 3\n"
	"node_network_receive_frame_total{device=\"eth0\"} 4\n"
	"node_network_receive_multicast_total{device=\"eth0\"} 6\n"
	"node_network_receive_packets_total{device=\"eth0\"} 20\n"
	"node_network_transmit_bytes_total{device=\"eth0\"} 7000\n"
	"node_network_transmit_carrier_total{device=\"eth0\"} 13\n"
	"node_network_transmit_colls_total{device=\"eth0\"} 12\n"
	"node_network_transmit_compressed_total{device=\"eth0\"} 14\n"
	"node_network_transmit_dropped_total{device=\"eth0\"} 10\n"
	"node_network_transmit_errors_total{device=\"eth0\"} 9\n"
	"node_network_transmit_fifo_total{device=\"eth0\"} 11\n"
	"node_network_transmit_packets_total{device=\"eth0\"} 80\n";

static const char eth0_alias[] =
	"node_network_receive_bytes_total{device=\"eth0\",ifalias=\"uplink \\\"A\\\"\"} 1000\n"
	"node_network_receive_bytes_total{device=\"lo\",ifalias=\"\"} 2.77677e+06\n";

#define NOLINK "--no-collector.netdev.netlink"

static const struct collector_case proc_cases[] = {
	{ "two devices", { { "proc/net/dev", HDR LO_LINE ETH_LINE } }, .args = { NOLINK }, .expect = proc_two },
	{ "include", { { "proc/net/dev", HDR LO_LINE ETH_LINE } },
	  .args = { NOLINK, "--collector.netdev.device-include=^eth" }, .expect = eth0_only },
	{ "exclude (unanchored)", { { "proc/net/dev", HDR LO_LINE ETH_LINE } },
	  .args = { NOLINK, "--collector.netdev.device-exclude=o" }, .expect = eth0_only },
	{ "deprecated whitelist", { { "proc/net/dev", HDR LO_LINE ETH_LINE } },
	  .args = { NOLINK, "--collector.netdev.device-whitelist=eth" }, .expect = eth0_only },
	{ "deprecated blacklist", { { "proc/net/dev", HDR LO_LINE ETH_LINE } },
	  .args = { NOLINK, "--collector.netdev.device-blacklist=lo" }, .expect = eth0_only },
	{ "detailed names", { { "proc/net/dev", HDR ETH_LINE } },
	  .args = { NOLINK, "--collector.netdev.enable-detailed-metrics" }, .expect = eth0_detailed },
	{ "missing file", { { "proc", NULL } }, .args = { NOLINK }, .expect = "", .expect_fail = 1 },
	{ "empty file", { { "proc/net/dev", "" } }, .args = { NOLINK }, .expect = "" },
	{ "header only", { { "proc/net/dev", HDR } }, .args = { NOLINK }, .expect = "" },
	{ "no colon: valid lines kept, run fails", { { "proc/net/dev", HDR "  eth1 1 2 3\n" ETH_LINE } },
	  .args = { NOLINK }, .expect = eth0_only, .expect_fail = 1 },
	{ "too few fields", { { "proc/net/dev", HDR ETH_LINE "  eth1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n" } },
	  .args = { NOLINK }, .expect = eth0_only, .expect_fail = 1 },
	{ "not a number", { { "proc/net/dev", HDR ETH_LINE "  eth1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x\n" } },
	  .args = { NOLINK }, .expect = eth0_only, .expect_fail = 1 },
	{ "negative", { { "proc/net/dev", HDR ETH_LINE "  eth1: -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n" } },
	  .args = { NOLINK }, .expect = eth0_only, .expect_fail = 1 },
	{ "empty name", { { "proc/net/dev", HDR ETH_LINE "    : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n" } },
	  .args = { NOLINK }, .expect = eth0_only, .expect_fail = 1 },
	{ "truncated last line", { { "proc/net/dev", HDR ETH_LINE "  eth1: 1 2 3" } },
	  .args = { NOLINK }, .expect = eth0_only, .expect_fail = 1 },
	{ "huge and overflowing numbers",
	  { { "proc/net/dev", HDR "  big: 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
			      "  over: 18446744073709551616 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n" } },
	  .args = { NOLINK, "--collector.netdev.device-include=big|over" },
	  .expect = PROC_SERIES("big", "1.8446744073709552e+19", "0", "0", "0", "0", "0", "0", "0", "0", "0",
				"0", "0", "0", "0", "0", "0"),
	  .expect_fail = 1 },
	{ "extra columns ignored", { { "proc/net/dev", HDR "  eth0: 1000 20 1 2 3 4 5 6 7000 80 9 10 11 12 13 14 99 98\n" } },
	  .args = { NOLINK }, .expect = eth0_only },
	{ "ifalias label",
	  { { "proc/net/dev", HDR LO_LINE ETH_LINE },
	    { "sys/class/net/eth0/ifalias", "uplink \"A\"\n" },
	    { "sys/class/net/lo/ifalias", "" } },
	  .args = { NOLINK, "--collector.netdev.label-ifalias", "--collector.netdev.device-include=." },
	  .expect = NULL /* checked below with a filter on one family */ },
	{ "ifalias without sysfs", { { "proc/net/dev", HDR ETH_LINE } },
	  .args = { NOLINK, "--collector.netdev.label-ifalias" }, .expect = "", .expect_fail = 1 },
};

/* ---- rtnetlink ---- */

struct fake_link {
	int index;
	const char *name;
	int kind; /* 0: stats64, 1: stats32 only, 2: no stats, 3: stats64 too short, 4: stats64 of 23 counters */
	uint64_t base;
};

static const struct fake_link *links;
static size_t n_links;
static int link_error;
static bool addr_fail;

static void put_link(struct nlb *x, const struct fake_link *l)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = l->index };
	uint64_t v64[25];
	uint32_t v32[24];

	for (int i = 0; i < 25; i++)
		v64[i] = l->base + (uint64_t)i;
	for (int i = 0; i < 24; i++)
		v32[i] = (uint32_t)(l->base + (uint64_t)i);
	nlb_begin(x, RTM_NEWLINK, NLM_F_MULTI);
	nlb_raw(x, &ifi, sizeof(ifi));
	nlb_str(x, IFLA_IFNAME, l->name);
	nlb_u32(x, IFLA_MTU, 1500);
	if (l->kind == 0 || l->kind == 1)
		nlb_attr(x, IFLA_STATS, v32, sizeof(v32));
	if (l->kind == 0)
		nlb_attr(x, IFLA_STATS64, v64, sizeof(v64));
	if (l->kind == 3)
		nlb_attr(x, IFLA_STATS64, v64, 64);
	if (l->kind == 4)
		nlb_attr(x, IFLA_STATS64, v64, 23 * 8);
	nlb_end(x);
}

static void put_addr(struct nlb *x, int family, int index, int prefix, const void *addr, const void *local)
{
	struct ifaddrmsg ifa = { .ifa_family = (uint8_t)family, .ifa_prefixlen = (uint8_t)prefix,
				 .ifa_index = (uint32_t)index };
	size_t alen = family == AF_INET ? 4 : 16;

	nlb_begin(x, RTM_NEWADDR, NLM_F_MULTI);
	nlb_raw(x, &ifa, sizeof(ifa));
	nlb_attr(x, IFA_ADDRESS, addr, alen);
	if (local)
		nlb_attr(x, IFA_LOCAL, local, alen);
	nlb_str(x, IFA_LABEL, "x");
	nlb_end(x);
}

static int respond(struct nlb *x, int protocol, uint16_t type, const void *payload, size_t len)
{
	(void)payload;
	(void)len;
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	if (type == RTM_GETLINK) {
		if (link_error) {
			nlb_error(x, link_error);
			return 0;
		}
		for (size_t i = 0; i < n_links; i++)
			put_link(x, &links[i]);
		nlb_done(x, 0);
		return 0;
	}
	if (type == RTM_GETADDR) {
		static const unsigned char v4a[4] = { 10, 0, 0, 1 }, v4peer[4] = { 10, 0, 0, 2 },
					   lo4[4] = { 127, 0, 0, 1 }, ll4[4] = { 169, 254, 1, 1 };
		static const unsigned char g6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
					   ll6[16] = { 0xfe, 0x80, [8] = 0x02, [9] = 0xfc, [15] = 0x01 },
					   lo6[16] = { [15] = 1 },
					   mapped[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 7 },
					   one0[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 },
					   mc6[16] = { 0xff, 0x01, [15] = 1 };
		if (addr_fail) {
			nlb_error(x, -EACCES);
			return 0;
		}
		put_addr(x, AF_INET, 1, 8, lo4, lo4);
		put_addr(x, AF_INET, 2, 32, v4peer, v4a); /* point-to-point: the local address counts */
		put_addr(x, AF_INET, 2, 16, ll4, NULL);
		put_addr(x, AF_INET6, 1, 128, lo6, NULL);
		put_addr(x, AF_INET6, 2, 64, g6, NULL);
		put_addr(x, AF_INET6, 2, 64, ll6, NULL);
		put_addr(x, AF_INET6, 2, 120, mapped, NULL);
		put_addr(x, AF_INET6, 2, 64, one0, NULL);
		put_addr(x, AF_INET6, 2, 16, mc6, NULL);
		put_addr(x, AF_INET6, 99, 64, g6, NULL); /* unknown interface: skipped */
		nlb_done(x, 0);
		return 0;
	}
	return -EINVAL;
}

static const struct fake_link two_links[] = {
	{ 1, "lo", 0, 100 },
	{ 2, "eth0", 1, 1000 },
	{ 3, "nostats", 2, 0 },
};

/* Counter i of a link with base b is b+i; the folds add several of them. For lo (base 100):
 * rx_packets 100, tx_packets 101, rx_bytes 102, tx_bytes 103, rx_errors 104, tx_errors 105,
 * rx_dropped 106 (+ missed 115 = 221), tx_dropped 107, multicast 108, collisions 109,
 * frame 113 + length 110 + over 111 + crc 112 = 446, rx_fifo 114, carrier 117 + aborted 116 +
 * heartbeat 119 + window 120 = 472, tx_fifo 118, rx_compressed 121, tx_compressed 122, nohandler 123. */
static const char nl_lo[] =
	"node_network_receive_bytes_total{device=\"lo\"} 102\n"
	"node_network_receive_compressed_total{device=\"lo\"} 121\n"
	"node_network_receive_drop_total{device=\"lo\"} 221\n"
	"node_network_receive_errs_total{device=\"lo\"} 104\n"
	"node_network_receive_fifo_total{device=\"lo\"} 114\n"
	"node_network_receive_frame_total{device=\"lo\"} 446\n"
	"node_network_receive_multicast_total{device=\"lo\"} 108\n"
	"node_network_receive_nohandler_total{device=\"lo\"} 123\n"
	"node_network_receive_packets_total{device=\"lo\"} 100\n"
	"node_network_transmit_bytes_total{device=\"lo\"} 103\n"
	"node_network_transmit_carrier_total{device=\"lo\"} 472\n"
	"node_network_transmit_colls_total{device=\"lo\"} 109\n"
	"node_network_transmit_compressed_total{device=\"lo\"} 122\n"
	"node_network_transmit_drop_total{device=\"lo\"} 107\n"
	"node_network_transmit_errs_total{device=\"lo\"} 105\n"
	"node_network_transmit_fifo_total{device=\"lo\"} 118\n"
	"node_network_transmit_packets_total{device=\"lo\"} 101\n";

/* eth0 sends only the 32-bit structure (base 1000). */
static const char nl_eth0[] =
	"node_network_receive_bytes_total{device=\"eth0\"} 1002\n"
	"node_network_receive_compressed_total{device=\"eth0\"} 1021\n"
	"node_network_receive_drop_total{device=\"eth0\"} 2021\n"
	"node_network_receive_errs_total{device=\"eth0\"} 1004\n"
	"node_network_receive_fifo_total{device=\"eth0\"} 1014\n"
	"node_network_receive_frame_total{device=\"eth0\"} 4046\n"
	"node_network_receive_multicast_total{device=\"eth0\"} 1008\n"
	"node_network_receive_nohandler_total{device=\"eth0\"} 1023\n"
	"node_network_receive_packets_total{device=\"eth0\"} 1000\n"
	"node_network_transmit_bytes_total{device=\"eth0\"} 1003\n"
	"node_network_transmit_carrier_total{device=\"eth0\"} 4072\n"
	"node_network_transmit_colls_total{device=\"eth0\"} 1009\n"
	"node_network_transmit_compressed_total{device=\"eth0\"} 1022\n"
	"node_network_transmit_drop_total{device=\"eth0\"} 1007\n"
	"node_network_transmit_errs_total{device=\"eth0\"} 1005\n"
	"node_network_transmit_fifo_total{device=\"eth0\"} 1018\n"
	"node_network_transmit_packets_total{device=\"eth0\"} 1001\n";

static const char nl_lo_detailed[] =
	"node_network_collisions_total{device=\"lo\"} 109\n"
	"node_network_multicast_total{device=\"lo\"} 108\n"
	"node_network_receive_bytes_total{device=\"lo\"} 102\n"
	"node_network_receive_compressed_total{device=\"lo\"} 121\n"
	"node_network_receive_crc_errors_total{device=\"lo\"} 112\n"
	"node_network_receive_dropped_total{device=\"lo\"} 106\n"
	"node_network_receive_errors_total{device=\"lo\"} 104\n"
	"node_network_receive_fifo_errors_total{device=\"lo\"} 114\n"
	"node_network_receive_frame_errors_total{device=\"lo\"} 113\n"
	"node_network_receive_length_errors_total{device=\"lo\"} 110\n"
	"node_network_receive_missed_errors_total{device=\"lo\"} 115\n"
	"node_network_receive_nohandler_total{device=\"lo\"} 123\n"
	"node_network_receive_over_errors_total{device=\"lo\"} 111\n"
	"node_network_receive_packets_total{device=\"lo\"} 100\n"
	"node_network_transmit_aborted_errors_total{device=\"lo\"} 116\n"
	"node_network_transmit_bytes_total{device=\"lo\"} 103\n"
	"node_network_transmit_carrier_errors_total{device=\"lo\"} 117\n"
	"node_network_transmit_compressed_total{device=\"lo\"} 122\n"
	"node_network_transmit_dropped_total{device=\"lo\"} 107\n"
	"node_network_transmit_errors_total{device=\"lo\"} 105\n"
	"node_network_transmit_fifo_errors_total{device=\"lo\"} 118\n"
	"node_network_transmit_heartbeat_errors_total{device=\"lo\"} 119\n"
	"node_network_transmit_packets_total{device=\"lo\"} 101\n"
	"node_network_transmit_window_errors_total{device=\"lo\"} 120\n";

static const char addresses[] =
	"node_network_address_info{address=\"10.0.0.1\",device=\"eth0\",netmask=\"32\",scope=\"global\"} 1\n"
	"node_network_address_info{address=\"127.0.0.1\",device=\"lo\",netmask=\"8\",scope=\"link-local\"} 1\n"
	"node_network_address_info{address=\"169.254.1.1\",device=\"eth0\",netmask=\"16\",scope=\"link-local\"} 1\n"
	"node_network_address_info{address=\"192.0.2.7\",device=\"eth0\",netmask=\"24\",scope=\"global\"} 1\n"
	"node_network_address_info{address=\"2001:db8:0:1:1:1:1:1\",device=\"eth0\",netmask=\"64\",scope=\"global\"} 1\n"
	"node_network_address_info{address=\"2001:db8::1\",device=\"eth0\",netmask=\"64\",scope=\"global\"} 1\n"
	"node_network_address_info{address=\"::1\",device=\"lo\",netmask=\"128\",scope=\"link-local\"} 1\n"
	"node_network_address_info{address=\"fe80::2fc:0:0:1\",device=\"eth0\",netmask=\"64\",scope=\"link-local\"} 1\n"
	"node_network_address_info{address=\"ff01::1\",device=\"eth0\",netmask=\"16\",scope=\"interface-local\"} 1\n";

static const struct collector_case nl_cases[] = {
	{ "stats64 and stats32", { { "proc", NULL } }, .args = { "--collector.netdev.device-include=lo" }, .expect = nl_lo },
	{ "32-bit counters only", { { "proc", NULL } }, .args = { "--collector.netdev.device-include=eth0" }, .expect = nl_eth0 },
	{ "exclude", { { "proc", NULL } }, .args = { "--collector.netdev.device-exclude=^(lo|nostats)$" }, .expect = nl_eth0 },
	{ "detailed", { { "proc", NULL } },
	  .args = { "--collector.netdev.device-include=lo", "--collector.netdev.enable-detailed-metrics" },
	  .expect = nl_lo_detailed },
	{ "address info (every device, unfiltered)", { { "proc", NULL } },
	  .args = { "--collector.netdev.device-include=none", "--collector.netdev.address-info" },
	  .expect = addresses },
};

static const struct fake_link bad_links[] = {
	{ 1, "lo", 0, 100 },
	{ 4, "short", 3, 0 },
	{ 5, "old", 4, 0 },
};

static const struct collector_case bad_cases[] = {
	/* A stats64 attribute too short to be the kernel's structure: that device is skipped, the others
	 * kept, and the run fails. A 23-counter structure (kernels before rx_nohandler) is fine. */
	{ "short stats", { { "proc", NULL } }, .args = { "--collector.netdev.device-include=^(lo|short)$" },
	  .expect = nl_lo, .expect_fail = 1 },
	{ "23 counters", { { "proc", NULL } }, .args = { "--collector.netdev.device-include=old",
						       "--collector.netdev.enable-detailed-metrics" },
	  .expect = NULL },
};

static const struct collector_case err_cases[] = {
	{ "kernel refuses the dump", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
};

static const struct collector_case addr_err_cases[] = {
	{ "address dump refused", { { "proc", NULL } },
	  .args = { "--collector.netdev.device-include=lo", "--collector.netdev.address-info" },
	  .expect = nl_lo, .expect_fail = 1 },
};

/* Runs one case and returns the lines of the named family only. */
static int run_family(const struct collector_case *k, const char *prefix, struct strbuf *out)
{
	struct strbuf all = { 0 };
	size_t nf = 0;
	while (nf < TEST_MAX_FILES && k->files[nf].path)
		nf++;
	test_make_root(k->files, nf);
	flags_set_defaults(collector_netdev.flags);
	for (size_t a = 0; a < TEST_MAX_ARGS && k->args[a]; a++) {
		const char *arg = k->args[a] + 2, *eq = strchr(arg, '=');
		char name[200], err[200];
		bool neg = strncmp(arg, "no-", 3) == 0;
		snprintf(name, sizeof(name), "%.*s", (int)(eq ? (size_t)(eq - arg) : strlen(arg)), arg);
		struct flag *sets[1] = { collector_netdev.flags };
		struct flag *f = flag_find(sets, 1, neg ? name + 3 : name);
		CHECK(f != NULL);
		if (f)
			flag_set(f, eq ? eq + 1 : neg ? "false" : "true", FLAG_SRC_CMDLINE, err, sizeof(err));
	}
	int r = test_run_collector(&collector_netdev, &all);
	sb_reset(out);
	for (char *p = all.p; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			sb_append(out, p, len);
		p += len;
	}
	sb_free(&all);
	flags_set_defaults(collector_netdev.flags);
	test_remove_root();
	return r;
}

/* Drops the receive_nohandler family, which /proc/net/dev does not have. */
static void drop_nohandler(struct strbuf *b)
{
	size_t o = 0;
	for (char *p = b->p; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (!strstr(p, "nohandler") || (nl && strstr(p, "nohandler") > nl)) {
			memmove(b->p + o, p, len);
			o += len;
		}
		p += len;
	}
	if (b->p) {
		b->len = o;
		b->p[o] = '\0';
	}
}

/* In a fresh namespace with a veth pair and a few packets sent through it: the netlink and
 * /proc/net/dev paths agree with each other and with `ip -s -j link`. */
static void test_live(void)
{
	struct strbuf nl = { 0 }, proc = { 0 }, ipout = { 0 };
	struct arena a = { 0 };
	char err[200], want[256];

	if (TEST_BIG_ENDIAN && test_qemu_lacks("netlink requests of a big-endian build"))
		return;
	if (!netns_enter("netdev", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && "
				   "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 && "
				   "ip link add va type veth peer name vb && ip link set lo up && "
				   "ip link set va up && ip link set vb up && ip addr add 10.9.9.1/24 dev va && "
				   "ip neigh add 10.9.9.5 lladdr 02:00:00:00:00:05 dev va nud permanent && "
				   "bash -c 'for i in 1 2 3; do echo hello > /dev/udp/10.9.9.5/9; done'"))
		return;
	fdcache_close_all();
	nodex_paths.procfs = "/proc";
	nodex_paths.sysfs = "/sys";
	flags_set_defaults(collector_netdev.flags);
	CHECK_INT(test_run_collector(&collector_netdev, &nl), 0);
	{
		struct flag *sets[1] = { collector_netdev.flags };
		flag_set(flag_find(sets, 1, "collector.netdev.netlink"), "false", FLAG_SRC_CMDLINE, err, sizeof(err));
	}
	CHECK_INT(test_run_collector(&collector_netdev, &proc), 0);
	flags_set_defaults(collector_netdev.flags);
	drop_nohandler(&nl);
	CHECK_STR(nl.p, proc.p);

	CHECK(netns_capture("ip -s -j link show", &ipout));
	const struct json *j = json_parse(ipout.p, ipout.len, &a, err, sizeof(err));
	int seen = 0;
	CHECK(j && j->type == JSON_ARRAY);
	for (const struct json *l = j ? j->child : NULL; l; l = l->next) {
		const struct json *name = json_get(l, "ifname"), *st = json_get(l, "stats64");
		const char *dirs[2] = { "rx", "tx" }, *words[2] = { "receive", "transmit" };
		if (!name || !st)
			continue;
		for (int d = 0; d < 2; d++) {
			uint64_t bytes = 0, packets = 0;
			CHECK_INT(json_u64(json_get(json_get(st, dirs[d]), "bytes"), &bytes), 0);
			CHECK_INT(json_u64(json_get(json_get(st, dirs[d]), "packets"), &packets), 0);
			snprintf(want, sizeof(want), "node_network_%s_bytes_total{device=\"%.*s\"} %llu\n", words[d],
				 (int)name->len, name->str, (unsigned long long)bytes);
			CHECK(strstr(nl.p, want) != NULL);
			snprintf(want, sizeof(want), "node_network_%s_packets_total{device=\"%.*s\"} %llu\n", words[d],
				 (int)name->len, name->str, (unsigned long long)packets);
			CHECK(strstr(nl.p, want) != NULL);
			if (!strstr(nl.p, want))
				fprintf(stderr, "missing: %s", want);
		}
		seen++;
	}
	CHECK_INT(seen, 3);
	/* The packets went out of va and into vb. */
	CHECK(strstr(nl.p, "node_network_transmit_packets_total{device=\"va\"} 0\n") == NULL);
	CHECK(strstr(nl.p, "node_network_receive_packets_total{device=\"vb\"} 0\n") == NULL);

	fdcache_close_all();
	netns_leave();
	arena_free(&a);
	sb_free(&nl);
	sb_free(&proc);
	sb_free(&ipout);
}

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };
	(void)argc;

	/* /proc/net/dev: no netlink fake yet. */
	test_collector_cases(&collector_netdev, proc_cases, ARRAY_SIZE(proc_cases) - 2);
	test_collector_cases(&collector_netdev, &proc_cases[ARRAY_SIZE(proc_cases) - 1], 1);
	CHECK_INT(run_family(&proc_cases[ARRAY_SIZE(proc_cases) - 2], "node_network_receive_bytes_total", &out), 0);
	CHECK_STR(out.p, eth0_alias);

	nlb_serve(respond);
	links = two_links;
	n_links = ARRAY_SIZE(two_links);
	test_collector_cases(&collector_netdev, nl_cases, ARRAY_SIZE(nl_cases));

	links = bad_links;
	n_links = ARRAY_SIZE(bad_links);
	test_collector_cases(&collector_netdev, bad_cases, 1);
	CHECK_INT(run_family(&bad_cases[1], "node_network_receive_nohandler_total", &out), 0);
	CHECK_STR(out.p, "node_network_receive_nohandler_total{device=\"old\"} 0\n");
	CHECK_INT(run_family(&bad_cases[1], "node_network_transmit_compressed_total", &out), 0);
	CHECK_STR(out.p, "node_network_transmit_compressed_total{device=\"old\"} 22\n");

	link_error = -EPERM;
	test_collector_cases(&collector_netdev, err_cases, ARRAY_SIZE(err_cases));
	link_error = 0;

	links = two_links;
	n_links = ARRAY_SIZE(two_links);
	addr_fail = true;
	test_collector_cases(&collector_netdev, addr_err_cases, ARRAY_SIZE(addr_err_cases));
	addr_fail = false;
	nlb_serve(NULL);

	test_live();
	sb_free(&out);
	return test_summary(argv[0]);
}
