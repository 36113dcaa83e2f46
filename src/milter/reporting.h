/* reporting.h: mail to the report address. A staff member forwards a phish
 * there; instead of delivering the forward to a person, the milter records
 * the phish inside it as a report (report/record.h: campaign, blocks,
 * alert), thanks the reporter (or says what was wrong) through the
 * configured relay, and discards the forward. Nothing is lost: the report
 * is in the store, and a forward that cannot be recorded is delivered to
 * the report mailbox as usual. */
#ifndef LG_MILTER_REPORTING_H
#define LG_MILTER_REPORTING_H

#include <stdbool.h>
#include <stddef.h>

#include "milter/runtime.h"

/* True when the envelope recipient rcpt ("<a@b>" or "a@b") is the report address. */
bool reporting_is_report_address(const struct runtime *rt, const char *rcpt);

enum reporting_result {
	REPORTING_RECORDED,  /* recorded; discard the forward */
	REPORTING_REFUSED,   /* no phish inside, or a report of a report: reporter told; discard */
	REPORTING_FAILED,    /* the store failed: deliver the forward so nothing is lost */
};

/* Handles one forward (raw bytes) from envelope sender `sender`. Writes a
 * short summary for the log line into note. */
enum reporting_result reporting_take(const struct runtime *rt, const char *sender, const char *raw, size_t len,
				     char *note, size_t note_size);

#endif
