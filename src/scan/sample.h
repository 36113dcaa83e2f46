/* sample.h: what is exposed — choosing likely documents from a listing by
 * name, type and size, and counting personal data in sampled bytes with
 * the leak extractor (leak/extract.h). Values never leave this module:
 * each distinct value is kept only as a salted hash (HMAC-SHA-256 with a
 * per-run salt, first 8 bytes) with its kind. Pure: no I/O. */
#ifndef LG_SCAN_SAMPLE_H
#define LG_SCAN_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum scan_pii_kind { SCAN_PII_EMAIL, SCAN_PII_PHONE, SCAN_PII_NAME, SCAN_PII_ORG, SCAN_PII_KINDS };

#define SCAN_PII_MAX_DISTINCT 4096 /* distinct values remembered per target */

extern const char *const scan_pii_kind_name[SCAN_PII_KINDS];

/* How likely an object holds personal data, from its name, content type
 * and size: 0 = not worth a sample, higher is likelier. */
int scan_sample_score(const char *name, const char *content_type, uint64_t size);

/* The distinct values found in one target's samples. */
struct scan_pii {
	uint64_t count[SCAN_PII_KINDS]; /* distinct values per kind */
	uint64_t *hash;                 /* open-addressing set: kind in the top 2 bits */
	size_t cap, n;
	bool full;                      /* more distinct values than remembered */
};

void scan_pii_init(struct scan_pii *p);
void scan_pii_cleanup(struct scan_pii *p);

/* Finds email addresses, phone numbers, person and organisation names in
 * text[0..n) and adds their salted hashes (salt: 16 bytes). */
void scan_pii_scan(struct scan_pii *p, const unsigned char salt[16], const char *text, size_t n);

/* Adds src's values to dst (distinct values only: a value found in two
 * containers of an account counts once). Salts must be the same. */
void scan_pii_merge(struct scan_pii *dst, const struct scan_pii *src);

/* Calls cb for each remembered (kind, hash) pair. */
void scan_pii_each(const struct scan_pii *p, void (*cb)(void *ctx, enum scan_pii_kind k, uint64_t hash), void *ctx);

#endif
