/* The per-position cache of line decisions (include/linecache.h). */
#include "arena.h"
#include "linecache.h"

static void decision_free(struct line_decision *d)
{
	free(d->key);
	free(d->name);
	free(d->help);
	*d = (struct line_decision){ 0 };
}

struct line_decision *line_cache_get(struct line_cache *lc, size_t pos, const char *key, size_t len, bool *fresh)
{
	struct line_decision *v = heap_grow(lc->v, pos, &lc->cap, sizeof(*v)), *d;

	if (!v)
		return NULL;
	lc->v = v;
	d = &v[pos];
	*fresh = !d->key || d->len != len || memcmp(d->key, key, len) != 0;
	if (!*fresh)
		return d;
	decision_free(d);
	d->key = malloc(len + 1);
	if (!d->key)
		return NULL;
	memcpy(d->key, key, len);
	d->key[len] = '\0';
	d->len = len;
	return d;
}

void line_cache_free(struct line_cache *lc)
{
	for (size_t i = 0; i < lc->cap; i++)
		decision_free(&lc->v[i]);
	free(lc->v);
	*lc = (struct line_cache){ 0 };
}
