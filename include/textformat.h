/* The Prometheus text format (0.0.4), parsed with the rules of the parser node_exporter's textfile
 * collector uses (expfmt's TextParser): HELP and TYPE comments, the untyped default, escapes in label
 * values and HELP, summaries and histograms assembled from their _sum/_count/_bucket lines by label set,
 * the last line ending with a newline, legacy (unquoted) metric and label names.
 *
 * Stricter than expfmt where expfmt lets through what Prometheus refuses: a NUL byte, a label name
 * starting with "__", and HELP text or a label value that is not valid UTF-8 are parse errors. */
#ifndef NODEX_TEXTFORMAT_H
#define NODEX_TEXTFORMAT_H

#include "arena.h"
#include "metric.h"

/* tf_family.type: enum metric_type, or one of these. */
#define TF_TYPE_UNSET (-1)
#define TF_GAUGE_HISTOGRAM 100 /* accepted in TYPE, but its samples are an error (as in expfmt) */

struct tf_label {
	const char *name;
	const char *value;
};

/* One series, as the file gave it (quantile and le are not among its labels). */
struct tf_metric {
	struct tf_label *labels;
	unsigned n_labels;
	size_t cap_labels;
	double value;  /* counter, gauge, untyped; the sum of a summary or histogram */
	double count;  /* summary, histogram: float64(uint64(count)) */
	struct metric_bucket *b; /* quantiles or buckets in file order, repeats included */
	unsigned n_b;
	size_t cap_b;
	bool has_ts;   /* the line carried a timestamp */
	size_t order;  /* position across every parse sharing the order counter */
};

struct tf_family {
	const char *name;
	const char *help; /* NULL: no HELP line */
	int type;
	struct tf_metric **m;
	size_t n, cap;
	struct tf_family *next;      /* next family of the input, in order of appearance */
	struct tf_family *hash_next; /* the parser's name table */
	const char *file;            /* free for the caller (textfile: the file it was read from) */
};

struct tf_error {
	const char *msg; /* static text; NULL when there was no error */
	unsigned line;   /* 1-based line of the error */
};

/* Parses len bytes at s. Everything is allocated in arena a. tok is scratch memory the caller keeps
 * between parses (it grows to the longest token). *order numbers the series across parses (tf_metric
 * order), so the caller can tell which of several files came first. Returns the families in order of
 * appearance, those without samples left out: NULL with err->msg NULL when the input has no sample, NULL
 * with err set on a parse error. */
struct tf_family *textformat_parse(const char *s, size_t len, struct arena *a, struct strbuf *tok, size_t *order,
				   struct tf_error *err);

#endif
