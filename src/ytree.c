/* The YAML front end behind include/ytree.h: libyaml's event parser, one node per scalar, mapping and
 * sequence event, collections attached to the one open above them. */
#include <stdarg.h>
#include <stdio.h>
#include <yaml.h>

#include "ytree.h"

#define DEFAULT_MAX_NODES 100000
#define DEFAULT_MAX_DEPTH 64

struct anchor {
	const char *name;
	struct ynode *node;
};

struct ytree {
	yaml_parser_t parser;
	struct arena *a;
	struct ytree_opts opts;
	struct ynode **stack; /* the open collections, opts.max_depth at most */
	unsigned depth;
	struct ynode *root;
	struct anchor *anchors; /* in the arena; the document's, the latest definition last */
	size_t n_anchors, cap_anchors;
	size_t nodes;
	int error; /* sticky: once reading failed, every later call returns it */
	struct ytree_error saved;
	bool ended;
};

static int fail(struct ytree *t, struct ytree_error *e, int err, unsigned line, unsigned col, const char *fmt, ...)
	PRINTF(6, 7);

static int fail(struct ytree *t, struct ytree_error *e, int err, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	t->saved.line = line;
	t->saved.col = col;
	va_start(ap, fmt);
	vsnprintf(t->saved.msg, sizeof(t->saved.msg), fmt, ap);
	va_end(ap);
	t->error = err;
	*e = t->saved;
	return err;
}

static int oom(struct ytree *t, struct ytree_error *e)
{
	return fail(t, e, -ENOMEM, 0, 0, "out of memory");
}

struct ytree *ytree_open(const char *text, size_t len, struct arena *a, const struct ytree_opts *opts)
{
	struct ytree *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->a = a;
	if (opts)
		t->opts = *opts;
	if (!t->opts.max_nodes)
		t->opts.max_nodes = DEFAULT_MAX_NODES;
	if (!t->opts.max_depth)
		t->opts.max_depth = DEFAULT_MAX_DEPTH;
	t->stack = calloc(t->opts.max_depth, sizeof(*t->stack));
	if (!t->stack || !yaml_parser_initialize(&t->parser)) {
		free(t->stack);
		free(t);
		return NULL;
	}
	yaml_parser_set_input_string(&t->parser, (const unsigned char *)text, len);
	return t;
}

void ytree_close(struct ytree *t)
{
	if (!t)
		return;
	yaml_parser_delete(&t->parser);
	free(t->stack);
	free(t);
}

/* Attaches n to the open collection, or makes it the document's top node. */
static int attach(struct ytree *t, struct ynode *n)
{
	struct ynode *parent;

	if (t->depth == 0) {
		t->root = n;
		return 0;
	}
	parent = t->stack[t->depth - 1];
	parent->kids = arena_grow(t->a, parent->kids, parent->n, &parent->cap, sizeof(*parent->kids));
	if (!parent->kids)
		return -ENOMEM;
	parent->kids[parent->n++] = n;
	return 0;
}

static int add_anchor(struct ytree *t, const yaml_char_t *name, struct ynode *n)
{
	if (!name)
		return 0;
	t->anchors = arena_grow(t->a, t->anchors, t->n_anchors, &t->cap_anchors, sizeof(*t->anchors));
	if (!t->anchors)
		return -ENOMEM;
	t->anchors[t->n_anchors].name = arena_strdup(t->a, (const char *)name);
	if (!t->anchors[t->n_anchors].name)
		return -ENOMEM;
	t->anchors[t->n_anchors++].node = n;
	return 0;
}

/* A new node at mark, or NULL with the error set (too many nodes, out of memory). */
static struct ynode *new_node(struct ytree *t, struct ytree_error *e, enum ykind kind, const yaml_mark_t *m)
{
	unsigned line = (unsigned)m->line + 1, col = (unsigned)m->column + 1;
	struct ynode *n;

	if (++t->nodes > t->opts.max_nodes) {
		fail(t, e, -EINVAL, line, col, "more than %zu YAML nodes", t->opts.max_nodes);
		return NULL;
	}
	n = arena_zalloc(t->a, sizeof(*n));
	if (!n) {
		oom(t, e);
		return NULL;
	}
	n->kind = kind;
	n->line = line;
	n->col = col;
	return n;
}

/* Handles one event. Returns 1 when a document ended, 2 when the stream did, 0 to go on, or an error. */
static int on_event(struct ytree *t, const yaml_event_t *ev, struct ytree_error *e)
{
	const yaml_mark_t *m = &ev->start_mark;
	const yaml_char_t *anchor;
	struct ynode *n;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		t->root = NULL;
		t->depth = 0;
		t->n_anchors = 0; /* anchors belong to their document */
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		return 1;
	case YAML_STREAM_END_EVENT:
		return 2;
	case YAML_SCALAR_EVENT:
		if (!(n = new_node(t, e, Y_SCALAR, m)))
			return t->error;
		n->len = ev->data.scalar.length;
		n->val = arena_strndup(t->a, (const char *)ev->data.scalar.value, n->len);
		if (!n->val)
			return oom(t, e);
		n->has_nul = memchr(n->val, '\0', n->len) != NULL;
		if (ev->data.scalar.tag && !(n->tag = arena_strdup(t->a, (const char *)ev->data.scalar.tag)))
			return oom(t, e);
		n->plain = !n->tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (add_anchor(t, ev->data.scalar.anchor, n) < 0 || attach(t, n) < 0)
			return oom(t, e);
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (!(n = new_node(t, e, ev->type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP, m)))
			return t->error;
		if (t->depth == t->opts.max_depth)
			return fail(t, e, -EINVAL, n->line, n->col, "nested deeper than %u levels", t->opts.max_depth);
		anchor = ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor :
								ev->data.mapping_start.anchor;
		if (add_anchor(t, anchor, n) < 0 || attach(t, n) < 0)
			return oom(t, e);
		t->stack[t->depth++] = n;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (t->depth > 0)
			t->depth--;
		return 0;
	case YAML_ALIAS_EVENT:
		if (t->opts.alias_nodes) {
			if (!(n = new_node(t, e, Y_ALIAS, m)))
				return t->error;
			n->val = arena_strdup(t->a, (const char *)ev->data.alias.anchor);
			if (!n->val)
				return oom(t, e);
			n->len = strlen(n->val);
			return attach(t, n) < 0 ? oom(t, e) : 0;
		}
		/* The latest definition of an anchor wins, as in YAML. */
		for (size_t i = t->n_anchors; i-- > 0;) {
			if (streq(t->anchors[i].name, (const char *)ev->data.alias.anchor)) {
				if (++t->nodes > t->opts.max_nodes)
					return fail(t, e, -EINVAL, (unsigned)m->line + 1, (unsigned)m->column + 1,
						    "more than %zu YAML nodes", t->opts.max_nodes);
				return attach(t, t->anchors[i].node) < 0 ? oom(t, e) : 0;
			}
		}
		return fail(t, e, -EINVAL, (unsigned)m->line + 1, (unsigned)m->column + 1,
			    "unknown anchor '%s' referenced", (const char *)ev->data.alias.anchor);
	default:
		return 0;
	}
}

int ytree_next(struct ytree *t, struct ynode **root, struct ytree_error *e)
{
	if (t->error) {
		*e = t->saved;
		return t->error;
	}
	if (t->ended)
		return 0;
	for (;;) {
		yaml_parser_t *p = &t->parser;
		yaml_event_t ev;
		int r;

		if (!yaml_parser_parse(p, &ev)) {
			if (p->error == YAML_MEMORY_ERROR)
				return oom(t, e);
			if (p->context)
				return fail(t, e, -EINVAL, (unsigned)p->problem_mark.line + 1,
					    (unsigned)p->problem_mark.column + 1, "%s %s (line %u, column %u)",
					    p->problem ? p->problem : "syntax error", p->context,
					    (unsigned)p->context_mark.line + 1, (unsigned)p->context_mark.column + 1);
			return fail(t, e, -EINVAL, (unsigned)p->problem_mark.line + 1,
				    (unsigned)p->problem_mark.column + 1, "%s", p->problem ? p->problem : "syntax error");
		}
		r = on_event(t, &ev, e);
		yaml_event_delete(&ev);
		if (r < 0)
			return r;
		if (r == 1 && t->root) {
			*root = t->root;
			t->root = NULL;
			return 1;
		}
		if (r == 2) {
			t->ended = true;
			return 0;
		}
	}
}
