#include "harness.h"

extern const struct collector collector_bonding;

#define N(p, v) { "sys/class/net/" p, v }

static const struct collector_case cases[] = {
	{ "two bonds, lower_ and slave_ directories, one slave down",
	  { N("bonding_masters", "bond0 bond1\n"),
	    N("bond0/bonding/slaves", "enp1s0f0 enp1s0f1\n"),
	    N("bond0/lower_enp1s0f0/bonding_slave/mii_status", "up\n"),
	    N("bond0/lower_enp1s0f1/bonding_slave/mii_status", "down\n"),
	    N("bond1/bonding/slaves", "eth2 eth3 eth4\n"),
	    N("bond1/slave_eth2/bonding_slave/mii_status", "up\n"),
	    N("bond1/slave_eth3/bonding_slave/mii_status", " up \n"),
	    N("bond1/lower_eth4/bonding_slave/mii_status", "going back\n") },
	  .expect = "node_bonding_active{master=\"bond0\"} 1\n"
		    "node_bonding_active{master=\"bond1\"} 2\n"
		    "node_bonding_slaves{master=\"bond0\"} 2\n"
		    "node_bonding_slaves{master=\"bond1\"} 3\n" },
	{ "a bond without slaves", { N("bonding_masters", "bond0\n"), N("bond0/bonding/slaves", "\n") },
	  .expect = "node_bonding_active{master=\"bond0\"} 0\nnode_bonding_slaves{master=\"bond0\"} 0\n" },
	{ "no bonding module: no data", { N("lo/mtu", "65536\n") }, .expect = "", .expect_fail = 1 },
	{ "empty bonding_masters", { N("bonding_masters", "") }, .expect = "" },
	{ "missing slaves file: nothing at all", { N("bonding_masters", "bond0 bond1\n"), N("bond0/bonding/slaves", "\n") },
	  .expect = "", .expect_fail = 1 },
	{ "missing slave state: nothing at all",
	  { N("bonding_masters", "bond0\n"), N("bond0/bonding/slaves", "eth0\n") }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_bonding, cases, ARRAY_SIZE(cases));
	/* The failures above are "no data", and an unreadable file is an error. */
	struct tfile missing[] = { N("bonding_masters", "bond0\n"), { NULL } };
	struct tfile dir[] = { N("bonding_masters/x", "1"), { NULL } };
	struct strbuf out = { 0 };
	CHECK(test_make_root(missing, 1) != NULL);
	CHECK_INT(test_run_collector(&collector_bonding, &out), COLLECTOR_NO_DATA);
	CHECK(test_make_root(dir, 1) != NULL);
	int r = test_run_collector(&collector_bonding, &out);
	CHECK(r < 0 && r != COLLECTOR_NO_DATA);
	sb_free(&out);
	test_remove_root();
	return test_summary(argv[0]);
}
