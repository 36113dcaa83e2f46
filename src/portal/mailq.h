/* mailq.h: the portal's outgoing mail, sent by one background thread from
 * a bounded queue, so that neither SMTP time nor the look-up that decides
 * whether to send shows in any HTTP response time. An address check only
 * queues the address; the thread looks it up and mails a result link when
 * a leak holds it. Each recipient gets at most MAILQ_PER_RCPT mails an
 * hour, so the portal cannot be used to flood a mailbox. */
#ifndef LG_PORTAL_MAILQ_H
#define LG_PORTAL_MAILQ_H

#include <stdbool.h>

#include "portal/server.h"

#define MAILQ_MAX 65536 /* jobs waiting; a job is a few dozen bytes until pushed */
#define MAILQ_PER_RCPT 3

enum mailq_kind {
	MAILQ_ADDRESS, /* look `to` up; when found, mail it a result link */
	MAILQ_CONFIRM, /* mail `to` the domain-confirmation link `link` */
	MAILQ_NOTIFY,  /* mail `to` the link `link` confirming its leak-notice
	                * subscription (for `domain`, or its own address when "") */
};

struct mailq_job {
	enum mailq_kind kind;
	char to[PORTAL_TEXT_MAX];
	char domain[PORTAL_TEXT_MAX];
	char link[512];
};

struct mailq *mailq_start(struct portal *p);
/* Queues a copy of j; false when the queue is full. */
bool mailq_push(struct mailq *q, const struct mailq_job *j);
/* Sends what is still queued, then stops the thread. */
void mailq_stop(struct mailq **q);

#endif
