/* tcpstat: node_tcp_connection_states {direction,port,state}, TCP sockets by state, as node_exporter's
 * tcpstat collector: a sock_diag (INET_DIAG) dump of every TCP socket for IPv4, and for IPv6 when
 * <procfs>/net/tcp6 exists. The totals carry port="0" direction="total" and include rx_queued_bytes and
 * tx_queued_bytes (sums of the receive and send queues). --collector.tcpstat.port.source /
 * --collector.tcpstat.port.dest add counts per state for the listed local / remote ports. */
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "collector.h"
#include "netlink.h"

static struct strlist opt_sports, opt_dports;

static struct flag tcpstat_flags[] = {
	{ "collector.tcpstat.port.source", FLAG_STRINGS, NULL, "List of tcpstat source ports", &opt_sports },
	{ "collector.tcpstat.port.dest", FLAG_STRINGS, NULL, "List of tcpstat destination ports", &opt_dports },
	{ NULL },
};

METRIC(states_desc, GAUGE, "node_tcp_connection_states", "Number of connection states.", "state", "port", "direction");

/* node_exporter's tcpConnectionState: the kernel's TCP states 1..11, then two pseudo-states for the queue
 * sums at 12 and 13. A kernel state with one of those numbers lands in that slot, as it does there. */
enum { T_RX_QUEUED = 12, T_TX_QUEUED = 13, T_N = 14 };

/* Slots 1..13 as above; slot 0 collects every other value ("unknown"). */
static const char *const slot_names[T_N] = {
	[0] = "unknown",    [1] = "established", [2] = "syn_sent", [3] = "syn_recv",   [4] = "fin_wait1",
	[5] = "fin_wait2",  [6] = "time_wait",   [7] = "close",    [8] = "close_wait", [9] = "last_ack",
	[10] = "listen",    [11] = "closing",    [12] = "rx_queued_bytes", [13] = "tx_queued_bytes",
};

static unsigned slot(uint8_t state)
{
	return state < T_N ? state : 0;
}

/* Per-port counts for one direction: ports[i] with counts by state. */
struct port_counts {
	uint16_t port;
	bool valid; /* the flag value is a port number Go's strconv.Itoa could print */
	double n[T_N]; /* by slot */
};

struct tcp_totals {
	double by_slot[T_N];
	double rx_queued, tx_queued;
	bool any; /* at least one socket: node_exporter emits nothing without */
};

static struct port_counts *sports, *dports;

/* A port flag value matches only if it is exactly how Go prints the port: decimal, no sign, no leading
 * zeros. Anything else never matches (node_exporter compares strings). */
static bool port_value(const char *s, uint16_t *out)
{
	uint64_t v;
	char buf[8];

	if (parse_u64(s, NULL, &v) < 0 || v > 65535)
		return false;
	snprintf(buf, sizeof(buf), "%u", (unsigned)v);
	if (!streq(buf, s))
		return false;
	*out = (uint16_t)v;
	return true;
}

static struct port_counts *ports_init(const struct strlist *l)
{
	struct port_counts *p;

	if (!l->n)
		return NULL;
	p = calloc(l->n, sizeof(*p));
	if (!p)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		p[i].valid = port_value(l->v[i], &p[i].port);
	return p;
}

static int tcpstat_init(char *err, size_t err_size)
{
	sports = ports_init(&opt_sports);
	dports = ports_init(&opt_dports);
	if ((opt_sports.n && !sports) || (opt_dports.n && !dports)) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static void tcpstat_fini(void)
{
	free(sports);
	free(dports);
	sports = dports = NULL;
}

/* Counts one dump's inet_diag_msg replies. Returns the number of malformed messages. */
static int count_sockets(const void *buf, size_t len, struct tcp_totals *t)
{
	struct nl_iter it;
	struct nl_msg m;
	int bad = 0;

	nl_iter_init(&it, buf, len);
	while (nl_next_msg(&it, &m)) {
		struct inet_diag_msg d;

		if (m.type != SOCK_DIAG_BY_FAMILY)
			continue;
		if (m.len < sizeof(d)) {
			bad++;
			continue;
		}
		memcpy(&d, m.data, sizeof(d));
		t->any = true;
		t->by_slot[slot(d.idiag_state)]++;
		t->rx_queued += d.idiag_rqueue;
		t->tx_queued += d.idiag_wqueue;
		uint16_t sport = ntohs(d.id.idiag_sport), dport = ntohs(d.id.idiag_dport);
		for (size_t i = 0; sports && i < opt_sports.n; i++)
			if (sports[i].valid && sports[i].port == sport)
				sports[i].n[slot(d.idiag_state)]++;
		for (size_t i = 0; dports && i < opt_dports.n; i++)
			if (dports[i].valid && dports[i].port == dport)
				dports[i].n[slot(d.idiag_state)]++;
	}
	if (it.bad)
		bad++;
	return bad;
}

static struct strbuf buf; /* netlink replies, kept between runs */

static int dump_family(struct nl_sock *s, uint8_t family, struct tcp_totals *t, int *bad)
{
	struct inet_diag_req_v2 req = {
		.sdiag_family = family,
		.sdiag_protocol = IPPROTO_TCP,
		.idiag_states = 0xfff, /* TCPF_ALL: every state up to TCP_CLOSING */
	};
	int r = nl_transact(s, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, &req, sizeof(req), &buf);

	if (r < 0)
		return r;
	*bad += count_sockets(buf.p, buf.len, t);
	return 0;
}

static void emit_ports(struct family *f, struct port_counts *p, const struct strlist *l, const char *direction)
{
	for (size_t i = 0; p && i < l->n; i++) {
		/* The same port listed twice is counted once, as a set in node_exporter. */
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup = dup || streq(l->v[j], l->v[i]);
		if (dup || !p[i].valid)
			continue;
		for (unsigned s = 0; s < T_N; s++) {
			if (p[i].n[s])
				metric_add(f, p[i].n[s], slot_names[s], l->v[i], direction);
		}
	}
}

static int tcpstat_collect(struct collect_ctx *c)
{
	struct nl_sock s = { .fd = -1 };
	struct tcp_totals t = { 0 };
	int bad = 0, r;

	for (size_t i = 0; sports && i < opt_sports.n; i++)
		memset(sports[i].n, 0, sizeof(sports[i].n));
	for (size_t i = 0; dports && i < opt_dports.n; i++)
		memset(dports[i].n, 0, sizeof(dports[i].n));

	if ((r = nl_open(&s, NETLINK_SOCK_DIAG)) < 0)
		return ctx_fail(c, r, "couldn't get tcpstats: couldn't connect netlink: %s", strerror(-r));
	r = dump_family(&s, AF_INET, &t, &bad);
	if (r < 0) {
		nl_close(&s);
		return ctx_fail(c, r, "couldn't get tcpstats: %s", strerror(-r));
	}
	if (access(ctx_path(c, ROOT_PROC, "net/tcp6"), F_OK) == 0) {
		r = dump_family(&s, AF_INET6, &t, &bad);
		if (r < 0) {
			nl_close(&s);
			return ctx_fail(c, r, "couldn't get tcp6stats: %s", strerror(-r));
		}
	}
	nl_close(&s);

	struct family *f = metric_family(c->ms, &states_desc);
	if (t.any) {
		/* The states seen, and the queue sums (always, once there is a socket). A kernel state 12 or 13
		 * falls into the queue slot of that number, as in node_exporter's map; all other unknown values
		 * share one "unknown" series (node_exporter would emit duplicates). */
		t.by_slot[T_RX_QUEUED] += t.rx_queued;
		t.by_slot[T_TX_QUEUED] += t.tx_queued;
		for (unsigned st = 0; st < T_N; st++) {
			if (t.by_slot[st] != 0 || st == T_RX_QUEUED || st == T_TX_QUEUED)
				metric_add(f, t.by_slot[st], slot_names[st], "0", "total");
		}
	}
	emit_ports(f, sports, &opt_sports, "source");
	emit_ports(f, dports, &opt_dports, "dest");
	if (bad)
		return ctx_fail(c, -EBADMSG, "couldn't parse tcpstats: %d malformed message(s)", bad);
	return 0;
}

static void tcpstat_free(void)
{
	tcpstat_fini();
	sb_free(&buf);
}

COLLECTOR(tcpstat, .default_on = false, .flags = tcpstat_flags, .init = tcpstat_init, .fini = tcpstat_free);
