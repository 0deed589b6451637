/* Rendering of metric sets as the Prometheus text format 0.0.4, the way client_golang gathers and encodes:
 * families sorted by name, series sorted by label values, label pairs in label-name order. */
#ifndef NODEX_EXPOSITION_H
#define NODEX_EXPOSITION_H

#include "arena.h"
#include "metric.h"

#define EXPO_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

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

/* Frees the scratch memory. */
void expo_free(struct expo *e);

/* Appends s with the text format's escaping: backslash and newline, and the double quote when
 * quote is true (label values). */
int expo_escape(struct strbuf *out, const char *s, bool quote);

#endif
