/* facts.c: per-domain and per-address facts from the leak index (facts.h).
 * Nothing here reads a dump: counts come from the segments' range of the
 * exact domain, addresses from the store's rows of the exact domain, and
 * what leaked with an address from flags set at ingest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "leak/record.h"
#include "mail/domain.h"
#include "portal/facts.h"
#include "util/alloc.h"
#include "util/arena.h"

void facts_free(struct facts *f)
{
	lg_free(f->src);
	f->src = NULL;
	f->n = 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct facts_source *)a)->name, ((const struct facts_source *)b)->name);
}

bool facts_domain_norm(const char *input, char *out)
{
	struct arena *a;
	const char *ascii, *reg;
	char *trimmed;
	bool ok = false;

	if (!input || strlen(input) > 253)
		return false;
	a = arena_new();
	trimmed = g_strstrip(arena_strdup(a, input));
	while (*trimmed && trimmed[strlen(trimmed) - 1] == '.')
		trimmed[strlen(trimmed) - 1] = '\0';
	ascii = *trimmed ? domain_to_ascii(a, trimmed) : NULL;
	reg = ascii && !domain_is_ip(ascii) ? domain_registrable(a, ascii) : NULL;
	if (reg && strlen(reg) < PORTAL_TEXT_MAX && strspn(reg, "abcdefghijklmnopqrstuvwxyz0123456789.-") == strlen(reg) &&
	    strchr(reg, '.')) {
		g_strlcpy(out, reg, PORTAL_TEXT_MAX);
		ok = true;
	}
	arena_free(&a);
	return ok;
}

/* One facts row per source of a lookup result, in leak-name order. */
static void from_result(struct leak_index *ix, const struct leak_result *r, struct facts *out)
{
	out->src = lg_calloc(r->nsrc + 1, sizeof(*out->src));
	out->n = r->nsrc;
	for (size_t i = 0; i < r->nsrc; i++) {
		struct facts_source *f = &out->src[i];
		uint32_t d = leak_index_source_date(ix, r->src[i].source_id);

		f->id = r->src[i].source_id;
		g_strlcpy(f->name, r->src[i].name ? r->src[i].name : "", sizeof(f->name));
		if (d)
			snprintf(f->date, sizeof(f->date), "%04u-%02u-%02u", d / 10000 % 10000, d / 100 % 100, d % 100);
		memcpy(f->distinct, r->src[i].distinct, sizeof(f->distinct));
		f->occurrences = r->src[i].occurrences;
		f->with_password = r->src[i].with_password;
		f->k_password = r->src[i].with_password > 0;
	}
	qsort(out->src, out->n, sizeof(*out->src), by_name);
}

static struct facts_source *source_of(const struct facts *f, int64_t id)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->src[i].id == id)
			return &f->src[i];
	return NULL;
}

struct doc_count {
	const struct facts *f;
	GHashTable *seen; /* (source id << 24 | file id) */
};

static bool count_file(void *ctx, int64_t source_id, const struct leak_entry *e)
{
	struct doc_count *dc = ctx;
	struct facts_source *s = source_of(dc->f, source_id);
	guint64 key = (guint64)source_id << 24 | leak_entry_file(e);

	if (s && !g_hash_table_contains(dc->seen, &key)) {
		guint64 *k = g_new(guint64, 1);

		*k = key;
		g_hash_table_add(dc->seen, k);
		s->documents++;
	}
	return true;
}

void facts_domain(struct leak_index *ix, const char *domain, struct facts *out)
{
	char norm[LEAK_MAX_VALUE + 1];
	struct leak_key key;
	struct leak_result r;
	struct doc_count dc;

	memset(out, 0, sizeof(*out));
	if (!ix || !leak_query_key(LEAK_Q_DOMAIN, domain, &key, norm))
		return;
	leak_lookup(ix, &key, &r);
	from_result(ix, &r, out);
	leak_result_cleanup(&r);
	dc.f = out;
	dc.seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	leak_group_each(ix, key.domain, count_file, &dc);
	g_hash_table_destroy(dc.seen);
}

/* ---- addresses ---- */

struct collect {
	const struct facts *f;
	const char *domain;
	size_t dlen;
	struct facts_address *out; /* lg_grow'n */
	size_t n, cap;
};

/* Whether address a is of exactly the registrable domain (itself or a
 * host under it): a second check on rows filed under that domain. */
static bool of_domain(const char *a, size_t n, const char *d, size_t dn)
{
	const char *at = memchr(a, '@', n);
	size_t hn;

	if (!at)
		return false;
	hn = (size_t)(a + n - at - 1);
	return hn >= dn && memcmp(at + 1 + hn - dn, d, dn) == 0 && (hn == dn || at[hn - dn] == '.');
}

static bool collect_row(void *ctx, int64_t source_id, const char *text, size_t len)
{
	struct collect *c = ctx;
	const struct facts_source *s = source_of(c->f, source_id);
	const char *p = text, *end = text + len;

	while (s && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (n > 0 && n <= LEAK_MAX_EMAIL && of_domain(p, n, c->domain, c->dlen)) {
			c->out = lg_grow(c->out, &c->cap, c->n + 1, sizeof(*c->out));
			memcpy(c->out[c->n].address, p, n);
			c->out[c->n].address[n] = '\0';
			c->out[c->n].source = s->name;
			c->out[c->n].date = s->date;
			c->n++;
		}
		p += n + 1;
	}
	return true;
}

static int by_address(const void *a, const void *b)
{
	const struct facts_address *x = a, *y = b;
	int c = strcmp(x->address, y->address);

	return c ? c : strcmp(x->source, y->source);
}

enum lg_status facts_addresses(struct leak_index *ix, struct store *s, const char *domain, const struct facts *f,
			       struct facts_address **out, size_t *n, struct errbuf *err)
{
	char norm[LEAK_MAX_VALUE + 1];
	struct leak_key key;
	struct collect c = {.f = f};
	enum lg_status rc;

	*out = NULL;
	*n = 0;
	if (!ix || !leak_query_key(LEAK_Q_DOMAIN, domain, &key, norm))
		return LG_OK;
	c.domain = key.domain;
	c.dlen = key.dlen;
	rc = leak_addresses_each(s, key.domain, collect_row, &c, err);
	qsort(c.out, c.n, sizeof(*c.out), by_address);
	/* the same address in two batches of one leak: once */
	for (size_t i = 0; i < c.n; i++)
		if (*n == 0 || by_address(&c.out[*n - 1], &c.out[i]) != 0)
			c.out[(*n)++] = c.out[i];
	*out = c.out ? c.out : lg_calloc(1, sizeof(**out));
	return rc;
}

/* ---- one address ---- */

/* Names and phones of the address's own records: flags set at ingest. */
static void colocated_kinds(const struct leak_result *r, struct facts *f)
{
	for (size_t i = 0; i < r->nsrc; i++) {
		struct facts_source *fs = source_of(f, r->src[i].source_id);

		for (size_t p = 0; fs && p < r->src[i].nplaces; p++) {
			fs->k_name |= r->src[i].places[p].with_name;
			fs->k_phone |= r->src[i].places[p].with_phone;
		}
	}
}

/* Mail and document formats, from the file rows of the places. */
static void kinds_of_files(struct store *s, const struct leak_result *r, struct facts *f)
{
	for (size_t i = 0; i < r->nsrc; i++) {
		struct facts_source *fs = source_of(f, r->src[i].source_id);

		for (size_t p = 0; fs && p < r->src[i].nplaces; p++) {
			struct store_leak_file file;

			if (store_leak_file_get(s, r->src[i].places[p].file_id, &file, NULL))
				continue;
			fs->k_mail |= strstr(file.format, "mail") != NULL;
			fs->k_document |= strstr(file.format, "pdf") || strstr(file.format, "docx") ||
					  strstr(file.format, "xlsx");
		}
	}
}

void facts_address(struct leak_index *ix, struct store *s, const char *address, struct facts *out)
{
	char norm[LEAK_MAX_VALUE + 1];
	struct leak_key key;
	struct leak_result r;

	memset(out, 0, sizeof(*out));
	if (!ix || !leak_query_key(LEAK_Q_EMAIL, address, &key, norm))
		return;
	leak_lookup(ix, &key, &r);
	leak_result_confirm(s, &key, norm, &r, NULL); /* the text, not only its hash */
	from_result(ix, &r, out);
	kinds_of_files(s, &r, out);
	colocated_kinds(&r, out);
	leak_result_cleanup(&r);
}

bool facts_address_found(struct leak_index *ix, struct store *s, const char *address)
{
	char norm[LEAK_MAX_VALUE + 1];
	struct leak_key key;
	struct leak_result r;
	bool found;

	if (!ix || !leak_query_key(LEAK_Q_EMAIL, address, &key, norm))
		return false;
	leak_lookup(ix, &key, &r);
	leak_result_confirm(s, &key, norm, &r, NULL);
	found = r.found;
	leak_result_cleanup(&r);
	return found;
}
