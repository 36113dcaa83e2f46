/* domains.c: lookalike domains in the sender, reply-to and link addresses,
 * judged against the protected domains (lookalike.c), and domains that mix
 * alphabets or hide behind punycode (UTS #39). */
#include <string.h>

#include "detect/brands.h"
#include "detect/env.h"
#include "mail/domain.h"
#include "mail/url.h"

static void check_address(const struct detect_env *env, const struct mail_message *msg,
			  const char *domain, enum signal_id id, const char *role, struct signal_list *out)
{
	struct lookalike_match m;

	/* A domain the catalogue knows a brand sends from is that brand's own
	 * (dhl.de is not a tld-swap of dhl.com). */
	if (!*domain || brands_owner(env->catalogue, domain) || !lookalike_check(env->protected, domain, &m))
		return;
	signal_add(out, id, m.score,
		   "The %s address is at %s, which imitates %s (%s); the real %s is a different organisation.",
		   role, domain_to_unicode(msg->arena, domain), m.protected_domain,
		   lookalike_technique_name(m.technique), m.protected_domain);
}

static void check_links(const struct detect_env *env, const struct mail_message *msg,
			const struct detect_facts *f, struct signal_list *out)
{
	for (size_t i = 0; i < f->nlinks; i++) {
		const struct detect_link *l = &f->links[i];
		struct lookalike_match m;

		if (!l->parsed || l->target.host_is_ip || brands_owner(env->catalogue, l->target.host) ||
		    !lookalike_check(env->protected, l->target.host, &m))
			continue;
		signal_add(out, SIG_LOOKALIKE_LINK, m.score,
			   "A link goes to %s, which imitates %s (%s).",
			   domain_to_unicode(msg->arena, l->target.host),
			   m.protected_domain, lookalike_technique_name(m.technique));
		return;
	}
}

static bool mixed(const char *domain)
{
	return *domain && lookalike_mixed_script(domain);
}

static void check_scripts(const struct mail_message *msg, const struct detect_facts *f,
			  struct signal_list *out)
{
	const char *domain = NULL;

	if (mixed(msg->from.domain))
		domain = msg->from.domain;
	else if (msg->has_reply_to && mixed(msg->reply_to.domain))
		domain = msg->reply_to.domain;
	for (size_t i = 0; !domain && i < f->nlinks; i++)
		if (f->links[i].parsed && !f->links[i].target.host_is_ip && mixed(f->links[i].target.host))
			domain = f->links[i].target.host;
	if (domain)
		signal_add(out, SIG_MIXED_SCRIPT_DOMAIN, 1.0,
			   "The domain %s (written %s) mixes letters from different alphabets, a trick to imitate another name.",
			   domain_to_unicode(msg->arena, domain),
			   domain_to_ascii(msg->arena, domain) ? domain_to_ascii(msg->arena, domain) : domain);
}

void detect_domains(const struct detect_env *env, const struct mail_message *msg,
		    const struct detect_facts *facts, struct signal_list *out)
{
	if (msg->has_from)
		check_address(env, msg, msg->from.domain, SIG_LOOKALIKE_SENDER, "sender's", out);
	if (msg->has_reply_to)
		check_address(env, msg, msg->reply_to.domain, SIG_LOOKALIKE_REPLYTO, "reply-to", out);
	check_links(env, msg, facts, out);
	check_scripts(msg, facts, out);
}
