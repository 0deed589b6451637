/* heap_grow(): arrays on the heap that double as they fill, the twin of arena_grow() for arrays that
 * outlive a scrape. */
#include <stdint.h>

#include "arena.h"

void *heap_grow(void *v, size_t n, size_t *cap, size_t elem)
{
	size_t nc = *cap;
	char *nv;

	if (n < nc)
		return v;
	do {
		if (nc > SIZE_MAX / 2)
			return NULL;
		nc = nc ? nc * 2 : 16;
	} while (nc <= n);
	if (nc > SIZE_MAX / elem)
		return NULL;
	nv = realloc(v, nc * elem);
	if (!nv)
		return NULL;
	memset(nv + *cap * elem, 0, (nc - *cap) * elem);
	*cap = nc;
	return nv;
}
