/* arp: /proc/net/arp counting (--no-collector.arp.netlink), the RTM_GETNEIGH path on canned replies, and
 * a live namespace with neighbours added by ip(8). */
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "harness.h"
#include "netns.h"
#include "nlbuild.h"

extern const struct collector collector_arp;

#define ARP_HDR "IP address       HW type     Flags       HW address            Mask     Device\n"
#define ARP_ENTRY(ip, dev) ip "    0x1         0x2         cc:aa:dd:ee:aa:bb     *        " dev "\n"

static const char three[] = ARP_HDR ARP_ENTRY("192.168.1.1", "eth0") ARP_ENTRY("192.168.1.2", "eth0")
	ARP_ENTRY("10.0.0.1", "eth1") "192.168.1.9    0x1         0x0         00:00:00:00:00:00     *        eth0\n";

#define NOLINK "--no-collector.arp.netlink"

static const struct collector_case proc_cases[] = {
	{ "entries per device", { { "proc/net/arp", three } }, .args = { NOLINK },
	  .expect = "node_arp_entries{device=\"eth0\"} 3\nnode_arp_entries{device=\"eth1\"} 1\n" },
	{ "include", { { "proc/net/arp", three } }, .args = { NOLINK, "--collector.arp.device-include=1$" },
	  .expect = "node_arp_entries{device=\"eth1\"} 1\n" },
	{ "exclude", { { "proc/net/arp", three } }, .args = { NOLINK, "--collector.arp.device-exclude=eth0" },
	  .expect = "node_arp_entries{device=\"eth1\"} 1\n" },
	{ "header only", { { "proc/net/arp", ARP_HDR } }, .args = { NOLINK }, .expect = "" },
	{ "empty", { { "proc/net/arp", "" } }, .args = { NOLINK }, .expect = "" },
	{ "blank lines", { { "proc/net/arp", "\n" ARP_HDR "\n" ARP_ENTRY("1.2.3.4", "eth0") "\n" } },
	  .args = { NOLINK }, .expect = "node_arp_entries{device=\"eth0\"} 1\n" },
	{ "missing", { { "proc", NULL } }, .args = { NOLINK }, .expect = "", .expect_fail = 1 },
	{ "five columns", { { "proc/net/arp", ARP_HDR ARP_ENTRY("1.2.3.4", "eth0") "1.2.3.5 0x1 0x2 aa:bb:cc:dd:ee:ff *\n" } },
	  .args = { NOLINK }, .expect = "", .expect_fail = 1 },
	{ "bad hardware address", { { "proc/net/arp", ARP_HDR "1.2.3.5 0x1 0x2 zz:bb:cc:dd:ee:ff * eth0\n" } },
	  .args = { NOLINK }, .expect = "", .expect_fail = 1 },
	{ "bad flags", { { "proc/net/arp", ARP_HDR "1.2.3.5 0x1 0xfff aa:bb:cc:dd:ee:ff * eth0\n" } },
	  .args = { NOLINK }, .expect = "", .expect_fail = 1 },
	{ "truncated line", { { "proc/net/arp", ARP_HDR ARP_ENTRY("1.2.3.4", "eth0") "1.2.3.5 0x1 0x2 aa:bb" } },
	  .args = { NOLINK }, .expect = "", .expect_fail = 1 },
	{ "infiniband address", { { "proc/net/arp", ARP_HDR "10.1.1.1 0x20 0x2 80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:0b:0c * ib0\n" } },
	  .args = { NOLINK }, .expect = "node_arp_entries{device=\"ib0\"} 1\n" },
};

/* ---- RTM_GETNEIGH ---- */

static int neigh_error;

static void put_neigh(struct nlb *x, int family, int ifindex, uint16_t state)
{
	struct ndmsg nd = { .ndm_family = (uint8_t)family, .ndm_ifindex = ifindex, .ndm_state = state };
	unsigned char ip[16] = { 10, 0, 0, (unsigned char)ifindex };
	unsigned char mac[6] = { 2, 0, 0, 0, 0, (unsigned char)state };

	nlb_begin(x, RTM_NEWNEIGH, NLM_F_MULTI);
	nlb_raw(x, &nd, sizeof(nd));
	nlb_attr(x, NDA_DST, ip, family == AF_INET ? 4 : 16);
	nlb_attr(x, NDA_LLADDR, mac, 6);
	nlb_end(x);
}

static int respond(struct nlb *x, int protocol, uint16_t type, const void *payload, size_t len)
{
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	if (type == RTM_GETLINK) {
		const char *names[] = { NULL, "lo", "eth0", "eth1" };
		for (int i = 1; i <= 3; i++) {
			struct ifinfomsg ifi = { .ifi_index = i };
			nlb_begin(x, RTM_NEWLINK, NLM_F_MULTI);
			nlb_raw(x, &ifi, sizeof(ifi));
			nlb_str(x, IFLA_IFNAME, names[i]);
			nlb_end(x);
		}
		nlb_done(x, 0);
		return 0;
	}
	if (type == RTM_GETNEIGH) {
		struct ndmsg req;
		if (len < sizeof(req))
			return -EINVAL;
		memcpy(&req, payload, sizeof(req));
		if (req.ndm_family != AF_INET)
			return -EINVAL; /* the collector must ask for the IPv4 table only */
		if (neigh_error) {
			nlb_error(x, neigh_error);
			return 0;
		}
		put_neigh(x, AF_INET, 2, NUD_REACHABLE);
		put_neigh(x, AF_INET, 2, NUD_STALE);
		put_neigh(x, AF_INET, 2, NUD_STALE);
		put_neigh(x, AF_INET, 2, NUD_PERMANENT);
		put_neigh(x, AF_INET, 2, NUD_NOARP);                 /* not an ARP entry */
		put_neigh(x, AF_INET, 1, NUD_NOARP | NUD_PERMANENT); /* neither */
		put_neigh(x, AF_INET, 3, NUD_FAILED);
		put_neigh(x, AF_INET, 3, NUD_NONE);     /* no name in node_exporter's map */
		put_neigh(x, AF_INET6, 3, NUD_REACHABLE); /* an IPv6 neighbour slipped in */
		put_neigh(x, AF_INET, 42, NUD_REACHABLE); /* an interface that went away */
		nlb_done(x, 0);
		return 0;
	}
	return -EINVAL;
}

static const char nl_all[] =
	"node_arp_entries{device=\"eth0\"} 4\n"
	"node_arp_entries{device=\"eth1\"} 2\n"
	"node_arp_states{device=\"eth0\",state=\"permanent\"} 1\n"
	"node_arp_states{device=\"eth0\",state=\"reachable\"} 1\n"
	"node_arp_states{device=\"eth0\",state=\"stale\"} 2\n"
	"node_arp_states{device=\"eth1\",state=\"\"} 1\n"
	"node_arp_states{device=\"eth1\",state=\"failed\"} 1\n";

static const struct collector_case nl_cases[] = {
	{ "neighbours by device and state", { { "proc", NULL } }, .expect = nl_all },
	{ "exclude", { { "proc", NULL } }, .args = { "--collector.arp.device-exclude=eth0" },
	  .expect = "node_arp_entries{device=\"eth1\"} 2\n"
		    "node_arp_states{device=\"eth1\",state=\"\"} 1\n"
		    "node_arp_states{device=\"eth1\",state=\"failed\"} 1\n" },
	{ "/proc/net/arp is not read", { { "proc/net/arp", "garbage\n" } }, .expect = nl_all },
};

static const struct collector_case nl_err_cases[] = {
	{ "dump refused", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
};

/* Neighbours added in a fresh namespace: the netlink and /proc/net/arp paths count the same entries,
 * and the states match what ip(8) shows. */
static void test_live(void)
{
	struct strbuf nl = { 0 }, proc = { 0 };
	char err[200];

	/* qemu-user translates RTM_NEWLINK/ADDR/ROUTE answers only: a neighbour dump's recvfrom fails EINVAL. */
	if (test_qemu_lacks("RTM_GETNEIGH"))
		return;
	if (!netns_enter("arp", "ip link add va type veth peer name vb && ip link add vc type veth peer name vd && "
				"ip link set va up && ip link set vc up && "
				"ip neigh add 10.9.9.5 lladdr 02:00:00:00:00:05 dev va nud permanent && "
				"ip neigh add 10.9.9.6 lladdr 02:00:00:00:00:06 dev va nud reachable && "
				"ip neigh add 10.9.9.7 lladdr 02:00:00:00:00:07 dev va nud stale && "
				"ip neigh add 10.9.9.8 dev vc nud noarp && "
				"ip neigh add 10.9.10.8 lladdr 02:00:00:00:00:08 dev vc nud permanent && "
				"ip -6 neigh add fd00::1 lladdr 02:00:00:00:00:09 dev vc nud permanent"))
		return;
	fdcache_close_all();
	nodex_paths.procfs = "/proc";
	flags_set_defaults(collector_arp.flags);
	CHECK_INT(test_run_collector(&collector_arp, &nl), 0);
	CHECK(strstr(nl.p, "node_arp_entries{device=\"va\"} 3\n") != NULL);
	CHECK(strstr(nl.p, "node_arp_entries{device=\"vc\"} 1\n") != NULL);
	CHECK(strstr(nl.p, "node_arp_states{device=\"va\",state=\"permanent\"} 1\n") != NULL);
	CHECK(strstr(nl.p, "node_arp_states{device=\"vc\",state=\"permanent\"} 1\n") != NULL);
	CHECK(strstr(nl.p, "state=\"noarp\"") == NULL);
	{
		struct flag *sets[1] = { collector_arp.flags };
		flag_set(flag_find(sets, 1, "collector.arp.netlink"), "false", FLAG_SRC_CMDLINE, err, sizeof(err));
	}
	CHECK_INT(test_run_collector(&collector_arp, &proc), 0);
	flags_set_defaults(collector_arp.flags);
	CHECK(strstr(proc.p, "node_arp_entries{device=\"va\"} 3\n") != NULL);
	CHECK(strstr(proc.p, "node_arp_entries{device=\"vc\"} 1\n") != NULL);
	CHECK(strstr(proc.p, "node_arp_states") == NULL);
	fdcache_close_all();
	netns_leave();
	sb_free(&nl);
	sb_free(&proc);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_arp, proc_cases, ARRAY_SIZE(proc_cases));
	nlb_serve(respond);
	test_collector_cases(&collector_arp, nl_cases, ARRAY_SIZE(nl_cases));
	neigh_error = -EPERM;
	test_collector_cases(&collector_arp, nl_err_cases, ARRAY_SIZE(nl_err_cases));
	neigh_error = 0;
	nlb_serve(NULL);
	test_live();
	return test_summary(argv[0]);
}
