/* correspondents.c: who has written to whom before (context/history.h):
 * a first contact from a domain, a first contact from a lookalike of a
 * domain the organisation corresponds with often, and a known contact's
 * name arriving from an address never seen (the display-name trick of
 * business email compromise). */
#include <string.h>

#include "context/extract.h"
#include "context/history.h"
#include "detect/env.h"
#include "mail/domain.h"

static void first_contact(const struct detect_env *env, const struct mail_message *msg,
			  const struct detect_facts *f, struct signal_list *out)
{
	struct hist_entry e;
	const struct related_domain *r = f->from_imitates;

	if (!f->from_registrable || history_get(env->history, HIST_DOMAIN, f->from_registrable, &e))
		return;
	if (r && r->messages)
		signal_add(out, SIG_FIRST_CONTACT_LOOKALIKE, f->from_match.score > 0 ? f->from_match.score : 1.0,
			   "This is the first mail ever from %s, which looks like %s (%s), a domain you have "
			   "exchanged %lld messages with.",
			   domain_to_unicode(msg->arena, msg->from.domain), f->from_match.protected_domain,
			   lookalike_technique_name(f->from_match.technique), (long long)r->messages);
	signal_add(out, SIG_FIRST_CONTACT_DOMAIN, 1.0,
		   "Nobody at %s has written to you or been written to before.",
		   domain_to_unicode(msg->arena, f->from_registrable));
}

static void known_name(const struct detect_env *env, const struct mail_message *msg, struct signal_list *out)
{
	char name[CTX_MAX_NORM + 1];
	struct hist_entry e;

	if (!*msg->from.display || strchr(msg->from.display, '@') ||
	    ctx_words_norm(msg->from.display, strlen(msg->from.display), name) < 3 ||
	    !history_get(env->history, HIST_NAME, name, &e) || !e.aux ||
	    e.aux == history_hash(env->history, HIST_ADDR, msg->from.addr))
		return;
	signal_add(out, SIG_KNOWN_NAME_NEW_ADDRESS, 1.0,
		   "The sender calls themselves \"%s\", a name you know from another address; %s has never "
		   "written to you before.",
		   msg->from.display, msg->from.addr);
}

void detect_correspondents(const struct detect_env *env, const struct mail_message *msg,
			   const struct detect_facts *f, struct signal_list *out)
{
	if (!f->history_ready || f->sender_known || f->list_mail || !msg->has_from || !*msg->from.addr)
		return;
	first_contact(env, msg, f, out);
	known_name(env, msg, out);
}
