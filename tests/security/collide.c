/* tests/security/collide.c: the attack tool of review F13. Given a leaked
 * address V and a host suffix, prints an address "xxxxxxx@<8 chars>SUFFIX"
 * (a host under V's domain) with the same 64-bit leak value hash as V,
 * built with the real src/leak/hash.c: each 8-byte step of that hash and
 * its finaliser are bijections, so one block is solved for and the first
 * block varied until the solved one is all [a-z0-9] (~1 in 7 million,
 * milliseconds). Usage: collide V SUFFIX; exit 1 when none is found. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "leak/hash.h"
#define C1 0x87c37b91114253d5ULL
#define C2 0x4cf5ad432745937fULL
static uint64_t inv(uint64_t a) { uint64_t x = a; for (int i = 0; i < 6; i++) x *= 2 - a * x; return x; }
static uint64_t unxs(uint64_t y, int s) { uint64_t x = y; for (int i = 0; i < 64 / s + 1; i++) x = y ^ (x >> s); return x; }
static uint64_t step(uint64_t h, uint64_t w) { h = (h ^ (w * C1)) * C2; return h ^ (h >> 29); }
static uint64_t unstep(uint64_t h, uint64_t w) { return (unxs(h, 29) * inv(C2)) ^ (w * C1); }
static uint64_t unmix(uint64_t k)
{
	k = unxs(k, 33); k *= inv(0xc4ceb9fe1a85ec53ULL);
	k = unxs(k, 33); k *= inv(0xff51afd7ed558ccdULL);
	return unxs(k, 33);
}
static uint64_t load(const char *p, size_t n) { uint64_t v = 0; for (size_t i = 0; i < n; i++) v |= (uint64_t)(unsigned char)p[i] << (8 * i); return v; }
static int ok(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
int main(int argc, char **argv)
{
	const char *al = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t sl, n;
	uint64_t h, target;
	char out[300];
	if (argc != 3 || strlen(argv[2]) > 200) return 2;
	sl = strlen(argv[2]);
	n = 16 + sl;
	target = leak_hash64(1, argv[1], strlen(argv[1]));
	h = unmix(target);
	if (sl % 8) h = unstep(h, load(argv[2] + sl / 8 * 8, sl % 8));
	for (size_t i = sl / 8; i-- > 0;) h = unstep(h, load(argv[2] + i * 8, 8));
	for (uint64_t c = 0; c < 1ULL << 36; c++) {
		char b0[8];
		uint64_t t = c, w;
		int good = 1;
		for (int i = 0; i < 7; i++, t /= 36) b0[i] = al[t % 36];
		b0[7] = '@';
		w = ((unxs(h, 29) * inv(C2)) ^ step((2 * 0x9e3779b97f4a7c15ULL) ^ n, load(b0, 8))) * inv(C1);
		for (int i = 0; i < 8; i++) good &= ok((unsigned char)(w >> (8 * i)));
		if (!good) continue;
		memcpy(out, b0, 8);
		for (int i = 0; i < 8; i++) out[8 + i] = (char)(w >> (8 * i));
		memcpy(out + 16, argv[2], sl + 1);
		if (leak_hash64(1, out, n) != target) return 1;
		puts(out);
		return 0;
	}
	return 1;
}
