/* mailq.c: the mail thread (mailq.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "portal/facts.h"
#include "portal/mailq.h"
#include "portal/metrics.h"
#include "portal/ratelimit.h"
#include "portal/token.h"
#include "report/mailer.h"
#include "util/alloc.h"
#include "util/log.h"

struct mailq {
	struct portal *p;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct mailq_job **jobs; /* MAILQ_MAX slots, a ring; each job lg_malloc'd */
	size_t head, n;
	bool stopping;
	struct ratelimit *per_rcpt;
};

static void send_text(struct portal *p, const char *to, const char *subject, const char *body)
{
	struct buf m;
	struct errbuf err;
	const char *rcpt[1] = {to};

	buf_init(&m);
	mailer_compose_plain(&m, p->set.from, to, subject, body);
	if (mailer_send(p->set.smtp, p->set.from, rcpt, 1, &m, &err)) {
		log_error("portal: mail: %s", err.msg);
		portal_metrics_mail(p, "failed");
	} else {
		portal_metrics_mail(p, "sent");
	}
	buf_cleanup(&m);
}

/* The address's SHA-256 prefix: the audit log says which check it was
 * without storing the address itself. */
static void short_hash(const char *s, char out[17])
{
	char h[TOKEN_HEX];

	token_hash(s, h);
	g_strlcpy(out, h, 17);
}

static void do_address(struct mailq *q, const struct mailq_job *j)
{
	struct portal *p = q->p;
	char tok[TOKEN_LEN + 1], th[TOKEN_HEX], hs[17];
	bool found;
	int retry;

	pthread_rwlock_wrlock(&p->index_lock); /* the store is read too (the address's text) */
	found = facts_address_found(p->ix, p->store, j->to);
	pthread_rwlock_unlock(&p->index_lock);
	if (!found)
		return;
	short_hash(j->to, hs);
	/* over the recipient's hourly limit: nothing to log, nothing was shown */
	if (!ratelimit_take(q->per_rcpt, j->to, (double)time(NULL), &retry))
		return;
	if (!token_new(tok))
		return;
	token_hash(tok, th);
	if (portal_link_add(p->ps, th, "address", j->to, "", (int64_t)time(NULL) + p->set.link_ttl, NULL))
		return;
	{
		char *body = g_strdup_printf(
			"Hello,\n\nsomeone (we hope you) asked leakguard whether this address appears in a data leak.\n"
			"It does. This private link shows which leaks hold it, what leaked with it, and what to do:\n\n"
			"%s/r/%s\n\nThe link opens once, within %lld hours. If you did not ask, you can still open it, or\n"
			"ignore this mail; nobody else has been told anything.\n",
			p->set.base_url, tok, (long long)(p->set.link_ttl / 3600));

		send_text(p, j->to, "Your leakguard result", body);
		g_free(body);
	}
	portal_audit(p, "mailer", "-", "link-mailed", hs, "address result link");
}

static void do_confirm(struct mailq *q, const struct mailq_job *j)
{
	int retry;
	char *body, *subject;

	if (!ratelimit_take(q->per_rcpt, j->to, (double)time(NULL), &retry))
		return;
	body = g_strdup_printf("Hello,\n\nsomeone asked the leakguard portal to show what leaked about %s,\n"
			       "and chose this mailbox to prove they may see it. If that was you or a colleague,\n"
			       "open this link and press Confirm:\n\n%s\n\nThe link works once, within %lld minutes. "
			       "If nobody of yours asked, ignore this mail.\n",
			       j->domain, j->link, (long long)(q->p->set.mail_link_ttl / 60));
	subject = g_strdup_printf("Confirm leakguard access for %s", j->domain);
	send_text(q->p, j->to, subject, body);
	g_free(subject);
	g_free(body);
}

static void do_notify(struct mailq *q, const struct mailq_job *j)
{
	int retry;
	char *body;

	if (!ratelimit_take(q->per_rcpt, j->to, (double)time(NULL), &retry))
		return;
	if (*j->domain)
		body = g_strdup_printf("Hello,\n\na verified administrator of %s on the leakguard portal named this mailbox\n"
				       "to get notices when a data leak holds data of %s. To agree, open this link\n"
				       "and press Confirm:\n\n%s\n\nThe link works once, within %lld minutes. If you do not "
				       "want these notices,\nignore this mail: nothing is sent to you.\n",
				       j->domain, j->domain, j->link, (long long)(q->p->set.mail_link_ttl / 60));
	else
		body = g_strdup_printf("Hello,\n\nsomeone (we hope you) asked the leakguard portal to tell this address when\n"
				       "a data leak we index holds it. To agree, open this link and press Confirm:\n\n%s\n\n"
				       "The link works once, within %lld minutes. If you did not ask, ignore this mail:\n"
				       "nothing is sent to you and the request is deleted within the hour.\n",
				       j->link, (long long)(q->p->set.mail_link_ttl / 60));
	send_text(q->p, j->to, "Confirm leak notices from leakguard", body);
	g_free(body);
}

static void *run(void *arg)
{
	struct mailq *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		struct mailq_job *j;

		while (!q->n && !q->stopping)
			pthread_cond_wait(&q->cond, &q->lock);
		if (!q->n)
			break;
		j = q->jobs[q->head];
		q->head = (q->head + 1) % MAILQ_MAX;
		q->n--;
		pthread_mutex_unlock(&q->lock);
		if (j->kind == MAILQ_ADDRESS)
			do_address(q, j);
		else if (j->kind == MAILQ_NOTIFY)
			do_notify(q, j);
		else
			do_confirm(q, j);
		lg_free(j);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct mailq *mailq_start(struct portal *p)
{
	struct mailq *q = lg_calloc(1, sizeof(*q));

	q->p = p;
	q->jobs = lg_calloc(MAILQ_MAX, sizeof(*q->jobs));
	q->per_rcpt = ratelimit_new(MAILQ_PER_RCPT, 3600, true); /* a live cap is never evicted */
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	pthread_create(&q->thread, NULL, run, q);
	return q;
}

bool mailq_push(struct mailq *q, const struct mailq_job *j)
{
	struct mailq_job *copy = lg_malloc(sizeof(*copy));
	bool ok;

	*copy = *j;
	pthread_mutex_lock(&q->lock);
	ok = q->n < MAILQ_MAX && !q->stopping;
	if (ok) {
		q->jobs[(q->head + q->n) % MAILQ_MAX] = copy;
		q->n++;
		pthread_cond_signal(&q->cond);
	}
	pthread_mutex_unlock(&q->lock);
	portal_metrics_mail(q->p, ok ? "queued" : "dropped");
	if (!ok)
		lg_free(copy);
	return ok;
}

void mailq_stop(struct mailq **qp)
{
	struct mailq *q;

	if (!qp || !*qp)
		return;
	q = *qp;
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	ratelimit_free(&q->per_rcpt);
	lg_free(q->jobs);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	lg_free(q);
	*qp = NULL;
}
