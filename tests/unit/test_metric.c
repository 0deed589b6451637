/* metric_add and metric_emit count the label values they are given: a collector that passes one value
 * too few or too many for its family fails (-EINVAL) instead of reading past the values or dropping the
 * extra ones silently, and the samples appended before the slip are still there. */
#include "harness.h"

static const struct metric_desc two_desc =
	METRIC_DESC("node_test_two", "Two labels.", METRIC_GAUGE, "device", "state");
static const struct metric_desc none_desc = METRIC_DESC("node_test_none", "No label.", METRIC_GAUGE);

static int slip; /* which call the fake collector gets wrong */

static int fake_collect(struct collect_ctx *c)
{
	struct family *f = metric_family(c->ms, &two_desc);

	metric_add(f, 1, "eth0", "up");
	switch (slip) {
	case 1: /* one value too few */
		metric_add(f, 2, "eth1");
		break;
	case 2: /* one value too many */
		metric_add(f, 2, "eth1", "up", "extra");
		break;
	case 3: /* metric_emit with one too few */
		metric_emit(c->ms, &two_desc, 2, "eth1");
		break;
	case 4: /* a label value given to a family without labels */
		metric_emit(c->ms, &none_desc, 2, "eth1");
		break;
	default: /* right */
		metric_add(f, 2, "eth1", "down");
		metric_emit(c->ms, &none_desc, 3);
		break;
	}
	return 0;
}

static const struct collector fake = { .name = "fake", .collect = fake_collect };

int main(int argc, char **argv)
{
	struct strbuf out = { 0 };

	(void)argc;
	slip = 0;
	CHECK_INT(test_run_collector(&fake, &out), 0);
	test_keep_samples(&out, NULL);
	CHECK_STR(out.p, "node_test_none 3\n"
			 "node_test_two{device=\"eth0\",state=\"up\"} 1\n"
			 "node_test_two{device=\"eth1\",state=\"down\"} 2\n");

	for (slip = 1; slip <= 4; slip++) {
		CHECK_INT(test_run_collector(&fake, &out), -EINVAL);
		test_keep_samples(&out, NULL);
		/* What came before the slip stays; the slipped sample is not there. */
		CHECK_STR(out.p, "node_test_two{device=\"eth0\",state=\"up\"} 1\n");
	}
	sb_free(&out);
	return test_summary(argv[0]);
}
