/* pool.c: see pool.h. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

#include "milter/pool.h"
#include "util/alloc.h"
#include "util/log.h"

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct job {
	pool_fn work, discard;
	void *arg;
	enum job_state state;
	bool abandoned;
	pthread_cond_t done; /* signalled when state becomes JOB_DONE */
	struct job *next;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* a job was queued, or stop */
	pthread_cond_t gone; /* a worker exited */
	struct job *head, *tail;
	unsigned target;     /* workers wanted */
	unsigned threads;    /* workers alive, stuck ones included */
	unsigned long abandoned;
	bool stop;
};

static void job_free(struct job *j)
{
	pthread_cond_destroy(&j->done);
	lg_free(j);
}

/* Discards an abandoned job, outside the lock: discard may take time. */
static void drop(struct pool *p, struct job *j)
{
	pthread_mutex_unlock(&p->lock);
	j->discard(j->arg);
	job_free(j);
	pthread_mutex_lock(&p->lock);
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct job *j;

		while (!p->head && !p->stop)
			pthread_cond_wait(&p->wake, &p->lock);
		if (!p->head)
			break;
		j = p->head;
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		if (j->abandoned) {
			drop(p, j);
			continue;
		}
		j->state = JOB_RUNNING;
		pthread_mutex_unlock(&p->lock);
		j->work(j->arg);
		pthread_mutex_lock(&p->lock);
		j->state = JOB_DONE;
		if (!j->abandoned) {
			pthread_cond_signal(&j->done); /* the waiter frees j */
			continue;
		}
		drop(p, j);
		if (p->threads > p->target)
			break; /* a replacement took this worker's place meanwhile */
	}
	p->threads--;
	pthread_cond_broadcast(&p->gone);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Called with the lock held. */
static bool spawn(struct pool *p)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, worker, p);
	pthread_attr_destroy(&attr);
	if (rc)
		return false;
	p->threads++;
	return true;
}

enum lg_status pool_new(unsigned workers, struct pool **out, struct errbuf *err)
{
	struct pool *p = lg_calloc(1, sizeof(*p));

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->gone, NULL);
	p->target = workers ? workers : 1;
	pthread_mutex_lock(&p->lock);
	for (unsigned i = 0; i < p->target; i++)
		if (!spawn(p))
			break;
	pthread_mutex_unlock(&p->lock);
	if (p->threads == 0) {
		pthread_cond_destroy(&p->gone);
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		lg_free(p);
		return errbuf_set(err, LG_EINTERNAL, "cannot start analysis threads");
	}
	*out = p;
	return LG_OK;
}

enum lg_status pool_run(struct pool *p, pool_fn work, pool_fn discard, void *arg,
			const struct timespec *deadline)
{
	struct job *j = lg_calloc(1, sizeof(*j));
	pthread_condattr_t ca;
	enum lg_status rc = LG_OK;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->done, &ca);
	pthread_condattr_destroy(&ca);
	j->work = work;
	j->discard = discard;
	j->arg = arg;
	pthread_mutex_lock(&p->lock);
	if (p->stop) {
		pthread_mutex_unlock(&p->lock);
		job_free(j);
		discard(arg);
		return LG_EINTERNAL;
	}
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	pthread_cond_signal(&p->wake);
	while (j->state != JOB_DONE) {
		if (pthread_cond_timedwait(&j->done, &p->lock, deadline) == ETIMEDOUT && j->state != JOB_DONE) {
			j->abandoned = true;
			p->abandoned++;
			/* Its worker is busy for as long as the job runs: add one. */
			if (j->state == JOB_RUNNING && p->threads < p->target * POOL_MAX_FACTOR && !spawn(p))
				log_warn("milter: cannot start a replacement analysis thread");
			rc = LG_ELIMIT;
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (!rc)
		job_free(j);
	return rc;
}

unsigned long pool_abandoned(struct pool *p)
{
	unsigned long n;

	pthread_mutex_lock(&p->lock);
	n = p->abandoned;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void pool_free(struct pool **pp, unsigned wait_ms)
{
	struct pool *p = pp ? *pp : NULL;
	struct timespec until;
	unsigned left;

	if (!p)
		return;
	*pp = NULL;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->wake);
	while (p->threads > 0)
		if (pthread_cond_timedwait(&p->gone, &p->lock, &until) == ETIMEDOUT)
			break;
	left = p->threads;
	pthread_mutex_unlock(&p->lock);
	if (left) {
		log_warn("milter: %u analysis threads still busy at exit", left);
		return;
	}
	pthread_cond_destroy(&p->gone);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	lg_free(p);
}
