/* The registry: metric families and their samples, as one collector run produces them.
 *
 * A collector describes each family once, as static const data (struct metric_desc), and appends samples
 * to a struct metric_set that belongs to its run. Names, help texts and label values are copied into the
 * set's arena, so callers may pass pointers into their own read buffers. Label names may be given in any
 * order: the family sorts them by name once and stores every sample's values in that order, which is the
 * order the text format prints them.
 *
 * Allocation failures are sticky: the set records -ENOMEM in ms->error and later calls do nothing, so a
 * collector need not check every append. The scrape checks ms->error once. */
#ifndef NODEX_METRIC_H
#define NODEX_METRIC_H

#include "arena.h"

enum metric_type {
	METRIC_COUNTER,
	METRIC_GAUGE,
	METRIC_UNTYPED,
	METRIC_SUMMARY,
	METRIC_HISTOGRAM,
};

#define METRIC_MAX_LABELS 64

struct metric_desc {
	const char *name;
	const char *help;
	enum metric_type type;
	unsigned n_labels;
	const char *const *labels; /* n_labels names, in any order */
	/* A NULL label value leaves that label out of the series (an empty string is still printed as
	 * label=""), so the series of one family may carry different label sets: node_exporter's info
	 * metrics that only label what a device provides. Series then sort as client_golang sorts them:
	 * fewer labels first, then by the values present. */
	bool sparse;
	/* The help text holds text read from outside (a file's name or content): it is made valid UTF-8
	 * (each run of invalid bytes becomes U+FFFD) when the family is created, since Prometheus refuses a
	 * scrape with one invalid HELP. Static help texts leave it unset and cost nothing. */
	bool help_from_input;
	/* name and help are string literals (METRIC_DESC sets it): the family points at them instead of
	 * copying them into the set's arena at every scrape. */
	bool static_text;
};

/* Static descriptors: METRIC_DESC("node_load1", "1m load average.", METRIC_GAUGE) or with labels
 * METRIC_DESC("node_cpu_seconds_total", "...", METRIC_COUNTER, "cpu", "mode"). */
#define METRIC_NARGS_(...) (sizeof((const char *[]){ NULL, __VA_ARGS__ }) / sizeof(const char *) - 1)
#define METRIC_DESC(n, h, t, ...)                                                                  \
	{                                                                                          \
		.name = "" n "", .help = "" h "", .type = (t),                                            \
		.n_labels = (unsigned)METRIC_NARGS_(__VA_ARGS__),                                          \
		.labels = (const char *const[]){ NULL, __VA_ARGS__ } + 1, .static_text = true,          \
	}

/* Defines the static descriptor var in one line, its type first: METRIC(load1_desc, GAUGE, "node_load1",
 * "1m load average.") or with labels METRIC(seconds_desc, COUNTER, "node_cpu_seconds_total", "...", "cpu",
 * "mode"). */
#define METRIC(var, type, name, help, ...) \
	static const struct metric_desc var = METRIC_DESC(name, help, METRIC_##type, __VA_ARGS__)

/* One quantile (summary) or one bucket (histogram): bound is the quantile or the upper bound, value the
 * quantile's value or the bucket's cumulative count. */
struct metric_bucket {
	double bound;
	double value;
};

struct sample {
	const char **lv;   /* label values, in the family's sorted label-name order */
	double value;      /* the value; for summaries and histograms the sum */
	double count;      /* summaries and histograms: the count */
	struct metric_bucket *buckets;
	unsigned n_buckets;
};

struct family {
	const char *name;
	const char *help;
	enum metric_type type;
	unsigned n_labels;
	const char **label_names;      /* sorted by name */
	unsigned char *perm;           /* perm[i]: sorted position of the i-th label as the caller gave it */
	bool sparse;                   /* see struct metric_desc */
	struct sample *samples;
	size_t n_samples;
	size_t cap_samples;
	struct metric_set *set;
};

struct metric_set {
	struct arena arena;
	struct family **fams;
	size_t n_fams;
	size_t cap_fams;
	uint32_t *slots; /* open-addressing index into fams by name hash, 0 = empty, else index + 1 */
	size_t n_slots;
	int error;       /* first error: -ENOMEM, or -EINVAL for an invalid descriptor */
};

/* The stored value of a label left out of a series of a sparse family (compare by address). */
extern const char metric_label_absent[];

/* Empties the set and keeps its memory for the next run. */
void metric_set_reset(struct metric_set *ms);
/* Frees everything the set holds. */
void metric_set_free(struct metric_set *ms);

/* Returns the family named d->name in ms, creating it from d if absent. The descriptor's strings are
 * copied, but for the name and help of a static_text descriptor, which the family points at. Returns NULL (and sets ms->error) on allocation failure, when d has more than METRIC_MAX_LABELS
 * labels or the same label twice, or when a family of that name exists with another type or label count. */
struct family *metric_family(struct metric_set *ms, const struct metric_desc *d);

/* Looks a family up by name. Returns NULL when absent. */
struct family *metric_set_find(struct metric_set *ms, const char *name);

/* Takes family f out of ms (its memory stays in the arena until the set is reset). */
void metric_set_remove(struct metric_set *ms, struct family *f);

/* Appends a sample with the given value and label values, in the order the descriptor listed the label
 * names: metric_add(f, 1, "eth0", "up"). Values are copied. f may be NULL (the call then does nothing).
 * The macro counts the values it is given: a count other than the family's n_labels is a collector bug,
 * refused with ms->error = -EINVAL (the collector fails) instead of reading past the values. */
#define METRIC_VALUES_(...) ((const char *const[]){ NULL, __VA_ARGS__ } + 1)
#define metric_add(f, value, ...)                                                                  \
	metric_add_n((f), (value), (unsigned)METRIC_NARGS_(__VA_ARGS__), METRIC_VALUES_(__VA_ARGS__))
void metric_add_n(struct family *f, double value, unsigned n_values, const char *const *label_values);
/* The same with an array of exactly f->n_labels values, for callers that build the array. */
void metric_addv(struct family *f, double value, const char *const *label_values);

/* Appends a summary (quantiles) or histogram (cumulative buckets) sample. The buckets are copied. */
void metric_add_dist(struct family *f, const char *const *label_values, double sum, double count,
		     const struct metric_bucket *buckets, unsigned n_buckets);

/* Shorthand for a family with at most one call site: metric_family() then metric_add(), with the same
 * check of the label count. */
#define metric_emit(ms, d, value, ...)                                                             \
	metric_emit_n((ms), (d), (value), (unsigned)METRIC_NARGS_(__VA_ARGS__), METRIC_VALUES_(__VA_ARGS__))
void metric_emit_n(struct metric_set *ms, const struct metric_desc *d, double value, unsigned n_values,
		   const char *const *label_values);

/* Returns a copy of s in the set's arena (NULL and ms->error set on failure). */
const char *metric_strdup(struct metric_set *ms, const char *s);

const char *metric_type_name(enum metric_type t);

#endif
