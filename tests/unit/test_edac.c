#include "harness.h"

extern const struct collector collector_edac;

#define MC0                                                                                   \
	{ "sys/devices/system/edac/mc/mc0/ce_count", "1\n" },                                \
	{ "sys/devices/system/edac/mc/mc0/ce_noinfo_count", "2\n" },                         \
	{ "sys/devices/system/edac/mc/mc0/ue_count", "5\n" },                                \
	{ "sys/devices/system/edac/mc/mc0/ue_noinfo_count", "6\n" }
#define CSROW0                                                                                \
	{ "sys/devices/system/edac/mc/mc0/csrow0/ce_count", "3\n" },                         \
	{ "sys/devices/system/edac/mc/mc0/csrow0/ue_count", "4\n" }

static const struct collector_case cases[] = {
	{ "controller, csrow, channels",
	  { MC0, CSROW0,
	    { "sys/devices/system/edac/mc/mc0/csrow0/ch0_ce_count", "7\n" },
	    { "sys/devices/system/edac/mc/mc0/csrow0/ch0_ue_count", "8\n" },
	    { "sys/devices/system/edac/mc/mc0/csrow0/ch0_dimm_label", "mc#0csrow#0channel#0\n" },
	    { "sys/devices/system/edac/mc/mc0/csrow0/ch1_ce_count", "9\n" },
	    { "sys/devices/system/edac/mc/mc0/csrow0/ch1_dimm_label", "CPU_SrcID#0_Ha#0_Chan#1_DIMM#0\n" },
	    { "sys/devices/system/edac/mc/mc0/csrow0/ch2_ce_count", "10\n" },
	    { "sys/devices/system/edac/mc/mc0/power", NULL } },
	  .full = true,
	  .expect = "# HELP node_edac_channel_correctable_errors_total Total correctable memory errors for this channel.\n"
		    "# TYPE node_edac_channel_correctable_errors_total counter\n"
		    "node_edac_channel_correctable_errors_total{channel=\"0\",controller=\"0\",csrow=\"0\",dimm_label=\"mc0_csrow0_channel0\"} 7\n"
		    "node_edac_channel_correctable_errors_total{channel=\"1\",controller=\"0\",csrow=\"0\",dimm_label=\"CPU_SrcID0_Ha0_Chan1_DIMM0\"} 9\n"
		    "node_edac_channel_correctable_errors_total{channel=\"2\",controller=\"0\",csrow=\"0\",dimm_label=\"unknown\"} 10\n"
		    "# HELP node_edac_channel_uncorrectable_errors_total Total uncorrectable memory errors for this channel.\n"
		    "# TYPE node_edac_channel_uncorrectable_errors_total counter\n"
		    "node_edac_channel_uncorrectable_errors_total{channel=\"0\",controller=\"0\",csrow=\"0\",dimm_label=\"mc0_csrow0_channel0\"} 8\n"
		    "# HELP node_edac_correctable_errors_total Total correctable memory errors.\n"
		    "# TYPE node_edac_correctable_errors_total counter\n"
		    "node_edac_correctable_errors_total{controller=\"0\"} 1\n"
		    "# HELP node_edac_csrow_correctable_errors_total Total correctable memory errors for this csrow.\n"
		    "# TYPE node_edac_csrow_correctable_errors_total counter\n"
		    "node_edac_csrow_correctable_errors_total{controller=\"0\",csrow=\"0\"} 3\n"
		    "node_edac_csrow_correctable_errors_total{controller=\"0\",csrow=\"unknown\"} 2\n"
		    "# HELP node_edac_csrow_uncorrectable_errors_total Total uncorrectable memory errors for this csrow.\n"
		    "# TYPE node_edac_csrow_uncorrectable_errors_total counter\n"
		    "node_edac_csrow_uncorrectable_errors_total{controller=\"0\",csrow=\"0\"} 4\n"
		    "node_edac_csrow_uncorrectable_errors_total{controller=\"0\",csrow=\"unknown\"} 6\n"
		    "# HELP node_edac_uncorrectable_errors_total Total uncorrectable memory errors.\n"
		    "# TYPE node_edac_uncorrectable_errors_total counter\n"
		    "node_edac_uncorrectable_errors_total{controller=\"0\"} 5\n" },
	{ "missing controller counter fails",
	  { { "sys/devices/system/edac/mc/mc0/ce_count", "1\n" } },
	  .expect = "node_edac_correctable_errors_total{controller=\"0\"} 1\n", .expect_fail = 1 },
	{ "bad csrow counter fails after what was read",
	  { MC0, { "sys/devices/system/edac/mc/mc0/csrow0/ce_count", "x\n" } },
	  .expect = "node_edac_correctable_errors_total{controller=\"0\"} 1\n"
		    "node_edac_csrow_correctable_errors_total{controller=\"0\",csrow=\"unknown\"} 2\n"
		    "node_edac_csrow_uncorrectable_errors_total{controller=\"0\",csrow=\"unknown\"} 6\n"
		    "node_edac_uncorrectable_errors_total{controller=\"0\"} 5\n",
	  .expect_fail = 1 },
	{ "no EDAC is nothing, successfully", { { "sys/devices/system", NULL } }, .expect = "" },
	{ "huge count",
	  { { "sys/devices/system/edac/mc/mc12/ce_count", "18446744073709551615\n" },
	    { "sys/devices/system/edac/mc/mc12/ce_noinfo_count", "0\n" },
	    { "sys/devices/system/edac/mc/mc12/ue_count", "0\n" },
	    { "sys/devices/system/edac/mc/mc12/ue_noinfo_count", "0\n" } },
	  .expect = "node_edac_correctable_errors_total{controller=\"12\"} 1.8446744073709552e+19\n"
		    "node_edac_csrow_correctable_errors_total{controller=\"12\",csrow=\"unknown\"} 0\n"
		    "node_edac_csrow_uncorrectable_errors_total{controller=\"12\",csrow=\"unknown\"} 0\n"
		    "node_edac_uncorrectable_errors_total{controller=\"12\"} 0\n" },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_edac, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
