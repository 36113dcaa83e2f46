/* record.c: see record.h. Registrable domains go through a cache of host ->
 * domain, because the Public Suffix List lookup (libpsl, with an arena
 * copy) costs ~1 us and a combo list repeats a few thousand domains
 * millions of times. The cache compares host text, not a hash, so no two
 * hosts can share an entry. */
#include <string.h>

#include <glib.h>

#include "leak/hash.h"
#include "leak/record.h"
#include "mail/domain.h"
#include "util/alloc.h"
#include "util/arena.h"

#define SEED_PASSWORD 0x5a

struct cached_domain {
	char *text;    /* the registrable domain (owned) */
	uint32_t gen;  /* the batch it was last numbered in */
	uint32_t id;   /* its group in that batch */
};

/* host -> registrable domain, compared on the text (never on a hash alone) */
struct domain_cache {
	GHashTable *hosts;   /* host (owned) -> struct cached_domain * (borrowed) */
	GHashTable *domains; /* text (borrowed from the value) -> struct cached_domain * (owned) */
	struct arena *arena;
	size_t slow;
};

static void free_domain(gpointer p)
{
	struct cached_domain *d = p;

	lg_free(d->text);
	lg_free(d);
}

/* reg (lower case) of host into out, as leak_domain_of_host */
static size_t registrable(struct arena **a, const char *host, char *out)
{
	const char *reg;
	size_t n;

	if (!*a)
		*a = arena_new();
	reg = domain_registrable(*a, host);
	if (!reg || !*reg)
		reg = host;
	n = strlen(reg);
	if (n > LEAK_MAX_EMAIL)
		return 0;
	memcpy(out, reg, n + 1);
	return n;
}

size_t leak_domain_of_host(const char *host, char *out)
{
	struct arena *a = NULL;
	char low[LEAK_MAX_EMAIL + 1];
	size_t n = strlen(host);

	if (n == 0 || n > LEAK_MAX_EMAIL)
		return 0;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
	n = registrable(&a, low, out);
	arena_free(&a);
	return n;
}

/* The batch group of host[0..n) (lower case): its registrable domain's
 * number in the current batch, given on first sight. */
static uint32_t batch_group(struct leak_collector *c, const char *host, size_t n)
{
	struct domain_cache *dc = c->cache;
	char tmp[LEAK_MAX_EMAIL + 1], reg[LEAK_MAX_EMAIL + 1];
	struct cached_domain *d;

	memcpy(tmp, host, n);
	tmp[n] = '\0';
	d = g_hash_table_lookup(dc->hosts, tmp);
	if (!d) {
		if (!registrable(&dc->arena, tmp, reg))
			return 0;
		if (++dc->slow % 4096 == 0)
			arena_free(&dc->arena);
		d = g_hash_table_lookup(dc->domains, reg);
		if (!d) {
			d = lg_calloc(1, sizeof(*d));
			d->text = lg_strdup(reg);
			g_hash_table_insert(dc->domains, d->text, d);
		}
		g_hash_table_insert(dc->hosts, lg_strdup(tmp), d);
	}
	if (d->gen != c->gen) {
		struct leak_batch_domain *bd;

		if (c->ndomains == c->domains_cap)
			c->domains = lg_grow(c->domains, &c->domains_cap, c->ndomains + 1, sizeof(*c->domains));
		bd = &c->domains[c->ndomains++];
		memset(bd, 0, sizeof(*bd));
		bd->name = d->text;
		d->gen = c->gen;
		d->id = (uint32_t)c->ndomains;
	}
	return d->id;
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
	c->gen = 1;
	c->cache = lg_calloc(1, sizeof(*c->cache));
	c->cache->hosts = g_hash_table_new_full(g_str_hash, g_str_equal, lg_free, NULL);
	c->cache->domains = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, free_domain);
}

static void forget_domains(struct leak_collector *c)
{
	for (size_t i = 0; i < c->ndomains; i++)
		lg_free(c->domains[i].addrs);
	c->ndomains = 0;
	c->gen++;
}

void leak_collector_cleanup(struct leak_collector *c)
{
	forget_domains(c);
	if (c->cache) {
		g_hash_table_destroy(c->cache->hosts);
		g_hash_table_destroy(c->cache->domains);
		arena_free(&c->cache->arena);
		lg_free(c->cache);
	}
	lg_free(c->domains);
	lg_free(c->entries);
	lg_free(c->sha1);
	memset(c, 0, sizeof(*c));
}

void leak_collector_reset(struct leak_collector *c)
{
	c->nentries = 0;
	c->nsha1 = 0;
	forget_domains(c);
}

static void add_address(struct leak_collector *c, uint32_t group, const char *v, size_t len)
{
	struct leak_batch_domain *d;

	if (group == 0 || group > c->ndomains)
		return;
	d = &c->domains[group - 1];
	if (d->len + len + 1 > d->cap)
		d->addrs = lg_grow(d->addrs, &d->cap, d->len + len + 1, 1);
	memcpy(d->addrs + d->len, v, len);
	d->addrs[d->len + len] = '\n';
	d->len += len + 1;
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
		it->group_hint = batch_group(c, v + at + 1, len - at - 1);
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
	unsigned flags = c->password ? LEAK_FLAG_PASSWORD : 0, with = 0;
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
			add_address(c, it->group_hint, v, len);
			if (c->nsha1 == c->sha1_cap)
				c->sha1 = lg_grow(c->sha1, &c->sha1_cap, c->nsha1 + 1, sizeof(*c->sha1));
			leak_sha1(v, len, c->sha1[c->nsha1++]);
		} else {
			with |= it->kind == LEAK_NAME ? LEAK_FLAG_WITH_NAME : it->kind == LEAK_PHONE ? LEAK_FLAG_WITH_PHONE : 0;
			push(c, base, it->kind, flags, key, it->pos);
			if (it->kind == LEAK_PHONE && base != 0)
				push(c, LEAK_GROUP_PHONE, it->kind, flags, key, it->pos);
			else if (it->kind == LEAK_PHONE)
				c->entries[c->nentries - 1].group = LEAK_GROUP_PHONE;
		}
	}
	for (size_t i = before; with && i < c->nentries; i++) /* what leaked with each address */
		if (leak_entry_kind(&c->entries[i]) == LEAK_EMAIL)
			c->entries[i].meta |= with << 24;
	if (c->nentries == before)
		c->empty++;
	c->nitems = 0;
	c->password = false;
	if (c->full && c->full_at && c->nentries >= c->full_at)
		c->full(c->error_ctx);
}
