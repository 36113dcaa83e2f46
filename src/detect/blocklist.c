/* blocklist.c: the organisation's own lists — blocked sender domains, the
 * sending server's IP (the first untrusted Received hop) and link URLs. */
#include <string.h>

#include "detect/env.h"
#include "detect/lists.h"
#include "mail/domain.h"
#include "mail/url.h"

static void check_urls(const struct detect_env *env, const struct mail_message *msg,
		       const struct detect_facts *f, struct signal_list *out)
{
	for (size_t i = 0; i < f->nlinks; i++) {
		const char *key;

		if (!f->links[i].parsed)
			continue;
		key = lists_url_key(msg->arena, f->links[i].target_url);
		if (key && g_hash_table_contains(env->blocked_urls, key)) {
			signal_add(out, SIG_BLOCKED_URL, 1.0, "A link goes to %s, which your organisation has blocked.",
				   key);
			return;
		}
	}
}

void detect_blocklist(const struct detect_env *env, const struct mail_message *msg,
		      const struct detect_facts *facts, struct signal_list *out)
{
	const char *hit = *msg->from.domain ? domain_in_set(env->blocked_domains, msg->from.domain) : NULL;

	if (hit)
		signal_add(out, SIG_BLOCKED_SENDER_DOMAIN, 1.0,
			   "The sender's domain %s is on your organisation's block list.", hit);
	if (facts->sender_ip && iplist_contains(env->blocked_ips, facts->sender_ip))
		signal_add(out, SIG_BLOCKED_IP, 1.0,
			   "The server that sent this mail (%s) is on your organisation's block list.", facts->sender_ip);
	if (g_hash_table_size(env->blocked_urls))
		check_urls(env, msg, facts, out);
}
