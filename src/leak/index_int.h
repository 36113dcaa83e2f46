/* index_int.h: what ingest (index.c) and lookups (lookup.c) of the leak
 * index share, internal to src/leak/. */
#ifndef LG_LEAK_INDEX_INT_H
#define LG_LEAK_INDEX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "leak/range.h"
#include "util/errbuf.h"

/* A prepared place in a leak_places chunk: u64 pos, u32 line, u32 page (0
 * unless PDF), u16 n, then n bytes of redacted snippet; in byte order. */
#define PLACE_HEAD 18

/* SHA-256 of p[0..n). */
void leak_sha256(const void *p, size_t n, uint8_t out[32]);

/* Reads the store's range key from dir (creating it on first use with
 * random bytes from the kernel): the secret behind the range answers'
 * decoys (range.h). key may be NULL to only make sure it exists. LG_EIO
 * with err when it can be neither read nor made. */
enum lg_status leak_range_key(const char *dir, uint8_t key[LEAK_RANGE_KEY_LEN], struct errbuf *err);

#endif
