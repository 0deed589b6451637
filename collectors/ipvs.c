/* ipvs: IPVS totals from /proc/net/ip_vs_stats and per-backend connection counts and weights from
 * /proc/net/ip_vs, as node_exporter's ipvs collector (procfs IPVSStats / IPVSBackendStatus).
 *
 * Backends are summed per label tuple: with --collector.ipvs.backend-labels naming fewer labels, backends
 * that only differ in a dropped label are added together (connections and weights alike). A missing
 * ip_vs_stats means IPVS is not loaded: no data. */
#include <arpa/inet.h>
#include <stdio.h>

#include "collector.h"

enum {
	L_LOCAL_ADDRESS,
	L_LOCAL_PORT,
	L_REMOTE_ADDRESS,
	L_REMOTE_PORT,
	L_PROTO,
	L_LOCAL_MARK,
	L_COUNT,
};

/* In node_exporter's order, which is also the flag's default. */
static const char *const label_names[L_COUNT] = {
	"local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark",
};

static const char *opt_labels;

static struct flag ipvs_flags[] = {
	{ "collector.ipvs.backend-labels", FLAG_STRING,
	  "local_address,local_port,remote_address,remote_port,proto,local_mark",
	  "Comma separated list for IPVS backend stats labels.", &opt_labels },
	{ NULL },
};

static const struct metric_desc stat_descs[5] = {
	METRIC_DESC("node_ipvs_connections_total", "The total number of connections made.", METRIC_COUNTER),
	METRIC_DESC("node_ipvs_incoming_packets_total", "The total number of incoming packets.", METRIC_COUNTER),
	METRIC_DESC("node_ipvs_outgoing_packets_total", "The total number of outgoing packets.", METRIC_COUNTER),
	METRIC_DESC("node_ipvs_incoming_bytes_total", "The total amount of incoming data.", METRIC_COUNTER),
	METRIC_DESC("node_ipvs_outgoing_bytes_total", "The total amount of outgoing data.", METRIC_COUNTER),
};

/* The selected labels (indexes into label_names), fixed at init. */
static int sel[L_COUNT];
static unsigned n_sel;
static const char *sel_names[L_COUNT];
static struct metric_desc backend_descs[3];

static int ipvs_init(char *err, size_t err_size)
{
	bool want[L_COUNT] = { false };
	char unknown[256] = "";
	const char *p = opt_labels ? opt_labels : "";
	/* Unknown names are reported sorted and without repeats, as node_exporter does. */
	const char *bad[32];
	size_t bad_len[32];
	unsigned n_bad = 0;

	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len) {
			int k;
			for (k = 0; k < L_COUNT; k++)
				if (strlen(label_names[k]) == len && memcmp(label_names[k], p, len) == 0)
					break;
			if (k < L_COUNT) {
				want[k] = true;
			} else if (n_bad < ARRAY_SIZE(bad)) {
				unsigned j = 0, pos;
				bool dup = false;
				/* insertion into a sorted list */
				for (pos = 0; pos < n_bad; pos++) {
					size_t m = len < bad_len[pos] ? len : bad_len[pos];
					int c = memcmp(p, bad[pos], m);
					if (c == 0 && len == bad_len[pos]) {
						dup = true;
						break;
					}
					if (c < 0 || (c == 0 && len < bad_len[pos]))
						break;
				}
				if (!dup) {
					for (j = n_bad; j > pos; j--) {
						bad[j] = bad[j - 1];
						bad_len[j] = bad_len[j - 1];
					}
					bad[pos] = p;
					bad_len[pos] = len;
					n_bad++;
				}
			}
		}
		p += len + (comma ? 1 : 0);
	}
	if (n_bad) {
		size_t o = 0;
		for (unsigned i = 0; i < n_bad && o < sizeof(unknown); i++)
			o += (size_t)snprintf(unknown + o, sizeof(unknown) - o, "%s%.*s", i ? ", " : "",
					      (int)bad_len[i], bad[i]);
		snprintf(err, err_size, "unknown IPVS backend labels: \"%s\"", unknown);
		return -EINVAL;
	}
	n_sel = 0;
	for (int k = 0; k < L_COUNT; k++) {
		if (want[k]) {
			sel[n_sel] = k;
			sel_names[n_sel] = label_names[k];
			n_sel++;
		}
	}
	static const char *const names[3] = { "node_ipvs_backend_connections_active",
					      "node_ipvs_backend_connections_inactive", "node_ipvs_backend_weight" };
	static const char *const helps[3] = { "The current active connections by local and remote address.",
					      "The current inactive connections by local and remote address.",
					      "The current backend weight by local and remote address." };
	for (int i = 0; i < 3; i++)
		backend_descs[i] = (struct metric_desc){ .name = names[i], .help = helps[i], .type = METRIC_GAUGE,
							 .n_labels = n_sel, .labels = sel_names };
	return 0;
}

/* ip_vs_stats: two header lines, then the five totals in hex. Returns 0 or -EINVAL. */
static int ipvs_parse_stats(char *s, uint64_t v[5])
{
	char *line = s;
	char *f[6];

	for (int i = 0; i < 2; i++) {
		line = strchr(line, '\n');
		if (!line)
			return -EINVAL;
		line++;
	}
	char *nl = strchr(line, '\n');
	if (!nl)
		return -EINVAL; /* node_exporter wants the line after the totals to exist */
	*nl = '\0';
	if (split_fields(line, f, 6) != 5)
		return -EINVAL;
	for (int i = 0; i < 5; i++) {
		const char *e;
		/* Go's ParseUint(s, 16, 64): hex digits only, no 0x prefix */
		if (f[i][0] == '0' && (f[i][1] == 'x' || f[i][1] == 'X'))
			return -EINVAL;
		if (parse_hex_u64(f[i], &e, &v[i]) < 0 || *e)
			return -EINVAL;
	}
	return 0;
}

/* Formats a 16-byte address as Go's net.IP.String(): IPv4-mapped addresses in dotted form, otherwise
 * lowercase groups without leading zeros and the longest run (two or more) of zero groups as "::". */
static void format_ip6(const unsigned char a[16], char *out, size_t size)
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	unsigned g[8];
	int best = -1, best_len = 0;
	size_t o = 0;

	if (memcmp(a, v4mapped, 12) == 0) {
		snprintf(out, size, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
		return;
	}
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i < 8;) {
		if (g[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !g[j])
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j;
	}
	for (int i = 0; i < 8 && o < size; i++) {
		if (i == best) {
			o += (size_t)snprintf(out + o, size - o, "::");
			i += best_len - 1;
			continue;
		}
		o += (size_t)snprintf(out + o, size - o, "%s%x", (i && i != best + best_len) ? ":" : "", g[i]);
	}
	if (!o && size)
		out[0] = '\0';
}

/* Parses "C0A80016:0CEA" (IPv4, hex) or "[2620:0000:...:0001]:0050" (IPv6) into an address string
 * and a port. Returns 0 or -EINVAL. */
static int parse_ip_port(const char *s, char *addr, size_t addr_size, unsigned *port)
{
	size_t len = strlen(s);
	unsigned p = 0;

	if (len == 13) {
		unsigned char b[4];
		if (s[8] != ':')
			return -EINVAL;
		for (int i = 0; i < 4; i++) {
			int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
			if (hi < 0 || lo < 0)
				return -EINVAL;
			b[i] = (unsigned char)(hi << 4 | lo);
		}
		snprintf(addr, addr_size, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	} else if (len == 46) {
		char tmp[40];
		unsigned char b[16];
		if (s[0] != '[' || s[40] != ']' || s[41] != ':')
			return -EINVAL;
		memcpy(tmp, s + 1, 39);
		tmp[39] = '\0';
		if (inet_pton(AF_INET6, tmp, b) != 1)
			return -EINVAL;
		format_ip6(b, addr, addr_size);
	} else {
		return -EINVAL;
	}
	for (size_t i = len - 4; i < len; i++) {
		int d = hex_digit(s[i]);
		if (d < 0)
			return -EINVAL;
		p = p << 4 | (unsigned)d;
	}
	*port = p;
	return 0;
}

struct backend {
	const char *v[L_COUNT];
	uint64_t active, inactive, weight;
};

static int backend_cmp(const void *pa, const void *pb)
{
	const struct backend *a = pa, *b = pb;

	for (unsigned i = 0; i < n_sel; i++) {
		int c = strcmp(a->v[sel[i]], b->v[sel[i]]);
		if (c)
			return c;
	}
	return 0;
}

static int parse_u64_dec(const char *s, uint64_t *v)
{
	return (s[0] >= '0' && s[0] <= '9') ? parse_u64(s, NULL, v) : -EINVAL;
}

static int ipvs_collect(struct collect_ctx *c)
{
	struct arena *a = &c->ms->arena;
	uint64_t st[5];
	ssize_t n = ctx_read(c, ROOT_PROC, "net/ip_vs_stats");
	size_t cap = 0, nb = 0;
	struct backend *bs;
	const char *proto = "", *laddr = "", *lport = "0", *lmark = "";
	char *p, *line;
	int bad = 0;

	if (n == -ENOENT) {
		log_debug("ipvs collector metrics are not available for this system");
		return COLLECTOR_NO_DATA;
	}
	if (n < 0)
		return ctx_fail(c, (int)n, "could not get IPVS stats: %s: %s", c->path.p, strerror((int)-n));
	if (ipvs_parse_stats(c->buf.p, st) < 0)
		return ctx_fail(c, -EINVAL, "could not get IPVS stats: %s: unexpected content", c->path.p);
	for (int i = 0; i < 5; i++)
		metric_emit(c->ms, &stat_descs[i], (double)st[i]);

	n = ctx_read(c, ROOT_PROC, "net/ip_vs");
	if (n < 0)
		return ctx_fail(c, (int)n, "could not get backend status: %s: %s", c->path.p, strerror((int)-n));
	for (const char *q = c->buf.p; *q; q++)
		cap += *q == '\n';
	cap++;
	bs = arena_alloc(a, cap * sizeof(*bs));
	if (!bs)
		return -ENOMEM;

	p = c->buf.p;
	while ((line = next_line(&p))) {
		char *f[7];
		int nf = split_fields(line, f, 7);
		char addr[48];
		unsigned port;

		if (nf == 0)
			continue;
		if (streq(f[0], "IP") || streq(f[0], "Prot") || (nf > 1 && streq(f[1], "RemoteAddress:Port")))
			continue;
		if (streq(f[0], "TCP") || streq(f[0], "UDP") || streq(f[0], "SCTP")) {
			if (nf < 2)
				continue;
			if (parse_ip_port(f[1], addr, sizeof(addr), &port) < 0) {
				/* The backends below it cannot be attributed: skip them. */
				bad++;
				proto = NULL;
				continue;
			}
			proto = arena_strdup(a, f[0]);
			laddr = arena_strdup(a, addr);
			lport = arena_printf(a, "%u", port);
			lmark = "";
		} else if (streq(f[0], "FWM")) {
			if (nf < 2)
				continue;
			proto = "FWM";
			laddr = "";
			lport = "0";
			lmark = arena_strdup(a, f[1]);
		} else if (streq(f[0], "->")) {
			struct backend *b = &bs[nb];
			if (nf < 6)
				continue;
			if (!proto) {
				bad++;
				continue;
			}
			if (parse_ip_port(f[1], addr, sizeof(addr), &port) < 0 || parse_u64_dec(f[3], &b->weight) < 0 ||
			    parse_u64_dec(f[4], &b->active) < 0 || parse_u64_dec(f[5], &b->inactive) < 0) {
				bad++;
				continue;
			}
			b->v[L_LOCAL_ADDRESS] = laddr;
			b->v[L_LOCAL_PORT] = lport;
			b->v[L_REMOTE_ADDRESS] = arena_strdup(a, addr);
			b->v[L_REMOTE_PORT] = arena_printf(a, "%u", port);
			b->v[L_PROTO] = proto;
			b->v[L_LOCAL_MARK] = lmark;
			for (int k = 0; k < L_COUNT; k++)
				if (!b->v[k])
					return -ENOMEM;
			nb++;
		}
	}

	qsort(bs, nb, sizeof(*bs), backend_cmp);
	struct family *fa = metric_family(c->ms, &backend_descs[0]);
	struct family *fi = metric_family(c->ms, &backend_descs[1]);
	struct family *fw = metric_family(c->ms, &backend_descs[2]);
	for (size_t i = 0; i < nb;) {
		struct backend sum = bs[i];
		size_t j = i + 1;
		const char *lv[L_COUNT];
		while (j < nb && backend_cmp(&bs[i], &bs[j]) == 0) {
			sum.active += bs[j].active;
			sum.inactive += bs[j].inactive;
			sum.weight += bs[j].weight;
			j++;
		}
		for (unsigned k = 0; k < n_sel; k++)
			lv[k] = sum.v[sel[k]];
		metric_addv(fa, (double)sum.active, lv);
		metric_addv(fi, (double)sum.inactive, lv);
		metric_addv(fw, (double)sum.weight, lv);
		i = j;
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "could not get backend status: %d malformed line(s) in %s", bad,
				c->path.p);
	return 0;
}

COLLECTOR(ipvs, .default_on = true, .flags = ipvs_flags, .init = ipvs_init);
