/* runtime.h: what one message is filtered with — the detection engine (with
 * the learned model and staff reports of the state store attached) and the
 * milter settings, built together from one reading of the configuration —
 * and the holder that swaps in a new one on reload (SIGHUP, or a change of
 * the state store) without stopping mail.
 *
 * A runtime is reference-counted: each message takes a reference when it
 * starts and drops it when it ends, so a reload never changes the rules in
 * the middle of a message, and the old engine is freed when the last message
 * using it ends (an RCU-like scheme with the counter as the grace period). */
#ifndef LG_MILTER_RUNTIME_H
#define LG_MILTER_RUNTIME_H

#include <stdbool.h>

#include "detect/engine.h"
#include "mail/message.h"
#include "milter/settings.h"
#include "util/config.h"
#include "util/errbuf.h"

struct runtime;
struct runtime_holder;

/* Reads the configuration afresh into cfg (defaults, the file, command-line
 * overrides). Returns LG_OK or a status with a sentence in err. */
typedef enum lg_status (*runtime_load_fn)(void *ctx, struct config *cfg, struct errbuf *err);

/* Builds the first runtime with load(ctx). Returns LG_OK, or the loader's,
 * the engine's or the settings' error. */
enum lg_status runtime_holder_new(runtime_load_fn load, void *ctx, struct runtime_holder **out,
				  struct errbuf *err);
/* Frees the holder and drops its reference to the current runtime; runtimes
 * still referenced by messages live on until those end. */
void runtime_holder_free(struct runtime_holder **h);

/* Builds a new runtime and makes it current; messages already running keep
 * theirs. On failure the current runtime stays and err says why. A changed
 * [milter] listen needs a restart; the warning says so. */
enum lg_status runtime_reload(struct runtime_holder *h, struct errbuf *err);
/* Reloads done so far (successful ones). */
unsigned runtime_generation(struct runtime_holder *h);

/* True when the state store (the learned model, staff reports and blocks,
 * detect/state.h) changed since the current runtime was built: a reload
 * then picks the change up. Cheap (two stat calls). */
bool runtime_stale(struct runtime_holder *h);

/* A new reference to the current runtime; drop it with runtime_release(). */
struct runtime *runtime_acquire(struct runtime_holder *h);
/* Another reference to r (for work that may outlive its caller). */
struct runtime *runtime_ref(struct runtime *r);
/* Drops a reference and sets *r to NULL; the last one frees. NULL is a no-op. */
void runtime_release(struct runtime **r);

const struct engine *runtime_engine(const struct runtime *r);
const struct milter_settings *runtime_settings(const struct runtime *r);
/* The configuration r was built from (names the state store, [report]). */
const struct config *runtime_config(const struct runtime *r);

/* The store's alert key (REPORT_KEY_LEN bytes, store/reports.h), NULL
 * when there is none: a mark it did not sign is stripped. */
const unsigned char *runtime_alert_key(const struct runtime *r);

/* Adds msg to the correspondent history (context/history.h) beside the
 * state store: its sender, or for mail from the organisation the envelope
 * recipients the MTA recorded (rcpts[0..nrcpts), never the To and Cc the
 * sender wrote), with Message-ID and thread (context/people.h
 * history_learn). Called for mail judged clean and
 * vouched for (report/vouch.h report_vouch_history: a staff submission, or
 * a trusted DMARC pass), so neither a phisher's first mail nor a forged
 * "warm-up" makes them a known correspondent. A store
 * error is logged and otherwise ignored: mail flows on. Thread-safe. */
void runtime_remember(struct runtime *r, const struct mail_message *msg, const char *const *rcpts, size_t nrcpts);

#endif
