/* keyhash.c: see keyhash.h. OpenSSL's one-shot HMAC() is thread-safe and
 * costs about a microsecond for the short values hashed here. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "context/keyhash.h"

uint64_t ctx_keyhash(const uint8_t key[CTX_KEY_LEN], unsigned family, const char *s, size_t n)
{
	unsigned char msg[512], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint64_t h = 0;

	if (n > sizeof(msg) - 1)
		n = sizeof(msg) - 1;
	msg[0] = (unsigned char)family;
	memcpy(msg + 1, s, n);
	HMAC(EVP_sha256(), key, CTX_KEY_LEN, msg, n + 1, md, &mdlen);
	memcpy(&h, md, sizeof(h));
	return h ? h : 1;
}

enum lg_status ctx_key_new(uint8_t key[CTX_KEY_LEN], struct errbuf *err)
{
	if (RAND_bytes(key, CTX_KEY_LEN) != 1)
		return errbuf_set(err, LG_EIO, "no random bytes for the context key (OpenSSL RAND_bytes failed)");
	return LG_OK;
}
