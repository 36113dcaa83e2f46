/* mailer.h: the mails leakguard writes itself — the warning to colleagues
 * about a reported campaign and the thank-you to the reporter — composed as
 * plain RFC 5322 text (pure), and sent through the configured relay with
 * libcurl's SMTP client (the one I/O function here). Everything a reader
 * could click is defanged. */
#ifndef LG_REPORT_MAILER_H
#define LG_REPORT_MAILER_H

#include <stdbool.h>

#include "detect/engine.h"
#include "mail/message.h"
#include "util/buf.h"
#include "util/config.h"
#include "util/errbuf.h"

/* Header every leakguard mail carries, so a report of one is recognised. */
#define MAILER_MARK "X-Leakguard-Alert"

/* The alert about the campaign msg belongs to, judged as v, to `to`. */
void mailer_compose_alert(struct buf *out, const char *from, const char *const *to, size_t nto,
			  const struct mail_message *msg, const struct verdict *v, int64_t reporters);
/* The thank-you to the reporter; found tells whether an original was inside. */
void mailer_compose_thanks(struct buf *out, const char *from, const char *reporter, bool found,
			   const char *problem);

/* A plain-text mail from leakguard to one recipient: the same headers as
 * the alerts, then body (lines separated by "\n", sent as CRLF). */
void mailer_compose_plain(struct buf *out, const char *from, const char *to, const char *subject, const char *body);

/* Sends text to the recipients through relay ("host:port"). */
enum lg_status mailer_send(const char *relay, const char *from, const char *const *to, size_t nto,
			   const struct buf *text, struct errbuf *err);

#endif
