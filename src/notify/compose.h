/* compose.h: the text of a leak notice (issue 18) — pure, no I/O. One
 * notice per recipient per leak: for each monitored domain (several come
 * as one digest) or the subscribed address, how many values of each kind
 * of data the leak holds, never a value itself (no address, no password,
 * no document text), the seed's advice, and a link to the portal, whose
 * own base URL is the only one in the mail. */
#ifndef LG_NOTIFY_COMPOSE_H
#define LG_NOTIFY_COMPOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "portal/facts.h"
#include "util/buf.h"

enum notify_mode {
	NOTIFY_SUBSCRIBER, /* a monitored domain's recipient or a subscribed address */
	NOTIFY_OWNER,      /* the breach owner's notice to an organisation in its leak */
	NOTIFY_WEBHOOK,    /* a monitored domain's webhook (JSON, webhook.h) */
};

/* What one notice says about one domain or one address. */
struct notify_item {
	const char *domain;         /* the domain; NULL for a subscribed address */
	const struct facts_source *f; /* the leak's counts for it (borrowed) */
};

/* The notice's subject and body ("\n" lines) for source (its date
 * "YYYY-MM-DD" or ""), appended to subject and body. base: the portal's
 * base URL, no trailing '/'. */
void notify_compose(enum notify_mode mode, const char *source, const char *date, const struct notify_item *items,
		    size_t n, const char *base, struct buf *subject, struct buf *body);

/* The same notice as a webhook's JSON body (webhook.h), appended to body:
 * {"event": ID, "type": "leak.notice", "source", "date", "domains": [{"domain",
 * "addresses", "phones", "names", "organisations", "documents",
 * "with_password", "details": URL}]}; event is the idempotency key
 * (EVENT_ID_LEN hex characters, the same for every try), into event_id. */
#define NOTIFY_EVENT_ID_LEN 32
void notify_compose_json(const char *recipient, const char *source, const char *date,
			 const struct notify_item *items, size_t n, const char *base, struct buf *body,
			 char event_id[NOTIFY_EVENT_ID_LEN + 1]);

/* The footer added when the notice is sent: why it came and the
 * one-click unsubscribe link (unsub_url NULL for the owner's mode). */
void notify_compose_footer(enum notify_mode mode, const char *unsub_url, struct buf *body);

/* The unsubscribe token of recipient: HMAC-SHA256(secret, "unsub:" +
 * recipient) in base64url (TOKEN_LEN + 1 bytes), so nothing secret needs
 * storing; the store keeps its SHA-256 (token_hash). */
void notify_unsub_token(const uint8_t *secret, size_t slen, const char *recipient, char *out);

#endif
