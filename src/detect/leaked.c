/* leaked.c: the signals that come from what leaked about the organisation
 * (context/store.h): a lookalike of a leaked partner, a stranger quoting
 * leaked business identifiers, and suspicious mail to staff whose address
 * leaked. Every sentence names the leak. */
#include <string.h>

#include "context/keyhash.h"
#include "context/people.h"
#include "context/store.h"
#include "detect/env.h"
#include "mail/domain.h"

#define MAX_QUOTED 3 /* identifiers named in one reason */

static void partner_lookalike(const struct detect_env *env, const struct mail_message *msg,
			      const struct detect_facts *f, struct signal_list *out)
{
	const struct related_domain *r = f->from_imitates;
	struct lookalike_match m = f->from_match;
	const char *role = "sender's", *domain = msg->from.domain;

	if ((!r || !r->partner_source) && msg->has_reply_to && *msg->reply_to.domain &&
	    !env_is_own(env, msg->reply_to.domain)) {
		r = env_related_lookalike(env, msg->reply_to.domain, &m);
		role = "reply-to";
		domain = msg->reply_to.domain;
	}
	if (!r || !r->partner_source)
		return;
	signal_add(out, SIG_LOOKALIKE_LEAKED_PARTNER, m.score > 0 ? m.score : 1.0,
		   "The %s domain %s looks like %s (%s), your partner whose correspondence with you leaked in %s: "
		   "attackers who read that leak know whom to imitate.",
		   role, domain_to_unicode(msg->arena, domain), m.protected_domain, lookalike_technique_name(m.technique),
		   r->partner_source);
}

struct quoted {
	const struct ctx_store *ctx;
	struct arena *arena;
	const char *what[MAX_QUOTED]; /* "invoice number INV-2022-0413 (leaked in x)" */
	uint64_t hash[MAX_QUOTED];
	size_t n;
};

static void found(struct quoted *q, enum ctx_kind kind, const char *norm, const char *orig, size_t olen)
{
	struct ctx_hit hit;
	uint64_t h = ctx_keyhash(ctx_store_key(q->ctx), ctx_family_of(kind), norm, strlen(norm));

	for (size_t i = 0; i < q->n; i++)
		if (q->hash[i] == h)
			return;
	if (q->n >= MAX_QUOTED || !ctx_store_find(q->ctx, h, &hit))
		return;
	q->hash[q->n] = h;
	q->what[q->n++] = arena_printf(q->arena, "%s \"%.*s\" (leaked in %s)", ctx_kind_name(hit.kind),
				       (int)(olen > 60 ? 60 : olen), orig, hit.source);
}

static void on_item(void *ctx, enum ctx_kind kind, const char *norm, const char *orig, size_t olen)
{
	found(ctx, kind, norm, orig, olen);
}

static void titles(struct quoted *q, const struct mail_message *msg)
{
	char norm[CTX_MAX_NORM + 1];

	if (ctx_title_norm(msg->subject, strlen(msg->subject), false, norm))
		found(q, CTX_TITLE, norm, msg->subject, strlen(msg->subject));
	for (size_t i = 0; i < msg->nattachments && i < 16; i++) {
		const char *name = msg->attachments[i].filename;

		if (ctx_title_norm(name, strlen(name), true, norm))
			found(q, CTX_TITLE, norm, name, strlen(name));
	}
}

static void quoted_context(const struct detect_env *env, const struct mail_message *msg,
			   const struct detect_facts *f, struct signal_list *out)
{
	struct quoted q = {env->context, msg->arena, {0}, {0}, 0};

	if (f->sender_known || !ctx_store_items(env->context, 0))
		return;
	titles(&q, msg);
	ctx_items_scan(msg->subject, strlen(msg->subject), on_item, &q);
	ctx_items_scan(msg->text, msg->text_len, on_item, &q);
	if (!q.n && msg->html_text)
		ctx_items_scan(msg->html_text, msg->html_text_len, on_item, &q);
	if (!q.n)
		return;
	signal_add(out, SIG_LEAKED_CONTEXT_QUOTED, 1.0,
		   "It quotes %s%s%s%s%s from a sender who has never written to you: details a stranger knows "
		   "from a leak, not from working with you.",
		   q.what[0], q.n > 1 ? ", " : "", q.n > 1 ? q.what[1] : "", q.n > 2 ? ", " : "",
		   q.n > 2 ? q.what[2] : "");
}

void detect_leaked(const struct detect_env *env, const struct mail_message *msg, const struct detect_facts *f,
		   struct signal_list *out)
{
	if (!env->context)
		return;
	partner_lookalike(env, msg, f, out);
	quoted_context(env, msg, f, out);
}

/* Other signs of phishing worth at least half a suspicious verdict
 * (FIRST_CONTACT_DOMAIN alone, say, is not). */
#define PHISHY_SCORE 2.0

static bool phishy(const struct signal_list *l)
{
	double sum = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].score > 0 && signal_class_of(l->items[i].id) == SIGNAL_PHISH)
			sum += l->items[i].score;
	return sum >= PHISHY_SCORE;
}

void detect_leaked_people(const struct detect_env *env, const struct mail_message *msg,
			  const struct detect_facts *f, struct signal_list *out)
{
	static const char *const fields[] = {"To", "Cc"};
	struct mail_address people[CTX_MAX_PEOPLE];
	struct ctx_hit hit;

	if (!env->context || !ctx_store_items(env->context, CTX_PERSON) || f->sender_known || !phishy(out))
		return;
	for (size_t k = 0; k < 2; k++) {
		size_t n = mail_address_list(msg->arena, mail_header_get(msg, fields[k]), people, CTX_MAX_PEOPLE);

		for (size_t i = 0; i < n; i++) {
			uint64_t h = ctx_keyhash(ctx_store_key(env->context), CTX_FAM_PERSON, people[i].addr,
						 strlen(people[i].addr));

			if (!ctx_store_find(env->context, h, &hit) || hit.kind != CTX_PERSON)
				continue;
			signal_add(out, SIG_LEAKED_PERSON_TARGETED, 1.0,
				   "It is addressed to %s, whose address leaked in %s, so phishers know whom to write to; "
				   "treat its other warning signs with extra care.",
				   people[i].addr, hit.source);
			return;
		}
	}
}
