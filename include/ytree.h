/* The YAML front end: libyaml's events made into a tree of nodes, one document at a time, for the files
 * nodex reads: --config.file (src/config.c) and --web.config.file (src/webconfig.c).
 *
 * Each node carries its 1-based line and column, so a reader that finds a wrong key or value names where
 * it is. The tree is bounded: at most max_nodes nodes and max_depth levels, so a hostile file costs at
 * most its own size. An alias is either the anchored node itself (the default: a reader sees through it,
 * and cannot be made to do more work than the file's size since it walks a fixed schema) or, with
 * alias_nodes, a Y_ALIAS node of its own for a reader that refuses aliases where it finds them. */
#ifndef NODEX_YTREE_H
#define NODEX_YTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

enum ykind {
	Y_SCALAR,
	Y_MAP,
	Y_SEQ,
	Y_ALIAS, /* only with ytree_opts.alias_nodes */
};

struct ynode {
	enum ykind kind;
	bool plain;      /* plain scalar without an explicit tag: YAML 1.1 implicit typing applies */
	bool has_nul;    /* the scalar holds a NUL byte ("\0" escape) */
	const char *tag; /* explicit tag, or NULL */
	const char *val; /* scalar text, NUL-terminated (also the anchor name of a Y_ALIAS) */
	size_t len;
	unsigned line, col;  /* 1-based */
	struct ynode **kids; /* map: key, value, key, value, ...; sequence: items */
	size_t n, cap;
};

struct ytree_opts {
	size_t max_nodes;   /* 0: 100000 */
	unsigned max_depth; /* nesting of collections; 0: 64 */
	bool alias_nodes;   /* aliases as Y_ALIAS nodes instead of the anchored node */
};

/* Where and why reading failed. line is 0 when there is no position (out of memory). */
struct ytree_error {
	unsigned line, col;
	char msg[300];
};

struct ytree;

/* Starts reading len bytes of text (not copied: it must outlive the reader). Nodes and their text are
 * allocated in arena a. opts may be NULL for the defaults. Returns NULL when out of memory. */
struct ytree *ytree_open(const char *text, size_t len, struct arena *a, const struct ytree_opts *opts);

/* Why YAML cannot be parsed (libyaml could not be loaded, src/libyaml.c), or NULL when it can: what to
 * report when ytree_open returns NULL, instead of "out of memory". */
const char *ytree_unavailable(void);

/* Reads the next document of the stream. Returns 1 with its top node in *root (an empty document is an
 * empty plain scalar), 0 at the end of the stream, or -EINVAL (syntax, bounds, unknown anchor) or
 * -ENOMEM with e filled in. After an error the reader only returns that error again. */
int ytree_next(struct ytree *t, struct ynode **root, struct ytree_error *e);

/* Frees the reader (not the nodes: they live in the arena). t may be NULL. */
void ytree_close(struct ytree *t);

#endif
