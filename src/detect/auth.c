/* auth.c: SPF, DKIM and DMARC results as recorded by our own border MTA in
 * Authentication-Results (RFC 8601). Only headers carrying the configured
 * trusted authserv-id count: anyone can write such a header, and RFC 8601
 * section 5 says to ignore the ones we did not add. A pass shows the mail
 * really comes from its From domain — which says nothing when that domain is
 * itself a lookalike, so a pass never offsets a lookalike signal. */
#include <string.h>

#include "detect/env.h"
#include "mail/authres.h"

/* Merges all trusted headers; the first result seen for a method wins
 * (the topmost header is the newest, added by our own server). */
static bool trusted_results(const struct detect_env *env, const struct mail_message *msg, struct authres *out)
{
	bool found = false;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < msg->nheaders; i++) {
		struct authres ar;

		if (g_ascii_strcasecmp(msg->headers[i].name, "Authentication-Results") != 0)
			continue;
		if (!authres_parse(msg->headers[i].value, &ar) || strcmp(ar.authserv_id, env->authserv_id) != 0)
			continue;
		found = true;
		if (!out->spf)
			out->spf = ar.spf;
		if (!out->dkim)
			out->dkim = ar.dkim;
		if (!out->dmarc)
			out->dmarc = ar.dmarc;
		out->dkim_any_pass |= ar.dkim_any_pass;
	}
	return found;
}

static bool lookalike_sender(const struct signal_list *out)
{
	return signal_has(out, SIG_LOOKALIKE_SENDER) || signal_has(out, SIG_MIXED_SCRIPT_DOMAIN);
}

void detect_auth(const struct detect_env *env, const struct mail_message *msg,
		 const struct detect_facts *facts, struct signal_list *out)
{
	const char *domain = *msg->from.domain ? msg->from.domain : "(unknown)";
	struct authres ar;

	(void)facts;
	if (!env->authserv_id || !trusted_results(env, msg, &ar))
		return;
	if (ar.spf == AUTHRES_FAIL || ar.spf == AUTHRES_SOFTFAIL)
		signal_add(out, SIG_AUTH_SPF_FAIL, ar.spf == AUTHRES_FAIL ? 1.0 : 0.5,
			   "The server that delivered this mail is not allowed to send mail for %s (SPF %s).",
			   domain, authres_result_name(ar.spf));
	if (ar.dkim == AUTHRES_FAIL && !ar.dkim_any_pass)
		signal_add(out, SIG_AUTH_DKIM_FAIL, 1.0,
			   "The mail's digital signature does not match its content (DKIM fail): it was altered or forged.");
	if (ar.dmarc == AUTHRES_FAIL)
		signal_add(out, SIG_AUTH_DMARC_FAIL, 1.0,
			   "%s says mail like this one is not from it (DMARC fail): the sender is probably forged.", domain);
	/* A pass at a free-mail provider proves only that someone has an
	 * account there. */
	if (ar.dmarc == AUTHRES_PASS && !lookalike_sender(out) &&
	    !g_hash_table_contains(env->freemail, msg->from.domain))
		signal_add(out, SIG_AUTH_PASS, 1.0, "The mail is verified to come from %s (DMARC pass).", domain);
}
