/* people.h: the people a message shows — its correspondents in address
 * headers and the participants quoted in its history ("From: ..." lines of
 * a quoted reply) — and how one message is written into the correspondent
 * history (history.h). */
#ifndef LG_CONTEXT_PEOPLE_H
#define LG_CONTEXT_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context/history.h"
#include "mail/message.h"
#include "util/arena.h"

#define CTX_MAX_PEOPLE 64 /* addresses read from one header or quote */

/* The senders named in quoted history: "From: ..." lines (also "> From:"
 * and Outlook's "From: Name [mailto:a@b]") and "On ..., NAME <addr> wrote:"
 * in text. Returns how many into out; sets *quoted when the text holds a
 * quoted history at all (such lines, or lines starting with '>'). */
size_t ctx_quoted_people(struct arena *a, const char *text, size_t n, struct mail_address *out, size_t max,
			 bool *quoted);

/* True when domain is one of own[0..nown) or below one. */
bool ctx_is_own(const char *domain, const char *const *own, size_t nown);

/* Separate days (UTC) with a vouched inbound mail from an outside domain
 * before that domain counts as a known correspondent when the organisation
 * has not written to it. One day would let a throw-away domain with DKIM
 * and DMARC learn itself with one harmless first mail; three days means an
 * attacker's warm-up takes at least 48 hours of planning, in which the
 * domain is still a first contact, and a real new correspondent the staff
 * answer is known at once through the outgoing reply. */
#define HIST_VOUCHED_DAYS 3

/* What vouches for the message, from the MTA rather than its headers. */
struct hist_facts {
	/* The envelope recipients the organisation's MTA recorded for an
	 * outgoing message whose sender was proven staff (SMTP AUTH); NULL or
	 * none: nobody is learnt as written to. */
	const char *const *rcpts;
	size_t nrcpts;
	/* Mail the operator hands `history --learn`: delivered mail they vouch
	 * for as a whole, so To and Cc of their own mail count as recipients
	 * and an outside sender is known at once. */
	bool archive;
};

/* Records msg in h at time now, learning only what the proof of the mail
 * vouches for:
 *   - mail from an own domain (outgoing): each outside envelope recipient
 *     (facts->rcpts; To and Cc only for an archive), with its domain; and
 *     the message's Message-ID and thread subject, which staff wrote;
 *   - other mail (inbound, a DMARC pass the caller checked): the sender's
 *     address, domain and name, and the Message-ID and thread, only once its
 *     domain is known: the organisation wrote to it, or HIST_VOUCHED_DAYS
 *     separate days brought vouched mail from it, or the mail is an
 *     archive. Before that only the day is counted.
 * facts may be NULL: no envelope, nothing learnt as written to. */
enum lg_status history_learn(struct history *h, const struct mail_message *msg, const struct hist_facts *facts,
			     const char *const *own, size_t nown, int64_t now, struct errbuf *err);

#endif
