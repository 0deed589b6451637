/* ethtool: driver statistics, driver info and link modes through the SIOCETHTOOL ioctl, as node_exporter's
 * ethtool collector (safchain/ethtool): ETHTOOL_GSET for supported/advertised link modes and
 * autonegotiation, ETHTOOL_GDRVINFO for node_ethtool_info, and ETHTOOL_GSTRINGS + ETHTOOL_GSTATS for the
 * driver's counters, each named node_ethtool_<sanitized, lowercased name> with rx/tx spelled out
 * ("received"/"transmitted") and exposed untyped. Devices are the entries of <sysfs>/class/net. */
#include <ctype.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "collector.h"

static const char *opt_include, *opt_exclude, *opt_metrics;
static struct name_filter filter;
static struct regex *metrics_re;
static int sock = -1;

static struct flag ethtool_flags[] = {
	{ "collector.ethtool.device-include", FLAG_STRING, NULL,
	  "Regexp of ethtool devices to include (mutually exclusive to device-exclude).", &opt_include },
	{ "collector.ethtool.device-exclude", FLAG_STRING, NULL,
	  "Regexp of ethtool devices to exclude (mutually exclusive to device-include).", &opt_exclude },
	{ "collector.ethtool.metrics-include", FLAG_STRING, ".*", "Regexp of ethtool stats to include.",
	  &opt_metrics },
	{ NULL },
};

/* Test hook: when set, replaces ioctl(SIOCETHTOOL) on the named interface. Returns 0 or a negative
 * errno. */
int (*ethtool_test_ioctl)(const char *ifname, void *cmd);

METRIC(info_desc, GAUGE, "node_ethtool_info",
       "A metric with a constant '1' value labeled by bus_info, device, driver, expansion_rom_version, firmware_version, version.",
       "bus_info", "device", "driver", "expansion_rom_version", "firmware_version", "version");

enum {
	L_SUPPORTED_PORT,
	L_SUPPORTED_SPEED,
	L_SUPPORTED_AUTONEG,
	L_SUPPORTED_PAUSE,
	L_SUPPORTED_ASYM,
	L_ADVERTISED_SPEED,
	L_ADVERTISED_AUTONEG,
	L_ADVERTISED_PAUSE,
	L_ADVERTISED_ASYM,
	L_AUTONEG,
	L_N,
};

static const struct metric_desc link_descs[L_N] = {
	[L_SUPPORTED_PORT] = METRIC_DESC("node_network_supported_port_info",
					 "Type of ports or PHYs supported by network device", METRIC_GAUGE, "device",
					 "type"),
	[L_SUPPORTED_SPEED] = METRIC_DESC("node_network_supported_speed_bytes",
					  "Combination of speeds and features supported by network device", METRIC_GAUGE,
					  "device", "duplex", "mode"),
	[L_SUPPORTED_AUTONEG] = METRIC_DESC("node_network_autonegotiate_supported",
					    "If this port device supports autonegotiate", METRIC_GAUGE, "device"),
	[L_SUPPORTED_PAUSE] = METRIC_DESC("node_network_pause_supported", "If this port device supports pause frames",
					  METRIC_GAUGE, "device"),
	[L_SUPPORTED_ASYM] = METRIC_DESC("node_network_asymmetricpause_supported",
					 "If this port device supports asymmetric pause frames", METRIC_GAUGE, "device"),
	[L_ADVERTISED_SPEED] = METRIC_DESC("node_network_advertised_speed_bytes",
					   "Combination of speeds and features offered by network device", METRIC_GAUGE,
					   "device", "duplex", "mode"),
	[L_ADVERTISED_AUTONEG] = METRIC_DESC("node_network_autonegotiate_advertised",
					     "If this port device offers autonegotiate", METRIC_GAUGE, "device"),
	[L_ADVERTISED_PAUSE] = METRIC_DESC("node_network_pause_advertised", "If this port device offers pause capability",
					   METRIC_GAUGE, "device"),
	[L_ADVERTISED_ASYM] = METRIC_DESC("node_network_asymmetricpause_advertised",
					  "If this port device offers asymmetric pause capability", METRIC_GAUGE, "device"),
	[L_AUTONEG] = METRIC_DESC("node_network_autonegotiate", "If this port is using autonegotiate", METRIC_GAUGE,
				  "device"),
};

/* Driver counters node_exporter names itself (everything else: node_ethtool_<built name>). */
static const struct {
	const char *stat;
	struct metric_desc desc;
} known_stats[] = {
	{ "rx_bytes", METRIC_DESC("node_ethtool_received_bytes_total", "Network interface bytes received", METRIC_UNTYPED, "device") },
	{ "rx_dropped", METRIC_DESC("node_ethtool_received_dropped_total", "Number of received frames dropped", METRIC_UNTYPED, "device") },
	{ "rx_errors", METRIC_DESC("node_ethtool_received_errors_total", "Number of received frames with errors", METRIC_UNTYPED, "device") },
	{ "rx_packets", METRIC_DESC("node_ethtool_received_packets_total", "Network interface packets received", METRIC_UNTYPED, "device") },
	{ "tx_bytes", METRIC_DESC("node_ethtool_transmitted_bytes_total", "Network interface bytes sent", METRIC_UNTYPED, "device") },
	{ "tx_errors", METRIC_DESC("node_ethtool_transmitted_errors_total", "Number of sent frames with errors", METRIC_UNTYPED, "device") },
	{ "tx_packets", METRIC_DESC("node_ethtool_transmitted_packets_total", "Network interface packets sent", METRIC_UNTYPED, "device") },
};

/* The link modes node_exporter reports, by ethtool_link_mode_bit_indices bit. node_exporter tests them
 * against the legacy 32-bit ETHTOOL_GSET masks, so only bits below 32 can ever be set. */
static const struct {
	int bit;
	int speed;
	bool full;
	const char *phy;
} speeds[] = {
	{ ETHTOOL_LINK_MODE_10baseT_Half_BIT, 10, false, "T" },
	{ ETHTOOL_LINK_MODE_10baseT_Full_BIT, 10, true, "T" },
	{ ETHTOOL_LINK_MODE_100baseT_Half_BIT, 100, false, "T" },
	{ ETHTOOL_LINK_MODE_100baseT_Full_BIT, 100, true, "T" },
	{ ETHTOOL_LINK_MODE_1000baseT_Half_BIT, 1000, false, "T" },
	{ ETHTOOL_LINK_MODE_1000baseT_Full_BIT, 1000, true, "T" },
	{ ETHTOOL_LINK_MODE_10000baseT_Full_BIT, 10000, true, "T" },
	{ ETHTOOL_LINK_MODE_1000baseKX_Full_BIT, 1000, true, "KX" },
	{ ETHTOOL_LINK_MODE_10000baseKX4_Full_BIT, 10000, true, "KX4" },
	{ ETHTOOL_LINK_MODE_10000baseKR_Full_BIT, 10000, true, "KR" },
	{ ETHTOOL_LINK_MODE_10000baseR_FEC_BIT, 10000, true, "R_FEC" },
	{ ETHTOOL_LINK_MODE_20000baseMLD2_Full_BIT, 20000, true, "MLD2" },
	{ ETHTOOL_LINK_MODE_20000baseKR2_Full_BIT, 20000, true, "KR2" },
	{ ETHTOOL_LINK_MODE_40000baseKR4_Full_BIT, 40000, true, "KR4" },
	{ ETHTOOL_LINK_MODE_40000baseCR4_Full_BIT, 40000, true, "CR4" },
	{ ETHTOOL_LINK_MODE_40000baseSR4_Full_BIT, 40000, true, "SR4" },
	{ ETHTOOL_LINK_MODE_40000baseLR4_Full_BIT, 40000, true, "LR4" },
	{ ETHTOOL_LINK_MODE_56000baseKR4_Full_BIT, 56000, true, "KR4" },
	{ ETHTOOL_LINK_MODE_56000baseCR4_Full_BIT, 56000, true, "CR4" },
	{ ETHTOOL_LINK_MODE_56000baseSR4_Full_BIT, 56000, true, "SR4" },
	{ ETHTOOL_LINK_MODE_56000baseLR4_Full_BIT, 56000, true, "LR4" },
	{ ETHTOOL_LINK_MODE_25000baseCR_Full_BIT, 25000, true, "CR" },
};

static const struct {
	int bit;
	const char *name;
} ports[] = {
	{ ETHTOOL_LINK_MODE_TP_BIT, "TP" },	  { ETHTOOL_LINK_MODE_AUI_BIT, "AUI" },
	{ ETHTOOL_LINK_MODE_MII_BIT, "MII" },	  { ETHTOOL_LINK_MODE_FIBRE_BIT, "FIBRE" },
	{ ETHTOOL_LINK_MODE_BNC_BIT, "BNC" },	  { ETHTOOL_LINK_MODE_Backplane_BIT, "Backplane" },
};

static int ethtool_init(char *err, size_t err_size)
{
	if (name_filter_init(&filter, opt_include, opt_exclude, err, err_size) < 0)
		return -EINVAL;
	if (!(metrics_re = regex_new(opt_metrics ? opt_metrics : "", err, err_size))) {
		name_filter_free(&filter);
		return -EINVAL;
	}
	if (opt_include && *opt_include)
		log_debug("Parsed flag --collector.ethtool.device-include", "flag", opt_include);
	if (opt_exclude && *opt_exclude)
		log_debug("Parsed flag --collector.ethtool.device-exclude", "flag", opt_exclude);
	return 0;
}

static void ethtool_fini(void)
{
	if (sock >= 0)
		close(sock);
	sock = -1;
	regex_free(metrics_re);
	metrics_re = NULL;
	name_filter_free(&filter);
}

static int do_ioctl(const char *dev, void *cmd)
{
	struct ifreq ifr = { 0 };

	if (ethtool_test_ioctl)
		return ethtool_test_ioctl(dev, cmd);
	if (strlen(dev) >= IFNAMSIZ)
		return -ENODEV;
	memcpy(ifr.ifr_name, dev, strlen(dev));
	ifr.ifr_data = cmd;
	return ioctl(sock, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

/* A fixed-size kernel string: up to the first NUL. */
static const char *kstr(struct metric_set *ms, const char *s, size_t size)
{
	size_t n = strnlen(s, size);
	return arena_strndup(&ms->arena, s, n);
}

/* node_exporter's SanitizeMetricName: each run of characters outside [A-Za-z0-9_], with the underscores
 * around it, becomes one "_". */
static void sanitize(const char *in, char *out, size_t size)
{
	size_t o = 0, n = strlen(in);

	for (size_t i = 0; i < n && o + 1 < size;) {
		/* Find a run "_*[^0-9A-Za-z_]+_*" starting at i. */
		size_t j = i;
		while (j < n && in[j] == '_')
			j++;
		size_t k = j;
		while (k < n && !(isalnum((unsigned char)in[k]) || in[k] == '_'))
			k++;
		if (k > j) {
			while (k < n && in[k] == '_')
				k++;
			out[o++] = '_';
			i = k;
			continue;
		}
		out[o++] = in[i++];
	}
	out[o] = '\0';
}

/* Replaces "(^|_)rx(_|$)" by "${1}received${2}" (and tx by transmitted), left to right without
 * overlapping matches, as Go's regexp.ReplaceAllString. */
static void replace_word(const char *in, const char *word, const char *with, char *out, size_t size)
{
	size_t o = 0, n = strlen(in), wl = strlen(word), rl = strlen(with);
	size_t i = 0;

	while (i < n && o + 1 < size) {
		bool at_start = i == 0, after_us = in[i] == '_';
		size_t w = after_us ? i + 1 : i;
		if ((at_start || after_us) && n - w >= wl && memcmp(in + w, word, wl) == 0 &&
		    (w + wl == n || in[w + wl] == '_')) {
			size_t len = (w - i) + rl + (w + wl < n ? 1 : 0);
			if (o + len + 1 > size)
				break;
			if (after_us)
				out[o++] = '_';
			memcpy(out + o, with, rl);
			o += rl;
			i = w + wl;
			if (i < n) {
				out[o++] = '_';
				i++;
			}
			continue;
		}
		out[o++] = in[i++];
	}
	out[o] = '\0';
}

/* node_exporter's buildEthtoolFQName on a sanitized name. */
static void build_name(const char *sanitized, char *out, size_t size)
{
	char low[ETH_GSTRING_LEN * 2], a[ETH_GSTRING_LEN * 5], b[ETH_GSTRING_LEN * 8];
	size_t i = 0, o = 0;

	while (sanitized[i] == '_')
		i++;
	for (; sanitized[i] && o + 1 < sizeof(low); i++)
		low[o++] = (char)tolower((unsigned char)sanitized[i]);
	low[o] = '\0';
	replace_word(low, "rx", "received", a, sizeof(a));
	replace_word(a, "tx", "transmitted", b, sizeof(b));
	snprintf(out, size, "node_ethtool_%s", b);
}

static void emit_speeds(struct collect_ctx *c, int which, const char *dev, uint32_t modes)
{
	struct family *f = metric_family(c->ms, &link_descs[which]);
	char mode[32];

	for (size_t i = 0; i < ARRAY_SIZE(speeds); i++) {
		if (speeds[i].bit >= 32 || !(modes & (1u << speeds[i].bit)))
			continue;
		snprintf(mode, sizeof(mode), "%dbase%s", speeds[i].speed, speeds[i].phy);
		metric_add(f, speeds[i].speed * (1000000.0 / 8.0), dev, speeds[i].full ? "full" : "half", mode);
	}
}

static void emit_caps(struct collect_ctx *c, int autoneg, int pause, int asym, const char *dev, uint32_t modes)
{
	metric_emit(c->ms, &link_descs[autoneg], (modes >> ETHTOOL_LINK_MODE_Autoneg_BIT) & 1, dev);
	metric_emit(c->ms, &link_descs[pause], (modes >> ETHTOOL_LINK_MODE_Pause_BIT) & 1, dev);
	metric_emit(c->ms, &link_descs[asym], (modes >> ETHTOOL_LINK_MODE_Asym_Pause_BIT) & 1, dev);
}

static void link_info(struct collect_ctx *c, const char *dev)
{
	struct ethtool_cmd cmd = { .cmd = ETHTOOL_GSET };
	int r = do_ioctl(dev, &cmd);

	if (r < 0) {
		log_debug("ethtool link info error", "err", strerror(-r), "device", dev);
		return;
	}
	emit_speeds(c, L_SUPPORTED_SPEED, dev, cmd.supported);
	struct family *f = metric_family(c->ms, &link_descs[L_SUPPORTED_PORT]);
	for (size_t i = 0; i < ARRAY_SIZE(ports); i++)
		if (cmd.supported & (1u << ports[i].bit))
			metric_add(f, 1, dev, ports[i].name);
	emit_caps(c, L_SUPPORTED_AUTONEG, L_SUPPORTED_PAUSE, L_SUPPORTED_ASYM, dev, cmd.supported);
	emit_speeds(c, L_ADVERTISED_SPEED, dev, cmd.advertising);
	emit_caps(c, L_ADVERTISED_AUTONEG, L_ADVERTISED_PAUSE, L_ADVERTISED_ASYM, dev, cmd.advertising);
	metric_emit(c->ms, &link_descs[L_AUTONEG], cmd.autoneg, dev);
}

/* Reused across runs: the kernel's names and values for one device. */
static struct strbuf names_buf, values_buf;

#define MAX_STATS 65536

/* Reads the driver's statistics: their number (from GDRVINFO), names (GSTRINGS) and values (GSTATS).
 * Returns the count, 0 when the driver has none, or a negative errno. */
static ssize_t read_stats(const char *dev, uint32_t n_stats, char **names, uint64_t **values)
{
	struct ethtool_gstrings *gs;
	struct ethtool_stats *st;
	int r;

	if (n_stats == 0)
		return 0;
	if (n_stats > MAX_STATS)
		return -E2BIG;
	sb_reset(&names_buf);
	sb_reset(&values_buf);
	if (sb_reserve(&names_buf, sizeof(*gs) + (size_t)n_stats * ETH_GSTRING_LEN) < 0 ||
	    sb_reserve(&values_buf, sizeof(*st) + (size_t)n_stats * sizeof(uint64_t)) < 0)
		return -ENOMEM;
	gs = (struct ethtool_gstrings *)(void *)names_buf.p;
	memset(gs, 0, sizeof(*gs) + (size_t)n_stats * ETH_GSTRING_LEN);
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_STATS;
	gs->len = n_stats;
	if ((r = do_ioctl(dev, gs)) < 0)
		return r;
	st = (struct ethtool_stats *)(void *)values_buf.p;
	memset(st, 0, sizeof(*st) + (size_t)n_stats * sizeof(uint64_t));
	st->cmd = ETHTOOL_GSTATS;
	st->n_stats = n_stats;
	if ((r = do_ioctl(dev, st)) < 0)
		return r;
	/* The kernel answers with the count it used; never trust more than what was asked for. */
	uint32_t n = n_stats;
	if (gs->len < n)
		n = gs->len;
	if (st->n_stats < n)
		n = st->n_stats;
	*names = (char *)gs->data;
	*values = (uint64_t *)st->data;
	return n;
}

struct stat_entry {
	const char *raw;
	char sanitized[ETH_GSTRING_LEN * 2];
	char fq[ETH_GSTRING_LEN * 8 + 16];
	uint64_t value;
	bool dropped;
};

static int cmp_fq(const void *a, const void *b)
{
	return strcmp(((const struct stat_entry *)a)->fq, ((const struct stat_entry *)b)->fq);
}

static void emit_stats(struct collect_ctx *c, const char *dev, const char *names, const uint64_t *values, size_t n)
{
	struct stat_entry *e = arena_alloc(&c->ms->arena, n * sizeof(*e));
	size_t m = 0;

	if (!e)
		return;
	for (size_t i = 0; i < n; i++) {
		char raw[ETH_GSTRING_LEN + 1];
		memcpy(raw, names + i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		raw[ETH_GSTRING_LEN] = '\0';
		if (!raw[0])
			continue;
		/* A driver repeating a name: the last value wins (safchain keeps a map). */
		bool repeat = false;
		for (size_t j = 0; j < m; j++)
			if (streq(e[j].raw, raw)) {
				e[j].value = values[i];
				repeat = true;
				break;
			}
		if (repeat)
			continue;
		struct stat_entry *s = &e[m];
		memset(s, 0, sizeof(*s));
		s->raw = arena_strdup(&c->ms->arena, raw);
		if (!s->raw)
			return;
		sanitize(raw, s->sanitized, sizeof(s->sanitized));
		if (!regex_match(metrics_re, s->sanitized))
			continue;
		build_name(s->sanitized, s->fq, sizeof(s->fq));
		s->value = values[i];
		m++;
	}
	/* Names that collide after sanitizing are all dropped (node_exporter logs them at debug level). */
	qsort(e, m, sizeof(*e), cmp_fq);
	for (size_t i = 0; i + 1 < m; i++)
		if (streq(e[i].fq, e[i + 1].fq)) {
			log_debug("dropping duplicate metric name", "device", dev, "metricFQName", e[i].fq, "metric1",
				  e[i].sanitized, "metric2", e[i + 1].sanitized);
			e[i].dropped = e[i + 1].dropped = true;
		}
	for (size_t i = 0; i < m; i++) {
		char help[ETH_GSTRING_LEN * 2 + 32];
		struct metric_desc d = { .name = e[i].fq, .help = help, .type = METRIC_UNTYPED, .n_labels = 1,
					 .labels = (const char *const[]){ "device" } };
		if (e[i].dropped)
			continue;
		snprintf(help, sizeof(help), "Network interface %s", e[i].sanitized);
		const struct metric_desc *use = &d;
		for (size_t k = 0; k < ARRAY_SIZE(known_stats); k++)
			if (streq(known_stats[k].stat, e[i].sanitized))
				use = &known_stats[k].desc;
		metric_emit(c->ms, use, (double)e[i].value, dev);
	}
}

static int ethtool_collect(struct collect_ctx *c)
{
	char **devs = NULL;
	ssize_t n = ctx_list_dir(c, CTX_LIST_NODATA_EACCES, NULL, &devs, ROOT_SYS, "class/net");
	size_t found = 0;

	if (n == COLLECTOR_NO_DATA)
		return (int)n;
	if (n < 0)
		return ctx_fail(c, (int)n, "could not get net class info: cannot access dir %s: %s", c->path.p,
				strerror((int)-n));
	/* The ioctl socket is opened by the first run, not at start-up: failing to get one (no descriptors
	 * left, no IPv4) fails the run and is tried again, instead of stopping nodex from starting. */
	if (!ethtool_test_ioctl && sock < 0 && (sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return ctx_fail(c, -errno, "failed to initialize ethtool library: %s", strerror(errno));
	for (ssize_t i = 0; i < n; i++) {
		struct stat sb;
		const char *p = ctx_path(c, ROOT_SYS, "class/net/%s", devs[i]);
		/* Regular files there (bonding_masters) are not devices. */
		if (p && lstat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
			devs[i] = NULL;
			continue;
		}
		found++;
	}
	if (!found)
		return ctx_fail(c, -ENODEV, "no network devices found");

	for (ssize_t i = 0; i < n; i++) {
		const char *dev = devs[i];
		struct ethtool_drvinfo drv = { .cmd = ETHTOOL_GDRVINFO };
		char *names = NULL;
		uint64_t *values = NULL;
		int r;

		if (!dev || name_filter_ignored(&filter, dev))
			continue;
		link_info(c, dev);
		r = do_ioctl(dev, &drv);
		if (r < 0) {
			log_debug("ethtool driver info error", "err", strerror(-r), "device", dev);
			continue; /* no driver info: no statistics either (their count comes from it) */
		}
		metric_emit(c->ms, &info_desc, 1, kstr(c->ms, (char *)drv.bus_info, sizeof(drv.bus_info)), dev,
			    kstr(c->ms, (char *)drv.driver, sizeof(drv.driver)),
			    kstr(c->ms, (char *)drv.erom_version, sizeof(drv.erom_version)),
			    kstr(c->ms, (char *)drv.fw_version, sizeof(drv.fw_version)),
			    kstr(c->ms, (char *)drv.version, sizeof(drv.version)));
		ssize_t ns = read_stats(dev, drv.n_stats, &names, &values);
		if (ns < 0) {
			log_debug("ethtool stats error", "err", strerror((int)-ns), "device", dev);
			continue;
		}
		if (ns > 0)
			emit_stats(c, dev, names, values, (size_t)ns);
	}
	return 0;
}

static void ethtool_free(void)
{
	ethtool_fini();
	sb_free(&names_buf);
	sb_free(&values_buf);
}

COLLECTOR(ethtool, .default_on = false, .flags = ethtool_flags, .init = ethtool_init, .fini = ethtool_free);
