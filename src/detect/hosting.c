/* hosting.c: services where anyone can publish a page (Firebase, Cloudflare
 * Pages/R2/Workers, IPFS gateways, public cloud storage, site and form
 * builders, shares, link-in-bio pages), read from data/hosting.tsv, and the
 * signal for mail that lands on one — or is sent through one — while it
 * claims a brand or asks for credentials or money. A link to a shared
 * document alone is ordinary mail; a "bank" whose login page lives on
 * web.app is not. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "detect/brands.h"
#include "detect/env.h"
#include "detect/hosting.h"
#include "util/alloc.h"

struct hosting_list {
	GHashTable *by_suffix; /* suffix -> description (both owned) */
};

void hosting_free(struct hosting_list **hp)
{
	if (!hp || !*hp)
		return;
	g_hash_table_destroy((*hp)->by_suffix);
	lg_free(*hp);
	*hp = NULL;
}

enum lg_status hosting_load(const char *path, struct hosting_list **out, struct errbuf *err)
{
	FILE *f = fopen(path, "r");
	struct hosting_list *h;
	char line[1024];
	unsigned lineno = 0;

	if (!f)
		return errbuf_set(err, LG_EIO, "%s: cannot open the hosting list", path);
	h = lg_calloc(1, sizeof(*h));
	h->by_suffix = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	while (fgets(line, sizeof(line), f)) {
		char *s = g_strstrip(line), *tab;

		lineno++;
		if (!*s || *s == '#')
			continue;
		tab = strchr(s, '\t');
		if (!tab || !*g_strstrip(tab + 1)) {
			fclose(f);
			hosting_free(&h);
			return errbuf_set(err, LG_EPARSE, "%s:%u: expected SUFFIX<TAB>description", path, lineno);
		}
		*tab = '\0';
		g_hash_table_replace(h->by_suffix, g_ascii_strdown(g_strstrip(s), -1), g_strdup(g_strstrip(tab + 1)));
	}
	fclose(f);
	*out = h;
	return LG_OK;
}

const char *hosting_lookup(const struct hosting_list *h, const char *host, const char **suffix)
{
	const char *p;

	if (!h || !host)
		return NULL;
	for (p = host; p && *p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
		gpointer key, value;

		if (g_hash_table_lookup_extended(h->by_suffix, p, &key, &value)) {
			if (suffix)
				*suffix = key;
			return value;
		}
	}
	return NULL;
}

size_t hosting_count(const struct hosting_list *h)
{
	return h ? g_hash_table_size(h->by_suffix) : 0;
}

/* ---- the detector ----------------------------------------------------- */

static const char *lure_of(const struct signal_list *out)
{
	static const struct {
		enum signal_id id;
		const char *what;
	} lures[] = {
		{SIG_SENDER_NAME_BRAND, "speaks for a brand it is not sent by"},
		{SIG_BRAND_CLAIM_MISMATCH, "speaks for a brand it is not sent by"},
		{SIG_CREDENTIAL_REQUEST, "asks for a password or account details"},
		{SIG_THREAT_SUSPENSION, "threatens to close an account"},
		{SIG_PAYMENT_REQUEST, "asks for money"},
		{SIG_DELIVERY_FEE, "asks for a delivery fee"},
		{SIG_PRIZE_CLAIM, "promises a prize"},
		{SIG_HTML_FORM, "holds a form to fill in"},
	};

	for (size_t i = 0; i < sizeof(lures) / sizeof(lures[0]); i++)
		if (signal_has(out, lures[i].id))
			return lures[i].what;
	return NULL;
}

void detect_hosting(const struct detect_env *env, const struct mail_message *msg,
		    const struct detect_facts *facts, struct signal_list *out)
{
	const char *lure, *what = NULL, *host = NULL, *suffix = NULL;
	const struct brand_entry *sender_brand;

	if (!env->hosting || !(lure = lure_of(out)))
		return;
	/* A brand linking to its own hosting (Google mail to sites.google.com)
	 * is the brand's business. */
	sender_brand = brands_owner(env->catalogue, msg->from.domain);
	for (size_t i = 0; i < facts->nlinks && !what; i++) {
		const struct detect_link *l = &facts->links[i];

		if (!l->parsed || l->target.host_is_ip || l->link->origin == MAIL_LINK_HTML_OTHER)
			continue;
		what = hosting_lookup(env->hosting, l->target.host, &suffix);
		if (what && sender_brand && brands_owns(sender_brand, l->target.host))
			what = NULL;
		host = l->target.host;
	}
	if (what) {
		signal_add(out, SIG_HOSTED_LANDING_PAGE, 1.0,
			   "The mail %s and links to %s, %s where anyone can publish a page; real services link to their own site.",
			   lure, host, what);
		return;
	}
	if (*msg->from.domain && (what = hosting_lookup(env->hosting, msg->from.domain, &suffix)))
		signal_add(out, SIG_HOSTED_LANDING_PAGE, 0.8,
			   "The mail %s and was sent from %s, %s that anyone can sign up for.",
			   lure, msg->from.domain, what);
}
