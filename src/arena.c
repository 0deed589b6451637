#include <stdint.h>
#include <stdio.h>

#include "arena.h"

#define ARENA_ALIGN 16
/* Most collectors need a few kB per run and there are dozens of them: start small and double, up to
 * ARENA_MAX_CHUNK; beyond that, chunks of that size (a larger request gets a chunk of its own size), so a
 * large run does not leave a chunk twice its need behind. */
#define ARENA_MIN_CHUNK 4096
#define ARENA_MAX_CHUNK (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

static struct arena_chunk *chunk_new(size_t n, size_t prev)
{
	size_t size = prev * 2 > ARENA_MIN_CHUNK ? prev * 2 : ARENA_MIN_CHUNK;

	if (size > ARENA_MAX_CHUNK)
		size = ARENA_MAX_CHUNK;

	if (size < n)
		size = n;
	struct arena_chunk *c = malloc(sizeof(*c) + size);

	if (!c)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c;

	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (n == 0)
		n = ARENA_ALIGN;
	if (!a->cur) {
		if (!a->first) {
			a->first = chunk_new(n, 0);
			if (!a->first)
				return NULL;
		}
		a->cur = a->first;
	}
	/* Walk the kept chain first: after a reset, the chunks of the previous scrape are reused. */
	for (c = a->cur; c; c = c->next) {
		if (c->size - c->used >= n)
			break;
		if (!c->next) {
			c->next = chunk_new(n, c->size);
			if (!c->next)
				return NULL;
		}
		/* A chunk that was skipped for a large request keeps its tail unused until the next reset. */
		a->cur = c->next;
	}
	c = a->cur;
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

void *arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

size_t grow_double(size_t n, size_t first)
{
	if (!n)
		return first;
	return n > SIZE_MAX / 2 ? 0 : n * 2;
}

void *arena_grow(struct arena *a, void *v, size_t n, size_t *cap, size_t elem)
{
	return arena_grow_from(a, v, n, cap, elem, 16);
}

void *arena_grow_from(struct arena *a, void *v, size_t n, size_t *cap, size_t elem, size_t first)
{
	if (n < *cap)
		return v;
	size_t nc = grow_double(*cap, first);
	if (!nc || nc > SIZE_MAX / elem)
		return NULL;
	void *nv = arena_alloc(a, nc * elem);
	if (!nv)
		return NULL;
	if (n)
		memcpy(nv, v, n * elem);
	*cap = nc;
	return nv;
}

void *heap_grow(void *v, size_t n, size_t *cap, size_t elem)
{
	size_t nc = *cap;
	char *nv;

	if (n < nc)
		return v;
	do {
		if (!(nc = grow_double(nc, 16)))
			return NULL;
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

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char tmp[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof(tmp))
		return arena_strndup(a, tmp, (size_t)n);
	char *p = arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_reset(struct arena *a)
{
	for (struct arena_chunk *c = a->first; c; c = c->next)
		c->used = 0;
	a->cur = a->first;
}

void arena_trim(struct arena *a)
{
	if (!a->first)
		return;
	/* A chunk nothing was allocated from since the last reset goes: those past the one being filled,
	 * and those skipped because a request did not fit (else a run whose sizes shift a little would skip
	 * more of them every time and keep them all). */
	for (struct arena_chunk **pp = &a->first->next; *pp;) {
		struct arena_chunk *c = *pp;
		if (c->used == 0 && c != a->cur) {
			*pp = c->next;
			free(c);
		} else {
			pp = &c->next;
		}
	}
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->first;

	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->first = a->cur = NULL;
}

size_t arena_capacity(const struct arena *a)
{
	size_t n = 0;

	for (const struct arena_chunk *c = a->first; c; c = c->next)
		n += c->size;
	return n;
}

int sb_reserve(struct strbuf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1) {
		if (cap > SIZE_MAX / 2) {
			b->err = -ENOMEM;
			return -ENOMEM;
		}
		cap *= 2;
	}
	char *p = realloc(b->p, cap);
	if (!p) {
		b->err = -ENOMEM;
		return -ENOMEM;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

int sb_append(struct strbuf *b, const char *s, size_t n)
{
	if (sb_reserve(b, n) < 0)
		return -ENOMEM;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int sb_puts(struct strbuf *b, const char *s)
{
	return sb_append(b, s, strlen(s));
}

int sb_putc(struct strbuf *b, char c)
{
	if (sb_reserve(b, 1) < 0)
		return -ENOMEM;
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
	return 0;
}

int sb_vprintf(struct strbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -EINVAL;
	if (b->p && (size_t)n < b->cap - b->len) {
		b->len += (size_t)n;
		return 0;
	}
	if (sb_reserve(b, (size_t)n) < 0)
		return -ENOMEM;
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = sb_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

void sb_free(struct strbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}
