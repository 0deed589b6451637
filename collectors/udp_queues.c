/* udp_queues: node_udp_queues{ip,queue}, the sum of the tx_queue and rx_queue columns of /proc/net/udp
 * and /proc/net/udp6, as node_exporter's udp_queues collector (procfs NetUDPSummary / NetUDP6Summary).
 *
 * Every socket line must parse as procfs requires (at least 13 columns: sl, addresses and ports in hex,
 * state, queues, uid, inode, drops). A missing file skips that IP version; both missing is no data. */
#include "collector.h"
#include "gocompat.h"

METRIC(queues_desc, GAUGE, "node_udp_queues", "Number of allocated memory in the kernel for UDP datagrams in bytes.",
       "queue", "ip");

/* Go's strconv.ParseUint(s, 16, 64) on the whole string. */
static int parse_hex_strict(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int d = hex_digit((unsigned char)s[i]);
		if (d < 0)
			return -EINVAL;
		if (v >> 60)
			return -ERANGE;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

/* "<hex>:<hex>" with exactly one colon. hexbytes: the address must decode to 4 or 16 bytes (0: any hex). */
static int parse_pair(const char *s, bool address, uint64_t *a, uint64_t *b)
{
	const char *colon = strchr(s, ':');
	size_t la;

	if (!colon || strchr(colon + 1, ':'))
		return -EINVAL;
	la = (size_t)(colon - s);
	if (address) {
		/* hex.DecodeString, then 4 or 16 bytes */
		if (la != 8 && la != 32)
			return -EINVAL;
		for (size_t i = 0; i < la; i++) {
			char ch = s[i];
			if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
				return -EINVAL;
		}
		uint64_t port;
		return parse_hex_strict(colon + 1, strlen(colon + 1), &port);
	}
	if (parse_hex_strict(s, la, a) < 0)
		return -EINVAL;
	return parse_hex_strict(colon + 1, strlen(colon + 1), b);
}

/* Sums the queues of one socket table. Returns the number of malformed lines, or a negative errno when
 * the file cannot be read. */
static int udp_sum(struct collect_ctx *c, const char *file, uint64_t *tx, uint64_t *rx)
{
	ssize_t n = ctx_read(c, ROOT_PROC, "net/%s", file);
	char *p, *line;
	int bad = 0;

	if (n < 0)
		return (int)n;
	*tx = *rx = 0;
	p = c->buf.p;
	line = next_line(&p); /* header */
	while ((line = next_line(&p))) {
		char *f[14];
		uint64_t v, q_tx, q_rx;
		int nf = split_fields(line, f, 14);
		size_t l0;

		if (nf == 0) {
			/* A blank line: bufio.Scanner would hand it to the parser, which rejects it. */
			bad++;
			continue;
		}
		l0 = strlen(f[0]);
		if (nf < 13 || l0 < 2 || f[0][l0 - 1] != ':' || strchr(f[0], ':') != f[0] + l0 - 1) {
			bad++;
			continue;
		}
		f[0][l0 - 1] = '\0';
		if (go_parse_uint(f[0], 0, 64, &v) < 0 || parse_pair(f[1], true, NULL, NULL) < 0 ||
		    parse_pair(f[2], true, NULL, NULL) < 0 || parse_hex_strict(f[3], strlen(f[3]), &v) < 0 ||
		    parse_pair(f[4], false, &q_tx, &q_rx) < 0 || go_parse_uint(f[7], 0, 64, &v) < 0 ||
		    go_parse_uint(f[9], 0, 64, &v) < 0 || go_parse_uint(f[12], 0, 64, &v) < 0) {
			bad++;
			continue;
		}
		*tx += q_tx;
		*rx += q_rx;
	}
	return bad;
}

static int udp_queues_collect(struct collect_ctx *c)
{
	static const char *const files[2] = { "udp", "udp6" };
	static const char *const ips[2] = { "v4", "v6" };
	struct family *f = metric_family(c->ms, &queues_desc);
	int missing = 0, bad = 0;

	for (int i = 0; i < 2; i++) {
		uint64_t tx = 0, rx = 0;
		int r = udp_sum(c, files[i], &tx, &rx);
		if (r == -ENOENT) {
			log_debug(i ? "not collecting ipv6 based metrics" : "not collecting ipv4 based metrics");
			missing++;
			continue;
		}
		if (r < 0)
			return ctx_fail(c, r, "couldn't get %s queued bytes: %s: %s", files[i], c->path.p,
					strerror(-r));
		metric_add(f, (double)tx, "tx", ips[i]);
		metric_add(f, (double)rx, "rx", ips[i]);
		bad += r;
	}
	if (bad)
		return ctx_fail(c, -EINVAL, "couldn't get udp queued bytes: %d malformed socket line(s)", bad);
	if (missing == 2)
		return COLLECTOR_NO_DATA;
	return 0;
}

COLLECTOR(udp_queues, .default_on = true);
