#include "harness.h"

extern const struct collector collector_cpu_vulnerabilities;

static const struct collector_case cases[] = {
	{ "states and mitigations",
	  { { "sys/devices/system/cpu/vulnerabilities/itlb_multihit", "Not affected\n" },
	    { "sys/devices/system/cpu/vulnerabilities/mds", "Vulnerable: Clear CPU buffers attempted, no microcode; SMT vulnerable\n" },
	    { "sys/devices/system/cpu/vulnerabilities/retbleed", "Mitigation: untrained return thunk;  SMT enabled\n" },
	    { "sys/devices/system/cpu/vulnerabilities/gather_data_sampling", "Unknown: Dependent on hypervisor status\n" },
	    { "sys/devices/system/cpu/vulnerabilities/new_thing", "Processor vulnerable\n" },
	    { "sys/devices/system/cpu/vulnerabilities/srbds", "Vulnerable\n" } },
	  .full = true,
	  .expect = "# HELP node_cpu_vulnerabilities_info Details of each CPU vulnerability reported by sysfs. The value of the "
		    "series is an int encoded state of the vulnerability. The same state is stored as a string in the label\n"
		    "# TYPE node_cpu_vulnerabilities_info gauge\n"
		    "node_cpu_vulnerabilities_info{codename=\"gather_data_sampling\",mitigation=\"Dependent on hypervisor status\",state=\"unknown\"} 1\n"
		    "node_cpu_vulnerabilities_info{codename=\"itlb_multihit\",mitigation=\"\",state=\"not affected\"} 1\n"
		    "node_cpu_vulnerabilities_info{codename=\"mds\",mitigation=\"Clear CPU buffers attempted, no microcode; SMT vulnerable\",state=\"vulnerable\"} 1\n"
		    "node_cpu_vulnerabilities_info{codename=\"new_thing\",mitigation=\"Processor vulnerable\",state=\"unknown\"} 1\n"
		    "node_cpu_vulnerabilities_info{codename=\"retbleed\",mitigation=\"untrained return thunk; SMT enabled\",state=\"mitigation\"} 1\n"
		    "node_cpu_vulnerabilities_info{codename=\"srbds\",mitigation=\"\",state=\"vulnerable\"} 1\n" },
	{ "a directory among the files fails", { { "sys/devices/system/cpu/vulnerabilities/sub", NULL } },
	  .expect = "", .expect_fail = 1 },
	{ "no vulnerabilities directory: nothing", { { "sys/devices/system/cpu", NULL } }, .expect = "" },
	{ "empty file", { { "sys/devices/system/cpu/vulnerabilities/x", "" } },
	  .expect = "node_cpu_vulnerabilities_info{codename=\"x\",mitigation=\"\",state=\"unknown\"} 1\n" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_cpu_vulnerabilities, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
