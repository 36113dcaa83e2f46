/* classifier.c: the statistical model (learn/model.h) as one signal among
 * the others: strong spam resemblance adds LEARNED_SPAM, strong ham
 * resemblance LEARNED_HAM (negative weight), each with the counts behind it. */
#include "detect/env.h"
#include "learn/model.h"
#include "learn/tokens.h"

/* Strength rises linearly from 0.5 at the edge of the band to 1 at its end. */
static double band(double p, double from, double to)
{
	double x = (p - from) / (to - from);

	return x >= 1 ? 1.0 : 0.5 + 0.5 * (x < 0 ? 0 : x);
}

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
	if (p >= 0.9)
		signal_add(out, SIG_LEARNED_SPAM, band(p, 0.9, 0.99),
			   "The wording resembles the %lld messages marked as spam before (spam probability %.1f%%).",
			   (long long)r.spam_messages, p * 100);
	else if (p <= 0.1)
		signal_add(out, SIG_LEARNED_HAM, band(1 - p, 0.9, 0.99),
			   "The wording resembles the %lld legitimate messages learnt before (spam probability %.1f%%).",
			   (long long)r.ham_messages, p * 100);
}
