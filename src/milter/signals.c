/* signals.c: see signals.h. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "milter/signals.h"
#include "util/log.h"

static pthread_t reloader;
static bool started;
static atomic_bool stopping;

/* Interposes libc's sigwait() for the whole process; libmilter is its only
 * caller. Same contract as POSIX sigwait(), except that SIGHUP is never
 * taken: it is left pending for the reload thread's sigwaitinfo(). */
int sigwait(const sigset_t *restrict set, int *restrict sig)
{
	sigset_t without_hup = *set;
	int got;

	sigdelset(&without_hup, SIGHUP);
	do
		got = sigwaitinfo(&without_hup, NULL);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return errno;
	*sig = got;
	return 0;
}

void milter_signals_block(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void *reload_loop(void *arg)
{
	struct runtime_holder *h = arg;
	sigset_t hup;

	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	for (;;) {
		struct errbuf err = {""};
		int got = sigwaitinfo(&hup, NULL);

		if (atomic_load(&stopping))
			break;
		if (got != SIGHUP)
			continue;
		if (runtime_reload(h, &err))
			log_error("milter: reload failed, keeping the running configuration: %s", err.msg);
		else
			log_info("milter: configuration and lists reloaded (generation %u)", runtime_generation(h));
	}
	return NULL;
}

enum lg_status milter_signals_start(struct runtime_holder *h, struct errbuf *err)
{
	milter_signals_block();
	atomic_store(&stopping, false);
	if (pthread_create(&reloader, NULL, reload_loop, h))
		return errbuf_set(err, LG_EINTERNAL, "cannot start the reload thread");
	started = true;
	return LG_OK;
}

void milter_signals_stop(void)
{
	if (!started)
		return;
	atomic_store(&stopping, true);
	/* A thread-directed SIGHUP wakes exactly the reload thread. */
	pthread_kill(reloader, SIGHUP);
	pthread_join(reloader, NULL);
	started = false;
}
