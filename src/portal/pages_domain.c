/* pages_domain.c: proving control of a domain — the challenge (bound to the
 * browser's session), its three checks (DNS TXT, web file, mailed link),
 * and the confirmation of a mailed link (ROUTES.md). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "portal/facts.h"
#include "portal/mailq.h"
#include "portal/router.h"
#include "portal/session.h"
#include "portal/token.h"
#include "portal/verify.h"

void page_domain_form(struct http_req *r, struct http_resp *out)
{
	struct html_var v[] = {{"csrf", session_csrf(r, out)}, {"domain", ""}, {"error", ""}};

	resp_page(r, out, 200, "For organisations", "domain.html", v, 3);
}

void page_domain_start(struct http_req *r, struct http_resp *out)
{
	struct portal_challenge c = {0};
	struct portal_session s;
	char tok[TOKEN_LEN + 1], id[TOKEN_LEN + 1];
	const char *typed = http_param(&r->form, "domain");

	if (!facts_domain_norm(typed, c.domain)) {
		struct html_var v[] = {{"csrf", session_csrf(r, out)},
				       {"domain", typed ? typed : ""},
				       {"error", "<p class=\"error\" id=\"domain-error\" role=\"alert\">That is not a domain name "
						 "we can verify. Enter your organisation's domain, such as example.com.</p>"}};

		resp_page(r, out, 400, "For organisations", "domain.html", v, 3);
		return;
	}
	if (!session_ensure(r, out, &s) || !token_new(tok) || !token_new(id)) {
		resp_error(r, out, 500, "Server error", "The portal could not start the verification.");
		return;
	}
	id[22] = '\0'; /* 128 bits name a challenge; the token is the secret */
	g_strlcpy(c.id, id, sizeof(c.id));
	g_strlcpy(c.session, s.hash, sizeof(c.session));
	g_strlcpy(c.token, tok, sizeof(c.token));
	c.expires = (int64_t)time(NULL) + r->p->set.challenge_ttl;
	if (portal_challenge_add(r->p->ps, &c, NULL)) {
		resp_error(r, out, 500, "Server error", "The portal could not start the verification.");
		return;
	}
	portal_audit(r->p, session_actor(r, &s), r->client, "domain-challenge", c.domain, "");
	resp_redirect(r, out, arena_printf(r->arena, "/verify/%s", c.id));
}

/* The challenge named in the path, when it belongs to this session. */
static bool own_challenge(struct http_req *r, struct portal_challenge *c, struct portal_session *s)
{
	bool found = false;

	if (!session_get(r, s))
		return false;
	if (portal_challenge_get(r->p->ps, r->target.segs[1], (int64_t)time(NULL), c, &found, NULL) || !found)
		return false;
	return token_equal(c->session, s->hash);
}

static void show_verify(struct http_req *r, struct http_resp *out, const struct portal_challenge *c,
			const char *status)
{
	char *url = verify_web_url(r->p->set.web_verify_url, c->domain);
	char days[24];
	struct html_var v[] = {{"domain", c->domain}, {"id", c->id},	   {"token", c->token}, {"web_url", url},
			       {"csrf", session_csrf(r, out)}, {"status", status}, {"days", days}};

	snprintf(days, sizeof(days), "%lld", (long long)(r->p->set.challenge_ttl / 86400));
	resp_page(r, out, 200, "Verify your domain", "verify.html", v, sizeof(v) / sizeof(v[0]));
	g_free(url);
}

static void no_challenge(struct http_req *r, struct http_resp *out)
{
	resp_error(r, out, 404, "Not found",
		   "This verification does not exist, has expired or was started in another browser. Start again.");
}

void page_verify(struct http_req *r, struct http_resp *out)
{
	struct portal_challenge c;
	struct portal_session s;

	if (!own_challenge(r, &c, &s)) {
		no_challenge(r, out);
		return;
	}
	show_verify(r, out, &c, "Choose one of the three ways below.");
}

/* Marks the domain verified for session s, under a new session id, and
 * opens its dashboard. */
static void verified(struct http_req *r, struct http_resp *out, struct portal_session *s, const char *domain,
		     const char *method)
{
	if (!session_rotate(r, out, s) || portal_session_domain_add(r->p->ps, s->hash, domain, method, NULL)) {
		resp_error(r, out, 500, "Server error", "The portal could not record the verification.");
		return;
	}
	portal_audit(r->p, session_actor(r, s), r->client, arena_printf(r->arena, "verify-%s", method), domain, "");
	resp_redirect(r, out, arena_printf(r->arena, "/dashboard/%s", domain));
}

static void check(struct http_req *r, struct http_resp *out, bool dns)
{
	struct portal_challenge c;
	struct portal_session s;
	char why[512] = "";
	bool ok;

	if (!own_challenge(r, &c, &s)) {
		no_challenge(r, out);
		return;
	}
	ok = dns ? verify_dns(r->p->set.dns_resolver, c.domain, c.token, why, sizeof(why))
		 : verify_web(r->p->set.web_verify_url, c.domain, c.token, why, sizeof(why));
	if (ok) {
		verified(r, out, &s, c.domain, dns ? "dns" : "web");
		return;
	}
	portal_audit(r->p, session_actor(r, &s), r->client, "verify-failed", c.domain, why);
	show_verify(r, out, &c, why);
}

void page_verify_dns(struct http_req *r, struct http_resp *out)
{
	check(r, out, true);
}

void page_verify_web(struct http_req *r, struct http_resp *out)
{
	check(r, out, false);
}

/* Whether domain is in [protect] freemail. */
static bool freemail(const struct config *cfg, const char *domain)
{
	for (size_t i = 0; cfg && i < cfg->freemail.n; i++)
		if (g_ascii_strcasecmp(cfg->freemail.items[i], domain) == 0)
			return true;
	return false;
}

void page_verify_mail(struct http_req *r, struct http_resp *out)
{
	static const char *const boxes[] = {"postmaster", "security", "admin"};
	const char *box = http_param(&r->form, "mailbox");
	struct portal_challenge c;
	struct portal_session s;
	struct mailq_job j = {.kind = MAILQ_CONFIRM};
	char tok[TOKEN_LEN + 1], th[TOKEN_HEX];
	bool known = false;

	if (!own_challenge(r, &c, &s)) {
		no_challenge(r, out);
		return;
	}
	for (size_t i = 0; box && i < 3; i++)
		known |= strcmp(box, boxes[i]) == 0;
	if (!known) {
		show_verify(r, out, &c, "Choose postmaster, security or admin.");
		return;
	}
	/* at a free-mail provider anyone may be able to sign up as security@
	 * (or admin@): a mailbox there proves nothing about the domain */
	if (freemail(r->p->cfg, c.domain)) {
		portal_audit(r->p, session_actor(r, &s), r->client, "verify-failed", c.domain, "free-mail provider");
		show_verify(r, out, &c,
			    arena_printf(r->arena,
					 "%s is a free-mail provider ([protect] freemail): its mailboxes prove nothing about "
					 "the domain. Use the DNS record or the web file.",
					 c.domain));
		return;
	}
	if (!token_new(tok)) {
		resp_error(r, out, 500, "Server error", "The portal could not make a link.");
		return;
	}
	token_hash(tok, th);
	g_strlcpy(j.to, arena_printf(r->arena, "%s@%s", box, c.domain), sizeof(j.to));
	g_strlcpy(j.domain, c.domain, sizeof(j.domain));
	snprintf(j.link, sizeof(j.link), "%s/confirm/%s", r->p->set.base_url, tok);
	if (portal_link_add(r->p->ps, th, "confirm", c.domain, c.id, (int64_t)time(NULL) + r->p->set.mail_link_ttl, NULL) ||
	    !mailq_push(r->p->mq, &j)) {
		resp_error(r, out, 503, "Busy", "The portal could not send the mail now. Please try again in a few minutes.");
		return;
	}
	portal_audit(r->p, session_actor(r, &s), r->client, "verify-mail-sent", c.domain, j.to);
	show_verify(r, out, &c, arena_printf(r->arena, "We sent a link to %s. Open it to confirm.", j.to));
}

/* The domain and challenge of a mailed confirmation token, if valid;
 * take uses it up (a confirmation link works once). */
static bool confirm_link(struct http_req *r, char *domain, char *challenge, bool take)
{
	const char *tok = r->target.segs[1];
	char th[TOKEN_HEX];
	bool found = false;

	if (!token_valid(tok))
		return false;
	token_hash(tok, th);
	if (take)
		return !portal_link_take(r->p->ps, th, "confirm", (int64_t)time(NULL), domain, challenge, &found, NULL) &&
		       found;
	return !portal_link_get(r->p->ps, th, "confirm", (int64_t)time(NULL), domain, challenge, &found, NULL) && found;
}

void page_confirm_form(struct http_req *r, struct http_resp *out)
{
	char domain[PORTAL_TEXT_MAX], challenge[PORTAL_TEXT_MAX];

	if (!confirm_link(r, domain, challenge, false)) {
		resp_error(r, out, 404, "Link not valid", "This link is not valid, was used already or has expired.");
		return;
	}
	{
		struct html_var v[] = {{"domain", domain}, {"token", r->target.segs[1]}, {"csrf", session_csrf(r, out)}};

		resp_page(r, out, 200, "Confirm access", "confirm.html", v, 3);
	}
}

void page_confirm(struct http_req *r, struct http_resp *out)
{
	char domain[PORTAL_TEXT_MAX], challenge[PORTAL_TEXT_MAX];
	struct portal_session s;

	if (!confirm_link(r, domain, challenge, true)) {
		portal_audit(r->p, "anonymous", r->client, "denied", "/confirm/", "unknown, used or expired confirmation link");
		resp_error(r, out, 404, "Link not valid", "This link is not valid, was used already or has expired.");
		return;
	}
	if (!session_ensure(r, out, &s)) {
		resp_error(r, out, 500, "Server error", "The portal could not start a session.");
		return;
	}
	portal_audit(r->p, session_actor(r, &s), r->client, "verify-confirmed", domain, challenge);
	verified(r, out, &s, domain, "mail");
}
