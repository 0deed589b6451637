/* ethtool: the collector on a fake SIOCETHTOOL (link modes, driver info, statistics with names that need
 * sanitizing, colliding names, unsupported devices, filters), and once on the real interfaces. */
#include <linux/ethtool.h>

#include "harness.h"

extern const struct collector collector_ethtool;
extern int (*ethtool_test_ioctl)(const char *ifname, void *cmd);

static const char *const stat_names[] = {
	"rx_packets", "tx_packets", "tx_errors", "port.rx_dropped", "rx_missed", "duplicate metric",
	"duplicate_metric", "Queue[0] AllocFails", "[3]: tx_bytes", "     err", "tx_tx_timeouts", "rx0_drops",
	"",                 /* an empty name is skipped */
	"rx_missed",        /* a repeated name: the later value wins */
	"Tx LPI entry count",
};
static const uint64_t stat_values[] = { 1260062, 961500, 0, 12028, 1, 2, 3, 4, 5, 6, 7, 8, 9, 401, 18446744073709551615ull };
#define N_STATS (sizeof(stat_values) / sizeof(stat_values[0]))

static int gstrings_len = N_STATS; /* what GSTRINGS claims to have filled */

static int fake_ioctl(const char *ifname, void *data)
{
	uint32_t cmd;

	memcpy(&cmd, data, sizeof(cmd));
	if (!streq(ifname, "eth0"))
		return -EOPNOTSUPP;
	switch (cmd) {
	case ETHTOOL_GSET: {
		struct ethtool_cmd *c = data;
		c->supported = 1u << ETHTOOL_LINK_MODE_10baseT_Half_BIT | 1u << ETHTOOL_LINK_MODE_10baseT_Full_BIT |
			       1u << ETHTOOL_LINK_MODE_100baseT_Full_BIT | 1u << ETHTOOL_LINK_MODE_1000baseT_Full_BIT |
			       1u << ETHTOOL_LINK_MODE_Autoneg_BIT | 1u << ETHTOOL_LINK_MODE_TP_BIT |
			       1u << ETHTOOL_LINK_MODE_MII_BIT | 1u << ETHTOOL_LINK_MODE_Pause_BIT |
			       1u << ETHTOOL_LINK_MODE_25000baseCR_Full_BIT;
		c->advertising = 1u << ETHTOOL_LINK_MODE_1000baseT_Full_BIT | 1u << ETHTOOL_LINK_MODE_Asym_Pause_BIT;
		c->autoneg = 1;
		return 0;
	}
	case ETHTOOL_GDRVINFO: {
		struct ethtool_drvinfo *d = data;
		snprintf(d->driver, sizeof(d->driver), "e1000e");
		snprintf(d->version, sizeof(d->version), "5.11.0-22-generic");
		snprintf(d->fw_version, sizeof(d->fw_version), "0.5-4");
		snprintf(d->bus_info, sizeof(d->bus_info), "0000:00:1f.6");
		d->n_stats = N_STATS;
		return 0;
	}
	case ETHTOOL_GSTRINGS: {
		struct ethtool_gstrings *g = data;
		if (g->string_set != ETH_SS_STATS || g->len != N_STATS)
			return -EINVAL;
		for (size_t i = 0; i < N_STATS; i++)
			strncpy((char *)g->data + i * ETH_GSTRING_LEN, stat_names[i], ETH_GSTRING_LEN);
		g->len = (uint32_t)gstrings_len;
		return 0;
	}
	case ETHTOOL_GSTATS: {
		struct ethtool_stats *st = data;
		if (st->n_stats != N_STATS)
			return -EINVAL;
		memcpy(st->data, stat_values, sizeof(stat_values));
		return 0;
	}
	}
	return -EOPNOTSUPP;
}

#define U(name, help, v) "node_ethtool_" name "{device=\"eth0\"} " v "\n"

static const char stats_out[] =
	"node_ethtool_3_transmitted_bytes{device=\"eth0\"} 5\n"
	"node_ethtool_err{device=\"eth0\"} 6\n"
	"node_ethtool_info{bus_info=\"0000:00:1f.6\",device=\"eth0\",driver=\"e1000e\",expansion_rom_version=\"\","
	"firmware_version=\"0.5-4\",version=\"5.11.0-22-generic\"} 1\n"
	"node_ethtool_port_received_dropped{device=\"eth0\"} 12028\n"
	"node_ethtool_queue_0_allocfails{device=\"eth0\"} 4\n"
	"node_ethtool_received_missed{device=\"eth0\"} 401\n"
	"node_ethtool_received_packets_total{device=\"eth0\"} 1.260062e+06\n"
	"node_ethtool_rx0_drops{device=\"eth0\"} 8\n"
	"node_ethtool_transmitted_errors_total{device=\"eth0\"} 0\n"
	"node_ethtool_transmitted_lpi_entry_count{device=\"eth0\"} 1.8446744073709552e+19\n"
	"node_ethtool_transmitted_packets_total{device=\"eth0\"} 961500\n"
	"node_ethtool_transmitted_tx_timeouts{device=\"eth0\"} 7\n";

#define LINK_OUT \
	"node_network_advertised_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"1000baseT\"} 1.25e+08\n" \
	"node_network_asymmetricpause_advertised{device=\"eth0\"} 1\n" \
	"node_network_asymmetricpause_supported{device=\"eth0\"} 0\n" \
	"node_network_autonegotiate{device=\"eth0\"} 1\n" \
	"node_network_autonegotiate_advertised{device=\"eth0\"} 0\n" \
	"node_network_autonegotiate_supported{device=\"eth0\"} 1\n" \
	"node_network_pause_advertised{device=\"eth0\"} 0\n" \
	"node_network_pause_supported{device=\"eth0\"} 1\n" \
	"node_network_supported_port_info{device=\"eth0\",type=\"MII\"} 1\n" \
	"node_network_supported_port_info{device=\"eth0\",type=\"TP\"} 1\n" \
	"node_network_supported_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"1000baseT\"} 1.25e+08\n" \
	"node_network_supported_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"100baseT\"} 1.25e+07\n" \
	"node_network_supported_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"10baseT\"} 1.25e+06\n" \
	"node_network_supported_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"25000baseCR\"} 3.125e+09\n" \
	"node_network_supported_speed_bytes{device=\"eth0\",duplex=\"half\",mode=\"10baseT\"} 1.25e+06\n"

static char all_out[4096];

#define NET_TREE                                                     \
	{ "sys/devices/pci/eth0/x", "" }, { "sys/devices/virtual/lo/x", "" }, \
		{ "sys/class/net/eth0", "->../../devices/pci/eth0" },         \
		{ "sys/class/net/lo", "->../../devices/virtual/lo" }, { "sys/class/net/bonding_masters", "eth9\n" }

static struct collector_case cases[] = {
	{ "everything", { NET_TREE }, .expect = all_out },
	{ "metrics include (on the sanitized name)", { NET_TREE },
	  .args = { "--collector.ethtool.metrics-include=^(port_rx|Queue)" },
	  .expect = "node_ethtool_info{bus_info=\"0000:00:1f.6\",device=\"eth0\",driver=\"e1000e\","
		    "expansion_rom_version=\"\",firmware_version=\"0.5-4\",version=\"5.11.0-22-generic\"} 1\n"
		    "node_ethtool_port_received_dropped{device=\"eth0\"} 12028\n"
		    "node_ethtool_queue_0_allocfails{device=\"eth0\"} 4\n" LINK_OUT },
	{ "device exclude", { NET_TREE }, .args = { "--collector.ethtool.device-exclude=eth" }, .expect = "" },
	{ "device include", { NET_TREE }, .args = { "--collector.ethtool.device-include=^lo$" }, .expect = "" },
	{ "no class/net: no data", { { "sys", NULL } }, .expect = "", .expect_fail = 1 },
	{ "only regular files: an error", { { "sys/class/net/bonding_masters", "" } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };
	(void)argc;

	/* The registry sorts node_ethtool_* before node_network_*. */
	snprintf(all_out, sizeof(all_out), "%s%s", stats_out, LINK_OUT);
	ethtool_test_ioctl = fake_ioctl;
	test_collector_cases(&collector_ethtool, cases, ARRAY_SIZE(cases));

	/* GSTRINGS filling fewer names than asked: only those are used. */
	gstrings_len = 2;
	{
		const struct tfile files[] = { NET_TREE };
		test_make_root(files, ARRAY_SIZE(files));
		CHECK_INT(test_run_collector(&collector_ethtool, &out), 0);
		CHECK(strstr(out.p, "node_ethtool_received_packets_total{device=\"eth0\"} 1.260062e+06\n") != NULL);
		CHECK(strstr(out.p, "node_ethtool_transmitted_packets_total{device=\"eth0\"} 961500\n") != NULL);
		CHECK(strstr(out.p, "port_received_dropped") == NULL);
		/* HELP texts: the sanitized name, or node_exporter's own for the common counters. */
		gstrings_len = N_STATS;
		CHECK_INT(test_run_collector(&collector_ethtool, &out), 0);
		CHECK(strstr(out.p, "# HELP node_ethtool_queue_0_allocfails Network interface Queue_0_AllocFails\n"
				    "# TYPE node_ethtool_queue_0_allocfails untyped\n") != NULL);
		CHECK(strstr(out.p, "# HELP node_ethtool_received_packets_total Network interface packets received\n") != NULL);
		CHECK(strstr(out.p, "# HELP node_ethtool_transmitted_errors_total Number of sent frames with errors\n") != NULL);
		test_remove_root();
	}

	/* The real ioctl on this machine's interfaces: it must not fail, whatever the drivers support. */
	ethtool_test_ioctl = NULL;
	nodex_paths.sysfs = "/sys";
	CHECK_INT(test_run_collector(&collector_ethtool, &out), 0);
	sb_free(&out);
	return test_summary(argv[0]);
}
