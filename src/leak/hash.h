/* hash.h: the stable 64-bit hash behind every leak index key.
 *
 * The index stores hashes, never the values themselves, so this function is
 * part of the on-disk format (segment.h): changing it orphans every segment.
 * It is not cryptographic; it only has to spread well and be fast (one
 * multiply-xorshift round per 8 bytes, finished with MurmurHash3's fmix64),
 * because ingest hashes every extracted value at a million records a second. */
#ifndef LG_LEAK_HASH_H
#define LG_LEAK_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Hashes n bytes at p with seed (the entity kind, so "x" as an email and
 * "x" as a name differ). Pure, never fails. */
uint64_t leak_hash64(uint64_t seed, const void *p, size_t n);

#endif
