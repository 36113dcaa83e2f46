/* server.h: the milter itself (Sendmail milter API, libmilter; Postfix
 * speaks it as milter_protocol 6). One libmilter thread per MTA connection
 * gathers each message's headers and body; at the end of the message its
 * analysis runs on the worker pool under the per-message time budget, and
 * the resulting plan (plan.h) is carried out: headers added and spoofed
 * copies removed, subject tagged, body replaced with the bannered one,
 * message quarantined or rejected. When the analysis cannot finish, the
 * configured fail mode applies; nothing is dropped silently. One log line
 * per message on stderr. */
#ifndef LG_MILTER_SERVER_H
#define LG_MILTER_SERVER_H

#include "milter/runtime.h"
#include "util/errbuf.h"

/* How long a stopping milter waits for messages in flight to finish. */
#define MILTER_DRAIN_MS 30000

/* How long a stopping milter stays up after the last message in flight is
 * done: libmilter writes a callback's reply only after the callback returns,
 * so exiting at once could cut off replies still being written (on a loaded
 * host a thread may sit preempted between the two for many milliseconds). */
#define MILTER_REPLY_GRACE_MS 500

/* Listens on the current runtime's [milter] listen socket and filters mail
 * with `workers` analysis threads until milter_server_stop(); then returns
 * LG_OK. Returns LG_EIO when the socket cannot be opened, or LG_EINTERNAL
 * when libmilter fails; err says why. */
enum lg_status milter_server_run(struct runtime_holder *h, unsigned workers, struct errbuf *err);

/* Stops the milter gracefully, from any thread but libmilter's: new
 * messages get 451 4.3.2, messages in flight finish (up to MILTER_DRAIN_MS),
 * then libmilter stops listening and milter_server_run() returns (libmilter
 * notices within about 5 seconds). Blocks until the messages are done. */
void milter_server_stop(void);

#endif
