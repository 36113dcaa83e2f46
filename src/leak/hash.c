/* hash.c: see hash.h. Reads 8 bytes at a time with memcpy (no alignment
 * assumptions), little-endian interpretation on every host so the hash of a
 * value is the same wherever a segment is read. */
#include <string.h>

#include "leak/hash.h"
#include "util/mix.h"

static uint64_t load64(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

uint64_t leak_hash64(uint64_t seed, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = (seed + 1) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;

	while (n >= 8) {
		uint64_t w;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		memcpy(&w, s, 8);
#else
		w = load64(s, 8);
#endif
		h = (h ^ (w * 0x87c37b91114253d5ULL)) * 0x4cf5ad432745937fULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	if (n) {
		h = (h ^ (load64(s, n) * 0x87c37b91114253d5ULL)) * 0x4cf5ad432745937fULL;
		h ^= h >> 29;
	}
	return mix64(h);
}
