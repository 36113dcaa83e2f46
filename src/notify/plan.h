/* plan.h: who gets a notice about one leak, written to the queue
 * (store/notify.h) in one transaction before anything is sent.
 *
 * Subscribers: every monitored domain the leak holds data of, and every
 * subscribed address it holds, by the leak index's own counts
 * (portal/facts.h, the numbers the portal shows); all the domains of one
 * recipient make one digest, so a recipient gets ONE notice per leak.
 * Owners (the breach owner's mode): every organisation of a contacts CSV
 * ("domain,contact" per line, '#' comments, a header line allowed) whose
 * domain the leak holds, at the contact given. Planning again adds
 * nothing: the queue's key is (recipient, source, mode). */
#ifndef LG_NOTIFY_PLAN_H
#define LG_NOTIFY_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "store/notify.h"
#include "store/store.h"

#define NOTIFY_CSV_LINE_MAX 1024
#define NOTIFY_CSV_ROWS_MAX 10000000

struct notify_plan_stats {
	uint64_t subjects;   /* domains or addresses asked about */
	uint64_t matched;    /* of which the leak holds */
	uint64_t notices;    /* notices this plan needs */
	uint64_t added;      /* of which new in the queue (the rest were there) */
	uint64_t rejected;   /* CSV rows refused (named on stderr) */
};

/* Queues the subscribers' notices for source (its name as ingested).
 * LG_ENOTFOUND when no such source, LG_EIO with err on a store failure. */
enum lg_status notify_plan_subscribers(struct store *s, struct notify_store *ns, const char *source, const char *base,
				       struct notify_plan_stats *st, struct errbuf *err);

/* The owner's mode: the organisations of contacts_csv in source. With
 * dry_run nothing is queued; each organisation in the leak is printed to
 * out as "domain contact addresses phones names organisations documents
 * with_password" (JSON lines when json). */
enum lg_status notify_plan_owners(struct store *s, struct notify_store *ns, const char *source, const char *base,
				  const char *contacts_csv, bool dry_run, bool json, FILE *out,
				  struct notify_plan_stats *st, struct errbuf *err);

#endif
