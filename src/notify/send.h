/* send.h: the notifier — hands queued notices (store/notify.h) to the
 * notices' own relay ([notify] smtp) or, for webhooks, POSTs them (webhook.h), apart from the portal's login and
 * verification mail (its own thread and relay, portal/mailq.h), so those
 * never wait behind a notice storm.
 *
 * Each notice is checked against the subscriptions just before it goes
 * (an unsubscribe is honoured before the next send), then marked sent
 * once the relay accepted it. A kill between the relay's acceptance and
 * that mark is the only window in which a re-run can send a notice again;
 * its Message-ID is the notice's own, so a duplicate is recognisable.
 * Senders run in parallel, at most per_domain at a time to one recipient
 * domain; a refused or failed hand-over backs that domain off and retries
 * the notice later (up to max_attempts); at most ramp notices per UTC day. */
#ifndef LG_NOTIFY_SEND_H
#define LG_NOTIFY_SEND_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/notify.h"

struct notify_send_opts {
	const char *relay, *from, *base;   /* base: the portal's base URL */
	const uint8_t *secret;             /* the portal secret (unsubscribe tokens) */
	const char *source;                /* only this source's notices; NULL: all */
	int64_t ramp;                      /* per UTC day, 0 = no limit */
	unsigned threads, per_domain, max_attempts;
	unsigned webhook_attempts;         /* tries per webhook event (a receiver may be down for hours) */
	bool webhook_private;              /* webhooks may reach private addresses (tests, intranets) */
	double backoff;                    /* seconds before the first retry; doubles */
	bool wait;                         /* wait for retries instead of leaving them queued */
	const volatile sig_atomic_t *stop;         /* when *stop becomes non-zero (a SIGTERM): finish the
	                                    * notices in flight, start no other, return */
	void (*progress)(void *ctx, uint64_t sent, uint64_t failed, uint64_t left);
	void *ctx;
};

struct notify_send_stats {
	uint64_t sent, retried, failed, cancelled;
	uint64_t held;  /* left queued: the day's ramp is used up, or retries not waited for */
};

/* Sends what is due. LG_EIO with err only when the store fails; a relay's
 * refusal is counted, not returned. */
enum lg_status notify_send(struct notify_store *ns, const struct notify_send_opts *o, struct notify_send_stats *st,
			   struct errbuf *err);

#endif
