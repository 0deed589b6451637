/* qdisc: the JSON fixture path (--collector.qdisc.fixtures), canned RTM_GETQDISC replies, and a live
 * namespace with qdiscs set up by tc(8). */
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "harness.h"
#include "json.h"
#include "netns.h"
#include "nlbuild.h"

extern const struct collector collector_qdisc;

#define FIX "--collector.qdisc.fixtures=@ROOT@/q"

static const char two[] = "[{\"IfaceName\":\"wlan0\",\"Bytes\":42,\"Packets\":42,\"Requeues\":1,\"Kind\":\"fq\",\"Drops\":1},\n"
			  " {\"IfaceName\":\"eth0\",\"Bytes\":83,\"Packets\":83,\"Requeues\":2,\"Kind\":\"pfifo_fast\","
			  "\"Overlimits\":5,\"Qlen\":6,\"Backlog\":7,\"Unknown\":\"ignored\"}]\n";

static const char two_out[] =
	"node_qdisc_backlog{device=\"eth0\",kind=\"pfifo_fast\"} 7\n"
	"node_qdisc_backlog{device=\"wlan0\",kind=\"fq\"} 0\n"
	"node_qdisc_bytes_total{device=\"eth0\",kind=\"pfifo_fast\"} 83\n"
	"node_qdisc_bytes_total{device=\"wlan0\",kind=\"fq\"} 42\n"
	"node_qdisc_current_queue_length{device=\"eth0\",kind=\"pfifo_fast\"} 6\n"
	"node_qdisc_current_queue_length{device=\"wlan0\",kind=\"fq\"} 0\n"
	"node_qdisc_drops_total{device=\"eth0\",kind=\"pfifo_fast\"} 0\n"
	"node_qdisc_drops_total{device=\"wlan0\",kind=\"fq\"} 1\n"
	"node_qdisc_overlimits_total{device=\"eth0\",kind=\"pfifo_fast\"} 5\n"
	"node_qdisc_overlimits_total{device=\"wlan0\",kind=\"fq\"} 0\n"
	"node_qdisc_packets_total{device=\"eth0\",kind=\"pfifo_fast\"} 83\n"
	"node_qdisc_packets_total{device=\"wlan0\",kind=\"fq\"} 42\n"
	"node_qdisc_requeues_total{device=\"eth0\",kind=\"pfifo_fast\"} 2\n"
	"node_qdisc_requeues_total{device=\"wlan0\",kind=\"fq\"} 1\n";

#define ONE(dev, kind, b, p, d, r, o, q, bl)                                            \
	"node_qdisc_backlog{device=\"" dev "\",kind=\"" kind "\"} " bl "\n"             \
	"node_qdisc_bytes_total{device=\"" dev "\",kind=\"" kind "\"} " b "\n"          \
	"node_qdisc_current_queue_length{device=\"" dev "\",kind=\"" kind "\"} " q "\n" \
	"node_qdisc_drops_total{device=\"" dev "\",kind=\"" kind "\"} " d "\n"          \
	"node_qdisc_overlimits_total{device=\"" dev "\",kind=\"" kind "\"} " o "\n"     \
	"node_qdisc_packets_total{device=\"" dev "\",kind=\"" kind "\"} " p "\n"        \
	"node_qdisc_requeues_total{device=\"" dev "\",kind=\"" kind "\"} " r "\n"

static const char children[] =
	"[{\"IfaceName\":\"eth0\",\"Kind\":\"prio\",\"Handle\":65536,\"Bytes\":10},"
	" {\"IfaceName\":\"eth0\",\"Kind\":\"pfifo\",\"Handle\":131072,\"Parent\":65537,\"Bytes\":4},"
	" {\"IfaceName\":\"eth0\",\"Kind\":\"ingress\",\"Handle\":4294901760,\"Parent\":4294967281}]";

static const char children_out[] =
	"node_qdisc_bytes_total{device=\"eth0\",handle=\"1:0\",kind=\"prio\",parent=\"root\"} 10\n"
	"node_qdisc_bytes_total{device=\"eth0\",handle=\"2:0\",kind=\"pfifo\",parent=\"1:1\"} 4\n"
	"node_qdisc_bytes_total{device=\"eth0\",handle=\"ffff:0\",kind=\"ingress\",parent=\"ffff:fff1\"} 0\n";

static const struct collector_case fixture_cases[] = {
	{ "two qdiscs", { { "q/results.json", two } }, .args = { FIX }, .expect = two_out },
	{ "device include", { { "q/results.json", two } }, .args = { FIX, "--collector.qdisc.device-include=eth" },
	  .expect = ONE("eth0", "pfifo_fast", "83", "83", "0", "2", "5", "6", "7") },
	{ "device exclude", { { "q/results.json", two } }, .args = { FIX, "--collector.qdisc.device-exclude=eth" },
	  .expect = ONE("wlan0", "fq", "42", "42", "1", "1", "0", "0", "0") },
	{ "deprecated qdisk flag", { { "q/results.json", two } },
	  .args = { FIX, "--collector.qdisk.device-include=wlan" },
	  .expect = ONE("wlan0", "fq", "42", "42", "1", "1", "0", "0", "0") },
	{ "children hidden by default", { { "q/results.json", children } }, .args = { FIX },
	  .expect = ONE("eth0", "prio", "10", "0", "0", "0", "0", "0", "0") },
	{ "empty array", { { "q/results.json", "[]" } }, .args = { FIX }, .expect = "" },
	{ "null", { { "q/results.json", "null" } }, .args = { FIX }, .expect = "" },
	{ "missing file", { { "q", NULL } }, .args = { FIX }, .expect = "", .expect_fail = 1 },
	{ "not JSON", { { "q/results.json", "[{" } }, .args = { FIX }, .expect = "", .expect_fail = 1 },
	{ "not an array", { { "q/results.json", "{}" } }, .args = { FIX }, .expect = "", .expect_fail = 1 },
	{ "negative", { { "q/results.json", "[{\"IfaceName\":\"a\",\"Bytes\":-1}]" } }, .args = { FIX },
	  .expect = "", .expect_fail = 1 },
	{ "32-bit overflow", { { "q/results.json", "[{\"IfaceName\":\"a\",\"Packets\":4294967296}]" } },
	  .args = { FIX }, .expect = "", .expect_fail = 1 },
	{ "string for a number", { { "q/results.json", "[{\"IfaceName\":\"a\",\"Bytes\":\"1\"}]" } },
	  .args = { FIX }, .expect = "", .expect_fail = 1 },
	{ "huge bytes", { { "q/results.json", "[{\"IfaceName\":\"a\",\"Kind\":\"k\",\"Bytes\":18446744073709551615}]" } },
	  .args = { FIX }, .expect = ONE("a", "k", "1.8446744073709552e+19", "0", "0", "0", "0", "0", "0") },
};

/* ---- RTM_GETQDISC ---- */

static int scenario;

static void put_qdisc(struct nlb *x, int ifindex, uint32_t handle, uint32_t parent, const char *kind,
		      uint64_t bytes, int with_legacy)
{
	struct tcmsg t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_handle = handle, .tcm_parent = parent };
	struct gnet_stats_basic b = { .bytes = bytes, .packets = (uint32_t)bytes / 10 };
	struct gnet_stats_queue q = { .qlen = 1, .backlog = 2, .drops = 3, .requeues = 4, .overlimits = 5 };
	struct tc_stats legacy = { .bytes = bytes + 1, .packets = 9, .drops = 8, .overlimits = 7, .qlen = 6, .backlog = 5 };

	nlb_begin(x, RTM_NEWQDISC, NLM_F_MULTI);
	nlb_raw(x, &t, sizeof(t));
	nlb_str(x, TCA_KIND, kind);
	nlb_nest(x, TCA_STATS2);
	nlb_attr(x, TCA_STATS_BASIC, &b, sizeof(b));
	nlb_attr(x, TCA_STATS_QUEUE, &q, sizeof(q));
	nlb_nest_end(x);
	if (with_legacy == 1)
		nlb_attr(x, TCA_STATS, &legacy, sizeof(legacy));
	if (with_legacy == 2)
		nlb_attr(x, TCA_STATS, &legacy, 20); /* too short */
	nlb_end(x);
}

static int respond(struct nlb *x, int protocol, uint16_t type, const void *payload, size_t len)
{
	(void)payload;
	(void)len;
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	if (type == RTM_GETLINK) {
		const char *names[] = { NULL, "lo", "eth0" };
		for (int i = 1; i <= 2; i++) {
			struct ifinfomsg ifi = { .ifi_index = i };
			nlb_begin(x, RTM_NEWLINK, NLM_F_MULTI);
			nlb_raw(x, &ifi, sizeof(ifi));
			nlb_str(x, IFLA_IFNAME, names[i]);
			nlb_end(x);
		}
		nlb_done(x, 0);
		return 0;
	}
	if (type != RTM_GETQDISC)
		return -EINVAL;
	switch (scenario) {
	case 0:
		put_qdisc(x, 1, 0, TC_H_ROOT, "noqueue", 0, 0);
		put_qdisc(x, 2, 0x10000, TC_H_ROOT, "prio", 100, 1);   /* legacy stats come last and win */
		put_qdisc(x, 2, 0x20000, 0x10001, "fq_codel", 50, 0);  /* a child */
		put_qdisc(x, 2, 0xffff0000, TC_H_INGRESS, "ingress", 0, 0);
		break;
	case 1:
		put_qdisc(x, 1, 0, TC_H_ROOT, "noqueue", 0, 0);
		put_qdisc(x, 7, 0, TC_H_ROOT, "pfifo_fast", 0, 0); /* no such interface */
		break;
	case 2:
		put_qdisc(x, 2, 0x10000, TC_H_ROOT, "prio", 100, 2);
		break;
	}
	nlb_done(x, 0);
	return 0;
}

static const char nl_root[] =
	"node_qdisc_backlog{device=\"eth0\",kind=\"prio\"} 5\n"
	"node_qdisc_backlog{device=\"lo\",kind=\"noqueue\"} 2\n"
	"node_qdisc_bytes_total{device=\"eth0\",kind=\"prio\"} 101\n"
	"node_qdisc_bytes_total{device=\"lo\",kind=\"noqueue\"} 0\n"
	"node_qdisc_current_queue_length{device=\"eth0\",kind=\"prio\"} 6\n"
	"node_qdisc_current_queue_length{device=\"lo\",kind=\"noqueue\"} 1\n"
	"node_qdisc_drops_total{device=\"eth0\",kind=\"prio\"} 8\n"
	"node_qdisc_drops_total{device=\"lo\",kind=\"noqueue\"} 3\n"
	"node_qdisc_overlimits_total{device=\"eth0\",kind=\"prio\"} 7\n"
	"node_qdisc_overlimits_total{device=\"lo\",kind=\"noqueue\"} 5\n"
	"node_qdisc_packets_total{device=\"eth0\",kind=\"prio\"} 9\n"
	"node_qdisc_packets_total{device=\"lo\",kind=\"noqueue\"} 0\n"
	"node_qdisc_requeues_total{device=\"eth0\",kind=\"prio\"} 4\n"
	"node_qdisc_requeues_total{device=\"lo\",kind=\"noqueue\"} 4\n";

static const struct collector_case nl_cases[] = {
	{ "root qdiscs", { { "proc", NULL } }, .expect = nl_root },
};

static const char nl_child_bytes[] =
	"node_qdisc_bytes_total{device=\"eth0\",handle=\"1:0\",kind=\"prio\",parent=\"root\"} 101\n"
	"node_qdisc_bytes_total{device=\"eth0\",handle=\"2:0\",kind=\"fq_codel\",parent=\"1:1\"} 50\n"
	"node_qdisc_bytes_total{device=\"eth0\",handle=\"ffff:0\",kind=\"ingress\",parent=\"ffff:fff1\"} 0\n"
	"node_qdisc_bytes_total{device=\"lo\",handle=\"0:0\",kind=\"noqueue\",parent=\"root\"} 0\n";

static const struct collector_case nl_missing[] = {
	{ "unknown interface fails the run", { { "proc", NULL } },
	  .expect = ONE("lo", "noqueue", "0", "0", "3", "4", "5", "1", "2"), .expect_fail = 1 },
};

static const struct collector_case nl_short[] = {
	{ "short legacy stats", { { "proc", NULL } },
	  .expect = ONE("eth0", "prio", "100", "10", "3", "4", "5", "1", "2"), .expect_fail = 1 },
};

/* Runs c with args and keeps only lines starting with prefix. */
static int run_filtered(const char *const *args, const char *prefix, struct strbuf *out)
{
	struct strbuf all = { 0 };
	char err[200];
	struct flag *sets[1] = { collector_qdisc.flags };

	flags_set_defaults(collector_qdisc.flags);
	for (; *args; args++) {
		const char *eq = strchr(*args, '=');
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)(eq ? (size_t)(eq - *args) : strlen(*args)), *args);
		flag_set(flag_find(sets, 1, name), eq ? eq + 1 : "true", FLAG_SRC_CMDLINE, err, sizeof(err));
	}
	int r = test_run_collector(&collector_qdisc, &all);
	sb_reset(out);
	for (char *p = all.p; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			sb_append(out, p, len);
		p += len;
	}
	flags_set_defaults(collector_qdisc.flags);
	sb_free(&all);
	return r;
}

/* A namespace with an htb qdisc, a child qdisc and ingress on a veth (htb, as the kernels we test on may
 * lack prio): the collector's root qdiscs and, with
 * include-child, every qdisc match `tc -s -j qdisc show`. */
static void test_live(void)
{
	struct strbuf out = { 0 }, tc = { 0 };
	struct arena a = { 0 };
	char err[200], want[256];

	/* qemu-user translates RTM_NEWLINK/ADDR/ROUTE answers only: a qdisc dump's recvfrom fails EINVAL. */
	if (test_qemu_lacks("RTM_GETQDISC"))
		return;
	/* IPv6 off: router solicitations and DAD would send packets between the two reads below. */
	if (!netns_enter("qdisc", "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 && "
				  "ip link add va type veth peer name vb && ip link set va up && ip link set vb up && "
				  "tc qdisc add dev va root handle 1: htb && "
				  "tc class add dev va parent 1: classid 1:1 htb rate 1mbit && "
				  "tc qdisc add dev va parent 1:1 handle 10: htb && "
				  "tc qdisc add dev va ingress"))
		return;
	const char *child_args[] = { "collector.qdisc.include-child", NULL };
	CHECK_INT(run_filtered(child_args, "node_qdisc_bytes_total", &out), 0);
	CHECK(netns_capture("tc -s -j qdisc show", &tc));
	const struct json *j = json_parse(tc.p, tc.len, &a, err, sizeof(err));
	int n = 0;
	CHECK(j && j->type == JSON_ARRAY);
	for (const struct json *q = j ? j->child : NULL; q; q = q->next) {
		const struct json *kind = json_get(q, "kind"), *dev = json_get(q, "dev"), *handle = json_get(q, "handle");
		uint64_t bytes = 99;
		if (!kind || !dev || !handle)
			continue;
		CHECK_INT(json_u64(json_get(q, "bytes"), &bytes), 0);
		/* tc prints handles as "1:"; the collector as "1:0". */
		snprintf(want, sizeof(want), "device=\"%s\",handle=\"%.*s0\",kind=\"%s\"", dev->str,
			 (int)handle->len, handle->str, kind->str);
		char *line = strstr(out.p ? out.p : "", want);
		CHECK(line != NULL);
		if (!line)
			fprintf(stderr, "missing %s in:\n%s", want, out.p);
		/* And the same byte count as tc reports. */
		const char *val = line ? strstr(line, "} ") : NULL;
		uint64_t got = 0;
		const char *vend;
		CHECK(val && parse_u64(val + 2, &vend, &got) == 0 && got == bytes);
		if (val && got != bytes)
			fprintf(stderr, "%s: collector %llu, tc %llu\n", want, (unsigned long long)got, (unsigned long long)bytes);
		n++;
	}
	/* va's htb, its child and ingress, and vb's noqueue (lo is down: no qdisc). */
	CHECK_INT(n, 4);
	int lines = 0;
	for (const char *p = out.p; p && (p = strchr(p, '\n')); p++)
		lines++;
	CHECK_INT(lines, n);
	CHECK(strstr(out.p, "kind=\"ingress\",parent=\"ffff:fff1\"") != NULL);
	CHECK(strstr(out.p, "handle=\"10:0\",kind=\"htb\",parent=\"1:1\"") != NULL);

	const char *none[] = { NULL };
	CHECK_INT(run_filtered(none, "node_qdisc_bytes_total", &out), 0);
	CHECK(strstr(out.p, "node_qdisc_bytes_total{device=\"va\",kind=\"htb\"}") != NULL);
	CHECK(strstr(out.p, "node_qdisc_bytes_total{device=\"vb\",kind=\"noqueue\"}") != NULL);
	CHECK(strstr(out.p, "ingress") == NULL);
	netns_leave();
	arena_free(&a);
	sb_free(&out);
	sb_free(&tc);
}

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };
	(void)argc;

	test_collector_cases(&collector_qdisc, fixture_cases, ARRAY_SIZE(fixture_cases));

	/* include-child with the fixture: parent and handle labels. */
	{
		const struct tfile files[] = { { "q/results.json", children } };
		char fix[300];
		const char *root = test_make_root(files, 1);
		snprintf(fix, sizeof(fix), "collector.qdisc.fixtures=%s/q", root);
		const char *args[] = { fix, "collector.qdisc.include-child", NULL };
		CHECK_INT(run_filtered(args, "node_qdisc_bytes_total", &out), 0);
		CHECK_STR(out.p, children_out);
		test_remove_root();
	}

	nlb_serve(respond);
	scenario = 0;
	test_collector_cases(&collector_qdisc, nl_cases, ARRAY_SIZE(nl_cases));
	const char *child_args[] = { "collector.qdisc.include-child", NULL };
	CHECK_INT(run_filtered(child_args, "node_qdisc_bytes_total", &out), 0);
	CHECK_STR(out.p, nl_child_bytes);
	scenario = 1;
	test_collector_cases(&collector_qdisc, nl_missing, ARRAY_SIZE(nl_missing));
	scenario = 2;
	test_collector_cases(&collector_qdisc, nl_short, ARRAY_SIZE(nl_short));
	nlb_serve(NULL);

	test_live();
	sb_free(&out);
	return test_summary(argv[0]);
}
