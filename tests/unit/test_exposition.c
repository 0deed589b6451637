/* The exposition's gathering rules that fuzzing found wanting: series with label values that are not
 * valid UTF-8 (from kernel files, device names, textfiles), and families whose names are not metric or
 * label names (built from file contents), are dropped with a gathering error, as client_golang's Gather
 * drops them, instead of making Prometheus refuse the whole scrape. */
#include "exposition.h"
#include "harness.h"

static const struct metric_desc dev_desc = METRIC_DESC("node_x_info", "X.", METRIC_GAUGE, "device", "name");
static const struct metric_desc one_desc = METRIC_DESC("node_y", "Y.", METRIC_GAUGE, "device");

int main(int argc, char **argv)
{
	struct metric_set ms = { 0 };
	struct metric_set *sets[1] = { &ms };
	struct expo e = { 0 };
	struct strbuf out = { 0 };
	struct family *f = metric_family(&ms, &dev_desc);

	(void)argc;
	metric_add(f, 1, "sda", "ok");
	metric_add(f, 2, "sdb\xff", "bad byte");
	metric_add(f, 3, "sdc", "caf\xc3\xa9");          /* valid two-byte sequence */
	metric_add(f, 4, "sdd", "\xc3");                 /* truncated sequence */
	metric_add(f, 5, "sde", "\xed\xa0\x80");         /* a surrogate, invalid in UTF-8 */
	metric_add(f, 6, "sdf", "\xf0\x9f\x98\x80");     /* U+1F600 */
	metric_add(f, 7, "sdg", "\xc0\xaf");             /* overlong */
	/* A family left with no valid series is not printed at all. */
	metric_emit(&ms, &one_desc, 1, "\x80");
	CHECK_INT(expo_render(&e, &out, sets, 1), 0);
	CHECK_STR(out.p, "# HELP node_x_info X.\n# TYPE node_x_info gauge\n"
			 "node_x_info{device=\"sda\",name=\"ok\"} 1\n"
			 "node_x_info{device=\"sdc\",name=\"caf\xc3\xa9\"} 3\n"
			 "node_x_info{device=\"sdf\",name=\"\xf0\x9f\x98\x80\"} 6\n");
	CHECK_INT(e.n_errors, 5);
	CHECK(e.errors.p && strstr(e.errors.p, "not valid UTF-8: node_x_info{device=\"sdb\xff\",name=\"bad byte\"}"));
	CHECK(e.errors.p && strstr(e.errors.p, "not valid UTF-8: node_y{device=\"\x80\"}"));
	expo_free(&e);
	metric_set_free(&ms);
	sb_free(&out);

	/* Names: a metric name from a file key ("node_memory_%", "node_sockstat_\xcdUDP_inuse"), a label
	 * name with a dash or the reserved "__" prefix. Valid ones, colons included, stay. */
	static const char *const bad_names[] = { "node_memory_%", "node_sockstat_\xcdUDP_inuse", "9lives", "" };
	for (size_t i = 0; i < ARRAY_SIZE(bad_names); i++) {
		struct metric_desc d = { .name = bad_names[i], .help = "h", .type = METRIC_GAUGE };
		metric_emit(&ms, &d, 1);
	}
	metric_emit(&ms, &(struct metric_desc)METRIC_DESC("node_ok:rate5m", "h", METRIC_GAUGE, "a_b9"), 1, "v");
	metric_emit(&ms, &(struct metric_desc)METRIC_DESC("node_bad_label", "h", METRIC_GAUGE, "to-tal"), 1, "v");
	metric_emit(&ms, &(struct metric_desc)METRIC_DESC("node_reserved", "h", METRIC_GAUGE, "__name"), 1, "v");
	metric_emit(&ms, &(struct metric_desc)METRIC_DESC("_ok", "h", METRIC_GAUGE, "_x"), 1, "v");
	CHECK_INT(expo_render(&e, &out, sets, 1), 0);
	CHECK_STR(out.p, "# HELP _ok h\n# TYPE _ok gauge\n_ok{_x=\"v\"} 1\n"
			 "# HELP node_ok:rate5m h\n# TYPE node_ok:rate5m gauge\nnode_ok:rate5m{a_b9=\"v\"} 1\n");
	CHECK_INT(e.n_errors, 6);
	CHECK(e.errors.p && strstr(e.errors.p, "not valid: node_memory_%\n"));
	expo_free(&e);
	metric_set_free(&ms);
	sb_free(&out);
	return test_summary(argv[0]);
}
