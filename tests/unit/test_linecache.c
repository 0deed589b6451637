/* The per-position cache of line decisions (include/linecache.h). */
#include "harness.h"
#include "linecache.h"

static void test_reuse(void)
{
	struct line_cache lc = { 0 };
	struct line_decision *d;
	bool fresh = false;

	/* A new position: fresh, with a copy of exactly len bytes of the key. */
	d = line_cache_get(&lc, 0, "pgfault 12", 7, &fresh);
	CHECK(d && fresh);
	CHECK_STR(d->key, "pgfault");
	d->want = true;
	/* The same key at the same position: the decision made before. */
	d = line_cache_get(&lc, 0, "pgfault", 7, &fresh);
	CHECK(d && !fresh && d->want);
	/* Another key at that position (a kernel with another field order): decided anew. */
	d = line_cache_get(&lc, 0, "pgmajfault", 10, &fresh);
	CHECK(d && fresh && !d->want && d->name == NULL);
	d->name = strdup("node_x");
	/* A prefix of the cached key is another key. */
	d = line_cache_get(&lc, 0, "pgmaj", 5, &fresh);
	CHECK(d && fresh && d->name == NULL);
	/* A far position grows the cache; the positions before it stay empty. */
	d = line_cache_get(&lc, 500, "x", 1, &fresh);
	CHECK(d && fresh && lc.cap > 500 && lc.v[499].key == NULL);
	CHECK(line_cache_get(&lc, 0, "pgmaj", 5, &fresh) && !fresh);
	line_cache_free(&lc);
	CHECK(lc.v == NULL && lc.cap == 0);
	/* Reusable after free. */
	CHECK(line_cache_get(&lc, 3, "a", 1, &fresh) && fresh);
	line_cache_free(&lc);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_reuse();
	return test_summary(argv[0]);
}
