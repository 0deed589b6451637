#include "harness.h"

extern const struct collector collector_tapestats;

#define STATS(d)                                                                       \
	{ "sys/class/scsi_tape/" d "/stats/in_flight", "1\n" },                       \
	{ "sys/class/scsi_tape/" d "/stats/io_ns", "9247011087720\n" },               \
	{ "sys/class/scsi_tape/" d "/stats/other_cnt", "1409\n" },                    \
	{ "sys/class/scsi_tape/" d "/stats/read_byte_cnt", "979383912\n" },           \
	{ "sys/class/scsi_tape/" d "/stats/read_cnt", "3741\n" },                     \
	{ "sys/class/scsi_tape/" d "/stats/read_ns", "33788355744\n" },               \
	{ "sys/class/scsi_tape/" d "/stats/resid_cnt", "19\n" },                      \
	{ "sys/class/scsi_tape/" d "/stats/write_byte_cnt", "1496246784000\n" },      \
	{ "sys/class/scsi_tape/" d "/stats/write_cnt", "53772916\n" },                \
	{ "sys/class/scsi_tape/" d "/stats/write_ns", "5233597394395\n" }

static const struct collector_case cases[] = {
	{ "st0 only, times in seconds",
	  { STATS("st0"), STATS("nst0"), { "sys/class/scsi_tape/st0a/stats/io_ns", "x\n" } },
	  .expect = "node_tape_io_now{device=\"st0\"} 1\n"
		    "node_tape_io_others_total{device=\"st0\"} 1409\n"
		    "node_tape_io_time_seconds_total{device=\"st0\"} 9247.01108772\n"
		    "node_tape_read_bytes_total{device=\"st0\"} 9.79383912e+08\n"
		    "node_tape_read_time_seconds_total{device=\"st0\"} 33.788355744\n"
		    "node_tape_reads_completed_total{device=\"st0\"} 3741\n"
		    "node_tape_residual_total{device=\"st0\"} 19\n"
		    "node_tape_write_time_seconds_total{device=\"st0\"} 5233.597394395\n"
		    "node_tape_writes_completed_total{device=\"st0\"} 5.3772916e+07\n"
		    "node_tape_written_bytes_total{device=\"st0\"} 1.496246784e+12\n" },
	{ "ignored devices", { STATS("st0"), STATS("st1") }, .args = { "--collector.tapestats.ignored-devices=^st0$" },
	  .expect = "node_tape_io_now{device=\"st1\"} 1\n"
		    "node_tape_io_others_total{device=\"st1\"} 1409\n"
		    "node_tape_io_time_seconds_total{device=\"st1\"} 9247.01108772\n"
		    "node_tape_read_bytes_total{device=\"st1\"} 9.79383912e+08\n"
		    "node_tape_read_time_seconds_total{device=\"st1\"} 33.788355744\n"
		    "node_tape_reads_completed_total{device=\"st1\"} 3741\n"
		    "node_tape_residual_total{device=\"st1\"} 19\n"
		    "node_tape_write_time_seconds_total{device=\"st1\"} 5233.597394395\n"
		    "node_tape_writes_completed_total{device=\"st1\"} 5.3772916e+07\n"
		    "node_tape_written_bytes_total{device=\"st1\"} 1.496246784e+12\n" },
	{ "bad counter fails", { STATS("st0"), { "sys/class/scsi_tape/st1/stats/io_ns", "-1\n" } },
	  .expect = "", .expect_fail = 1 },
	{ "missing stats directory is no data", { { "sys/class/scsi_tape/st0", NULL } }, .expect = "", .expect_fail = 1 },
	{ "no class is no data", { { "sys/class", NULL } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	test_collector_cases(&collector_tapestats, cases, ARRAY_SIZE(cases));
	return test_summary(argv[0]);
}
