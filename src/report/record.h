/* record.h: what one staff report does — judge the original, fingerprint
 * it, file it under its campaign (a similar earlier report's, or a new
 * one), block its sender after enough independent reporters, and warn
 * colleagues once per campaign. The domain is blocked only when the
 * reported message was authenticated as coming from it (report/vouch.h
 * report_vouch_sender_authenticated), the IP only when it is also the
 * milter's signed stamp; a protected, free-mail or own domain, a relay, an
 * unauthenticated sender or an IP read from Received go to review, with
 * the reason, for an administrator. */
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

/* The sending server's address, and whether leakguard vouches for it. */
struct recorded_ip {
	char ip[64];  /* "" when none is known */
	bool stamped; /* from the milter's signed stamp (report/stamp.h) */
};

/* Fills *out with the sending server's address: the IP in a stamp
 * (report/stamp.h) validly signed with key for this message, when there
 * is one (stamped); else, as a candidate for review only, the address the
 * organisation's relays recorded: walking the Received headers from the
 * top (the newest, written by our MTA), past hops whose client (read from
 * the TCP-info comment, never the HELO word) is one of [relays] trusted,
 * the first client outside them. None when a hop on the way names no
 * address (the chain of trust ends there: nothing below it was written by
 * us). key may be NULL (no stamp is then believed). */
void report_recorded_ip(const struct engine *e, const struct mail_message *msg, const unsigned char *key,
			size_t keylen, struct recorded_ip *out);

/* Records the original (raw bytes of the reported phish) from reporter
 * (canonicalised: report_vouch_canonical, so "A+x@B" and "a@b" are one).
 * LG_EPARSE with a sentence when it is not a message or is itself one of
 * leakguard's own alerts ("a report of a report": its MAILER_MARK is
 * validly signed; an unsigned mark is ignored). */
enum lg_status report_record(struct report_context *ctx, const char *raw, size_t len, const char *reporter,
			     struct report_outcome *out, struct errbuf *err);

#endif
