/* The one string hash: FNV-1a, 64 bits, for the hash tables of names (metric families, cached
 * descriptors, cgroup paths, textfile families). Not for anything an attacker may aim at a table with a
 * cost that matters: FNV has no seed. */
#ifndef NODEX_HASH_H
#define NODEX_HASH_H

#include <stdint.h>

/* The FNV-1a offset basis: the h to start a hash with. */
#define HASH_INIT UINT64_C(14695981039346656037)

/* Hashes the bytes of s and then one 0xff byte, continuing from h (HASH_INIT to start). The 0xff byte,
 * which no UTF-8 text holds, ends each string, so a chain of hashes tells ("ab", "c") from ("a", "bc"):
 * h = hash_str(hash_str(HASH_INIT, name), value). */
static inline uint64_t hash_str(uint64_t h, const char *s)
{
	const uint64_t prime = UINT64_C(1099511628211);

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * prime;
	return (h ^ 0xff) * prime;
}

#endif
