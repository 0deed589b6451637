/* wifi: node_wifi_* from nl80211 (generic netlink), as node_exporter's wifi collector (mdlayher/wifi).
 *
 * For every named nl80211 interface: its frequency; the BSS it is associated with (the scan result that
 * carries NL80211_BSS_STATUS) as node_wifi_station_info; and its stations' counters. Without nl80211 (no
 * wireless drivers) or without permission the collector has no data. The test-only
 * --collector.wifi.fixtures=<dir> reads interfaces.json, <ifname>/bss.json and <ifname>/stationinfo.json
 * (mdlayher/wifi structures as Go's encoding/json writes them) instead, as node_exporter's end-to-end
 * test does. */
#include <linux/genetlink.h>
#include <linux/nl80211.h>
#include <stdio.h>

#include "collector.h"
#include "json.h"
#include "netlink.h"

static const char *opt_fixtures;

static struct flag wifi_flags[] = {
	{ "collector.wifi.fixtures", FLAG_STRING, "", "test fixtures to use for wifi collector metrics", &opt_fixtures },
	{ NULL },
};

METRIC(freq_desc, GAUGE, "node_wifi_interface_frequency_hertz",
       "The current frequency a WiFi interface is operating at, in hertz.", "device");
METRIC(info_desc, GAUGE, "node_wifi_station_info",
       "Labeled WiFi interface station information as provided by the operating system.", "device", "bssid", "ssid",
       "mode");

enum {
	S_CONNECTED,
	S_INACTIVE,
	S_RX_BITRATE,
	S_TX_BITRATE,
	S_RX_BYTES,
	S_TX_BYTES,
	S_SIGNAL,
	S_RETRIES,
	S_FAILED,
	S_BEACON_LOSS,
	S_RX_PACKETS,
	S_TX_PACKETS,
	S_N,
};

static const struct metric_desc station_descs[S_N] = {
	METRIC_DESC("node_wifi_station_connected_seconds_total",
		    "The total number of seconds a station has been connected to an access point.", METRIC_COUNTER,
		    "device", "mac_address"),
	METRIC_DESC("node_wifi_station_inactive_seconds",
		    "The number of seconds since any wireless activity has occurred on a station.", METRIC_GAUGE,
		    "device", "mac_address"),
	METRIC_DESC("node_wifi_station_receive_bits_per_second",
		    "The current WiFi receive bitrate of a station, in bits per second.", METRIC_GAUGE, "device",
		    "mac_address"),
	METRIC_DESC("node_wifi_station_transmit_bits_per_second",
		    "The current WiFi transmit bitrate of a station, in bits per second.", METRIC_GAUGE, "device",
		    "mac_address"),
	METRIC_DESC("node_wifi_station_receive_bytes_total", "The total number of bytes received by a WiFi station.",
		    METRIC_COUNTER, "device", "mac_address"),
	METRIC_DESC("node_wifi_station_transmit_bytes_total",
		    "The total number of bytes transmitted by a WiFi station.", METRIC_COUNTER, "device", "mac_address"),
	METRIC_DESC("node_wifi_station_signal_dbm", "The current WiFi signal strength, in decibel-milliwatts (dBm).",
		    METRIC_GAUGE, "device", "mac_address"),
	METRIC_DESC("node_wifi_station_transmit_retries_total",
		    "The total number of times a station has had to retry while sending a packet.", METRIC_COUNTER,
		    "device", "mac_address"),
	METRIC_DESC("node_wifi_station_transmit_failed_total",
		    "The total number of times a station has failed to send a packet.", METRIC_COUNTER, "device",
		    "mac_address"),
	METRIC_DESC("node_wifi_station_beacon_loss_total",
		    "The total number of times a station has detected a beacon loss.", METRIC_COUNTER, "device",
		    "mac_address"),
	METRIC_DESC("node_wifi_station_received_packets_total", "The total number of packets received by a station.",
		    METRIC_COUNTER, "device", "mac_address"),
	METRIC_DESC("node_wifi_station_transmitted_packets_total",
		    "The total number of packets transmitted by a station.", METRIC_COUNTER, "device", "mac_address"),
};

#define HWADDR_MAX 32

struct wifi_station {
	unsigned char mac[HWADDR_MAX];
	size_t mac_len;
	int64_t connected_ns, inactive_ns;
	int64_t rx_bitrate, tx_bitrate; /* bits per second */
	int64_t signal;
	/* mdlayher/wifi holds these as Go ints. */
	int64_t rx_bytes, tx_bytes;
	int64_t rx_packets, tx_packets, retries, failed, beacon_loss;
};

struct wifi_bss {
	unsigned char bssid[HWADDR_MAX];
	size_t bssid_len;
	const char *ssid;
	uint32_t status;
};

/* Go's net.HardwareAddr.String(): lowercase hex pairs joined by ':', "" when empty. */
static void hwaddr_string(const unsigned char *a, size_t n, char *out, size_t size)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && o + 4 <= size; i++)
		o += (size_t)snprintf(out + o, size - o, i ? ":%02x" : "%02x", a[i]);
}

/* Go's time.Duration.Seconds(). */
static double duration_seconds(int64_t ns)
{
	int64_t sec = ns / 1000000000, nsec = ns % 1000000000;

	return (double)sec + (double)nsec / 1e9;
}

static const char *bss_mode(uint32_t status)
{
	switch (status) {
	case NL80211_BSS_STATUS_AUTHENTICATED:
	case NL80211_BSS_STATUS_ASSOCIATED:
		return "client";
	case NL80211_BSS_STATUS_IBSS_JOINED:
		return "ad-hoc";
	default:
		return "unknown";
	}
}

static void emit_frequency(struct collect_ctx *c, const char *dev, int64_t mhz)
{
	metric_emit(c->ms, &freq_desc, (double)mhz * 1000 * 1000, dev);
}

static void emit_bss(struct collect_ctx *c, const char *dev, const struct wifi_bss *b)
{
	char bssid[HWADDR_MAX * 3 + 1];

	hwaddr_string(b->bssid, b->bssid_len, bssid, sizeof(bssid));
	metric_emit(c->ms, &info_desc, 1, dev, bssid, b->ssid ? b->ssid : "", bss_mode(b->status));
}

static void emit_station(struct collect_ctx *c, const char *dev, const struct wifi_station *s)
{
	char mac[HWADDR_MAX * 3 + 1];
	double v[S_N] = {
		[S_CONNECTED] = duration_seconds(s->connected_ns),
		[S_INACTIVE] = duration_seconds(s->inactive_ns),
		[S_RX_BITRATE] = (double)s->rx_bitrate,
		[S_TX_BITRATE] = (double)s->tx_bitrate,
		[S_RX_BYTES] = (double)s->rx_bytes,
		[S_TX_BYTES] = (double)s->tx_bytes,
		[S_SIGNAL] = (double)s->signal,
		[S_RETRIES] = (double)s->retries,
		[S_FAILED] = (double)s->failed,
		[S_BEACON_LOSS] = (double)s->beacon_loss,
		[S_RX_PACKETS] = (double)s->rx_packets,
		[S_TX_PACKETS] = (double)s->tx_packets,
	};

	hwaddr_string(s->mac, s->mac_len, mac, sizeof(mac));
	for (int i = 0; i < S_N; i++)
		metric_emit(c->ms, &station_descs[i], v[i], dev, mac);
}

/* ---- nl80211 ---- */

struct nl80211 {
	struct nl_sock s;
	uint16_t family;
	struct strbuf req;
	struct strbuf reply;
};

/* Sends an nl80211 dump request for cmd, on one interface when ifindex > 0. */
static int nl80211_dump(struct nl80211 *n, uint8_t cmd, uint32_t ifindex)
{
	struct genlmsghdr g = { .cmd = cmd, .version = 1 };

	sb_reset(&n->req);
	if (sb_append(&n->req, (const char *)&g, sizeof(g)) < 0 ||
	    (ifindex && nl_put_attr(&n->req, NL80211_ATTR_IFINDEX, &ifindex, sizeof(ifindex)) < 0))
		return -ENOMEM;
	return nl_transact(&n->s, n->family, NLM_F_DUMP, n->req.p, n->req.len, &n->reply);
}

/* Iterates the nl80211 messages of n->reply: returns the attributes after the generic header. */
static bool next_genl(struct nl_iter *it, uint16_t family, const unsigned char **attrs, size_t *len)
{
	struct nl_msg m;

	while (nl_next_msg(it, &m)) {
		if (m.type != family || m.len < GENL_HDRLEN)
			continue;
		*attrs = m.data + GENL_HDRLEN;
		*len = m.len - GENL_HDRLEN;
		return true;
	}
	return false;
}

/* Reads a rate info nest: the 32-bit bitrate if present, else the 16-bit one; units of 100 kbit/s. */
static int64_t rate_bps(const struct nl_attr *a)
{
	struct nl_attr tb[NL80211_RATE_INFO_BITRATE32 + 1];
	uint32_t r32 = 0;
	uint16_t r16 = 0;

	nl_attr_parse(a->data, a->len, tb, NL80211_RATE_INFO_BITRATE32 + 1);
	if (nl_attr_u32(&tb[NL80211_RATE_INFO_BITRATE32], &r32) && r32)
		return (int64_t)r32 * 100 * 1000;
	if (nl_attr_u16(&tb[NL80211_RATE_INFO_BITRATE], &r16))
		return (int64_t)r16 * 100 * 1000;
	return 0;
}

/* Parses one station message. Returns false when it is malformed. */
static bool parse_station(const unsigned char *attrs, size_t len, struct wifi_station *s)
{
	struct nl_attr tb[NL80211_ATTR_STA_INFO + 1], si[NL80211_STA_INFO_TX_BYTES64 + 1];
	uint32_t u32;
	uint64_t u64;
	uint8_t u8;
	bool ok = nl_attr_parse(attrs, len, tb, NL80211_ATTR_STA_INFO + 1) == 0;

	memset(s, 0, sizeof(*s));
	if (tb[NL80211_ATTR_MAC].data) {
		s->mac_len = tb[NL80211_ATTR_MAC].len < HWADDR_MAX ? tb[NL80211_ATTR_MAC].len : HWADDR_MAX;
		memcpy(s->mac, tb[NL80211_ATTR_MAC].data, s->mac_len);
	}
	if (!tb[NL80211_ATTR_STA_INFO].data)
		return ok;
	if (nl_attr_parse(tb[NL80211_ATTR_STA_INFO].data, tb[NL80211_ATTR_STA_INFO].len, si,
			  NL80211_STA_INFO_TX_BYTES64 + 1) < 0)
		ok = false;
	if (nl_attr_u32(&si[NL80211_STA_INFO_CONNECTED_TIME], &u32))
		s->connected_ns = (int64_t)u32 * 1000000000;
	if (nl_attr_u32(&si[NL80211_STA_INFO_INACTIVE_TIME], &u32))
		s->inactive_ns = (int64_t)u32 * 1000000;
	/* 64-bit counters when present, else the 32-bit ones. */
	if (nl_attr_u64(&si[NL80211_STA_INFO_RX_BYTES64], &u64))
		s->rx_bytes = (int64_t)u64;
	else if (nl_attr_u32(&si[NL80211_STA_INFO_RX_BYTES], &u32))
		s->rx_bytes = u32;
	if (nl_attr_u64(&si[NL80211_STA_INFO_TX_BYTES64], &u64))
		s->tx_bytes = (int64_t)u64;
	else if (nl_attr_u32(&si[NL80211_STA_INFO_TX_BYTES], &u32))
		s->tx_bytes = u32;
	if (nl_attr_u32(&si[NL80211_STA_INFO_RX_PACKETS], &u32))
		s->rx_packets = u32;
	if (nl_attr_u32(&si[NL80211_STA_INFO_TX_PACKETS], &u32))
		s->tx_packets = u32;
	if (nl_attr_u32(&si[NL80211_STA_INFO_TX_RETRIES], &u32))
		s->retries = u32;
	if (nl_attr_u32(&si[NL80211_STA_INFO_TX_FAILED], &u32))
		s->failed = u32;
	if (nl_attr_u32(&si[NL80211_STA_INFO_BEACON_LOSS], &u32))
		s->beacon_loss = u32;
	if (nl_attr_u8(&si[NL80211_STA_INFO_SIGNAL], &u8))
		s->signal = (int8_t)u8;
	if (si[NL80211_STA_INFO_RX_BITRATE].data)
		s->rx_bitrate = rate_bps(&si[NL80211_STA_INFO_RX_BITRATE]);
	if (si[NL80211_STA_INFO_TX_BITRATE].data)
		s->tx_bitrate = rate_bps(&si[NL80211_STA_INFO_TX_BITRATE]);
	return ok;
}

/* Finds the SSID element (id 0) in information elements. Returns false when the elements are malformed. */
static bool parse_ies(const unsigned char *p, size_t len, struct arena *a, const char **ssid)
{
	size_t i = 0;

	while (i < len) {
		if (len - i < 2 || (size_t)p[i + 1] > len - i - 2)
			return false;
		if (p[i] == 0 && !*ssid)
			*ssid = arena_strndup(a, (const char *)p + i + 2, p[i + 1]);
		i += 2 + (size_t)p[i + 1];
	}
	return true;
}

/* Looks for the BSS the interface is associated with in a scan dump: the one with a status. Returns 1
 * when found, 0 when none, or -EBADMSG. */
static int find_bss(struct nl80211 *n, struct arena *a, struct wifi_bss *b)
{
	struct nl_iter it;
	const unsigned char *attrs;
	size_t len;

	nl_iter_init(&it, n->reply.p, n->reply.len);
	while (next_genl(&it, n->family, &attrs, &len)) {
		struct nl_attr tb[NL80211_ATTR_BSS + 1], bt[NL80211_BSS_STATUS + 1];
		nl_attr_parse(attrs, len, tb, NL80211_ATTR_BSS + 1);
		if (!tb[NL80211_ATTR_BSS].data)
			continue;
		if (nl_attr_parse(tb[NL80211_ATTR_BSS].data, tb[NL80211_ATTR_BSS].len, bt, NL80211_BSS_STATUS + 1) < 0)
			return -EBADMSG;
		if (!bt[NL80211_BSS_STATUS].data)
			continue;
		memset(b, 0, sizeof(*b));
		if (!nl_attr_u32(&bt[NL80211_BSS_STATUS], &b->status))
			return -EBADMSG;
		if (bt[NL80211_BSS_BSSID].data) {
			b->bssid_len = bt[NL80211_BSS_BSSID].len < HWADDR_MAX ? bt[NL80211_BSS_BSSID].len : HWADDR_MAX;
			memcpy(b->bssid, bt[NL80211_BSS_BSSID].data, b->bssid_len);
		}
		if (bt[NL80211_BSS_INFORMATION_ELEMENTS].data &&
		    !parse_ies(bt[NL80211_BSS_INFORMATION_ELEMENTS].data, bt[NL80211_BSS_INFORMATION_ELEMENTS].len, a,
			       &b->ssid))
			return -EBADMSG;
		return 1;
	}
	return it.bad ? -EBADMSG : 0;
}

struct wifi_iface {
	uint32_t ifindex;
	const char *name;
	uint32_t freq;
};

static struct nl80211 nl; /* request and reply buffers, kept between runs */

static int collect_kernel(struct collect_ctx *c)
{
	struct wifi_iface *ifs = NULL;
	size_t n_ifs = 0, cap = 0;
	struct nl_iter it;
	const unsigned char *attrs;
	size_t len;
	int r, bad = 0;

	nl.s = (struct nl_sock){ .fd = -1 };
	r = nl_open(&nl.s, NETLINK_GENERIC);
	if (r == 0)
		r = nl_genl_family(&nl.s, NL80211_GENL_NAME, &nl.family, &nl.reply);
	if (r == -ENOENT || r == -EPERM || r == -EACCES) {
		nl_close(&nl.s);
		log_debug(r == -ENOENT ? "wifi collector metrics are not available for this system"
				       : "wifi collector got permission denied when accessing metrics");
		return COLLECTOR_NO_DATA;
	}
	if (r < 0) {
		nl_close(&nl.s);
		return ctx_fail(c, r, "failed to access wifi data: %s", strerror(-r));
	}
	r = nl80211_dump(&nl, NL80211_CMD_GET_INTERFACE, 0);
	if (r < 0) {
		nl_close(&nl.s);
		return ctx_fail(c, r, "failed to retrieve wifi interfaces: %s", strerror(-r));
	}
	/* Copy the interfaces out: the reply buffer is reused by the per-interface dumps. */
	nl_iter_init(&it, nl.reply.p, nl.reply.len);
	while (next_genl(&it, nl.family, &attrs, &len)) {
		struct nl_attr tb[NL80211_ATTR_WIPHY_FREQ + 1];
		char name[64];
		if (nl_attr_parse(attrs, len, tb, NL80211_ATTR_WIPHY_FREQ + 1) < 0)
			bad++;
		/* Some virtual devices (P2P) have no name and are skipped. */
		if (!nl_attr_str(&tb[NL80211_ATTR_IFNAME], name, sizeof(name)) || !name[0])
			continue;
		if (!(ifs = arena_grow(&c->ms->arena, ifs, n_ifs, &cap, sizeof(*ifs)))) {
			nl_close(&nl.s);
			return -ENOMEM;
		}
		ifs[n_ifs] = (struct wifi_iface){ .name = arena_strdup(&c->ms->arena, name) };
		nl_attr_u32(&tb[NL80211_ATTR_IFINDEX], &ifs[n_ifs].ifindex);
		nl_attr_u32(&tb[NL80211_ATTR_WIPHY_FREQ], &ifs[n_ifs].freq);
		if (!ifs[n_ifs].name) {
			nl_close(&nl.s);
			return -ENOMEM;
		}
		n_ifs++;
	}
	if (it.bad)
		bad++;

	for (size_t i = 0; i < n_ifs; i++) {
		const struct wifi_iface *f = &ifs[i];
		struct wifi_bss b;

		log_debug("probing wifi device with type", "wifi", f->name);
		emit_frequency(c, f->name, f->freq);
		r = nl80211_dump(&nl, NL80211_CMD_GET_SCAN, f->ifindex);
		if (r == 0)
			r = find_bss(&nl, &c->ms->arena, &b);
		if (r == 1)
			emit_bss(c, f->name, &b);
		else if (r == 0 || r == -ENOENT)
			log_debug("BSS information not found for wifi device", "name", f->name);
		else {
			nl_close(&nl.s);
			return ctx_fail(c, r, "failed to retrieve BSS for device %s: %s", f->name, strerror(-r));
		}

		r = nl80211_dump(&nl, NL80211_CMD_GET_STATION, f->ifindex);
		if (r == -ENOENT) {
			log_debug("station information not found for wifi device", "name", f->name);
			continue;
		}
		if (r < 0) {
			nl_close(&nl.s);
			return ctx_fail(c, r, "failed to retrieve station info for device \"%s\": %s", f->name,
					strerror(-r));
		}
		nl_iter_init(&it, nl.reply.p, nl.reply.len);
		while (next_genl(&it, nl.family, &attrs, &len)) {
			struct wifi_station s;
			if (!parse_station(attrs, len, &s))
				bad++;
			emit_station(c, f->name, &s);
		}
		if (it.bad)
			bad++;
	}
	nl_close(&nl.s);
	if (bad)
		return ctx_fail(c, -EBADMSG, "%d malformed nl80211 message(s)", bad);
	return 0;
}

/* ---- the end-to-end fixtures ---- */

/* Reads <fixtures>/<rel> as JSON. Returns the root, NULL with *err = -ENOENT for a missing file, or NULL
 * with another negative errno (the message in c->err). */
static const struct json *read_fixture(struct collect_ctx *c, const char *rel, int *err)
{
	char msg[160];
	const char *path = path_build(&c->path, ROOT_NONE, "%s/%s", opt_fixtures, rel);
	const struct json *j;
	ssize_t n;

	*err = 0;
	if (!path) {
		*err = -ENOMEM;
		return NULL;
	}
	n = file_read(path, &c->buf);
	if (n < 0) {
		*err = (int)n;
		ctx_fail(c, (int)n, "open %s: %s", path, strerror((int)-n));
		return NULL;
	}
	j = json_parse(c->buf.p, (size_t)n, &c->ms->arena, msg, sizeof(msg));
	if (!j) {
		*err = -EINVAL;
		ctx_fail(c, -EINVAL, "%s: %s", path, msg);
	}
	return j;
}

/* Decodes an integer field Go holds as an int of the given bits (signed) into *v: missing or null is 0. */
static bool json_int(const struct json *o, const char *key, int64_t *v)
{
	int r = json_i64(json_get(o, key), v);

	if (r == -ENOENT) {
		*v = 0;
		return true;
	}
	return r == 0;
}

static bool json_hwaddr(const struct json *o, const char *key, unsigned char *out, size_t *len)
{
	ssize_t n = json_base64(json_get(o, key), out, HWADDR_MAX);

	*len = 0;
	if (n == -ENOENT)
		return true;
	if (n < 0)
		return false;
	*len = (size_t)n;
	return true;
}

static int collect_fixtures(struct collect_ctx *c)
{
	const struct json *ifis, *j;
	int err;

	ifis = read_fixture(c, "interfaces.json", &err);
	if (!ifis)
		return ctx_fail(c, err, "failed to retrieve wifi interfaces: %s", c->err);
	if (ifis->type == JSON_NULL)
		return 0;
	if (ifis->type != JSON_ARRAY)
		return ctx_fail(c, -EINVAL, "failed to retrieve wifi interfaces: not a JSON array");
	for (const struct json *ifi = ifis->child; ifi; ifi = ifi->next) {
		const struct json *name = json_get(ifi, "name");
		char rel[300];
		int64_t freq;

		if (ifi->type == JSON_NULL)
			continue;
		if (ifi->type != JSON_OBJECT || (name && name->type != JSON_STRING && name->type != JSON_NULL) ||
		    !json_int(ifi, "frequency", &freq))
			return ctx_fail(c, -EINVAL, "failed to retrieve wifi interfaces: bad interface object");
		/* Some virtual devices have no name and are skipped. */
		if (!name || name->type != JSON_STRING || name->len == 0)
			continue;
		emit_frequency(c, name->str, freq);

		snprintf(rel, sizeof(rel), "%s/bss.json", name->str);
		j = read_fixture(c, rel, &err);
		if (j && j->type != JSON_NULL) {
			struct wifi_bss b = { 0 };
			const struct json *ssid = json_get(j, "ssid");
			int64_t status;
			if (j->type != JSON_OBJECT || !json_hwaddr(j, "bssid", b.bssid, &b.bssid_len) ||
			    !json_int(j, "status", &status) || (ssid && ssid->type != JSON_STRING && ssid->type != JSON_NULL))
				return ctx_fail(c, -EINVAL, "failed to retrieve BSS for device %s: bad JSON", name->str);
			b.status = (uint32_t)status;
			b.ssid = ssid && ssid->type == JSON_STRING ? ssid->str : "";
			emit_bss(c, name->str, &b);
		} else if (!j && err != -ENOENT) {
			return ctx_fail(c, err, "failed to retrieve BSS for device %s: %s", name->str, c->err);
		} else if (!j) {
			log_debug("BSS information not found for wifi device", "name", name->str);
		}

		snprintf(rel, sizeof(rel), "%s/stationinfo.json", name->str);
		j = read_fixture(c, rel, &err);
		if (!j && err == -ENOENT) {
			log_debug("station information not found for wifi device", "name", name->str);
			continue;
		}
		if (!j)
			return ctx_fail(c, err, "failed to retrieve station info for device \"%s\": %s", name->str, c->err);
		if (j->type == JSON_NULL)
			continue;
		if (j->type != JSON_ARRAY)
			return ctx_fail(c, -EINVAL, "failed to retrieve station info for device \"%s\": not an array",
					name->str);
		for (const struct json *st = j->child; st; st = st->next) {
			struct wifi_station s = { 0 };
			bool ok;
			if (st->type == JSON_NULL)
				continue;
			ok = st->type == JSON_OBJECT && json_hwaddr(st, "hardwareaddr", s.mac, &s.mac_len) &&
			     json_int(st, "connected", &s.connected_ns) && json_int(st, "inactive", &s.inactive_ns) &&
			     json_int(st, "receivebitrate", &s.rx_bitrate) &&
			     json_int(st, "transmitbitrate", &s.tx_bitrate) && json_int(st, "signal", &s.signal) &&
			     json_int(st, "receivedbytes", &s.rx_bytes) && json_int(st, "transmittedbytes", &s.tx_bytes) &&
			     json_int(st, "receivedpackets", &s.rx_packets) &&
			     json_int(st, "transmittedpackets", &s.tx_packets) &&
			     json_int(st, "transmitretries", &s.retries) && json_int(st, "transmitfailed", &s.failed) &&
			     json_int(st, "beaconloss", &s.beacon_loss);
			if (!ok)
				return ctx_fail(c, -EINVAL, "failed to retrieve station info for device \"%s\": bad JSON",
						name->str);
			emit_station(c, name->str, &s);
		}
	}
	return 0;
}

static int wifi_collect(struct collect_ctx *c)
{
	if (opt_fixtures && *opt_fixtures)
		return collect_fixtures(c);
	return collect_kernel(c);
}

static void wifi_fini(void)
{
	sb_free(&nl.req);
	sb_free(&nl.reply);
}

COLLECTOR(wifi, .default_on = false, .flags = wifi_flags, .fini = wifi_fini);
