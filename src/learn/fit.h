/* fit.h: the verdict's weights fitted on the organisation's own mail.
 *
 * One L2-regularised logistic regression (as SpamAssassin's rescoring and
 * rspamd's neural module fit theirs, but small enough to read signal by
 * signal): a learnt message's features are the strengths of its signals
 * (each signal's score divided by the weight it was scored with, so 0..1,
 * the detector's own confidence kept) and the classifier's log-odds. Its
 * log-odds of being spam is
 *
 *     z = sum_j w_j x_j - offset        (offset: the spam threshold)
 *
 * so with a fitted model the verdict's score (sum_j w_j x_j, each term a
 * signal's line) is the log-odds plus the spam threshold: P(spam) =
 * 1 / (1 + exp(offset - score)), and a score at the spam threshold means 50%.
 *
 * The prior is centred on the hand-set weights, not on zero: the penalty is
 * lambda/2 * sum_j (w_j - prior_j)^2, so a feature seen on few messages
 * keeps its default and one seen on many gets the organisation's own.
 * Bounds (lower_j, 0 for phishing-class signals) are kept by projected
 * Newton (Bertsekas 1982): variables at a bound whose gradient pushes out
 * are held there and the Newton step is taken on the others. Our own
 * solver rather than liblinear's: liblinear regularises toward zero and has
 * no bounds, so the prior would need a change of variables and the sign
 * constraint could not be kept; a few dozen features make the dense Newton
 * step (one Cholesky of at most FIT_MAX_FEATURES squared) trivial.
 *
 * Everything here is pure: rows in, weights out; the vector text form is
 * what the store keeps per learnt message. */
#ifndef LG_LEARN_FIT_H
#define LG_LEARN_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/errbuf.h"

#define FIT_MAX_FEATURES 128
/* Prior strength: a feature's curvature is about a quarter per message that
 * carries it, so lambda 4 weighs the default like about 16 such messages. */
#define FIT_LAMBDA 4.0
/* The classifier's log-odds is clipped to this (its probability saturates
 * at exactly 0 or 1 in double precision). */
#define FIT_LOGODDS_MAX 15.0
/* The feature names of the classifier's log-odds and of its leaning (+1
 * above 0.5, -1 below, 0 at 0.5) in vectors and fits. The leaning is there
 * because Robinson's combining ranks far better than it calibrates: on the
 * SpamAssassin test half most spam and ham sit within 1e-5 of 0.5, on the
 * right side of it, so a log-odds term alone cannot carry that ranking
 * into a sum with the heuristics' points. */
#define FIT_LOGODDS "CLASSIFIER_LOGODDS"
#define FIT_LEANING "CLASSIFIER_LEANING"
/* 1 whenever the classifier spoke: the fit's intercept, carried on the
 * classifier's line (so only where there is a classifier line to carry it). */
#define FIT_BASELINE "CLASSIFIER_BASELINE"
/* A vector's text: at most this many bytes. */
#define FIT_VECTOR_MAX 4096

struct fit_data;

struct fit_data *fit_data_new(size_t nfeat);
void fit_data_free(struct fit_data **d);
/* Adds one message: spam or ham and its n non-zero features (idx < nfeat). */
void fit_data_add(struct fit_data *d, bool spam, const uint32_t *idx, const double *val, size_t n);
size_t fit_data_rows(const struct fit_data *d);
/* How many rows carry feature j (non-zero). */
int64_t fit_data_support(const struct fit_data *d, size_t j);

struct fit_params {
	const double *prior; /* nfeat: the hand-set weights */
	const double *lower; /* nfeat lower bounds (-INFINITY for none), or NULL */
	double offset;       /* the spam threshold */
	double lambda;       /* FIT_LAMBDA unless a test says otherwise */
};

/* Fits w[0..nfeat) (caller's array) minimising the penalised negative
 * log-likelihood. Deterministic: the same rows in the same order give the
 * same bits. *iterations (may be NULL) gets the Newton steps taken.
 * Returns LG_OK, or LG_EINTERNAL when it does not converge (w then holds
 * the prior). With no rows, w is the prior (clipped to the bounds). */
enum lg_status fit_solve(const struct fit_data *d, const struct fit_params *p, double *w, unsigned *iterations,
			 struct errbuf *err);

/* The classifier's probability as the fit's feature: its log-odds,
 * clipped to +-FIT_LOGODDS_MAX. */
double fit_logodds(double spam_probability);
double fit_leaning(double spam_probability);

/* The logistic function, 1 / (1 + exp(-z)), without overflow. */
double fit_logistic(double z);

/* Vectors as text: "NAME=VALUE NAME=VALUE", VALUE in %.17g so parsing
 * returns the very doubles written. fit_vector_add appends one feature to
 * buf (size FIT_VECTOR_MAX); false when it would not fit. */
bool fit_vector_add(char *buf, const char *name, double value);
/* Calls fn for each NAME=VALUE of text; LG_EPARSE (naming the vector) on
 * anything else. name is NUL-terminated, borrowed for the call. */
enum lg_status fit_vector_parse(const char *text, void (*fn)(void *ctx, const char *name, double value), void *ctx,
				struct errbuf *err);

#endif
