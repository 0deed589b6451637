#include "harness.h"

extern const struct collector collector_cpufreq;
extern const struct collector collector_cpu;

#define CPU(n, cur)                                                                                      \
	{ "sys/devices/system/cpu/cpu" #n "/cpufreq/scaling_cur_freq", cur "\n" },                      \
	{ "sys/devices/system/cpu/cpu" #n "/cpufreq/scaling_min_freq", "800000\n" },                   \
	{ "sys/devices/system/cpu/cpu" #n "/cpufreq/scaling_max_freq", "3600000\n" },                  \
	{ "sys/devices/system/cpu/cpu" #n "/cpufreq/scaling_available_governors", "performance powersave\n" }, \
	{ "sys/devices/system/cpu/cpu" #n "/cpufreq/scaling_governor", "powersave\n" },                \
	{ "sys/devices/system/cpu/cpu" #n "/cpufreq/scaling_driver", "intel_pstate\n" },               \
	{ "sys/devices/system/cpu/cpu" #n "/cpufreq/related_cpus", #n "\n" },                          \
	{ "sys/devices/system/cpu/cpu" #n "/cpufreq/scaling_setspeed", "<unsupported>\n" }

static const struct collector_case cases[] = {
	{ "two cpus, cpuinfo frequencies on one",
	  { { "sys/devices/system/cpu/offline", "\n" },
	    CPU(0, "1200000"),
	    CPU(1, "3400000"),
	    { "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_cur_freq", "1199998\n" },
	    { "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_avg_freq", "1500000\n" },
	    { "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_min_freq", "400000\n" },
	    { "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "4700000\n" },
	    { "sys/devices/system/cpu/cpufreq", NULL } },
	  .full = true,
	  .expect = "# HELP node_cpu_frequency_avg_hertz Average CPU thread frequency in hertz.\n"
		    "# TYPE node_cpu_frequency_avg_hertz gauge\n"
		    "node_cpu_frequency_avg_hertz{cpu=\"0\"} 1.5e+09\n"
		    "# HELP node_cpu_frequency_hertz Current CPU thread frequency in hertz.\n"
		    "# TYPE node_cpu_frequency_hertz gauge\n"
		    "node_cpu_frequency_hertz{cpu=\"0\"} 1.199998e+09\n"
		    "# HELP node_cpu_frequency_max_hertz Maximum CPU thread frequency in hertz.\n"
		    "# TYPE node_cpu_frequency_max_hertz gauge\n"
		    "node_cpu_frequency_max_hertz{cpu=\"0\"} 4.7e+09\n"
		    "# HELP node_cpu_frequency_min_hertz Minimum CPU thread frequency in hertz.\n"
		    "# TYPE node_cpu_frequency_min_hertz gauge\n"
		    "node_cpu_frequency_min_hertz{cpu=\"0\"} 4e+08\n"
		    "# HELP node_cpu_scaling_frequency_hertz Current scaled CPU thread frequency in hertz.\n"
		    "# TYPE node_cpu_scaling_frequency_hertz gauge\n"
		    "node_cpu_scaling_frequency_hertz{cpu=\"0\"} 1.2e+09\n"
		    "node_cpu_scaling_frequency_hertz{cpu=\"1\"} 3.4e+09\n"
		    "# HELP node_cpu_scaling_frequency_max_hertz Maximum scaled CPU thread frequency in hertz.\n"
		    "# TYPE node_cpu_scaling_frequency_max_hertz gauge\n"
		    "node_cpu_scaling_frequency_max_hertz{cpu=\"0\"} 3.6e+09\n"
		    "node_cpu_scaling_frequency_max_hertz{cpu=\"1\"} 3.6e+09\n"
		    "# HELP node_cpu_scaling_frequency_min_hertz Minimum scaled CPU thread frequency in hertz.\n"
		    "# TYPE node_cpu_scaling_frequency_min_hertz gauge\n"
		    "node_cpu_scaling_frequency_min_hertz{cpu=\"0\"} 8e+08\n"
		    "node_cpu_scaling_frequency_min_hertz{cpu=\"1\"} 8e+08\n"
		    "# HELP node_cpu_scaling_governor Current enabled CPU frequency governor.\n"
		    "# TYPE node_cpu_scaling_governor gauge\n"
		    "node_cpu_scaling_governor{cpu=\"0\",governor=\"performance\"} 0\n"
		    "node_cpu_scaling_governor{cpu=\"0\",governor=\"powersave\"} 1\n"
		    "node_cpu_scaling_governor{cpu=\"1\",governor=\"performance\"} 0\n"
		    "node_cpu_scaling_governor{cpu=\"1\",governor=\"powersave\"} 1\n" },
	{ "offline cpus are skipped, cpus without cpufreq too",
	  { { "sys/devices/system/cpu/offline", "1-2,5\n" },
	    CPU(0, "1000"), CPU(1, "2000"), CPU(2, "3000"), { "sys/devices/system/cpu/cpu3/online", "1\n" } },
	  .expect = "node_cpu_scaling_frequency_hertz{cpu=\"0\"} 1e+06\n"
		    "node_cpu_scaling_frequency_max_hertz{cpu=\"0\"} 3.6e+09\n"
		    "node_cpu_scaling_frequency_min_hertz{cpu=\"0\"} 8e+08\n"
		    "node_cpu_scaling_governor{cpu=\"0\",governor=\"performance\"} 0\n"
		    "node_cpu_scaling_governor{cpu=\"0\",governor=\"powersave\"} 1\n" },
	{ "no offline file fails", { CPU(0, "1000") }, .expect = "", .expect_fail = 1 },
	{ "bad offline range fails", { { "sys/devices/system/cpu/offline", "1-x\n" }, CPU(0, "1000") },
	  .expect = "", .expect_fail = 1 },
	{ "one bad cpu reports nothing",
	  { { "sys/devices/system/cpu/offline", "\n" }, CPU(0, "1000"), CPU(1, "fast") },
	  .expect = "", .expect_fail = 1 },
	{ "a required string attribute missing fails",
	  { { "sys/devices/system/cpu/offline", "\n" },
	    { "sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "1000\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "no governor: no governor series; empty governor list gives one empty governor",
	  { { "sys/devices/system/cpu/offline", "" },
	    { "sys/devices/system/cpu/cpu0/cpufreq/scaling_available_governors", "\n" },
	    { "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "schedutil\n" },
	    { "sys/devices/system/cpu/cpu0/cpufreq/scaling_driver", "x\n" },
	    { "sys/devices/system/cpu/cpu0/cpufreq/related_cpus", "0\n" },
	    { "sys/devices/system/cpu/cpu0/cpufreq/scaling_setspeed", "x\n" },
	    { "sys/devices/system/cpu/cpu1/cpufreq/scaling_available_governors", "a\n" },
	    { "sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", "\n" },
	    { "sys/devices/system/cpu/cpu1/cpufreq/scaling_driver", "x\n" },
	    { "sys/devices/system/cpu/cpu1/cpufreq/related_cpus", "1\n" },
	    { "sys/devices/system/cpu/cpu1/cpufreq/scaling_setspeed", "x\n" },
	    { "sys/devices/system/cpu/cpu1/cpufreq/scaling_max_freq", "18446744073709551615\n" } },
	  .expect = "node_cpu_scaling_frequency_max_hertz{cpu=\"1\"} 1.8446744073709552e+22\n"
		    "node_cpu_scaling_governor{cpu=\"0\",governor=\"\"} 0\n" },
	{ "no cpu at all fails, as in procfs", { { "sys/devices/system/cpu/offline", "" } }, .expect = "",
	  .expect_fail = 1 },
};

/* With the cpu collector's info option on, cpu exports node_cpu_frequency_hertz from /proc/cpuinfo and
 * cpufreq leaves its own out. cpufreq learns it from cpu_info_enabled(), not from cpu's flags. */
static void test_cpu_owns_frequency(void)
{
	static const struct tfile files[] = {
		{ "sys/devices/system/cpu/offline", "\n" },
		CPU(0, "1200000"),
		{ "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_cur_freq", "1199998\n" },
		{ "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "4700000\n" },
	};
	struct flag *sets[1] = { collector_cpu.flags };
	struct strbuf out = { 0 };
	char err[256];

	CHECK(!cpu_info_enabled());
	CHECK(test_make_root(files, ARRAY_SIZE(files)) != NULL);
	CHECK_INT(test_run_collector(&collector_cpufreq, &out), 0);
	test_keep_samples(&out, "node_cpu_frequency_");
	CHECK_STR(out.p, "node_cpu_frequency_hertz{cpu=\"0\"} 1.199998e+09\n"
			 "node_cpu_frequency_max_hertz{cpu=\"0\"} 4.7e+09\n");

	CHECK_INT(flag_set(flag_find(sets, 1, "collector.cpu.info.bugs-include"), "mds", FLAG_SRC_CMDLINE, err,
			   sizeof(err)),
		  0);
	CHECK(cpu_info_enabled());
	CHECK_INT(test_run_collector(&collector_cpufreq, &out), 0);
	test_keep_samples(&out, "node_cpu_frequency_");
	CHECK_STR(out.p, "node_cpu_frequency_max_hertz{cpu=\"0\"} 4.7e+09\n");
	flags_set_defaults(collector_cpu.flags);
	CHECK(!cpu_info_enabled());
	test_remove_root();
	sb_free(&out);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_cpufreq, cases, ARRAY_SIZE(cases));
	test_cpu_owns_frequency();
	return test_summary(argv[0]);
}
