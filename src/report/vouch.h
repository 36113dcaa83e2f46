/* vouch.h: who vouches for a message — the proofs that make a mail to the
 * report address a staff report, and that let the correspondent history
 * learn from a mail. What the sender writes (MAIL FROM, From, Received)
 * proves nothing by itself; these do:
 *   - an authenticated submission: the MTA's SASL login ({auth_authen});
 *   - a client among [relays] trusted (the organisation's own servers)
 *     sending with an own-domain ([protect] domains) envelope sender;
 *   - an own-domain From that passes DMARC according to the topmost
 *     Authentication-Results header of [auth] trusted_authserv_id
 *     (RFC 8601; the border MTA must remove copies an outsider wrote).
 * Pure: the connection's facts and a parsed message in, a decision out. */
#ifndef LG_REPORT_VOUCH_H
#define LG_REPORT_VOUCH_H

#include <stdbool.h>

#include "detect/engine.h"
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
	char identity[320]; /* who, for counting distinct reporters: the SASL
			     * login, else the vouched address; lower case */
	char reply_to[320]; /* where a thank-you may go ("" for nowhere) */
};

/* Decides whether a mail (msg, with facts from the MTA) comes from staff.
 * Fills *out; out->kind is REPORT_VOUCH_NONE when no proof holds. The
 * proofs are tried in the order above. */
void report_vouch_staff(const struct engine *e, const struct config *cfg, const struct vouch_facts *facts,
			const struct mail_message *msg, struct report_vouch *out);

/* True when the topmost Authentication-Results header written by
 * [auth] trusted_authserv_id says dmarc=pass (false without that setting). */
bool report_vouch_dmarc_pass(const struct config *cfg, const struct mail_message *msg);

/* True when the correspondent history may learn from msg: mail from an
 * own domain only when staff sent it (report_vouch_staff), mail from
 * outside only with a trusted DMARC pass for its From domain. facts may
 * be NULL (mail read from a mailbox: only the DMARC proof remains). */
bool report_vouch_history(const struct engine *e, const struct config *cfg, const struct vouch_facts *facts,
			  const struct mail_message *msg);

const char *report_vouch_kind_name(enum report_vouch_kind k);

#endif
