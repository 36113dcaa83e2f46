/* leakctx.c: what the leak context (context/store.h) and the correspondent
 * history (context/history.h) add to the detector environment: the domains
 * the organisation is known to deal with, compiled into one lookalike set,
 * and, per message, whether its sender is known. */
#include <stdio.h>
#include <string.h>

#include "context/history.h"
#include "context/store.h"
#include "detect/env.h"
#include "util/alloc.h"

/* A history that has seen fewer domains than this knows too little to call
 * anyone a first contact (a freshly installed milter). */
#define HISTORY_MIN_DOMAINS 3

static struct related_domain *related_of(GHashTable *t, const char *domain)
{
	struct related_domain *r = g_hash_table_lookup(t, domain);

	if (!r) {
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

	if (env_is_own(env, domain) || g_hash_table_contains(env->freemail, domain))
		return;
	related_of(env->related_info, domain)->messages = count;
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
			r = related_of(env->related_info, p.domain);
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

const struct related_domain *env_related_lookalike(const struct detect_env *env, const char *domain,
						   struct lookalike_match *m)
{
	if (!env->related || !*domain || !lookalike_check(env->related, domain, m))
		return NULL;
	return g_hash_table_lookup(env->related_info, m->protected_domain);
}

void facts_context(const struct detect_env *env, const struct mail_message *msg, struct detect_facts *f)
{
	struct hist_entry e;
	const struct related_domain *r;

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
