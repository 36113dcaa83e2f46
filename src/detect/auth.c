/* auth.c: is the sender who it says it is? Two sources of answers.
 *
 * 1. SPF, DKIM and DMARC results (RFC 7208, 6376, 7489): recorded by our own
 *    border MTA in Authentication-Results (RFC 8601), or verified by
 *    leakguard itself (src/auth/, facts->verified). Only headers carrying the
 *    configured trusted authserv-id count: anyone can write such a header,
 *    and RFC 8601 section 5 says to ignore the ones we did not add. A pass
 *    shows the mail really comes from its From domain — which says nothing
 *    when that domain is itself a lookalike, so a pass never offsets a
 *    lookalike signal.
 * 2. Without DNS: mail that says it is from one of our own domains must
 *    have entered through our own relays, been submitted with SMTP AUTH
 *    (RFC 4954, recorded as ESMTPA/ESMTPSA by RFC 3848), or come from a
 *    sending service we declared ([relays] senders). Anything else is the
 *    oldest business-email-compromise trick: a forged own-domain From. */
#include <string.h>

#include "detect/env.h"
#include "mail/authres.h"
#include "mail/domain.h"
#include "mail/received.h"

/* Merges all trusted headers; the first result seen for a method wins
 * (the topmost header is the newest, added by our own server). */
static bool trusted_results(const struct detect_env *env, const struct mail_message *msg, struct authres *out)
{
	bool found = false;

	memset(out, 0, sizeof(*out));
	if (!env->authserv_id)
		return false;
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
		if (!*out->dkim_pass_domain)
			memcpy(out->dkim_pass_domain, ar.dkim_pass_domain, sizeof(out->dkim_pass_domain));
	}
	return found;
}

static bool lookalike_sender(const struct signal_list *out)
{
	return signal_has(out, SIG_LOOKALIKE_SENDER) || signal_has(out, SIG_MIXED_SCRIPT_DOMAIN);
}

/* The own domain the message claims to be from: the From domain, else the
 * Sender domain (RFC 5322 3.6.2); NULL when neither is ours. Partners'
 * domains are protected from lookalikes but send from their own servers. */
static const char *claimed_own_domain(const struct detect_env *env, const struct mail_message *msg)
{
	if (msg->has_from && *msg->from.domain && env_is_own(env, msg->from.domain) &&
	    !env_is_partner(env, msg->from.domain))
		return msg->from.domain;
	if (msg->has_sender && *msg->sender.domain && env_is_own(env, msg->sender.domain) &&
	    !env_is_partner(env, msg->sender.domain))
		return msg->sender.domain;
	return NULL;
}

/* A DMARC pass, or a passing DKIM signature of the claimed domain's
 * organisation (DMARC's relaxed alignment, RFC 7489 3.1.1). */
static bool authenticated_as(struct arena *a, const struct authres *ar, const char *domain)
{
	const char *org;

	if (ar->dmarc == AUTHRES_PASS)
		return true;
	if (!*ar->dkim_pass_domain)
		return false;
	org = env_org_of(a, domain);
	return strcmp(env_org_of(a, ar->dkim_pass_domain), org) == 0;
}

static void check_own_domain(const struct detect_env *env, const struct mail_message *msg,
			     const struct detect_facts *facts, const struct authres *ar, struct signal_list *out)
{
	const char *domain = claimed_own_domain(env, msg), *opener;

	if (!domain || !facts->sender_ip || facts->smtp_auth_user)
		return;
	if (iplist_contains(env->senders, facts->sender_ip))
		return;
	/* Only the header our border wrote counts: the ones below it are the
	 * sender's own words. */
	if (facts->sender_hop && received_authenticated(facts->sender_hop))
		return;
	if (ar && authenticated_as(msg->arena, ar, domain))
		return;
	/* A colleague's post to an outside mailing list comes back from the
	 * list's server: still worth a word, not a verdict. */
	if (facts->list_mail) {
		signal_add(out, SIG_OWN_DOMAIN_SPOOFED, 0.25,
			   "This mailing-list mail says it is from %s, your own domain, but it came from %s, "
			   "a server outside your organisation.", domain, facts->sender_ip);
		return;
	}
	signal_add(out, SIG_OWN_DOMAIN_SPOOFED, 1.0,
		   "This mail says it is from %s, your own domain, but it came from %s, a server outside your "
		   "organisation, without signing in to your mail server.", domain, facts->sender_ip);
	opener = sender_bec_opener(msg);
	if (opener)
		signal_add(out, SIG_IMPERSONATION_OPENER, 1.0,
			   "Someone posing as %s of your own organisation starts with '%s', the way CEO fraud "
			   "starts: check with them in person or by phone before you do anything.",
			   *msg->from.display ? msg->from.display : msg->from.addr, opener);
}

/* A DMARC failure weighs what the domain asked for (RFC 7489 6.3 p=): a
 * protected domain that says "reject" is being forged. */
static void dmarc_failed(const struct detect_env *env, const struct authres *ar, const char *domain,
			 struct signal_list *out)
{
	bool protected = env_is_own(env, domain) || env_is_partner(env, domain) ||
			 lookalike_is_protected(env->protected, domain);

	if (ar->dmarc_policy == 'r' && protected) {
		signal_add(out, SIG_AUTH_DMARC_REJECT, 1.0,
			   "%s tells every mail server to refuse mail that fails its checks (DMARC p=reject), and this "
			   "mail fails them: it is not from %s.", domain, domain);
		return;
	}
	signal_add(out, SIG_AUTH_DMARC_FAIL, ar->dmarc_policy == 'n' ? 0.3 : 1.0,
		   "%s says mail like this one is not from it (DMARC fail%s): the sender is probably forged.", domain,
		   ar->dmarc_policy == 'r' ? ", policy reject" : ar->dmarc_policy == 'q' ? ", policy quarantine"
		   : ar->dmarc_policy == 'n' ? ", policy none" : "");
}

void detect_auth(const struct detect_env *env, const struct mail_message *msg,
		 const struct detect_facts *facts, struct signal_list *out)
{
	const char *domain = *msg->from.domain ? msg->from.domain : "(unknown)";
	struct authres ar;
	bool have;

	if (facts->verified) {
		ar = *facts->verified;
		have = true;
	} else {
		have = trusted_results(env, msg, &ar);
	}
	check_own_domain(env, msg, facts, have ? &ar : NULL, out);
	if (!have)
		return;
	if (ar.spf == AUTHRES_FAIL || ar.spf == AUTHRES_SOFTFAIL)
		signal_add(out, SIG_AUTH_SPF_FAIL, ar.spf == AUTHRES_FAIL ? 1.0 : 0.5,
			   "The server that delivered this mail is not allowed to send mail for %s (SPF %s).",
			   domain, authres_result_name(ar.spf));
	if (ar.dkim == AUTHRES_FAIL && !ar.dkim_any_pass && ar.dkim_body_changed)
		signal_add(out, SIG_AUTH_DKIM_FAIL, 1.0,
			   "The mail's text was changed after it was signed (DKIM body hash does not match): it was "
			   "altered on the way or forged.");
	else if (ar.dkim == AUTHRES_FAIL && !ar.dkim_any_pass)
		signal_add(out, SIG_AUTH_DKIM_FAIL, 1.0,
			   "The mail's digital signature does not match its content (DKIM fail): it was altered or forged.");
	if (ar.dmarc == AUTHRES_FAIL)
		dmarc_failed(env, &ar, domain, out);
	if (ar.dns_timeout)
		signal_add(out, SIG_AUTH_UNVERIFIED, 1.0,
			   "The sender could not be fully verified (DNS timeout or error); the other signs still count.");
	/* A pass at a free-mail provider proves only that someone has an
	 * account there. */
	if (ar.dmarc == AUTHRES_PASS && !lookalike_sender(out) &&
	    !g_hash_table_contains(env->freemail, msg->from.domain))
		signal_add(out, SIG_AUTH_PASS, 1.0, "The mail is verified to come from %s (DMARC pass).", domain);
}
