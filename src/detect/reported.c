/* reported.c: what staff reported — messages like a reported phish, and
 * senders blocked after reports or by an administrator (report/index.h). */
#include <stdio.h>
#include <time.h>

#include "detect/env.h"
#include "report/fingerprint.h"
#include "report/index.h"

/* "12 minutes ago", "3 hours ago", "2 days ago". */
static void ago(int64_t at, char *out, size_t size)
{
	int64_t secs = (int64_t)time(NULL) - at;

	if (secs < 120)
		snprintf(out, size, "%s", "just now");
	else if (secs < 7200)
		snprintf(out, size, "%lld minutes ago", (long long)(secs / 60));
	else if (secs < 172800)
		snprintf(out, size, "%lld hours ago", (long long)(secs / 3600));
	else
		snprintf(out, size, "%lld days ago", (long long)(secs / 86400));
}

void detect_reported(const struct detect_env *env, const struct mail_message *msg,
		     const struct detect_facts *facts, struct signal_list *out)
{
	struct fingerprint fp;
	struct report_match m;
	const char *why;
	char when[48];

	if (!env->reports)
		return;
	if (*msg->from.domain && report_index_domain_blocked(env->reports, msg->from.domain, &why))
		signal_add(out, SIG_BLOCKED_SENDER_DOMAIN, 1.0, "The sender's domain %s is blocked: %s.",
			   msg->from.domain, why);
	if (facts->sender_ip && report_index_ip_blocked(env->reports, facts->sender_ip, &why))
		signal_add(out, SIG_BLOCKED_IP, 1.0, "The server that sent this mail (%s) is blocked: %s.",
			   facts->sender_ip, why);
	if (!report_index_size(env->reports))
		return;
	fingerprint_of_message(msg, &fp);
	if (!report_index_best(env->reports, &fp, env->report_similarity, &m))
		return;
	ago(m.at, when, sizeof(when));
	signal_add(out, SIG_REPORTED_SIMILAR, m.similarity,
		   "This message is %.0f%% similar to one reported as phishing by %s %s.", m.similarity * 100,
		   m.reporters > 1 ? "several colleagues, first" : "a colleague", when);
}
