/* record.c: see record.h. The per-domain group hash goes through a cache of
 * host -> group, because the Public Suffix List lookup (libpsl, with an
 * arena copy) costs ~1 us and a combo list repeats a few thousand domains
 * millions of times. */
#include <string.h>

#include "leak/hash.h"
#include "leak/record.h"
#include "mail/domain.h"
#include "util/alloc.h"
#include "util/arena.h"

#define SEED_GROUP 0xd0
#define SEED_PASSWORD 0x5a

struct domain_cache {
	uint64_t *keys;   /* leak_hash64 of the host | 1; 0 = empty slot */
	uint32_t *groups;
	size_t cap, n;
	struct arena *arena;
	size_t slow;
};

static uint32_t group_of_registrable(const char *reg, size_t n)
{
	uint32_t g = (uint32_t)(leak_hash64(SEED_GROUP, reg, n) >> 32);

	if (g == 0)
		g = 1;
	if (g == LEAK_GROUP_PHONE)
		g--;
	return g;
}

static uint32_t group_slow(struct arena **a, const char *host)
{
	const char *reg;

	if (!*a)
		*a = arena_new();
	reg = domain_registrable(*a, host);
	if (!reg || !*reg)
		reg = host;
	return group_of_registrable(reg, strlen(reg));
}

uint32_t leak_group_of_host(const char *host)
{
	struct arena *a = NULL;
	char low[LEAK_MAX_EMAIL + 1];
	size_t n = strlen(host);
	uint32_t g;

	if (n == 0 || n > LEAK_MAX_EMAIL)
		return 0;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
	g = group_slow(&a, low);
	arena_free(&a);
	return g;
}

static uint32_t cache_group(struct domain_cache *dc, const char *host, size_t n)
{
	uint64_t k = leak_hash64(SEED_GROUP, host, n) | 1;
	size_t i;
	char tmp[LEAK_MAX_EMAIL + 1];

	if (dc->n * 2 >= dc->cap) {
		size_t ncap = dc->cap ? dc->cap * 2 : 4096;
		uint64_t *nk = lg_calloc(ncap, sizeof(*nk));
		uint32_t *ng = lg_calloc(ncap, sizeof(*ng));

		for (size_t j = 0; j < dc->cap; j++) {
			if (!dc->keys[j])
				continue;
			i = dc->keys[j] & (ncap - 1);
			while (nk[i])
				i = (i + 1) & (ncap - 1);
			nk[i] = dc->keys[j];
			ng[i] = dc->groups[j];
		}
		lg_free(dc->keys);
		lg_free(dc->groups);
		dc->keys = nk;
		dc->groups = ng;
		dc->cap = ncap;
	}
	i = k & (dc->cap - 1);
	while (dc->keys[i]) {
		if (dc->keys[i] == k)
			return dc->groups[i];
		i = (i + 1) & (dc->cap - 1);
	}
	memcpy(tmp, host, n);
	tmp[n] = '\0';
	dc->keys[i] = k;
	dc->groups[i] = group_slow(&dc->arena, tmp);
	dc->n++;
	if (++dc->slow % 4096 == 0)
		arena_free(&dc->arena);
	return dc->groups[i];
}

uint64_t leak_value_key(enum leak_kind kind, const char *v, size_t n)
{
	return leak_hash64((uint64_t)kind, v, n);
}

uint16_t leak_password_check(const char *email, size_t elen, const char *pw, size_t plen)
{
	return (uint16_t)(leak_hash64(leak_hash64(SEED_PASSWORD, pw, plen), email, elen) >> 48);
}

void leak_collector_init(struct leak_collector *c)
{
	memset(c, 0, sizeof(*c));
	c->domains = lg_calloc(1, sizeof(*c->domains));
}

void leak_collector_cleanup(struct leak_collector *c)
{
	if (c->domains) {
		lg_free(c->domains->keys);
		lg_free(c->domains->groups);
		arena_free(&c->domains->arena);
		lg_free(c->domains);
	}
	lg_free(c->entries);
	lg_free(c->sha1);
	memset(c, 0, sizeof(*c));
}

void leak_collector_reset(struct leak_collector *c)
{
	c->nentries = 0;
	c->nsha1 = 0;
}

void leak_rec_error(struct leak_collector *c, uint64_t pos, uint64_t line, const char *why)
{
	c->errors++;
	if (c->error)
		c->error(c->error_ctx, pos, line, why);
}

void leak_rec_begin(struct leak_collector *c)
{
	c->nitems = 0;
	c->password = false;
	c->cc = 0;
}

static struct leak_rec_item *add_item(struct leak_collector *c, enum leak_kind kind, const char *s, size_t n,
				      uint64_t pos)
{
	struct leak_rec_item *it;

	if (c->nitems >= LEAK_REC_MAX_ITEMS || n == 0 || n > LEAK_MAX_VALUE)
		return NULL;
	it = &c->items[c->nitems++];
	it->kind = kind;
	it->pos = pos;
	memcpy(it->value, s, n);
	it->value[n] = '\0';
	it->len = (uint32_t)n;
	it->group_hint = 0;
	it->context = false;
	return it;
}

void leak_rec_email(struct leak_collector *c, const char *s, size_t n, uint64_t pos)
{
	char v[LEAK_MAX_EMAIL + 1];
	size_t at, len = leak_email_norm(s, n, v, &at);
	struct leak_rec_item *it;

	if (!len)
		return;
	it = add_item(c, LEAK_EMAIL, v, len, pos);
	if (it)
		it->group_hint = cache_group(c->domains, v + at + 1, len - at - 1);
}

void leak_rec_context_email(struct leak_collector *c, const char *s, size_t n)
{
	size_t before = c->nitems;

	leak_rec_email(c, s, n, 0);
	if (c->nitems > before)
		c->items[c->nitems - 1].context = true;
}

void leak_rec_phone(struct leak_collector *c, const char *s, size_t n, uint64_t pos)
{
	add_item(c, LEAK_PHONE, s, n, pos);
}

void leak_rec_name(struct leak_collector *c, const char *s, size_t n, uint64_t pos)
{
	add_item(c, LEAK_NAME, s, n, pos);
}

void leak_rec_org(struct leak_collector *c, const char *s, size_t n, uint64_t pos)
{
	add_item(c, LEAK_ORG, s, n, pos);
}

void leak_rec_password(struct leak_collector *c, const char *s, size_t n)
{
	if (n == 0)
		return;
	c->password = true;
	c->pw_hash = leak_hash64(SEED_PASSWORD, s, n);
}

void leak_rec_country(struct leak_collector *c, const char *s, size_t n)
{
	int cc = leak_cc_of_country(s, n);

	if (cc)
		c->cc = cc;
}

static bool is_word(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

void leak_rec_text(struct leak_collector *c, const char *s, size_t n, uint64_t pos)
{
	size_t i = 0, b, e;

	while (leak_email_find(s, n, i, &b, &e)) {
		leak_rec_email(c, s + b, e - b, pos + b);
		i = e;
	}
	for (const char *p = memchr(s, '+', n); p; p = memchr(p + 1, '+', (size_t)(s + n - p - 1))) {
		size_t k = (size_t)(p - s) + 1, start = k - 1;

		if (k >= n || s[k] < '1' || s[k] > '9' || (start > 0 && is_word(s[start - 1])))
			continue;
		while (k < n && k - start < 24 &&
		       ((s[k] >= '0' && s[k] <= '9') || s[k] == ' ' || s[k] == '-' || s[k] == '(' || s[k] == ')' ||
			s[k] == '.' || s[k] == '/'))
			k++;
		while (k > start && !(s[k - 1] >= '0' && s[k - 1] <= '9'))
			k--;
		leak_rec_phone(c, s + start, k - start, pos + start);
		if (k >= n)
			break;
		p = s + k - 1;
	}
}

static void push(struct leak_collector *c, uint32_t group, enum leak_kind kind, unsigned flags, uint64_t value,
		 uint64_t pos)
{
	struct leak_entry *e;

	if (c->nentries == c->cap)
		c->entries = lg_grow(c->entries, &c->cap, c->nentries + 1, sizeof(*c->entries));
	e = &c->entries[c->nentries++];
	c->pushed++;
	e->group = group;
	e->meta = leak_meta(kind, flags, c->file_no);
	e->value = value;
	e->pos = pos & LEAK_POS_MASK;
}

void leak_rec_end(struct leak_collector *c)
{
	uint64_t keys[LEAK_REC_MAX_ITEMS];
	uint32_t base = 0;
	unsigned flags = c->password ? LEAK_FLAG_PASSWORD : 0;
	size_t nkeys = 0, before = c->nentries;

	c->records++;
	for (size_t i = 0; i < c->nitems; i++)
		if (c->items[i].kind == LEAK_EMAIL) {
			const char *at = strrchr(c->items[i].value, '@');

			base = c->items[i].group_hint;
			if (!c->cc && at)
				c->cc = leak_cc_of_tld(at + 1);
			break;
		}
	for (size_t i = 0; i < c->nitems; i++) {
		struct leak_rec_item *it = &c->items[i];
		char v[LEAK_MAX_VALUE + 1];
		size_t len = it->len;
		uint64_t key;
		bool dup = false;

		if (it->kind == LEAK_PHONE)
			len = leak_phone_norm(it->value, it->len, c->cc, v);
		else if (it->kind == LEAK_NAME || it->kind == LEAK_ORG)
			len = leak_name_norm(it->value, it->len, it->kind == LEAK_NAME, v);
		else
			memcpy(v, it->value, len + 1);
		if (!len || it->context)
			continue;
		key = leak_value_key(it->kind, v, len);
		for (size_t k = 0; k < nkeys && !dup; k++)
			dup = keys[k] == key;
		if (dup)
			continue;
		keys[nkeys++] = key;
		c->entities++;
		if (it->kind == LEAK_EMAIL) {
			uint64_t pos = it->pos & LEAK_POS_MASK;

			if (c->password)
				pos |= (uint64_t)(uint16_t)(leak_hash64(c->pw_hash, v, len) >> 48) << 48;
			push(c, it->group_hint, LEAK_EMAIL, flags, key, 0);
			c->entries[c->nentries - 1].pos = pos;
			if (c->nsha1 == c->sha1_cap)
				c->sha1 = lg_grow(c->sha1, &c->sha1_cap, c->nsha1 + 1, sizeof(*c->sha1));
			leak_sha1(v, len, c->sha1[c->nsha1++]);
		} else {
			push(c, base, it->kind, flags, key, it->pos);
			if (it->kind == LEAK_PHONE && base != 0)
				push(c, LEAK_GROUP_PHONE, it->kind, flags, key, it->pos);
			else if (it->kind == LEAK_PHONE)
				c->entries[c->nentries - 1].group = LEAK_GROUP_PHONE;
		}
	}
	if (c->nentries == before)
		c->empty++;
	c->nitems = 0;
	c->password = false;
	if (c->full && c->full_at && c->nentries >= c->full_at)
		c->full(c->error_ctx);
}
