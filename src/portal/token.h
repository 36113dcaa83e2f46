/* token.h: the portal's secrets on the wire — random tokens (links, session
 * ids, API keys, challenge tokens) in base64url (RFC 4648 section 5), their
 * SHA-256 as stored, HMAC-SHA256 for CSRF tokens, and a comparison that
 * takes the same time wherever two strings differ. OpenSSL libcrypto. */
#ifndef LG_PORTAL_TOKEN_H
#define LG_PORTAL_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_BYTES 32
#define TOKEN_LEN 43      /* base64url of 32 bytes, unpadded */
#define TOKEN_HEX 65      /* SHA-256 hex with its NUL */

/* Fills out (TOKEN_LEN + 1 bytes) with a fresh random token; false when
 * the system has no randomness (never expected). */
bool token_new(char out[TOKEN_LEN + 1]);
/* base64url without padding of n bytes into out (4 * n / 3 + 2 bytes). */
void token_b64url(const uint8_t *p, size_t n, char *out);
/* True when s is exactly TOKEN_LEN base64url characters. */
bool token_valid(const char *s);
/* SHA-256 of s in lower-case hex. */
void token_hash(const char *s, char out[TOKEN_HEX]);
/* HMAC-SHA256(key, msg) as base64url (TOKEN_LEN + 1 bytes). */
void token_hmac(const uint8_t *key, size_t klen, const char *msg, char out[TOKEN_LEN + 1]);
/* Equality of two NUL-terminated strings in time independent of where
 * they differ (it depends only on the length of b). */
bool token_equal(const char *a, const char *b);

#endif
