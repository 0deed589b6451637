/* arena_grow: the array keeps its elements as it doubles, stays put while there is room, and a size
 * that would overflow is refused. */
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
	return test_summary(argv[0]);
}
