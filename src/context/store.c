/* store.c: see store.h. Reading is a validation pass over the mapped file
 * and then binary search; writing collects into GLib containers and sorts. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "context/store.h"
#include "util/alloc.h"
#include "util/durable.h"

#define MAGIC "LGCTX001"
#define VERSION 1

struct header {
	char magic[8];
	uint32_t version, nsources, norgs, npartners, nitems, strings;
	uint64_t built;
	uint8_t key[CTX_KEY_LEN];
};

struct partner_rec {
	uint32_t domain, source, count, zero;
};

struct item_rec {
	uint64_t hash;
	uint32_t kind, source;
};

struct ctx_store {
	const struct header *h;
	const uint32_t *sources, *orgs;
	const struct partner_rec *partners;
	const struct item_rec *items;
	const char *strings;
	size_t counts[CTX_KINDS];
	void *map;
	size_t map_len;
};

enum ctx_family ctx_family_of(enum ctx_kind k)
{
	if (ctx_kind_is_number(k))
		return CTX_FAM_NUMBER;
	return k == CTX_PROJECT ? CTX_FAM_PROJECT : k == CTX_TITLE ? CTX_FAM_TITLE : CTX_FAM_PERSON;
}

char *ctx_store_path(const char *db_path)
{
	return g_strdup_printf("%s.context", db_path);
}

/* ---- reading ------------------------------------------------------------ */

static bool offsets_ok(const uint32_t *off, size_t n, uint32_t strings)
{
	for (size_t i = 0; i < n; i++)
		if (off[i] >= strings)
			return false;
	return true;
}

static enum lg_status check_records(struct ctx_store *s, struct errbuf *err)
{
	const struct header *h = s->h;

	if (!offsets_ok(s->sources, h->nsources, h->strings) || !offsets_ok(s->orgs, h->norgs, h->strings))
		return errbuf_set(err, LG_EPARSE, "context store: a name points outside the file");
	for (size_t i = 0; i < h->npartners; i++)
		if (s->partners[i].domain >= h->strings || s->partners[i].source >= h->nsources)
			return errbuf_set(err, LG_EPARSE, "context store: partner %zu is damaged", i);
	for (size_t i = 0; i < h->nitems; i++) {
		if (s->items[i].kind == 0 || s->items[i].kind >= CTX_KINDS || s->items[i].source >= h->nsources ||
		    (i && s->items[i - 1].hash >= s->items[i].hash))
			return errbuf_set(err, LG_EPARSE, "context store: item %zu is damaged or out of order", i);
		s->counts[s->items[i].kind]++;
	}
	return LG_OK;
}

enum lg_status ctx_store_parse(const void *data, size_t n, struct ctx_store **out, struct errbuf *err)
{
	const struct header *h = data;
	struct ctx_store *s;
	size_t need;
	const char *p;
	enum lg_status rc;

	if (n < sizeof(*h) || memcmp(h->magic, MAGIC, 8) != 0 || h->version != VERSION)
		return errbuf_set(err, LG_EPARSE, "not a leakguard context store (version %d)", VERSION);
	if (h->nsources > 65535 || h->norgs > 1024 || h->npartners > CTX_MAX_PARTNERS ||
	    h->nitems > CTX_MAX_ITEMS_STORED || h->strings == 0 || h->strings > (64u << 20))
		return errbuf_set(err, LG_EPARSE, "context store: counts out of range");
	need = sizeof(*h) + 4 * ((size_t)h->nsources + h->norgs) + sizeof(struct partner_rec) * (size_t)h->npartners +
	       sizeof(struct item_rec) * (size_t)h->nitems + h->strings;
	if (need != n)
		return errbuf_set(err, LG_EPARSE, "context store: %zu bytes where %zu were expected", n, need);
	s = lg_calloc(1, sizeof(*s));
	p = (const char *)data + sizeof(*h);
	s->h = h;
	s->sources = (const uint32_t *)p;
	s->orgs = s->sources + h->nsources;
	s->partners = (const struct partner_rec *)(s->orgs + h->norgs);
	s->items = (const struct item_rec *)(s->partners + h->npartners);
	s->strings = (const char *)(s->items + h->nitems);
	if (s->strings[h->strings - 1] != '\0')
		rc = errbuf_set(err, LG_EPARSE, "context store: names are not terminated");
	else
		rc = check_records(s, err);
	if (rc) {
		lg_free(s);
		return rc;
	}
	*out = s;
	return LG_OK;
}

enum lg_status ctx_store_open(const char *db_path, struct ctx_store **out, struct errbuf *err)
{
	char *path = ctx_store_path(db_path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	void *map = MAP_FAILED;
	enum lg_status rc;

	if (fd < 0) {
		rc = errbuf_set(err, LG_ENOTFOUND, "%s: no context store (run leakguard context --build)", path);
		goto out;
	}
	if (fstat(fd, &st) == 0 && st.st_size > 0)
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		rc = errbuf_set(err, LG_EPARSE, "%s: empty or unreadable; rebuild it with leakguard context --build", path);
		goto out;
	}
	rc = ctx_store_parse(map, (size_t)st.st_size, out, err);
	if (rc) {
		munmap(map, (size_t)st.st_size);
		errbuf_set(err, rc, "%s: damaged; rebuild it with leakguard context --build", path);
		goto out;
	}
	(*out)->map = map;
	(*out)->map_len = (size_t)st.st_size;
out:
	g_free(path);
	return rc;
}

void ctx_store_free(struct ctx_store **sp)
{
	if (!sp || !*sp)
		return;
	if ((*sp)->map)
		munmap((*sp)->map, (*sp)->map_len);
	lg_free(*sp);
	*sp = NULL;
}

const uint8_t *ctx_store_key(const struct ctx_store *s) { return s->h->key; }
uint64_t ctx_store_built(const struct ctx_store *s) { return s->h->built; }
size_t ctx_store_orgs(const struct ctx_store *s) { return s->h->norgs; }
const char *ctx_store_org(const struct ctx_store *s, size_t i) { return s->strings + s->orgs[i]; }
size_t ctx_store_sources(const struct ctx_store *s) { return s->h->nsources; }
const char *ctx_store_source(const struct ctx_store *s, size_t i) { return s->strings + s->sources[i]; }
size_t ctx_store_partners(const struct ctx_store *s) { return s->h->npartners; }

void ctx_store_partner(const struct ctx_store *s, size_t i, struct ctx_partner *out)
{
	out->domain = s->strings + s->partners[i].domain;
	out->source = ctx_store_source(s, s->partners[i].source);
	out->count = s->partners[i].count;
}

size_t ctx_store_items(const struct ctx_store *s, enum ctx_kind k)
{
	return k ? s->counts[k] : s->h->nitems;
}

size_t ctx_store_items_of(const struct ctx_store *s, enum ctx_kind k, size_t source)
{
	size_t n = 0;

	for (size_t i = 0; i < s->h->nitems; i++)
		n += s->items[i].kind == (uint32_t)k && s->items[i].source == source;
	return n;
}

bool ctx_store_find(const struct ctx_store *s, uint64_t hash, struct ctx_hit *hit)
{
	size_t lo = 0, hi = s->h->nitems;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->items[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->h->nitems || s->items[lo].hash != hash)
		return false;
	hit->kind = (enum ctx_kind)s->items[lo].kind;
	hit->source = ctx_store_source(s, s->items[lo].source);
	return true;
}

/* ---- building ------------------------------------------------------------ */

struct ctx_builder {
	uint8_t key[CTX_KEY_LEN];
	GPtrArray *sources, *orgs; /* g_strdup'd names */
	GHashTable *partners;      /* domain -> struct partner_rec (domain unused) */
	GArray *items;             /* struct item_rec */
};

struct ctx_builder *ctx_builder_new(const uint8_t key[CTX_KEY_LEN])
{
	struct ctx_builder *b = lg_calloc(1, sizeof(*b));

	memcpy(b->key, key, CTX_KEY_LEN);
	b->sources = g_ptr_array_new_with_free_func(g_free);
	b->orgs = g_ptr_array_new_with_free_func(g_free);
	b->partners = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	b->items = g_array_new(FALSE, FALSE, sizeof(struct item_rec));
	return b;
}

void ctx_builder_free(struct ctx_builder **bp)
{
	struct ctx_builder *b = bp ? *bp : NULL;

	if (!b)
		return;
	g_ptr_array_free(b->sources, TRUE);
	g_ptr_array_free(b->orgs, TRUE);
	g_hash_table_destroy(b->partners);
	g_array_free(b->items, TRUE);
	lg_free(b);
	*bp = NULL;
}

const uint8_t *ctx_builder_key(const struct ctx_builder *b)
{
	return b->key;
}

uint32_t ctx_builder_source(struct ctx_builder *b, const char *name)
{
	for (guint i = 0; i < b->sources->len; i++)
		if (strcmp(g_ptr_array_index(b->sources, i), name) == 0)
			return i;
	g_ptr_array_add(b->sources, g_strdup(name));
	return b->sources->len - 1;
}

void ctx_builder_org(struct ctx_builder *b, const char *domain)
{
	g_ptr_array_add(b->orgs, g_ascii_strdown(domain, -1));
}

void ctx_builder_partner(struct ctx_builder *b, const char *domain, uint32_t source)
{
	struct partner_rec *p = g_hash_table_lookup(b->partners, domain);

	if (!p) {
		if (g_hash_table_size(b->partners) >= CTX_MAX_PARTNERS)
			return;
		p = g_new0(struct partner_rec, 1);
		p->source = source;
		g_hash_table_insert(b->partners, g_strdup(domain), p);
	}
	p->count++;
}

void ctx_builder_item(struct ctx_builder *b, enum ctx_kind k, const char *norm, uint32_t source)
{
	struct item_rec r = {ctx_keyhash(b->key, ctx_family_of(k), norm, strlen(norm)), (uint32_t)k, source};

	if (b->items->len < CTX_MAX_ITEMS_STORED * 2u)
		g_array_append_val(b->items, r);
}

static int by_hash(const void *a, const void *b)
{
	const struct item_rec *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->source < y->source ? -1 : x->source > y->source;
}

static int by_domain(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint32_t add_string(GByteArray *strings, const char *s)
{
	uint32_t off = strings->len;

	g_byte_array_append(strings, (const guint8 *)s, (guint)strlen(s) + 1);
	return off;
}

/* The body: offsets, partners (by domain), items (sorted, first source wins). */
static GByteArray *body(struct ctx_builder *b, struct header *h)
{
	GByteArray *out = g_byte_array_new(), *strings = g_byte_array_new();
	guint nkeys = 0;
	char **domains = (char **)g_hash_table_get_keys_as_array(b->partners, &nkeys);
	size_t kept = 0;

	qsort(domains, nkeys, sizeof(*domains), by_domain);
	for (guint i = 0; i < b->sources->len; i++) {
		uint32_t off = add_string(strings, g_ptr_array_index(b->sources, i));
		g_byte_array_append(out, (const guint8 *)&off, 4);
	}
	for (guint i = 0; i < b->orgs->len; i++) {
		uint32_t off = add_string(strings, g_ptr_array_index(b->orgs, i));
		g_byte_array_append(out, (const guint8 *)&off, 4);
	}
	for (guint i = 0; i < nkeys; i++) {
		struct partner_rec r = *(struct partner_rec *)g_hash_table_lookup(b->partners, domains[i]);

		r.domain = add_string(strings, domains[i]);
		g_byte_array_append(out, (const guint8 *)&r, sizeof(r));
	}
	g_array_sort(b->items, by_hash);
	for (guint i = 0; i < b->items->len && kept < CTX_MAX_ITEMS_STORED; i++) {
		struct item_rec *r = &g_array_index(b->items, struct item_rec, i);

		if (i && r->hash == g_array_index(b->items, struct item_rec, i - 1).hash)
			continue;
		g_byte_array_append(out, (const guint8 *)r, sizeof(*r));
		kept++;
	}
	if (!strings->len)
		add_string(strings, "");
	g_byte_array_append(out, strings->data, strings->len);
	h->nsources = b->sources->len;
	h->norgs = b->orgs->len;
	h->npartners = nkeys;
	h->nitems = (uint32_t)kept;
	h->strings = strings->len;
	g_free(domains);
	g_byte_array_free(strings, TRUE);
	return out;
}

enum lg_status ctx_builder_write(struct ctx_builder *b, const char *db_path, struct errbuf *err)
{
	struct header h = {.version = VERSION};
	GByteArray *data = body(b, &h);
	char *path = ctx_store_path(db_path);
	enum lg_status rc;

	memcpy(h.magic, MAGIC, 8);
	memcpy(h.key, b->key, CTX_KEY_LEN);
	h.built = (uint64_t)time(NULL);
	rc = durable_write(path, &h, sizeof(h), data->data, data->len, err);
	g_byte_array_free(data, TRUE);
	g_free(path);
	return rc;
}
