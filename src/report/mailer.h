/* mailer.h: the mails leakguard writes itself — the warning to colleagues
 * about a reported campaign and the thank-you to the reporter — composed as
 * plain RFC 5322 text (pure), and sent through the configured relay with
 * libcurl's SMTP client (the one I/O function here). Everything a reader
 * could click is defanged. */
#ifndef LG_REPORT_MAILER_H
#define LG_REPORT_MAILER_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/engine.h"
#include "mail/message.h"
#include "util/buf.h"
#include "util/config.h"
#include "util/errbuf.h"

/* Header every leakguard mail carries, so a report of one is recognised.
 * Its value is "v2 CAMPAIGN HEX", HEX the HMAC-SHA256, under the store's
 * alert key (store/reports.h), of the mail's Message-ID (without angle
 * brackets), its Date and the campaign (0 for a thank-you): an outsider
 * cannot forge it, and one that leaked cannot be moved onto a new phish
 * without its Date and Message-ID, so the milter keeps a signed mark
 * through its X-Leakguard-* spoof stripping and removes every other copy.
 * Only mail to own addresses carries a signed mark (record.c, reporting.c). */
#define MAILER_MARK "X-Leakguard-Alert"

/* Bytes of outside text (subject, address) an alert shows at most, and of
 * the sender domain its subject names. */
#define MAILER_MAX_SHOWN 120
#define MAILER_MAX_DOMAIN 64

/* MAILER_MARK's value for the mail with these Message-ID and Date about
 * campaign; caller g_free()s. */
char *mailer_mark_sign(const unsigned char *key, size_t keylen, const char *msgid, const char *date,
		       int64_t campaign);
/* True when value is the mark mailer_mark_sign(key, msgid, date, its
 * campaign) gives. False without a key, a Message-ID, a Date or a value. */
bool mailer_mark_valid(const unsigned char *key, size_t keylen, const char *msgid, const char *date,
		       const char *value);

/* The alert about campaign (the campaign msg belongs to, judged as v) to
 * `to`. Its subject is fixed: "[Phishing alert] Campaign N: mail from D",
 * D the sender's domain defanged, control-free and at most
 * MAILER_MAX_DOMAIN bytes; the phish's own subject appears only in the
 * body, cut and escaped the same way. Signed with key when not NULL. */
void mailer_compose_alert(struct buf *out, const char *from, const char *const *to, size_t nto,
			  const struct mail_message *msg, const struct verdict *v, int64_t reporters,
			  int64_t campaign, const unsigned char *key, size_t keylen);
/* The thank-you to the reporter; found tells whether an original was inside. */
void mailer_compose_thanks(struct buf *out, const char *from, const char *reporter, bool found,
			   const char *problem, const unsigned char *key, size_t keylen);

/* A plain-text mail from leakguard to one recipient: the same headers as
 * the alerts, then body (lines separated by "\n", sent as CRLF). */
void mailer_compose_plain(struct buf *out, const char *from, const char *to, const char *subject, const char *body);

/* Sends text to the recipients through relay ("host:port"). */
enum lg_status mailer_send(const char *relay, const char *from, const char *const *to, size_t nto,
			   const struct buf *text, struct errbuf *err);

#endif
