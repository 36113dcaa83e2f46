/* signal.h: one sign of phishing or spam found in a message, and the list of
 * them that a verdict is made from.
 *
 * Every signal is declared once in the SIGNALS table below (X-macro): its
 * symbol, its default weight, its class and what it means. Detectors add
 * signals by id with a plain sentence for a non-expert; the weight comes from
 * configuration (default from the table), optionally scaled by a strength in
 * 0..1 when a detector is more or less sure. */
#ifndef LG_DETECT_SIGNAL_H
#define LG_DETECT_SIGNAL_H

#include <stddef.h>

#include "util/arena.h"

/* Class decides which verdict a high score leads to: phishing needs at least
 * one PHISH signal; otherwise a high score means spam. INFO signals only
 * explain (weight usually 0). */
enum signal_class { SIGNAL_PHISH, SIGNAL_SPAM, SIGNAL_INFO };

/*      symbol                    weight  class         meaning */
#define SIGNALS(X) \
	X(SENDER_NAME_BRAND,          4.0, SIGNAL_PHISH, "display name names a brand or protected organisation the address does not belong to") \
	X(SENDER_NAME_ADDRESS,        4.0, SIGNAL_PHISH, "display name contains an email address other than the real sender") \
	X(SENDER_NAME_COLLEAGUE,      4.0, SIGNAL_PHISH, "display name is a colleague's but the address is outside the organisation") \
	X(COLLEAGUE_REPLYTO_ELSEWHERE, 3.5, SIGNAL_PHISH, "a colleague's name or address in From, but replies go to an address outside the organisation") \
	X(IMPERSONATION_OPENER,       3.0, SIGNAL_PHISH, "someone posing as a colleague opens like CEO fraud: are you at your desk, a quick favour, gift cards, new bank details") \
	X(FREEMAIL_CLAIMS_COMPANY,    2.5, SIGNAL_PHISH, "free-mail sender presents itself as a company or role") \
	X(REPLYTO_OTHER_ORG,          2.0, SIGNAL_PHISH, "replies go to a different organisation than the sender") \
	X(RETURNPATH_OTHER_ORG,       0.3, SIGNAL_SPAM,  "bounce address in a different organisation than the sender") \
	X(RANDOM_LOCALPART,           1.0, SIGNAL_SPAM,  "sender's address looks machine-generated") \
	X(LOOKALIKE_SENDER,           7.0, SIGNAL_PHISH, "sender domain imitates a protected domain") \
	X(LOOKALIKE_REPLYTO,          6.0, SIGNAL_PHISH, "reply-to domain imitates a protected domain") \
	X(LOOKALIKE_LINK,             5.0, SIGNAL_PHISH, "a link goes to a domain imitating a protected domain") \
	X(MIXED_SCRIPT_DOMAIN,        3.0, SIGNAL_PHISH, "a domain mixes alphabets or uses punycode to look like another") \
	X(URGENT_DEADLINE,            1.5, SIGNAL_PHISH, "pressure to act within a short deadline") \
	X(THREAT_SUSPENSION,          2.0, SIGNAL_PHISH, "threat that an account or service will be closed") \
	X(PAYMENT_REQUEST,            1.5, SIGNAL_PHISH, "request for payment or a wire transfer") \
	X(GIFT_CARD_REQUEST,          3.0, SIGNAL_PHISH, "request to buy gift cards") \
	X(CREDENTIAL_REQUEST,         2.5, SIGNAL_PHISH, "request to confirm a password or account details") \
	X(SECRECY_REQUEST,            2.0, SIGNAL_PHISH, "request to keep the matter secret") \
	X(BAD_SPELLING,               1.5, SIGNAL_SPAM,  "unusually many misspelt words") \
	X(SHOUTING,                   1.5, SIGNAL_SPAM,  "much of the text or subject in capital letters") \
	X(REPEATED_PUNCTUATION,       0.8, SIGNAL_SPAM,  "runs of !!! or ???") \
	X(LINK_TEXT_MISMATCH,         3.5, SIGNAL_PHISH, "a link shows one address but goes to another") \
	X(LINK_IP_HOST,               2.5, SIGNAL_PHISH, "a link goes to a bare IP address") \
	X(LINK_PUNYCODE,              2.0, SIGNAL_PHISH, "a link's domain is punycode-encoded") \
	X(LINK_USERINFO,              3.0, SIGNAL_PHISH, "a link hides its real destination after an @") \
	X(LINK_SHORTENER,             1.0, SIGNAL_SPAM,  "a link goes through a URL shortener") \
	X(LINK_CREDENTIAL_PATH,       2.0, SIGNAL_PHISH, "a link to a login-looking page on an unrelated domain") \
	X(HTML_FORM,                  2.5, SIGNAL_PHISH, "the message contains a form to fill in") \
	X(ATTACH_EXECUTABLE,          6.0, SIGNAL_PHISH, "an attached program or script") \
	X(ATTACH_DOUBLE_EXTENSION,    5.0, SIGNAL_PHISH, "an attachment's name hides its real type") \
	X(ATTACH_MACRO,               3.0, SIGNAL_PHISH, "a macro-enabled Office document") \
	X(ATTACH_HTML,                3.0, SIGNAL_PHISH, "an attached web page") \
	X(ATTACH_DISK_IMAGE,          3.5, SIGNAL_PHISH, "an attached disk image") \
	X(ATTACH_ARCHIVE,             1.0, SIGNAL_SPAM,  "an attached archive") \
	X(ATTACH_TYPE_MISMATCH,       3.0, SIGNAL_PHISH, "an attachment's declared type differs from its content") \
	X(AUTH_SPF_FAIL,              2.0, SIGNAL_PHISH, "SPF says the sending server may not send for the domain") \
	X(AUTH_DKIM_FAIL,             1.5, SIGNAL_PHISH, "the DKIM signature does not verify") \
	X(AUTH_DMARC_FAIL,            3.5, SIGNAL_PHISH, "the sender domain's DMARC policy check failed") \
	X(AUTH_PASS,                 -1.0, SIGNAL_INFO,  "the sender domain is authenticated") \
	X(AUTH_DMARC_REJECT,          8.0, SIGNAL_PHISH, "a protected domain's DMARC policy says to reject mail failing its checks, and this mail fails them") \
	X(AUTH_UNVERIFIED,            0.0, SIGNAL_INFO,  "SPF, DKIM or DMARC could not be verified (DNS timeout or error)") \
	X(OWN_DOMAIN_SPOOFED,         7.0, SIGNAL_PHISH, "says it is from the organisation's own domain but came from a server outside it, unauthenticated") \
	X(BLOCKED_SENDER_DOMAIN,     10.0, SIGNAL_PHISH, "sender domain is on the local blocklist") \
	X(BLOCKED_IP,                10.0, SIGNAL_PHISH, "sending server is on the local blocklist") \
	X(BLOCKED_URL,               10.0, SIGNAL_PHISH, "a link is on the local blocklist") \
	X(REPORTED_SIMILAR,           9.0, SIGNAL_PHISH, "the message is like one a colleague reported as phishing") \
	X(LOOKALIKE_LEAKED_PARTNER,   7.0, SIGNAL_PHISH, "sender or reply-to domain imitates a partner whose correspondence with the organisation leaked") \
	X(LEAKED_CONTEXT_QUOTED,      4.0, SIGNAL_PHISH, "a sender who never wrote before quotes invoice numbers, projects or documents that leaked") \
	X(LEAKED_PERSON_TARGETED,     1.5, SIGNAL_PHISH, "suspicious mail to a member of staff whose address leaked") \
	X(FIRST_CONTACT_DOMAIN,       0.5, SIGNAL_PHISH, "nobody at the sender's domain has corresponded with the organisation before") \
	X(FIRST_CONTACT_LOOKALIKE,    6.0, SIGNAL_PHISH, "first mail from a domain imitating a frequent correspondent's") \
	X(KNOWN_NAME_NEW_ADDRESS,     3.0, SIGNAL_PHISH, "a known contact's name with an address never seen before") \
	X(REPLY_CHAIN_HIJACK,         4.0, SIGNAL_PHISH, "poses as a reply in a conversation it does not belong to") \
	X(PAYMENT_DIVERSION,          4.0, SIGNAL_PHISH, "changed bank details or an urgent payment from a new sender or via a free-mail reply address") \
	X(LEARNED_SPAM,               8.5, SIGNAL_SPAM,  "the wording resembles mail learnt as spam") \
	X(LEARNED_HAM,               -3.0, SIGNAL_INFO,  "the wording resembles mail learnt as legitimate") \
	X(MESSAGE_MALFORMED,          0.5, SIGNAL_INFO,  "the message is malformed; scored on what could be read") \
	X(PRIZE_CLAIM,                2.0, SIGNAL_PHISH, "says you won or can claim a prize, reward, refund or points") \
	X(DELIVERY_FEE,               2.0, SIGNAL_PHISH, "a parcel held until a fee is paid or details confirmed") \
	X(BRAND_CLAIM_MISMATCH,       2.0, SIGNAL_PHISH, "the subject speaks for a catalogue brand the sender does not belong to, and asks for action") \
	X(HOSTED_LANDING_PAGE,        2.5, SIGNAL_PHISH, "links to or is sent from a page anyone can publish while claiming a brand or asking for credentials or money") \
	X(STYLED_TEXT,                2.0, SIGNAL_SPAM,  "subject or sender name in styled Unicode letters (mathematical, full-width, circled)") \
	X(INVISIBLE_CHARACTERS,       2.0, SIGNAL_PHISH, "zero-width or bidi control characters split the words") \
	X(HOMOGLYPH_TEXT,             2.5, SIGNAL_PHISH, "Cyrillic or Greek letters disguised as Latin ones inside words") \
	X(DISPLAY_NAME_NOISE,         2.0, SIGNAL_SPAM,  "sender name padded with stray punctuation or a random suffix") \
	X(QR_CODE_LINK,               2.5, SIGNAL_PHISH, "an image carries a QR code leading to a site other than the sender's") \
	X(ATTACH_ACTIVE_CONTENT,      3.0, SIGNAL_PHISH, "an attached web page or SVG image runs a script or redirects when opened") \
	X(ARCHIVE_PASSWORD_IN_BODY,   2.5, SIGNAL_PHISH, "an attached archive comes with its password in the mail, so scanners cannot open it")

enum signal_id {
#define SIGNAL_ENUM(sym, w, cls, desc) SIG_##sym,
	SIGNALS(SIGNAL_ENUM)
#undef SIGNAL_ENUM
	SIGNAL_COUNT
};

struct signal {
	enum signal_id id;
	double score;       /* weight x strength */
	const char *reason; /* one plain sentence, arena-owned */
};

/* Weights in force: defaults from the table, overridden by configuration. */
struct signal_weights {
	double w[SIGNAL_COUNT];
};

struct signal_list {
	struct arena *arena; /* borrowed: the message's arena */
	const struct signal_weights *weights;
	struct signal *items;
	size_t n, cap;
};

void signal_weights_default(struct signal_weights *w);
/* Returns the id whose symbol is name (case-insensitive), or SIGNAL_COUNT. */
enum signal_id signal_lookup(const char *name);
const char *signal_name(enum signal_id id);
enum signal_class signal_class_of(enum signal_id id);
const char *signal_description(enum signal_id id);

void signal_list_init(struct signal_list *l, struct arena *a, const struct signal_weights *w);
/* Adds signal id with weight x strength and a printf-formatted reason. A
 * signal already present keeps the stronger of the two. */
void signal_add(struct signal_list *l, enum signal_id id, double strength, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* True when id is in the list. */
int signal_has(const struct signal_list *l, enum signal_id id);

#endif
