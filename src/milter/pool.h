/* pool.h: the worker threads message analyses run on, so that the libmilter
 * session thread can wait for one with a deadline and answer the MTA on time
 * even if an analysis never finishes (the per-message time budget).
 *
 * A fixed number of workers take jobs from one queue. When the waiter's
 * deadline passes first, the job is abandoned: it is discarded if it has not
 * started, or cleaned up by its worker when it ends. A worker stuck in an
 * abandoned job is replaced (up to POOL_MAX_FACTOR times the workers), so one
 * pathological message cannot starve the others. */
#ifndef LG_MILTER_POOL_H
#define LG_MILTER_POOL_H

#include <time.h>

#include "util/errbuf.h"

#define POOL_MAX_FACTOR 4

struct pool;
typedef void (*pool_fn)(void *arg);

/* Starts `workers` threads (at least 1). Returns LG_OK, or LG_EINTERNAL when
 * no thread could be started. */
enum lg_status pool_new(unsigned workers, struct pool **out, struct errbuf *err);

/* Runs work(arg) on a worker and waits until it has returned or until
 * deadline (CLOCK_MONOTONIC) passes. Returns LG_OK when work returned: arg
 * is the caller's again. Returns LG_ELIMIT when the deadline came first, or
 * LG_EINTERNAL when the pool is stopping: the pool then owns arg and calls
 * discard(arg) once work(arg) has returned, or instead of it. */
enum lg_status pool_run(struct pool *p, pool_fn work, pool_fn discard, void *arg,
			const struct timespec *deadline);

/* Jobs abandoned at their deadline since the start. */
unsigned long pool_abandoned(struct pool *p);

/* Lets queued and running jobs finish, waiting at most wait_ms, then frees
 * the pool. Workers still busy after that are left to the process's exit
 * (and the pool with them, which they still use). Sets *p to NULL. */
void pool_free(struct pool **p, unsigned wait_ms);

#endif
