/* record.h: what one staff report does — judge the original, fingerprint
 * it, file it under its campaign (a similar earlier report's, or a new
 * one), block its sender after enough independent reporters (never a
 * protected, free-mail or own domain or relay: those go to review), and
 * warn colleagues once per campaign. */
#ifndef LG_REPORT_RECORD_H
#define LG_REPORT_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/engine.h"
#include "report/index.h"
#include "store/reports.h"
#include "util/config.h"

struct report_context {
	const struct engine *engine;
	const struct config *cfg;
	struct report_store *store;
	struct report_index *index; /* kept up to date as reports are added */
	bool send_mail;             /* alerts through cfg's relay */
};

struct report_outcome {
	int64_t id, campaign, reporters;
	double similarity;          /* to the campaign's earlier reports; 1 when new */
	bool new_campaign, alerted;
	char blocked[2][300];       /* "domain evil.example" / "ip 203.0.113.7", "" when none */
	char review[2][300];        /* what would have been blocked but needs an administrator */
	char verdict[16];
	char alert_error[300];      /* why an alert could not be sent, "" when fine */
};

/* The sending server's address as the organisation's own relays recorded
 * it: walking the Received headers from the top (the newest, written by
 * our MTA), past hops whose client is one of [relays] trusted, the first
 * client outside them. NULL when a hop on the way names no address (the
 * chain of trust ends there: nothing below it was written by us) or there
 * is none. Arena-owned. */
const char *report_recorded_ip(const struct engine *e, const struct mail_message *msg);

/* Records the original (raw bytes of the reported phish) from reporter.
 * LG_EPARSE with a sentence when it is not a message or is itself one of
 * leakguard's own alerts ("a report of a report": its MAILER_MARK is
 * validly signed; an unsigned mark is ignored). */
enum lg_status report_record(struct report_context *ctx, const char *raw, size_t len, const char *reporter,
			     struct report_outcome *out, struct errbuf *err);

#endif
