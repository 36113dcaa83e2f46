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

struct service {
	char *what;
	bool page_alone; /* a web page stored there is suspicious by itself */
};

struct hosting_list {
	GHashTable *by_suffix; /* suffix -> struct service (both owned) */
};

static void service_free(gpointer p)
{
	struct service *s = p;

	g_free(s->what);
	g_free(s);
}

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
	h->by_suffix = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, service_free);
	while (fgets(line, sizeof(line), f)) {
		char *s = g_strstrip(line), *tab, *flag;
		struct service *svc;

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
		svc = g_new0(struct service, 1);
		flag = strchr(tab + 1, '\t');
		if (flag) {
			*flag++ = '\0';
			svc->page_alone = strcmp(g_strstrip(flag), "page") == 0;
		}
		svc->what = g_strdup(g_strstrip(tab + 1));
		g_hash_table_replace(h->by_suffix, g_ascii_strdown(g_strstrip(s), -1), svc);
	}
	fclose(f);
	*out = h;
	return LG_OK;
}

const char *hosting_lookup(const struct hosting_list *h, const char *host, bool *page_alone)
{
	const char *p;

	if (page_alone)
		*page_alone = false;
	if (!h || !host)
		return NULL;
	for (p = host; p && *p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
		const struct service *svc = g_hash_table_lookup(h->by_suffix, p);

		if (svc) {
			if (page_alone)
				*page_alone = svc->page_alone;
			return svc->what;
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
		{SIG_QR_CODE_LINK, "hides its link in a QR code"},
	};

	for (size_t i = 0; i < sizeof(lures) / sizeof(lures[0]); i++)
		if (signal_has(out, lures[i].id))
			return lures[i].what;
	return NULL;
}

/* A web page itself (index.html, a #fragment carrying the victim's
 * address), not a picture or a download. */
static bool is_page(const struct url_parts *u, const char *url)
{
	const char *dot = strrchr(u->path, '.');

	return strchr(url, '#') || (dot && (g_ascii_strcasecmp(dot, ".html") == 0 || g_ascii_strcasecmp(dot, ".htm") == 0 ||
					     g_ascii_strcasecmp(dot, ".php") == 0));
}

void detect_hosting(const struct detect_env *env, const struct mail_message *msg,
		    const struct detect_facts *facts, struct signal_list *out)
{
	const char *lure, *what = NULL, *host = NULL;
	const struct brand_entry *sender_brand;
	bool page_alone = false;

	if (!env->hosting)
		return;
	lure = lure_of(out);
	/* A brand linking to its own hosting (Google mail to sites.google.com)
	 * is the brand's business. */
	sender_brand = brands_owner(env->catalogue, msg->from.domain);
	for (size_t i = 0; i < facts->nlinks && !what; i++) {
		const struct detect_link *l = &facts->links[i];
		bool alone;

		if (!l->parsed || l->target.host_is_ip || l->link->origin == MAIL_LINK_HTML_OTHER)
			continue;
		what = hosting_lookup(env->hosting, l->target.host, &alone);
		if (what && sender_brand && brands_owns(sender_brand, l->target.host))
			what = NULL;
		page_alone = what && alone && is_page(&l->target, l->target_url);
		if (what && !lure && !page_alone)
			what = NULL;
		host = l->target.host;
	}
	if (what && lure) {
		signal_add(out, SIG_HOSTED_LANDING_PAGE, 1.0,
			   "The mail %s and links to %s, %s where anyone can publish a page; real services link to their own site.",
			   lure, host, what);
		return;
	}
	if (what) {
		signal_add(out, SIG_HOSTED_LANDING_PAGE, 0.6,
			   "A link opens a web page kept as a file at %s (%s); companies send customers to their own site, not to a page in a storage bucket.",
			   host, what);
		return;
	}
	if (lure && *msg->from.domain && (what = hosting_lookup(env->hosting, msg->from.domain, NULL)))
		signal_add(out, SIG_HOSTED_LANDING_PAGE, 0.8,
			   "The mail %s and was sent from %s, %s that anyone can sign up for.",
			   lure, msg->from.domain, what);
}
