/* mix.h: MurmurHash3's 64-bit finaliser, the one bit mixer every hash in
 * leakguard ends with (leak index keys, report fingerprints). Every input
 * bit affects every output bit; it is a bijection, so distinct inputs stay
 * distinct. Part of on-disk formats: never change the constants. */
#ifndef LG_UTIL_MIX_H
#define LG_UTIL_MIX_H

#include <stdint.h>

static inline uint64_t mix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

#endif
