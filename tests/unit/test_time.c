#include <math.h>
#include <time.h>

#include "harness.h"

extern const struct collector collector_time;

#define CS "sys/devices/system/clocksource/"

static const char clocksources[] =
	"node_time_clocksource_available_info{clocksource=\"acpi_pm\",device=\"0\"} 1\n"
	"node_time_clocksource_available_info{clocksource=\"hpet\",device=\"0\"} 1\n"
	"node_time_clocksource_available_info{clocksource=\"kvm-clock\",device=\"1\"} 1\n"
	"node_time_clocksource_available_info{clocksource=\"tsc\",device=\"0\"} 1\n"
	"node_time_clocksource_current_info{clocksource=\"kvm-clock\",device=\"1\"} 1\n"
	"node_time_clocksource_current_info{clocksource=\"tsc\",device=\"0\"} 1\n";

/* Runs the collector under TZ and checks the clock and the zone. */
static void run(const char *tz, const char *want_zone, double want_offset, int want_rc)
{
	struct strbuf out = { 0 };

	setenv("TZ", tz, 1);
	tzset();
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	double before = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	struct metric_set ms = { 0 };
	struct collect_ctx ctx = { .ms = &ms };
	CHECK_INT(collector_time.collect(&ctx), want_rc);
	clock_gettime(CLOCK_REALTIME, &ts);
	double after = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	struct family *now = metric_set_find(&ms, "node_time_seconds");
	CHECK(now && now->n_samples == 1 && now->samples[0].value >= before - 1e-6 && now->samples[0].value <= after + 1e-6);
	struct family *zone = metric_set_find(&ms, "node_time_zone_offset_seconds");
	CHECK(zone && zone->n_samples == 1);
	if (zone && zone->n_samples == 1) {
		CHECK_STR(zone->samples[0].lv[0], want_zone);
		CHECK(zone->samples[0].value == want_offset);
	}
	metric_set_free(&ms);
	sb_free(&ctx.buf);
	sb_free(&ctx.path);
	sb_free(&out);
}

static const struct collector_case cases[] = {
	{ "two clocksources; a non-matching entry", { { CS "clocksource0/available_clocksource", "tsc hpet acpi_pm \n" },
						      { CS "clocksource0/current_clocksource", "tsc\n" },
						      { CS "clocksource1/available_clocksource", "kvm-clock\n" },
						      { CS "clocksource1/current_clocksource", "kvm-clock\n" },
						      { CS "clocksourcex/available_clocksource", "nope\n" },
						      { CS "power/async", "disabled\n" } },
	  .expect = clocksources },
	{ "no clocksource directory", { { "sys", NULL } }, .expect = "" },
	{ "unreadable clocksource", { { CS "clocksource0/current_clocksource", "tsc\n" } }, .expect = "", .expect_fail = 1 },
};

int main(int argc, char **argv)
{
	(void)argc;
	struct tfile files[] = { { "sys", NULL } };

	CHECK(test_make_root(files, 1) != NULL);
	run("UTC0", "UTC", 0, 0);
	run("EST5", "EST", -18000, 0);
	run("IST-5:30", "IST", 19800, 0);

	/* The table compares whole outputs: time values vary, so filter them out of the collector's output by
	 * comparing only the clocksource families. */
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n = 0;
		while (n < TEST_MAX_FILES && cases[i].files[n].path)
			n++;
		CHECK(test_make_root(cases[i].files, n) != NULL);
		struct metric_set ms = { 0 };
		struct collect_ctx ctx = { .ms = &ms };
		int r = collector_time.collect(&ctx);
		CHECK((r < 0) == (cases[i].expect_fail != 0));
		struct strbuf got = { 0 };
		const char *names[] = { "node_time_clocksource_available_info", "node_time_clocksource_current_info" };
		for (int k = 0; k < 2; k++) {
			struct family *f = metric_set_find(&ms, names[k]);
			/* sorted as the exposition sorts: by label values (clocksource, device) */
			for (size_t a = 0; f && a < f->n_samples; a++)
				for (size_t b = a + 1; b < f->n_samples; b++) {
					int c = strcmp(f->samples[a].lv[0], f->samples[b].lv[0]);
					if (c > 0 || (c == 0 && strcmp(f->samples[a].lv[1], f->samples[b].lv[1]) > 0)) {
						struct sample t = f->samples[a];
						f->samples[a] = f->samples[b];
						f->samples[b] = t;
					}
				}
			for (size_t a = 0; f && a < f->n_samples; a++)
				sb_printf(&got, "%s{clocksource=\"%s\",device=\"%s\"} 1\n", names[k], f->samples[a].lv[0],
					  f->samples[a].lv[1]);
		}
		CHECK_STR(got.p ? got.p : "", cases[i].expect);
		metric_set_free(&ms);
		sb_free(&ctx.buf);
		sb_free(&ctx.path);
		sb_free(&got);
	}
	test_remove_root();
	return test_summary(argv[0]);
}
