/* leakctx.c: what the leak context (context/store.h) and the correspondent
 * history (context/history.h) add to the detector environment: the domains
 * the organisation is known to deal with, compiled into one lookalike set,
 * and, per message, whether its sender is known. */
#include <stdio.h>
#include <string.h>

#include "context/history.h"
#include "context/store.h"
#include "detect/env.h"
#include "mail/domain.h"
#include "util/alloc.h"

/* A history that has seen fewer domains than this knows too little to call
 * anyone a first contact (a freshly installed milter). */
#define HISTORY_MIN_DOMAINS 3

/* The entry for domain, made when new; NULL for a name that is no one
 * organisation's (a public suffix such as iki.fi), which a lookalike set
 * refuses. */
static struct related_domain *related_of(struct detect_env *env, const char *domain)
{
	GHashTable *t = env->related_info;
	struct related_domain *r = g_hash_table_lookup(t, domain);
	struct arena *a;
	bool whole;

	if (!r) {
		a = arena_new();
		whole = g_strcmp0(domain_registrable(a, domain), domain) == 0;
		arena_free(&a);
		if (!whole)
			return NULL;
		r = g_new0(struct related_domain, 1);
		g_hash_table_insert(t, g_strdup(domain), r);
	}
	return r;
}

struct frequent_ctx {
	struct detect_env *env;
};

static void add_frequent(void *ctx, const char *domain, int64_t count)
{
	struct detect_env *env = ((struct frequent_ctx *)ctx)->env;

	struct related_domain *r;

	if (env_is_own(env, domain) || g_hash_table_contains(env->freemail, domain))
		return;
	r = related_of(env, domain);
	if (r)
		r->messages = count;
}

static void add_orgs(struct detect_env *env, const struct ctx_store *ctx)
{
	for (size_t i = 0; i < ctx_store_orgs(ctx); i++) {
		const char *org = ctx_store_org(ctx, i);

		if (env_is_own(env, org))
			continue;
		env->own = lg_realloc(env->own, (env->nown + 2) * sizeof(*env->own));
		env->own[env->nown++] = g_strdup(org);
		env->own[env->nown] = NULL;
	}
}

/* The related set: leaked partners first, then frequent correspondents. */
static void compile_related(struct detect_env *env)
{
	guint n = 0;
	const char **domains = (const char **)g_hash_table_get_keys_as_array(env->related_info, &n);
	struct errbuf err = {""};

	if (n && lookalike_set_new(domains, n, &env->related, &err))
		fprintf(stderr, "leakguard: warning: partners and correspondents not compared: %s\n", err.msg);
	g_free(domains);
}

void env_context_attach(struct detect_env *env, struct ctx_store *ctx, struct history *h, int64_t frequent)
{
	struct frequent_ctx fc = {env};

	env_context_cleanup(env);
	env->context = ctx;
	env->history = h;
	env->related_info = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (ctx) {
		add_orgs(env, ctx);
		for (size_t i = 0; i < ctx_store_partners(ctx); i++) {
			struct ctx_partner p;
			struct related_domain *r;

			ctx_store_partner(ctx, i, &p);
			if (env_is_own(env, p.domain))
				continue;
			r = related_of(env, p.domain);
			if (!r)
				continue;
			r->partner_source = p.source;
			r->partner_count = p.count;
		}
	}
	if (h && history_frequent(h, frequent, add_frequent, &fc, NULL))
		fprintf(stderr, "leakguard: warning: frequent correspondents could not be read\n");
	compile_related(env);
}

void env_context_cleanup(struct detect_env *env)
{
	lookalike_set_free(&env->related);
	if (env->related_info)
		g_hash_table_destroy(env->related_info);
	env->related_info = NULL;
	ctx_store_free(&env->context);
	history_close(&env->history);
}

/* Labels this short are one edit or another suffix away from many
 * unrelated names (well.com, dell.com): only closer imitations count. */
#define SHORT_LABEL 5

static bool convincing(const struct lookalike_match *m)
{
	const char *dot = strchr(m->protected_domain, '.');
	size_t label = dot ? (size_t)(dot - m->protected_domain) : strlen(m->protected_domain);

	return label >= SHORT_LABEL ||
	       (m->technique != LOOKALIKE_EDIT_DISTANCE && m->technique != LOOKALIKE_TLD_SWAP);
}

const struct related_domain *env_related_lookalike(const struct detect_env *env, const char *domain,
						   struct lookalike_match *m)
{
	if (!env->related || !*domain || !lookalike_check(env->related, domain, m) || !convincing(m))
		return NULL;
	return g_hash_table_lookup(env->related_info, m->protected_domain);
}

/* Mail to a list or in bulk (RFC 2369 List-* fields, Precedence) goes to
 * many, and bounces and auto-replies (RFC 3834 Auto-Submitted) come from
 * machines: who wrote them says nothing about whom the organisation deals
 * with. */
static bool is_list_mail(const struct mail_message *msg)
{
	static const char *const fields[] = {"List-Id", "List-Post", "List-Unsubscribe", "Mailing-List"};
	const char *prec = mail_header_get(msg, "Precedence"), *auto_sub = mail_header_get(msg, "Auto-Submitted");

	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
		if (mail_header_get(msg, fields[i]))
			return true;
	if (auto_sub && g_ascii_strncasecmp(auto_sub, "no", 2) != 0)
		return true;
	if (g_ascii_strcasecmp(msg->from.local, "mailer-daemon") == 0 || g_ascii_strcasecmp(msg->from.local, "postmaster") == 0)
		return true;
	return prec && (g_ascii_strncasecmp(prec, "list", 4) == 0 || g_ascii_strncasecmp(prec, "bulk", 4) == 0);
}

void facts_context(const struct detect_env *env, const struct mail_message *msg, struct detect_facts *f)
{
	struct hist_entry e;
	const struct related_domain *r;

	f->list_mail = is_list_mail(msg);
	f->history_ready = env->history && history_domains(env->history) >= HISTORY_MIN_DOMAINS;
	if (!msg->has_from || !*msg->from.addr) {
		f->sender_known = false;
		return;
	}
	r = f->from_registrable && env->related_info ? g_hash_table_lookup(env->related_info, f->from_registrable)
						     : NULL;
	f->sender_known = env_is_own(env, msg->from.domain) || (r && r->partner_source) ||
			  (env->history && history_get(env->history, HIST_ADDR, msg->from.addr, &e));
	if (!f->sender_known)
		f->from_imitates = env_related_lookalike(env, msg->from.domain, &f->from_match);
}
