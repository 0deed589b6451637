/* Common macros shared by every nodex translation unit. */
#ifndef NODEX_H
#define NODEX_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED __attribute__((unused))
#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

/* Cleanup helpers in the style of systemd's _cleanup_: freed or closed when the variable leaves scope. */
#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static inline bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* FNV-1a of a string, for hash tables keyed by names and paths. */
static inline uint32_t strhash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Returns true when s ends with suffix. */
static inline bool endswith(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

/* Monotonic clock in seconds. */
double now_monotonic(void);
/* Wall clock in seconds since the epoch. */
double now_realtime(void);

#ifndef NODEX_VERSION
#define NODEX_VERSION "0.0.0-dev"
#endif
#ifndef NODEX_REVISION
#define NODEX_REVISION "unknown"
#endif
#ifndef NODEX_BRANCH
#define NODEX_BRANCH "unknown"
#endif

#endif
