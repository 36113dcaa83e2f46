/* signals.h: SIGHUP reloads the configuration and lists; SIGTERM and SIGINT
 * stop the milter gracefully: messages in flight finish first.
 *
 * libmilter runs a thread of its own that sigwait()s for SIGHUP, SIGTERM and
 * SIGINT and treats all three as "stop now" (libmilter/signal.c). Debian's
 * libmilter is built with its worker pool, which stops serving every open
 * session the moment it is told to stop, so messages in flight would be
 * cut off. signals.c therefore defines sigwait(): the dynamic linker binds
 * libmilter's call to it rather than to libc's, and it never takes those
 * three signals. Our own thread waits for them instead: it reloads on
 * SIGHUP, and on SIGTERM/SIGINT calls the stop function, which refuses new
 * messages, lets those in flight finish, and only then stops libmilter
 * (smfi_stop). */
#ifndef LG_MILTER_SIGNALS_H
#define LG_MILTER_SIGNALS_H

#include "milter/runtime.h"
#include "util/errbuf.h"

/* Blocks SIGHUP, SIGTERM and SIGINT in the calling thread, and so in every
 * thread it creates later. Call before any thread exists: a thread that
 * left them unblocked would take their default action (ending the process
 * at once) instead of the waiting thread taking them. Signals arriving
 * during start-up stay pending until that thread waits for them. */
void milter_signals_block(void);

/* Starts the thread that reloads h on every SIGHUP, and within seconds of a
 * change to the state store (a staff report or block, a retrained model:
 * runtime_stale), and calls stop() on the first SIGTERM or SIGINT (and then
 * ends). Returns LG_OK or LG_EINTERNAL. */
enum lg_status milter_signals_start(struct runtime_holder *h, void (*stop)(void), struct errbuf *err);

/* Ends and joins that thread. No-op when it was not started. */
void milter_signals_stop(void);

#endif
