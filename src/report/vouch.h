/* vouch.h: who vouches for a message — the proofs that make a mail to the
 * report address a staff report, and that let the correspondent history
 * learn from a mail. What the sender writes (MAIL FROM, From, Received)
 * proves nothing by itself; these do:
 *   - an authenticated submission: the MTA's SASL login ({auth_authen}),
 *     when it is a local name or an address at a [protect] domain;
 *   - a client among [relays] submission (the organisation's own
 *     submission hosts; never [relays] trusted, which holds inbound hops)
 *     sending with an own-domain ([protect] domains) envelope sender;
 *   - a single own-domain From that passes DMARC for that very domain
 *     (header.from) according to the topmost Authentication-Results
 *     header of [auth] trusted_authserv_id (RFC 8601; the border MTA must
 *     remove copies an outsider wrote).
 * Pure: the connection's facts and a parsed message in, a decision out. */
#ifndef LG_REPORT_VOUCH_H
#define LG_REPORT_VOUCH_H

#include <stdbool.h>

#include "detect/engine.h"
#include "mail/authres.h"
#include "mail/message.h"
#include "util/config.h"

/* What the MTA, not the sender, says about one message. */
struct vouch_facts {
	const char *auth_login; /* {auth_authen}; NULL or "" without authentication */
	const char *client_ip;  /* the connecting client's address, NULL when unknown */
	const char *envelope;   /* MAIL FROM as given ("<a@b>" or "a@b"), NULL or "<>" for none */
};

enum report_vouch_kind {
	REPORT_VOUCH_NONE,  /* nobody vouches: an outsider, or unknown */
	REPORT_VOUCH_AUTH,  /* an authenticated submission */
	REPORT_VOUCH_RELAY, /* our relay, own-domain envelope sender */
	REPORT_VOUCH_DMARC, /* own-domain From with a trusted DMARC pass */
};

struct report_vouch {
	enum report_vouch_kind kind;
	char identity[320]; /* who, for counting distinct reporters: the vouched
			     * address, canonical (report_vouch_canonical); a
			     * local SASL name gets the first protected domain */
	char reply_to[320]; /* where a thank-you may go: the identity, an own
			     * address, never an envelope the client chose */
};

/* Decides whether a mail (msg, with facts from the MTA) comes from staff.
 * Fills *out; out->kind is REPORT_VOUCH_NONE when no proof holds. The
 * proofs are tried in the order above. */
void report_vouch_staff(const struct engine *e, const struct config *cfg, const struct vouch_facts *facts,
			const struct mail_message *msg, struct report_vouch *out);

/* True when the topmost Authentication-Results header written by
 * [auth] trusted_authserv_id says dmarc=pass with header.from equal to the
 * message's From domain, and the message has exactly one From field with
 * one address (false without that setting). */
bool report_vouch_dmarc_pass(const struct config *cfg, const struct mail_message *msg);

/* The topmost Authentication-Results header of [auth] trusted_authserv_id,
 * parsed into *out; false (and *out zeroed) when there is none. A broken
 * one is returned zeroed with out->malformed: it still hides those below. */
bool report_vouch_trusted_ar(const struct config *cfg, const struct mail_message *msg, struct authres *out);

/* True when msg has exactly one From field holding exactly one address,
 * the one msg->from names: the only From a DMARC result can be tied to. */
bool report_vouch_single_from(const struct mail_message *msg);

/* True when the trusted header authenticates msg's single From domain: a
 * DMARC pass for it, or a DKIM or SPF pass aligned with it (the same
 * organisational domain). Otherwise false with a sentence in why. */
bool report_vouch_sender_authenticated(const struct config *cfg, const struct mail_message *msg, char *why,
				       size_t size);

/* One mailbox, one identity: s ("<\"Alice+x\"@Example.COM.>") lower case,
 * unquoted, without angle brackets, blanks, a "+tag" suffix of the local
 * part or a trailing dot of the domain ("alice@example.com"), into out.
 * "" for NULL. */
void report_vouch_canonical(const char *s, char *out, size_t size);

/* True when addr (any form report_vouch_canonical reads) is at one of
 * [protect] domains: mail to it stays inside the organisation. */
bool report_vouch_own_address(const struct config *cfg, const char *addr);

/* True when the correspondent history may learn from msg: mail from an
 * own domain only when staff sent it (report_vouch_staff), mail from
 * outside only with a trusted DMARC pass for its From domain. facts may
 * be NULL (mail read from a mailbox: only the DMARC proof remains). */
bool report_vouch_history(const struct engine *e, const struct config *cfg, const struct vouch_facts *facts,
			  const struct mail_message *msg);

const char *report_vouch_kind_name(enum report_vouch_kind k);

#endif
