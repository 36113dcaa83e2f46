/* links.c: deceptive links — visible text naming one site while the link
 * goes to another, bare IP hosts, punycode, user-info before '@' hiding the
 * real host, shorteners, login-looking paths on unrelated sites, and forms.
 * Redirectors are unwrapped first (env.h facts), so a safelinks-wrapped
 * link is judged by where it finally goes. */
#include <ctype.h>
#include <string.h>

#include "detect/brands.h"
#include "detect/env.h"
#include "mail/domain.h"
#include "mail/url.h"

static const char *const shorteners[] = {
	"bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly",
	"cutt.ly", "shorturl.at", "tiny.cc", "rb.gy", "s.id", "t.ly", "bl.ink", "lnkd.in",
	"shorte.st", "adf.ly", "v.gd", "qrco.de", "tiny.one", "soo.gd", NULL,
};

/* Path words of login and account pages that phishing kits copy. */
static const char *const credential_words[] = {
	"login", "log-in", "signin", "sign-in", "logon", "verify", "verification", "webscr",
	"account-update", "update-account", "secure-update", "password", "credential",
	"validate", "unlock", "reactivate", "auth/", "/owa", "wp-login", NULL,
};

static bool in_list(const char *const *list, const char *s)
{
	for (int i = 0; s && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* Visible text that itself reads as an address: "https://x", "www.x.y", "x.com". */
static bool text_is_address(const char *t)
{
	size_t n;

	while (isspace((unsigned char)*t))
		t++;
	n = strlen(t);
	while (n && isspace((unsigned char)t[n - 1]))
		n--;
	if (n < 4 || memchr(t, ' ', n))
		return false;
	if (g_ascii_strncasecmp(t, "http://", 7) == 0 || g_ascii_strncasecmp(t, "https://", 8) == 0 ||
	    g_ascii_strncasecmp(t, "www.", 4) == 0)
		return true;
	return memchr(t, '.', n) && !memchr(t, '@', n);
}

static void check_text_mismatch(const struct detect_env *env, const struct mail_message *msg,
				const struct detect_link *l,
				struct signal_list *out)
{
	struct arena *a = msg->arena;
	const char *text = l->link->text, *shown_reg;
	char *trimmed;
	struct url_parts shown;

	if (l->link->origin != MAIL_LINK_HTML_A || !text || !text_is_address(text) || !l->registrable)
		return;
	trimmed = g_strstrip(arena_strdup(a, text));
	if (!strstr(trimmed, "://"))
		trimmed = arena_printf(a, "http://%s", trimmed);
	if (!url_parse(a, trimmed, &shown) || shown.host_is_ip)
		return;
	shown_reg = domain_registrable(a, shown.host);
	if (!shown_reg || strcmp(shown_reg, l->registrable) == 0)
		return;
	/* Newsletters show their own name over a click-tracker; showing a
	 * protected or brand domain over another host is the phisher's move. */
	signal_add(out, SIG_LINK_TEXT_MISMATCH, lookalike_is_protected(env->protected, shown.host) ? 1.0 : 0.5,
		   "A link shows %s but really goes to %s.",
		   shown.host, l->target.host);
}

static bool credential_path(const char *path)
{
	char *lower = g_ascii_strdown(path, -1);
	bool hit = false;

	for (int i = 0; credential_words[i] && !hit; i++)
		hit = strstr(lower, credential_words[i]) != NULL;
	g_free(lower);
	return hit;
}

static bool same_org(const char *registrable, const struct mail_message *msg)
{
	const char *from = *msg->from.domain ? env_org_of(msg->arena, msg->from.domain) : NULL;

	return from && strcmp(from, registrable) == 0;
}

static void check_link(const struct detect_env *env, const struct mail_message *msg,
		       const struct detect_link *l, struct signal_list *out)
{
	struct arena *a = msg->arena;
	const struct url_parts *u = &l->target;

	check_text_mismatch(env, msg, l, out);
	/* Quishing: a code to scan with a phone, where no filter follows it. */
	if (l->link->origin == MAIL_LINK_QR && l->registrable && !same_org(l->registrable, msg) &&
	    !env_is_own(env, u->host))
		signal_add(out, SIG_QR_CODE_LINK, 1.0,
			   "An image holds a QR code that leads to %s, not to the sender's site; scanning it with a phone skips every check your mail gets.",
			   u->host);
	if (u->host_is_ip)
		signal_add(out, SIG_LINK_IP_HOST, 1.0,
			   "A link goes to a bare internet address (%s) instead of a named site.", u->host);
	if (u->host_is_punycode || u->host_has_non_ascii)
		signal_add(out, SIG_LINK_PUNYCODE, 1.0,
			   "A link's site name is written in encoded international letters (%s, shown as %s).",
			   u->host, domain_to_unicode(a, u->host));
	if (l->url.userinfo && *l->url.userinfo)
		signal_add(out, SIG_LINK_USERINFO, 1.0,
			   "A link starts with '%s@' to look like another site, but really goes to %s.",
			   l->url.userinfo, l->url.host);
	if (in_list(shorteners, l->registrable) || in_list(shorteners, u->host))
		signal_add(out, SIG_LINK_SHORTENER, 1.0,
			   "A link goes through the URL shortener %s, which hides where it really leads.",
			   u->host);
	/* A login page on the sender's own site is normal (newsletters link to
	 * their account pages); on a third site it is what phishing kits do. */
	if (!u->host_is_ip && l->registrable && !lookalike_is_protected(env->protected, u->host) &&
	    !brands_owner(env->catalogue, u->host) &&
	    !env_is_own(env, u->host) && !same_org(l->registrable, msg) && credential_path(u->path))
		signal_add(out, SIG_LINK_CREDENTIAL_PATH, 1.0,
			   "A link leads to a login or account page on %s, a site unrelated to the services it names.",
			   u->host);
}

void detect_links(const struct detect_env *env, const struct mail_message *msg,
		  const struct detect_facts *facts, struct signal_list *out)
{
	for (size_t i = 0; i < facts->nlinks; i++)
		if (facts->links[i].parsed && facts->links[i].link->origin != MAIL_LINK_HTML_OTHER)
			check_link(env, msg, &facts->links[i], out);
	/* A form beside a request for account details is the phish itself
	 * (urgency.c runs first); a lone form is often a newsletter's search box
	 * (bench/phish.sh: 44 of 2075 ham hold one, 2 of 4522 phishing). */
	bool asks = msg->has_password_field || signal_has(out, SIG_CREDENTIAL_REQUEST);

	if (msg->has_form)
		signal_add(out, SIG_HTML_FORM, asks ? 1.0 : 0.2,
			   asks
				   ? "The message contains a form asking for a password or account details; never type those into an email."
				   : "The message contains a form to fill in; real services send you to their site instead.");
}
