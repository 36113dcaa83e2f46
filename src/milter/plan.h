/* plan.h: what the milter does to one message, decided away from libmilter.
 * The raw message is parsed and scored, and the verdict under the configured
 * policy becomes a plan: the X-Leakguard-* header values, a tagged subject, a
 * new body carrying the warning banner, and whether to accept, quarantine
 * (Postfix: hold) or reject. The session (server.c) carries the plan out with
 * libmilter calls, so everything here can be unit-tested without a mail
 * server.
 *
 * Policy, per the verdict's action ([actions] in the configuration):
 *   none        headers only;
 *   tag         headers, subject tag, banner (when [milter] banner is on);
 *   quarantine  as tag, and the message is held: released, it still warns;
 *   reject      "550 5.7.1" with a short reason; nothing else. */
#ifndef LG_MILTER_PLAN_H
#define LG_MILTER_PLAN_H

#include <stdbool.h>

#include "detect/engine.h"
#include "mail/message.h"
#include "milter/banner.h"
#include "milter/settings.h"
#include "util/buf.h"

#define PLAN_HEADER_SIGNALS 10 /* signals named in X-Leakguard-Signals */
#define PLAN_LOG_SIGNALS 3     /* signals named in the log line */

enum plan_disposition { PLAN_ACCEPT, PLAN_QUARANTINE, PLAN_REJECT };

struct plan {
	struct mail_message *msg; /* owned; its arena holds the strings below */
	struct verdict verdict;
	enum plan_disposition disposition;
	const char *verdict_header; /* X-Leakguard-Verdict value */
	const char *score_header;   /* X-Leakguard-Score value */
	const char *signals_header; /* X-Leakguard-Signals value, "none" for none */
	const char *subject;        /* the new Subject, NULL to leave it */
	bool replace_body;          /* body holds the new body */
	struct buf body;
	enum lg_status banner_status; /* LG_OK, or why there is no banner */
	struct banner_result banner;
	const char *reason;         /* reject text or hold reason; NULL to accept */
	const char *log_signals;    /* strongest signal names, comma-separated */
	const char *auth_results;   /* Authentication-Results value to add, NULL when not verified */
};

/* Parses raw (len bytes: header block, empty line, body) and scores it with
 * e, then fills out under settings s. subject is the Subject value as
 * received, NULL when there is none. Returns LG_OK, or LG_EPARSE when not
 * even a header could be read (the fail mode then applies). Either way the
 * caller frees out with plan_cleanup(). */
enum lg_status plan_build(const struct engine *e, const struct milter_settings *s, const char *raw, size_t len,
			  const char *subject, struct plan *out);
/* The same, but when s->verifier is set and smtp is not NULL the message
 * is scored with leakguard's own SPF, DKIM and DMARC results
 * (auth/verify.h auth_check_message) instead of engine_check, and
 * out->auth_results holds the header value to add. */
enum lg_status plan_build_verified(const struct engine *e, const struct milter_settings *s,
				   const struct auth_smtp *smtp, const char *raw, size_t len, const char *subject,
				   struct plan *out);
void plan_cleanup(struct plan *p);

#endif
