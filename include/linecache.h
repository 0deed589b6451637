/* Decisions about the lines of a kernel key/value file whose keys keep their order while the kernel runs
 * (/proc/vmstat, /proc/net/snmp6). Deciding whether a line is wanted means a regular expression; the
 * decision made for the line at position pos is kept with that line's key and reused while the line at
 * pos has the same key, so a scrape compares keys (a short memcmp) instead of matching every line. The
 * cache lives on the heap across scrapes. */
#ifndef NODEX_LINECACHE_H
#define NODEX_LINECACHE_H

#include <stdbool.h>
#include <stddef.h>

struct line_decision {
	char *key; /* NULL: nothing decided at this position */
	size_t len;
	/* The caller's decision, filled in when the decision is fresh. name and help are heap strings the
	 * cache frees with the decision (NULL when unused). */
	bool want;
	char *name;
	char *help;
};

struct line_cache {
	struct line_decision *v;
	size_t cap;
};

/* The decision for the line at position pos whose key is key (len bytes, no NUL): the cached one while
 * the key is the same (*fresh false), else an empty one holding a copy of the key (*fresh true) for the
 * caller to fill in. Returns NULL when out of memory. */
struct line_decision *line_cache_get(struct line_cache *lc, size_t pos, const char *key, size_t len, bool *fresh);

/* Frees every decision and the cache, which is then empty and reusable. */
void line_cache_free(struct line_cache *lc);

#endif
