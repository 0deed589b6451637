/* timex: node_timex_* from adjtimex(2), read-only (modes 0), computed as node_exporter does: offset and
 * PPS jitter in ns or us depending on STA_NANO, frequencies in ppm with a 16-bit fraction, the sync
 * status from the TIME_ERROR return value. */
#include <sys/timex.h>

#include "collector.h"

#define PPM16FRAC (1000000.0 * 65536.0)

static const struct metric_desc timex_descs[] = {
	METRIC_DESC("node_timex_sync_status", "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
		    METRIC_GAUGE),
	METRIC_DESC("node_timex_offset_seconds", "Time offset in between local system and reference clock.",
		    METRIC_GAUGE),
	METRIC_DESC("node_timex_frequency_adjustment_ratio", "Local clock frequency adjustment.", METRIC_GAUGE),
	METRIC_DESC("node_timex_maxerror_seconds", "Maximum error in seconds.", METRIC_GAUGE),
	METRIC_DESC("node_timex_estimated_error_seconds", "Estimated error in seconds.", METRIC_GAUGE),
	METRIC_DESC("node_timex_status", "Value of the status array bits.", METRIC_GAUGE),
	METRIC_DESC("node_timex_loop_time_constant", "Phase-locked loop time constant.", METRIC_GAUGE),
	METRIC_DESC("node_timex_tick_seconds", "Seconds between clock ticks.", METRIC_GAUGE),
	METRIC_DESC("node_timex_pps_frequency_hertz", "Pulse per second frequency.", METRIC_GAUGE),
	METRIC_DESC("node_timex_pps_jitter_seconds", "Pulse per second jitter.", METRIC_GAUGE),
	METRIC_DESC("node_timex_pps_shift_seconds", "Pulse per second interval duration.", METRIC_GAUGE),
	METRIC_DESC("node_timex_pps_stability_hertz",
		    "Pulse per second stability, average of recent frequency changes.", METRIC_GAUGE),
	METRIC_DESC("node_timex_pps_jitter_total", "Pulse per second count of jitter limit exceeded events.",
		    METRIC_COUNTER),
	METRIC_DESC("node_timex_pps_calibration_total", "Pulse per second count of calibration intervals.",
		    METRIC_COUNTER),
	METRIC_DESC("node_timex_pps_error_total", "Pulse per second count of calibration errors.", METRIC_COUNTER),
	METRIC_DESC("node_timex_pps_stability_exceeded_total",
		    "Pulse per second count of stability limit exceeded events.", METRIC_COUNTER),
	METRIC_DESC("node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset.", METRIC_GAUGE),
};

/* The system call, replaceable by the unit test so that every field can be checked. */
int (*timex_adjtimex)(struct timex *tx) = adjtimex;

/* Computes the 17 values in timex_descs order from one adjtimex result. */
static void timex_values(const struct timex *tx, int state, double v[17])
{
	double divisor = (tx->status & STA_NANO) ? 1e9 : 1e6;

	v[0] = state == TIME_ERROR ? 0 : 1;
	v[1] = (double)tx->offset / divisor;
	v[2] = 1 + (double)tx->freq / PPM16FRAC;
	v[3] = (double)tx->maxerror / 1e6;
	v[4] = (double)tx->esterror / 1e6;
	v[5] = (double)tx->status;
	v[6] = (double)tx->constant;
	v[7] = (double)tx->tick / 1e6;
	v[8] = (double)tx->ppsfreq / PPM16FRAC;
	v[9] = (double)tx->jitter / divisor;
	v[10] = (double)tx->shift;
	v[11] = (double)tx->stabil / PPM16FRAC;
	v[12] = (double)tx->jitcnt;
	v[13] = (double)tx->calcnt;
	v[14] = (double)tx->errcnt;
	v[15] = (double)tx->stbcnt;
	v[16] = (double)tx->tai;
}

static int timex_collect(struct collect_ctx *c)
{
	struct timex tx = { .modes = 0 };
	double v[17];
	int state = timex_adjtimex(&tx);

	if (state < 0) {
		int e = errno;
		if (e == EPERM || e == EACCES)
			return ctx_fail(c, COLLECTOR_NO_DATA, "Not collecting timex metrics: %s", strerror(e));
		return ctx_fail(c, -e, "failed to retrieve adjtimex stats: %s", strerror(e));
	}
	timex_values(&tx, state, v);
	for (size_t i = 0; i < ARRAY_SIZE(timex_descs); i++)
		metric_emit(c->ms, &timex_descs[i], v[i]);
	return 0;
}

COLLECTOR(timex, .default_on = true);
