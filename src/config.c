#include <stdarg.h>
#include <stdio.h>

#include "config.h"
#include "nodex.h"
#include "fileio.h"
#include "ytree.h"

#define MAX_DEPTH 16

struct cfg {
	struct flag *const *sets;
	size_t n_sets;
	struct arena *a;
	const char *name;
	char *err;
	size_t err_size;
};

static int fail_at(struct cfg *c, const struct ynode *n, const char *fmt, ...) PRINTF(3, 4);

static int fail_at(struct cfg *c, const struct ynode *n, const char *fmt, ...)
{
	char msg[1024]; /* room for the longest key path (512) and the text around it */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->err_size, "%s:%u:%u: %s", c->name, n->line, n->col, msg);
	return -EINVAL;
}

/* The flag a key path names. "collector.<x>.enabled" names the switch "collector.<x>". */
static struct flag *find_flag(struct cfg *c, const char *path)
{
	struct flag *f = flag_find(c->sets, c->n_sets, path);

	if (!f && endswith(path, ".enabled")) {
		char base[512];
		size_t n = strlen(path) - strlen(".enabled");
		if (n < sizeof(base)) {
			memcpy(base, path, n);
			base[n] = '\0';
			f = flag_find(c->sets, c->n_sets, base);
			if (f && f->type != FLAG_BOOL)
				f = NULL;
		}
	}
	return f;
}

static int apply(struct cfg *c, const char *path, const struct ynode *key, const struct ynode *val, bool in_list)
{
	struct flag *f = find_flag(c, path);
	char msg[300];

	if (!f)
		return fail_at(c, key, "unknown key %s (no such flag)", path);
	if (in_list && f->type != FLAG_STRINGS)
		return fail_at(c, key, "%s takes one value, not a list", path);
	const char *text = arena_strndup(c->a, val->val, val->len);
	if (!text) {
		snprintf(c->err, c->err_size, "out of memory");
		return -ENOMEM;
	}
	if (flag_set(f, text, FLAG_SRC_FILE, msg, sizeof(msg)) < 0)
		return fail_at(c, val, "%s", msg);
	return 0;
}

static int join(char *out, size_t size, const char *prefix, const struct ynode *key)
{
	int n = snprintf(out, size, "%s%s%.*s", prefix, *prefix ? "." : "", (int)key->len, key->val);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int apply_mapping(struct cfg *c, const struct ynode *map, const char *prefix, int depth)
{
	char path[512];
	int r = 0;

	if (depth > MAX_DEPTH) {
		snprintf(c->err, c->err_size, "%s: nested too deep", c->name);
		return -EINVAL;
	}
	for (size_t k = 0; k + 1 < map->n && r == 0; k += 2) {
		const struct ynode *key = map->kids[k], *val = map->kids[k + 1];
		if (key->kind != Y_SCALAR)
			return fail_at(c, key, "expected a key");
		if (join(path, sizeof(path), prefix, key) < 0)
			return fail_at(c, key, "key too long");
		switch (val->kind) {
		case Y_SCALAR:
			r = apply(c, path, key, val, false);
			break;
		case Y_MAP:
			r = apply_mapping(c, val, path, depth + 1);
			break;
		case Y_SEQ:
			for (size_t i = 0; i < val->n && r == 0; i++) {
				const struct ynode *item = val->kids[i];
				if (item->kind != Y_SCALAR)
					r = fail_at(c, item, "%s: a list may hold only plain values", path);
				else
					r = apply(c, path, key, item, true);
			}
			break;
		case Y_ALIAS:
			r = fail_at(c, val, "%s: aliases are not supported", path);
			break;
		}
	}
	return r;
}

int config_apply_buffer(const char *text, size_t len, const char *name, struct flag *const *sets, size_t n_sets,
			struct arena *a, char *err, size_t err_size)
{
	struct cfg c = { .sets = sets, .n_sets = n_sets, .a = a, .name = name, .err = err, .err_size = err_size };
	/* Aliases are refused where they stand; the tree lives only while the flags are set from it. */
	const struct ytree_opts opts = { .alias_nodes = true };
	struct arena tree = { 0 };
	struct ytree *t = ytree_open(text, len, &tree, &opts);
	struct ytree_error e;
	struct ynode *root;
	int r;

	if (!t) {
		const char *why = ytree_unavailable();
		snprintf(err, err_size, "%s", why ? why : "out of memory");
		return why ? -ENOSYS : -ENOMEM;
	}
	/* Every document of the stream, in turn. */
	while ((r = ytree_next(t, &root, &e)) > 0) {
		if (root->kind == Y_MAP)
			r = apply_mapping(&c, root, "", 0);
		else if (root->kind != Y_SCALAR || root->len != 0) /* an empty document is nothing to set */
			r = fail_at(&c, root, "the top level must be a mapping of keys");
		else
			r = 0;
		if (r < 0)
			goto out;
	}
	if (r < 0 && e.line)
		snprintf(err, err_size, "%s:%u:%u: %s", name, e.line, e.col, e.msg);
	else if (r < 0)
		snprintf(err, err_size, "%s", e.msg);
out:
	ytree_close(t);
	arena_free(&tree);
	return r;
}

int config_apply_file(const char *path, struct flag *const *sets, size_t n_sets, struct arena *a, char *err,
		      size_t err_size)
{
	struct strbuf b = { 0 };
	ssize_t n = file_read(path, &b);
	int r;

	if (n < 0) {
		snprintf(err, err_size, "%s: %s", path, strerror((int)-n));
		sb_free(&b);
		return (int)n;
	}
	r = config_apply_buffer(b.p, (size_t)n, path, sets, n_sets, a, err, err_size);
	sb_free(&b);
	return r;
}
