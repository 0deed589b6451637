/* heap_grow: appends double the room (16 at first) and keep the elements, an index past the end grows
 * as far as needed, the new room is zeroed, and a size that would overflow is refused with the array
 * and its capacity left as they were. */
#include <stdint.h>

#include "harness.h"

int main(int argc, char **argv)
{
	uint32_t *v = NULL, *nv;
	size_t n = 0, cap = 0;

	(void)argc;
	for (uint32_t i = 0; i < 1000; i++) {
		size_t old_cap = cap;
		nv = heap_grow(v, n, &cap, sizeof(*v));
		CHECK(nv != NULL);
		if (!nv)
			break;
		if (n < old_cap)
			CHECK(nv == v && cap == old_cap);
		else
			CHECK_INT((long long)cap, old_cap ? (long long)old_cap * 2 : 16);
		v = nv;
		CHECK(v[n] == 0);
		v[n++] = i * 7;
	}
	CHECK_INT((long long)cap, 1024);
	bool same = true;
	for (size_t i = 0; i < n; i++)
		same = same && v[i] == i * 7;
	CHECK(same);

	/* Indexed: room for element 5000 at once, the gap zeroed. */
	nv = heap_grow(v, 5000, &cap, sizeof(*v));
	CHECK(nv != NULL);
	if (nv) {
		v = nv;
		CHECK_INT((long long)cap, 8192);
		bool zero = true;
		for (size_t i = n; i < cap; i++)
			zero = zero && v[i] == 0;
		CHECK(zero);
		CHECK(v[999] == 999 * 7);
	}

	/* Overflow: refused, nothing changed. */
	size_t before = cap;
	CHECK(heap_grow(v, SIZE_MAX / 2, &cap, sizeof(*v)) == NULL);
	CHECK(heap_grow(v, cap, &cap, SIZE_MAX / 4) == NULL);
	CHECK_INT((long long)cap, (long long)before);
	CHECK(v[999] == 999 * 7);
	free(v);
	return test_summary(argv[0]);
}
