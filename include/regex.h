/* Regular expressions with Go RE2 semantics where node_exporter's flags depend on them: PCRE2, with `$`
 * matching only at the very end (as in Go), and matches unanchored unless the pattern anchors itself. */
#ifndef NODEX_REGEX_H
#define NODEX_REGEX_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
