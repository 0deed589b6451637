#include "harness.h"

extern const struct collector collector_ipvs;

#define STATS                                                                                  \
	"   Total Incoming Outgoing         Incoming         Outgoing\n"                       \
	"   Conns  Packets  Packets            Bytes            Bytes\n"                       \
	"    1A2B     3C4D     5E6F           ABCDEF           123456\n"                       \
	"\n"                                                                                   \
	" Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n"                       \
	"       0        0        0                0                0\n"

#define STATS_SAMPLES                                                                          \
	"node_ipvs_connections_total 6699\n"                                                   \
	"node_ipvs_incoming_bytes_total 1.1259375e+07\n"                                       \
	"node_ipvs_incoming_packets_total 15437\n"                                             \
	"node_ipvs_outgoing_bytes_total 1.193046e+06\n"                                        \
	"node_ipvs_outgoing_packets_total 24175\n"

#define HEADER                                                                                 \
	"IP Virtual Server version 1.2.1 (size=4096)\n"                                        \
	"Prot LocalAddress:Port Scheduler Flags\n"                                             \
	"  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n"

#define IPVS                                                                                   \
	HEADER                                                                                 \
	"TCP  0A000001:0050 rr\n"                                                              \
	"  -> 0A000102:1F90      Masq    1      3          7\n"                                \
	"  -> 0A000103:1F90      Masq    2      0          1\n"                                \
	"UDP  0A000001:0035 rr\n"                                                              \
	"  -> 0A000104:0035      Masq    1      0          12\n"                               \
	"TCP  [2001:0db8:0000:0000:0000:0000:0000:0001]:01BB wrr\n"                            \
	"  -> [2001:0db8:0000:0000:0000:0000:0001:0002]:01BB      Route   5      42         9\n" \
	"FWM  00000064 wlc\n"                                                                  \
	"  -> 0A000105:0000      Route   1      4          2\n"

static const struct collector_case cases[] = {
	{ "all labels",
	  { { "proc/net/ip_vs_stats", STATS }, { "proc/net/ip_vs", IPVS } },
	  .expect =
		  "node_ipvs_backend_connections_active{local_address=\"\",local_mark=\"00000064\",local_port=\"0\",proto=\"FWM\",remote_address=\"10.0.1.5\",remote_port=\"0\"} 4\n"
		  "node_ipvs_backend_connections_active{local_address=\"10.0.0.1\",local_mark=\"\",local_port=\"53\",proto=\"UDP\",remote_address=\"10.0.1.4\",remote_port=\"53\"} 0\n"
		  "node_ipvs_backend_connections_active{local_address=\"10.0.0.1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"10.0.1.2\",remote_port=\"8080\"} 3\n"
		  "node_ipvs_backend_connections_active{local_address=\"10.0.0.1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"10.0.1.3\",remote_port=\"8080\"} 0\n"
		  "node_ipvs_backend_connections_active{local_address=\"2001:db8::1\",local_mark=\"\",local_port=\"443\",proto=\"TCP\",remote_address=\"2001:db8::1:2\",remote_port=\"443\"} 42\n"
		  "node_ipvs_backend_connections_inactive{local_address=\"\",local_mark=\"00000064\",local_port=\"0\",proto=\"FWM\",remote_address=\"10.0.1.5\",remote_port=\"0\"} 2\n"
		  "node_ipvs_backend_connections_inactive{local_address=\"10.0.0.1\",local_mark=\"\",local_port=\"53\",proto=\"UDP\",remote_address=\"10.0.1.4\",remote_port=\"53\"} 12\n"
		  "node_ipvs_backend_connections_inactive{local_address=\"10.0.0.1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"10.0.1.2\",remote_port=\"8080\"} 7\n"
		  "node_ipvs_backend_connections_inactive{local_address=\"10.0.0.1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"10.0.1.3\",remote_port=\"8080\"} 1\n"
		  "node_ipvs_backend_connections_inactive{local_address=\"2001:db8::1\",local_mark=\"\",local_port=\"443\",proto=\"TCP\",remote_address=\"2001:db8::1:2\",remote_port=\"443\"} 9\n"
		  "node_ipvs_backend_weight{local_address=\"\",local_mark=\"00000064\",local_port=\"0\",proto=\"FWM\",remote_address=\"10.0.1.5\",remote_port=\"0\"} 1\n"
		  "node_ipvs_backend_weight{local_address=\"10.0.0.1\",local_mark=\"\",local_port=\"53\",proto=\"UDP\",remote_address=\"10.0.1.4\",remote_port=\"53\"} 1\n"
		  "node_ipvs_backend_weight{local_address=\"10.0.0.1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"10.0.1.2\",remote_port=\"8080\"} 1\n"
		  "node_ipvs_backend_weight{local_address=\"10.0.0.1\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"10.0.1.3\",remote_port=\"8080\"} 2\n"
		  "node_ipvs_backend_weight{local_address=\"2001:db8::1\",local_mark=\"\",local_port=\"443\",proto=\"TCP\",remote_address=\"2001:db8::1:2\",remote_port=\"443\"} 5\n" STATS_SAMPLES },
	/* Backends that only differ in a dropped label are summed, weights included. */
	{ "label subset sums",
	  { { "proc/net/ip_vs_stats", STATS }, { "proc/net/ip_vs", IPVS } },
	  .args = { "--collector.ipvs.backend-labels=proto,local_address" },
	  .expect = "node_ipvs_backend_connections_active{local_address=\"\",proto=\"FWM\"} 4\n"
		    "node_ipvs_backend_connections_active{local_address=\"10.0.0.1\",proto=\"TCP\"} 3\n"
		    "node_ipvs_backend_connections_active{local_address=\"10.0.0.1\",proto=\"UDP\"} 0\n"
		    "node_ipvs_backend_connections_active{local_address=\"2001:db8::1\",proto=\"TCP\"} 42\n"
		    "node_ipvs_backend_connections_inactive{local_address=\"\",proto=\"FWM\"} 2\n"
		    "node_ipvs_backend_connections_inactive{local_address=\"10.0.0.1\",proto=\"TCP\"} 8\n"
		    "node_ipvs_backend_connections_inactive{local_address=\"10.0.0.1\",proto=\"UDP\"} 12\n"
		    "node_ipvs_backend_connections_inactive{local_address=\"2001:db8::1\",proto=\"TCP\"} 9\n"
		    "node_ipvs_backend_weight{local_address=\"\",proto=\"FWM\"} 1\n"
		    "node_ipvs_backend_weight{local_address=\"10.0.0.1\",proto=\"TCP\"} 3\n"
		    "node_ipvs_backend_weight{local_address=\"10.0.0.1\",proto=\"UDP\"} 1\n"
		    "node_ipvs_backend_weight{local_address=\"2001:db8::1\",proto=\"TCP\"} 5\n" STATS_SAMPLES },
	/* No labels at all: one series holding every backend. */
	{ "no labels",
	  { { "proc/net/ip_vs_stats", STATS }, { "proc/net/ip_vs", IPVS } },
	  .args = { "--collector.ipvs.backend-labels=," },
	  .expect = "node_ipvs_backend_connections_active 49\n"
		    "node_ipvs_backend_connections_inactive 31\n"
		    "node_ipvs_backend_weight 10\n" STATS_SAMPLES },
	{ "no ipvs module", { { "proc/net", NULL } }, .expect = "", .expect_fail = 1 },
	{ "stats without table", { { "proc/net/ip_vs_stats", STATS } }, .expect = STATS_SAMPLES, .expect_fail = 1 },
	{ "empty table", { { "proc/net/ip_vs_stats", STATS }, { "proc/net/ip_vs", "" } }, .expect = STATS_SAMPLES },
	{ "truncated stats",
	  { { "proc/net/ip_vs_stats", "   Total Incoming Outgoing         Incoming         Outgoing\n"
				      "   Conns  Packets  Packets            Bytes            Bytes\n"
				      "    1A2B     3C4D" },
	    { "proc/net/ip_vs", IPVS } },
	  .expect = "", .expect_fail = 1 },
	{ "empty stats", { { "proc/net/ip_vs_stats", "" }, { "proc/net/ip_vs", IPVS } }, .expect = "", .expect_fail = 1 },
	{ "stats not hex",
	  { { "proc/net/ip_vs_stats", "a\nb\n 1 2 3 4 0x5\n" }, { "proc/net/ip_vs", IPVS } },
	  .expect = "", .expect_fail = 1 },
	{ "huge counters",
	  { { "proc/net/ip_vs_stats", "a\nb\n FFFFFFFFFFFFFFFF 0 0 FFFFFFFFFFFF 0\n\n" }, { "proc/net/ip_vs", "" } },
	  .expect = "node_ipvs_connections_total 1.8446744073709552e+19\n"
		    "node_ipvs_incoming_bytes_total 2.81474976710655e+14\n"
		    "node_ipvs_incoming_packets_total 0\n"
		    "node_ipvs_outgoing_bytes_total 0\n"
		    "node_ipvs_outgoing_packets_total 0\n" },
	/* A bad backend line is skipped and reported; the service with a bad address takes its backends
	 * with it, the other services are still there. */
	{ "malformed lines",
	  { { "proc/net/ip_vs_stats", STATS },
	    { "proc/net/ip_vs", HEADER "TCP  0A00000Z:0050 rr\n"
				       "  -> 0A000102:1F90      Masq    1      3          7\n"
				       "UDP  0A000001:0035 rr\n"
				       "  -> 0A000104:0035      Masq    x      0          12\n"
				       "  -> 0A000105:0035      Masq    1      5          6\n"
				       "  -> 0A000106:0035      Masq\n" } },
	  .args = { "--collector.ipvs.backend-labels=remote_address" },
	  .expect = "node_ipvs_backend_connections_active{remote_address=\"10.0.1.5\"} 5\n"
		    "node_ipvs_backend_connections_inactive{remote_address=\"10.0.1.5\"} 6\n"
		    "node_ipvs_backend_weight{remote_address=\"10.0.1.5\"} 1\n" STATS_SAMPLES,
	  .expect_fail = 1 },
	/* IPv4-mapped addresses print in dotted form, as Go's net.IP.String() does. */
	{ "ipv6 forms",
	  { { "proc/net/ip_vs_stats", STATS },
	    { "proc/net/ip_vs", HEADER "UDP  [0000:0000:0000:0000:0000:ffff:0a00:0001]:0035 rr\n"
				       "  -> [fe80:0000:0000:0001:0000:0000:0000:0001]:0035      Masq    1      0          0\n"
				       "  -> [0000:0000:0000:0000:0000:0000:0000:0000]:0035      Masq    1      0          0\n"
				       "  -> [2001:0db8:0000:0001:0000:0000:0000:0000]:0035      Masq    1      0          0\n" } },
	  .args = { "--collector.ipvs.backend-labels=local_address,remote_address" },
	  .expect =
		    "node_ipvs_backend_connections_active{local_address=\"10.0.0.1\",remote_address=\"2001:db8:0:1::\"} 0\n"
		    "node_ipvs_backend_connections_active{local_address=\"10.0.0.1\",remote_address=\"::\"} 0\n"
		    "node_ipvs_backend_connections_active{local_address=\"10.0.0.1\",remote_address=\"fe80:0:0:1::1\"} 0\n"
		    "node_ipvs_backend_connections_inactive{local_address=\"10.0.0.1\",remote_address=\"2001:db8:0:1::\"} 0\n"
		    "node_ipvs_backend_connections_inactive{local_address=\"10.0.0.1\",remote_address=\"::\"} 0\n"
		    "node_ipvs_backend_connections_inactive{local_address=\"10.0.0.1\",remote_address=\"fe80:0:0:1::1\"} 0\n"
		    "node_ipvs_backend_weight{local_address=\"10.0.0.1\",remote_address=\"2001:db8:0:1::\"} 1\n"
		    "node_ipvs_backend_weight{local_address=\"10.0.0.1\",remote_address=\"::\"} 1\n"
		    "node_ipvs_backend_weight{local_address=\"10.0.0.1\",remote_address=\"fe80:0:0:1::1\"} 1\n" STATS_SAMPLES },
};

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };
	static const struct tfile none[] = { { "proc/net", NULL } };

	(void)argc;
	test_collector_cases(&collector_ipvs, cases, ARRAY_SIZE(cases));

	/* A missing ip_vs_stats is "no data", not a failure. */
	flags_set_defaults(collector_ipvs.flags);
	CHECK(test_make_root(none, ARRAY_SIZE(none)) != NULL);
	CHECK_INT(test_run_collector(&collector_ipvs, &out), COLLECTOR_NO_DATA);
	test_remove_root();
	sb_free(&out);

	/* Unknown label names stop the start, listed sorted and once. */
	char err[256] = "";
	struct flag *sets[1] = { collector_ipvs.flags };
	flags_set_defaults(collector_ipvs.flags);
	CHECK(flag_set(flag_find(sets, 1, "collector.ipvs.backend-labels"), "proto,zone,colour,zone",
		       FLAG_SRC_CMDLINE, err, sizeof(err)) == 0);
	CHECK_INT(collector_ipvs.init(err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "unknown IPVS backend labels: \"colour, zone\"");
	flags_set_defaults(collector_ipvs.flags);
	CHECK_INT(collector_ipvs.init(err, sizeof(err)), 0);
	return test_summary(argv[0]);
}
