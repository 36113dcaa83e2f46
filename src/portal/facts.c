/* facts.c: per-domain and per-address facts from the leak index (facts.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "leak/record.h"
#include "mail/domain.h"
#include "portal/facts.h"
#include "util/alloc.h"
#include "util/arena.h"

#define COLOCATED 512 /* bytes around an address within which a name or phone counts as its record's */

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
	    strchr(reg, '.') && leak_group_of_host(reg) != 0) {
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
	uint32_t group;
	uint64_t value;
	struct leak_result r;
	struct doc_count dc;

	memset(out, 0, sizeof(*out));
	if (!ix || !leak_query_key(LEAK_Q_DOMAIN, domain, &group, &value, norm))
		return;
	leak_lookup(ix, LEAK_Q_DOMAIN, group, value, &r);
	from_result(ix, &r, out);
	leak_result_cleanup(&r);
	dc.f = out;
	dc.seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	leak_group_each(ix, group, count_file, &dc);
	g_hash_table_destroy(dc.seen);
}

/* ---- addresses ---- */

struct email_place {
	uint32_t file;
	uint64_t pos, value;
	int64_t source_id;
};

struct collect {
	struct email_place *p;
	size_t n, cap;
};

static bool collect_email(void *ctx, int64_t source_id, const struct leak_entry *e)
{
	struct collect *c = ctx;

	if (leak_entry_kind(e) != LEAK_EMAIL)
		return true;
	/* entries of one value are adjacent: keep the first place per source */
	if (c->n && c->p[c->n - 1].value == e->value && c->p[c->n - 1].source_id == source_id)
		return true;
	c->p = lg_grow(c->p, &c->cap, c->n + 1, sizeof(*c->p));
	c->p[c->n++] = (struct email_place){leak_entry_file(e), e->pos & LEAK_POS_MASK, e->value, source_id};
	return true;
}

static int by_file(const void *a, const void *b)
{
	const struct email_place *x = a, *y = b;

	return x->file != y->file ? (x->file < y->file ? -1 : 1) : (x->pos > y->pos) - (x->pos < y->pos);
}

struct emit {
	const struct email_place *p;
	const struct facts *f;
	struct facts_address *out;
	size_t n;
};

static void on_email(void *ctx, size_t i, const char *email)
{
	struct emit *em = ctx;
	const struct email_place *p = &em->p[i];
	const struct facts_source *s = source_of(em->f, p->source_id);

	/* only what hashes to the entry: a file edited since is not trusted */
	if (!email || !s || leak_value_key(LEAK_EMAIL, email, strlen(email)) != p->value)
		return;
	g_strlcpy(em->out[em->n].address, email, sizeof(em->out[em->n].address));
	em->out[em->n].source = s->name;
	em->out[em->n].date = s->date;
	em->n++;
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
	uint32_t group;
	uint64_t value;
	struct collect c = {0};
	struct emit em = {0};
	enum lg_status rc = LG_OK;

	*out = NULL;
	*n = 0;
	if (!ix || !leak_query_key(LEAK_Q_DOMAIN, domain, &group, &value, norm))
		return LG_OK;
	leak_group_each(ix, group, collect_email, &c);
	qsort(c.p, c.n, sizeof(*c.p), by_file);
	em.p = c.p;
	em.f = f;
	em.out = lg_calloc(c.n + 1, sizeof(*em.out));
	for (size_t i = 0; i < c.n && !rc;) {
		size_t j = i;
		uint64_t *pos;

		while (j < c.n && c.p[j].file == c.p[i].file)
			j++;
		pos = lg_malloc((j - i) * sizeof(*pos));
		for (size_t k = i; k < j; k++)
			pos[k - i] = c.p[k].pos;
		em.p = c.p + i;
		rc = leak_file_emails(s, c.p[i].file, pos, j - i, on_email, &em, err);
		lg_free(pos);
		i = j;
	}
	qsort(em.out, em.n, sizeof(*em.out), by_address);
	/* the same address in two segments of one leak: once */
	for (size_t i = 0; i < em.n; i++)
		if (*n == 0 || by_address(&em.out[*n - 1], &em.out[i]) != 0)
			em.out[(*n)++] = em.out[i];
	lg_free(c.p);
	*out = em.out;
	return rc;
}

/* ---- one address ---- */

struct coloc {
	const struct leak_result *r;
	struct facts *f;
};

/* A name or phone of the address's organisation within COLOCATED bytes of
 * one of its places, in the same file: most likely the same record. */
static bool colocated(void *ctx, int64_t source_id, const struct leak_entry *e)
{
	struct coloc *c = ctx;
	enum leak_kind k = leak_entry_kind(e);
	struct facts_source *fs;

	if (k != LEAK_NAME && k != LEAK_PHONE)
		return true;
	fs = source_of(c->f, source_id);
	for (size_t i = 0; fs && i < c->r->nsrc; i++) {
		const struct leak_source_hits *h = &c->r->src[i];

		if (h->source_id != source_id)
			continue;
		for (size_t p = 0; p < h->nplaces; p++) {
			uint64_t pos = e->pos & LEAK_POS_MASK;

			if (h->places[p].file_id == leak_entry_file(e) &&
			    (pos > h->places[p].pos ? pos - h->places[p].pos : h->places[p].pos - pos) <= COLOCATED) {
				fs->k_name |= k == LEAK_NAME;
				fs->k_phone |= k == LEAK_PHONE;
			}
		}
	}
	return true;
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
	uint32_t group;
	uint64_t value;
	struct leak_result r;
	struct coloc c;

	memset(out, 0, sizeof(*out));
	if (!ix || !leak_query_key(LEAK_Q_EMAIL, address, &group, &value, norm))
		return;
	leak_lookup(ix, LEAK_Q_EMAIL, group, value, &r);
	from_result(ix, &r, out);
	kinds_of_files(s, &r, out);
	c.r = &r;
	c.f = out;
	if (r.found)
		leak_group_each(ix, group, colocated, &c);
	leak_result_cleanup(&r);
}

bool facts_address_found(struct leak_index *ix, const char *address)
{
	char norm[LEAK_MAX_VALUE + 1];
	uint32_t group;
	uint64_t value;
	struct leak_result r;
	bool found;

	if (!ix || !leak_query_key(LEAK_Q_EMAIL, address, &group, &value, norm))
		return false;
	leak_lookup(ix, LEAK_Q_EMAIL, group, value, &r);
	found = r.found;
	leak_result_cleanup(&r);
	return found;
}
