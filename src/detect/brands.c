/* brands.c: the brand catalogue (see brands.h) and the detector that uses
 * it: a display name or subject speaking for a catalogue brand while the
 * mail comes from a domain the brand does not own. Names are compared
 * folded (normal.h), so "𝗗𝗛𝗟", "ＤＨＬ" and "Corréios" meet "dhl" and
 * "correios". */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "detect/brands.h"
#include "detect/env.h"
#include "detect/normal.h"
#include "mail/domain.h"
#include "util/alloc.h"

struct alias {
	char *folded;
	size_t len;
	size_t entry;
	bool lead_only;
};

struct brand_catalogue {
	struct brand_entry *items;
	size_t n, cap;
	struct alias *aliases;
	size_t nalias, acap;
	GHashTable *by_domain; /* domain -> index + 1 (GUINT_TO_POINTER) */
};

struct brand_catalogue *brands_new(void)
{
	struct brand_catalogue *c = lg_calloc(1, sizeof(*c));

	c->by_domain = g_hash_table_new_full(g_str_hash, g_str_equal, lg_free, NULL);
	return c;
}

void brands_free(struct brand_catalogue **cp)
{
	struct brand_catalogue *c;

	if (!cp || !*cp)
		return;
	c = *cp;
	for (size_t i = 0; i < c->n; i++) {
		lg_free(c->items[i].name);
		lg_free(c->items[i].class);
		for (size_t k = 0; k < c->items[i].ndomains; k++)
			lg_free(c->items[i].domains[k]);
		lg_free(c->items[i].domains);
	}
	for (size_t i = 0; i < c->nalias; i++)
		lg_free(c->aliases[i].folded);
	lg_free(c->items);
	lg_free(c->aliases);
	g_hash_table_destroy(c->by_domain);
	lg_free(c);
	*cp = NULL;
}

size_t brands_count(const struct brand_catalogue *c)
{
	return c ? c->n : 0;
}

static void add_alias(struct brand_catalogue *c, size_t entry, const char *alias)
{
	bool lead_only = *alias == '=';
	struct alias *a;
	size_t len;
	char *folded;

	if (lead_only)
		alias++;
	folded = normal_fold(alias, strlen(alias), &len, NULL);
	if (len < 2) {
		lg_free(folded);
		return;
	}
	for (size_t i = 0; i < c->nalias; i++)
		if (c->aliases[i].entry == entry && strcmp(c->aliases[i].folded, folded) == 0) {
			lg_free(folded);
			return;
		}
	c->aliases = lg_grow(c->aliases, &c->acap, c->nalias + 1, sizeof(*c->aliases));
	a = &c->aliases[c->nalias++];
	a->folded = folded;
	a->len = len;
	a->entry = entry;
	a->lead_only = lead_only;
}

static size_t add_entry(struct brand_catalogue *c, const char *name, const char *class)
{
	struct brand_entry *b;

	c->items = lg_grow(c->items, &c->cap, c->n + 1, sizeof(*c->items));
	b = &c->items[c->n];
	memset(b, 0, sizeof(*b));
	b->name = lg_strdup(name);
	b->class = lg_strdup(class);
	return c->n++;
}

static void add_domain(struct brand_catalogue *c, size_t entry, const char *domain)
{
	struct brand_entry *b = &c->items[entry];
	char *d = g_ascii_strdown(domain, -1);
	char *key;

	if (!*d) {
		g_free(d);
		return;
	}
	/* Shared domains (apple.com for Apple and Apple Music) belong to each
	 * brand; the owner looked up by domain is the first listed. */
	b->domains = lg_realloc(b->domains, (b->ndomains + 1) * sizeof(char *));
	b->domains[b->ndomains++] = lg_strdup(d);
	if (!g_hash_table_contains(c->by_domain, d)) {
		key = lg_strdup(d);
		g_hash_table_insert(c->by_domain, key, GUINT_TO_POINTER((unsigned)entry + 1));
	}
	g_free(d);
}

/* Splits s at commas, trims, and hands each non-empty item to fn. */
static void each_item(struct brand_catalogue *c, size_t entry, char *s,
		      void (*fn)(struct brand_catalogue *, size_t, const char *))
{
	char **items = g_strsplit(s, ",", -1);

	for (int i = 0; items[i]; i++) {
		char *t = g_strstrip(items[i]);

		if (*t)
			fn(c, entry, t);
	}
	g_strfreev(items);
}

enum lg_status brands_load(struct brand_catalogue *c, const char *path, struct errbuf *err)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	unsigned lineno = 0;
	enum lg_status rc = LG_OK;

	if (!f)
		return errbuf_set(err, LG_EIO, "%s: cannot open the brand catalogue", path);
	while (fgets(line, sizeof(line), f)) {
		char **cols;
		size_t entry;
		char *s = g_strstrip(line);

		lineno++;
		if (!*s || *s == '#')
			continue;
		cols = g_strsplit(s, "\t", 4);
		if (!cols[0] || !cols[1] || !cols[2] || !*g_strstrip(cols[0]) || !*g_strstrip(cols[2])) {
			g_strfreev(cols);
			rc = errbuf_set(err, LG_EPARSE, "%s:%u: expected NAME<TAB>CLASS<TAB>DOMAINS[<TAB>ALIASES]",
					path, lineno);
			break;
		}
		entry = add_entry(c, cols[0], g_strstrip(cols[1]));
		each_item(c, entry, cols[2], add_domain);
		/* Aliases first: "=otto" makes the name itself count only at the start. */
		if (cols[3])
			each_item(c, entry, cols[3], add_alias);
		add_alias(c, entry, cols[0]);
		g_strfreev(cols);
	}
	fclose(f);
	return rc;
}

void brands_add_domain(struct brand_catalogue *c, const char *domain)
{
	struct arena *a;
	const char *reg, *suffix;
	size_t entry;
	char *label;

	if (brands_owner(c, domain))
		return;
	a = arena_new();
	reg = domain_registrable(a, domain);
	suffix = domain_suffix(a, domain);
	if (reg && suffix && strlen(reg) > strlen(suffix) + 1) {
		label = lg_strndup(reg, strlen(reg) - strlen(suffix) - 1);
		entry = add_entry(c, label, "");
		add_domain(c, entry, domain);
		if (strlen(label) >= 3)
			add_alias(c, entry, label);
		lg_free(label);
	}
	arena_free(&a);
}

const struct brand_entry *brands_owner(const struct brand_catalogue *c, const char *domain)
{
	char *d;
	const char *p;
	const struct brand_entry *found = NULL;

	if (!c || !domain || !*domain)
		return NULL;
	d = g_ascii_strdown(domain, -1);
	for (p = d; p && *p && !found; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
		gpointer v = g_hash_table_lookup(c->by_domain, p);

		if (v)
			found = &c->items[GPOINTER_TO_UINT(v) - 1];
	}
	g_free(d);
	return found;
}

bool brands_owns(const struct brand_entry *b, const char *domain)
{
	for (size_t i = 0; b && i < b->ndomains; i++)
		if (domain_within(domain, b->domains[i]))
			return true;
	return false;
}

static bool word_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

const struct brand_entry *brands_named(const struct brand_catalogue *c, const char *folded, size_t len,
				       bool *leading)
{
	const char *start = folded;

	*leading = false;
	if (!c)
		return NULL;
	if (len > 4 && strncmp(start, "the ", 4) == 0)
		start += 4;
	for (size_t i = 0; i < c->nalias; i++) {
		const struct alias *a = &c->aliases[i];

		for (const char *p = folded; (p = memmem(p, len - (size_t)(p - folded), a->folded, a->len)); p++) {
			bool left = p == folded || !word_char((unsigned char)p[-1]);
			bool right = (size_t)(p - folded) + a->len >= len || !word_char((unsigned char)p[a->len]);

			if (!left || !right)
				continue;
			if (a->lead_only && p != start)
				break;
			*leading = p == start;
			return &c->items[a->entry];
		}
	}
	return NULL;
}

/* ---- the detector ----------------------------------------------------- */

/* How much of the body is read for a brand's name: the greeting and the
 * first lines, not the quoted thread or the footer. */
#define BODY_OPENING 600

/* Signals that show the mail wants something: with a brand it does not
 * come from, the impersonation is the lure. */
static bool asks_something(const struct signal_list *out)
{
	static const enum signal_id asks[] = {
		SIG_URGENT_DEADLINE, SIG_THREAT_SUSPENSION, SIG_PAYMENT_REQUEST, SIG_CREDENTIAL_REQUEST,
		SIG_PRIZE_CLAIM, SIG_DELIVERY_FEE, SIG_GIFT_CARD_REQUEST,
	};

	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++)
		if (signal_has(out, asks[i]))
			return true;
	return false;
}

/* A brand's own free-mail service (hotmail.com for Microsoft, gmail.com for
 * Google) hands out addresses to anyone: mail from there is not the brand's. */
static bool sent_by(const struct detect_env *env, const struct mail_message *msg, const struct brand_entry *b)
{
	if (env_is_own(env, msg->from.domain))
		return true;
	return brands_owns(b, msg->from.domain) && !g_hash_table_contains(env->freemail, msg->from.domain);
}

/* "lRS.GOV", "PaypaI.com": a name written as a domain that imitates a
 * protected one. */
static bool name_imitates_domain(const struct detect_env *env, const struct mail_message *msg,
				 struct signal_list *out)
{
	char **words = g_strsplit_set(msg->from.display, " \t\"'()<>[],;:|", -1);
	bool found = false;

	for (int i = 0; words[i] && !found; i++) {
		char *w = g_ascii_strdown(g_strstrip(words[i]), -1);
		struct lookalike_match m;
		size_t n = strlen(w);

		while (n && (w[n - 1] == '.' || w[n - 1] == '!'))
			w[--n] = '\0';
		if (n >= 4 && strchr(w, '.') && !strchr(w, '@') && lookalike_check(env->protected, w, &m) &&
		    !domain_within(msg->from.domain, m.protected_domain)) {
			signal_add(out, SIG_SENDER_NAME_BRAND, m.score,
				   "The sender's name '%s' imitates %s (%s), but the mail came from %s.",
				   msg->from.display, m.protected_domain, lookalike_technique_name(m.technique),
				   msg->from.addr);
			found = true;
		}
		g_free(w);
	}
	g_strfreev(words);
	return found;
}

void detect_brands(const struct detect_env *env, const struct mail_message *msg,
		   const struct detect_facts *facts, struct signal_list *out)
{
	const struct detect_text *t = facts->text;
	const struct brand_entry *b;
	bool leading;

	if (!env->catalogue || !msg->has_from || !*msg->from.domain)
		return;
	b = brands_named(env->catalogue, t->name, t->name_len, &leading);
	if (b && !sent_by(env, msg, b) && !signal_has(out, SIG_SENDER_NAME_BRAND)) {
		signal_add(out, SIG_SENDER_NAME_BRAND, leading ? 1.0 : 0.8,
			   "The mail says it is from %s, but it came from %s, which does not belong to %s (%s).",
			   b->name, msg->from.addr, b->name, b->domains[0]);
		return;
	}
	if (b || signal_has(out, SIG_SENDER_NAME_BRAND))
		return;
	if (name_imitates_domain(env, msg, out))
		return;
	if (!asks_something(out))
		return;
	b = brands_named(env->catalogue, t->subject, t->subject_len, &leading);
	if (b && !sent_by(env, msg, b)) {
		signal_add(out, SIG_BRAND_CLAIM_MISMATCH, 1.0,
			   "The subject speaks for %s and asks you to act, but the mail came from %s, which does not belong to %s (%s).",
			   b->name, msg->from.domain, b->name, b->domains[0]);
		return;
	}
	/* The opening of the body, where a lure introduces itself ("NUBANK:
	 * purchase held"), from a free-mail account: weaker, since mail about
	 * a brand is common. */
	if (b || !g_hash_table_contains(env->freemail, msg->from.domain))
		return;
	b = brands_named(env->catalogue, t->all + t->subject_len + 1,
			 MIN(t->all_len - t->subject_len - 1, BODY_OPENING), &leading);
	if (b)
		signal_add(out, SIG_BRAND_CLAIM_MISMATCH, 0.7,
			   "The mail speaks for %s and asks you to act, but it came from a free-mail account (%s), not from %s (%s).",
			   b->name, msg->from.addr, b->name, b->domains[0]);
}
