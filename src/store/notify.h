/* notify.h: the notices leakguard sends when a leak names someone
 * (issue 18) — who asked for them (subscriptions: a verified
 * organisation's monitored domain with its confirmed recipients, or a
 * person's own address) and the notices themselves, a queue in the store.
 *
 * Exactly once: a notice is a row, keyed by (recipient, source, mode),
 * written (INSERT OR IGNORE) before anything is sent and marked "sent"
 * after the relay accepted it, so planning a source again adds nothing and
 * a notifier killed at any moment resumes with the rows still "queued".
 * Own tables in the store file beside the portal's; one SQLite handle,
 * serialised by a lock (the sender's threads share it). */
#ifndef LG_STORE_NOTIFY_H
#define LG_STORE_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "util/errbuf.h"

#define NOTIFY_TEXT_MAX 256

struct notify_store;

enum notify_state {
	NOTIFY_QUEUED,    /* planned, not yet accepted by the relay */
	NOTIFY_SENT,      /* accepted by the relay */
	NOTIFY_FAILED,    /* refused too often; kept for the operator */
	NOTIFY_CANCELLED, /* the recipient unsubscribed before it went */
	NOTIFY_STATES
};

/* Opens (creating) the notify tables in the store file at path. */
enum lg_status notify_store_open(const char *path, struct notify_store **out, struct errbuf *err);
void notify_store_close(struct notify_store **ns);

/* ---- subscriptions: kind "domain" (subject: a verified registrable
 * domain) or "address" (subject: the address itself); recipient is the
 * confirmed mailbox that gets the notices; unsub the SHA-256 (hex) of the
 * recipient's unsubscribe token ---- */
enum lg_status notify_sub_add(struct notify_store *ns, const char *kind, const char *subject, const char *recipient,
			      const char *unsub, struct errbuf *err);
/* Deletes every subscription of the recipient whose unsubscribe hash is
 * unsub; *n gets how many (0: unknown token). */
enum lg_status notify_sub_del(struct notify_store *ns, const char *unsub, int64_t *n, struct errbuf *err);
/* Deletes one recipient of a monitored domain (the dashboard's remove). */
enum lg_status notify_sub_del_one(struct notify_store *ns, const char *kind, const char *subject,
				  const char *recipient, struct errbuf *err);
/* Calls fn for every subscription of kind (subject NULL: all subjects),
 * ordered by subject, then recipient; stops when fn returns false. */
enum lg_status notify_sub_each(struct notify_store *ns, const char *kind, const char *subject,
			       bool (*fn)(void *ctx, const char *subject, const char *recipient), void *ctx,
			       struct errbuf *err);
/* Whether recipient has any subscription left (checked before each send). */
enum lg_status notify_sub_has(struct notify_store *ns, const char *recipient, bool *yes, struct errbuf *err);

/* ---- the queue ---- */
struct notify_notice {
	int64_t id;
	char recipient[NOTIFY_TEXT_MAX], source[NOTIFY_TEXT_MAX], mode[16];
	char *subject, *body; /* owned by the row set */
	int64_t attempts;
};

/* One transaction around many notice_add calls (a plan commits at once). */
enum lg_status notify_begin(struct notify_store *ns, struct errbuf *err);
enum lg_status notify_commit(struct notify_store *ns, struct errbuf *err);
void notify_rollback(struct notify_store *ns);

/* Queues a notice unless (recipient, source, mode) has one already;
 * *added tells which. */
enum lg_status notify_notice_add(struct notify_store *ns, const char *recipient, const char *source, const char *mode,
				 const char *subject, const char *body, int64_t now, bool *added, struct errbuf *err);

/* The queued notices of source (NULL: every source) due at now, at most
 * limit, oldest first, into *out (*n of them; free with
 * notify_notices_free). */
enum lg_status notify_due(struct notify_store *ns, const char *source, int64_t now, int64_t limit,
			  struct notify_notice **out, size_t *n, struct errbuf *err);
void notify_notices_free(struct notify_notice **v, size_t n);

/* Marks notice id: state, and for a retry the time before which it is not
 * due (error: the relay's answer, "" for none). */
enum lg_status notify_mark(struct notify_store *ns, int64_t id, enum notify_state state, int64_t attempts,
			   int64_t next_try, const char *error, int64_t now, struct errbuf *err);

/* Notices sent at or after since (the daily ramp's count). */
enum lg_status notify_sent_since(struct notify_store *ns, int64_t since, int64_t *n, struct errbuf *err);
/* Per state, the notices of source (NULL: all). */
enum lg_status notify_counts(struct notify_store *ns, const char *source, int64_t counts[NOTIFY_STATES],
			     struct errbuf *err);

/* Calls fn for each source with notices, by name, with its per-state
 * counts (the operator's view of the queue). */
enum lg_status notify_queue_each(struct notify_store *ns,
				 void (*fn)(void *ctx, const char *source, const int64_t counts[NOTIFY_STATES]), void *ctx,
				 struct errbuf *err);

#endif
