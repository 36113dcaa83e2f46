/* classifier.c: the statistical model (learn/model.h) as one signal among
 * the others: strong spam resemblance adds LEARNED_SPAM, strong ham
 * resemblance LEARNED_HAM (negative weight), each with the counts behind it. */
#include "detect/env.h"
#include "learn/model.h"
#include "learn/tokens.h"

/* Strength grows linearly with the distance from "cannot tell" (0.5), so
 * the combined score keeps the classifier's ranking; near 0.5 the model has
 * nothing to say and no signal is added. */
#define MIN_STRENGTH 0.2

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
