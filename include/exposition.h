/* Rendering of metric sets as the Prometheus text format 0.0.4 or the delimited protobuf format, the way
 * client_golang gathers and encodes: families sorted by name, series sorted by label values, label pairs
 * in label-name order. */
#ifndef NODEX_EXPOSITION_H
#define NODEX_EXPOSITION_H

#include "arena.h"
#include "metric.h"

#define EXPO_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define EXPO_CONTENT_TYPE_PROTO "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
#define EXPO_CONTENT_TYPE_PROTO_TEXT "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text"
#define EXPO_CONTENT_TYPE_PROTO_COMPACT \
	"application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=compact-text"

/* The output formats (what HTTP content negotiation picks). */
enum expo_format {
	EXPO_TEXT,          /* text 0.0.4 */
	EXPO_PROTO,         /* length-delimited io.prometheus.client.MetricFamily messages */
	EXPO_PROTO_TEXT,    /* the same messages in protobuf's text format, for debugging */
	EXPO_PROTO_COMPACT, /* and in its one-line-per-family form */
	EXPO_N_FORMATS,
};

/* The Content-Type of a format. */
const char *expo_content_type(enum expo_format fmt);

/* Scratch memory kept between renders so a steady scrape does not allocate. */
struct fam_ref {
	struct family *f;
	size_t order; /* position across all sets, so that the first-registered family wins a name */
};

struct expo {
	struct fam_ref *refs;   /* every family, in set order */
	struct fam_ref *sorted; /* the same by name */
	size_t *order;          /* the last render's order: sorted[j] = refs[order[j]] */
	size_t n_order;
	size_t cap_refs;
	struct sample **samples;
	size_t cap_samples;
	struct strbuf errors;   /* one line per dropped family or series, for the caller to log */
	unsigned n_errors;      /* count of gathering errors in the last render */
};

/* Renders every family of sets[0..n_sets) into out (appended). A family that appears in several sets is
 * merged when type, help and label names agree; otherwise the later one is dropped. So is a family whose
 * name or label names are not valid Prometheus names. A series whose labels repeat an earlier one is
 * dropped, and so is one with a label value that is not valid UTF-8. (Prometheus would refuse the whole
 * scrape for one bad name or value.) Each counts as a gathering error, described in e->errors. Families
 * with no samples left are not printed. Returns 0 or -ENOMEM. */
int expo_render(struct expo *e, struct strbuf *out, struct metric_set *const *sets, size_t n_sets);

/* The same in the given format: the same families, series and gathering errors. */
int expo_render_as(struct expo *e, struct strbuf *out, struct metric_set *const *sets, size_t n_sets,
		   enum expo_format fmt);

/* Appends one family (f: name, help, type, label names) with its n series, already sorted and checked, as
 * one length-delimited MetricFamily message (src/exposition_proto.c). Returns 0 or -ENOMEM. */
int expo_proto_family(struct strbuf *out, const struct family *f, struct sample *const *samples, size_t n);

/* Appends the same in protobuf's text format (compact: the one-line form), as client_golang prints it. */
int expo_prototext_family(struct strbuf *out, const struct family *f, struct sample *const *samples, size_t n,
			  bool compact);

/* Frees the scratch memory. */
void expo_free(struct expo *e);

/* Appends s with the text format's escaping: backslash and newline, and the double quote when
 * quote is true (label values). */
int expo_escape(struct strbuf *out, const char *s, bool quote);

#endif
