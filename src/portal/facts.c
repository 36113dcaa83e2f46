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

#define COLOCATED 4096 /* bytes around an address within which a name or phone may be its record's */

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
	const struct email_place *p; /* the places in one file */
	size_t np;
	const struct facts *f;
	struct facts_address *out;
	size_t n;
};

/* The address at each place of one file's text, kept only when it hashes
 * to its entry: a file edited since ingest is not trusted. A reader's
 * place may be its field's opening quote or "<", hence the slack. */
static void file_emails(void *ctx, const char *text, size_t tn, const char *format)
{
	struct emit *em = ctx;

	(void)format;
	for (size_t i = 0; text && i < em->np; i++) {
		const struct email_place *p = &em->p[i];
		const struct facts_source *s = source_of(em->f, p->source_id);
		char norm[LEAK_MAX_EMAIL + 1];
		size_t start, end, at, len;

		if (!s || p->pos >= tn || !leak_email_find(text, tn, (size_t)p->pos, &start, &end) || start - p->pos > 16)
			continue;
		len = leak_email_norm(text + start, end - start, norm, &at);
		if (!len || leak_value_key(LEAK_EMAIL, norm, len) != p->value)
			continue;
		g_strlcpy(em->out[em->n].address, norm, sizeof(em->out[em->n].address));
		em->out[em->n].source = s->name;
		em->out[em->n].date = s->date;
		em->n++;
	}
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

		while (j < c.n && c.p[j].file == c.p[i].file)
			j++;
		em.p = c.p + i;
		em.np = j - i;
		rc = leak_file_text(s, c.p[i].file, file_emails, &em, err);
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

/* A name or phone near one of the address's places, in the same file of
 * the same leak: a candidate for the same record. */
struct candidate {
	uint32_t file;
	uint64_t pos, place;
	int64_t source_id;
	enum leak_kind kind;
};

struct coloc {
	const struct leak_result *r;
	struct candidate *c; /* lg_grow'n */
	size_t n, cap;
};

static bool near_place(void *ctx, int64_t source_id, const struct leak_entry *e)
{
	struct coloc *c = ctx;
	enum leak_kind k = leak_entry_kind(e);
	uint64_t pos = e->pos & LEAK_POS_MASK;

	if (k != LEAK_NAME && k != LEAK_PHONE)
		return true;
	for (size_t i = 0; i < c->r->nsrc; i++) {
		const struct leak_source_hits *h = &c->r->src[i];

		for (size_t p = 0; h->source_id == source_id && p < h->nplaces; p++) {
			uint64_t at = h->places[p].pos;

			if (h->places[p].file_id != leak_entry_file(e) || (pos > at ? pos - at : at - pos) > COLOCATED)
				continue;
			c->c = lg_grow(c->c, &c->cap, c->n + 1, sizeof(*c->c));
			c->c[c->n++] = (struct candidate){leak_entry_file(e), pos, at, source_id, k};
			return true;
		}
	}
	return true;
}

struct same_record {
	const struct candidate *c; /* the candidates in one file */
	size_t n;
	struct facts *f;
};

/* Which candidates share the address's record: its line in line-based
 * dumps (CSV, JSON Lines, text, converted documents); in mail, where a
 * record is a whole message and signatures sit lines below the sender,
 * the byte window alone. Nothing is claimed for a file changed since. */
static void mark_same_record(void *ctx, const char *text, size_t tn, const char *format)
{
	struct same_record *sr = ctx;
	bool mail = strstr(format, "mail") != NULL;

	for (size_t i = 0; text && i < sr->n; i++) {
		const struct candidate *c = &sr->c[i];
		uint64_t lo = c->pos < c->place ? c->pos : c->place, hi = c->pos < c->place ? c->place : c->pos;
		struct facts_source *fs = source_of(sr->f, c->source_id);

		if (!fs || hi >= tn || (!mail && memchr(text + lo, '\n', (size_t)(hi - lo))))
			continue;
		fs->k_name |= c->kind == LEAK_NAME;
		fs->k_phone |= c->kind == LEAK_PHONE;
	}
}

static int candidate_cmp(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	return (x->file > y->file) - (x->file < y->file);
}

static void colocated_kinds(struct leak_index *ix, struct store *s, uint32_t group, const struct leak_result *r,
			    struct facts *f)
{
	struct coloc c = {.r = r};

	leak_group_each(ix, group, near_place, &c);
	qsort(c.c, c.n, sizeof(*c.c), candidate_cmp);
	for (size_t i = 0; i < c.n;) {
		struct same_record sr = {c.c + i, 0, f};

		while (i + sr.n < c.n && c.c[i + sr.n].file == c.c[i].file)
			sr.n++;
		leak_file_text(s, c.c[i].file, mark_same_record, &sr, NULL);
		i += sr.n;
	}
	lg_free(c.c);
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

	memset(out, 0, sizeof(*out));
	if (!ix || !leak_query_key(LEAK_Q_EMAIL, address, &group, &value, norm))
		return;
	leak_lookup(ix, LEAK_Q_EMAIL, group, value, &r);
	from_result(ix, &r, out);
	kinds_of_files(s, &r, out);
	if (r.found)
		colocated_kinds(ix, s, group, &r, out);
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
