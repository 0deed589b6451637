/* The protobuf exposition: each family as one io.prometheus.client.MetricFamily message (client_model's
 * metrics.proto, proto2), preceded by its length as a varint: what client_golang writes for
 * "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited".
 *
 * A small encoder of our own rather than protobuf-c: the five messages nodex writes need varints, 64-bit
 * doubles and length prefixes, nothing else. The family's exact size is computed first, so the message is
 * written straight into the output buffer in one pass, with no per-series allocation (protobuf-c would
 * need a tree of message structs per scrape and a copy of every string) and no library to load.
 *
 * Fields are written in field-number order, as Go's marshaller does, and every proto2 optional field that
 * client_golang sets is written even when zero (type COUNTER = 0, a value 0), so a decoder sees it present.
 *
 *   MetricFamily: 1 name, 2 help, 3 type (enum), 4 metric (repeated)
 *   Metric:       1 label (repeated LabelPair {1 name, 2 value}), 2 gauge, 3 counter, 4 summary,
 *                 5 untyped, 7 histogram
 *   Gauge, Counter, Untyped: 1 value (double)
 *   Summary:      1 sample_count (uint64), 2 sample_sum, 3 quantile (repeated {1 quantile, 2 value})
 *   Histogram:    1 sample_count (uint64), 2 sample_sum, 3 bucket (repeated {1 cumulative_count (uint64),
 *                 2 upper_bound})
 *
 * Counts are uint64 in the message and doubles in a metric set (the textfile collector stores Go's
 * float64(uint64(x)) of what the file says): they go back through Go's uint64 conversion. A histogram's
 * buckets are written as the set holds them: the +Inf bucket is optional in the message, and readers
 * (Prometheus, client_golang's text encoder) add it from sample_count when it is absent, as the text
 * renderer does. */
#include <math.h>
#include <stdio.h>

#include "exposition.h"
#include "fmt.h"
#include "gocompat.h"

/* Wire types and tags: (field << 3) | type. */
#define WT_VARINT 0
#define WT_I64 1
#define WT_LEN 2
#define TAG(field, type) ((unsigned char)((field) << 3 | (type)))

/* client_model's MetricType numbers. */
static unsigned pb_type(enum metric_type t)
{
	switch (t) {
	case METRIC_COUNTER:
		return 0;
	case METRIC_GAUGE:
		return 1;
	case METRIC_SUMMARY:
		return 2;
	case METRIC_HISTOGRAM:
		return 4;
	case METRIC_UNTYPED:
	default:
		return 3;
	}
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static unsigned char *put_varint(unsigned char *w, uint64_t v)
{
	while (v >= 0x80) {
		*w++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*w++ = (unsigned char)v;
	return w;
}

/* A double as protobuf's fixed64: the IEEE 754 bits, little-endian, whatever the host's byte order. A NaN
 * is written as Go's math.NaN() (0x7FF8000000000001), the one node_exporter sends, so the bytes match. */
static unsigned char *put_double(unsigned char *w, unsigned char tag, double d)
{
	uint64_t bits = UINT64_C(0x7FF8000000000001);

	if (!isnan(d))
		memcpy(&bits, &d, sizeof(bits));
	*w++ = tag;
	for (int i = 0; i < 8; i++)
		*w++ = (unsigned char)(bits >> (8 * i));
	return w;
}

/* Size of a length-delimited field whose content is n bytes (tag, length, content). */
static size_t len_field(size_t n)
{
	return 1 + varint_len(n) + n;
}

static unsigned char *put_bytes(unsigned char *w, unsigned char tag, const char *s, size_t n)
{
	*w++ = tag;
	w = put_varint(w, n);
	memcpy(w, s, n);
	return w + n;
}

static size_t label_pair_len(const char *name, const char *value)
{
	return len_field(strlen(name)) + len_field(strlen(value));
}

static uint64_t count_of(double v)
{
	return go_float_to_uint64(v);
}

/* Summary or Histogram content, without its own tag and length. */
static size_t dist_len(const struct family *f, const struct sample *s)
{
	size_t n = 1 + varint_len(count_of(s->count)) + 9;

	for (unsigned i = 0; i < s->n_buckets; i++) {
		if (f->type == METRIC_SUMMARY)
			n += len_field(18);
		else
			n += len_field(1 + varint_len(count_of(s->buckets[i].value)) + 9);
	}
	return n;
}

/* Metric content, without its own tag and length. */
static size_t metric_len(const struct family *f, const struct sample *s)
{
	size_t n = 0;

	for (unsigned i = 0; i < f->n_labels; i++)
		if (s->lv[i] != metric_label_absent)
			n += len_field(label_pair_len(f->label_names[i], s->lv[i]));
	if (f->type == METRIC_SUMMARY || f->type == METRIC_HISTOGRAM)
		return n + len_field(dist_len(f, s));
	return n + len_field(9);
}

static unsigned char *put_metric(unsigned char *w, const struct family *f, const struct sample *s)
{
	for (unsigned i = 0; i < f->n_labels; i++) {
		const char *name = f->label_names[i], *value = s->lv[i];
		if (value == metric_label_absent)
			continue;
		*w++ = TAG(1, WT_LEN);
		w = put_varint(w, label_pair_len(name, value));
		w = put_bytes(w, TAG(1, WT_LEN), name, strlen(name));
		w = put_bytes(w, TAG(2, WT_LEN), value, strlen(value));
	}
	switch (f->type) {
	case METRIC_SUMMARY:
	case METRIC_HISTOGRAM:
		*w++ = f->type == METRIC_SUMMARY ? TAG(4, WT_LEN) : TAG(7, WT_LEN);
		w = put_varint(w, dist_len(f, s));
		*w++ = TAG(1, WT_VARINT);
		w = put_varint(w, count_of(s->count));
		w = put_double(w, TAG(2, WT_I64), s->value);
		for (unsigned i = 0; i < s->n_buckets; i++) {
			const struct metric_bucket *b = &s->buckets[i];
			*w++ = TAG(3, WT_LEN);
			if (f->type == METRIC_SUMMARY) {
				*w++ = 18;
				w = put_double(w, TAG(1, WT_I64), b->bound);
				w = put_double(w, TAG(2, WT_I64), b->value);
			} else {
				uint64_t c = count_of(b->value);
				w = put_varint(w, 1 + varint_len(c) + 9);
				*w++ = TAG(1, WT_VARINT);
				w = put_varint(w, c);
				w = put_double(w, TAG(2, WT_I64), b->bound);
			}
		}
		return w;
	case METRIC_COUNTER:
		*w++ = TAG(3, WT_LEN);
		break;
	case METRIC_GAUGE:
		*w++ = TAG(2, WT_LEN);
		break;
	case METRIC_UNTYPED:
	default:
		*w++ = TAG(5, WT_LEN);
		break;
	}
	*w++ = 9;
	return put_double(w, TAG(1, WT_I64), s->value);
}

int expo_proto_family(struct strbuf *out, const struct family *f, struct sample *const *samples, size_t n)
{
	size_t name_len = strlen(f->name), help_len = strlen(f->help), body;
	unsigned char *start, *w;

	body = len_field(name_len) + len_field(help_len) + 1 + varint_len(pb_type(f->type));
	for (size_t i = 0; i < n; i++)
		body += len_field(metric_len(f, samples[i]));
	if (sb_reserve(out, varint_len(body) + body) < 0)
		return -ENOMEM;
	start = w = (unsigned char *)out->p + out->len;
	w = put_varint(w, body);
	w = put_bytes(w, TAG(1, WT_LEN), f->name, name_len);
	w = put_bytes(w, TAG(2, WT_LEN), f->help, help_len);
	*w++ = TAG(3, WT_VARINT);
	w = put_varint(w, pb_type(f->type));
	for (size_t i = 0; i < n; i++) {
		*w++ = TAG(4, WT_LEN);
		w = put_varint(w, metric_len(f, samples[i]));
		w = put_metric(w, f, samples[i]);
	}
	/* The sizes and the writer must agree; a difference would be a bug here, not bad input. */
	if ((size_t)(w - start) != varint_len(body) + body)
		return -EPROTO;
	out->len += (size_t)(w - start);
	out->p[out->len] = '\0';
	return 0;
}

/* ---- protobuf's text formats ----
 *
 * What client_golang answers to encoding=text and encoding=compact-text: the same messages printed by
 * golang/protobuf 1.5's text marshaller (proto.MarshalTextString, and CompactTextString for the String()
 * of client_model's messages), each family followed by a newline (fmt.Fprintln). Debugging formats that
 * nothing scrapes, served so that negotiation answers what node_exporter answers:
 *
 *   text:     name: "x"\n ... metric: <\n  gauge: <\n    value: 1\n  >\n>\n\n   (two spaces per level)
 *   compact:  name:"x" ... metric:<gauge:<value:1 > > \n
 *
 * Strings escape \n \r \t " and \\, and write every other byte outside 0x20-0x7e, UTF-8 included, as a
 * three-digit octal escape. Doubles are Go's strconv 'g' -1 with inf, -inf and nan; uint64 in decimal. */

struct ptext {
	struct strbuf *out;
	bool compact;
	unsigned depth;
};

static void pt_indent(struct ptext *p)
{
	for (unsigned i = 0; !p->compact && i < p->depth; i++)
		sb_append(p->out, "  ", 2);
}

static void pt_name(struct ptext *p, const char *name)
{
	pt_indent(p);
	sb_puts(p->out, name);
	sb_append(p->out, p->compact ? ":" : ": ", p->compact ? 1 : 2);
}

static void pt_end_scalar(struct ptext *p)
{
	sb_putc(p->out, p->compact ? ' ' : '\n');
}

static void pt_open(struct ptext *p, const char *name)
{
	pt_name(p, name);
	sb_append(p->out, p->compact ? "<" : "<\n", p->compact ? 1 : 2);
	p->depth++;
}

static void pt_close(struct ptext *p)
{
	p->depth--;
	pt_indent(p);
	sb_append(p->out, p->compact ? "> " : ">\n", 2);
}

static void pt_string(struct ptext *p, const char *name, const char *s)
{
	pt_name(p, name);
	sb_putc(p->out, '"');
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		const char *e = *c == '\n' ? "\\n" : *c == '\r' ? "\\r" : *c == '\t' ? "\\t" : *c == '"' ? "\\\"" :
				*c == '\\' ? "\\\\" : NULL;
		char oct[8];
		if (e) {
			sb_append(p->out, e, 2);
		} else if (*c >= 0x20 && *c < 0x7f) {
			sb_putc(p->out, (char)*c);
		} else {
			snprintf(oct, sizeof(oct), "\\%03o", *c);
			sb_append(p->out, oct, 4);
		}
	}
	sb_putc(p->out, '"');
	pt_end_scalar(p);
}

static void pt_double(struct ptext *p, const char *name, double v)
{
	char num[FMT_DOUBLE_MAX];

	pt_name(p, name);
	if (isnan(v))
		sb_append(p->out, "nan", 3);
	else if (isinf(v))
		sb_puts(p->out, v > 0 ? "inf" : "-inf");
	else if (v == 0 && signbit(v))
		sb_append(p->out, "-0", 2); /* fmt_double writes expfmt's "0" */
	else
		sb_append(p->out, num, fmt_double(num, v));
	pt_end_scalar(p);
}

static void pt_u64(struct ptext *p, const char *name, uint64_t v)
{
	char num[FMT_DOUBLE_MAX];

	pt_name(p, name);
	sb_append(p->out, num, fmt_u64(num, v));
	pt_end_scalar(p);
}

int expo_prototext_family(struct strbuf *out, const struct family *f, struct sample *const *samples, size_t n,
			  bool compact)
{
	static const char *const type_names[] = { "COUNTER", "GAUGE", "SUMMARY", "UNTYPED", "HISTOGRAM" };
	struct ptext p = { out, compact, 0 };

	pt_string(&p, "name", f->name);
	pt_string(&p, "help", f->help);
	pt_name(&p, "type");
	sb_puts(out, type_names[pb_type(f->type)]);
	pt_end_scalar(&p);
	for (size_t i = 0; i < n; i++) {
		const struct sample *s = samples[i];
		pt_open(&p, "metric");
		for (unsigned k = 0; k < f->n_labels; k++) {
			if (s->lv[k] == metric_label_absent)
				continue;
			pt_open(&p, "label");
			pt_string(&p, "name", f->label_names[k]);
			pt_string(&p, "value", s->lv[k]);
			pt_close(&p);
		}
		switch (f->type) {
		case METRIC_SUMMARY:
		case METRIC_HISTOGRAM:
			pt_open(&p, f->type == METRIC_SUMMARY ? "summary" : "histogram");
			pt_u64(&p, "sample_count", count_of(s->count));
			pt_double(&p, "sample_sum", s->value);
			for (unsigned b = 0; b < s->n_buckets; b++) {
				if (f->type == METRIC_SUMMARY) {
					pt_open(&p, "quantile");
					pt_double(&p, "quantile", s->buckets[b].bound);
					pt_double(&p, "value", s->buckets[b].value);
				} else {
					pt_open(&p, "bucket");
					pt_u64(&p, "cumulative_count", count_of(s->buckets[b].value));
					pt_double(&p, "upper_bound", s->buckets[b].bound);
				}
				pt_close(&p);
			}
			break;
		case METRIC_COUNTER:
			pt_open(&p, "counter");
			pt_double(&p, "value", s->value);
			break;
		case METRIC_GAUGE:
			pt_open(&p, "gauge");
			pt_double(&p, "value", s->value);
			break;
		case METRIC_UNTYPED:
		default:
			pt_open(&p, "untyped");
			pt_double(&p, "value", s->value);
			break;
		}
		pt_close(&p);
		pt_close(&p);
	}
	return sb_putc(out, '\n');
}
