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

	/* Escaping, the line layouts of every type, sparse label sets and the order of families and series,
	 * over two sets, rendered twice (the second render reuses the first one's order). */
	struct metric_set ms2 = { 0 };
	struct metric_set *two[2] = { &ms, &ms2 };
	static const struct metric_bucket q[] = { { 0.5, 1.25 }, { 0.99, 3 } };
	static const struct metric_bucket le[] = { { 0.1, 1 }, { 1, 4 } };
	static const char *const lv_a[] = { "a" };
	for (int round = 0; round < 2; round++) {
		metric_set_reset(&ms);
		metric_set_reset(&ms2);
		struct family *esc = metric_family(&ms2, &(struct metric_desc)METRIC_DESC(
							  "node_esc", "Back\\slash, \"quote\",\nnewline.", METRIC_COUNTER, "v"));
		metric_add(esc, 1, "plain");
		metric_add(esc, 2, "b\\s \"q\" n\nl");
		metric_add(esc, 3, "");
		struct family *sum = metric_family(&ms, &(struct metric_desc)METRIC_DESC("node_sum", "S.", METRIC_SUMMARY, "x"));
		metric_add_dist(sum, lv_a, 10.5, 7, q, 2);
		struct family *hist = metric_family(&ms2, &(struct metric_desc)METRIC_DESC("node_hist", "H.", METRIC_HISTOGRAM));
		metric_add_dist(hist, NULL, 2.5, 5, le, 2);
		struct metric_desc sparse = METRIC_DESC("node_info", "I.", METRIC_GAUGE, "b", "a");
		sparse.sparse = true;
		struct family *info = metric_family(&ms, &sparse);
		metric_add(info, 1, "y", (const char *)NULL);
		metric_add(info, 1, "x", "z");
		metric_add(info, 1, (const char *)NULL, (const char *)NULL);
		metric_emit(&ms2, &(struct metric_desc)METRIC_DESC("node_a", "A.", METRIC_UNTYPED), 0.1);
		sb_reset(&out);
		CHECK_INT(expo_render(&e, &out, two, 2), 0);
		CHECK_STR(out.p, "# HELP node_a A.\n# TYPE node_a untyped\nnode_a 0.1\n"
				 "# HELP node_esc Back\\\\slash, \"quote\",\\nnewline.\n# TYPE node_esc counter\n"
				 "node_esc{v=\"\"} 3\n"
				 "node_esc{v=\"b\\\\s \\\"q\\\" n\\nl\"} 2\n"
				 "node_esc{v=\"plain\"} 1\n"
				 "# HELP node_hist H.\n# TYPE node_hist histogram\n"
				 "node_hist_bucket{le=\"0.1\"} 1\nnode_hist_bucket{le=\"1\"} 4\nnode_hist_bucket{le=\"+Inf\"} 5\n"
				 "node_hist_sum 2.5\nnode_hist_count 5\n"
				 "# HELP node_info I.\n# TYPE node_info gauge\n"
				 "node_info 1\nnode_info{b=\"y\"} 1\nnode_info{a=\"z\",b=\"x\"} 1\n"
				 "# HELP node_sum S.\n# TYPE node_sum summary\n"
				 /* client_golang writes quantile and le after the series' own labels */
				 "node_sum{x=\"a\",quantile=\"0.5\"} 1.25\nnode_sum{x=\"a\",quantile=\"0.99\"} 3\n"
				 "node_sum_sum{x=\"a\"} 10.5\nnode_sum_count{x=\"a\"} 7\n");
		CHECK_INT(e.n_errors, 0);
	}
	/* A family that moves between renders (another set registers a name sorting before it) still comes
	 * out in order. */
	metric_set_reset(&ms);
	metric_set_reset(&ms2);
	metric_emit(&ms, &(struct metric_desc)METRIC_DESC("node_b", "B.", METRIC_GAUGE), 2);
	metric_emit(&ms2, &(struct metric_desc)METRIC_DESC("node_a", "A.", METRIC_GAUGE), 1);
	metric_emit(&ms2, &(struct metric_desc)METRIC_DESC("node_c", "C.", METRIC_GAUGE), 3);
	sb_reset(&out);
	CHECK_INT(expo_render(&e, &out, two, 2), 0);
	CHECK_STR(out.p, "# HELP node_a A.\n# TYPE node_a gauge\nnode_a 1\n# HELP node_b B.\n# TYPE node_b gauge\nnode_b 2\n"
			 "# HELP node_c C.\n# TYPE node_c gauge\nnode_c 3\n");
	metric_set_reset(&ms);
	metric_set_reset(&ms2);
	metric_emit(&ms, &(struct metric_desc)METRIC_DESC("node_d", "D.", METRIC_GAUGE), 2);
	metric_emit(&ms2, &(struct metric_desc)METRIC_DESC("node_a", "A.", METRIC_GAUGE), 1);
	metric_emit(&ms2, &(struct metric_desc)METRIC_DESC("node_c", "C.", METRIC_GAUGE), 3);
	sb_reset(&out);
	CHECK_INT(expo_render(&e, &out, two, 2), 0);
	CHECK_STR(out.p, "# HELP node_a A.\n# TYPE node_a gauge\nnode_a 1\n# HELP node_c C.\n# TYPE node_c gauge\nnode_c 3\n"
			 "# HELP node_d D.\n# TYPE node_d gauge\nnode_d 2\n");
	expo_free(&e);
	metric_set_free(&ms);
	metric_set_free(&ms2);
	sb_free(&out);
	return test_summary(argv[0]);
}
