/* network_route: canned RTM_GETROUTE replies (unicast, multipath, blackhole, unreachable, other types,
 * table names from rt_tables files, malformed attributes) and a live namespace set up with ip(8). */
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "harness.h"
#include "netns.h"
#include "nlbuild.h"

extern const struct collector collector_network_route;
extern const char *network_route_rt_tables, *network_route_rt_tables_d;

static int scenario;

static void put_route(struct nlb *x, uint8_t family, uint8_t type, uint8_t proto, uint8_t dst_len, const void *dst,
		      const void *gw, const void *src, int oif, uint32_t prio, uint32_t table)
{
	struct rtmsg rt = { .rtm_family = family, .rtm_dst_len = dst_len, .rtm_table = RT_TABLE_MAIN,
			    .rtm_protocol = proto, .rtm_type = type };
	size_t alen = family == AF_INET ? 4 : 16;

	nlb_begin(x, RTM_NEWROUTE, NLM_F_MULTI);
	nlb_raw(x, &rt, sizeof(rt));
	nlb_u32(x, RTA_TABLE, table);
	if (dst)
		nlb_attr(x, RTA_DST, dst, alen);
	if (prio)
		nlb_u32(x, RTA_PRIORITY, prio);
	if (src)
		nlb_attr(x, RTA_PREFSRC, src, alen);
	if (gw)
		nlb_attr(x, RTA_GATEWAY, gw, alen);
	if (oif)
		nlb_u32(x, RTA_OIF, (uint32_t)oif);
	nlb_end(x);
}

static int respond(struct nlb *x, int protocol, uint16_t type, const void *payload, size_t len)
{
	static const unsigned char net10[4] = { 10, 1, 0, 0 }, gw4[4] = { 10, 0, 0, 1 }, src4[4] = { 10, 0, 0, 2 },
				   any4[4] = { 0 }, black[4] = { 192, 0, 2, 0 }, mapped[16] = { [10] = 0xff, [11] = 0xff, 10, 9, 0, 0 };
	static const unsigned char net6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 }, gw6[16] = { 0xfe, 0x80, [15] = 1 };

	(void)payload;
	(void)len;
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
	if (type != RTM_GETROUTE)
		return -EINVAL;
	if (scenario == 1) { /* an address of the wrong length */
		struct rtmsg rt = { .rtm_family = AF_INET, .rtm_dst_len = 8, .rtm_type = RTN_UNICAST };
		put_route(x, AF_INET, RTN_UNICAST, RTPROT_KERNEL, 16, net10, NULL, src4, 2, 0, 254);
		nlb_begin(x, RTM_NEWROUTE, NLM_F_MULTI);
		nlb_raw(x, &rt, sizeof(rt));
		nlb_attr(x, RTA_DST, net10, 3);
		nlb_end(x);
		nlb_done(x, 0);
		return 0;
	}
	put_route(x, AF_INET, RTN_UNICAST, RTPROT_BOOT, 0, NULL, gw4, NULL, 2, 0, 254);
	put_route(x, AF_INET, RTN_UNICAST, RTPROT_KERNEL, 16, net10, NULL, src4, 2, 0, 254);
	put_route(x, AF_INET, RTN_UNICAST, 99, 32, any4, NULL, NULL, 42, 5, 1000); /* unknown proto and interface */
	put_route(x, AF_INET, RTN_BLACKHOLE, RTPROT_STATIC, 24, black, NULL, NULL, 0, 0, 7);
	put_route(x, AF_INET6, RTN_UNREACHABLE, 186, 32, net6, NULL, NULL, 0, 1024, 254);
	put_route(x, AF_INET, RTN_LOCAL, RTPROT_KERNEL, 32, src4, NULL, src4, 2, 0, 255); /* not reported */
	put_route(x, AF_INET6, RTN_UNICAST, RTPROT_RA, 64, net6, gw6, NULL, 3, 1024, 254);
	put_route(x, AF_INET6, RTN_UNICAST, RTPROT_KERNEL, 112, mapped, NULL, NULL, 3, 0, 254);
	/* A multipath route: two next hops with weights 1 and 3. */
	{
		struct rtmsg rt = { .rtm_family = AF_INET, .rtm_dst_len = 8, .rtm_protocol = RTPROT_STATIC,
				    .rtm_type = RTN_UNICAST, .rtm_table = 200 };
		static const unsigned char net[4] = { 172, 0, 0, 0 }, g1[4] = { 10, 0, 0, 7 }, g2[4] = { 10, 0, 1, 7 };
		nlb_begin(x, RTM_NEWROUTE, NLM_F_MULTI);
		nlb_raw(x, &rt, sizeof(rt));
		nlb_attr(x, RTA_DST, net, 4);
		nlb_u32(x, RTA_PRIORITY, 20);
		nlb_nest(x, RTA_MULTIPATH); /* not really nested: rtnexthop structures */
		for (int i = 0; i < 2; i++) {
			struct rtnexthop nh = { .rtnh_len = sizeof(nh) + 8, .rtnh_hops = (unsigned char)(i * 2),
						.rtnh_ifindex = 2 + i };
			sb_append(x->b, (const char *)&nh, sizeof(nh));
			nlb_attr(x, RTA_GATEWAY, i ? g2 : g1, 4);
		}
		nlb_nest_end(x);
		nlb_end(x);
	}
	nlb_done(x, 0);
	return 0;
}

#define INFO(dest, dev, gw, prio, proto, src, table, type, weight)                                          \
	"node_network_route_info{dest=\"" dest "\",device=\"" dev "\",gw=\"" gw "\",priority=\"" prio "\",proto=\"" proto \
	"\",src=\"" src "\",table=\"" table "\",type=\"" type "\",weight=\"" weight "\"} 1\n"

static const char routes_out[] =
	INFO("0.0.0.0/32", "", "", "5", "unknown", "", "1000", "unicast", "")
	INFO("10.1.0.0/16", "eth0", "", "0", "kernel", "10.0.0.2", "main", "unicast", "")
	INFO("10.9.0.0/16", "eth1", "", "0", "kernel", "", "main", "unicast", "")
	INFO("172.0.0.0/8", "eth0", "10.0.0.7", "20", "static", "", "inside", "unicast", "1")
	INFO("172.0.0.0/8", "eth1", "10.0.1.7", "20", "static", "", "inside", "unicast", "3")
	INFO("192.0.2.0/24", "", "", "0", "static", "", "7", "blackhole", "")
	INFO("2001:db8:1::/32", "", "", "1024", "bgp", "", "main", "unreachable", "")
	INFO("2001:db8:1::/64", "eth1", "fe80::1", "1024", "ra", "", "main", "unicast", "")
	INFO("default", "eth0", "10.0.0.1", "0", "boot", "", "main", "unicast", "")
	"node_network_routes{device=\"\"} 1\n"
	"node_network_routes{device=\"eth0\"} 3\n"
	"node_network_routes{device=\"eth1\"} 3\n";

static const char tables[] = "#\n# reserved values\n#\n255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n"
			     "#1\tinr.ruhep\n200 wrong\n\n300 too many words\n";

static const struct collector_case cases[] = {
	{ "routes", { { "etc/rt_tables", tables }, { "etc/rt_tables.d/inside.conf", "200\tinside\n" },
		      { "etc/rt_tables.d/ignored.txt", "254\tnot-main\n" } },
	  .expect = routes_out },
};

static const struct collector_case bad_tables[] = {
	{ "a table id that is not a number", { { "etc/rt_tables", "main\t254\n" } }, .expect = "", .expect_fail = 1 },
};

static const struct collector_case bad_routes[] = {
	{ "wrong address length", { { "etc", NULL } },
	  .expect = INFO("10.1.0.0/16", "eth0", "", "0", "kernel", "10.0.0.2", "254", "unicast", "")
		  "node_network_routes{device=\"eth0\"} 1\n",
	  .expect_fail = 1 },
};

/* Runs one case with the rt_tables paths inside its fixture root (the collector reads fixed paths, so
 * this does not go through test_collector_cases(), which would make a new root). */
static void run(const struct collector_case *k)
{
	struct strbuf out = { 0 };
	char t[512], d[512];
	size_t nf = 0;

	while (nf < TEST_MAX_FILES && k->files[nf].path)
		nf++;
	const char *root = test_make_root(k->files, nf);
	CHECK(root != NULL);
	if (!root)
		return;
	snprintf(t, sizeof(t), "%s/etc/rt_tables", root);
	snprintf(d, sizeof(d), "%s/etc/rt_tables.d", root);
	network_route_rt_tables = t;
	network_route_rt_tables_d = d;
	int r = test_run_collector(&collector_network_route, &out);
	size_t o = 0;
	for (char *p = out.p; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (*p != '#') {
			memmove(out.p + o, p, len);
			o += len;
		}
		p += len;
	}
	if (out.p)
		out.p[o] = '\0';
	CHECK((r < 0) == (k->expect_fail != 0));
	if ((r < 0) != (k->expect_fail != 0))
		fprintf(stderr, "case '%s': rc %d (%s)\n", k->name, r, test_last_error);
	CHECK_STR(out.p ? out.p : "", k->expect);
	test_remove_root();
	sb_free(&out);
}

static void test_live(void)
{
	struct strbuf got = { 0 };

	if (TEST_BIG_ENDIAN && test_qemu_lacks("netlink requests of a big-endian build"))
		return;
	if (!netns_enter("route", "ip link add va type veth peer name vb && ip link add vc type veth peer name vd && "
				  "ip link set va up && ip link set vc up && "
				  "ip addr add 10.7.0.1/24 dev va && ip addr add 10.8.0.1/24 dev vc && "
				  "ip route add 10.50.0.0/16 via 10.7.0.2 metric 7 proto static && "
				  "ip route add 10.60.0.0/16 nexthop via 10.7.0.2 weight 2 nexthop via 10.8.0.2 weight 1 && "
				  "ip route add blackhole 10.70.0.0/16 && ip route add unreachable 10.80.0.0/16 table 42"))
		return;
	network_route_rt_tables = "/etc/iproute2/rt_tables";
	network_route_rt_tables_d = "/etc/iproute2/rt_tables.d";
	CHECK_INT(test_run_collector(&collector_network_route, &got), 0);
	const char *want[] = {
		"dest=\"10.50.0.0/16\",device=\"va\",gw=\"10.7.0.2\",priority=\"7\",proto=\"static\",src=\"\"",
		"dest=\"10.60.0.0/16\",device=\"va\",gw=\"10.7.0.2\",priority=\"0\",proto=\"boot\",src=\"\",table=\"main\",type=\"unicast\",weight=\"2\"",
		"dest=\"10.60.0.0/16\",device=\"vc\",gw=\"10.8.0.2\",priority=\"0\",proto=\"boot\",src=\"\",table=\"main\",type=\"unicast\",weight=\"1\"",
		"dest=\"10.70.0.0/16\",device=\"\",gw=\"\",priority=\"0\",proto=\"boot\",src=\"\",table=\"main\",type=\"blackhole\"",
		"dest=\"10.80.0.0/16\",device=\"\",gw=\"\",priority=\"0\",proto=\"boot\",src=\"\",table=\"42\",type=\"unreachable\"",
		"dest=\"10.7.0.0/24\",device=\"va\",gw=\"\",priority=\"0\",proto=\"kernel\",src=\"10.7.0.1\"",
		"node_network_routes{device=\"va\"} 3\n",
		"node_network_routes{device=\"vc\"} 2\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		CHECK(strstr(got.p, want[i]) != NULL);
		if (!strstr(got.p, want[i]))
			fprintf(stderr, "missing %s in:\n%s", want[i], got.p);
	}
	netns_leave();
	sb_free(&got);
}

int main(int argc, char **argv)
{
	(void)argc;
	nlb_serve(respond);
	run(&cases[0]);
	run(&bad_tables[0]);
	scenario = 1;
	run(&bad_routes[0]);
	nlb_serve(NULL);
	test_live();
	return test_summary(argv[0]);
}
