/* pages_notify.c: leak-notice subscriptions on the portal (issue 18,
 * ROUTES.md "Notices"): a person subscribes an address (double opt-in), a
 * verified organisation monitors its domain and names recipients at that
 * domain (each confirms by a mailed single-use link), and anyone holding
 * a notice's unsubscribe link leaves with one click (RFC 8058: a POST
 * without cookies or CSRF token, the token being the proof).
 *
 * An unconfirmed sign-up is only a mailed link's row (portal_links, kind
 * "notify", valid [portal] mail_link_ttl, default an hour): the portal's
 * housekeeping deletes it when it expires, and nothing else of it is kept.
 * The subscribe form answers the same whatever the address. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "leak/extract.h"
#include "notify/compose.h"
#include "notify/webhook.h"
#include "portal/facts.h"
#include "portal/mailq.h"
#include "portal/router.h"
#include "portal/session.h"
#include "portal/token.h"
#include "store/notify.h"
#include "store/store.h"
#include "util/log.h"

/* The notify tables of the portal's store, opened on first use and kept
 * for the process (the portal object has no slot for them). */
static struct notify_store *notices(struct portal *p)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct notify_store *ns;
	struct notify_store *out;

	pthread_mutex_lock(&lock);
	if (!ns) {
		char *path = p->cfg->db ? g_strdup(p->cfg->db) : store_default_path();
		const char *file = g_str_has_prefix(path, "sqlite:") ? path + 7 : path;
		struct errbuf err;

		if (notify_store_open(file, &ns, &err))
			log_error("portal: notices: %s", err.msg);
		g_free(path);
	}
	out = ns;
	pthread_mutex_unlock(&lock);
	return out;
}

static void message(struct http_req *r, struct http_resp *out, int status, const char *heading, const char *text)
{
	struct html_var v[] = {{"heading", heading}, {"text", text}};

	resp_page(r, out, status, heading, "notify_done.html", v, 2);
}

/* Mails to (normalised) a link confirming a subscription: for domain, or
 * for its own address when domain is "". False when it cannot be queued. */
static bool mail_link(struct http_req *r, const char *to, const char *domain)
{
	struct mailq_job j = {.kind = MAILQ_NOTIFY};
	char tok[TOKEN_LEN + 1], th[TOKEN_HEX];

	if (!token_new(tok))
		return false;
	token_hash(tok, th);
	g_strlcpy(j.to, to, sizeof(j.to));
	g_strlcpy(j.domain, domain, sizeof(j.domain));
	g_snprintf(j.link, sizeof(j.link), "%s/notify/confirm/%s", r->p->set.base_url, tok);
	return portal_link_add(r->p->ps, th, "notify", to, domain, (int64_t)time(NULL) + r->p->set.mail_link_ttl,
			       NULL) == LG_OK &&
	       mailq_push(r->p->mq, &j);
}

void page_notify_form(struct http_req *r, struct http_resp *out)
{
	struct html_var v[] = {{"csrf", session_csrf(r, out)}};

	resp_page(r, out, 200, "Leak notices", "notify.html", v, 1);
}

/* The same page for every address, valid or not: the mail decides. */
void page_notify_subscribe(struct http_req *r, struct http_resp *out)
{
	const char *email = http_param(&r->form, "email");
	char norm[LEAK_MAX_EMAIL + 1] = "", h[TOKEN_HEX];
	size_t at;

	if (email)
		leak_email_norm(email, strlen(email), norm, &at);
	token_hash(norm, h);
	h[16] = '\0';
	portal_audit(r->p, "anonymous", r->client, "notify-signup", h, *norm ? "" : "not an address");
	if (*norm && !mail_link(r, norm, "")) {
		resp_error(r, out, 503, "Busy", "The portal is busy. Please try again in a few minutes.");
		return;
	}
	message(r, out, 200, "Check your inbox",
		"If the address is valid, we sent it a link. Open it within the hour to start the notices; "
		"until then nothing is sent to it, and an unconfirmed request is deleted.");
}

/* The subscription a mailed link stands for (to, and the domain or "");
 * take uses the link up. */
static bool notify_link(struct http_req *r, char *to, char *domain, bool take)
{
	enum lg_status (*look)(struct portal_store *, const char *, const char *, int64_t, char *, char *, bool *,
			       struct errbuf *) = take ? portal_link_take : portal_link_get;
	char th[TOKEN_HEX];
	bool found = false;

	if (token_valid(r->target.segs[2])) {
		token_hash(r->target.segs[2], th);
		look(r->p->ps, th, "notify", (int64_t)time(NULL), to, domain, &found, NULL);
	}
	return found;
}

void page_notify_confirm_form(struct http_req *r, struct http_resp *out)
{
	char to[PORTAL_TEXT_MAX], domain[PORTAL_TEXT_MAX];

	if (!notify_link(r, to, domain, false)) {
		message(r, out, 404, "Link not valid", "This link is not valid, was used already or has expired.");
		return;
	}
	{
		struct html_var v[] = {{"to", to},
				       {"what", *domain ? domain : "this address"},
				       {"token", r->target.segs[2]},
				       {"csrf", session_csrf(r, out)}};

		resp_page(r, out, 200, "Confirm leak notices", "notify_confirm.html", v, 4);
	}
}

void page_notify_confirm(struct http_req *r, struct http_resp *out)
{
	char to[PORTAL_TEXT_MAX], domain[PORTAL_TEXT_MAX], tok[TOKEN_LEN + 1], th[TOKEN_HEX];
	struct notify_store *ns = notices(r->p);

	if (!notify_link(r, to, domain, true)) {
		portal_audit(r->p, "anonymous", r->client, "denied", "/notify/confirm/", "unknown, used or expired link");
		message(r, out, 404, "Link not valid", "This link is not valid, was used already or has expired.");
		return;
	}
	notify_unsub_token(r->p->secret, PORTAL_SECRET_LEN, to, tok);
	token_hash(tok, th);
	if (!ns || notify_sub_add(ns, *domain ? "domain" : "address", *domain ? domain : to, to, th, NULL)) {
		resp_error(r, out, 500, "Server error", "The portal could not store the subscription.");
		return;
	}
	token_hash(to, th);
	th[16] = '\0';
	portal_audit(r->p, "anonymous", r->client, "notify-confirmed", *domain ? domain : th, *domain ? th : "address");
	message(r, out, 200, "Notices on",
		*domain ? arena_printf(r->arena, "This mailbox will get a notice when a leak holds data of %s.", domain)
			: "This address will get a notice when a leak we index holds it.");
}

/* ---- the organisation's page: /dashboard/DOMAIN/notify ---- */

/* The path's domain, when this session verified it (as the dashboard). */
static bool verified(struct http_req *r, struct http_resp *out, char *domain, struct portal_session *s)
{
	const char *asked = r->target.segs[1];
	bool yes = false;

	if (facts_domain_norm(asked, domain) && strcmp(domain, asked) == 0 && session_get(r, s))
		portal_session_has_domain(r->p->ps, s->hash, domain, &yes, NULL);
	if (yes)
		return true;
	portal_audit(r->p, "anonymous", r->client, "denied", asked, "notices without verification");
	resp_error(r, out, 403, "Verification needed",
		   "Prove that you control this domain first; until then this portal shows nothing about it.");
	return false;
}

static bool recipient_row(void *ctx, const char *subject, const char *recipient)
{
	struct buf *b = ctx;

	buf_append(b, "<li class=\"recipient\">", 22);
	html_escape(b, recipient);
	buf_append(b, "</li>\n", 6);
	return true;
}

static void org_page(struct http_req *r, struct http_resp *out, const char *domain, const char *note)
{
	struct notify_store *ns = notices(r->p);
	struct buf rows, hooks;

	buf_init(&rows);
	buf_init(&hooks);
	if (ns) {
		notify_sub_each(ns, "domain", domain, recipient_row, &rows, NULL);
		notify_sub_each(ns, "webhook", domain, recipient_row, &hooks, NULL);
	}
	{
		struct html_var v[] = {{"domain", domain},
				       {"state", rows.len || hooks.len ? "on" : "off"},
				       {"recipients", rows.data ? rows.data : ""},
				       {"webhooks", hooks.data ? hooks.data : ""},
				       {"note", note},
				       {"csrf", session_csrf(r, out)}};

		resp_page(r, out, 200, "Leak notices", "notify_org.html", v, 6);
	}
	buf_cleanup(&rows);
	buf_cleanup(&hooks);
}

void page_notify_org(struct http_req *r, struct http_resp *out)
{
	char domain[PORTAL_TEXT_MAX];
	struct portal_session s;

	if (verified(r, out, domain, &s))
		org_page(r, out, domain, "");
}

/* The recipient field as an address at domain or at another domain this
 * session verified ("security" is security@domain); "" when it is not one. */
static void at_domain(struct http_req *r, const struct portal_session *s, const char *field, const char *domain,
		      char *norm)
{
	char d[PORTAL_TEXT_MAX];
	size_t at = 0;
	const char *f = field ? field : "";
	char *full = strchr(f, '@') ? g_strdup(f) : g_strdup_printf("%s@%s", f, domain);
	bool ok = false;

	*norm = '\0';
	leak_email_norm(full, strlen(full), norm, &at);
	if (*norm && facts_domain_norm(strrchr(norm, '@') + 1, d)) {
		ok = strcmp(d, domain) == 0;
		if (!ok)
			portal_session_has_domain(r->p->ps, s->hash, d, &ok, NULL);
	}
	if (!ok)
		*norm = '\0';
	g_free(full);
}

void page_notify_org_add(struct http_req *r, struct http_resp *out)
{
	char domain[PORTAL_TEXT_MAX], to[LEAK_MAX_EMAIL + 1];
	struct portal_session s;

	if (!verified(r, out, domain, &s))
		return;
	at_domain(r, &s, http_param(&r->form, "recipient"), domain, to);
	if (!*to) {
		org_page(r, out, domain, arena_printf(r->arena, "Notices go only to addresses at %s or at another domain you verified.", domain));
		return;
	}
	if (!mail_link(r, to, domain)) {
		resp_error(r, out, 503, "Busy", "The portal could not send the mail now. Please try again in a few minutes.");
		return;
	}
	portal_audit(r->p, session_actor(r, &s), r->client, "notify-recipient-asked", domain, to);
	org_page(r, out, domain,
		 arena_printf(r->arena, "We sent a link to %s. Notices start when it is confirmed.", to));
}

void page_notify_org_remove(struct http_req *r, struct http_resp *out)
{
	char domain[PORTAL_TEXT_MAX], to[LEAK_MAX_EMAIL + 1];
	struct portal_session s;
	struct notify_store *ns;

	if (!verified(r, out, domain, &s))
		return;
	ns = notices(r->p);
	at_domain(r, &s, http_param(&r->form, "recipient"), domain, to);
	if (*to && ns && notify_sub_del_one(ns, "domain", domain, to, NULL) == LG_OK)
		portal_audit(r->p, session_actor(r, &s), r->client, "notify-recipient-removed", domain, to);
	org_page(r, out, domain, *to ? arena_printf(r->arena, "%s gets no more notices for %s.", to, domain) : "");
}

static bool webhook_private(const struct portal *p)
{
	return p->cfg->notify_webhook_private && strcmp(p->cfg->notify_webhook_private, "on") == 0;
}

/* Adds the webhook and shows its signing key (derived again whenever
 * needed from the portal secret, so nothing more is stored). */
void page_webhook_add(struct http_req *r, struct http_resp *out)
{
	char domain[PORTAL_TEXT_MAX], key[TOKEN_LEN + 1];
	const char *url = http_param(&r->form, "url");
	struct portal_session s;
	struct notify_store *ns;
	struct errbuf err = {""};

	if (!verified(r, out, domain, &s))
		return;
	if (!webhook_url_ok(url, webhook_private(r->p), &err)) {
		org_page(r, out, domain, arena_printf(r->arena, "Webhook not added: %s.", err.msg));
		return;
	}
	ns = notices(r->p);
	if (!ns || notify_sub_add(ns, "webhook", domain, url, "", NULL)) {
		resp_error(r, out, 500, "Server error", "The portal could not store the webhook.");
		return;
	}
	webhook_key(r->p->secret, PORTAL_SECRET_LEN, url, key);
	portal_audit(r->p, session_actor(r, &s), r->client, "notify-webhook-added", domain, url);
	org_page(r, out, domain,
		 arena_printf(r->arena, "Webhook added. Its signing key (shown once, keep it secret): %s", key));
}

void page_webhook_remove(struct http_req *r, struct http_resp *out)
{
	char domain[PORTAL_TEXT_MAX];
	const char *url = http_param(&r->form, "url");
	struct portal_session s;
	struct notify_store *ns;

	if (!verified(r, out, domain, &s))
		return;
	ns = notices(r->p);
	if (url && ns && notify_sub_del_one(ns, "webhook", domain, url, NULL) == LG_OK)
		portal_audit(r->p, session_actor(r, &s), r->client, "notify-webhook-removed", domain, url);
	org_page(r, out, domain, "");
}

/* ---- one-click unsubscribe: /u/TOKEN ---- */

void page_unsub_form(struct http_req *r, struct http_resp *out)
{
	struct html_var v[] = {{"token", r->target.segs[1]}};

	if (!token_valid(r->target.segs[1])) {
		message(r, out, 404, "Link not valid", "This unsubscribe link is not valid.");
		return;
	}
	resp_page(r, out, 200, "Stop leak notices", "unsub.html", v, 1);
}

/* RFC 8058: the body is "List-Unsubscribe=One-Click" from a mail client,
 * or the page's button; the token alone decides. */
void page_unsub(struct http_req *r, struct http_resp *out)
{
	const char *tok = r->target.segs[1];
	struct notify_store *ns = notices(r->p);
	char th[TOKEN_HEX];
	int64_t n = 0;

	if (!token_valid(tok)) {
		message(r, out, 404, "Link not valid", "This unsubscribe link is not valid.");
		return;
	}
	token_hash(tok, th);
	if (!ns || notify_sub_del(ns, th, &n, NULL)) {
		resp_error(r, out, 500, "Server error", "The portal could not unsubscribe you now. Please try again.");
		return;
	}
	th[16] = '\0';
	portal_audit(r->p, "anonymous", r->client, "notify-unsubscribed", th, arena_printf(r->arena, "%lld", (long long)n));
	message(r, out, 200, "Unsubscribed",
		n ? "This mailbox gets no more leak notices." : "This mailbox had no subscription (any longer).");
}
