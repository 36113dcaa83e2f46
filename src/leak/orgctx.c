/* orgctx.c: see orgctx.h. */
#include <string.h>

#include <glib.h>

#include "context/people.h"
#include "context/store.h"
#include "leak/extract.h"
#include "leak/index.h"
#include "leak/orgctx.h"
#include "leak/reader.h"
#include "leak/record.h"
#include "mail/domain.h"
#include "mail/message.h"

struct build {
	struct ctx_builder *b;
	const char *const *orgs, *const *freemail;
	size_t norgs, nfree;
	const struct leak_ctx_hooks *hooks;
	struct leak_ctx_stats *st;
	GHashTable *files; /* file id -> source id + 1 */
	uint32_t source;   /* builder index of the current file's source */
	const char *source_name;
};

static bool is_freemail(const struct build *c, const char *domain)
{
	for (size_t i = 0; i < c->nfree; i++)
		if (g_ascii_strcasecmp(domain, c->freemail[i]) == 0)
			return true;
	return false;
}

static bool on_entry(void *ctx, int64_t source_id, const struct leak_entry *e)
{
	struct build *c = ctx;

	g_hash_table_insert(c->files, GUINT_TO_POINTER(leak_entry_file(e)), GSIZE_TO_POINTER((gsize)source_id));
	return g_hash_table_size(c->files) < LEAK_CTX_MAX_FILES;
}

static void on_item(void *ctx, enum ctx_kind kind, const char *norm, const char *orig, size_t olen)
{
	struct build *c = ctx;

	ctx_builder_item(c->b, kind, norm, c->source);
}

/* Identifiers in a long text, window by window (each window ends at a line). */
static void scan_text(struct build *c, const char *s, size_t n)
{
	size_t at = 0;

	while (at < n) {
		size_t len = n - at > CTX_MAX_SCAN ? CTX_MAX_SCAN : n - at;

		if (at + len < n) {
			const char *nl = memrchr(s + at, '\n', len);

			if (nl && nl > s + at)
				len = (size_t)(nl - (s + at)) + 1;
		}
		ctx_items_scan(s + at, len, on_item, c);
		at += len;
	}
}

static void title(struct build *c, const char *name)
{
	char norm[CTX_MAX_NORM + 1];

	if (ctx_title_norm(name, strlen(name), true, norm))
		on_item(c, CTX_TITLE, norm, name, strlen(name));
}

static void person(struct build *c, const char *addr)
{
	ctx_builder_item(c->b, CTX_PERSON, addr, c->source);
}

/* A participant of leaked mail or an address in a document: the
 * organisation's own become people, the others' domains partners. */
static void participant(struct build *c, struct arena *a, const char *addr, const char *domain, GHashTable *partners)
{
	const char *reg;

	if (ctx_is_own(domain, c->orgs, c->norgs)) {
		person(c, addr);
		return;
	}
	reg = domain_registrable(a, domain);
	if (reg && !is_freemail(c, reg) && !ctx_is_own(reg, c->orgs, c->norgs))
		g_hash_table_add(partners, g_strdup(reg));
}

static void add_partners(struct build *c, GHashTable *partners)
{
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, partners);
	while (g_hash_table_iter_next(&it, &k, NULL))
		ctx_builder_partner(c->b, k, c->source);
}

static bool involves_org(const struct build *c, const struct mail_address *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ctx_is_own(p[i].domain, c->orgs, c->norgs))
			return true;
	return false;
}

static void on_message(void *ctx, const char *raw, size_t len, uint64_t base, uint64_t line)
{
	static const char *const fields[] = {"From", "To", "Cc", "Reply-To", "Sender"};
	struct build *c = ctx;
	struct mail_message *m = mail_message_parse(raw, len);
	struct mail_address people[CTX_MAX_PEOPLE * 2];
	GHashTable *partners = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	size_t n = 0;

	for (size_t f = 0; f < G_N_ELEMENTS(fields) && n < CTX_MAX_PEOPLE; f++)
		n += mail_address_list(m->arena, mail_header_get(m, fields[f]), people + n, CTX_MAX_PEOPLE);
	if (involves_org(c, people, n)) {
		c->st->messages++;
		for (size_t i = 0; i < n; i++)
			participant(c, m->arena, people[i].addr, people[i].domain, partners);
		add_partners(c, partners);
		ctx_items_scan(m->subject, strlen(m->subject), on_item, c);
		scan_text(c, m->text, m->text_len);
		for (size_t i = 0; i < m->nattachments; i++)
			title(c, m->attachments[i].filename);
	}
	g_hash_table_destroy(partners);
	mail_message_free(&m);
}

static void on_document(struct build *c, const char *path, const char *text, size_t n)
{
	GHashTable *partners = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	struct arena *a = arena_new();
	size_t from = 0, b, e, at;
	char addr[LEAK_MAX_EMAIL + 1];

	c->st->documents++;
	while (leak_email_find(text, n, from, &b, &e)) {
		from = e;
		if (leak_email_norm(text + b, e - b, addr, &at))
			participant(c, a, addr, addr + at + 1, partners);
	}
	if (g_hash_table_size(partners) <= LEAK_CTX_DOC_PARTNERS)
		add_partners(c, partners);
	scan_text(c, text, n);
	title(c, path);
	g_hash_table_destroy(partners);
	arena_free(&a);
}

struct file_read {
	struct build *c;
	const char *path;
};

static void on_text(void *ctx, const char *text, size_t n, const char *format)
{
	struct file_read *r = ctx;
	struct build *c = r->c;

	if (!text) {
		c->st->unreadable++;
		if (c->hooks && c->hooks->warn)
			c->hooks->warn(c->hooks->ctx, r->path, "moved or changed since it was ingested");
	} else if (g_str_has_suffix(format, "mail")) {
		leak_mail_each(text, n, on_message, c);
	} else {
		on_document(c, r->path, text, n);
	}
}

static void read_file(struct build *c, struct store *s, uint32_t file_id)
{
	struct store_leak_file f;
	struct file_read r = {c, NULL};
	struct errbuf err = {""};
	enum lg_status rc = store_leak_file_get(s, file_id, &f, &err);

	c->st->files++;
	if (!rc) {
		r.path = g_strdup(f.path); /* f's strings live until the next store call */
		rc = leak_file_text(s, file_id, on_text, &r, &err);
	}
	if (rc) {
		c->st->unreadable++;
		if (c->hooks && c->hooks->warn)
			c->hooks->warn(c->hooks->ctx, r.path ? r.path : "?", err.msg);
	}
	g_free((char *)r.path);
}

static int by_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Every file, in id order so a rebuild reads in the same order. */
static void read_files(struct build *c, struct store *s, struct leak_index *ix)
{
	guint n = 0;
	gpointer *keys = g_hash_table_get_keys_as_array(c->files, &n);
	uint32_t *ids = g_new(uint32_t, n + 1);

	for (guint i = 0; i < n; i++)
		ids[i] = GPOINTER_TO_UINT(keys[i]);
	qsort(ids, n, sizeof(*ids), by_id);
	for (guint i = 0; i < n; i++) {
		int64_t src = (int64_t)GPOINTER_TO_SIZE(g_hash_table_lookup(c->files, GUINT_TO_POINTER(ids[i])));

		c->source_name = leak_index_source_name(ix, src);
		c->source = ctx_builder_source(c->b, c->source_name ? c->source_name : "unknown");
		read_file(c, s, ids[i]);
	}
	g_free(ids);
	g_free(keys);
}

enum lg_status leak_context_build(struct store *s, const char *db_path, const char *const *orgs, size_t norgs,
				  const char *const *freemail, size_t nfree, const struct leak_ctx_hooks *hooks,
				  struct leak_ctx_stats *st, struct errbuf *err)
{
	struct build c = {.orgs = orgs, .norgs = norgs, .freemail = freemail, .nfree = nfree, .hooks = hooks, .st = st};
	struct leak_index *ix = NULL;
	uint8_t key[CTX_KEY_LEN];
	enum lg_status rc;

	memset(st, 0, sizeof(*st));
	rc = ctx_key_new(key, err);
	if (!rc)
		rc = leak_index_open(s, NULL, &ix, err);
	if (rc)
		return rc;
	c.b = ctx_builder_new(key);
	c.files = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (size_t i = 0; i < norgs; i++) {
		char dom[LEAK_MAX_EMAIL + 1];

		ctx_builder_org(c.b, orgs[i]);
		if (leak_domain_of_host(orgs[i], dom))
			leak_group_each(ix, dom, on_entry, &c);
	}
	read_files(&c, s, ix);
	rc = ctx_builder_write(c.b, db_path, err);
	g_hash_table_destroy(c.files);
	ctx_builder_free(&c.b);
	leak_index_close(&ix);
	return rc;
}
