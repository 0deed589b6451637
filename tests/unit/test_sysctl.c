#include "harness.h"

extern const struct collector collector_sysctl;

#define SYS                                                                                               \
	{ "proc/sys/fs/file-nr", "2272\t0\t9223372036854775807\n" }, { "proc/sys/kernel/threads-max", "63376\n" }, \
		{ "proc/sys/kernel/seccomp/actions_avail",                                                    \
		  "kill_process kill_thread trap errno user_notif trace log allow\n" },                       \
		{ "proc/sys/net/ipv4/ip_local_port_range", "32768\t60999\n" },                                 \
		{ "proc/sys/kernel/hostname", "build-07\n" }, { "proc/sys/vm/swappiness", "60\n" },           \
		{ "proc/sys/dev/some-thing/_x", "0x10 010 -3\n" }, { "proc/sys/fs/empty", "\n" }

static const struct collector_case cases[] = {
	{ "none configured", { SYS }, .expect = "" },
	{ "indexed", { SYS }, .args = { "--collector.sysctl.include=fs.file-nr" },
	  .expect = "node_sysctl_fs_file_nr{index=\"0\"} 2272\n"
		    "node_sysctl_fs_file_nr{index=\"1\"} 0\n"
		    "node_sysctl_fs_file_nr{index=\"2\"} 9.223372036854776e+18\n" },
	{ "mapped", { SYS }, .args = { "--collector.sysctl.include=fs.file-nr:allocated,free,max" },
	  .expect = "node_sysctl_fs_file_nr_allocated 2272\n"
		    "node_sysctl_fs_file_nr_free 0\n"
		    "node_sysctl_fs_file_nr_max 9.223372036854776e+18\n" },
	{ "single and several",
	  { SYS },
	  .args = { "--collector.sysctl.include=vm.swappiness", "--collector.sysctl.include=kernel.threads-max",
		    "--collector.sysctl.include=net.ipv4.ip_local_port_range:low,high" },
	  .expect = "node_sysctl_kernel_threads_max 63376\n"
		    "node_sysctl_net_ipv4_ip_local_port_range_high 60999\n"
		    "node_sysctl_net_ipv4_ip_local_port_range_low 32768\n"
		    "node_sysctl_vm_swappiness 60\n" },
	{ "info", { SYS },
	  .args = { "--collector.sysctl.include-info=kernel.seccomp.actions_avail",
		    "--collector.sysctl.include-info=kernel.hostname" },
	  .expect = "node_sysctl_info{index=\"0\",name=\"kernel.hostname\",value=\"build-07\"} 1\n"
		    "node_sysctl_info{index=\"0\",name=\"kernel.seccomp.actions_avail\",value=\"kill_process\"} 1\n"
		    "node_sysctl_info{index=\"1\",name=\"kernel.seccomp.actions_avail\",value=\"kill_thread\"} 1\n"
		    "node_sysctl_info{index=\"2\",name=\"kernel.seccomp.actions_avail\",value=\"trap\"} 1\n"
		    "node_sysctl_info{index=\"3\",name=\"kernel.seccomp.actions_avail\",value=\"errno\"} 1\n"
		    "node_sysctl_info{index=\"4\",name=\"kernel.seccomp.actions_avail\",value=\"user_notif\"} 1\n"
		    "node_sysctl_info{index=\"5\",name=\"kernel.seccomp.actions_avail\",value=\"trace\"} 1\n"
		    "node_sysctl_info{index=\"6\",name=\"kernel.seccomp.actions_avail\",value=\"log\"} 1\n"
		    "node_sysctl_info{index=\"7\",name=\"kernel.seccomp.actions_avail\",value=\"allow\"} 1\n" },
	/* Go ints (0x hex, leading-0 octal, signed); the name is sanitised like SanitizeMetricName. */
	{ "bases and names", { SYS }, .args = { "--collector.sysctl.include=dev.some-thing._x" },
	  .expect = "node_sysctl_dev_some_thing_x{index=\"0\"} 16\n"
		    "node_sysctl_dev_some_thing_x{index=\"1\"} 8\n"
		    "node_sysctl_dev_some_thing_x{index=\"2\"} -3\n" },
	/* Each of these fails, and the valid sysctl next to it is still reported. */
	{ "not numeric", { SYS },
	  .args = { "--collector.sysctl.include=kernel.hostname", "--collector.sysctl.include=vm.swappiness" },
	  .expect = "node_sysctl_vm_swappiness 60\n", .expect_fail = 1 },
	{ "key count mismatch", { SYS },
	  .args = { "--collector.sysctl.include=fs.file-nr:a,b", "--collector.sysctl.include=vm.swappiness" },
	  .expect = "node_sysctl_vm_swappiness 60\n", .expect_fail = 1 },
	{ "keys for one value", { SYS }, .args = { "--collector.sysctl.include=vm.swappiness:a" }, .expect = "",
	  .expect_fail = 1 },
	{ "mapped strings", { SYS }, .args = { "--collector.sysctl.include-info=net.ipv4.ip_local_port_range:low,high" },
	  .expect = "", .expect_fail = 1 },
	{ "missing", { SYS },
	  .args = { "--collector.sysctl.include=net.core.somaxconn", "--collector.sysctl.include=vm.swappiness" },
	  .expect = "node_sysctl_vm_swappiness 60\n", .expect_fail = 1 },
	{ "empty value", { SYS }, .args = { "--collector.sysctl.include-info=fs.empty" }, .expect = "", .expect_fail = 1 },
	{ "overflow", { { "proc/sys/vm/x", "9223372036854775808\n" } }, .args = { "--collector.sysctl.include=vm.x" },
	  .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_sysctl, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
