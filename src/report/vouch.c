/* vouch.c: see vouch.h. Authentication-Results after RFC 8601 (only the
 * trusted authserv-id counts, section 5); the SASL login as Postfix and
 * Sendmail hand it to milters in the {auth_authen} macro. */
#include <string.h>

#include <glib.h>

#include "mail/authres.h"
#include "mail/domain.h"
#include "report/vouch.h"

/* "<Jane.Doe@Example.com>" -> "jane.doe@example.com" in out. */
static void bare_address(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; s && *s && n + 1 < size; s++)
		if (*s != '<' && *s != '>' && (unsigned char)*s > ' ')
			out[n++] = g_ascii_tolower(*s);
	out[n] = '\0';
}

/* True when domain is one of [protect] domains or below one. */
static bool own_domain(const struct config *cfg, const char *domain)
{
	if (!domain || !*domain)
		return false;
	for (size_t i = 0; i < cfg->protect_domains.n; i++)
		if (domain_within(domain, cfg->protect_domains.items[i]))
			return true;
	return false;
}

bool report_vouch_dmarc_pass(const struct config *cfg, const struct mail_message *msg)
{
	if (!cfg->trusted_authserv_id || !*cfg->trusted_authserv_id)
		return false;
	for (size_t i = 0; i < msg->nheaders; i++) {
		struct authres ar;

		if (g_ascii_strcasecmp(msg->headers[i].name, "Authentication-Results") != 0)
			continue;
		if (!authres_parse(msg->headers[i].value, &ar) ||
		    g_ascii_strcasecmp(ar.authserv_id, cfg->trusted_authserv_id) != 0)
			continue;
		/* The topmost trusted header is our server's newest word. */
		return ar.dmarc == AUTHRES_PASS;
	}
	return false;
}

void report_vouch_staff(const struct engine *e, const struct config *cfg, const struct vouch_facts *facts,
			const struct mail_message *msg, struct report_vouch *out)
{
	char envelope[320];
	const char *at;

	memset(out, 0, sizeof(*out));
	bare_address(facts ? facts->envelope : NULL, envelope, sizeof(envelope));
	if (facts && facts->auth_login && *facts->auth_login) {
		out->kind = REPORT_VOUCH_AUTH;
		bare_address(facts->auth_login, out->identity, sizeof(out->identity));
		g_strlcpy(out->reply_to, envelope, sizeof(out->reply_to));
		if (*out->identity)
			return;
	}
	at = strrchr(envelope, '@');
	if (facts && facts->client_ip && engine_is_trusted_relay(e, facts->client_ip) && at &&
	    own_domain(cfg, at + 1)) {
		out->kind = REPORT_VOUCH_RELAY;
		g_strlcpy(out->identity, envelope, sizeof(out->identity));
		g_strlcpy(out->reply_to, envelope, sizeof(out->reply_to));
		return;
	}
	if (msg && msg->has_from && *msg->from.addr && own_domain(cfg, msg->from.domain) &&
	    report_vouch_dmarc_pass(cfg, msg)) {
		out->kind = REPORT_VOUCH_DMARC;
		bare_address(msg->from.addr, out->identity, sizeof(out->identity));
		g_strlcpy(out->reply_to, out->identity, sizeof(out->reply_to));
		return;
	}
	memset(out, 0, sizeof(*out));
}

bool report_vouch_history(const struct engine *e, const struct config *cfg, const struct vouch_facts *facts,
			  const struct mail_message *msg)
{
	struct report_vouch v;

	if (!msg->has_from || !*msg->from.domain)
		return false;
	if (own_domain(cfg, msg->from.domain)) {
		report_vouch_staff(e, cfg, facts, msg, &v);
		return v.kind != REPORT_VOUCH_NONE;
	}
	return report_vouch_dmarc_pass(cfg, msg);
}

const char *report_vouch_kind_name(enum report_vouch_kind k)
{
	switch (k) {
	case REPORT_VOUCH_AUTH: return "authenticated";
	case REPORT_VOUCH_RELAY: return "trusted relay";
	case REPORT_VOUCH_DMARC: return "own domain, DMARC pass";
	case REPORT_VOUCH_NONE: break;
	}
	return "none";
}
