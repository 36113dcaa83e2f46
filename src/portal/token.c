/* token.c: random tokens (getrandom, util/random.h), hashes and HMACs (token.h). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "portal/token.h"
#include "util/random.h"

void token_b64url(const uint8_t *p, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t k = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);

		out[k++] = tab[v >> 18 & 63];
		out[k++] = tab[v >> 12 & 63];
		if (i + 1 < n)
			out[k++] = tab[v >> 6 & 63];
		if (i + 2 < n)
			out[k++] = tab[v & 63];
	}
	out[k] = '\0';
}

bool token_new(char out[TOKEN_LEN + 1])
{
	uint8_t b[TOKEN_BYTES];

	if (lg_random_bytes(b, sizeof(b), NULL))
		return false;
	token_b64url(b, sizeof(b), out);
	return true;
}

bool token_valid(const char *s)
{
	return strlen(s) == TOKEN_LEN &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == TOKEN_LEN;
}

void token_hash(const char *s, char out[TOKEN_HEX])
{
	unsigned char d[32];
	unsigned int dl = 0;

	EVP_Digest(s, strlen(s), d, &dl, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = "0123456789abcdef"[d[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
	}
	out[64] = '\0';
}

void token_hmac(const uint8_t *key, size_t klen, const char *msg, char out[TOKEN_LEN + 1])
{
	unsigned char d[32];
	unsigned int dl = 0;

	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), d, &dl);
	token_b64url(d, sizeof(d), out);
}

bool token_equal(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned char diff = na != nb;

	for (size_t i = 0; i < nb; i++)
		diff |= (unsigned char)(b[i] ^ (i < na ? a[i] : 0));
	return diff == 0;
}
