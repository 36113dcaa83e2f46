/* train.h: learning and forgetting messages, in batches.
 *
 * Each message is known by the SHA-256 of its bytes (an mbox "From " line
 * excluded), so learning it twice counts once, learning it as the other
 * class moves it, and forgetting subtracts exactly what learning added.
 * Token deltas are summed in memory and written once per batch in one
 * transaction: a killed run loses at most the current batch, which is not
 * recorded as learnt either, so running it again completes the model. */
#ifndef LG_LEARN_TRAIN_H
#define LG_LEARN_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "learn/tokens.h"
#include "store/store.h"

#define TRAIN_BATCH 2000 /* messages per transaction */

enum train_outcome {
	TRAIN_LEARNT,    /* new */
	TRAIN_KNOWN,     /* already learnt as this class: nothing to do */
	TRAIN_MOVED,     /* was learnt as the other class: moved */
	TRAIN_FORGOTTEN, /* forgotten */
	TRAIN_UNKNOWN,   /* forget asked for a message never learnt */
};

struct trainer;

struct trainer *trainer_new(struct store *s);
/* Flushes nothing: call trainer_flush() first to keep pending work. */
void trainer_free(struct trainer **t);

/* Learns (or with forget, unlearns) one message of class cls, given its raw
 * bytes (for the digest) and its tokens. Flushes when the batch is full. */
enum lg_status trainer_add(struct trainer *t, const char *raw, size_t len, const struct token_set *tokens,
			   enum store_class cls, bool forget, enum train_outcome *outcome, struct errbuf *err);
/* The same, keeping vector (learn/fit.h's text form, copied; NULL: none)
 * beside the message's digest for fitting the verdict. Forgetting removes
 * the vector with the digest; learning a known message again replaces its
 * vector (and nothing else). */
enum lg_status trainer_add_vector(struct trainer *t, const char *raw, size_t len, const struct token_set *tokens,
				  const char *vector, enum store_class cls, bool forget, enum train_outcome *outcome,
				  struct errbuf *err);
/* The class the message raw is learnt as now (this batch included), or -1. */
enum lg_status trainer_class_of(struct trainer *t, const char *raw, size_t len, int *cls, struct errbuf *err);
/* Writes the pending batch in one transaction. */
enum lg_status trainer_flush(struct trainer *t, struct errbuf *err);

/* SHA-256 of raw without a leading mbox "From " line. */
void train_digest(const char *raw, size_t len, uint8_t out[32]);

#endif
