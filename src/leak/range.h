/* range.h: the k-anonymity index of addresses, answering Have I Been
 * Pwned's range API (https://haveibeenpwned.com/API/v3#SearchingPwnedPasswordsByRange):
 * a client sends the first 5 hex digits of the SHA-1 of a normalised
 * address and gets back the 35-digit suffixes of every indexed address
 * under that prefix, padded with decoys, and matches its own suffix
 * locally; the server never learns which address was meant.
 *
 * Range files sit beside the entry segments (segment.h), one per segment
 * written, registered in the same leak_segments transaction under the name
 * "rng-..." (entry segments are "seg-..."), so they share the segments'
 * kill-safety.
 *
 * File layout (integers little-endian):
 *   header, 64 bytes: magic "LGLEAKR1", u32 version (1), u32 record size
 *     (20), u64 record count, u64 source id, u64 leak_hash64 of the
 *     records, 24 bytes zero
 *   records: count x 20 bytes, the SHA-1 digests of the distinct addresses
 *     of the segment, sorted bytewise (so the first 8 bytes, read big-endian,
 *     are the sort key and a 5-digit prefix is one contiguous run)
 * That is 20 bytes per distinct address per segment, beside the 24 of its
 * entry. */
#ifndef LG_LEAK_RANGE_H
#define LG_LEAK_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leak/sha1.h"
#include "util/errbuf.h"

#define LEAK_RANGE_DECOYS 256  /* decoys in every answer, whatever the real entries */
#define LEAK_RANGE_KEY_LEN 32  /* the secret that makes decoys unpredictable */

/* Sorts and deduplicates n digests in place and writes them as a range file
 * at path (via path.tmp, fsync, rename). LG_EIO with err on failure. */
enum lg_status leak_range_write(const char *path, uint64_t source_id, uint8_t (*sha)[LEAK_SHA1_LEN], size_t n,
				struct errbuf *err);

struct leak_range;
/* Maps a range file; LG_ENOTFOUND when missing, LG_EPARSE when malformed. */
enum lg_status leak_range_open(const char *path, struct leak_range **out, struct errbuf *err);
void leak_range_close(struct leak_range **r);
size_t leak_range_count(const struct leak_range *r);

/* The digests whose first 20 bits are prefix: *first (borrowed until close)
 * and their number. */
size_t leak_range_find(const struct leak_range *r, uint32_t prefix, const uint8_t (**first)[LEAK_SHA1_LEN]);

/* Parses 5 hex digits (either case) into a 20-bit prefix; false otherwise. */
bool leak_range_prefix(const char *s, uint32_t *prefix);

/* Builds the answer for prefix from the real digests found (n of them, any
 * order, duplicates allowed): their 35-digit upper-case suffixes plus the
 * prefix's LEAK_RANGE_DECOYS decoys, all sorted. The decoys are a keyed
 * pseudo-random function of (key, prefix) alone: the same for every
 * question and every state of the index, so an observer comparing answers
 * before and after an ingest sees exactly the real entries that were
 * added, and no decoy ever vanishes or appears; without the key a decoy
 * cannot be told from a real digest. The count (n distinct + 256) tells
 * how many indexed addresses share the prefix, never which. *out is an
 * lg_malloc'd array of 36-byte NUL-terminated strings; returns their
 * count. */
size_t leak_range_answer(uint32_t prefix, const uint8_t (*real)[LEAK_SHA1_LEN], size_t n,
			 const uint8_t key[LEAK_RANGE_KEY_LEN], char (**out)[36]);

#endif
