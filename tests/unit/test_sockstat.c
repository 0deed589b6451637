#include <stdio.h>

#include "harness.h"

extern const struct collector collector_sockstat;

#define SOCKSTAT                                                                            \
	"sockets: used 229\nTCP: inuse 4 orphan 0 tw 4 alloc 17 mem 1\nUDP: inuse 0 mem 0\n" \
	"UDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n"
#define SOCKSTAT6 "TCP6: inuse 17\nUDP6: inuse 9\nUDPLITE6: inuse 0\nRAW6: inuse 1\nFRAG6: inuse 0 memory 0\n"

static char page[32];
static char expect_ok[2048];
static char expect_huge[512];

static struct collector_case cases[] = {
	{ "both files", { { "proc/net/sockstat", SOCKSTAT }, { "proc/net/sockstat6", SOCKSTAT6 } } },
	{ "HELP and TYPE",
	  { { "proc/net/sockstat", "sockets: used 3\nTCP: inuse 1\n" } },
	  .expect = "# HELP node_sockstat_TCP_inuse Number of TCP sockets in state inuse.\n"
		    "# TYPE node_sockstat_TCP_inuse gauge\nnode_sockstat_TCP_inuse 1\n"
		    "# HELP node_sockstat_sockets_used Number of IPv4 sockets in use.\n"
		    "# TYPE node_sockstat_sockets_used gauge\nnode_sockstat_sockets_used 3\n",
	  .full = true },
	{ "IPv6 only (IPv4 file missing), a sockets line in sockstat6 is not sockets_used",
	  { { "proc/net/sockstat6", "sockets: used 5\nTCP6: inuse 2\n" } },
	  .expect = "node_sockstat_TCP6_inuse 2\n" },
	{ "neither file: nothing, no error", { { "proc/net", NULL } }, .expect = "" },
	{ "unknown keys are ignored, a protocol without inuse has no inuse sample",
	  { { "proc/net/sockstat", "NEW: foo 1 orphan 2\n" } },
	  .expect = "node_sockstat_NEW_orphan 2\n" },
	{ "malformed lines fail the file, valid lines are kept",
	  { { "proc/net/sockstat", "sockets: used 1\nTCP: inuse\nUDP: inuse x\nRAW: inuse 1\n" },
	    { "proc/net/sockstat6", SOCKSTAT6 } },
	  .expect = "node_sockstat_RAW_inuse 1\nnode_sockstat_sockets_used 1\n",
	  .expect_fail = 1 },
	{ "huge mem", { { "proc/net/sockstat", "TCP: inuse 1 mem 4503599627370496\n" } } },
	{ "empty files", { { "proc/net/sockstat", "" }, { "proc/net/sockstat6", "" } }, .expect = "" },
};

int main(int argc, char **argv)
{
	(void)argc;
	long ps = sysconf(_SC_PAGESIZE);
	snprintf(page, sizeof(page), "%ld", ps);
	/* mem_bytes is mem * the page size of the machine running the test */
	snprintf(expect_ok, sizeof(expect_ok),
		 "node_sockstat_FRAG6_inuse 0\nnode_sockstat_FRAG6_memory 0\nnode_sockstat_FRAG_inuse 0\n"
		 "node_sockstat_FRAG_memory 0\nnode_sockstat_RAW6_inuse 1\nnode_sockstat_RAW_inuse 0\n"
		 "node_sockstat_TCP6_inuse 17\nnode_sockstat_TCP_alloc 17\nnode_sockstat_TCP_inuse 4\n"
		 "node_sockstat_TCP_mem 1\nnode_sockstat_TCP_mem_bytes %ld\nnode_sockstat_TCP_orphan 0\n"
		 "node_sockstat_TCP_tw 4\nnode_sockstat_UDP6_inuse 9\nnode_sockstat_UDPLITE6_inuse 0\n"
		 "node_sockstat_UDPLITE_inuse 0\nnode_sockstat_UDP_inuse 0\nnode_sockstat_UDP_mem 0\n"
		 "node_sockstat_UDP_mem_bytes 0\nnode_sockstat_sockets_used 229\n",
		 ps);
	cases[0].expect = expect_ok;
	CHECK(ps == 4096 || ps == 16384 || ps == 65536);
	snprintf(expect_huge, sizeof(expect_huge),
		 "node_sockstat_TCP_inuse 1\nnode_sockstat_TCP_mem 4.503599627370496e+15\n"
		 "node_sockstat_TCP_mem_bytes %s\n",
		 ps == 4096 ? "1.8446744073709552e+19" : ps == 16384 ? "7.378697629483821e+19" : "2.9514790517935283e+20");
	cases[6].expect = expect_huge;
	test_collector_cases(&collector_sockstat, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
