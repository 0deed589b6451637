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

/* The value of the hexadecimal digit c, or -1. */
static inline int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The value of the 4 hexadecimal digits at s (a \uXXXX escape), or -1. s holds at least 4 bytes. */
static inline long hex4(const char *s)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int d = hex_digit((unsigned char)s[i]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* True when s is one or more ASCII decimal digits and nothing else. */
static inline bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
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
