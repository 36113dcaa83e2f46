/* sha1.h: SHA-1 (FIPS 180-4) of short values, for the k-anonymity range
 * index (range.h). Have I Been Pwned's range API is keyed by SHA-1, so a
 * client computes the same digest of a normalised address; SHA-1 serves
 * here as a public identifier, not for security. Pure, no allocation. */
#ifndef LG_LEAK_SHA1_H
#define LG_LEAK_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define LEAK_SHA1_LEN 20

/* Writes the 20-byte SHA-1 of p[0..n) to out. Never fails. */
void leak_sha1(const void *p, size_t n, uint8_t out[LEAK_SHA1_LEN]);

#endif
