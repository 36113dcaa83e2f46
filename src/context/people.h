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

/* Records msg in h at time now: for mail from an own domain (outbound) each
 * outside recipient in To and Cc, else the sender; with each its domain and
 * display name; and the message's Message-ID and thread subject. */
enum lg_status history_record(struct history *h, const struct mail_message *msg, const char *const *own,
			      size_t nown, int64_t now, struct errbuf *err);

#endif
