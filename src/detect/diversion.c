/* diversion.c: payment diversion — the step of business email compromise
 * where money changes course: "our bank details have changed" or an urgent
 * payment, from a sender who never wrote before or with replies going to a
 * free-mail address (FBI IC3 and Europol describe it as the costliest
 * fraud by mail). Runs after urgency.c, whose PAYMENT_REQUEST it builds on. */
#include <string.h>

#include <glib.h>

#include "context/extract.h"
#include "detect/env.h"

/* "new bank details", "bank account has changed", "updated IBAN", ... */
#define BANK_CHANGE \
	"\\b(new|changed?|updated?|different|alternative)\\b[^.\\n]{0,40}\\b((bank|banking)( account| details)?|iban|swift|" \
	"account (details|number|information)|remittance|payment (details|instructions|information)|wire instructions)\\b" \
	"|\\b(bank|banking|account|payment) (details|information|account|instructions)[^.\\n]{0,30}\\b(has|have) " \
	"(been )?(changed|updated)\\b"

GRegex *diversion_pattern(void)
{
	return g_regex_new(BANK_CHANGE, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
}

static bool freemail_reply_to(const struct detect_env *env, const struct mail_message *msg)
{
	return msg->has_reply_to && *msg->reply_to.domain && strcmp(msg->reply_to.domain, msg->from.domain) != 0 &&
	       g_hash_table_contains(env->freemail, msg->reply_to.domain);
}

/* The bank-change wording found, arena-owned, or NULL. */
static const char *bank_change(const struct detect_env *env, const struct mail_message *msg)
{
	const char *texts[] = {msg->subject, msg->text};
	size_t lens[] = {strlen(msg->subject), msg->text_len < CTX_MAX_SCAN ? msg->text_len : CTX_MAX_SCAN};

	for (size_t i = 0; i < 2 && env->bank_change; i++) {
		GMatchInfo *mi = NULL;
		const char *found = NULL;

		if (g_regex_match_full(env->bank_change, texts[i], (gssize)lens[i], 0, 0, &mi, NULL)) {
			gchar *m = g_match_info_fetch(mi, 0);

			found = arena_strdup(msg->arena, m);
			g_free(m);
		}
		g_match_info_free(mi);
		if (found)
			return found;
	}
	return NULL;
}

void detect_diversion(const struct detect_env *env, const struct mail_message *msg, const struct detect_facts *f,
		      struct signal_list *out)
{
	const char *change, *who;
	bool freemail;

	if (!signal_has(out, SIG_PAYMENT_REQUEST) || !msg->has_from)
		return;
	/* "new" needs a history that knows who wrote before */
	freemail = freemail_reply_to(env, msg);
	if (!freemail && (f->sender_known || !f->history_ready))
		return;
	change = bank_change(env, msg);
	if (!change && !signal_has(out, SIG_URGENT_DEADLINE))
		return;
	who = freemail ? arena_printf(msg->arena, "replies go to the free-mail address %s", msg->reply_to.addr)
		       : "it comes from a sender who has never written to you";
	if (change)
		signal_add(out, SIG_PAYMENT_DIVERSION, 1.0,
			   "It says payment details changed (\"%s\") and %s: confirm new bank details by phone with "
			   "someone you know before paying.",
			   change, who);
	else
		signal_add(out, SIG_PAYMENT_DIVERSION, 1.0,
			   "It presses for an urgent payment and %s: confirm by phone with someone you know before "
			   "paying.",
			   who);
}
