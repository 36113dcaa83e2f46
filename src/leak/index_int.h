/* index_int.h: what ingest (index.c) and lookups (lookup.c) of the leak
 * index share, internal to src/leak/. */
#ifndef LG_LEAK_INDEX_INT_H
#define LG_LEAK_INDEX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leak/range.h"
#include "util/errbuf.h"

/* A prepared place in a leak_places chunk: u64 pos, u32 line, u32 page (0
 * unless PDF), u16 n, then n bytes of redacted snippet; in byte order.
 * Chunks and per-domain address rows are stored packed (leak_pack). */
#define PLACE_HEAD 18
#define LEAK_PACKED_MAX (64u << 20) /* the most a packed row may unpack to */

/* p[0..n) packed for the store: u32 length, then zlib (level 1; snippets
 * and addresses shrink 5-9 times). *out is lg_malloc'd, *outn its size. */
void leak_pack(const void *p, size_t n, unsigned char **out, size_t *outn);
/* The bytes of a packed row into *out (lg_malloc'd, NUL-terminated, *outn
 * without the NUL); false when the row is damaged or too big. */
bool leak_unpack(const void *p, size_t n, char **out, size_t *outn);

/* SHA-256 of p[0..n). */
void leak_sha256(const void *p, size_t n, uint8_t out[32]);

/* Reads the store's range key from dir (creating it on first use with
 * random bytes from the kernel): the secret behind the range answers'
 * decoys (range.h). key may be NULL to only make sure it exists. LG_EIO
 * with err when it can be neither read nor made. */
enum lg_status leak_range_key(const char *dir, uint8_t key[LEAK_RANGE_KEY_LEN], struct errbuf *err);

#endif
