/* wifi: the JSON fixture path (--collector.wifi.fixtures) and canned nl80211 replies: interfaces,
 * the associated BSS, stations, and the "no nl80211" / permission cases that mean no data. */
#include <linux/genetlink.h>
#include <linux/nl80211.h>

#include "harness.h"
#include "nlbuild.h"

extern const struct collector collector_wifi;

static const char ifaces[] = "[{\"name\":\"wlan0\",\"type\":2,\"frequency\":2412},"
			     "{\"name\":\"wlan1\",\"type\":3,\"frequency\":5180},{\"type\":10}]";
static const char bss[] = "{\"ssid\":\"Caf\\u00e9 \\\"net\\\"\",\"bssid\":\"ABEiM0RV\",\"status\":1}";
static const char stations[] =
	"[{\"hardwareaddr\":\"qrvM3e7/\",\"connected\":30000000000,\"inactive\":400000000,"
	"\"receivebitrate\":128000000,\"transmitbitrate\":164000000,\"signal\":-52,\"transmitretries\":10,"
	"\"transmitfailed\":2,\"beaconloss\":1,\"receivedbytes\":1000,\"transmittedbytes\":2000,"
	"\"ReceivedPackets\":10,\"TransmittedPackets\":20}]";

/* A station's families sort around node_wifi_station_info: three before it (STA_A), nine after (STA_B). */
#define STA_A(dev, mac, beacon, conn, inact)                                                                   \
	"node_wifi_station_beacon_loss_total{device=\"" dev "\",mac_address=\"" mac "\"} " beacon "\n"          \
	"node_wifi_station_connected_seconds_total{device=\"" dev "\",mac_address=\"" mac "\"} " conn "\n"      \
	"node_wifi_station_inactive_seconds{device=\"" dev "\",mac_address=\"" mac "\"} " inact "\n"
#define STA_B(dev, mac, rxbps, rxb, rxp, sig, txbps, txb, fail, retr, txp)                                    \
	"node_wifi_station_receive_bits_per_second{device=\"" dev "\",mac_address=\"" mac "\"} " rxbps "\n"     \
	"node_wifi_station_receive_bytes_total{device=\"" dev "\",mac_address=\"" mac "\"} " rxb "\n"           \
	"node_wifi_station_received_packets_total{device=\"" dev "\",mac_address=\"" mac "\"} " rxp "\n"        \
	"node_wifi_station_signal_dbm{device=\"" dev "\",mac_address=\"" mac "\"} " sig "\n"                    \
	"node_wifi_station_transmit_bits_per_second{device=\"" dev "\",mac_address=\"" mac "\"} " txbps "\n"    \
	"node_wifi_station_transmit_bytes_total{device=\"" dev "\",mac_address=\"" mac "\"} " txb "\n"          \
	"node_wifi_station_transmit_failed_total{device=\"" dev "\",mac_address=\"" mac "\"} " fail "\n"        \
	"node_wifi_station_transmit_retries_total{device=\"" dev "\",mac_address=\"" mac "\"} " retr "\n"       \
	"node_wifi_station_transmitted_packets_total{device=\"" dev "\",mac_address=\"" mac "\"} " txp "\n"

static const char full_out[] =
	"node_wifi_interface_frequency_hertz{device=\"wlan0\"} 2.412e+09\n"
	"node_wifi_interface_frequency_hertz{device=\"wlan1\"} 5.18e+09\n"
	STA_A("wlan0", "aa:bb:cc:dd:ee:ff", "1", "30", "0.4")
	"node_wifi_station_info{bssid=\"00:11:22:33:44:55\",device=\"wlan0\",mode=\"client\",ssid=\"Caf\xc3\xa9 \\\"net\\\"\"} 1\n"
	STA_B("wlan0", "aa:bb:cc:dd:ee:ff", "1.28e+08", "1000", "10", "-52", "1.64e+08", "2000", "2", "10", "20");

static const char freq_only[] = "node_wifi_interface_frequency_hertz{device=\"wlan0\"} 2.412e+09\n"
				"node_wifi_interface_frequency_hertz{device=\"wlan1\"} 5.18e+09\n";

#define fixflag "--collector.wifi.fixtures=@ROOT@/w"

static const struct collector_case fixture_cases[] = {
	{ "interfaces, BSS and stations",
	  { { "w/interfaces.json", ifaces }, { "w/wlan0/bss.json", bss }, { "w/wlan0/stationinfo.json", stations } },
	  .args = { fixflag }, .expect = full_out },
	{ "no per-interface files", { { "w/interfaces.json", ifaces } }, .args = { fixflag }, .expect = freq_only },
	{ "ad-hoc and unknown modes",
	  { { "w/interfaces.json", "[{\"name\":\"wlan0\",\"frequency\":2412}]" },
	    { "w/wlan0/bss.json", "{\"ssid\":\"x\",\"bssid\":\"\",\"status\":2}" } },
	  .args = { fixflag },
	  .expect = "node_wifi_interface_frequency_hertz{device=\"wlan0\"} 2.412e+09\n"
		    "node_wifi_station_info{bssid=\"\",device=\"wlan0\",mode=\"ad-hoc\",ssid=\"x\"} 1\n" },
	{ "missing status is authenticated (client)",
	  { { "w/interfaces.json", "[{\"name\":\"wlan0\"}]" }, { "w/wlan0/bss.json", "{}" } },
	  .args = { fixflag },
	  .expect = "node_wifi_interface_frequency_hertz{device=\"wlan0\"} 0\n"
		    "node_wifi_station_info{bssid=\"\",device=\"wlan0\",mode=\"client\",ssid=\"\"} 1\n" },
	{ "status 7", { { "w/interfaces.json", "[{\"name\":\"wlan0\"}]" }, { "w/wlan0/bss.json", "{\"status\":7}" } },
	  .args = { fixflag },
	  .expect = "node_wifi_interface_frequency_hertz{device=\"wlan0\"} 0\n"
		    "node_wifi_station_info{bssid=\"\",device=\"wlan0\",mode=\"unknown\",ssid=\"\"} 1\n" },
	{ "missing interfaces.json", { { "w", NULL } }, .args = { fixflag }, .expect = "", .expect_fail = 1 },
	{ "broken interfaces.json", { { "w/interfaces.json", "[{\"name\":" } }, .args = { fixflag }, .expect = "",
	  .expect_fail = 1 },
	{ "broken bss.json", { { "w/interfaces.json", ifaces }, { "w/wlan0/bss.json", "{\"bssid\":\"!!\"}" } },
	  .args = { fixflag }, .expect = "node_wifi_interface_frequency_hertz{device=\"wlan0\"} 2.412e+09\n",
	  .expect_fail = 1 },
	{ "string where a number belongs",
	  { { "w/interfaces.json", ifaces }, { "w/wlan0/stationinfo.json", "[{\"signal\":\"-50\"}]" } },
	  .args = { fixflag }, .expect = "node_wifi_interface_frequency_hertz{device=\"wlan0\"} 2.412e+09\n",
	  .expect_fail = 1 },
	{ "empty station list", { { "w/interfaces.json", ifaces }, { "w/wlan0/stationinfo.json", "[]" } },
	  .args = { fixflag }, .expect = freq_only },
};

/* ---- nl80211 ---- */

#define FAMILY 28

static int family_error; /* the family lookup's answer: 0 or an error */
static int station_error;
static int malformed; /* 1: broken information elements, 2: a broken station nest */

static void genl_begin(struct nlb *x, uint8_t cmd)
{
	struct genlmsghdr g = { .cmd = cmd, .version = 1 };
	nlb_begin(x, FAMILY, NLM_F_MULTI);
	nlb_raw(x, &g, sizeof(g));
}

static uint32_t req_ifindex(const void *payload, size_t len)
{
	struct nl_attr tb[NL80211_ATTR_IFINDEX + 1];
	uint32_t idx = 0;
	if (len >= GENL_HDRLEN)
		nl_attr_parse((const char *)payload + GENL_HDRLEN, len - GENL_HDRLEN, tb, NL80211_ATTR_IFINDEX + 1);
	nl_attr_u32(&tb[NL80211_ATTR_IFINDEX], &idx);
	return idx;
}

static int respond(struct nlb *x, int protocol, uint16_t type, const void *payload, size_t len)
{
	struct genlmsghdr g;

	if (protocol != NETLINK_GENERIC || len < sizeof(g))
		return -EPROTONOSUPPORT;
	memcpy(&g, payload, sizeof(g));
	if (type == GENL_ID_CTRL) {
		if (family_error) {
			nlb_error(x, family_error);
			return 0;
		}
		struct genlmsghdr r = { .cmd = CTRL_CMD_NEWFAMILY };
		nlb_begin(x, GENL_ID_CTRL, 0);
		nlb_raw(x, &r, sizeof(r));
		nlb_u16(x, CTRL_ATTR_FAMILY_ID, FAMILY);
		nlb_end(x);
		return 0;
	}
	if (type != FAMILY)
		return -EINVAL;
	switch (g.cmd) {
	case NL80211_CMD_GET_INTERFACE: {
		static const unsigned char mac[6] = { 2, 0, 0, 0, 0, 1 };
		genl_begin(x, NL80211_CMD_NEW_INTERFACE);
		nlb_u32(x, NL80211_ATTR_IFINDEX, 3);
		nlb_str(x, NL80211_ATTR_IFNAME, "wlp2s0");
		nlb_u32(x, NL80211_ATTR_IFTYPE, NL80211_IFTYPE_STATION);
		nlb_attr(x, NL80211_ATTR_MAC, mac, 6);
		nlb_u32(x, NL80211_ATTR_WIPHY_FREQ, 5745);
		nlb_end(x);
		genl_begin(x, NL80211_CMD_NEW_INTERFACE); /* a P2P device: no name, skipped */
		nlb_u64(x, NL80211_ATTR_WDEV, 5);
		nlb_u32(x, NL80211_ATTR_IFTYPE, NL80211_IFTYPE_P2P_DEVICE);
		nlb_end(x);
		genl_begin(x, NL80211_CMD_NEW_INTERFACE); /* an AP: no BSS, no stations */
		nlb_u32(x, NL80211_ATTR_IFINDEX, 4);
		nlb_str(x, NL80211_ATTR_IFNAME, "ap0");
		nlb_end(x);
		nlb_done(x, 0);
		return 0;
	}
	case NL80211_CMD_GET_SCAN: {
		static const unsigned char bssid[6] = { 0xa0, 0xb1, 0xc2, 0xd3, 0xe4, 0xf5 };
		static const unsigned char ies[] = { 0, 4, 'h', 'o', 'm', 'e', 1, 2, 0x82, 0x84 };
		static const unsigned char bad_ies[] = { 0, 9, 'h', 'o' }; /* claims 9 bytes, has 2 */
		if (req_ifindex(payload, len) != 3) {
			nlb_done(x, 0);
			return 0;
		}
		/* A BSS seen in a scan but not joined, then the associated one. */
		genl_begin(x, NL80211_CMD_NEW_SCAN_RESULTS);
		nlb_nest(x, NL80211_ATTR_BSS);
		nlb_attr(x, NL80211_BSS_BSSID, bssid, 6);
		nlb_attr(x, NL80211_BSS_INFORMATION_ELEMENTS, "\0\5other", 7);
		nlb_nest_end(x);
		nlb_end(x);
		genl_begin(x, NL80211_CMD_NEW_SCAN_RESULTS);
		nlb_u32(x, NL80211_ATTR_IFINDEX, 3);
		nlb_nest(x, NL80211_ATTR_BSS);
		nlb_attr(x, NL80211_BSS_BSSID, bssid, 6);
		nlb_u32(x, NL80211_BSS_FREQUENCY, 5745);
		if (malformed == 1)
			nlb_attr(x, NL80211_BSS_INFORMATION_ELEMENTS, bad_ies, sizeof(bad_ies));
		else
			nlb_attr(x, NL80211_BSS_INFORMATION_ELEMENTS, ies, sizeof(ies));
		nlb_u32(x, NL80211_BSS_STATUS, NL80211_BSS_STATUS_ASSOCIATED);
		nlb_nest_end(x);
		nlb_end(x);
		nlb_done(x, 0);
		return 0;
	}
	case NL80211_CMD_GET_STATION: {
		static const unsigned char peer[6] = { 0xa0, 0xb1, 0xc2, 0xd3, 0xe4, 0xf5 };
		if (req_ifindex(payload, len) != 3) {
			nlb_done(x, 0);
			return 0;
		}
		if (station_error) {
			nlb_error(x, station_error);
			return 0;
		}
		genl_begin(x, NL80211_CMD_NEW_STATION);
		nlb_attr(x, NL80211_ATTR_MAC, peer, 6);
		nlb_nest(x, NL80211_ATTR_STA_INFO);
		nlb_u32(x, NL80211_STA_INFO_INACTIVE_TIME, 1250);
		nlb_u32(x, NL80211_STA_INFO_RX_BYTES, 7);             /* the 64-bit counter below wins */
		nlb_u64(x, NL80211_STA_INFO_RX_BYTES64, 5000000000ull);
		nlb_u32(x, NL80211_STA_INFO_TX_BYTES, 3000);
		nlb_u32(x, NL80211_STA_INFO_RX_PACKETS, 40);
		nlb_u32(x, NL80211_STA_INFO_TX_PACKETS, 30);
		nlb_u8(x, NL80211_STA_INFO_SIGNAL, (uint8_t)-61);
		nlb_nest(x, NL80211_STA_INFO_TX_BITRATE);
		nlb_u16(x, NL80211_RATE_INFO_BITRATE, 65);
		nlb_u32(x, NL80211_RATE_INFO_BITRATE32, 8667);
		nlb_nest_end(x);
		nlb_nest(x, NL80211_STA_INFO_RX_BITRATE);
		nlb_u16(x, NL80211_RATE_INFO_BITRATE, 60);
		nlb_nest_end(x);
		nlb_u32(x, NL80211_STA_INFO_TX_RETRIES, 3);
		nlb_u32(x, NL80211_STA_INFO_TX_FAILED, 1);
		nlb_u32(x, NL80211_STA_INFO_CONNECTED_TIME, 3600);
		nlb_u32(x, NL80211_STA_INFO_BEACON_LOSS, 2);
		if (malformed == 2) {
			uint16_t lie = 200; /* an attribute longer than its nest */
			nlb_u32(x, NL80211_STA_INFO_TX_FAILED, 1);
			memcpy(x->b->p + x->b->len - 8, &lie, 2);
		}
		nlb_nest_end(x);
		nlb_end(x);
		nlb_done(x, 0);
		return 0;
	}
	}
	return -EINVAL;
}

static const char nl_out[] =
	"node_wifi_interface_frequency_hertz{device=\"ap0\"} 0\n"
	"node_wifi_interface_frequency_hertz{device=\"wlp2s0\"} 5.745e+09\n"
	STA_A("wlp2s0", "a0:b1:c2:d3:e4:f5", "2", "3600", "1.25")
	"node_wifi_station_info{bssid=\"a0:b1:c2:d3:e4:f5\",device=\"wlp2s0\",mode=\"client\",ssid=\"home\"} 1\n"
	STA_B("wlp2s0", "a0:b1:c2:d3:e4:f5", "6e+06", "5e+09", "40", "-61", "8.667e+08", "3000", "1", "3", "30");

static const struct collector_case nl_cases[] = {
	{ "nl80211", { { "proc", NULL } }, .expect = nl_out },
};
static const struct collector_case nl_nodata[] = {
	{ "no nl80211 family: no data", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
};
static const struct collector_case nl_station_fail[] = {
	{ "station dump refused", { { "proc", NULL } },
	  .expect = "node_wifi_interface_frequency_hertz{device=\"wlp2s0\"} 5.745e+09\n"
		    "node_wifi_station_info{bssid=\"a0:b1:c2:d3:e4:f5\",device=\"wlp2s0\",mode=\"client\",ssid=\"home\"} 1\n",
	  .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	struct strbuf scratch = { 0 };
	(void)argc;

	test_collector_cases(&collector_wifi, fixture_cases, ARRAY_SIZE(fixture_cases));

	nlb_serve(respond);
	test_collector_cases(&collector_wifi, nl_cases, ARRAY_SIZE(nl_cases));
	station_error = -EOPNOTSUPP;
	test_collector_cases(&collector_wifi, nl_station_fail, ARRAY_SIZE(nl_station_fail));
	station_error = 0;
	/* No nl80211 (no wireless driver) or no permission: node_exporter's ErrNoData, which the harness
	 * sees as a negative return with nothing emitted. */
	malformed = 1;
	CHECK(test_run_collector(&collector_wifi, &scratch) == -EBADMSG);
	malformed = 2;
	CHECK(test_run_collector(&collector_wifi, &scratch) == -EBADMSG);
	malformed = 0;
	family_error = -ENOENT;
	test_collector_cases(&collector_wifi, nl_nodata, ARRAY_SIZE(nl_nodata));
	CHECK_INT(test_run_collector(&collector_wifi, &scratch), COLLECTOR_NO_DATA);
	family_error = -EPERM;
	CHECK_INT(test_run_collector(&collector_wifi, &scratch), COLLECTOR_NO_DATA);
	family_error = -EINVAL;
	CHECK_INT(test_run_collector(&collector_wifi, &scratch), -EINVAL);
	family_error = 0;
	nlb_serve(NULL);
	sb_free(&scratch);
	return test_summary(argv[0]);
}
