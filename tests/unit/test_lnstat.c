#include "harness.h"

extern const struct collector collector_lnstat;

#define ARP                                                                                                  \
	"entries  allocs destroys hash_grows  lookups hits  res_failed  rcv_probes_mcast rcv_probes_ucast  periodic_gc_runs forced_gc_runs unresolved_discards table_fulls\n" \
	"00000004  0000000a 00000006 00000000  0000002a 00000020  00000000  00000000 00000000  0000001b 00000000 00000000 00000000\n" \
	"00000004  00000003 00000001 00000001  00000010 0000000c  00000002  00000000 00000000  0000001b 00000000 00000000 00000000\n"
#define CONNTRACK                                                                                            \
	"entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n" \
	"0000008a  00000000 00000000 00000000 00000005 0000abcd 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000001\n"

#define S(name, sub, cpu, v) "node_lnstat_" name "_total{cpu=\"" cpu "\",subsystem=\"" sub "\"} " v "\n"

static const struct collector_case cases[] = {
	{ "arp cache, two cpus", { { "proc/net/stat/arp_cache", ARP } },
	  .expect = S("allocs", "arp_cache", "0", "10") S("allocs", "arp_cache", "1", "3")
		  S("destroys", "arp_cache", "0", "6") S("destroys", "arp_cache", "1", "1")
		  S("entries", "arp_cache", "0", "4") S("entries", "arp_cache", "1", "4")
		  S("forced_gc_runs", "arp_cache", "0", "0") S("forced_gc_runs", "arp_cache", "1", "0")
		  S("hash_grows", "arp_cache", "0", "0") S("hash_grows", "arp_cache", "1", "1")
		  S("hits", "arp_cache", "0", "32") S("hits", "arp_cache", "1", "12")
		  S("lookups", "arp_cache", "0", "42") S("lookups", "arp_cache", "1", "16")
		  S("periodic_gc_runs", "arp_cache", "0", "27") S("periodic_gc_runs", "arp_cache", "1", "27")
		  S("rcv_probes_mcast", "arp_cache", "0", "0") S("rcv_probes_mcast", "arp_cache", "1", "0")
		  S("rcv_probes_ucast", "arp_cache", "0", "0") S("rcv_probes_ucast", "arp_cache", "1", "0")
		  S("res_failed", "arp_cache", "0", "0") S("res_failed", "arp_cache", "1", "2")
		  S("table_fulls", "arp_cache", "0", "0") S("table_fulls", "arp_cache", "1", "0")
		  S("unresolved_discards", "arp_cache", "0", "0") S("unresolved_discards", "arp_cache", "1", "0") },
	/* The same column in two files is one family with two subsystems. */
	{ "two files",
	  { { "proc/net/stat/nf_conntrack", CONNTRACK }, { "proc/net/stat/ndisc_cache", "entries allocs\n00000002 00000011\n" } },
	  .expect = S("allocs", "ndisc_cache", "0", "17")
		  S("chainlength", "nf_conntrack", "0", "0") S("clashres", "nf_conntrack", "0", "0")
		  S("delete", "nf_conntrack", "0", "0") S("drop", "nf_conntrack", "0", "0")
		  S("early_drop", "nf_conntrack", "0", "0")
		  S("entries", "ndisc_cache", "0", "2") S("entries", "nf_conntrack", "0", "138")
		  S("expect_create", "nf_conntrack", "0", "0") S("expect_delete", "nf_conntrack", "0", "0")
		  S("expect_new", "nf_conntrack", "0", "0") S("found", "nf_conntrack", "0", "0")
		  S("icmp_error", "nf_conntrack", "0", "0") S("ignore", "nf_conntrack", "0", "43981")
		  S("insert_failed", "nf_conntrack", "0", "0") S("insert", "nf_conntrack", "0", "0")
		  S("invalid", "nf_conntrack", "0", "5") S("new", "nf_conntrack", "0", "0")
		  S("search_restart", "nf_conntrack", "0", "1") },
	{ "no net/stat", { { "proc/net", NULL } }, .expect = "" },
	{ "empty dir and file", { { "proc/net/stat/rt_cache", "" }, { "proc/net/stat/sub", NULL } }, .expect = "" },
	/* Rows with more values than columns or a bad value are skipped and reported; the CPU numbering
	 * of the following rows is kept. */
	{ "malformed rows",
	  { { "proc/net/stat/ndisc_cache", "entries allocs\n00000001 00000002 00000003\n0000000g 00000001\n00000004 00000005\n00000006" } },
	  .expect = S("allocs", "ndisc_cache", "2", "5") S("entries", "ndisc_cache", "2", "4") S("entries", "ndisc_cache", "3", "6"),
	  .expect_fail = 1 },
	{ "huge", { { "proc/net/stat/x", "entries\nffffffffffffffff\n" } }, .expect = S("entries", "x", "0", "1.8446744073709552e+19") },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_lnstat, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
