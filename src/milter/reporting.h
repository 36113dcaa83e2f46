/* reporting.h: mail to the report address. A staff member forwards a phish
 * there; instead of delivering the forward to a person, the milter records
 * the phish inside it as a report (report/record.h: campaign, blocks,
 * alert), thanks the reporter (or says what was wrong) through the
 * configured relay, and discards the forward. Only staff can report
 * (report/vouch.h: a SASL login, our relay with an own-domain sender, or an
 * own-domain From with a trusted DMARC pass); anything else sent there is
 * ordinary mail. Nothing is lost: the report is in the store, and a forward
 * that cannot be recorded is delivered to the report mailbox as usual. */
#ifndef LG_MILTER_REPORTING_H
#define LG_MILTER_REPORTING_H

#include <stdbool.h>
#include <stddef.h>

#include "milter/runtime.h"
#include "report/vouch.h"

/* True when the envelope recipient rcpt ("<a@b>" or "a@b") is the report address. */
bool reporting_is_report_address(const struct runtime *rt, const char *rcpt);

/* Loads the report index of cfg's store for reports to be filed against,
 * unless it is loaded already (a loaded one is kept current by each report
 * reading only the rows added since). Called when a runtime is built: at
 * start-up and on reload, outside libmilter's callbacks. A store that
 * cannot be read is logged; reports then start from an empty index. */
void reporting_prepare(const struct config *cfg);
/* Frees the index (at the milter's end). */
void reporting_cleanup(void);

enum reporting_result {
	REPORTING_RECORDED,  /* recorded; discard the forward */
	REPORTING_REFUSED,   /* no phish inside, or a report of a report: reporter told; discard */
	REPORTING_FAILED,    /* the store failed: deliver the forward so nothing is lost */
	REPORTING_NOT_STAFF, /* no staff proof: scan and deliver it as any other mail */
};

/* Handles one mail (raw bytes) to the report address, with what the MTA
 * said about it in facts. Writes a short summary for the log line into note. */
enum reporting_result reporting_take(const struct runtime *rt, const struct vouch_facts *facts, const char *raw,
				     size_t len, char *note, size_t note_size);

#endif
