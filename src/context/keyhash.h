/* keyhash.h: the keyed hash behind every value the context store and the
 * correspondent history keep instead of text (SipHash-2-4, a keyed
 * pseudo-random function with a 64-bit output). Each store has its own
 * random 32-byte key (SipHash uses 16 of them), so its hashes cannot be
 * matched against another store's or a precomputed table;
 * whoever holds the store file and its key can still test guesses, which is
 * why what is kept is identifiers, never text (see README "Leak-aware"). */
#ifndef LG_CONTEXT_KEYHASH_H
#define LG_CONTEXT_KEYHASH_H

#include <stddef.h>
#include <stdint.h>

#include "util/errbuf.h"

#define CTX_KEY_LEN 32

/* The hash of n bytes at s in domain family (so the same text as a
 * project and as an address differs). Never 0. */
uint64_t ctx_keyhash(const uint8_t key[CTX_KEY_LEN], unsigned family, const char *s, size_t n);

/* Fills key with fresh random bytes; LG_EIO with err when the system's
 * random source fails. */
enum lg_status ctx_key_new(uint8_t key[CTX_KEY_LEN], struct errbuf *err);

#endif
