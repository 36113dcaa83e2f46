/* vouch.c: see vouch.h. Authentication-Results after RFC 8601 (only the
 * trusted authserv-id counts, section 5, and only its topmost header); the
 * SASL login as Postfix and Sendmail hand it to milters in the
 * {auth_authen} macro; DMARC identifier alignment after RFC 7489 3.1
 * (relaxed: the same organisational domain). */
#include <string.h>

#include <glib.h>

#include "detect/iplist.h"
#include "mail/authres.h"
#include "mail/domain.h"
#include "report/vouch.h"

void report_vouch_canonical(const char *s, char *out, size_t size)
{
	char local[320], domain[320];
	size_t nl = 0, nd = 0;
	bool quoted = false, in_domain = false;
	const char *at = NULL;
	char *plus;

	out[0] = '\0';
	if (!s || size == 0)
		return;
	/* The last '@' outside quotes separates the domain. */
	for (const char *p = s; *p; p++) {
		if (*p == '\\' && quoted && p[1])
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == '@' && !quoted)
			at = p;
	}
	quoted = false;
	for (const char *p = s; *p; p++) {
		char c = *p;

		if (p == at) {
			in_domain = true;
			continue;
		}
		if (c == '"' && !in_domain) {
			quoted = !quoted;
			continue;
		}
		if (c == '\\' && quoted && p[1])
			c = *++p;
		else if (c == '<' || c == '>' || (unsigned char)c <= ' ')
			continue;
		if (in_domain ? nd + 1 < sizeof(domain) : nl + 1 < sizeof(local)) {
			if (in_domain)
				domain[nd++] = g_ascii_tolower(c);
			else
				local[nl++] = g_ascii_tolower(c);
		}
	}
	local[nl] = '\0';
	while (nd > 0 && domain[nd - 1] == '.')
		nd--;
	domain[nd] = '\0';
	/* "alice+tag": one mailbox at every provider that delivers tags. */
	plus = strchr(local, '+');
	if (plus && plus != local)
		*plus = '\0';
	if (at)
		g_snprintf(out, size, "%s@%s", local, domain);
	else
		g_strlcpy(out, local, size);
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

/* True when the canonical address addr is at an own domain. */
static bool own_address(const struct config *cfg, const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at && at > addr && own_domain(cfg, at + 1);
}

bool report_vouch_own_address(const struct config *cfg, const char *addr)
{
	char canon[320];

	report_vouch_canonical(addr, canon, sizeof(canon));
	return own_address(cfg, canon);
}

/* True when ip is one of [relays] submission. An entry that is no address
 * or network never matches (the milter's settings refuse it at start). */
static bool submission_host(const struct config *cfg, const char *ip)
{
	struct iplist *l;
	bool in;

	if (!ip || !cfg->submission_relays.n)
		return false;
	l = iplist_new();
	for (size_t i = 0; i < cfg->submission_relays.n; i++) {
		struct errbuf ignored = {""};

		(void)iplist_add(l, cfg->submission_relays.items[i], &ignored);
	}
	in = iplist_contains(l, ip);
	iplist_free(&l);
	return in;
}

/* Addresses in one From value: '@' outside quoted strings and comments. */
static unsigned at_signs(const char *v)
{
	unsigned n = 0;
	int depth = 0;
	bool quoted = false;

	for (; *v; v++) {
		if (*v == '\\' && v[1])
			v++;
		else if (!depth && *v == '"')
			quoted = !quoted;
		else if (!quoted && *v == '(')
			depth++;
		else if (!quoted && *v == ')' && depth > 0)
			depth--;
		else if (!quoted && !depth && *v == '@')
			n++;
	}
	return n;
}

bool report_vouch_single_from(const struct mail_message *msg)
{
	const char *value = NULL;
	struct mail_address a[2];

	if (!msg->has_from || !*msg->from.domain)
		return false;
	for (size_t i = 0; i < msg->nheaders; i++) {
		if (g_ascii_strcasecmp(msg->headers[i].name, "From") != 0)
			continue;
		if (value)
			return false; /* two From fields */
		value = msg->headers[i].value;
	}
	return value && at_signs(value) == 1 && mail_address_list(msg->arena, value, a, 2) == 1 &&
	       g_ascii_strcasecmp(a[0].domain, msg->from.domain) == 0;
}

bool report_vouch_trusted_ar(const struct config *cfg, const struct mail_message *msg, struct authres *out)
{
	memset(out, 0, sizeof(*out));
	if (!cfg->trusted_authserv_id || !*cfg->trusted_authserv_id)
		return false;
	for (size_t i = 0; i < msg->nheaders; i++) {
		if (g_ascii_strcasecmp(msg->headers[i].name, "Authentication-Results") != 0)
			continue;
		if (!authres_parse(msg->headers[i].value, out) ||
		    g_ascii_strcasecmp(out->authserv_id, cfg->trusted_authserv_id) != 0)
			continue;
		/* The topmost trusted header is our server's newest word; a
		 * broken one still hides those below it. */
		if (out->malformed) {
			memset(out, 0, sizeof(*out));
			out->malformed = true;
		}
		return true;
	}
	memset(out, 0, sizeof(*out));
	return false;
}

bool report_vouch_dmarc_pass(const struct config *cfg, const struct mail_message *msg)
{
	struct authres ar;

	if (!report_vouch_single_from(msg) || !report_vouch_trusted_ar(cfg, msg, &ar))
		return false;
	return ar.dmarc == AUTHRES_PASS && g_ascii_strcasecmp(ar.dmarc_from, msg->from.domain) == 0;
}

/* True when a and b have the same organisational domain. */
static bool aligned(struct arena *arena, const char *a, const char *b)
{
	const char *oa = *a ? domain_registrable(arena, a) : NULL, *ob = *b ? domain_registrable(arena, b) : NULL;

	return oa && ob && strcmp(oa, ob) == 0;
}

bool report_vouch_sender_authenticated(const struct config *cfg, const struct mail_message *msg, char *why,
				       size_t size)
{
	struct authres ar;
	const char *d = msg->from.domain;

	g_strlcpy(why, "", size);
	if (!report_vouch_single_from(msg)) {
		g_strlcpy(why, "the message has no single From address", size);
		return false;
	}
	if (!report_vouch_trusted_ar(cfg, msg, &ar)) {
		g_snprintf(why, size, "no Authentication-Results of %s on the message: nothing shows it came from %s",
			   cfg->trusted_authserv_id && *cfg->trusted_authserv_id ? cfg->trusted_authserv_id
										: "[auth] trusted_authserv_id",
			   d);
		return false;
	}
	if (ar.dmarc == AUTHRES_PASS && g_ascii_strcasecmp(ar.dmarc_from, d) == 0)
		return true;
	if (ar.dkim_any_pass && aligned(msg->arena, ar.dkim_pass_domain, d))
		return true;
	if (ar.spf == AUTHRES_PASS && aligned(msg->arena, ar.spf_domain, d))
		return true;
	g_snprintf(why, size, "%s did not authenticate it as mail from %s (dmarc=%s%s)", cfg->trusted_authserv_id, d,
		   authres_result_name(ar.dmarc), ar.ambiguous ? ", ambiguous" : ar.malformed ? ", unreadable" : "");
	return false;
}

/* The SASL proof: a local name (the default realm is the first protected
 * domain) or an address at a protected domain. */
static bool auth_staff(const struct config *cfg, const char *login, struct report_vouch *out)
{
	char canon[320];

	report_vouch_canonical(login, canon, sizeof(canon));
	if (!*canon)
		return false;
	if (!strchr(canon, '@')) {
		if (!cfg->protect_domains.n)
			return false;
		char *full = g_strdup_printf("%s@%s", canon, cfg->protect_domains.items[0]);

		report_vouch_canonical(full, out->identity, sizeof(out->identity));
		g_free(full);
	} else if (own_address(cfg, canon)) {
		g_strlcpy(out->identity, canon, sizeof(out->identity));
	} else {
		return false; /* another tenant's or a customer's account */
	}
	out->kind = REPORT_VOUCH_AUTH;
	g_strlcpy(out->reply_to, out->identity, sizeof(out->reply_to));
	return true;
}

void report_vouch_staff(const struct engine *e, const struct config *cfg, const struct vouch_facts *facts,
			const struct mail_message *msg, struct report_vouch *out)
{
	char envelope[320];

	(void)e;
	memset(out, 0, sizeof(*out));
	report_vouch_canonical(facts ? facts->envelope : NULL, envelope, sizeof(envelope));
	if (facts && facts->auth_login && *facts->auth_login && auth_staff(cfg, facts->auth_login, out))
		return;
	memset(out, 0, sizeof(*out));
	if (facts && submission_host(cfg, facts->client_ip) && own_address(cfg, envelope)) {
		out->kind = REPORT_VOUCH_RELAY;
		g_strlcpy(out->identity, envelope, sizeof(out->identity));
		g_strlcpy(out->reply_to, envelope, sizeof(out->reply_to));
		return;
	}
	if (msg && own_domain(cfg, msg->from.domain) && report_vouch_dmarc_pass(cfg, msg)) {
		out->kind = REPORT_VOUCH_DMARC;
		report_vouch_canonical(msg->from.addr, out->identity, sizeof(out->identity));
		g_strlcpy(out->reply_to, out->identity, sizeof(out->reply_to));
		if (own_address(cfg, out->identity))
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
	case REPORT_VOUCH_RELAY: return "submission host";
	case REPORT_VOUCH_DMARC: return "own domain, DMARC pass";
	case REPORT_VOUCH_NONE: break;
	}
	return "none";
}
