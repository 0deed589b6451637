/* Regular expressions with Go RE2 semantics where node_exporter's flags depend on them: PCRE2, with `$`
 * matching only at the very end (as in Go), and matches unanchored unless the pattern anchors itself. */
#ifndef NODEX_REGEX_H
#define NODEX_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "flags.h"

struct regex;

/* Compiles pattern. On failure returns NULL and writes a message (with the offset of the error) into
 * err. The result is freed with regex_free(). */
struct regex *regex_new(const char *pattern, char *err, size_t err_size);

/* Compiles "^(?:pattern)$", for flags that node_exporter anchors (systemd unit filters). */
struct regex *regex_new_anchored(const char *pattern, char *err, size_t err_size);

/* Returns true when re matches anywhere in s. A NULL re matches nothing. Thread-safe. */
bool regex_match(const struct regex *re, const char *s);

/* The pattern as given. */
const char *regex_pattern(const struct regex *re);

void regex_free(struct regex *re);

/* An include/exclude filter as node_exporter's device filters: when include is set, a name is kept only if
 * it matches include; when exclude is set, a name is dropped if it matches exclude. Either may be NULL. */
struct name_filter {
	struct regex *include;
	struct regex *exclude;
};

/* Returns true when name should be ignored. */
bool name_filter_ignored(const struct name_filter *f, const char *name);

/* Builds a filter from two patterns (NULL or "" for unset). Returns 0, or -EINVAL with a message in err. */
int name_filter_init(struct name_filter *f, const char *include, const char *exclude, char *err,
		     size_t err_size);
void name_filter_free(struct name_filter *f);

/* The include/exclude flags of one filter, as node_exporter's collectors declare them (netdev, qdisc,
 * diskstats, filesystem, systemd): the two flags, the deprecated names that stand in for them, and the
 * rules that differ between collectors. */
struct name_filter_flags {
	const struct flag *include, *exclude; /* FLAG_STRING; either may be NULL */
	/* Deprecated names, looked at in this order: a non-empty old value stands in for now's, unless now was
	 * given too ("--<old> and --<now> are mutually exclusive"). */
	struct {
		const struct flag *old, *now;
	} alias[2];
	/* node_exporter's error when both include and exclude end up set; NULL when both may be. */
	const char *both_error;
	/* An exclude left at its default gives way to a given include (filesystem). */
	bool include_clears_default_exclude;
	/* Whole-name patterns (^(?:...)$), and an empty pattern matches only "" (systemd). */
	bool anchored;
};

/* Builds f from the flags' current values with node_exporter's rules. A flag counts as given when it was
 * set from the command line or the configuration file (and, for a flag without a default, to something
 * non-empty). Returns 0, or -EINVAL with node_exporter's message in err. */
int name_filter_from_flags(struct name_filter *f, const struct name_filter_flags *ff, char *err, size_t err_size);

#endif
