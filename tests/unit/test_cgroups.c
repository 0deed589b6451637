#include "harness.h"

extern const struct collector collector_cgroups;

#define S(name, c, e) "node_cgroups_cgroups{subsys_name=\"" name "\"} " c "\n"
#define E(name, e) "node_cgroups_enabled{subsys_name=\"" name "\"} " e "\n"

static const struct collector_case cases[] = {
	{ "v1 and v2 mix",
	  { { "proc/cgroups", "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
			      "cpuset\t0\t142\t1\n"
			      "cpu\t0\t142\t1\n"
			      "memory\t0\t142\t1\n"
			      "hugetlb\t0\t142\t0\n"
			      "misc\t0\t142\t1\n" } },
	  .expect = S("cpu", "142", "") S("cpuset", "142", "") S("hugetlb", "142", "") S("memory", "142", "") S("misc", "142", "")
		  E("cpu", "1") E("cpuset", "1") E("hugetlb", "0") E("memory", "1") E("misc", "1") },
	{ "missing", { { "proc", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty", { { "proc/cgroups", "" } }, .expect = "" },
	{ "malformed",
	  { { "proc/cgroups", "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t0\tmany\t1\npids\t3\t9\nrdma\t4\t1\t1\n\n" } },
	  .expect = S("rdma", "1", "") E("rdma", "1"), .expect_fail = 1 },
	{ "truncated", { { "proc/cgroups", "cpu\t0\t142\t1\nmemory\t0\t14" } },
	  .expect = S("cpu", "142", "") E("cpu", "1"), .expect_fail = 1 },
	{ "huge", { { "proc/cgroups", "memory 0 9223372036854775807 1\n" } },
	  .expect = S("memory", "9.223372036854776e+18", "") E("memory", "1") },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_cgroups, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
