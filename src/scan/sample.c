/* sample.c: candidate scoring and personal-data counting (sample.h). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "leak/extract.h"
#include "scan/sample.h"
#include "util/alloc.h"

const char *const scan_pii_kind_name[SCAN_PII_KINDS] = {"email", "phone", "name", "org"};

static const struct {
	const char *ext;
	int score;
} exts[] = {
	{".csv", 60}, {".xlsx", 45}, {".xls", 45}, {".json", 40}, {".sql", 55}, {".txt", 35},
	{".eml", 60}, {".msg", 50}, {".vcf", 60}, {".docx", 40}, {".doc", 40}, {".pdf", 35},
	{".xml", 30}, {".tsv", 55}, {".log", 20}, {".bak", 30}, {".dump", 45}, {".ldif", 55},
	{".html", 10}, {".htm", 10}, {".md", 15}, {".yaml", 15}, {".yml", 15}, {".ndjson", 45},
};

static const char *const hot_words[] = {
	"customer", "client", "contact", "user", "employee", "staff", "invoice", "payroll", "export",
	"backup", "dump", "mail", "address", "crm", "member", "personal", "hr", "lead", "order", "account",
};

int scan_sample_score(const char *name, const char *ctype, uint64_t size)
{
	size_t n = strlen(name);
	int score = 0;
	char low[256];
	size_t k = n < sizeof(low) - 1 ? n : sizeof(low) - 1;

	if (size == 0 || n == 0 || name[n - 1] == '/')
		return 0;
	for (size_t i = 0; i < k; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[k] = '\0';
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t e = strlen(exts[i].ext);

		if (k >= e && memcmp(low + k - e, exts[i].ext, e) == 0) {
			score = exts[i].score;
			break;
		}
	}
	if (!score && ctype && (strncmp(ctype, "text/", 5) == 0 || strstr(ctype, "json") || strstr(ctype, "csv")))
		score = 25;
	if (!score)
		return 0;
	for (size_t i = 0; i < sizeof(hot_words) / sizeof(hot_words[0]); i++)
		if (strstr(low, hot_words[i]))
			score += 15;
	if (size < 64)
		score -= 20;
	else if (size > (1ull << 30))
		score -= 10;
	return score > 0 ? score : 1;
}

void scan_pii_init(struct scan_pii *p)
{
	memset(p, 0, sizeof(*p));
}

void scan_pii_cleanup(struct scan_pii *p)
{
	lg_free(p->hash);
	memset(p, 0, sizeof(*p));
}

static void insert(struct scan_pii *p, uint64_t h);

static void add(struct scan_pii *p, const unsigned char salt[16], enum scan_pii_kind kind, const char *v, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE], in[LEAK_MAX_EMAIL + 2];
	unsigned int mdlen = 0;
	uint64_t h = 0;
	size_t i;

	if (n == 0 || n > LEAK_MAX_EMAIL)
		return;
	in[0] = (unsigned char)kind;
	memcpy(in + 1, v, n);
	HMAC(EVP_sha256(), salt, 16, in, n + 1, md, &mdlen);
	for (i = 0; i < 8; i++)
		h = h << 8 | md[i];
	h = (h >> 2) | ((uint64_t)kind << 62);
	if (h == 0)
		h = 1;
	insert(p, h);
}

/* Adds one (kind in the top 2 bits, hash) value to the set unless present. */
static void insert(struct scan_pii *p, uint64_t h)
{
	size_t i;

	if (p->n * 2 >= p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 64;
		uint64_t *nh;

		if (p->n >= SCAN_PII_MAX_DISTINCT) {
			p->full = true;
			return;
		}
		nh = lg_calloc(ncap, sizeof(*nh));
		for (size_t k = 0; k < p->cap; k++)
			if (p->hash[k])
				for (i = p->hash[k] & (ncap - 1);; i = (i + 1) & (ncap - 1))
					if (!nh[i]) {
						nh[i] = p->hash[k];
						break;
					}
		lg_free(p->hash);
		p->hash = nh;
		p->cap = ncap;
	}
	for (i = h & (p->cap - 1); p->hash[i]; i = (i + 1) & (p->cap - 1))
		if (p->hash[i] == h)
			return;
	p->hash[i] = h;
	p->n++;
	p->count[h >> 62]++;
}

void scan_pii_merge(struct scan_pii *dst, const struct scan_pii *src)
{
	for (size_t i = 0; i < src->cap; i++)
		if (src->hash[i])
			insert(dst, src->hash[i]);
	if (src->full)
		dst->full = true;
}

static const char *const org_suffixes[] = {
	" gmbh", " ag", " inc", " inc.", " ltd", " ltd.", " llc", " corp", " corp.", " corporation",
	" limited", " plc", " s.a.", " sa", " b.v.", " bv", " oy", " ab", " srl", " s.r.l.", " co.", " kg",
};

static bool is_org(const char *s, size_t n)
{
	char low[LEAK_MAX_NAME + 1];

	if (n < 4 || n > LEAK_MAX_NAME || !isupper((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof(org_suffixes) / sizeof(org_suffixes[0]); i++) {
		size_t k = strlen(org_suffixes[i]);

		if (n > k && memcmp(low + n - k, org_suffixes[i], k) == 0)
			return true;
	}
	return false;
}

static bool phone_chars(const char *s, size_t n)
{
	size_t digits = 0;

	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if (!strchr("+-()./ ", s[i]))
			return false;
	}
	return digits >= 7 && digits <= 15;
}

/* One field of a line (a CSV cell, a JSON string, a line of prose). */
static void field(struct scan_pii *p, const unsigned char salt[16], const char *s, size_t n)
{
	char out[LEAK_MAX_NAME + 1];
	size_t k;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n || memchr(s, '@', n))
		return;
	if (phone_chars(s, n)) {
		char ph[LEAK_MAX_PHONE + 1];

		k = leak_phone_norm(s, n, 0, ph);
		if (k)
			add(p, salt, SCAN_PII_PHONE, ph, k);
	} else if (is_org(s, n)) {
		k = leak_name_norm(s, n, false, out);
		if (k)
			add(p, salt, SCAN_PII_ORG, out, k);
	} else if (leak_looks_like_name(s, n)) {
		k = leak_name_norm(s, n, true, out);
		if (k)
			add(p, salt, SCAN_PII_NAME, out, k);
	}
}

void scan_pii_scan(struct scan_pii *p, const unsigned char salt[16], const char *text, size_t n)
{
	size_t from = 0, st, en, at, start = 0;
	char e[LEAK_MAX_EMAIL + 1];

	while (leak_email_find(text, n, from, &st, &en)) {
		size_t k = leak_email_norm(text + st, en - st, e, &at);

		if (k)
			add(p, salt, SCAN_PII_EMAIL, e, k);
		from = en > from ? en : from + 1;
	}
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? text[i] : '\n';

		if (c == '\n' || c == '\r' || c == ',' || c == ';' || c == '\t' || c == '|' || c == '"' || c == '<' ||
		    c == '>' || c == '\0') {
			if (i > start)
				field(p, salt, text + start, i - start);
			start = i + 1;
		}
	}
}

void scan_pii_each(const struct scan_pii *p, void (*cb)(void *ctx, enum scan_pii_kind k, uint64_t hash), void *ctx)
{
	for (size_t i = 0; i < p->cap; i++)
		if (p->hash[i])
			cb(ctx, (enum scan_pii_kind)(p->hash[i] >> 62), p->hash[i]);
}
