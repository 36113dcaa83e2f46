/* history.h: correspondent history — who has written to whom before, from
 * the mail the milter passes (and `leakguard history --learn` for mail
 * already delivered), so check can tell a first contact, a new address
 * behind a known name, and a thread continued from nowhere.
 *
 * Kept in its own SQLite file beside the state store (DB.history, WAL), so
 * the milter's writes do not look like a new model or report to the reload
 * watch (detect/state.h). Every value is a keyed hash (keyhash.h, key in
 * the file's meta table): addresses, display names, Message-IDs, thread
 * subjects. Only correspondents' registrable domains are also kept in
 * clear, because "a lookalike of a frequent correspondent" compares
 * strings. Bounded: at most max_rows rows, the least recently seen go
 * first, and rows unseen for max_days are dropped (history_prune). */
#ifndef LG_CONTEXT_HISTORY_H
#define LG_CONTEXT_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "util/errbuf.h"

enum hist_kind {
	HIST_ADDR = 1, /* a correspondent's address */
	HIST_DOMAIN,   /* its registrable domain (kept in clear too) */
	HIST_NAME,     /* a display name; aux: hash of the address it came with */
	HIST_MSGID,    /* a Message-ID seen (in either direction) */
	HIST_THREAD,   /* a thread's subject without Re:/Fwd: */
	HIST_VOUCHED,  /* an outside domain's vouched inbound mail: count = separate
			* days with one, last = when the latest counted day began */
};

struct hist_entry {
	int64_t count, first, last; /* times seen, unix times */
	uint64_t aux;
};

struct history;

/* Opens DB.history for the state store at db_path: for writing (created
 * when missing) or read-only (LG_ENOTFOUND when there is none). Safe to
 * share between threads: every call takes the history's lock. */
enum lg_status history_open(const char *db_path, bool write, struct history **out, struct errbuf *err);
void history_close(struct history **h);

/* The keyed hash of value as kind (for comparing with an entry's aux). */
uint64_t history_hash(const struct history *h, enum hist_kind k, const char *value);
/* True and *e when value was seen as kind. A read error counts as unseen. */
bool history_get(struct history *h, enum hist_kind k, const char *value, struct hist_entry *e);
/* Domains known (HIST_DOMAIN rows), counted when opened and kept up to date. */
int64_t history_domains(struct history *h);
/* Calls fn for every domain seen at least min_count times. */
enum lg_status history_frequent(struct history *h, int64_t min_count,
				void (*fn)(void *ctx, const char *domain, int64_t count), void *ctx,
				struct errbuf *err);

/* Writing: one transaction around many notes. */
enum lg_status history_begin(struct history *h, struct errbuf *err);
enum lg_status history_commit(struct history *h, struct errbuf *err);
/* Drops what was noted since history_begin(). */
void history_rollback(struct history *h);
/* Counts one sighting of value as kind at time now; aux replaces the
 * stored one when non-zero; clear (a domain) is kept in clear. */
enum lg_status history_note(struct history *h, enum hist_kind k, const char *value, uint64_t aux,
			    const char *clear, int64_t now, struct errbuf *err);
/* Drops rows last seen before `before`, then the least recently seen
 * beyond max_rows; *removed gets how many. */
enum lg_status history_prune(struct history *h, int64_t max_rows, int64_t before, int64_t *removed,
			     struct errbuf *err);
/* Rows held. */
int64_t history_rows(struct history *h);

#endif
