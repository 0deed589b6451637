/* The container collector on small cgroup trees: v2 and v1 (legacy, hybrid, cpu and cpuacct joint or apart),
 * cgroupfs and systemd drivers, the kubelet's log directories and containerd's bundles, and the ways these
 * go wrong: malformed and truncated files, vanished cgroups, missing log directories, unlimited limits. The
 * fixtures carry a boot time in the future, so every start time is clamped to it (a fixed value); the start
 * time itself is tested apart, with set mtimes. */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

#include "exposition.h"
#include "harness.h"

extern const struct collector collector_container;

#define CG "sys/fs/cgroup/"
#define BTIME { "proc/stat", "cpu  10 0 10 100 0 0 0 0 0 0\nbtime 4102444800\n" }
#define V2ROOT { CG "cgroup.controllers", "cpuset cpu io memory pids\n" }
#define START "4.1024448e+09"

#define UID "5f1c2a7e-3b4d-4e8f-9a01-23456789abcd"
#define UID_ "5f1c2a7e_3b4d_4e8f_9a01_23456789abcd"
#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SID "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define POD "kubepods/burstable/pod" UID

#define POD_LOGS { "var/log/pods/shop_web-1_" UID "/app/0.log", "2026-11-20T09:12:44.180245912Z stdout F ok\n" }
#define CTR_LINK { "var/log/containers/web-1_shop_app-" CID ".log", "->/var/log/pods/shop_web-1_" UID "/app/0.log" }

/* label sets, in label-name order */
#define L(ctr, id, img, name, ns, pod) \
	"{container=\"" ctr "\",id=\"" id "\",image=\"" img "\",name=\"" name "\",namespace=\"" ns "\",pod=\"" pod "\"}"
#define LU(ctr, id, img, name, ns, pod)                                                                     \
	"{container=\"" ctr "\",cpu=\"total\",id=\"" id "\",image=\"" img "\",name=\"" name "\",namespace=\"" ns \
	"\",pod=\"" pod "\"}"

#define P_L L("", "/" POD, "", "", "shop", "web-1")
#define P_LU LU("", "/" POD, "", "", "shop", "web-1")
#define C_L L("app", "/" POD "/" CID, "", CID, "shop", "web-1")
#define C_LU LU("app", "/" POD "/" CID, "", CID, "shop", "web-1")

/* A container with no log symlink, no pod log directory: only what the cgroup says. */
#define A_L L("", "/" POD "/" CID, "", CID, "", "")
#define AP_L L("", "/" POD, "", "", "", "")

#define V2_MEM_ONLY(dir, bytes) { CG dir "/memory.current", bytes "\n" }

static const struct collector_case cases[] = {
	{ "v2 cgroupfs: pod and container, every family",
	  { BTIME, V2ROOT, POD_LOGS, CTR_LINK,
	    { CG POD "/cpu.stat", "usage_usec 5000000\nuser_usec 3000000\nsystem_usec 2000000\nnr_periods 0\n"
				  "nr_throttled 0\nthrottled_usec 0\n" },
	    { CG POD "/cpu.max", "max 100000\n" },
	    { CG POD "/cpu.weight", "10\n" },
	    { CG POD "/memory.current", "52428800\n" },
	    { CG POD "/memory.max", "max\n" },
	    { CG POD "/memory.stat", "anon 41943040\nfile 8388608\nkernel 2097152\nkernel_stack 16384\n"
				     "inactive_anon 0\nactive_anon 41943040\ninactive_file 4194304\n"
				     "active_file 4194304\n" },
	    { CG POD "/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n" },
	    { CG POD "/cgroup.events", "populated 1\nfrozen 0\n" },
	    { CG POD "/" CID "/cpu.stat", "usage_usec 4500000\nuser_usec 2700000\nsystem_usec 1800000\n"
					  "core_sched.force_idle_usec 0\nnr_periods 1200\nnr_throttled 30\n"
					  "throttled_usec 1500000\nnr_bursts 0\nburst_usec 0\n" },
	    { CG POD "/" CID "/cpu.max", "50000 100000\n" },
	    { CG POD "/" CID "/cpu.weight", "10\n" },
	    { CG POD "/" CID "/memory.current", "50331648\n" },
	    { CG POD "/" CID "/memory.peak", "62914560\n" },
	    { CG POD "/" CID "/memory.swap.current", "0\n" },
	    { CG POD "/" CID "/memory.max", "268435456\n" },
	    { CG POD "/" CID "/memory.stat", "anon 41943040\nfile 6291456\nkernel 2097152\ninactive_file 4194304\n"
					     "active_file 2097152\n" },
	    { CG POD "/" CID "/memory.events", "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\noom_group_kill 0\n" },
	    { CG POD "/" CID "/cgroup.events", "populated 1\nfrozen 0\n" },
	    { CG POD "/" CID "/cgroup.procs", "4242\n" } },
	  .expect = "container_cpu_cfs_periods_total" C_L " 1200\n"
		    "container_cpu_cfs_throttled_periods_total" C_L " 30\n"
		    "container_cpu_cfs_throttled_seconds_total" C_L " 1.5\n"
		    "container_cpu_system_seconds_total" P_L " 2\n"
		    "container_cpu_system_seconds_total" C_L " 1.8\n"
		    "container_cpu_usage_seconds_total" P_LU " 5\n"
		    "container_cpu_usage_seconds_total" C_LU " 4.5\n"
		    "container_cpu_user_seconds_total" P_L " 3\n"
		    "container_cpu_user_seconds_total" C_L " 2.7\n"
		    "container_memory_cache" P_L " 8.388608e+06\n"
		    "container_memory_cache" C_L " 6.291456e+06\n"
		    "container_memory_failcnt" P_L " 0\n"
		    "container_memory_failcnt" C_L " 7\n"
		    "container_memory_max_usage_bytes" C_L " 6.291456e+07\n"
		    "container_memory_rss" P_L " 4.194304e+07\n"
		    "container_memory_rss" C_L " 4.194304e+07\n"
		    "container_memory_swap" C_L " 0\n"
		    "container_memory_usage_bytes" P_L " 5.24288e+07\n"
		    "container_memory_usage_bytes" C_L " 5.0331648e+07\n"
		    "container_memory_working_set_bytes" P_L " 4.8234496e+07\n"
		    "container_memory_working_set_bytes" C_L " 4.6137344e+07\n"
		    "container_oom_events_total" P_L " 0\n"
		    "container_oom_events_total" C_L " 1\n"
		    "container_spec_cpu_period" P_L " 100000\n"
		    "container_spec_cpu_period" C_L " 100000\n"
		    "container_spec_cpu_quota" C_L " 50000\n"
		    "container_spec_cpu_shares" P_L " 237\n"
		    "container_spec_cpu_shares" C_L " 237\n"
		    "container_spec_memory_limit_bytes" P_L " 0\n"
		    "container_spec_memory_limit_bytes" C_L " 2.68435456e+08\n"
		    "container_start_time_seconds" P_L " " START "\n"
		    "container_start_time_seconds" C_L " " START "\n" },

	/* memory.max "max" is 0, no quota means no quota and no CFS series, zero usage no usage series, and the
	 * working set floors at 0. The pod directory has no files (being torn down): no series at all. */
	{ "v2 unlimited, no quota, working set floor, empty pod",
	  { BTIME, V2ROOT, POD_LOGS, CTR_LINK,
	    { CG POD "/" CID "/cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n" },
	    { CG POD "/" CID "/cpu.max", "max 100000\n" },
	    { CG POD "/" CID "/memory.current", "1000000\n" },
	    { CG POD "/" CID "/memory.max", "max\n" },
	    { CG POD "/" CID "/memory.stat", "anon 0\nfile 2000000\ninactive_file 1500000\n" } },
	  .expect = "container_cpu_system_seconds_total" C_L " 0\n"
		    "container_cpu_user_seconds_total" C_L " 0\n"
		    "container_memory_cache" C_L " 2e+06\n"
		    "container_memory_rss" C_L " 0\n"
		    "container_memory_usage_bytes" C_L " 1e+06\n"
		    "container_memory_working_set_bytes" C_L " 0\n"
		    "container_spec_cpu_period" C_L " 100000\n"
		    "container_spec_memory_limit_bytes" C_L " 0\n"
		    "container_start_time_seconds" C_L " " START "\n" },

	/* v1 legacy as systemd mounts it: cpu,cpuacct with cpu and cpuacct symlinks. The kernel's "unlimited"
	 * 9223372036854771712 is exported as 0 and a quota of -1 is none. */
	{ "v1 cpu,cpuacct symlinked, unlimited memory, quota -1",
	  { BTIME, POD_LOGS, CTR_LINK,
	    { CG "cpu", "->cpu,cpuacct" },
	    { CG "cpuacct", "->cpu,cpuacct" },
	    { CG "memory/memory.use_hierarchy", "1\n" },
	    { CG "cpu,cpuacct/" POD "/" CID "/cpuacct.usage", "1234567890\n" },
	    { CG "cpu,cpuacct/" POD "/" CID "/cpuacct.stat", "user 80\nsystem 40\n" },
	    { CG "cpu,cpuacct/" POD "/" CID "/cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n" },
	    { CG "cpu,cpuacct/" POD "/" CID "/cpu.shares", "256\n" },
	    { CG "cpu,cpuacct/" POD "/" CID "/cpu.cfs_period_us", "100000\n" },
	    { CG "cpu,cpuacct/" POD "/" CID "/cpu.cfs_quota_us", "-1\n" },
	    { CG "cpu,cpuacct/" POD "/" CID "/cgroup.clone_children", "0\n" },
	    { CG "memory/" POD "/" CID "/memory.usage_in_bytes", "10485760\n" },
	    { CG "memory/" POD "/" CID "/memory.max_usage_in_bytes", "20971520\n" },
	    { CG "memory/" POD "/" CID "/memory.failcnt", "0\n" },
	    { CG "memory/" POD "/" CID "/memory.limit_in_bytes", "9223372036854771712\n" },
	    { CG "memory/" POD "/" CID "/memory.stat",
	      "cache 1048576\nrss 8388608\nrss_huge 0\nshmem 0\nmapped_file 0\nswap 4096\ninactive_file 524288\n"
	      "hierarchical_memory_limit 9223372036854771712\ntotal_cache 1048576\ntotal_rss 8388608\n"
	      "total_swap 4096\ntotal_inactive_anon 0\ntotal_active_anon 8388608\ntotal_inactive_file 524288\n"
	      "total_active_file 524288\ntotal_unevictable 0\n" },
	    { CG "memory/" POD "/" CID "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n" } },
	  .expect = "container_cpu_system_seconds_total" C_L " 0.4\n"
		    "container_cpu_usage_seconds_total" C_LU " 1.23456789\n"
		    "container_cpu_user_seconds_total" C_L " 0.8\n"
		    "container_memory_cache" C_L " 1.048576e+06\n"
		    "container_memory_failcnt" C_L " 0\n"
		    "container_memory_max_usage_bytes" C_L " 2.097152e+07\n"
		    "container_memory_rss" C_L " 8.388608e+06\n"
		    "container_memory_swap" C_L " 4096\n"
		    "container_memory_usage_bytes" C_L " 1.048576e+07\n"
		    "container_memory_working_set_bytes" C_L " 9.961472e+06\n"
		    "container_oom_events_total" C_L " 2\n"
		    "container_spec_cpu_period" C_L " 100000\n"
		    "container_spec_cpu_shares" C_L " 256\n"
		    "container_spec_memory_limit_bytes" C_L " 0\n"
		    "container_start_time_seconds" C_L " " START "\n" },

	/* memory.use_hierarchy 0 (old kernels): the container's own rss/cache, the working set still from
	 * total_inactive_file (cAdvisor). A limit of -1 is unlimited. */
	{ "v1 use_hierarchy 0, limit -1",
	  { BTIME, POD_LOGS, CTR_LINK,
	    { CG "memory/memory.use_hierarchy", "0\n" },
	    { CG "memory/" POD "/" CID "/memory.use_hierarchy", "0\n" },
	    { CG "memory/" POD "/" CID "/memory.usage_in_bytes", "40960\n" },
	    { CG "memory/" POD "/" CID "/memory.limit_in_bytes", "-1\n" },
	    { CG "memory/" POD "/" CID "/memory.stat", "cache 4096\nrss 8192\nswap 0\ninactive_file 4096\n"
						       "total_cache 40960\ntotal_rss 81920\ntotal_swap 0\n"
						       "total_inactive_file 12288\n" } },
	  .expect = "container_memory_cache" C_L " 4096\n"
		    "container_memory_rss" C_L " 8192\n"
		    "container_memory_swap" C_L " 0\n"
		    "container_memory_usage_bytes" C_L " 40960\n"
		    "container_memory_working_set_bytes" C_L " 28672\n"
		    "container_spec_memory_limit_bytes" C_L " 0\n"
		    "container_start_time_seconds" C_L " " START "\n" },

	/* A bare host on v1 hybrid (unified/ beside), cpu and cpuacct mounted apart: services of system.slice and
	 * its sub-slices; other units, user.slice and init.scope are not services of the system. */
	{ "v1 hybrid host services, cpu and cpuacct apart",
	  { BTIME,
	    { CG "unified/cgroup.controllers", "" },
	    { CG "unified/system.slice/cron.service/cgroup.procs", "612\n" },
	    { CG "memory/memory.use_hierarchy", "1\n" },
	    { CG "memory/init.scope/memory.usage_in_bytes", "8192000\n" },
	    { CG "memory/user.slice/user@1000.service/memory.usage_in_bytes", "4096000\n" },
	    { CG "memory/system.slice/boot.mount/memory.usage_in_bytes", "4096\n" },
	    { CG "memory/system.slice/cron.service/memory.usage_in_bytes", "6307840\n" },
	    { CG "memory/system.slice/cron.service/memory.limit_in_bytes", "9223372036854771712\n" },
	    { CG "memory/system.slice/system-getty.slice/getty@tty1.service/memory.usage_in_bytes", "307200\n" },
	    { CG "cpu/system.slice/cron.service/cpu.shares", "1024\n" },
	    { CG "cpu/system.slice/cron.service/cpu.cfs_quota_us", "20000\n" },
	    { CG "cpu/system.slice/cron.service/cpu.cfs_period_us", "100000\n" },
	    { CG "cpu/system.slice/cron.service/cpu.stat", "nr_periods 16\nnr_throttled 2\nthrottled_time 3000000\n" },
	    { CG "cpuacct/system.slice/cron.service/cpuacct.usage", "371357243000\n" },
	    { CG "cpuacct/system.slice/cron.service/cpuacct.stat", "user 25995\nsystem 11140\n" } },
	  .expect = "container_cpu_cfs_periods_total" L("", "/system.slice/cron.service", "", "", "", "") " 16\n"
		    "container_cpu_cfs_throttled_periods_total" L("", "/system.slice/cron.service", "", "", "", "") " 2\n"
		    "container_cpu_cfs_throttled_seconds_total" L("", "/system.slice/cron.service", "", "", "", "") " 0.003\n"
		    "container_cpu_system_seconds_total" L("", "/system.slice/cron.service", "", "", "", "") " 111.4\n"
		    "container_cpu_usage_seconds_total" LU("", "/system.slice/cron.service", "", "", "", "") " 371.357243\n"
		    "container_cpu_user_seconds_total" L("", "/system.slice/cron.service", "", "", "", "") " 259.95\n"
		    "container_memory_usage_bytes" L("", "/system.slice/cron.service", "", "", "", "") " 6.30784e+06\n"
		    "container_memory_usage_bytes" L("", "/system.slice/system-getty.slice/getty@tty1.service", "", "", "", "") " 307200\n"
		    "container_memory_working_set_bytes" L("", "/system.slice/cron.service", "", "", "", "") " 6.30784e+06\n"
		    "container_memory_working_set_bytes" L("", "/system.slice/system-getty.slice/getty@tty1.service", "", "", "", "") " 307200\n"
		    "container_spec_cpu_period" L("", "/system.slice/cron.service", "", "", "", "") " 100000\n"
		    "container_spec_cpu_quota" L("", "/system.slice/cron.service", "", "", "", "") " 20000\n"
		    "container_spec_cpu_shares" L("", "/system.slice/cron.service", "", "", "", "") " 1024\n"
		    "container_spec_memory_limit_bytes" L("", "/system.slice/cron.service", "", "", "", "") " 0\n"
		    "container_start_time_seconds" L("", "/system.slice/cron.service", "", "", "", "") " " START "\n"
		    "container_start_time_seconds" L("", "/system.slice/system-getty.slice/getty@tty1.service", "", "", "", "") " " START "\n" },

	/* Issue 14, defect 6: every cgroup any hierarchy has, each family from wherever the kernel counts it.
	 * v1 legacy: a unit with CPUAccounting and no MemoryAccounting (older systemd) is in cpu,cpuacct only;
	 * a container the runtime has put in cpu,cpuacct but not yet in memory likewise. */
#define SVC(u) L("", "/system.slice/" u, "", "", "", "")
#define SVCU(u) LU("", "/system.slice/" u, "", "", "", "")
	{ "v1: cgroups in cpu,cpuacct only are reported",
	  { BTIME,
	    { CG "cpu", "->cpu,cpuacct" },
	    { CG "cpuacct", "->cpu,cpuacct" },
	    { CG "memory/memory.use_hierarchy", "1\n" },
	    { CG "memory/system.slice/ssh.service/memory.usage_in_bytes", "4096000\n" },
	    { CG "cpu,cpuacct/system.slice/ssh.service/cpuacct.usage", "2000000000\n" },
	    { CG "cpu,cpuacct/system.slice/chrony.service/cpuacct.usage", "1500000000\n" },
	    { CG "cpu,cpuacct/system.slice/chrony.service/cpuacct.stat", "user 100\nsystem 50\n" },
	    { CG "memory/" POD "/memory.usage_in_bytes", "8192\n" },
	    { CG "cpu,cpuacct/" POD "/cpuacct.usage", "3000000000\n" },
	    { CG "cpu,cpuacct/" POD "/" CID "/cpuacct.usage", "1000000000\n" } },
	  .expect = "container_cpu_system_seconds_total" SVC("chrony.service") " 0.5\n"
		    "container_cpu_usage_seconds_total" LU("", "/" POD, "", "", "", "") " 3\n"
		    "container_cpu_usage_seconds_total" LU("", "/" POD "/" CID, "", CID, "", "") " 1\n"
		    "container_cpu_usage_seconds_total" SVCU("chrony.service") " 1.5\n"
		    "container_cpu_usage_seconds_total" SVCU("ssh.service") " 2\n"
		    "container_cpu_user_seconds_total" SVC("chrony.service") " 1\n"
		    "container_memory_usage_bytes" AP_L " 8192\n"
		    "container_memory_usage_bytes" SVC("ssh.service") " 4.096e+06\n"
		    "container_memory_working_set_bytes" AP_L " 8192\n"
		    "container_memory_working_set_bytes" SVC("ssh.service") " 4.096e+06\n"
		    "container_start_time_seconds" AP_L " " START "\n"
		    "container_start_time_seconds" A_L " " START "\n"
		    "container_start_time_seconds" SVC("chrony.service") " " START "\n"
		    "container_start_time_seconds" SVC("ssh.service") " " START "\n" },
	/* Hybrid (Ubuntu 20.04, Debian 10/11): systemd puts a unit in memory and the unified tree, in cpuacct only
	 * with CPUAccounting. The unified cpu.stat counts its CPU all the same. */
	{ "hybrid: CPU of a service not in cpuacct from the unified cpu.stat",
	  { BTIME,
	    { CG "unified/cgroup.controllers", "" },
	    { CG "unified/system.slice/nginx.service/cpu.stat", "usage_usec 7250000\nuser_usec 5000000\n"
								"system_usec 2250000\ncore_sched.force_idle_usec 0\n" },
	    { CG "unified/system.slice/ssh.service/cpu.stat", "usage_usec 9000000\nuser_usec 1\nsystem_usec 1\n" },
	    { CG "unified/system.slice/cron.service/cpu.stat", "usage_usec 1000\nuser_usec 1000\nsystem_usec 0\n" },
	    { CG "cpu", "->cpu,cpuacct" },
	    { CG "cpuacct", "->cpu,cpuacct" },
	    { CG "memory/memory.use_hierarchy", "1\n" },
	    { CG "memory/system.slice/nginx.service/memory.usage_in_bytes", "4096000\n" },
	    { CG "memory/system.slice/ssh.service/memory.usage_in_bytes", "8192\n" },
	    { CG "cpu,cpuacct/system.slice/ssh.service/cpuacct.usage", "2000000000\n" },
	    { CG "cpu,cpuacct/system.slice/ssh.service/cpuacct.stat", "user 150\nsystem 50\n" },
	    { CG "cpu,cpuacct/system.slice/cron.service/cpuacct.usage", "1500000000\n" } },
	  .expect = "container_cpu_system_seconds_total" SVC("cron.service") " 0\n"
		    "container_cpu_system_seconds_total" SVC("nginx.service") " 2.25\n"
		    "container_cpu_system_seconds_total" SVC("ssh.service") " 0.5\n"
		    "container_cpu_usage_seconds_total" SVCU("cron.service") " 1.5\n"
		    "container_cpu_usage_seconds_total" SVCU("nginx.service") " 7.25\n"
		    "container_cpu_usage_seconds_total" SVCU("ssh.service") " 2\n"
		    "container_cpu_user_seconds_total" SVC("cron.service") " 0.001\n"
		    "container_cpu_user_seconds_total" SVC("nginx.service") " 5\n"
		    "container_cpu_user_seconds_total" SVC("ssh.service") " 1.5\n"
		    "container_memory_usage_bytes" SVC("nginx.service") " 4.096e+06\n"
		    "container_memory_usage_bytes" SVC("ssh.service") " 8192\n"
		    "container_memory_working_set_bytes" SVC("nginx.service") " 4.096e+06\n"
		    "container_memory_working_set_bytes" SVC("ssh.service") " 8192\n"
		    "container_start_time_seconds" SVC("cron.service") " " START "\n"
		    "container_start_time_seconds" SVC("nginx.service") " " START "\n"
		    "container_start_time_seconds" SVC("ssh.service") " " START "\n" },

	{ "v2 services",
	  { BTIME, V2ROOT,
	    { CG "init.scope/memory.current", "9000000\n" },
	    { CG "system.slice/ssh.service/memory.current", "4972544\n" },
	    { CG "system.slice/boot.mount/memory.current", "8192\n" },
	    { CG "system.slice/system-getty.slice/getty@tty1.service/memory.current", "307200\n" },
	    { CG "user.slice/user-1000.slice/user@1000.service/memory.current", "1000000\n" } },
	  .expect = "container_memory_usage_bytes" L("", "/system.slice/ssh.service", "", "", "", "") " 4.972544e+06\n"
		    "container_memory_usage_bytes" L("", "/system.slice/system-getty.slice/getty@tty1.service", "", "", "", "") " 307200\n"
		    "container_memory_working_set_bytes" L("", "/system.slice/ssh.service", "", "", "", "") " 4.972544e+06\n"
		    "container_memory_working_set_bytes" L("", "/system.slice/system-getty.slice/getty@tty1.service", "", "", "", "") " 307200\n"
		    "container_start_time_seconds" L("", "/system.slice/ssh.service", "", "", "", "") " " START "\n"
		    "container_start_time_seconds" L("", "/system.slice/system-getty.slice/getty@tty1.service", "", "", "", "") " " START "\n" },

	/* cAdvisor's cpu.weight -> shares: 2 + (w - 1) * 262142 / 9999; out of [1, 10000] gives no series. */
	{ "v2 cpu.weight to shares",
	  { BTIME, V2ROOT,
	    { CG "kubepods/besteffort/pod" UID "/1111111111111111111111111111111111111111111111111111111111111111/cpu.weight", "1\n" },
	    { CG "kubepods/besteffort/pod" UID "/2222222222222222222222222222222222222222222222222222222222222222/cpu.weight", "50\n" },
	    { CG "kubepods/besteffort/pod" UID "/3333333333333333333333333333333333333333333333333333333333333333/cpu.weight", "100\n" },
	    { CG "kubepods/besteffort/pod" UID "/4444444444444444444444444444444444444444444444444444444444444444/cpu.weight", "10000\n" },
	    { CG "kubepods/besteffort/pod" UID "/5555555555555555555555555555555555555555555555555555555555555555/cpu.weight", "0\n" },
	    { CG "kubepods/besteffort/pod" UID "/6666666666666666666666666666666666666666666666666666666666666666/cpu.weight", "10001\n" } },
	  .expect =
#define WL(n) L("", "/kubepods/besteffort/pod" UID "/" n, "", n, "", "")
#define W1 "1111111111111111111111111111111111111111111111111111111111111111"
#define W2 "2222222222222222222222222222222222222222222222222222222222222222"
#define W3 "3333333333333333333333333333333333333333333333333333333333333333"
#define W4 "4444444444444444444444444444444444444444444444444444444444444444"
#define W5 "5555555555555555555555555555555555555555555555555555555555555555"
#define W6 "6666666666666666666666666666666666666666666666666666666666666666"
		  "container_spec_cpu_shares" WL(W1) " 2\n"
		  "container_spec_cpu_shares" WL(W2) " 1286\n"
		  "container_spec_cpu_shares" WL(W3) " 2597\n"
		  "container_spec_cpu_shares" WL(W4) " 262144\n"
		  "container_start_time_seconds" WL(W1) " " START "\n"
		  "container_start_time_seconds" WL(W2) " " START "\n"
		  "container_start_time_seconds" WL(W3) " " START "\n"
		  "container_start_time_seconds" WL(W4) " " START "\n"
		  "container_start_time_seconds" WL(W5) " " START "\n"
		  "container_start_time_seconds" WL(W6) " " START "\n" },

	/* Bad lines are reported (the run fails) but the rest of the file and the other cgroups still count. */
	{ "malformed cpu.stat",
	  { BTIME, V2ROOT, POD_LOGS, CTR_LINK,
	    { CG POD "/" CID "/cpu.stat", "usage_usec 1000\nuser_usec x\nsystem_usec 2000\ngarbage\n" },
	    { CG POD "/memory.current", "4096\n" } },
	  .expect = "container_cpu_system_seconds_total" C_L " 0.002\n"
		    "container_cpu_usage_seconds_total" C_LU " 0.001\n"
		    "container_memory_usage_bytes" P_L " 4096\n"
		    "container_memory_working_set_bytes" P_L " 4096\n"
		    "container_start_time_seconds" P_L " " START "\n"
		    "container_start_time_seconds" C_L " " START "\n",
	  .expect_fail = 1 },
	{ "truncated memory.stat",
	  { BTIME, V2ROOT, POD_LOGS, CTR_LINK,
	    { CG POD "/" CID "/memory.current", "16384\n" },
	    { CG POD "/" CID "/memory.stat", "anon 4096\nfile 8192\ninactive_fi" } },
	  .expect = "container_memory_cache" C_L " 8192\n"
		    "container_memory_rss" C_L " 4096\n"
		    "container_memory_usage_bytes" C_L " 16384\n"
		    "container_memory_working_set_bytes" C_L " 16384\n"
		    "container_start_time_seconds" C_L " " START "\n",
	  .expect_fail = 1 },
	{ "empty and garbage files",
	  { BTIME, V2ROOT, POD_LOGS, CTR_LINK,
	    { CG POD "/" CID "/memory.current", "" },
	    { CG POD "/" CID "/cpu.stat", "" },
	    { CG POD "/" CID "/cpu.max", "100000\n" },
	    { CG POD "/" CID "/cpu.weight", "heavy\n" },
	    { CG POD "/" CID "/memory.max", "-1\n" } },
	  .expect = "container_start_time_seconds" C_L " " START "\n",
	  .expect_fail = 1 },
	{ "huge numbers",
	  { BTIME, V2ROOT, POD_LOGS, CTR_LINK,
	    { CG POD "/" CID "/cpu.stat", "usage_usec 18446744073709551\nuser_usec 0\nsystem_usec 0\n" },
	    { CG POD "/" CID "/memory.current", "18446744073709551615\n" },
	    { CG POD "/" CID "/memory.max", "4611686018427387905\n" },
	    { CG POD "/memory.max", "4611686018427387904\n" } },
	  .expect = "container_cpu_system_seconds_total" C_L " 0\n"
		    "container_cpu_usage_seconds_total" C_LU " 1.8446744073709553e+10\n"
		    "container_cpu_user_seconds_total" C_L " 0\n"
		    "container_memory_usage_bytes" C_L " 1.8446744073709552e+19\n"
		    "container_memory_working_set_bytes" C_L " 1.8446744073709552e+19\n"
		    "container_spec_memory_limit_bytes" P_L " 4.611686018427388e+18\n"
		    "container_spec_memory_limit_bytes" C_L " 0\n"
		    "container_start_time_seconds" P_L " " START "\n"
		    "container_start_time_seconds" C_L " " START "\n" },
	{ "overflowing number",
	  { BTIME, V2ROOT, POD_LOGS, CTR_LINK,
	    { CG POD "/" CID "/memory.current", "18446744073709551616\n" },
	    { CG POD "/" CID "/memory.peak", "4096\n" } },
	  .expect = "container_memory_max_usage_bytes" C_L " 4096\n"
		    "container_start_time_seconds" C_L " " START "\n",
	  .expect_fail = 1 },

	/* Races: a container cgroup whose files are gone (or not there yet) gives no series and no error; a pod
	 * with no log directory and a container with no symlink get the labels the cgroup tree gives. */
	{ "vanished container, no log directories",
	  { BTIME, V2ROOT,
	    { CG POD "/" CID, NULL },
	    { CG POD "/memory.current", "4096\n" },
	    V2_MEM_ONLY(POD "/" SID, "8192") },
	  .expect = "container_memory_usage_bytes" AP_L " 4096\n"
		    "container_memory_usage_bytes" L("", "/" POD "/" SID, "", SID, "", "") " 8192\n"
		    "container_memory_working_set_bytes" AP_L " 4096\n"
		    "container_memory_working_set_bytes" L("", "/" POD "/" SID, "", SID, "", "") " 8192\n"
		    "container_start_time_seconds" AP_L " " START "\n"
		    "container_start_time_seconds" L("", "/" POD "/" SID, "", SID, "", "") " " START "\n" },
	/* The pause container has no symlink: container="" with the pod's names, as the kubelet with containerd. */
	{ "pause container and pod from the pod log directory",
	  { BTIME, V2ROOT, POD_LOGS, CTR_LINK,
	    V2_MEM_ONLY(POD, "4096"), V2_MEM_ONLY(POD "/" CID, "1024"), V2_MEM_ONLY(POD "/" SID, "2048"),
	    /* not containers: a CRI-O conmon scope, a sub-directory of another name */
	    V2_MEM_ONLY(POD "/crio-conmon-" CID ".scope", "1"), V2_MEM_ONLY(POD "/init", "1") },
	  .expect = "container_memory_usage_bytes" P_L " 4096\n"
		    "container_memory_usage_bytes" L("", "/" POD "/" SID, "", SID, "shop", "web-1") " 2048\n"
		    "container_memory_usage_bytes" C_L " 1024\n"
		    "container_memory_working_set_bytes" P_L " 4096\n"
		    "container_memory_working_set_bytes" L("", "/" POD "/" SID, "", SID, "shop", "web-1") " 2048\n"
		    "container_memory_working_set_bytes" C_L " 1024\n"
		    "container_start_time_seconds" P_L " " START "\n"
		    "container_start_time_seconds" L("", "/" POD "/" SID, "", SID, "shop", "web-1") " " START "\n"
		    "container_start_time_seconds" C_L " " START "\n" },

	/* systemd driver, k3s: the bundles' annotations give the image, tell the sandbox apart and name the pod
	 * even before the kubelet wrote its log directories; the pod cgroup takes its names from its containers. */
#define SPOD "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice"
#define TASKS "run/k3s/containerd/io.containerd.runtime.v2.task/k8s.io/"
#define ANN(type, extra)                                                                                   \
	"{\"ociVersion\":\"1.1.0\",\"process\":{\"env\":[\"SECRET=x\"]},\"annotations\":{"                 \
	"\"io.kubernetes.cri.container-type\":\"" type "\",\"io.kubernetes.cri.sandbox-id\":\"" SID "\","  \
	"\"io.kubernetes.cri.sandbox-name\":\"web-1\",\"io.kubernetes.cri.sandbox-namespace\":\"shop\"," \
	"\"io.kubernetes.cri.sandbox-uid\":\"" UID "\"" extra "}}"
	{ "v2 systemd driver with containerd annotations",
	  { BTIME, V2ROOT,
	    V2_MEM_ONLY(SPOD, "4096"),
	    V2_MEM_ONLY(SPOD "/cri-containerd-" CID ".scope", "1024"),
	    V2_MEM_ONLY(SPOD "/cri-containerd-" SID ".scope", "2048"),
	    { TASKS CID "/config.json", ANN("container", ",\"io.kubernetes.cri.container-name\":\"app\","
						     "\"io.kubernetes.cri.image-name\":\"docker.io/library/nginx:1.27\"") },
	    { TASKS SID "/config.json", ANN("sandbox", ",\"io.kubernetes.cri.image-name\":\"docker.io/rancher/"
						   "mirrored-pause:3.6\"") } },
	  .expect =
#define SP_L L("", "/" SPOD, "", "", "shop", "web-1")
#define SS_L L("", "/" SPOD "/cri-containerd-" SID ".scope", "docker.io/rancher/mirrored-pause:3.6", SID, "shop", "web-1")
#define SC_L L("app", "/" SPOD "/cri-containerd-" CID ".scope", "docker.io/library/nginx:1.27", CID, "shop", "web-1")
		  "container_memory_usage_bytes" SP_L " 4096\n"
		  "container_memory_usage_bytes" SS_L " 2048\n"
		  "container_memory_usage_bytes" SC_L " 1024\n"
		  "container_memory_working_set_bytes" SP_L " 4096\n"
		  "container_memory_working_set_bytes" SS_L " 2048\n"
		  "container_memory_working_set_bytes" SC_L " 1024\n"
		  "container_start_time_seconds" SP_L " " START "\n"
		  "container_start_time_seconds" SS_L " " START "\n"
		  "container_start_time_seconds" SC_L " " START "\n" },
	/* A bundle that does not parse, or has no annotations, is ignored: the log directories still name it. */
	{ "malformed and empty bundles",
	  { BTIME, V2ROOT, POD_LOGS, CTR_LINK,
	    V2_MEM_ONLY(POD "/" CID, "1024"), V2_MEM_ONLY(POD "/" SID, "2048"),
	    { "run/containerd/io.containerd.runtime.v2.task/k8s.io/" CID "/config.json", "{\"annotations\":{\"io.k" },
	    { "run/containerd/io.containerd.runtime.v2.task/k8s.io/" SID "/config.json",
	      "{\"ociVersion\":\"1.0.2\",\"annotations\":[1,2]}" } },
	  .expect = "container_memory_usage_bytes" L("", "/" POD "/" SID, "", SID, "shop", "web-1") " 2048\n"
		    "container_memory_usage_bytes" C_L " 1024\n"
		    "container_memory_working_set_bytes" L("", "/" POD "/" SID, "", SID, "shop", "web-1") " 2048\n"
		    "container_memory_working_set_bytes" C_L " 1024\n"
		    "container_start_time_seconds" L("", "/" POD "/" SID, "", SID, "shop", "web-1") " " START "\n"
		    "container_start_time_seconds" C_L " " START "\n" },
	{ "annotations off",
	  { BTIME, V2ROOT,
	    V2_MEM_ONLY(SPOD "/cri-containerd-" CID ".scope", "1024"),
	    { TASKS CID "/config.json", ANN("container", ",\"io.kubernetes.cri.container-name\":\"app\"") } },
	  .args = { "--no-collector.container.containerd-annotations" },
	  .expect = "container_memory_usage_bytes" L("", "/" SPOD "/cri-containerd-" CID ".scope", "", CID, "", "") " 1024\n"
		    "container_memory_working_set_bytes" L("", "/" SPOD "/cri-containerd-" CID ".scope", "", CID, "", "") " 1024\n"
		    "container_start_time_seconds" L("", "/" SPOD "/cri-containerd-" CID ".scope", "", CID, "", "") " " START "\n" },

	/* k3d: the node is a container whose cgroup holds kubepods (v1, host cgroup namespace). Guaranteed pods
	 * sit right under kubepods. */
	{ "nested kubepods, guaranteed pod, v1 memory only",
	  { BTIME, POD_LOGS, CTR_LINK,
	    { CG "memory/docker/9f2b1c3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcdef/kubepods/pod" UID "/"
	      CID "/memory.usage_in_bytes", "12288\n" } },
	  .expect =
#define K3D_L L("app", "/docker/9f2b1c3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcdef/kubepods/pod" UID "/" CID, "", CID, "shop", "web-1")
		  "container_memory_usage_bytes" K3D_L " 12288\n"
		  "container_memory_working_set_bytes" K3D_L " 12288\n"
		  "container_start_time_seconds" K3D_L " " START "\n" },

	/* k3d on a v2 host with Docker's systemd driver and the host cgroup namespace: kubepods inside the node
	 * container's scope, itself in system.slice (whose services are still services). */
	{ "nested kubepods in a system.slice scope, v2",
	  { BTIME, V2ROOT, POD_LOGS, CTR_LINK,
	    V2_MEM_ONLY("system.slice/docker-" SID ".scope/kubepods/besteffort/pod" UID "/" CID, "12288"),
	    V2_MEM_ONLY("system.slice/docker-" SID ".scope/system.slice/k3s.service", "1"),
	    V2_MEM_ONLY("system.slice/containerd.service", "4096") },
	  .expect =
#define DK_L L("app", "/system.slice/docker-" SID ".scope/kubepods/besteffort/pod" UID "/" CID, "", CID, "shop", "web-1")
#define CS_L L("", "/system.slice/containerd.service", "", "", "", "")
		  "container_memory_usage_bytes" CS_L " 4096\n"
		  "container_memory_usage_bytes" DK_L " 12288\n"
		  "container_memory_working_set_bytes" CS_L " 4096\n"
		  "container_memory_working_set_bytes" DK_L " 12288\n"
		  "container_start_time_seconds" CS_L " " START "\n"
		  "container_start_time_seconds" DK_L " " START "\n" },

	{ "exclude services",
	  { BTIME, V2ROOT, POD_LOGS, CTR_LINK,
	    V2_MEM_ONLY(POD "/" CID, "1024"),
	    V2_MEM_ONLY("system.slice/ssh.service", "4096") },
	  .args = { "--collector.container.cgroup-exclude=^/system\\.slice/" },
	  .expect = "container_memory_usage_bytes" C_L " 1024\n"
		    "container_memory_working_set_bytes" C_L " 1024\n"
		    "container_start_time_seconds" C_L " " START "\n" },
	{ "include pod cgroups only",
	  { BTIME, V2ROOT, POD_LOGS, CTR_LINK,
	    V2_MEM_ONLY(POD, "4096"), V2_MEM_ONLY(POD "/" CID, "1024"),
	    V2_MEM_ONLY("system.slice/ssh.service", "4096") },
	  .args = { "--collector.container.cgroup-include=/pod[^/]+$" },
	  .expect = "container_memory_usage_bytes" P_L " 4096\n"
		    "container_memory_working_set_bytes" P_L " 4096\n"
		    "container_start_time_seconds" P_L " " START "\n" },

	/* A symlink name longer than 255 bytes is cut by the kubelet: its target still names the pod and the
	 * container, and the 28 id digits left match the cgroup. */
#define B16 "bbbbbbbbbbbbbbbb"
#define LONGPOD "web-" B16 B16 B16 B16 B16 B16 B16 B16 B16 B16 B16 B16
	{ "symlink name cut at 255 bytes",
	  { BTIME, V2ROOT,
	    { "var/log/pods/shop_" LONGPOD "_" UID "/application-server-1/0.log", "" },
	    { "var/log/containers/" LONGPOD "_shop_application-server-1-0123456789abcdef0123456789ab.log",
	      "->/var/log/pods/shop_" LONGPOD "_" UID "/application-server-1/0.log" },
	    V2_MEM_ONLY(POD "/" CID, "1024") },
	  .expect = "container_memory_usage_bytes" L("application-server-1", "/" POD "/" CID, "", CID, "shop", LONGPOD) " 1024\n"
		    "container_memory_working_set_bytes" L("application-server-1", "/" POD "/" CID, "", CID, "shop", LONGPOD) " 1024\n"
		    "container_start_time_seconds" L("application-server-1", "/" POD "/" CID, "", CID, "shop", LONGPOD) " " START "\n" },

	{ "no cgroup filesystem", { BTIME, { "sys/class", NULL } }, .expect = "", .expect_fail = 1 },
	{ "empty v2 tree", { BTIME, V2ROOT, { CG "init.scope/cgroup.procs", "1\n" } }, .expect = "" },
	{ "hybrid without v1 controllers uses unified/",
	  { BTIME, { CG "unified/cgroup.controllers", "cpu memory\n" },
	    { CG "unified/system.slice/ssh.service/memory.current", "4096\n" } },
	  .expect = "container_memory_usage_bytes" L("", "/system.slice/ssh.service", "", "", "", "") " 4096\n"
		    "container_memory_working_set_bytes" L("", "/system.slice/ssh.service", "", "", "", "") " 4096\n"
		    "container_start_time_seconds" L("", "/system.slice/ssh.service", "", "", "", "") " " START "\n" },
};

/* ---- tests that span several scrapes ---- */

static struct metric_set ms;
static struct collect_ctx ctx = { .ms = &ms };
static struct expo expo;

/* Runs the collector once (after init) and returns its output lines that contain needle, or all. */
static const char *collect(const char *needle, int *rc)
{
	static struct strbuf out, sel;
	struct metric_set *sets[1] = { &ms };
	char *p, *line;

	metric_set_reset(&ms);
	*rc = collector_container.collect(&ctx);
	sb_reset(&out);
	sb_reset(&sel);
	expo_render(&expo, &out, sets, 1);
	p = out.p ? out.p : "";
	while ((line = next_line(&p)))
		if (line[0] != '#' && (!needle || strstr(line, needle))) {
			sb_puts(&sel, line);
			sb_putc(&sel, '\n');
		}
	return sel.p ? sel.p : "";
}

static char path_buf[1024];

static const char *rooted(const char *root, const char *rel)
{
	snprintf(path_buf, sizeof(path_buf), "%s/%s", root, rel);
	return path_buf;
}

static void set_mtime(const char *root, const char *rel, time_t sec)
{
	struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };

	if (utimensat(AT_FDCWD, rooted(root, rel), ts, 0) < 0)
		fprintf(stderr, "utimensat %s: %s\n", path_buf, strerror(errno));
}

static void write_file(const char *root, const char *rel, const char *text)
{
	int fd = open(rooted(root, rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			fprintf(stderr, "write %s failed\n", path_buf);
		close(fd);
	}
}

static void start(void)
{
	char err[256];

	flags_set_defaults(collector_container.flags);
	CHECK(collector_container.init(err, sizeof(err)) == 0);
}

static void stop(void)
{
	collector_container.fini();
	metric_set_free(&ms);
}

/* Without a boot time to clamp to: the earliest mtime of the directory and cgroup.events, taken once per
 * cgroup, and taken again for a new cgroup under the same path. */
static void test_start_time(void)
{
	static const struct tfile files[] = {
		V2ROOT,
		{ CG POD "/memory.current", "4096\n" },
		{ CG POD "/cgroup.events", "populated 1\nfrozen 0\n" },
		{ CG POD "/" CID "/memory.current", "1024\n" },
		{ CG POD "/" CID "/cgroup.events", "populated 1\nfrozen 0\n" },
		{ CG "system.slice/ssh.service/memory.current", "1024\n" },
	};
	const char *root = test_make_root(files, ARRAY_SIZE(files));
	int rc;

	CHECK(root != NULL);
	if (!root)
		return;
	set_mtime(root, CG POD "/" CID "/cgroup.events", 1690000000);
	set_mtime(root, CG POD "/" CID, 1700000000);
	set_mtime(root, CG POD "/cgroup.events", 1700000200);
	set_mtime(root, CG POD, 1700000100);
	set_mtime(root, CG "system.slice/ssh.service", 1650000000);
	start();
	CHECK_STR(collect("start_time", &rc),
		  "container_start_time_seconds" AP_L " 1.7000001e+09\n"
		  "container_start_time_seconds" A_L " 1.69e+09\n"
		  "container_start_time_seconds" L("", "/system.slice/ssh.service", "", "", "", "") " 1.65e+09\n");
	CHECK_INT(rc, 0);

	/* cached: a later change of the files does not move it */
	set_mtime(root, CG POD "/" CID "/cgroup.events", 1600000000);
	CHECK(strstr(collect("start_time", &rc), A_L " 1.69e+09\n") != NULL);

	/* a restarted service is a new directory (another inode) under the same path */
	char a[1024], b[1024];
	snprintf(a, sizeof(a), "%s/" CG "system.slice/ssh.service.new", root);
	snprintf(b, sizeof(b), "%s/" CG "system.slice/ssh.service", root);
	CHECK(mkdir(a, 0755) == 0);
	write_file(root, CG "system.slice/ssh.service.new/memory.current", "2048\n");
	unlink(rooted(root, CG "system.slice/ssh.service/memory.current"));
	CHECK(rmdir(b) == 0);
	CHECK(rename(a, b) == 0);
	set_mtime(root, CG "system.slice/ssh.service/memory.current", 1760000000);
	set_mtime(root, CG "system.slice/ssh.service", 1760000000);
	CHECK(strstr(collect("ssh", &rc),
		     "container_start_time_seconds" L("", "/system.slice/ssh.service", "", "", "", "") " 1.76e+09\n") !=
	      NULL);

	/* boot time clamps (truncated to the minute) */
	stop();
	write_file(root, "proc/stat", "btime 1700000059\n");
	start();
	const char *o = collect("start_time", &rc);
	CHECK(strstr(o, A_L " 1.70000004e+09\n") != NULL);
	if (!strstr(o, A_L " 1.70000004e+09\n"))
		fprintf(stderr, "%s", o);
	stop();
	test_remove_root();
}

/* The log directories are read again only when their mtime changes (and while it is too recent to trust). */
static void test_idmap_refresh(void)
{
	static const struct tfile files[] = {
		BTIME, V2ROOT, POD_LOGS,
		V2_MEM_ONLY(POD "/" CID, "1024"),
	};
	const char *root = test_make_root(files, ARRAY_SIZE(files));
	int rc;

	CHECK(root != NULL);
	if (!root)
		return;
	CHECK(mkdir(rooted(root, "var/log/containers"), 0755) == 0);
	set_mtime(root, "var/log/containers", 1700000000);
	set_mtime(root, "var/log/pods", 1700000000);
	start();
	CHECK_STR(collect("usage_bytes", &rc),
		  "container_memory_usage_bytes" L("", "/" POD "/" CID, "", CID, "shop", "web-1") " 1024\n");

	/* A symlink appears, but the directory's mtime is put back: the map is not read again. */
	CHECK(symlink("/var/log/pods/shop_web-1_" UID "/app/0.log",
		      rooted(root, "var/log/containers/web-1_shop_app-" CID ".log")) == 0);
	set_mtime(root, "var/log/containers", 1700000000);
	CHECK_STR(collect("usage_bytes", &rc),
		  "container_memory_usage_bytes" L("", "/" POD "/" CID, "", CID, "shop", "web-1") " 1024\n");

	/* Its mtime changes: read again. */
	set_mtime(root, "var/log/containers", 1700000060);
	CHECK_STR(collect("usage_bytes", &rc), "container_memory_usage_bytes" C_L " 1024\n");

	/* The pod directory goes away: the names go with it. */
	unlink(rooted(root, "var/log/containers/web-1_shop_app-" CID ".log"));
	unlink(rooted(root, "var/log/pods/shop_web-1_" UID "/app/0.log"));
	rmdir(rooted(root, "var/log/pods/shop_web-1_" UID "/app"));
	rmdir(rooted(root, "var/log/pods/shop_web-1_" UID));
	CHECK_STR(collect("usage_bytes", &rc), "container_memory_usage_bytes" A_L " 1024\n");
	CHECK_INT(rc, 0);
	stop();
	test_remove_root();
}

/* A bundle that is not there yet is looked for again once the task directory changes. */
static void test_annotations_retry(void)
{
	static const struct tfile files[] = {
		BTIME, V2ROOT,
		V2_MEM_ONLY(SPOD "/cri-containerd-" CID ".scope", "1024"),
		{ TASKS "other/config.json", "{}" },
	};
	const char *root = test_make_root(files, ARRAY_SIZE(files));
	int rc;

	CHECK(root != NULL);
	if (!root)
		return;
	set_mtime(root, TASKS, 1700000000);
	start();
	CHECK(strstr(collect("usage_bytes", &rc), "image=\"\"") != NULL);
	CHECK(mkdir(rooted(root, TASKS CID), 0755) == 0);
	write_file(root, TASKS CID "/config.json",
		   ANN("container", ",\"io.kubernetes.cri.container-name\":\"app\","
				    "\"io.kubernetes.cri.image-name\":\"docker.io/library/nginx:1.27\""));
	set_mtime(root, TASKS, 1700000000);
	CHECK(strstr(collect("usage_bytes", &rc), "image=\"\"") != NULL); /* not looked for again */
	set_mtime(root, TASKS, 1700000030);
	CHECK_STR(collect("usage_bytes", &rc), "container_memory_usage_bytes" SC_L " 1024\n");
	CHECK_INT(rc, 0);
	stop();
	test_remove_root();
}

/* Cgroups that vanish drop out of the cache; the cache survives its own growth. */
static void test_many_cgroups(void)
{
	static const struct tfile files[] = { BTIME, V2ROOT };
	const char *root = test_make_root(files, ARRAY_SIZE(files));
	char rel[256];
	int rc;

	CHECK(root != NULL);
	if (!root)
		return;
	CHECK(mkdir(rooted(root, CG "system.slice"), 0755) == 0);
	for (int i = 0; i < 600; i++) {
		snprintf(rel, sizeof(rel), CG "system.slice/unit-%03d.service", i);
		mkdir(rooted(root, rel), 0755);
		snprintf(rel, sizeof(rel), CG "system.slice/unit-%03d.service/memory.current", i);
		write_file(root, rel, "4096\n");
	}
	start();
	const char *out = collect("usage_bytes", &rc);
	size_t n = 0;
	for (const char *p = out; (p = strchr(p, '\n')); p++)
		n++;
	CHECK_INT(n, 600);
	for (int i = 0; i < 600; i += 2) {
		snprintf(rel, sizeof(rel), CG "system.slice/unit-%03d.service/memory.current", i);
		unlink(rooted(root, rel));
		snprintf(rel, sizeof(rel), CG "system.slice/unit-%03d.service", i);
		rmdir(rooted(root, rel));
	}
	out = collect("usage_bytes", &rc);
	n = 0;
	for (const char *p = out; (p = strchr(p, '\n')); p++)
		n++;
	CHECK_INT(n, 300);
	CHECK_INT(rc, 0);
	stop();
	test_remove_root();
}

/* A bad regexp is a start-up error with a message. */
static void test_bad_regexp(void)
{
	struct flag *sets[1] = { collector_container.flags };
	char err[256] = "";

	flags_set_defaults(collector_container.flags);
	CHECK(flag_set(flag_find(sets, 1, "collector.container.cgroup-exclude"), "(", FLAG_SRC_CMDLINE, err,
		       sizeof(err)) == 0);
	CHECK(collector_container.init(err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "missing closing parenthesis") != NULL);
	flags_set_defaults(collector_container.flags);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_container, cases, ARRAY_SIZE(cases));
	test_start_time();
	test_idmap_refresh();
	test_annotations_retry();
	test_many_cgroups();
	test_bad_regexp();
	expo_free(&expo);
	return test_summary(argv[0]);
}
