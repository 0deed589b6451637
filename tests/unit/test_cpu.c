#include <sys/stat.h>

#include "exposition.h"
#include "harness.h"

extern const struct collector collector_cpu;
/* collectors/cpu.c's test hook and its enum cpuinfo_format, in order. */
int cpu_cpuinfo_format(int format);
enum { FMT_X86, FMT_ARM, FMT_S390X, FMT_RISCV };

#define STAT_2CPU                                                      \
	"cpu  1000 20 300 40000 50 6 7 0 8 9\n"                        \
	"cpu0 500 10 150 20000 25 3 4 0 4 5\n"                         \
	"cpu1 500 10 150 20000 25 3 3 0 4 4\n"                         \
	"intr 12345 1 2 3\nctxt 999\nbtime 1700000000\nprocesses 4242\n" \
	"procs_running 3\nprocs_blocked 1\nsoftirq 100 1 2 3 4 5 6 7 8 9 55\n"

#define GUEST_2CPU                                               \
	"node_cpu_guest_seconds_total{cpu=\"0\",mode=\"nice\"} 0.05\n" \
	"node_cpu_guest_seconds_total{cpu=\"0\",mode=\"user\"} 0.04\n" \
	"node_cpu_guest_seconds_total{cpu=\"1\",mode=\"nice\"} 0.04\n" \
	"node_cpu_guest_seconds_total{cpu=\"1\",mode=\"user\"} 0.04\n"
#define SECONDS_2CPU GUEST_2CPU SECONDS_ONLY_2CPU

#define SECONDS_ONLY_2CPU                                          \
	"node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 200\n"    \
	"node_cpu_seconds_total{cpu=\"0\",mode=\"iowait\"} 0.25\n" \
	"node_cpu_seconds_total{cpu=\"0\",mode=\"irq\"} 0.03\n"    \
	"node_cpu_seconds_total{cpu=\"0\",mode=\"nice\"} 0.1\n"    \
	"node_cpu_seconds_total{cpu=\"0\",mode=\"softirq\"} 0.04\n" \
	"node_cpu_seconds_total{cpu=\"0\",mode=\"steal\"} 0\n"     \
	"node_cpu_seconds_total{cpu=\"0\",mode=\"system\"} 1.5\n"  \
	"node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 5\n"      \
	"node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 200\n"    \
	"node_cpu_seconds_total{cpu=\"1\",mode=\"iowait\"} 0.25\n" \
	"node_cpu_seconds_total{cpu=\"1\",mode=\"irq\"} 0.03\n"    \
	"node_cpu_seconds_total{cpu=\"1\",mode=\"nice\"} 0.1\n"    \
	"node_cpu_seconds_total{cpu=\"1\",mode=\"softirq\"} 0.03\n" \
	"node_cpu_seconds_total{cpu=\"1\",mode=\"steal\"} 0\n"     \
	"node_cpu_seconds_total{cpu=\"1\",mode=\"system\"} 1.5\n"  \
	"node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 5\n"

#define CPUINFO_X86                                                                                    \
	"processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"                  \
	"model name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\nstepping\t: 7\nmicrocode\t: 0x5003604\n" \
	"cpu MHz\t\t: 2100.000\ncache size\t: 28160 KB\nphysical id\t: 0\nsiblings\t: 2\ncore id\t\t: 0\n" \
	"cpu cores\t: 1\nflags\t\t: fpu vme aes avx avx2 avx512f constant_tsc\n"                        \
	"bugs\t\t: spectre_v1 spectre_v2 mds swapgs\nbogomips\t: 4200.00\npower management:\n\n"          \
	"processor\t: 1\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"                  \
	"model name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\nstepping\t: 7\nmicrocode\t: 0x5003604\n" \
	"cpu MHz\t\t: 799.998\ncache size\t: 28160 KB\nphysical id\t: 0\nsiblings\t: 2\ncore id\t\t: 0\n" \
	"cpu cores\t: 1\nflags\t\t: fpu vme aes\nbugs\t\t: spectre_v1\nbogomips\t: 4200.00\n\n"

#define INFO_X86                                                                                                  \
	"node_cpu_info{cachesize=\"28160 KB\",core=\"0\",cpu=\"0\",family=\"6\",microcode=\"0x5003604\",model=\"85\"," \
	"model_name=\"Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\",package=\"0\",stepping=\"7\",vendor=\"GenuineIntel\"} 1\n" \
	"node_cpu_info{cachesize=\"28160 KB\",core=\"0\",cpu=\"1\",family=\"6\",microcode=\"0x5003604\",model=\"85\"," \
	"model_name=\"Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\",package=\"0\",stepping=\"7\",vendor=\"GenuineIntel\"} 1\n"

#define FREQ_X86                                                                  \
	"node_cpu_frequency_hertz{core=\"0\",cpu=\"0\",package=\"0\"} 2.1e+09\n" \
	"node_cpu_frequency_hertz{core=\"0\",cpu=\"1\",package=\"0\"} 7.99998e+08\n"

static const struct collector_case cases[] = {
	{ "stat only, no sysfs",
	  { { "proc/stat", STAT_2CPU }, { "sys", NULL } },
	  .expect = SECONDS_2CPU },
	{ "guest disabled",
	  { { "proc/stat", STAT_2CPU } },
	  .args = { "--no-collector.cpu.guest" },
	  .expect = SECONDS_ONLY_2CPU },
	{ "full sysfs: throttles, isolated, online",
	  { { "proc/stat", STAT_2CPU },
	    { "sys/devices/system/cpu/isolated", "1,3-4\n" },
	    { "sys/devices/system/cpu/online", "0-1\n" },
	    { "sys/devices/system/cpu/cpufreq", NULL },
	    { "sys/devices/system/cpu/cpuidle", NULL },
	    { "sys/devices/system/cpu/cpu0/online", "1\n" },
	    { "sys/devices/system/cpu/cpu0/topology/physical_package_id", "0\n" },
	    { "sys/devices/system/cpu/cpu0/topology/core_id", "0\n" },
	    { "sys/devices/system/cpu/cpu0/thermal_throttle/core_throttle_count", "5\n" },
	    { "sys/devices/system/cpu/cpu0/thermal_throttle/package_throttle_count", "30\n" },
	    { "sys/devices/system/cpu/cpu1/online", "0\n" },
	    { "sys/devices/system/cpu/cpu1/topology/physical_package_id", "0\n" },
	    { "sys/devices/system/cpu/cpu1/topology/core_id", "1\n" },
	    { "sys/devices/system/cpu/cpu1/thermal_throttle/core_throttle_count", "7\n" },
	    { "sys/devices/system/cpu/cpu1/thermal_throttle/package_throttle_count", "31\n" } },
	  .expect = "node_cpu_core_throttles_total{core=\"0\",package=\"0\"} 5\n"
		    "node_cpu_core_throttles_total{core=\"1\",package=\"0\"} 7\n" GUEST_2CPU
		    "node_cpu_isolated{cpu=\"1\"} 1\n"
		    "node_cpu_isolated{cpu=\"3\"} 1\n"
		    "node_cpu_isolated{cpu=\"4\"} 1\n"
		    "node_cpu_online{cpu=\"0\"} 1\n"
		    "node_cpu_online{cpu=\"1\"} 0\n"
		    "node_cpu_package_throttles_total{package=\"0\"} 30\n" SECONDS_ONLY_2CPU },
	{ "throttles: first readable CPU of a core and a package wins, in name order",
	  { { "proc/stat", STAT_2CPU },
	    /* cpu10 sorts before cpu2: it is read first for package 1 */
	    { "sys/devices/system/cpu/cpu10/topology/physical_package_id", "1\n" },
	    { "sys/devices/system/cpu/cpu10/topology/core_id", "4\n" },
	    { "sys/devices/system/cpu/cpu10/thermal_throttle/core_throttle_count", "100\n" },
	    { "sys/devices/system/cpu/cpu10/thermal_throttle/package_throttle_count", "200\n" },
	    { "sys/devices/system/cpu/cpu2/topology/physical_package_id", "1\n" },
	    { "sys/devices/system/cpu/cpu2/topology/core_id", "4\n" },
	    { "sys/devices/system/cpu/cpu2/thermal_throttle/core_throttle_count", "101\n" },
	    { "sys/devices/system/cpu/cpu2/thermal_throttle/package_throttle_count", "201\n" },
	    /* cpu3: no core count, so cpu4 (same core) supplies it */
	    { "sys/devices/system/cpu/cpu3/topology/physical_package_id", "0\n" },
	    { "sys/devices/system/cpu/cpu3/topology/core_id", "0\n" },
	    { "sys/devices/system/cpu/cpu3/thermal_throttle/package_throttle_count", "9\n" },
	    { "sys/devices/system/cpu/cpu4/topology/physical_package_id", "0\n" },
	    { "sys/devices/system/cpu/cpu4/topology/core_id", "0\n" },
	    { "sys/devices/system/cpu/cpu4/thermal_throttle/core_throttle_count", "3\n" },
	    { "sys/devices/system/cpu/cpu4/thermal_throttle/package_throttle_count", "10\n" },
	    /* cpu5: no topology: skipped */
	    { "sys/devices/system/cpu/cpu5/thermal_throttle/core_throttle_count", "999\n" },
	    /* cpu6: bad core_id: skipped */
	    { "sys/devices/system/cpu/cpu6/topology/physical_package_id", "0\n" },
	    { "sys/devices/system/cpu/cpu6/topology/core_id", "x\n" },
	    { "sys/devices/system/cpu/cpu6/thermal_throttle/core_throttle_count", "998\n" },
	    /* cpu7: no thermal_throttle directory (virtual machines) */
	    { "sys/devices/system/cpu/cpu7/topology/physical_package_id", "2\n" },
	    { "sys/devices/system/cpu/cpu7/topology/core_id", "0\n" },
	    /* huge counter */
	    { "sys/devices/system/cpu/cpu8/topology/physical_package_id", "3\n" },
	    { "sys/devices/system/cpu/cpu8/topology/core_id", "0\n" },
	    { "sys/devices/system/cpu/cpu8/thermal_throttle/core_throttle_count", "18446744073709551615\n" },
	    { "sys/devices/system/cpu/cpu8/thermal_throttle/package_throttle_count", "garbage\n" } },
	  .args = { "--no-collector.cpu.guest" },
	  .expect = "node_cpu_core_throttles_total{core=\"0\",package=\"0\"} 3\n"
		    "node_cpu_core_throttles_total{core=\"0\",package=\"3\"} 1.8446744073709552e+19\n"
		    "node_cpu_core_throttles_total{core=\"4\",package=\"1\"} 100\n"
		    "node_cpu_package_throttles_total{package=\"0\"} 9\n"
		    "node_cpu_package_throttles_total{package=\"1\"} 200\n" SECONDS_ONLY_2CPU },
	{ "online: nothing when the first CPU has no online file",
	  { { "proc/stat", STAT_2CPU },
	    { "sys/devices/system/cpu/cpu0/topology/core_id", "0\n" },
	    { "sys/devices/system/cpu/cpu1/online", "1\n" } },
	  .args = { "--no-collector.cpu.guest" },
	  .expect = SECONDS_ONLY_2CPU },
	{ "online: an unreadable or odd file is 0",
	  { { "proc/stat", STAT_2CPU },
	    { "sys/devices/system/cpu/cpu0/online", "1\n" },
	    { "sys/devices/system/cpu/cpu1", NULL },
	    { "sys/devices/system/cpu/cpu2/online", "yes\n" } },
	  .args = { "--no-collector.cpu.guest" },
	  .expect = "node_cpu_online{cpu=\"0\"} 1\n"
		    "node_cpu_online{cpu=\"1\"} 0\n"
		    "node_cpu_online{cpu=\"2\"} 0\n" SECONDS_ONLY_2CPU },
	{ "isolated: empty file gives nothing",
	  { { "proc/stat", STAT_2CPU }, { "sys/devices/system/cpu/isolated", "\n" } },
	  .args = { "--no-collector.cpu.guest" },
	  .expect = SECONDS_ONLY_2CPU },
	/* Issue 14, defect 4: a bad isolated file fails the run with the reason; it no longer stops the
	 * start, and the other families are still reported. */
	{ "isolated: malformed file fails the run",
	  { { "proc/stat", STAT_2CPU }, { "sys/devices/system/cpu/isolated", "1,a-3\n" } },
	  .args = { "--no-collector.cpu.guest" },
	  .expect = SECONDS_ONLY_2CPU,
	  .expect_fail = 1 },
	{ "isolated: unreadable (a file where sysfs has a directory) fails the run",
	  { { "proc/stat", STAT_2CPU }, { "sys/devices/system", "not a directory\n" } },
	  .args = { "--no-collector.cpu.guest" },
	  .expect = SECONDS_ONLY_2CPU,
	  .expect_fail = 1 },
	{ "short cpu lines: missing modes are 0, as procfs",
	  { { "proc/stat", "cpu  1 2 3 4\ncpu0 100 200 300 400\ncpu3 7\n" } },
	  .expect = "node_cpu_guest_seconds_total{cpu=\"0\",mode=\"nice\"} 0\n"
		    "node_cpu_guest_seconds_total{cpu=\"0\",mode=\"user\"} 0\n"
		    "node_cpu_guest_seconds_total{cpu=\"3\",mode=\"nice\"} 0\n"
		    "node_cpu_guest_seconds_total{cpu=\"3\",mode=\"user\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 4\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"iowait\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"irq\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"nice\"} 2\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"softirq\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"steal\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"system\"} 3\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 1\n"
		    "node_cpu_seconds_total{cpu=\"3\",mode=\"idle\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"3\",mode=\"iowait\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"3\",mode=\"irq\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"3\",mode=\"nice\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"3\",mode=\"softirq\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"3\",mode=\"steal\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"3\",mode=\"system\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"3\",mode=\"user\"} 0.07\n" },
	{ "malformed cpu lines are skipped and reported",
	  { { "proc/stat", "cpu  1 2 3 4 5 6 7 8 9 10\ncpuX 1 2\ncpu0 1 2 x 4\ncpu1 100 0 0 0 0 0 0 0 0 0\n"
			   "cpu99999999999 1 2 3\ncpu2\n" } },
	  .args = { "--no-collector.cpu.guest" },
	  .expect = "node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"1\",mode=\"iowait\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"1\",mode=\"irq\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"1\",mode=\"nice\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"1\",mode=\"softirq\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"1\",mode=\"steal\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"1\",mode=\"system\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 1\n",
	  .expect_fail = 1 },
	{ "huge tick counts",
	  { { "proc/stat", "cpu0 18446744073709551615 0 0 123456789012345 0 0 0 0 0 0\n" } },
	  .args = { "--no-collector.cpu.guest" },
	  .expect = "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1.23456789012345e+12\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"iowait\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"irq\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"nice\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"softirq\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"steal\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"system\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 1.8446744073709552e+17\n" },
	{ "missing /proc/stat fails but sysfs families still come",
	  { { "proc", NULL }, { "sys/devices/system/cpu/isolated", "2\n" } },
	  .expect = "node_cpu_isolated{cpu=\"2\"} 1\n",
	  .expect_fail = 1 },
	{ "empty /proc/stat: no CPUs",
	  { { "proc/stat", "" } },
	  .expect = "" },
	{ "cpu.info with flag and bug filters",
	  { { "proc/stat", STAT_2CPU }, { "proc/cpuinfo", CPUINFO_X86 } },
	  .args = { "--no-collector.cpu.guest", "--collector.cpu.info",
		    "--collector.cpu.info.flags-include=^(aes|avx.?|constant_tsc)$",
		    "--collector.cpu.info.bugs-include=^(spectre_.*|mds)$" },
	  .expect = "node_cpu_bug_info{bug=\"mds\"} 1\n"
		    "node_cpu_bug_info{bug=\"spectre_v1\"} 1\n"
		    "node_cpu_bug_info{bug=\"spectre_v2\"} 1\n"
		    "node_cpu_flag_info{flag=\"aes\"} 1\n"
		    "node_cpu_flag_info{flag=\"avx\"} 1\n"
		    "node_cpu_flag_info{flag=\"avx2\"} 1\n"
		    "node_cpu_flag_info{flag=\"constant_tsc\"} 1\n" FREQ_X86 INFO_X86 SECONDS_ONLY_2CPU },
	{ "cpu.info without filters: no flag or bug families",
	  { { "proc/stat", STAT_2CPU }, { "proc/cpuinfo", CPUINFO_X86 } },
	  .args = { "--no-collector.cpu.guest", "--collector.cpu.info" },
	  .expect = FREQ_X86 INFO_X86 SECONDS_ONLY_2CPU },
	{ "an include flag turns cpu.info on",
	  { { "proc/stat", STAT_2CPU }, { "proc/cpuinfo", CPUINFO_X86 } },
	  .args = { "--no-collector.cpu.guest", "--collector.cpu.info.bugs-include=swapgs" },
	  .expect = "node_cpu_bug_info{bug=\"swapgs\"} 1\n" FREQ_X86 INFO_X86 SECONDS_ONLY_2CPU },
	{ "bad include regex refuses to start",
	  { { "proc/stat", STAT_2CPU } },
	  .args = { "--collector.cpu.info.flags-include=(" },
	  .expect = "",
	  .expect_fail = 1 },
	{ "cpuinfo: no cpu MHz gives no frequency (procfs would say 0); odd fields kept verbatim",
	  { { "proc/stat", "" },
	    { "proc/cpuinfo", "\n\nprocessor : 007\nvendor_id : Weird \"vendor\"\\\nmodel name:no space\n"
			      "physical id : 1\n" } },
	  .args = { "--collector.cpu.info" },
	  .expect = "node_cpu_info{cachesize=\"\",core=\"\",cpu=\"7\",family=\"\",microcode=\"\",model=\"\","
		    "model_name=\"\",package=\"1\",stepping=\"\",vendor=\"Weird \\\"vendor\\\"\\\\\"} 1\n" },
	{ "cpuinfo: bad first line fails, /proc/stat still read",
	  { { "proc/stat", "cpu0 1 0 0 0 0 0 0 0 0 0\n" }, { "proc/cpuinfo", "vendor_id : x\nprocessor : 0\n" } },
	  .args = { "--no-collector.cpu.guest", "--collector.cpu.info" },
	  .expect = "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"iowait\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"irq\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"nice\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"softirq\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"steal\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"system\"} 0\n"
		    "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 0.01\n",
	  .expect_fail = 1 },
	{ "cpuinfo: bad cpu MHz is reported, the rest kept",
	  { { "proc/stat", "" }, { "proc/cpuinfo", "processor : 0\ncpu MHz : fast\nmodel : 1\n" } },
	  .args = { "--collector.cpu.info" },
	  .expect = "node_cpu_info{cachesize=\"\",core=\"\",cpu=\"0\",family=\"\",microcode=\"\",model=\"1\","
		    "model_name=\"\",package=\"\",stepping=\"\",vendor=\"\"} 1\n",
	  .expect_fail = 1 },
	{ "cpuinfo missing with cpu.info on fails",
	  { { "proc/stat", "" } },
	  .args = { "--collector.cpu.info" },
	  .expect = "",
	  .expect_fail = 1 },
};

/* Scrapes the collector on the current root into out (samples only). Returns the collector's result. */
static int scrape(struct metric_set *ms, struct collect_ctx *ctx, struct strbuf *out)
{
	struct expo e = { 0 };
	struct metric_set *sets[1] = { ms };
	int r;

	metric_set_reset(ms);
	r = collector_cpu.collect(ctx);
	sb_reset(out);
	expo_render(&e, out, sets, 1);
	expo_free(&e);
	/* keep only node_cpu_seconds_total{cpu="N",mode="idle|user"} lines, to keep the expectations short */
	char *p = out->p, *w = out->p;
	while (p && *p) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		char save = p[len - 1];
		p[len - 1] = '\0';
		bool keep = startswith(p, "node_cpu_seconds_total") && (strstr(p, "\"idle\"") || strstr(p, "\"user\""));
		p[len - 1] = save;
		if (keep) {
			memmove(w, p, len);
			w += len;
		}
		p += len;
	}
	if (w)
		*w = '\0';
	return r;
}

static void write_stat(const char *content)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/stat", nodex_paths.procfs);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

/* The counter guard across scrapes: small backwards steps keep the old value, an idle drop of 3 s or more
 * resets the CPU, a CPU that leaves /proc/stat is forgotten. */
static void test_jump_back(void)
{
	struct tfile files[] = { { "proc/stat", "cpu0 1000 0 0 100000 0 0 0 0 0 0\ncpu1 500 0 0 5000 0 0 0 0 0 0\n" } };
	struct metric_set ms = { 0 };
	struct collect_ctx ctx = { .ms = &ms };
	struct strbuf out = { 0 };
	char err[256];

	CHECK(test_make_root(files, ARRAY_SIZE(files)) != NULL);
	flags_set_defaults(collector_cpu.flags);
	CHECK_INT(collector_cpu.init(err, sizeof(err)), 0);

	CHECK_INT(scrape(&ms, &ctx, &out), 0);
	CHECK_STR(out.p, "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1000\n"
			 "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 10\n"
			 "node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 50\n"
			 "node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 5\n");

	/* cpu0: user goes back a little, idle back by 2.99 s: both keep the old value.
	 * cpu1: idle back by exactly 3 s: reset, the new (smaller) values are taken. */
	write_stat("cpu0 990 0 0 99701 0 0 0 0 0 0\ncpu1 400 0 0 4700 0 0 0 0 0 0\n");
	CHECK_INT(scrape(&ms, &ctx, &out), 0);
	CHECK_STR(out.p, "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1000\n"
			 "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 10\n"
			 "node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 47\n"
			 "node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 4\n");

	/* cpu1 goes offline: forgotten. cpu0 moves forward again. */
	write_stat("cpu0 1100 0 0 100100 0 0 0 0 0 0\n");
	CHECK_INT(scrape(&ms, &ctx, &out), 0);
	CHECK_STR(out.p, "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1001\n"
			 "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 11\n");

	/* cpu1 comes back with small counters: a fresh start, not the values from before. */
	write_stat("cpu0 1100 0 0 100100 0 0 0 0 0 0\ncpu1 10 0 0 20 0 0 0 0 0 0\n");
	CHECK_INT(scrape(&ms, &ctx, &out), 0);
	CHECK_STR(out.p, "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1001\n"
			 "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 11\n"
			 "node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 0.2\n"
			 "node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 0.1\n");

	collector_cpu.fini();
	metric_set_free(&ms);
	sb_free(&ctx.buf);
	sb_free(&ctx.path);
	sb_free(&out);
	test_remove_root();
}

/* Issue 14, defect 4: the isolated CPUs are read by the first run that can (node_exporter reads them at
 * start-up and refuses to start when it cannot): an unreadable file fails the runs, with the reason,
 * until it can be read; a missing one means none until it appears; once read, they are kept. */
static void test_isolated_retry(void)
{
	struct tfile files[] = { { "proc/stat", "cpu0 1000 0 0 100000 0 0 0 0 0 0\n" },
				 { "sys/devices/system/cpu/isolated", NULL } };
	struct metric_set ms = { 0 };
	struct collect_ctx ctx = { .ms = &ms };
	struct strbuf out = { 0 };
	char err[256], path[600];

	CHECK(test_make_root(files, ARRAY_SIZE(files)) != NULL);
	flags_set_defaults(collector_cpu.flags);
	CHECK_INT(collector_cpu.init(err, sizeof(err)), 0);
	CHECK(test_collect(&collector_cpu, &ctx, &out) < 0);
	CHECK(strstr(ctx.err, "isolated") != NULL);
	CHECK(strstr(out.p, "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1000\n") != NULL);
	snprintf(path, sizeof(path), "%s/devices/system/cpu/isolated", nodex_paths.sysfs);
	CHECK(rmdir(path) == 0);
	CHECK_INT(test_collect(&collector_cpu, &ctx, &out), 0);
	CHECK(!strstr(out.p, "node_cpu_isolated"));
	CHECK_INT(test_write_file(path, "0\n", 2), 0);
	CHECK_INT(test_collect(&collector_cpu, &ctx, &out), 0);
	CHECK(strstr(out.p, "node_cpu_isolated{cpu=\"0\"} 1\n") != NULL);
	CHECK(unlink(path) == 0 && mkdir(path, 0755) == 0);
	CHECK_INT(test_collect(&collector_cpu, &ctx, &out), 0);
	CHECK(strstr(out.p, "node_cpu_isolated{cpu=\"0\"} 1\n") != NULL);
	collector_cpu.fini();
	test_ctx_free(&ctx);
	sb_free(&out);
	test_remove_root();
}

/* ARM's /proc/cpuinfo layouts, through the test hook (the build's architecture picks the parser). */
static const struct collector_case arm_cases[] = {
	{ "arm64: processor blocks, Features as flags",
	  { { "proc/stat", "" },
	    { "proc/cpuinfo", "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd aes pmull sha1\n"
			      "CPU implementer\t: 0x41\n\nprocessor\t: 1\nBogoMIPS\t: 50.00\n"
			      "Features\t: fp asimd aes pmull sha1\nCPU implementer\t: 0x41\n" } },
	  .args = { "--collector.cpu.info.flags-include=^(aes|sha1)$" },
	  .expect = "node_cpu_flag_info{flag=\"aes\"} 1\n"
		    "node_cpu_flag_info{flag=\"sha1\"} 1\n"
		    "node_cpu_info{cachesize=\"\",core=\"\",cpu=\"0\",family=\"\",microcode=\"\",model=\"\","
		    "model_name=\"\",package=\"\",stepping=\"\",vendor=\"\"} 1\n"
		    "node_cpu_info{cachesize=\"\",core=\"\",cpu=\"1\",family=\"\",microcode=\"\",model=\"\","
		    "model_name=\"\",package=\"\",stepping=\"\",vendor=\"\"} 1\n" },
	{ "old arm: one Processor line, the CPU starts at BogoMIPS",
	  { { "proc/stat", "" },
	    { "proc/cpuinfo", "Processor\t: ARMv7 Processor rev 5 (v7l)\nBogoMIPS\t: 38.40\n"
			      "Features\t: swp half thumb\n" } },
	  .args = { "--collector.cpu.info" },
	  .expect = "node_cpu_info{cachesize=\"\",core=\"\",cpu=\"0\",family=\"\",microcode=\"\",model=\"\","
		    "model_name=\"ARMv7 Processor rev 5 (v7l)\",package=\"\",stepping=\"\",vendor=\"\"} 1\n" },
	{ "arm: x86 layout is refused",
	  { { "proc/stat", "" }, { "proc/cpuinfo", "vendor_id : x\n" } },
	  .args = { "--collector.cpu.info" },
	  .expect = "",
	  .expect_fail = 1 },
};

/* s390x's layout (procfs's test data): processor lines first, then one block per CPU. */
#define CPUINFO_S390X                                                                                     \
	"vendor_id       : IBM/S390\n# processors    : 2\nbogomips per cpu: 3033.00\nmax thread id   : 0\n"  \
	"features\t: esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs te vx sie\n"                 \
	"cache0          : level=1 type=Data scope=Private size=128K line_size=256 associativity=8\n"        \
	"processor 0: version = FF,  identification = 2733E8,  machine = 2964\n"                           \
	"processor 1: version = FF,  identification = 2733E8,  machine = 2964\n\n"                         \
	"cpu number      : 0\nphysical id     : 2\ncore id         : 0\nsiblings        : 8\n"             \
	"cpu cores       : 4\ncpu MHz dynamic : 5000\ncpu MHz static  : 5000\n\n"                          \
	"cpu number      : 1\nphysical id     : 2\ncore id         : 1\nsiblings        : 8\n"             \
	"cpu cores       : 4\ncpu MHz dynamic : 4800 MHz\ncpu MHz static  : 5000\n"

static const struct collector_case s390x_cases[] = {
	{ "s390x: vendor for every CPU, ids and dynamic MHz from the CPU blocks, features as flags",
	  { { "proc/stat", "" }, { "proc/cpuinfo", CPUINFO_S390X } },
	  .args = { "--collector.cpu.info.flags-include=^(zarch|vx)$" },
	  .expect = "node_cpu_flag_info{flag=\"vx\"} 1\n"
		    "node_cpu_flag_info{flag=\"zarch\"} 1\n"
		    "node_cpu_frequency_hertz{core=\"0\",cpu=\"0\",package=\"2\"} 5e+09\n"
		    "node_cpu_frequency_hertz{core=\"1\",cpu=\"1\",package=\"2\"} 4.8e+09\n"
		    "node_cpu_info{cachesize=\"\",core=\"0\",cpu=\"0\",family=\"\",microcode=\"\",model=\"\","
		    "model_name=\"\",package=\"2\",stepping=\"\",vendor=\"IBM/S390\"} 1\n"
		    "node_cpu_info{cachesize=\"\",core=\"1\",cpu=\"1\",family=\"\",microcode=\"\",model=\"\","
		    "model_name=\"\",package=\"2\",stepping=\"\",vendor=\"IBM/S390\"} 1\n" },
	{ "s390x: x86 layout is refused, /proc/stat still read",
	  { { "proc/stat", "cpu0 1 0 0 0 0 0 0 0 0 0\n" }, { "proc/cpuinfo", CPUINFO_X86 } },
	  .args = { "--collector.cpu.info" },
	  .needle = "node_cpu_info",
	  .expect = "",
	  .expect_fail = 1 },
	{ "s390x: more CPU blocks than processors is reported, the rest kept",
	  { { "proc/stat", "" },
	    { "proc/cpuinfo", "vendor_id : IBM/S390\nprocessor 0: version = FF\ncpu number : 0\ncore id : 0\n"
			      "cpu number : 1\ncore id : 1\n" } },
	  .args = { "--collector.cpu.info" },
	  .expect = "node_cpu_info{cachesize=\"\",core=\"0\",cpu=\"0\",family=\"\",microcode=\"\",model=\"\","
		    "model_name=\"\",package=\"\",stepping=\"\",vendor=\"IBM/S390\"} 1\n",
	  .expect_fail = 1 },
};

/* RISC-V's layout (procfs's test data): hart is the core, isa the model name. */
static const struct collector_case riscv_cases[] = {
	{ "riscv64: hart as core, isa as model name",
	  { { "proc/stat", "" },
	    { "proc/cpuinfo", "processor\t: 0\nhart\t\t: 0\nisa\t\t: rv64imafdcsu\nmmu\t\t: sv48\n\n"
			      "processor\t: 1\nhart\t\t: 1\nisa\t\t: rv64imafdcsu\nmmu\t\t: sv48\n" } },
	  .args = { "--collector.cpu.info" },
	  .expect = "node_cpu_info{cachesize=\"\",core=\"0\",cpu=\"0\",family=\"\",microcode=\"\",model=\"\","
		    "model_name=\"rv64imafdcsu\",package=\"\",stepping=\"\",vendor=\"\"} 1\n"
		    "node_cpu_info{cachesize=\"\",core=\"1\",cpu=\"1\",family=\"\",microcode=\"\",model=\"\","
		    "model_name=\"rv64imafdcsu\",package=\"\",stepping=\"\",vendor=\"\"} 1\n" },
	{ "riscv64: a first line that is not a processor is refused",
	  { { "proc/stat", "" }, { "proc/cpuinfo", "vendor_id : x\nprocessor : 0\n" } },
	  .args = { "--collector.cpu.info" },
	  .expect = "",
	  .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	/* The build's architecture picks the cpuinfo parser: each table names the layout it is written in. */
	int old = cpu_cpuinfo_format(FMT_X86);
	test_collector_cases(&collector_cpu, cases, ARRAY_SIZE(cases));
	test_jump_back();
	test_isolated_retry();
	cpu_cpuinfo_format(FMT_ARM);
	test_collector_cases(&collector_cpu, arm_cases, ARRAY_SIZE(arm_cases));
	cpu_cpuinfo_format(FMT_S390X);
	test_collector_cases(&collector_cpu, s390x_cases, ARRAY_SIZE(s390x_cases));
	cpu_cpuinfo_format(FMT_RISCV);
	test_collector_cases(&collector_cpu, riscv_cases, ARRAY_SIZE(riscv_cases));
	cpu_cpuinfo_format(old);
	return test_summary(argv[0]);
}
