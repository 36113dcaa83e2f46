/* range.c: see range.h for the k-anonymity range index and its file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "leak/hash.h"
#include "leak/range.h"
#include "util/ascii.h"
#include "util/durable.h"
#include "util/alloc.h"

#define MAGIC "LGLEAKR1"
#define HEADER_SIZE 64
#define VERSION 1

struct leak_range {
	void *map;
	size_t map_len;
	const uint8_t (*d)[LEAK_SHA1_LEN];
	size_t n;
};

static int digest_cmp(const void *a, const void *b)
{
	return memcmp(a, b, LEAK_SHA1_LEN);
}

enum lg_status leak_range_write(const char *path, uint64_t source_id, uint8_t (*sha)[LEAK_SHA1_LEN], size_t n,
				struct errbuf *err)
{
	unsigned char h[HEADER_SIZE] = {0};
	uint32_t v32;
	uint64_t v64;
	size_t k = 0;

	if (n)
		qsort(sha, n, LEAK_SHA1_LEN, digest_cmp);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || memcmp(sha[i], sha[k - 1], LEAK_SHA1_LEN) != 0)
			memmove(sha[k++], sha[i], LEAK_SHA1_LEN);
	memcpy(h, MAGIC, 8);
	v32 = VERSION;
	memcpy(h + 8, &v32, 4);
	v32 = LEAK_SHA1_LEN;
	memcpy(h + 12, &v32, 4);
	v64 = k;
	memcpy(h + 16, &v64, 8);
	memcpy(h + 24, &source_id, 8);
	v64 = leak_hash64(0, k ? (const void *)sha : "", k * LEAK_SHA1_LEN);
	memcpy(h + 32, &v64, 8);
	return durable_write(path, h, sizeof(h), sha, k * LEAK_SHA1_LEN, err);
}

enum lg_status leak_range_open(const char *path, struct leak_range **out, struct errbuf *err)
{
	struct leak_range *r;
	struct stat st;
	const unsigned char *h;
	uint64_t n;
	uint32_t version, size;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errbuf_set(err, errno == ENOENT ? LG_ENOTFOUND : LG_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || st.st_size < HEADER_SIZE) {
		close(fd);
		return errbuf_set(err, LG_EPARSE, "%s: not a leak range file (too short)", path);
	}
	r = lg_calloc(1, sizeof(*r));
	r->map_len = (size_t)st.st_size;
	r->map = mmap(NULL, r->map_len, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (r->map == MAP_FAILED) {
		lg_free(r);
		return errbuf_set(err, LG_EIO, "%s: mmap: %s", path, strerror(errno));
	}
	h = r->map;
	memcpy(&version, h + 8, 4);
	memcpy(&size, h + 12, 4);
	memcpy(&n, h + 16, 8);
	if (memcmp(h, MAGIC, 8) != 0 || version != VERSION || size != LEAK_SHA1_LEN ||
	    (r->map_len - HEADER_SIZE) % LEAK_SHA1_LEN != 0 || n != (r->map_len - HEADER_SIZE) / LEAK_SHA1_LEN) {
		leak_range_close(&r);
		return errbuf_set(err, LG_EPARSE, "%s: damaged leak range file (bad header or size)", path);
	}
	r->d = (const uint8_t(*)[LEAK_SHA1_LEN])(h + HEADER_SIZE);
	r->n = (size_t)n;
	*out = r;
	return LG_OK;
}

void leak_range_close(struct leak_range **r)
{
	if (!r || !*r)
		return;
	munmap((*r)->map, (*r)->map_len);
	lg_free(*r);
	*r = NULL;
}

size_t leak_range_count(const struct leak_range *r)
{
	return r->n;
}

static uint32_t prefix_of(const uint8_t *d)
{
	return (uint32_t)d[0] << 12 | (uint32_t)d[1] << 4 | d[2] >> 4;
}

size_t leak_range_find(const struct leak_range *r, uint32_t prefix, const uint8_t (**first)[LEAK_SHA1_LEN])
{
	size_t lo = 0, hi = r->n, b;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (prefix_of(r->d[mid]) < prefix)
			lo = mid + 1;
		else
			hi = mid;
	}
	b = lo;
	while (lo < r->n && prefix_of(r->d[lo]) == prefix)
		lo++;
	*first = r->d + b;
	return lo - b;
}

bool leak_range_prefix(const char *s, uint32_t *prefix)
{
	uint32_t v = 0;

	for (int i = 0; i < 5; i++) {
		char c = s[i];
		int d = ascii_hex_value((unsigned char)c);

		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	if (s[5] != '\0')
		return false;
	*prefix = v;
	return true;
}

/* Digests of one answer share their first 20 bits: order by the next 64
 * in one integer comparison, the rest only on a tie. */
static int answer_cmp(const void *a, const void *b)
{
	uint64_t x, y;

	memcpy(&x, (const uint8_t *)a + 2, 8);
	memcpy(&y, (const uint8_t *)b + 2, 8);
	x = __builtin_bswap64(x);
	y = __builtin_bswap64(y);
	return x != y ? (x < y ? -1 : 1) : memcmp(a, b, LEAK_SHA1_LEN);
}

struct sort_key {
	uint64_t k; /* bits 20..83 of the digest */
	uint32_t i; /* its index */
};

/* The order of n digests of one answer, by LSD radix sort on the 64 bits
 * after the prefix (qsort with a comparison callback was a fifth of the
 * range endpoint's time). Digests equal in those 64 bits (never seen:
 * 2^-64 a pair) keep their input order; real ones arrive sorted. */
static void answer_order(const uint8_t (*d)[LEAK_SHA1_LEN], size_t n, struct sort_key *a, struct sort_key *tmp)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t k;

		memcpy(&k, d[i] + 2, 8);
		a[i].k = __builtin_bswap64(k);
		a[i].i = (uint32_t)i;
	}
	for (int shift = 0; shift < 64; shift += 8) {
		size_t count[257] = {0};

		for (size_t i = 0; i < n; i++)
			count[((a[i].k >> shift) & 255) + 1]++;
		for (int b = 0; b < 256; b++)
			count[b + 1] += count[b];
		for (size_t i = 0; i < n; i++)
			tmp[count[(a[i].k >> shift) & 255]++] = a[i];
		memcpy(a, tmp, n * sizeof(*a));
	}
}

static void hex_suffix(const uint8_t *d, char out[36])
{
	static const char hex[] = "0123456789ABCDEF";
	char full[41];

	for (int i = 0; i < LEAK_SHA1_LEN; i++) {
		full[2 * i] = hex[d[i] >> 4];
		full[2 * i + 1] = hex[d[i] & 15];
	}
	memcpy(out, full + 5, 35);
	out[35] = '\0';
}

/* Fills the prefix's n decoy digests from AES-256-CTR keyed with the
 * range key, the counter block starting at the prefix (so no two prefixes
 * share a keystream block): a pseudo-random function of (key, prefix), so
 * stable for this store whatever is ingested, and unpredictable without
 * the key. (One SHA-1 per decoy cost 256 compressions a request.) */
static void decoys(uint32_t prefix, const uint8_t key[LEAK_RANGE_KEY_LEN], uint8_t (*d)[LEAK_SHA1_LEN], size_t n)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t iv[16] = {0};
	int len = 0;

	memcpy(iv, &prefix, 4);
	memset(d, 0, n * LEAK_SHA1_LEN);
	if (!ctx || EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), NULL, key, iv) != 1 ||
	    EVP_EncryptUpdate(ctx, (uint8_t *)d, &len, (const uint8_t *)d, (int)(n * LEAK_SHA1_LEN)) != 1)
		abort(); /* libcrypto without AES: broken installation */
	EVP_CIPHER_CTX_free(ctx);
	for (size_t i = 0; i < n; i++) {
		d[i][0] = (uint8_t)(prefix >> 12);
		d[i][1] = (uint8_t)(prefix >> 4);
		d[i][2] = (uint8_t)((prefix & 15) << 4 | (d[i][2] & 15));
	}
}

size_t leak_range_answer(uint32_t prefix, const uint8_t (*real)[LEAK_SHA1_LEN], size_t n,
			 const uint8_t key[LEAK_RANGE_KEY_LEN], char (**out)[36])
{
	size_t total, k = 0;
	uint8_t (*d)[LEAK_SHA1_LEN] = lg_malloc((n + LEAK_RANGE_DECOYS) * sizeof(*d));
	struct sort_key *order;
	char (*s)[36];

	if (n)
		memcpy(d, real, n * sizeof(*d));
	qsort(d, n, sizeof(*d), answer_cmp);
	for (size_t i = 0; i < n; i++) /* the same address in two sources counts once */
		if (k == 0 || memcmp(d[i], d[k - 1], LEAK_SHA1_LEN) != 0)
			memmove(d[k++], d[i], sizeof(*d));
	total = k + LEAK_RANGE_DECOYS;
	decoys(prefix, key, d + k, LEAK_RANGE_DECOYS);
	order = lg_malloc(2 * total * sizeof(*order));
	answer_order((const uint8_t(*)[LEAK_SHA1_LEN])d, total, order, order + total);
	s = lg_malloc(total * sizeof(*s));
	for (size_t i = 0; i < total; i++)
		hex_suffix(d[order[i].i], s[i]);
	lg_free(order);
	lg_free(d);
	*out = s;
	return total;
}
