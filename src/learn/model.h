/* model.h: the statistical classifier — token counts learnt from spam and
 * ham, held in memory for speed, and Robinson's chi-square combining of
 * per-token probabilities (Robinson 2003, "A Statistical Approach to the Spam
 * Problem"; as bogofilter and SpamBayes). Naive-Bayes counts were chosen over
 * an online linear model because they make learning exactly reversible
 * (--forget subtracts what learning added) and idempotent per message.
 * A model is a read-only snapshot after model_load(), shareable by threads. */
#ifndef LG_LEARN_MODEL_H
#define LG_LEARN_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "learn/tokens.h"
#include "store/store.h"

/* How far from 0.5 (x2) the classifier must be to add LEARNED_SPAM or
 * LEARNED_HAM (detect/classifier.c; learn's vectors use the same rule). */
#define MODEL_SIGNAL_MIN_STRENGTH 0.2

/* Fewer learnt messages of either class than this: no judgement. */
#define MODEL_MIN_MESSAGES 10

struct model;

struct model_result {
	double spam_probability; /* 0 ham .. 1 spam */
	unsigned tokens_used;    /* known tokens that counted */
	int64_t spam_messages, ham_messages;
};

/* Reads every token of store into memory (one consistent snapshot). */
enum lg_status model_load(struct store *s, struct model **out, struct errbuf *err);
void model_free(struct model **m);

/* Classifies a token set. False when the model has learnt too little to
 * judge (fewer than MODEL_MIN_MESSAGES of spam or of ham). */
bool model_classify(const struct model *m, const struct token_set *t, struct model_result *out);

/* Classifies a message m learnt as cls as if it had never been learnt
 * (its own counts taken out: exact leave-one-out, as the counts are sums).
 * For the fit's features of a message already in the model. */
bool model_classify_without(const struct model *m, const struct token_set *t, enum store_class cls,
			    struct model_result *out);

int64_t model_tokens(const struct model *m);

/* The verdict's fitted weights (learn/fit.h) travel with the model: loaded
 * from the store's fit_weights, kept in the snapshot. One per signal name
 * (and FIT_LOGODDS); none when nothing was fitted. */
struct model_weight {
	char name[48];
	double weight;
};
/* *w borrowed from m; returns how many. */
size_t model_fit(const struct model *m, const struct model_weight **w);
/* Replaces m's fitted weights with a copy of w[0..n) (n 0: none). */
void model_set_fit(struct model *m, const struct model_weight *w, size_t n);

/* A snapshot file beside the store (PATH.model) holds the loaded table as
 * it is in memory, so `check` and the milter map it instead of reading
 * every token row at start-up. `learn` removes it before its first write
 * and writes a new one after its last, so a snapshot that exists is always
 * a committed state; without one, readers load from the store. */
char *model_snapshot_path(const char *store_path); /* g_free() it */
void model_snapshot_remove(const char *store_path);
enum lg_status model_snapshot_write(const struct model *m, const char *store_path, struct errbuf *err);
/* LG_ENOTFOUND when there is no snapshot; LG_EPARSE when it is damaged. */
enum lg_status model_snapshot_open(const char *store_path, struct model **out, struct errbuf *err);

#endif
