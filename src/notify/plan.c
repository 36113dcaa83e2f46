/* plan.c: who gets a notice about a leak (plan.h). */
#include <string.h>
#include <time.h>

#include <glib.h>
#include <jansson.h>

#include "leak/index.h"
#include "notify/compose.h"
#include "notify/plan.h"
#include "util/alloc.h"

/* One recipient's notice: its items (facts owned here). */
struct rcpt {
	char *recipient;
	GArray *items;  /* struct notify_item */
	GPtrArray *own; /* struct facts *, freed with the recipient */
};

struct plan {
	struct leak_index *ix;
	struct store *s;
	const char *source;
	GHashTable *by_rcpt; /* recipient -> struct rcpt */
	GPtrArray *order;    /* recipients in first-seen order (deterministic queue order) */
	GHashTable *seen;    /* domain -> struct facts * (NULL: not in the leak) */
	struct notify_plan_stats *st;
};

static void rcpt_free(gpointer p)
{
	struct rcpt *r = p;

	g_array_free(r->items, TRUE);
	g_ptr_array_free(r->own, TRUE);
	g_free(r->recipient);
	g_free(r);
}

static void facts_destroy(gpointer p)
{
	if (p) {
		facts_free(p);
		g_free(p);
	}
}

/* The leak's row in f (the index holds only this source, so the first). */
static const struct facts_source *of_source(const struct facts *f, const char *source)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->src[i].name, source) == 0)
			return &f->src[i];
	return NULL;
}

static void add_item(struct plan *p, const char *recipient, const char *domain, const struct facts_source *fs)
{
	struct rcpt *r = g_hash_table_lookup(p->by_rcpt, recipient);
	struct notify_item it = {domain, fs};

	if (!r) {
		r = g_new0(struct rcpt, 1);
		r->recipient = g_strdup(recipient);
		r->items = g_array_new(FALSE, FALSE, sizeof(struct notify_item));
		r->own = g_ptr_array_new_with_free_func(facts_destroy);
		g_hash_table_insert(p->by_rcpt, r->recipient, r);
		g_ptr_array_add(p->order, r);
	}
	g_array_append_val(r->items, it);
}

/* The domain's facts in this leak, looked up once however many
 * recipients it has; NULL when the leak holds none of it. */
static const struct facts_source *domain_facts(struct plan *p, const char *domain, char **key)
{
	gpointer k, v;
	struct facts *f;

	if (g_hash_table_lookup_extended(p->seen, domain, &k, &v)) {
		*key = k;
		return v ? of_source(v, p->source) : NULL;
	}
	f = g_new0(struct facts, 1);
	facts_domain(p->ix, domain, f);
	p->st->subjects++;
	if (!of_source(f, p->source)) {
		facts_destroy(f);
		f = NULL;
	} else {
		p->st->matched++;
	}
	*key = g_strdup(domain);
	g_hash_table_insert(p->seen, *key, f);
	return f ? of_source(f, p->source) : NULL;
}

static bool on_domain(void *ctx, const char *domain, const char *recipient)
{
	struct plan *p = ctx;
	char *key;
	const struct facts_source *fs = domain_facts(p, domain, &key);

	if (fs)
		add_item(p, recipient, key, fs);
	return true;
}

static bool on_address(void *ctx, const char *address, const char *recipient)
{
	struct plan *p = ctx;
	struct facts *f = g_new0(struct facts, 1);
	const struct facts_source *fs;

	p->st->subjects++;
	facts_address(p->ix, p->s, address, f);
	fs = of_source(f, p->source);
	if (!fs) {
		facts_destroy(f);
		return true;
	}
	p->st->matched++;
	add_item(p, recipient, NULL, fs);
	g_ptr_array_add(((struct rcpt *)g_hash_table_lookup(p->by_rcpt, recipient))->own, f);
	return true;
}

static enum lg_status plan_open(struct plan *p, struct store *s, const char *source, struct notify_plan_stats *st,
				struct errbuf *err)
{
	enum lg_status rc;

	memset(p, 0, sizeof(*p));
	memset(st, 0, sizeof(*st));
	p->s = s;
	p->source = source;
	p->st = st;
	rc = leak_index_open(s, source, &p->ix, err);
	if (rc)
		return rc;
	if (!leak_index_segments(p->ix)) {
		leak_index_close(&p->ix);
		return errbuf_set(err, LG_ENOTFOUND, "no ingested source is named '%s' (see leakguard sources)", source);
	}
	p->by_rcpt = g_hash_table_new(g_str_hash, g_str_equal);
	p->order = g_ptr_array_new_with_free_func(rcpt_free);
	p->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, facts_destroy);
	return LG_OK;
}

static void plan_close(struct plan *p)
{
	if (p->order)
		g_ptr_array_free(p->order, TRUE);
	if (p->by_rcpt)
		g_hash_table_destroy(p->by_rcpt);
	if (p->seen)
		g_hash_table_destroy(p->seen);
	leak_index_close(&p->ix);
}

/* Composes and queues every recipient's notice in one transaction. */
static enum lg_status queue(struct plan *p, struct notify_store *ns, enum notify_mode mode, const char *base,
			    struct errbuf *err)
{
	const char *tag = mode == NOTIFY_OWNER ? "owner" : mode == NOTIFY_WEBHOOK ? "webhook" : "subscriber";
	int64_t now = (int64_t)time(NULL);
	enum lg_status rc = notify_begin(ns, err);

	for (guint i = 0; !rc && i < p->order->len; i++) {
		struct rcpt *r = g_ptr_array_index(p->order, i);
		const struct notify_item *items = (const struct notify_item *)(void *)r->items->data;
		struct buf subject, body;
		bool added = false;

		buf_init(&subject);
		buf_init(&body);
		if (mode == NOTIFY_WEBHOOK) { /* the subject column holds the event id */
			char id[NOTIFY_EVENT_ID_LEN + 1];

			notify_compose_json(r->recipient, p->source, items[0].f->date, items, r->items->len, base, &body, id);
			buf_append(&subject, id, strlen(id));
		} else {
			notify_compose(mode, p->source, items[0].f->date, items, r->items->len, base, &subject, &body);
		}
		rc = notify_notice_add(ns, r->recipient, p->source, tag, subject.data, body.data, now, &added, err);
		p->st->notices++;
		p->st->added += added;
		buf_cleanup(&subject);
		buf_cleanup(&body);
	}
	if (rc)
		notify_rollback(ns);
	else
		rc = notify_commit(ns, err);
	return rc;
}

enum lg_status notify_plan_subscribers(struct store *s, struct notify_store *ns, const char *source, const char *base,
				       struct notify_plan_stats *st, struct errbuf *err)
{
	struct plan p;
	enum lg_status rc = plan_open(&p, s, source, st, err);

	if (rc)
		return rc;
	rc = notify_sub_each(ns, "domain", NULL, on_domain, &p, err);
	if (!rc)
		rc = notify_sub_each(ns, "address", NULL, on_address, &p, err);
	if (!rc)
		rc = queue(&p, ns, NOTIFY_SUBSCRIBER, base, err);
	if (!rc) { /* the webhooks: the same domains' facts, other recipients */
		g_hash_table_remove_all(p.by_rcpt);
		g_ptr_array_set_size(p.order, 0);
		rc = notify_sub_each(ns, "webhook", NULL, on_domain, &p, err);
	}
	if (!rc)
		rc = queue(&p, ns, NOTIFY_WEBHOOK, base, err);
	plan_close(&p);
	return rc;
}

/* A contacts CSV field: trimmed, optional double quotes removed. */
static char *field(char *s)
{
	char *e;

	s = g_strstrip(s);
	e = s + strlen(s);
	if (e - s >= 2 && *s == '"' && e[-1] == '"') {
		e[-1] = '\0';
		s++;
	}
	return s;
}

static void print_row(FILE *out, bool json, const char *domain, const char *contact, const struct facts_source *f)
{
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "domain", domain, "contact", contact,
				      "addresses", (json_int_t)f->distinct[LEAK_EMAIL], "phones",
				      (json_int_t)f->distinct[LEAK_PHONE], "names", (json_int_t)f->distinct[LEAK_NAME],
				      "organisations", (json_int_t)f->distinct[LEAK_ORG], "documents",
				      (json_int_t)f->documents, "with_password", (json_int_t)f->with_password);

		json_dumpf(o, out, JSON_COMPACT);
		fputc('\n', out);
		json_decref(o);
		return;
	}
	fprintf(out, "%s %s addresses=%llu phones=%llu names=%llu organisations=%llu documents=%llu with_password=%llu\n",
		domain, contact, (unsigned long long)f->distinct[LEAK_EMAIL], (unsigned long long)f->distinct[LEAK_PHONE],
		(unsigned long long)f->distinct[LEAK_NAME], (unsigned long long)f->distinct[LEAK_ORG],
		(unsigned long long)f->documents, (unsigned long long)f->with_password);
}

/* One CSV row: the organisation, when its fields are valid. */
static void owner_row(struct plan *p, char *line, uint64_t lineno, const char *csv, bool dry_run, bool json,
		      FILE *out)
{
	char *comma = strchr(line, ',');
	char *domain, *contact, *key, norm[PORTAL_TEXT_MAX], addr[LEAK_MAX_VALUE + 1];
	struct leak_key lk;
	const struct facts_source *fs;

	if (!comma) {
		fprintf(stderr, "leakguard notify: %s:%llu: expected \"domain,contact\"; skipped\n", csv,
			(unsigned long long)lineno);
		p->st->rejected++;
		return;
	}
	*comma = '\0';
	domain = field(line);
	contact = field(comma + 1);
	if (lineno == 1 && g_ascii_strcasecmp(domain, "domain") == 0)
		return; /* a header line */
	if (!facts_domain_norm(domain, norm) || !leak_query_key(LEAK_Q_EMAIL, contact, &lk, addr) ||
	    strpbrk(contact, "\r\n<>") || strlen(addr) >= NOTIFY_TEXT_MAX) {
		fprintf(stderr, "leakguard notify: %s:%llu: not a domain and a contact address; skipped\n", csv,
			(unsigned long long)lineno);
		p->st->rejected++;
		return;
	}
	fs = domain_facts(p, norm, &key);
	if (!fs)
		return;
	if (dry_run)
		print_row(out, json, key, addr, fs);
	add_item(p, addr, key, fs);
}

enum lg_status notify_plan_owners(struct store *s, struct notify_store *ns, const char *source, const char *base,
				  const char *contacts_csv, bool dry_run, bool json, FILE *out,
				  struct notify_plan_stats *st, struct errbuf *err)
{
	struct plan p;
	FILE *f;
	char line[NOTIFY_CSV_LINE_MAX];
	uint64_t lineno = 0;
	enum lg_status rc;

	f = fopen(contacts_csv, "r");
	if (!f)
		return errbuf_set(err, LG_EIO, "cannot read %s", contacts_csv);
	rc = plan_open(&p, s, source, st, err);
	while (!rc && fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		lineno++;
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			rc = errbuf_set(err, LG_ELIMIT, "%s:%llu: line longer than %d bytes", contacts_csv,
					(unsigned long long)lineno, NOTIFY_CSV_LINE_MAX - 2);
			break;
		}
		if (lineno > NOTIFY_CSV_ROWS_MAX) {
			rc = errbuf_set(err, LG_ELIMIT, "%s: more than %d rows", contacts_csv, NOTIFY_CSV_ROWS_MAX);
			break;
		}
		if (*g_strstrip(line) == '\0' || *line == '#')
			continue;
		owner_row(&p, line, lineno, contacts_csv, dry_run, json, out);
	}
	fclose(f);
	if (!rc && !dry_run)
		rc = queue(&p, ns, NOTIFY_OWNER, base, err);
	else if (!rc)
		st->notices = p.order->len;
	plan_close(&p);
	return rc;
}
