/* The protobuf exposition (src/exposition_proto.c). The expected bytes of each case were made with
 * Google's protobuf runtime (python3-protobuf, the MetricFamily schema of tests/tools/promproto.py):
 * message.SerializeToString() behind a varint length. Then the gathering rules, which both formats share:
 * the same families and series survive in each. tests/suites/protobuf.sh decodes whole scrapes with the
 * same runtime and compares them with node_exporter's bytes and with a real Prometheus. */
#include <math.h>

#include "exposition.h"
#include "harness.h"

struct proto_case {
	const char *name;
	const char *bytes;
	size_t len;
};

static void check_bytes(const char *name, const struct strbuf *out, const char *want, size_t len)
{
	bool same = out->len == len && memcmp(out->p, want, len) == 0;

	CHECK(same);
	if (!same) {
		fprintf(stderr, "%s: got %zu bytes:", name, out->len);
		for (size_t i = 0; i < out->len; i++)
			fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", (unsigned char)out->p[i]);
		fprintf(stderr, "\n");
	}
}

/* Renders ms in both formats; returns the protobuf bytes in out. */
static void render(struct metric_set *ms, struct strbuf *out, struct strbuf *text)
{
	struct metric_set *sets[1] = { ms };
	struct expo e = { 0 };

	sb_reset(out);
	sb_reset(text);
	CHECK_INT(expo_render_as(&e, out, sets, 1, EXPO_PROTO), 0);
	CHECK_INT(expo_render_as(&e, text, sets, 1, EXPO_TEXT), 0);
	expo_free(&e);
}

static const struct metric_desc g_desc = METRIC_DESC("g", "h", METRIC_GAUGE);
static const struct metric_desc c_desc = METRIC_DESC("c_total", "line1\nline2", METRIC_COUNTER, "b", "a");
static const struct metric_desc sum_desc = METRIC_DESC("sum", "S", METRIC_SUMMARY);
static const struct metric_desc hist_desc = METRIC_DESC("hist", "H", METRIC_HISTOGRAM, "l");

static void test_messages(void)
{
	struct metric_set ms = { 0 };
	struct strbuf out = { 0 }, text = { 0 };

	/* A gauge without labels. */
	metric_emit(&ms, &g_desc, 1);
	render(&ms, &out, &text);
	check_bytes("gauge", &out, "\x15\x0a\x01\x67\x12\x01\x68\x18\x01\x22\x0b\x12\x09\x09\x00\x00\x00\x00\x00\x00\xf0\x3f",
		    22);
	metric_set_reset(&ms);

	/* A counter: type COUNTER (0) written all the same, labels in name order whatever the descriptor's,
	 * an empty value kept, HELP and label values as they are (no text escaping), series sorted. */
	struct family *f = metric_family(&ms, &c_desc);
	metric_add(f, 0, "z", "q");
	metric_add(f, 2.5, "x\"y", "");
	render(&ms, &out, &text);
	check_bytes("counter", &out,
		    "\x53\x0a\x07\x63\x5f\x74\x6f\x74\x61\x6c\x12\x0b\x6c\x69\x6e\x65\x31\x0a\x6c\x69\x6e\x65\x32\x18\x00"
		    "\x22\x1c\x0a\x05\x0a\x01\x61\x12\x00\x0a\x08\x0a\x01\x62\x12\x03\x78\x22\x79\x1a\x09\x09\x00\x00\x00"
		    "\x00\x00\x00\x04\x40\x22\x1b\x0a\x06\x0a\x01\x61\x12\x01\x71\x0a\x06\x0a\x01\x62\x12\x01\x7a\x1a\x09"
		    "\x09\x00\x00\x00\x00\x00\x00\x00\x00",
		    84);
	metric_set_reset(&ms);

	/* An untyped sparse family: a series without its label, an empty HELP, -Inf. */
	struct metric_desc sparse = { .name = "s", .help = "", .type = METRIC_UNTYPED, .n_labels = 1,
				      .labels = (const char *const[]){ "k" }, .sparse = true };
	f = metric_family(&ms, &sparse);
	metric_add(f, -INFINITY, "v");
	metric_addv(f, -1e300, (const char *const[]){ NULL });
	render(&ms, &out, &text);
	check_bytes("sparse untyped", &out,
		    "\x29\x0a\x01\x73\x12\x00\x18\x03\x22\x0b\x2a\x09\x09\x9c\x75\x00\x88\x3c\xe4\x37\xfe\x22\x13\x0a\x06"
		    "\x0a\x01\x6b\x12\x01\x76\x2a\x09\x09\x00\x00\x00\x00\x00\x00\xf0\xff",
		    42);
	metric_set_reset(&ms);

	/* A summary: count as a varint, sum and quantiles as doubles. */
	f = metric_family(&ms, &sum_desc);
	metric_add_dist(f, NULL, 17.25, 300, (const struct metric_bucket[]){ { 0.5, 1.5 }, { 0.99, INFINITY } }, 2);
	render(&ms, &out, &text);
	check_bytes("summary", &out,
		    "\x42\x0a\x03\x73\x75\x6d\x12\x01\x53\x18\x02\x22\x36\x22\x34\x08\xac\x02\x11\x00\x00\x00\x00\x00\x40"
		    "\x31\x40\x1a\x12\x09\x00\x00\x00\x00\x00\x00\xe0\x3f\x11\x00\x00\x00\x00\x00\x00\xf8\x3f\x1a\x12\x09"
		    "\xae\x47\xe1\x7a\x14\xae\xef\x3f\x11\x00\x00\x00\x00\x00\x00\xf0\x7f",
		    67);
	metric_set_reset(&ms);

	/* A histogram: buckets as the set holds them (no +Inf bucket added: it is optional in the message),
	 * a UTF-8 label value as its bytes. */
	f = metric_family(&ms, &hist_desc);
	metric_add_dist(f, (const char *const[]){ "\xc3\xbc" }, 12.5, 9,
			(const struct metric_bucket[]){ { 0.1, 1 }, { 1, 200 } }, 2);
	render(&ms, &out, &text);
	check_bytes("histogram", &out,
		    "\x3e\x0a\x04\x68\x69\x73\x74\x12\x01\x48\x18\x04\x22\x31\x0a\x07\x0a\x01\x6c\x12\x02\xc3\xbc\x3a\x26"
		    "\x08\x09\x11\x00\x00\x00\x00\x00\x00\x29\x40\x1a\x0b\x08\x01\x11\x9a\x99\x99\x99\x99\x99\xb9\x3f\x1a"
		    "\x0c\x08\xc8\x01\x11\x00\x00\x00\x00\x00\x00\xf0\x3f",
		    63);
	CHECK(strstr(text.p, "hist_bucket{l=\"\xc3\xbc\",le=\"+Inf\"} 9\n") != NULL); /* the text adds it */
	metric_set_reset(&ms);

	/* NaN is written as Go's math.NaN(), the bits node_exporter sends. */
	metric_emit(&ms, &g_desc, NAN);
	render(&ms, &out, &text);
	check_bytes("NaN", &out, "\x15\x0a\x01\x67\x12\x01\x68\x18\x01\x22\x0b\x12\x09\x09\x01\x00\x00\x00\x00\x00\xf8\x7f",
		    22);

	metric_set_free(&ms);
	sb_free(&out);
	sb_free(&text);
}

/* Counts the delimited messages of a protobuf body and the metric fields (tag 0x22 at the top level of a
 * family) in them. */
static void count_proto(const struct strbuf *b, size_t *families, size_t *series)
{
	const unsigned char *p = (const unsigned char *)b->p, *end = p + b->len;

	*families = *series = 0;
	while (p < end) {
		uint64_t n = 0;
		for (int s = 0; p < end; s += 7) {
			n |= (uint64_t)(*p & 0x7f) << s;
			if (*p++ < 0x80)
				break;
		}
		const unsigned char *m = p, *mend = p + n;
		(*families)++;
		while (m < mend) {
			unsigned tag = *m++;
			uint64_t len = 0;
			if ((tag & 7) == 0) {
				while (*m++ >= 0x80)
					;
				continue;
			}
			for (int s = 0; m < mend; s += 7) {
				len |= (uint64_t)(*m & 0x7f) << s;
				if (*m++ < 0x80)
					break;
			}
			*series += tag == 0x22;
			m += len;
		}
		p = mend;
	}
}

static const struct metric_desc x = METRIC_DESC("node_x", "X.", METRIC_GAUGE, "dev");
static const struct metric_desc x_other = METRIC_DESC("node_x", "Other help.", METRIC_GAUGE, "dev");
static const struct metric_desc bad = METRIC_DESC("node_memory_%", "B.", METRIC_GAUGE);

/* The gathering rules hold for both formats: merged families, dropped duplicates, invalid UTF-8, invalid
 * names, conflicting families. */
static void test_same_gathering(void)
{
	struct metric_set a = { 0 }, b = { 0 };
	struct metric_set *sets[2] = { &a, &b };
	struct strbuf pb = { 0 }, text = { 0 };
	struct expo e = { 0 };
	size_t families, series, lines = 0;
	unsigned errors_text;

	struct family *f = metric_family(&a, &x);
	metric_add(f, 1, "sda");
	metric_add(f, 2, "sda");     /* duplicate: dropped */
	metric_add(f, 3, "sd\xff"); /* invalid UTF-8: dropped */
	f = metric_family(&b, &x);
	metric_add(f, 4, "sdb"); /* merged into node_x */
	metric_emit(&b, &bad, 1); /* invalid name: dropped */
	CHECK_INT(expo_render_as(&e, &text, sets, 2, EXPO_TEXT), 0);
	errors_text = e.n_errors;
	CHECK_INT(expo_render_as(&e, &pb, sets, 2, EXPO_PROTO), 0);
	CHECK_INT(e.n_errors, errors_text);
	CHECK_INT(errors_text, 3);
	count_proto(&pb, &families, &series);
	for (char *p = text.p; p && *p; p++)
		lines += *p == '\n';
	CHECK_INT(families, 1);
	CHECK_INT(series, 2);
	CHECK_INT(lines, 2 + 2);
	metric_set_free(&a);
	metric_set_free(&b);

	/* A later family of the same name with another help is dropped in both. */
	metric_emit(&a, &x, 1, "sda");
	metric_emit(&b, &x_other, 2, "sdb");
	sb_reset(&pb);
	CHECK_INT(expo_render_as(&e, &pb, sets, 2, EXPO_PROTO), 0);
	count_proto(&pb, &families, &series);
	CHECK_INT(families, 1);
	CHECK_INT(series, 1);
	CHECK_INT(e.n_errors, 1);

	/* Nothing to render: an empty body. */
	metric_set_free(&a);
	metric_set_free(&b);
	sb_reset(&pb);
	CHECK_INT(expo_render_as(&e, &pb, sets, 2, EXPO_PROTO), 0);
	CHECK_INT(pb.len, 0);
	expo_free(&e);
	sb_free(&pb);
	sb_free(&text);
}

static const struct metric_desc tf_desc = METRIC_DESC("tf", "Say \"hi\"\\\n", METRIC_GAUGE, "v");

/* Protobuf's text formats, as node_exporter 1.5.0 prints them (tests/suites/protobuf.sh compares whole
 * scrapes with it): octal escapes for every byte outside printable ASCII, Go's float digits, inf and nan. */
static void test_text_formats(void)
{
	struct metric_set ms = { 0 };
	struct metric_set *sets[1] = { &ms };
	struct strbuf out = { 0 };
	struct expo e = { 0 };

	struct family *f = metric_family(&ms, &tf_desc);
	metric_add(f, NAN, "\xc3\xbc\t");
	metric_add(f, 4186624, "big");
	f = metric_family(&ms, &hist_desc);
	metric_add_dist(f, (const char *const[]){ "a" }, -0.0, 9, (const struct metric_bucket[]){ { INFINITY, 9 } }, 1);
	CHECK_INT(expo_render_as(&e, &out, sets, 1, EXPO_PROTO_COMPACT), 0);
	CHECK_STR(out.p, "name:\"hist\" help:\"H\" type:HISTOGRAM metric:<label:<name:\"l\" value:\"a\" > histogram:<"
			 "sample_count:9 sample_sum:-0 bucket:<cumulative_count:9 upper_bound:inf > > > \n"
			 "name:\"tf\" help:\"Say \\\"hi\\\"\\\\\\n\" type:GAUGE metric:<label:<name:\"v\" value:\"big\" > "
			 "gauge:<value:4.186624e+06 > > metric:<label:<name:\"v\" value:\"\\303\\274\\t\" > gauge:<value:nan > > \n");
	sb_reset(&out);
	metric_set_reset(&ms);
	metric_emit(&ms, &g_desc, -INFINITY);
	CHECK_INT(expo_render_as(&e, &out, sets, 1, EXPO_PROTO_TEXT), 0);
	CHECK_STR(out.p, "name: \"g\"\nhelp: \"h\"\ntype: GAUGE\nmetric: <\n  gauge: <\n    value: -inf\n  >\n>\n\n");
	CHECK_STR(expo_content_type(EXPO_PROTO_TEXT),
		  "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text");
	expo_free(&e);
	metric_set_free(&ms);
	sb_free(&out);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_messages();
	test_same_gathering();
	test_text_formats();
	return test_summary(argv[0]);
}
