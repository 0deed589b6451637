/* arena_grow: the array keeps its elements as it doubles, stays put while there is room, and a size
 * that would overflow is refused. arena_trim: after a run, the arena keeps the chunks that run used and
 * no others, whatever earlier, larger runs left. */
#include <stdint.h>

#include "harness.h"

int main(int argc, char **argv)
{
	struct arena a = { 0 };
	uint32_t *v = NULL, *before;
	size_t n = 0, cap = 0;

	(void)argc;
	for (uint32_t i = 0; i < 1000; i++) {
		size_t old_cap = cap;
		before = v;
		v = arena_grow(&a, v, n, &cap, sizeof(*v));
		CHECK(v != NULL);
		if (!v)
			break;
		CHECK(n < cap);
		if (n < old_cap) /* room was left: nothing moves */
			CHECK(v == before && cap == old_cap);
		else /* full: twice the room, 16 at first */
			CHECK_INT((long long)cap, old_cap ? (long long)old_cap * 2 : 16);
		v[n++] = i * 7;
	}
	CHECK_INT((long long)cap, 1024);
	bool same = true;
	for (size_t i = 0; i < n; i++)
		same = same && v[i] == (uint32_t)i * 7;
	CHECK(same);

	/* Room left: the same array, cap unchanged. */
	size_t cap2 = 8;
	char *p = arena_alloc(&a, 8);
	CHECK(arena_grow(&a, p, 3, &cap2, 1) == p);
	CHECK_INT((long long)cap2, 8);

	/* A first growth to 16 elements of SIZE_MAX / 8 bytes overflows: refused, cap untouched. */
	size_t cap3 = 0;
	CHECK(arena_grow(&a, NULL, 0, &cap3, SIZE_MAX / 8) == NULL);
	CHECK_INT((long long)cap3, 0);
	arena_free(&a);

	/* A large run, then a small one: the small one's trim gives back what it did not reach. */
	for (int i = 0; i < 100; i++)
		CHECK(arena_alloc(&a, 3000) != NULL);
	size_t large = arena_capacity(&a);
	arena_trim(&a);
	CHECK_INT((long long)arena_capacity(&a), (long long)large);
	arena_reset(&a);
	CHECK(arena_alloc(&a, 100) != NULL);
	arena_trim(&a);
	CHECK((long long)arena_capacity(&a) < (long long)large / 4);
	/* Runs whose requests shift between sizes that do or do not fit the kept chunks: a request too big
	 * for the chunk it meets skips it, and the skipped chunk must not stay on. */
	size_t cap_after[40];
	for (int run = 0; run < 40; run++) {
		arena_reset(&a);
		/* even runs: 200 requests of 5 kB (1 MB); odd runs: 20 of 70 kB (1.4 MB) */
		for (int i = 0; i < (run % 2 ? 20 : 200); i++) {
			char *q = arena_alloc(&a, (size_t)(run % 2 ? 70000 : 5000) + (size_t)i);
			CHECK(q != NULL);
			if (q)
				memset(q, 1, 16);
		}
		arena_trim(&a);
		cap_after[run] = arena_capacity(&a);
	}
	/* The same run twice keeps the same memory, and a run of 70 kB requests keeps about their 1.4 MB, not
	 * also the 5 kB run's chunks it skipped. */
	CHECK_INT((long long)cap_after[39], (long long)cap_after[37]);
	CHECK_INT((long long)cap_after[38], (long long)cap_after[36]);
	CHECK(cap_after[39] < 20 * 70020 + 200 * 1000);
	arena_free(&a);
	return test_summary(argv[0]);
}
