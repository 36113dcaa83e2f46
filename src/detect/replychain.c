/* replychain.c: reply-chain hijack — a message that presents itself as the
 * next step of a conversation ("Re:" or quoted history) but does not
 * follow from it: it refers to no message the organisation exchanged, and
 * its sender was not in the conversation it quotes, or carries a known
 * thread on from a domain that never took part. Attackers who stole a
 * mailbox (or read a leak) paste real threads to borrow their trust; this
 * is the pattern of the Emotet and QakBot reply-chain campaigns and of
 * invoice fraud that follows a leak. */
#include <string.h>

#include <glib.h>

#include "context/extract.h"
#include "context/history.h"
#include "context/people.h"
#include "detect/env.h"
#include "mail/domain.h"

#define MAX_REFS 32 /* Message-IDs of References looked up */

/* True when any Message-ID in the header value was seen before. */
static bool refers_known(const struct detect_env *env, const char *value, bool *any)
{
	const char *p = value;
	size_t looked = 0;

	while (p && (p = strchr(p, '<')) && looked < MAX_REFS) {
		const char *end = strchr(p, '>');
		char id[512];
		struct hist_entry e;

		if (!end)
			break;
		if ((size_t)(end - p - 1) < sizeof(id) && end > p + 1) {
			memcpy(id, p + 1, (size_t)(end - p - 1));
			id[end - p - 1] = '\0';
			*any = true;
			looked++;
			if (history_get(env->history, HIST_MSGID, id, &e))
				return true;
		}
		p = end + 1;
	}
	return false;
}

static bool among(const struct mail_address *people, size_t n, const char *addr)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(people[i].addr, addr) == 0)
			return true;
	return false;
}

/* The quoted participant that shows the conversation was the organisation's. */
static const char *ours(const struct detect_env *env, const struct mail_address *people, size_t n)
{
	struct hist_entry e;

	for (size_t i = 0; i < n; i++)
		if (env_is_own(env, people[i].domain) || history_get(env->history, HIST_ADDR, people[i].addr, &e))
			return people[i].addr;
	return NULL;
}

void detect_replychain(const struct detect_env *env, const struct mail_message *msg, const struct detect_facts *f,
		       struct signal_list *out)
{
	struct mail_address quoted[CTX_MAX_PEOPLE];
	char subject[CTX_MAX_NORM + 1];
	bool reply, has_quote, any_ref = false;
	size_t nq;
	const char *member;
	struct hist_entry e;

	if (!f->history_ready || f->sender_known || f->list_mail || !msg->has_from || !*msg->from.addr)
		return;
	ctx_subject_norm(msg->subject, &reply, subject);
	nq = ctx_quoted_people(msg->arena, msg->text, msg->text_len, quoted, CTX_MAX_PEOPLE, &has_quote);
	if (!reply && !has_quote)
		return;
	if (refers_known(env, mail_header_get(msg, "In-Reply-To"), &any_ref) ||
	    refers_known(env, mail_header_get(msg, "References"), &any_ref))
		return;
	member = ours(env, quoted, nq);
	if (member && !among(quoted, nq, msg->from.addr))
		signal_add(out, SIG_REPLY_CHAIN_HIJACK, 1.0,
			   "It quotes a conversation with %s that %s never took part in, and %s: someone pasted a "
			   "real thread to borrow its trust.",
			   member, msg->from.addr,
			   any_ref ? "refers to no message you exchanged" : "carries no reference to it");
	else if (*subject && f->from_registrable && history_get(env->history, HIST_THREAD, subject, &e) &&
		 !history_get(env->history, HIST_DOMAIN, f->from_registrable, &e))
		signal_add(out, SIG_REPLY_CHAIN_HIJACK, 1.0,
			   "It continues your conversation \"%s\" from %s, a domain that was never part of it, "
			   "without referring to any message of it.",
			   msg->subject, domain_to_unicode(msg->arena, f->from_registrable));
}
