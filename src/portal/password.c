/* password.c: PBKDF2 operator passwords (password.h). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "portal/password.h"
#include "util/random.h"

static void derive(const char *password, const uint8_t salt[16], int64_t iterations, uint8_t out[32])
{
	PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, 16, (int)iterations, EVP_sha256(), 32, out);
}

bool password_set(struct portal_operator *op, const char *password)
{
	if (lg_random_bytes(op->salt, sizeof(op->salt), NULL))
		return false;
	op->iterations = PASSWORD_ITERATIONS;
	derive(password, op->salt, op->iterations, op->hash);
	return true;
}

bool password_check(const struct portal_operator *op, const char *password)
{
	uint8_t h[32];

	if (op->iterations < 1 || op->iterations > 10000000)
		return false;
	derive(password, op->salt, op->iterations, h);
	return CRYPTO_memcmp(h, op->hash, sizeof(h)) == 0;
}

const struct portal_operator *password_dummy(void)
{
	/* a hash no password gives (all zero), worked out at full cost */
	static const struct portal_operator dummy = {.name = "", .iterations = PASSWORD_ITERATIONS};

	return &dummy;
}
