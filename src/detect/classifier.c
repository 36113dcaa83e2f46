/* classifier.c: the statistical model (learn/model.h) as one signal among
 * the others: strong spam resemblance adds LEARNED_SPAM, strong ham
 * resemblance LEARNED_HAM (negative weight), each with the counts behind it.
 * And the verdict's fitted weights (learn/fit.h), which travel with the
 * model: detect_fit_apply() rescores every signal with them. */
#include <math.h>
#include <string.h>

#include "detect/env.h"
#include "learn/fit.h"
#include "learn/model.h"
#include "learn/tokens.h"

/* Strength grows linearly with the distance from "cannot tell" (0.5), so
 * the combined score keeps the classifier's ranking; near 0.5 the model has
 * nothing to say and no signal is added. */
#define MIN_STRENGTH MODEL_SIGNAL_MIN_STRENGTH

void detect_classify(const struct detect_env *env, const struct mail_message *msg,
		     struct detect_facts *facts, struct signal_list *out)
{
	struct token_set tokens;
	struct model_result r;
	double p;

	facts->spam_probability = -1;
	if (!env->model)
		return;
	tokens_of_message(msg, &tokens);
	if (!model_classify(env->model, &tokens, &r))
		return;
	p = r.spam_probability;
	facts->spam_probability = p;
	if ((p - 0.5) * 2 >= MIN_STRENGTH)
		signal_add(out, SIG_LEARNED_SPAM, (p - 0.5) * 2,
			   "The wording resembles the %lld messages marked as spam before (spam probability %.1f%%).",
			   (long long)r.spam_messages, p * 100);
	else if ((0.5 - p) * 2 >= MIN_STRENGTH)
		signal_add(out, SIG_LEARNED_HAM, (0.5 - p) * 2,
			   "The wording resembles the %lld legitimate messages learnt before (spam probability %.1f%%).",
			   (long long)r.ham_messages, p * 100);
}

static bool fitted_weight(const struct model_weight *w, size_t n, const char *name, double *out)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w[i].name, name) == 0) {
			*out = w[i].weight;
			return true;
		}
	return false;
}

static struct signal *find_signal(struct signal_list *l, enum signal_id id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].id == id)
			return &l->items[i];
	return NULL;
}

void detect_fit_apply(const struct detect_env *env, struct signal_list *l, double spam_probability)
{
	const struct model_weight *w;
	struct signal_weights def;
	size_t n;
	double lw, part;

	if (!env->model || !(n = model_fit(env->model, &w)))
		return;
	/* A fit applies to verdicts like those it was fitted on: with the
	 * classifier (it then has a baseline) or without. */
	if ((spam_probability >= 0) != fitted_weight(w, n, FIT_BASELINE, &lw))
		return;
	signal_weights_default(&def);
	for (size_t i = 0; i < l->n; i++) {
		struct signal *s = &l->items[i];
		double fw, in_force = env->weights.w[s->id];

		/* [weights] in the configuration overrides the fit. */
		if (in_force != def.w[s->id] || in_force == 0 || !fitted_weight(w, n, signal_name(s->id), &fw))
			continue;
		s->score = fw * (s->score / in_force);
	}
	/* The classifier's log-odds and leaning terms join the line of the
	 * classifier's signal (added when the model was too unsure for one),
	 * so the lines still add up to the score. */
	if (spam_probability < 0)
		return;
	part = 0;
	if (fitted_weight(w, n, FIT_LOGODDS, &lw))
		part += lw * fit_logodds(spam_probability);
	if (fitted_weight(w, n, FIT_LEANING, &lw))
		part += lw * fit_leaning(spam_probability);
	if (fitted_weight(w, n, FIT_BASELINE, &lw))
		part += lw;
	if (part != 0) {
		enum signal_id id = spam_probability >= 0.5 ? SIG_LEARNED_SPAM : SIG_LEARNED_HAM;
		struct signal *s = find_signal(l, id);

		if (!s) {
			signal_add(l, id, 0, "The classifier leans %s (spam probability %.4f%%): its fitted share of the score.",
				   id == SIG_LEARNED_SPAM ? "to spam" : "to legitimate mail", spam_probability * 100);
			s = find_signal(l, id);
		}
		s->score += part;
	}
}
