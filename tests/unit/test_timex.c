#include <sys/timex.h>

#include "harness.h"

extern const struct collector collector_timex;
extern int (*timex_adjtimex)(struct timex *tx);

static struct timex fake;
static int fake_ret;
static int fake_errno;

static int fake_adjtimex(struct timex *tx)
{
	if (fake_ret < 0) {
		errno = fake_errno;
		return -1;
	}
	CHECK_INT(tx->modes, 0); /* read only */
	*tx = fake;
	return fake_ret;
}

static const char expect_nano[] =
	"node_timex_estimated_error_seconds 0.000512\n"
	"node_timex_frequency_adjustment_ratio 1.00002\n"
	"node_timex_loop_time_constant 7\n"
	"node_timex_maxerror_seconds 0.016\n"
	"node_timex_offset_seconds -0.000123456\n"
	"node_timex_pps_calibration_total 4\n"
	"node_timex_pps_error_total 5\n"
	"node_timex_pps_frequency_hertz -0.0015\n"
	"node_timex_pps_jitter_seconds 2.5e-07\n"
	"node_timex_pps_jitter_total 3\n"
	"node_timex_pps_shift_seconds 4\n"
	"node_timex_pps_stability_exceeded_total 6\n"
	"node_timex_pps_stability_hertz 0.0005\n"
	"node_timex_status 8193\n"
	"node_timex_sync_status 1\n"
	"node_timex_tai_offset_seconds 37\n"
	"node_timex_tick_seconds 0.01\n";

static const char expect_micro_unsynced[] =
	"node_timex_estimated_error_seconds 1.6\n"
	"node_timex_frequency_adjustment_ratio 0.99999\n"
	"node_timex_loop_time_constant 2\n"
	"node_timex_maxerror_seconds 16\n"
	"node_timex_offset_seconds 1.5\n"
	"node_timex_pps_calibration_total 0\n"
	"node_timex_pps_error_total 0\n"
	"node_timex_pps_frequency_hertz 0\n"
	"node_timex_pps_jitter_seconds 0.001\n"
	"node_timex_pps_jitter_total 0\n"
	"node_timex_pps_shift_seconds 0\n"
	"node_timex_pps_stability_exceeded_total 0\n"
	"node_timex_pps_stability_hertz 0\n"
	"node_timex_status 64\n"
	"node_timex_sync_status 0\n"
	"node_timex_tai_offset_seconds 0\n"
	"node_timex_tick_seconds 0.01\n";

static int run(const char *want, int want_rc)
{
	struct tfile files[] = { { "proc", NULL } };
	const struct collector_case c[] = { { "timex", { files[0] }, .expect = want, .expect_fail = want_rc < 0 } };
	return test_collector_cases(&collector_timex, c, 1);
}

int main(int argc, char **argv)
{
	(void)argc;
	timex_adjtimex = fake_adjtimex;

	/* Nanosecond resolution (STA_NANO | STA_PLL), synchronised. */
	fake = (struct timex){ .offset = -123456, .freq = 1310720, .maxerror = 16000, .esterror = 512,
			       .status = STA_NANO | STA_PLL, .constant = 7, .tick = 10000, .ppsfreq = -98304000,
			       .jitter = 250, .shift = 4, .stabil = 32768000, .jitcnt = 3, .calcnt = 4, .errcnt = 5,
			       .stbcnt = 6, .tai = 37 };
	fake_ret = TIME_OK;
	run(expect_nano, 0);

	/* Microseconds, clock unsynchronised (TIME_ERROR). */
	fake = (struct timex){ .offset = 1500000, .freq = -655360, .maxerror = 16000000, .esterror = 1600000,
			       .status = STA_UNSYNC, .constant = 2, .tick = 10000, .jitter = 1000 };
	fake_ret = TIME_ERROR;
	run(expect_micro_unsynced, 0);

	/* Not permitted: no data. Anything else: an error. */
	struct strbuf out = { 0 };
	fake_ret = -1;
	fake_errno = EPERM;
	CHECK_INT(test_run_collector(&collector_timex, &out), COLLECTOR_NO_DATA);
	fake_errno = EINVAL;
	CHECK_INT(test_run_collector(&collector_timex, &out), -EINVAL);
	sb_free(&out);

	/* The real system call works here and reports a sane tick. */
	timex_adjtimex = adjtimex;
	struct metric_set ms = { 0 };
	struct collect_ctx ctx = { .ms = &ms };
	CHECK_INT(collector_timex.collect(&ctx), 0);
	struct family *tick = metric_set_find(&ms, "node_timex_tick_seconds");
	CHECK(tick && tick->n_samples == 1 && tick->samples[0].value > 0 && tick->samples[0].value < 1);
	metric_set_free(&ms);
	test_remove_root();
	return test_summary(argv[0]);
}
