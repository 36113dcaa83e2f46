/* runtime.c: see runtime.h. */
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "context/history.h"
#include "context/people.h"
#include "detect/state.h"
#include "store/store.h"
#include "milter/reporting.h"
#include "milter/runtime.h"
#include "store/reports.h"
#include "util/alloc.h"
#include "util/log.h"

struct runtime {
	atomic_uint refs;
	struct engine *engine;
	struct milter_settings settings;
	struct config cfg;            /* as read; names the state store */
	unsigned long long state;     /* state_version() when built */
	struct history *history;      /* correspondent history written to, NULL when it cannot be */
	pthread_mutex_t history_lock; /* one message's notes are one transaction */
	unsigned remembered;          /* messages noted, for pruning now and then */
	unsigned char alert_key[REPORT_KEY_LEN]; /* signs leakguard's own alerts */
	bool have_alert_key;
};

/* The history is pruned to its bounds after this many messages. */
#define PRUNE_EVERY 1000

struct runtime_holder {
	pthread_mutex_t lock; /* guards current: the swap and the first reference */
	struct runtime *current;
	runtime_load_fn load;
	void *ctx;
	unsigned generation;
};

static void runtime_free(struct runtime *r)
{
	history_close(&r->history);
	pthread_mutex_destroy(&r->history_lock);
	engine_free(&r->engine);
	milter_settings_cleanup(&r->settings);
	config_cleanup(&r->cfg);
	lg_free(r);
}

/* The correspondent history beside the state store, for writing; without
 * it the milter filters as before and says why once. */
static void open_history(struct runtime *r)
{
	char *path = store_path(&r->cfg);
	struct errbuf err = {""};

	if (history_open(path, true, &r->history, &err))
		log_warn("milter: no correspondent history kept: %s", err.msg);
	g_free(path);
}

/* The key that signs leakguard's alerts (report/mailer.h), so the spoof
 * stripping keeps their mark. Created when this milter files reports or
 * an alert address is set; otherwise read if the store has one. */
static void load_alert_key(struct runtime *r)
{
	char *path = store_path(&r->cfg);
	struct report_store *rs = NULL;
	struct errbuf err = {""};

	if ((r->settings.report_address || r->cfg.report_alert_to.n || g_file_test(path, G_FILE_TEST_EXISTS)) &&
	    !report_store_open(path, &rs, &err) && !report_store_alert_key(rs, r->alert_key, &err))
		r->have_alert_key = true;
	else if (*err.msg)
		log_warn("milter: no alert key, so leakguard's alerts lose their mark here: %s", err.msg);
	report_store_close(&rs);
	g_free(path);
}

static enum lg_status build(struct runtime_holder *h, struct runtime **out, struct errbuf *err)
{
	struct runtime *r = lg_calloc(1, sizeof(*r));
	enum lg_status rc;

	pthread_mutex_init(&r->history_lock, NULL);
	rc = h->load(h->ctx, &r->cfg, err);
	if (rc) {
		pthread_mutex_destroy(&r->history_lock);
		lg_free(r); /* the loader cleaned up after itself */
		return rc;
	}
	rc = milter_settings_from_config(&r->cfg, &r->settings, err);
	if (!rc)
		rc = engine_new(&r->cfg, &r->engine, err);
	if (rc) {
		runtime_free(r);
		return rc;
	}
	/* The alert key before the version: creating it writes the store,
	 * which must not look like a change to reload for. */
	load_alert_key(r);
	/* The version first: a write that races the load makes it stale. */
	r->state = state_version(&r->cfg);
	state_attach(r->engine, &r->cfg);
	open_history(r);
	if (r->settings.report_address)
		reporting_prepare(&r->cfg);
	atomic_init(&r->refs, 1);
	*out = r;
	return LG_OK;
}

enum lg_status runtime_holder_new(runtime_load_fn load, void *ctx, struct runtime_holder **out,
				  struct errbuf *err)
{
	struct runtime_holder *h = lg_calloc(1, sizeof(*h));
	enum lg_status rc;

	pthread_mutex_init(&h->lock, NULL);
	h->load = load;
	h->ctx = ctx;
	rc = build(h, &h->current, err);
	if (rc) {
		pthread_mutex_destroy(&h->lock);
		lg_free(h);
		return rc;
	}
	*out = h;
	return LG_OK;
}

void runtime_holder_free(struct runtime_holder **hp)
{
	struct runtime_holder *h = hp ? *hp : NULL;

	if (!h)
		return;
	runtime_release(&h->current);
	pthread_mutex_destroy(&h->lock);
	lg_free(h);
	*hp = NULL;
}

enum lg_status runtime_reload(struct runtime_holder *h, struct errbuf *err)
{
	struct runtime *fresh, *old;
	enum lg_status rc = build(h, &fresh, err);

	if (rc)
		return rc;
	pthread_mutex_lock(&h->lock);
	old = h->current;
	h->current = fresh;
	h->generation++;
	pthread_mutex_unlock(&h->lock);
	if (strcmp(old->settings.listen, fresh->settings.listen) != 0)
		log_warn("milter: [milter] listen changed to %s; it takes effect at the next restart",
			 fresh->settings.listen);
	runtime_release(&old);
	return LG_OK;
}

unsigned runtime_generation(struct runtime_holder *h)
{
	unsigned g;

	pthread_mutex_lock(&h->lock);
	g = h->generation;
	pthread_mutex_unlock(&h->lock);
	return g;
}

struct runtime *runtime_acquire(struct runtime_holder *h)
{
	struct runtime *r;

	pthread_mutex_lock(&h->lock);
	r = runtime_ref(h->current);
	pthread_mutex_unlock(&h->lock);
	return r;
}

struct runtime *runtime_ref(struct runtime *r)
{
	atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
	return r;
}

void runtime_release(struct runtime **rp)
{
	struct runtime *r = rp ? *rp : NULL;

	if (!r)
		return;
	*rp = NULL;
	if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
		return;
	runtime_free(r);
}

bool runtime_stale(struct runtime_holder *h)
{
	struct runtime *r = runtime_acquire(h);
	bool stale = state_version(&r->cfg) != r->state;

	runtime_release(&r);
	return stale;
}

const struct engine *runtime_engine(const struct runtime *r)
{
	return r->engine;
}

const struct milter_settings *runtime_settings(const struct runtime *r)
{
	return &r->settings;
}

const struct config *runtime_config(const struct runtime *r)
{
	return &r->cfg;
}

const unsigned char *runtime_alert_key(const struct runtime *r)
{
	return r->have_alert_key ? r->alert_key : NULL;
}

void runtime_remember(struct runtime *r, const struct mail_message *msg, const char *const *rcpts, size_t nrcpts)
{
	struct hist_facts facts = {rcpts, nrcpts, false};
	size_t nown;
	const char *const *own = engine_own_domains(r->engine, &nown);
	struct errbuf err = {""};
	int64_t now = (int64_t)time(NULL);
	enum lg_status rc;

	if (!r->history)
		return;
	pthread_mutex_lock(&r->history_lock);
	rc = history_begin(r->history, &err);
	if (!rc) {
		rc = history_learn(r->history, msg, &facts, own, nown, now, &err);
		if (rc)
			history_rollback(r->history);
		else
			rc = history_commit(r->history, &err);
	}
	if (!rc && ++r->remembered % PRUNE_EVERY == 0)
		rc = history_prune(r->history, (int64_t)r->cfg.history_max_rows,
				   now - (int64_t)(r->cfg.history_max_days * 86400), NULL, &err);
	pthread_mutex_unlock(&r->history_lock);
	if (rc)
		log_warn("milter: correspondent history: %s", err.msg);
}
