/* signals.c: see signals.h. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "milter/signals.h"
#include "util/log.h"

/* How often the thread looks whether the state store changed. */
#define STATE_POLL_SECONDS 2

static pthread_t waiter;
static bool started;
static atomic_bool ending;

struct waiter_args {
	struct runtime_holder *h;
	void (*stop)(void);
};

static struct waiter_args args;

static void ours(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
}

/* Interposes libc's sigwait() for the whole process; libmilter is its only
 * caller. Same contract as POSIX sigwait(), except that SIGHUP, SIGTERM and
 * SIGINT are never taken: they stay pending for our thread's sigwaitinfo().
 * Waiting on what is left of libmilter's set (nothing) blocks for good,
 * which is what its signal thread should do now. */
int sigwait(const sigset_t *restrict set, int *restrict sig)
{
	sigset_t left = *set;
	int got;

	sigdelset(&left, SIGHUP);
	sigdelset(&left, SIGTERM);
	sigdelset(&left, SIGINT);
	do
		got = sigwaitinfo(&left, NULL);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return errno;
	*sig = got;
	return 0;
}

void milter_signals_block(void)
{
	sigset_t set;

	ours(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void *wait_loop(void *arg)
{
	struct waiter_args *a = arg;
	sigset_t set;

	ours(&set);
	for (;;) {
		struct errbuf err = {""};
		struct timespec poll = {STATE_POLL_SECONDS, 0};
		int got = sigtimedwait(&set, NULL, &poll);
		const char *why = "configuration and lists";

		if (atomic_load(&ending))
			break;
		if (got == SIGTERM || got == SIGINT) {
			log_info("milter: %s received", got == SIGTERM ? "SIGTERM" : "SIGINT");
			a->stop();
			break;
		}
		/* No signal: reload only if a report or block changed the store. */
		if (got < 0 && !runtime_stale(a->h))
			continue;
		if (got < 0)
			why = "state store (model, reports, blocks)";
		else if (got != SIGHUP)
			continue;
		if (runtime_reload(a->h, &err))
			log_error("milter: reload failed, keeping the running configuration: %s", err.msg);
		else
			log_info("milter: %s reloaded (generation %u)", why, runtime_generation(a->h));
	}
	return NULL;
}

enum lg_status milter_signals_start(struct runtime_holder *h, void (*stop)(void), struct errbuf *err)
{
	milter_signals_block();
	atomic_store(&ending, false);
	args.h = h;
	args.stop = stop;
	if (pthread_create(&waiter, NULL, wait_loop, &args))
		return errbuf_set(err, LG_EINTERNAL, "cannot start the signal thread");
	started = true;
	return LG_OK;
}

void milter_signals_stop(void)
{
	if (!started)
		return;
	atomic_store(&ending, true);
	/* A thread-directed SIGHUP wakes exactly our thread (if it still waits:
	 * after a stop it has ended, and the signal is discarded with it). */
	pthread_kill(waiter, SIGHUP);
	pthread_join(waiter, NULL);
	started = false;
}
