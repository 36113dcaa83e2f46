/* keyhash.c: see keyhash.h. SipHash-2-4 (Aumasson and Bernstein, "SipHash:
 * a fast short-input PRF", 2012; the reference implementation's
 * algorithm): a keyed pseudo-random function made for short inputs such as
 * addresses and identifiers, about a hundred times cheaper per call than
 * OpenSSL 3's HMAC(), which fetches its digest anew every time. The first
 * 16 bytes of the key are SipHash's key; the family is the first input
 * byte. */
#include <string.h>

#include "context/keyhash.h"
#include "util/random.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void rounds(uint64_t v[4], int n)
{
	for (int i = 0; i < n; i++) {
		v[0] += v[1];
		v[1] = ROTL(v[1], 13);
		v[1] ^= v[0];
		v[0] = ROTL(v[0], 32);
		v[2] += v[3];
		v[3] = ROTL(v[3], 16);
		v[3] ^= v[2];
		v[0] += v[3];
		v[3] = ROTL(v[3], 21);
		v[3] ^= v[0];
		v[2] += v[1];
		v[1] = ROTL(v[1], 17);
		v[1] ^= v[2];
		v[2] = ROTL(v[2], 32);
	}
}

static uint64_t siphash(const uint8_t key[16], const uint8_t *in, size_t n)
{
	uint64_t k0 = le64(key), k1 = le64(key + 8), m, b = (uint64_t)n << 56;
	uint64_t v[4] = {k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
			 k1 ^ 0x7465646279746573ULL};
	size_t full = n - n % 8;
	uint8_t tail[8] = {0};

	for (size_t i = 0; i < full; i += 8) {
		m = le64(in + i);
		v[3] ^= m;
		rounds(v, 2);
		v[0] ^= m;
	}
	memcpy(tail, in + full, n % 8);
	b |= le64(tail);
	v[3] ^= b;
	rounds(v, 2);
	v[0] ^= b;
	v[2] ^= 0xff;
	rounds(v, 4);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint64_t ctx_keyhash(const uint8_t key[CTX_KEY_LEN], unsigned family, const char *s, size_t n)
{
	uint8_t msg[512];
	uint64_t h;

	if (n > sizeof(msg) - 1)
		n = sizeof(msg) - 1;
	msg[0] = (uint8_t)family;
	memcpy(msg + 1, s, n);
	h = siphash(key, msg, n + 1);
	return h ? h : 1;
}

enum lg_status ctx_key_new(uint8_t key[CTX_KEY_LEN], struct errbuf *err)
{
	return lg_random_bytes(key, CTX_KEY_LEN, err);
}
