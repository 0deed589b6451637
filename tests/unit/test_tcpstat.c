/* tcpstat: canned sock_diag replies (states, queue sums, IPv6 only when net/tcp6 exists, per-port counts,
 * malformed messages) and live sockets in a fresh network namespace, compared with ss(8). */
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "harness.h"
#include "netns.h"
#include "nlbuild.h"

extern const struct collector collector_tcpstat;

static int diag_error;
static int v6_requests;

static void put_sock(struct nlb *x, uint8_t family, uint8_t state, uint16_t sport, uint16_t dport, uint32_t rq,
		     uint32_t wq)
{
	struct inet_diag_msg d = { .idiag_family = family, .idiag_state = state, .idiag_rqueue = rq, .idiag_wqueue = wq };
	d.id.idiag_sport = htons(sport);
	d.id.idiag_dport = htons(dport);
	nlb_begin(x, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI);
	nlb_raw(x, &d, sizeof(d));
	nlb_end(x);
}

static int respond(struct nlb *x, int protocol, uint16_t type, const void *payload, size_t len)
{
	struct inet_diag_req_v2 req;

	if (protocol != NETLINK_SOCK_DIAG || type != SOCK_DIAG_BY_FAMILY || len != sizeof(req))
		return -EINVAL;
	memcpy(&req, payload, sizeof(req));
	if (req.sdiag_protocol != IPPROTO_TCP || req.idiag_states != 0xfff)
		return -EINVAL;
	if (diag_error) {
		nlb_error(x, diag_error);
		return 0;
	}
	if (req.sdiag_family == AF_INET) {
		put_sock(x, AF_INET, 10, 22, 0, 0, 128);     /* listen */
		put_sock(x, AF_INET, 1, 22, 50000, 5, 0);    /* established */
		put_sock(x, AF_INET, 1, 43210, 443, 0, 100); /* established */
		put_sock(x, AF_INET, 6, 22, 50001, 0, 0);    /* time_wait */
		put_sock(x, AF_INET, 12, 1, 2, 0, 0);        /* a state number node_exporter uses for rx bytes */
		put_sock(x, AF_INET, 0, 1, 2, 0, 0);         /* unknown */
		put_sock(x, AF_INET, 99, 1, 2, 0, 0);        /* unknown too, same series */
	} else if (req.sdiag_family == AF_INET6) {
		v6_requests++;
		put_sock(x, AF_INET6, 10, 22, 0, 1, 128);
		put_sock(x, AF_INET6, 8, 443, 1234, 0, 7); /* close_wait */
	} else {
		return -EINVAL;
	}
	nlb_done(x, 0);
	return 0;
}

#define S(state, port, dir, v) "node_tcp_connection_states{direction=\"" dir "\",port=\"" port "\",state=\"" state "\"} " v "\n"

static const char v4[] =
	S("established", "0", "total", "2") S("listen", "0", "total", "1") S("rx_queued_bytes", "0", "total", "6")
	S("time_wait", "0", "total", "1") S("tx_queued_bytes", "0", "total", "228") S("unknown", "0", "total", "2");

#define V4V6                                                                                               \
	S("close_wait", "0", "total", "1") S("established", "0", "total", "2") S("listen", "0", "total", "2") \
	S("rx_queued_bytes", "0", "total", "7") S("time_wait", "0", "total", "1")                            \
	S("tx_queued_bytes", "0", "total", "363") S("unknown", "0", "total", "2")
static const char v4v6[] = V4V6;

/* Sorted as the registry sorts: by direction, port, then state. */
static const char ports[] =
	S("established", "443", "dest", "1")
	S("established", "22", "source", "1") S("listen", "22", "source", "2") S("time_wait", "22", "source", "1")
	S("close_wait", "443", "source", "1") V4V6;

static const struct collector_case cases[] = {
	{ "IPv4 only without net/tcp6", { { "proc/net/tcp", "" } }, .expect = v4 },
	{ "IPv4 and IPv6", { { "proc/net/tcp6", "" } }, .expect = v4v6 },
	{ "ports (duplicates and non-canonical values ignored)", { { "proc/net/tcp6", "" } },
	  .args = { "--collector.tcpstat.port.source=22", "--collector.tcpstat.port.source=443",
		    "--collector.tcpstat.port.source=22", "--collector.tcpstat.port.dest=443",
		    "--collector.tcpstat.port.dest=0443", "--collector.tcpstat.port.dest=99999",
		    "--collector.tcpstat.port.dest=x" },
	  .expect = ports },
};

static const struct collector_case err_cases[] = {
	{ "dump refused", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
};

static int respond_short(struct nlb *x, int protocol, uint16_t type, const void *payload, size_t len)
{
	(void)protocol;
	(void)type;
	(void)payload;
	(void)len;
	put_sock(x, AF_INET, 1, 1, 2, 3, 4);
	nlb_begin(x, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI); /* too short for an inet_diag_msg */
	nlb_raw(x, "abcd", 4);
	nlb_end(x);
	nlb_done(x, 0);
	return 0;
}

static const struct collector_case short_cases[] = {
	{ "short message", { { "proc", NULL } },
	  .expect = S("established", "0", "total", "1") S("rx_queued_bytes", "0", "total", "3")
			  S("tx_queued_bytes", "0", "total", "4"),
	  .expect_fail = 1 },
};

static int respond_empty(struct nlb *x, int protocol, uint16_t type, const void *payload, size_t len)
{
	(void)protocol;
	(void)type;
	(void)payload;
	(void)len;
	nlb_done(x, 0);
	return 0;
}

static const struct collector_case empty_cases[] = {
	{ "no sockets at all: nothing", { { "proc/net/tcp6", "" } }, .expect = "" },
};

/* Counts `ss -tan` lines by state, and sums the Recv-Q and Send-Q columns of every line. */
static void ss_counts(const char *out, const char *state, int *n, long *rq, long *wq)
{
	*n = 0;
	*rq = *wq = 0;
	for (const char *p = out; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = strlen(state);
		long r = 0, w = 0;
		if (strncmp(p, state, len) == 0 && (p[len] == ' ' || p[len] == '\t'))
			(*n)++;
		if (sscanf(p, "%*s %ld %ld", &r, &w) == 2) {
			*rq += r;
			*wq += w;
		}
		p = nl ? nl + 1 : NULL;
	}
}

static void test_live(void)
{
	struct strbuf out = { 0 }, ss = { 0 };
	char err[200], want[1024];
	int fds[16], nfd = 0;

	/* qemu-user has no NETLINK_SOCK_DIAG: socket() fails EPROTONOSUPPORT. */
	if (test_qemu_lacks("NETLINK_SOCK_DIAG"))
		return;
	if (!netns_enter("tcpstat", "ip link set lo up"))
		return;
	fdcache_close_all();
	nodex_paths.procfs = "/proc";
	/* A listener on 127.0.0.1:4242 and two connections to it, one with 10 unread bytes. */
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(4242), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(l >= 0 && bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 16) == 0);
	fds[nfd++] = l;
	for (int i = 0; i < 2; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(c >= 0 && connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
		fds[nfd++] = c;
	}
	CHECK(write(fds[1], "0123456789", 10) == 10);
	usleep(100000);

	struct flag *sets[1] = { collector_tcpstat.flags };
	flags_set_defaults(collector_tcpstat.flags);
	flag_set(flag_find(sets, 1, "collector.tcpstat.port.source"), "4242", FLAG_SRC_CMDLINE, err, sizeof(err));
	flag_set(flag_find(sets, 1, "collector.tcpstat.port.dest"), "4242", FLAG_SRC_CMDLINE, err, sizeof(err));
	CHECK_INT(test_run_collector(&collector_tcpstat, &out), 0);
	flags_set_defaults(collector_tcpstat.flags);

	CHECK(netns_capture("ss -tan", &ss));
	int est = 0, lis = 0;
	long rq = 0, wq = 0;
	ss_counts(ss.p, "ESTAB", &est, &rq, &wq);
	ss_counts(ss.p, "LISTEN", &lis, &rq, &wq);
	CHECK_INT(est, 4);
	CHECK_INT(lis, 1);
	/* The unread bytes sit in a server-side socket's receive queue; a listener's queues are its accept
	 * queue and backlog, which ss shows in the same columns. */
	CHECK(rq >= 10);
	snprintf(want, sizeof(want),
		 S("established", "4242", "dest", "2") S("established", "4242", "source", "2")
		 S("listen", "4242", "source", "1") S("established", "0", "total", "%d") S("listen", "0", "total", "%d")
		 S("rx_queued_bytes", "0", "total", "%ld") S("tx_queued_bytes", "0", "total", "%ld"),
		 est, lis, rq, wq);
	CHECK(strstr(out.p, want) != NULL);
	if (!strstr(out.p, want))
		fprintf(stderr, "want:\n%s--- got:\n%s\n--- ss:\n%s", want, out.p, ss.p);

	for (int i = 0; i < nfd; i++)
		close(fds[i]);
	fdcache_close_all();
	netns_leave();
	sb_free(&out);
	sb_free(&ss);
}

int main(int argc, char **argv)
{
	(void)argc;
	nlb_serve(respond);
	test_collector_cases(&collector_tcpstat, cases, 1);
	CHECK_INT(v6_requests, 0);
	test_collector_cases(&collector_tcpstat, cases + 1, ARRAY_SIZE(cases) - 1);
	CHECK_INT(v6_requests, 2);
	diag_error = -EACCES;
	test_collector_cases(&collector_tcpstat, err_cases, ARRAY_SIZE(err_cases));
	diag_error = 0;
	nlb_serve(respond_short);
	test_collector_cases(&collector_tcpstat, short_cases, ARRAY_SIZE(short_cases));
	nlb_serve(respond_empty);
	test_collector_cases(&collector_tcpstat, empty_cases, ARRAY_SIZE(empty_cases));
	nlb_serve(NULL);
	test_live();
	return test_summary(argv[0]);
}
