/* Bump allocator and growable string buffer. A scrape's memory lives in these and is rewound, not freed,
 * at the end of the scrape, so steady-state scrapes do no malloc per series. */
#ifndef NODEX_ARENA_H
#define NODEX_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "nodex.h"

struct arena_chunk;

struct arena {
	struct arena_chunk *first; /* chain of chunks, kept across resets */
	struct arena_chunk *cur;   /* chunk being filled */
};

/* Returns n bytes aligned to 16, or NULL when malloc fails. Valid until arena_reset() or arena_free(). */
void *arena_alloc(struct arena *a, size_t n);
/* Same as arena_alloc() but zeroed. */
void *arena_zalloc(struct arena *a, size_t n);
/* Makes room for one more element in an array of n elements of elem bytes held in the arena: when n has
 * reached *cap, copies the array into one twice as large (first 16) and updates *cap. Returns the array
 * (v itself when there was room), or NULL when the arena cannot allocate. For arrays that grow while a
 * collector reads: `if (!(v = arena_grow(a, v, n, &cap, sizeof(*v)))) return -ENOMEM; v[n++] = x;`. */
void *arena_grow(struct arena *a, void *v, size_t n, size_t *cap, size_t elem);
/* The same, with the first capacity given: for the many small arrays of a parse (a series' labels), where
 * 16 elements each would multiply the arena's size. */
void *arena_grow_from(struct arena *a, void *v, size_t n, size_t *cap, size_t elem, size_t first);
/* The same for an array on the heap, kept across scrapes: makes room for element n (so
 * n + 1 elements), doubling *cap (first 16) as often as needed, which also serves an array indexed by a
 * number (a CPU, a line position). The new elements are zeroed. Returns the array (v itself when there
 * was room), or NULL when realloc fails or the size would overflow; v is then still valid and *cap
 * unchanged: `T *nv = heap_grow(v, n, &cap, sizeof(*v)); if (!nv) ...; v = nv; v[n++] = x;`. */
void *heap_grow(void *v, size_t n, size_t *cap, size_t elem);
/* The one growth rule of arrays and hash tables: the next capacity after n, which is first when n is 0
 * and twice n otherwise; 0 when twice n would overflow. */
size_t grow_double(size_t n, size_t first);
/* Copies s (n bytes, NUL added) into the arena. Returns NULL on allocation failure. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena. Returns NULL on allocation failure. */
char *arena_printf(struct arena *a, const char *fmt, ...) PRINTF(2, 3);
/* Rewinds the arena: every pointer it handed out becomes invalid, its chunks are kept for reuse. */
void arena_reset(struct arena *a);
/* Frees the chunks nothing was allocated from since the last reset (past the one being filled, or skipped
 * because a request did not fit), so the arena holds what the last run needed. Everything allocated
 * stays valid. */
void arena_trim(struct arena *a);
/* Releases all chunks. The arena may be used again afterwards. */
void arena_free(struct arena *a);
/* Bytes held in chunks (for tests and memory accounting). */
size_t arena_capacity(const struct arena *a);

/* A growable byte buffer, always NUL-terminated once it holds data. */
struct strbuf {
	char *p;
	size_t len;
	size_t cap;
	int err; /* sticky -ENOMEM: once an append failed, the content is incomplete */
};

/* Makes room for n more bytes. Returns 0 or -ENOMEM. */
int sb_reserve(struct strbuf *b, size_t n);
/* Appends; return 0 or -ENOMEM. */
int sb_append(struct strbuf *b, const char *s, size_t n);
int sb_puts(struct strbuf *b, const char *s);
int sb_putc(struct strbuf *b, char c);
int sb_printf(struct strbuf *b, const char *fmt, ...) PRINTF(2, 3);
int sb_vprintf(struct strbuf *b, const char *fmt, va_list ap);
/* Empties the buffer, clears its error and keeps its memory. */
static inline void sb_reset(struct strbuf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->p)
		b->p[0] = '\0';
}
/* Frees the memory; the buffer is empty and reusable afterwards. */
void sb_free(struct strbuf *b);

#endif
