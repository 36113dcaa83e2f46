/* signals.h: SIGHUP reloads the configuration and lists; SIGTERM and SIGINT
 * stop the milter (libmilter handles those two itself).
 *
 * libmilter runs a thread of its own that sigwait()s for SIGHUP, SIGTERM and
 * SIGINT and treats all three as "stop" (libmilter/signal.c). To give SIGHUP
 * its usual daemon meaning, signals.c defines sigwait(): the dynamic linker
 * binds libmilter's call to it rather than to libc's, and it waits for the
 * same signals minus SIGHUP. SIGHUP is then waited for by one thread only,
 * ours, which reloads. */
#ifndef LG_MILTER_SIGNALS_H
#define LG_MILTER_SIGNALS_H

#include "milter/runtime.h"
#include "util/errbuf.h"

/* Blocks SIGHUP, SIGTERM and SIGINT in the calling thread, and so in every
 * thread it creates later. Call before any thread exists: a thread that
 * left them unblocked would take their default action (ending the process
 * at once) instead of the waiting threads taking them. Signals arriving
 * during start-up stay pending until those threads wait for them. */
void milter_signals_block(void);

/* Starts the thread that reloads h on every SIGHUP, logging the outcome.
 * Returns LG_OK or LG_EINTERNAL. */
enum lg_status milter_signals_start(struct runtime_holder *h, struct errbuf *err);

/* Stops and joins that thread. No-op when it was not started. */
void milter_signals_stop(void);

#endif
