/* send.c: the notifier (send.h). RFC 8058 one-click unsubscribe headers,
 * RFC 2369 List-Unsubscribe; the mail itself is report/mailer.h's. */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "notify/compose.h"
#include "notify/send.h"
#include "notify/webhook.h"
#include "portal/token.h"
#include "report/mailer.h"
#include "util/alloc.h"
#include "util/log.h"

#define DUE_BATCH 2000

struct sender {
	struct notify_store *ns;
	const struct notify_send_opts *o;
	struct notify_send_stats *st;
	struct notify_notice *v;
	size_t n;
	bool *taken;
	size_t done;                /* taken and finished */
	GHashTable *busy;           /* domain -> in flight (GINT_TO_POINTER) */
	GHashTable *until;          /* domain -> back-off end, seconds (double *) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum lg_status rc;
	struct errbuf err;
};

static double now_s(void)
{
	return (double)g_get_real_time() / G_USEC_PER_SEC;
}

static const char *domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : addr;
}

/* The mail: mailer_compose_plain's, with the notice's own Message-ID and,
 * for subscribers, the unsubscribe headers. */
static void compose(const struct sender *sd, const struct notify_notice *x, struct buf *out)
{
	const struct notify_send_opts *o = sd->o;
	bool sub = strcmp(x->mode, "subscriber") == 0;
	char tok[TOKEN_LEN + 1], *url = NULL, *host;
	struct buf body, mail;
	const char *p, *end;

	buf_init(&body);
	buf_init(&mail);
	if (sub) {
		notify_unsub_token(o->secret, PORTAL_SECRET_LEN, x->recipient, tok);
		url = g_strdup_printf("%s/u/%s", o->base, tok);
	}
	buf_append(&body, x->body, strlen(x->body));
	notify_compose_footer(sub ? NOTIFY_SUBSCRIBER : NOTIFY_OWNER, url, &body);
	mailer_compose_plain(&mail, o->from, x->recipient, x->subject, body.data);
	/* headers end at the first blank line; rebuild them */
	end = strstr(mail.data, "\r\n\r\n");
	host = g_strdup(domain_of(o->from));
	for (p = mail.data; end && p < end + 2;) {
		const char *eol = strstr(p, "\r\n");

		if (g_ascii_strncasecmp(p, "Message-ID:", 11) != 0)
			buf_append(out, p, (size_t)(eol + 2 - p));
		p = eol + 2;
	}
	buf_appendf(out, "Message-ID: <notice-%lld@%s>\r\n", (long long)x->id, host);
	if (sub)
		buf_appendf(out, "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", url);
	if (end)
		buf_append(out, end + 2, mail.len - (size_t)(end + 2 - mail.data));
	g_free(host);
	g_free(url);
	buf_cleanup(&body);
	buf_cleanup(&mail);
}

/* The next notice whose domain may get one now; -1 when none. Caller
 * holds the lock. */
static ssize_t pick(struct sender *sd)
{
	double t = now_s();

	for (size_t i = 0; i < sd->n; i++) {
		const char *d;
		double *u;

		if (sd->taken[i])
			continue;
		d = domain_of(sd->v[i].recipient);
		u = g_hash_table_lookup(sd->until, d);
		if (u && *u > t)
			continue;
		if ((unsigned)GPOINTER_TO_INT(g_hash_table_lookup(sd->busy, d)) >= sd->o->per_domain)
			continue;
		return (ssize_t)i;
	}
	return -1;
}

static bool stopping(const struct notify_send_opts *o)
{
	return o->stop && *o->stop;
}

/* Whether anything not yet taken could still go in this batch. */
static bool waiting(const struct sender *sd)
{
	for (size_t i = 0; i < sd->n; i++)
		if (!sd->taken[i])
			return true;
	return false;
}

static void finish(struct sender *sd, const struct notify_notice *x, enum notify_state state, int64_t attempts,
		   int64_t next_try, const char *why)
{
	struct errbuf e = {""};
	enum lg_status rc = notify_mark(sd->ns, x->id, state, attempts, next_try, why, (int64_t)time(NULL), &e);

	pthread_mutex_lock(&sd->lock);
	if (rc && !sd->rc) {
		sd->rc = rc;
		sd->err = e;
	}
	pthread_mutex_unlock(&sd->lock);
}

static void one(struct sender *sd, const struct notify_notice *x)
{
	const struct notify_send_opts *o = sd->o;
	const char *rcpt[1] = {x->recipient};
	struct errbuf e = {""};
	struct buf m;
	bool subscribed = true, ok, webhook = strcmp(x->mode, "webhook") == 0;
	unsigned max = webhook ? o->webhook_attempts : o->max_attempts;

	if ((webhook || strcmp(x->mode, "subscriber") == 0) && notify_sub_has(sd->ns, x->recipient, &subscribed, &e) == LG_OK &&
	    !subscribed) {
		finish(sd, x, NOTIFY_CANCELLED, x->attempts, 0, "unsubscribed");
		pthread_mutex_lock(&sd->lock);
		sd->st->cancelled++;
		pthread_mutex_unlock(&sd->lock);
		return;
	}
	buf_init(&m);
	if (webhook) {
		char key[TOKEN_LEN + 1];

		webhook_key(o->secret, PORTAL_SECRET_LEN, x->recipient, key);
		ok = webhook_post(x->recipient, key, x->subject, x->body, o->webhook_private, &e) == LG_OK;
	} else {
		compose(sd, x, &m);
		ok = mailer_send(o->relay, o->from, rcpt, 1, &m, &e) == LG_OK;
	}
	if (ok) {
		finish(sd, x, NOTIFY_SENT, x->attempts + 1, 0, "");
		pthread_mutex_lock(&sd->lock);
		sd->st->sent++;
		pthread_mutex_unlock(&sd->lock);
	} else {
		int64_t a = x->attempts + 1;
		double delay = o->backoff * (double)(1 << (a < 16 ? a - 1 : 15));
		bool give_up = a >= (int64_t)(max ? max : 1);
		double *u = g_new(double, 1);

		log_error("notify: notice %lld: %s", (long long)x->id, e.msg);
		finish(sd, x, give_up ? NOTIFY_FAILED : NOTIFY_QUEUED, a, (int64_t)(time(NULL) + delay), e.msg);
		*u = now_s() + o->backoff;
		pthread_mutex_lock(&sd->lock);
		g_hash_table_insert(sd->until, g_strdup(domain_of(x->recipient)), u);
		if (give_up)
			sd->st->failed++;
		else
			sd->st->retried++;
		pthread_mutex_unlock(&sd->lock);
	}
	buf_cleanup(&m);
}

static void *worker(void *arg)
{
	struct sender *sd = arg;

	pthread_mutex_lock(&sd->lock);
	while (!sd->rc && !stopping(sd->o) && waiting(sd)) {
		ssize_t i = pick(sd);
		const char *d;

		if (i < 0) {
			/* every domain left is busy or backed off: notices of a
			 * backed-off domain stay queued for the next batch */
			struct timespec ts;
			bool any_busy = g_hash_table_size(sd->busy) > 0;

			if (!any_busy)
				break;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 50 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&sd->cond, &sd->lock, &ts);
			continue;
		}
		sd->taken[i] = true;
		d = domain_of(sd->v[i].recipient);
		g_hash_table_insert(sd->busy, g_strdup(d),
				    GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(sd->busy, d)) + 1));
		pthread_mutex_unlock(&sd->lock);
		one(sd, &sd->v[i]);
		pthread_mutex_lock(&sd->lock);
		{
			int left = GPOINTER_TO_INT(g_hash_table_lookup(sd->busy, d)) - 1;

			if (left > 0)
				g_hash_table_insert(sd->busy, g_strdup(d), GINT_TO_POINTER(left));
			else
				g_hash_table_remove(sd->busy, d);
		}
		sd->done++;
		if (sd->o->progress)
			sd->o->progress(sd->o->ctx, sd->st->sent, sd->st->failed, sd->n - sd->done);
		pthread_cond_broadcast(&sd->cond);
	}
	pthread_mutex_unlock(&sd->lock);
	return NULL;
}

/* Sends one batch of due notices with the worker threads. */
static enum lg_status batch(struct sender *sd, struct errbuf *err)
{
	unsigned nt = sd->o->threads ? sd->o->threads : 1;
	pthread_t *t = lg_calloc(nt, sizeof(*t));

	sd->taken = lg_calloc(sd->n ? sd->n : 1, sizeof(*sd->taken));
	sd->done = 0;
	for (unsigned i = 0; i < nt; i++)
		pthread_create(&t[i], NULL, worker, sd);
	for (unsigned i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	lg_free(t);
	lg_free(sd->taken);
	if (sd->rc)
		return errbuf_set(err, sd->rc, "%s", sd->err.msg);
	return LG_OK;
}

/* Seconds since the epoch at the start of today (UTC). */
static int64_t day_start(void)
{
	int64_t t = (int64_t)time(NULL);

	return t - t % 86400;
}

enum lg_status notify_send(struct notify_store *ns, const struct notify_send_opts *o, struct notify_send_stats *st,
			   struct errbuf *err)
{
	struct sender sd = {.ns = ns, .o = o, .st = st};
	enum lg_status rc = LG_OK;

	memset(st, 0, sizeof(*st));
	sd.busy = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	sd.until = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	pthread_mutex_init(&sd.lock, NULL);
	pthread_cond_init(&sd.cond, NULL);
	for (;;) {
		int64_t limit = DUE_BATCH, today = 0, counts[NOTIFY_STATES];
		bool progress;
		uint64_t before;

		if (o->ramp > 0) {
			rc = notify_sent_since(ns, day_start(), &today, err);
			if (rc)
				break;
			limit = o->ramp - today < limit ? o->ramp - today : limit;
		}
		if (limit > 0) {
			rc = notify_due(ns, o->source, (int64_t)time(NULL), limit, &sd.v, &sd.n, err);
			if (rc)
				break;
		}
		before = st->sent + st->failed + st->cancelled + st->retried;
		if (sd.n)
			rc = batch(&sd, err);
		progress = st->sent + st->failed + st->cancelled + st->retried > before;
		notify_notices_free(&sd.v, sd.n);
		sd.n = 0;
		if (rc)
			break;
		if (stopping(o)) {
			rc = notify_counts(ns, o->source, counts, err);
			st->held = rc ? 0 : (uint64_t)counts[NOTIFY_QUEUED];
			break;
		}
		if (progress)
			continue;
		rc = notify_counts(ns, o->source, counts, err);
		if (rc)
			break;
		if (!counts[NOTIFY_QUEUED] || !o->wait || limit <= 0) {
			st->held = (uint64_t)counts[NOTIFY_QUEUED];
			break;
		}
		usleep(200 * 1000); /* retries not yet due: wait for them */
		if (stopping(o))
			break;
	}
	g_hash_table_destroy(sd.busy);
	g_hash_table_destroy(sd.until);
	pthread_mutex_destroy(&sd.lock);
	pthread_cond_destroy(&sd.cond);
	return rc;
}
