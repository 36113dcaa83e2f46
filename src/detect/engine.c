/* engine.c: builds the detector environment from the configuration, derives
 * per-message facts once, runs every detector and turns the signals into a
 * verdict (see engine.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "detect/brands.h"
#include "detect/env.h"
#include "detect/hosting.h"
#include "detect/lists.h"
#include "detect/normal.h"
#include "detect/speller.h"
#include "detect/urgency.h"
#include "learn/model.h"
#include "report/index.h"
#include "mail/domain.h"
#include "mail/received.h"
#include "util/alloc.h"

struct engine {
	struct detect_env env;
};

static const detector_fn detectors[] = {
	detect_sender, detect_domains, detect_urgency, detect_spelling,
	detect_links,  detect_attachments, detect_brands, detect_hosting, detect_obfuscation, detect_auth, detect_blocklist, detect_reported,
	detect_leaked, detect_correspondents, detect_replychain, detect_diversion, detect_leaked_people,
};

/* ---- names ---------------------------------------------------------------- */

const char *verdict_kind_name(enum verdict_kind k)
{
	static const char *names[] = {"clean", "suspicious", "spam", "phishing"};

	return names[k];
}

const char *verdict_action_name(enum verdict_action a)
{
	static const char *names[] = {"none", "tag", "quarantine", "reject"};

	return names[a];
}

int verdict_action_parse(const char *s)
{
	for (int a = ACTION_NONE; a <= ACTION_REJECT; a++)
		if (s && strcmp(s, verdict_action_name((enum verdict_action)a)) == 0)
			return a;
	return -1;
}

/* ---- building -------------------------------------------------------------- */

static enum lg_status set_weights(struct detect_env *env, const struct config *cfg, struct errbuf *err)
{
	signal_weights_default(&env->weights);
	for (size_t i = 0; i < cfg->nweights; i++) {
		enum signal_id id = signal_lookup(cfg->weights[i].key);
		char *end;
		double w = strtod(cfg->weights[i].value, &end);

		if (id == SIGNAL_COUNT)
			return errbuf_set(err, LG_ECONFIG, "[weights] '%s' is not a signal name", cfg->weights[i].key);
		if (end == cfg->weights[i].value || *end)
			return errbuf_set(err, LG_ECONFIG, "[weights] %s: '%s' is not a number",
					  cfg->weights[i].key, cfg->weights[i].value);
		env->weights.w[id] = w;
	}
	return LG_OK;
}

static enum lg_status set_actions(struct detect_env *env, const struct config *cfg, struct errbuf *err)
{
	const char *names[] = {cfg->action_suspicious, cfg->action_spam, cfg->action_phishing};
	enum verdict_action *dst[] = {&env->act_suspicious, &env->act_spam, &env->act_phishing};
	const char *keys[] = {"suspicious", "spam", "phishing"};

	for (int i = 0; i < 3; i++) {
		int a = verdict_action_parse(names[i]);

		if (a < 0)
			return errbuf_set(err, LG_ECONFIG, "[actions] %s: '%s' is not none, tag, quarantine or reject",
					  keys[i], names[i] ? names[i] : "");
		*dst[i] = (enum verdict_action)a;
	}
	return LG_OK;
}

/* Brand names come from registrable labels: "paypal" for paypal.com. The
 * organisation's own domains join them, so "Example IT desk" from outside
 * example.com is caught too. */
static void add_brand(struct detect_env *env, const char *domain)
{
	struct arena *a = arena_new();
	const char *reg = domain_registrable(a, domain);
	const char *suffix = domain_suffix(a, domain);
	size_t label_len;

	if (reg && suffix && strlen(reg) > strlen(suffix) + 1) {
		label_len = strlen(reg) - strlen(suffix) - 1;
		env->brands = lg_realloc(env->brands, (env->nbrands + 1) * sizeof(*env->brands));
		env->brands[env->nbrands].name = lg_strndup(reg, label_len);
		env->brands[env->nbrands].domain = lg_strdup(reg);
		env->nbrands++;
	}
	arena_free(&a);
}

static enum lg_status set_protected(struct detect_env *env, const struct config *cfg, struct errbuf *err)
{
	size_t n = cfg->protect_domains.n + cfg->brands.n + cfg->partners.n;
	const char **all = lg_calloc(n + 1, sizeof(char *));
	enum lg_status rc;
	size_t k = 0;

	env->own = lg_calloc(cfg->protect_domains.n + 1, sizeof(char *));
	for (size_t i = 0; i < cfg->protect_domains.n; i++) {
		env->own[env->nown++] = g_ascii_strdown(cfg->protect_domains.items[i], -1);
		all[k++] = cfg->protect_domains.items[i];
		add_brand(env, cfg->protect_domains.items[i]);
	}
	/* Partners are protected like our domains; listed in [protect] domains
	 * too, they are added once. */
	env->partners = lg_calloc(cfg->partners.n + 1, sizeof(char *));
	for (size_t i = 0; i < cfg->partners.n; i++) {
		env->partners[env->npartners++] = g_ascii_strdown(cfg->partners.items[i], -1);
		if (env_is_own(env, cfg->partners.items[i]))
			continue;
		all[k++] = cfg->partners.items[i];
		add_brand(env, cfg->partners.items[i]);
	}
	for (size_t i = 0; i < cfg->brands.n; i++) {
		all[k++] = cfg->brands.items[i];
		/* With the catalogue, its detector (brands.c) judges sender names
		 * against every domain a brand owns: dhl.de is DHL's too. */
		if (!brands_count(env->catalogue) || !brands_owner(env->catalogue, cfg->brands.items[i]))
			add_brand(env, cfg->brands.items[i]);
	}
	rc = lookalike_set_new(all, k, &env->protected, err);
	lg_free(all);
	return rc;
}

/* A step of building the environment that can fail. */
typedef enum lg_status (*build_step)(struct detect_env *env, const struct config *cfg, struct errbuf *err);

static enum lg_status load_lists(struct detect_env *env, const struct config *cfg, struct errbuf *err)
{
	enum lg_status rc;

	env->freemail = lists_domain_set(&cfg->freemail);
	rc = lists_load_domains(cfg->blocked_domains_file, &env->blocked_domains, err);
	if (!rc)
		rc = lists_load_urls(cfg->blocked_urls_file, &env->blocked_urls, err);
	if (!rc)
		rc = lists_load_ips(cfg->blocked_ips_file, &env->blocked_ips, err);
	if (!rc)
		rc = lists_ip_list(&cfg->trusted_relays, &env->trusted_relays, err);
	if (!rc)
		rc = lists_ip_list(&cfg->sending_services, &env->senders, err);
	if (!rc)
		rc = lists_load_staff(cfg->staff_file, &env->staff, &env->nstaff, err);
	return rc;
}

#ifndef LG_SOURCE_DATA_DIR
#define LG_SOURCE_DATA_DIR "data"
#endif
#define LG_SHARE_DATA_DIR "/usr/share/leakguard"

static bool has_catalogue(const char *dir)
{
	char *p = g_build_filename(dir, "brands.tsv", NULL);
	bool ok = access(p, R_OK) == 0;

	g_free(p);
	return ok;
}

/* The shipped data: [lists] data_dir when set (it must hold brands.tsv),
 * else the source tree's data/ (a build that was not installed), else
 * /usr/share/leakguard; NULL when none is there, and the engine runs on its
 * built-in lists. */
static enum lg_status data_dir(const struct config *cfg, const char **out, struct errbuf *err)
{
	*out = NULL;
	if (cfg->data_dir) {
		if (!has_catalogue(cfg->data_dir))
			return errbuf_set(err, LG_EIO, "[lists] data_dir: %s/brands.tsv cannot be read", cfg->data_dir);
		*out = cfg->data_dir;
	} else if (has_catalogue(LG_SOURCE_DATA_DIR)) {
		*out = LG_SOURCE_DATA_DIR;
	} else if (has_catalogue(LG_SHARE_DATA_DIR)) {
		*out = LG_SHARE_DATA_DIR;
	}
	return LG_OK;
}

/* The catalogue and hosting list, before set_protected needs them. */
static enum lg_status load_data(struct detect_env *env, const struct config *cfg, struct errbuf *err)
{
	const char *dir;
	enum lg_status rc = data_dir(cfg, &dir, err);
	char *p;

	env->catalogue = brands_new();
	if (rc || !dir)
		goto extend;
	p = g_build_filename(dir, "brands.tsv", NULL);
	rc = brands_load(env->catalogue, p, err);
	g_free(p);
	if (rc)
		return rc;
	p = g_build_filename(dir, "hosting.tsv", NULL);
	if (access(p, R_OK) == 0)
		rc = hosting_load(p, &env->hosting, err);
	g_free(p);
extend:
	for (size_t i = 0; !rc && brands_count(env->catalogue) && i < cfg->brands.n; i++)
		brands_add_domain(env->catalogue, cfg->brands.items[i]);
	return rc;
}

static gint by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The shipped phrase lists (data/phrases/LANG.txt, in name order), then the
 * user's [lists] urgency_phrases. */
static enum lg_status load_phrases(struct detect_env *env, const struct config *cfg, struct errbuf *err)
{
	const char *dir;
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	enum lg_status rc = data_dir(cfg, &dir, err);
	GDir *d = NULL;
	char *pdir = NULL;
	const char *name;

	if (rc)
		goto out;
	if (dir) {
		pdir = g_build_filename(dir, "phrases", NULL);
		d = g_dir_open(pdir, 0, NULL);
	}
	while (d && (name = g_dir_read_name(d)))
		if (g_str_has_suffix(name, ".txt"))
			g_ptr_array_add(files, g_build_filename(pdir, name, NULL));
	g_ptr_array_sort(files, by_name);
	if (cfg->urgency_phrases_file)
		g_ptr_array_add(files, g_strdup(cfg->urgency_phrases_file));
	rc = urgency_new_files((const char *const *)files->pdata, files->len, &env->urgency, err);
out:
	if (d)
		g_dir_close(d);
	g_free(pdir);
	g_ptr_array_free(files, TRUE);
	return rc;
}

static enum lg_status build(struct detect_env *env, const struct config *cfg, struct errbuf *err)
{
	static const build_step steps[] = {set_weights, set_actions, load_data, set_protected, load_lists, load_phrases};

	env->t_suspicious = cfg->threshold_suspicious;
	env->t_spam = cfg->threshold_spam;
	env->t_phishing = cfg->threshold_phishing;
	env->report_similarity = cfg->report_similarity > 0 ? cfg->report_similarity : 0.6;
	env->authserv_id = cfg->trusted_authserv_id ? lg_strdup(cfg->trusted_authserv_id) : NULL;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		enum lg_status rc = steps[i](env, cfg, err);

		if (rc)
			return rc;
	}
	env->speller = speller_new(cfg->dictionary_dir, cfg->dictionary);
	env->bank_change = diversion_pattern();
	return LG_OK;
}

enum lg_status engine_new(const struct config *cfg, struct engine **out, struct errbuf *err)
{
	struct engine *e = lg_calloc(1, sizeof(*e));
	enum lg_status rc = build(&e->env, cfg, err);

	if (rc) {
		engine_free(&e);
		return rc;
	}
	*out = e;
	return LG_OK;
}

void engine_free(struct engine **ep)
{
	struct detect_env *env;

	if (!ep || !*ep)
		return;
	env = &(*ep)->env;
	lookalike_set_free(&env->protected);
	for (size_t i = 0; i < env->nown; i++)
		g_free(env->own[i]);
	lg_free(env->own);
	for (size_t i = 0; i < env->npartners; i++)
		g_free(env->partners[i]);
	lg_free(env->partners);
	for (size_t i = 0; i < env->nbrands; i++) {
		lg_free(env->brands[i].name);
		lg_free(env->brands[i].domain);
	}
	lg_free(env->brands);
	lists_free_staff(env->staff, env->nstaff);
	if (env->freemail)
		g_hash_table_destroy(env->freemail);
	if (env->blocked_domains)
		g_hash_table_destroy(env->blocked_domains);
	if (env->blocked_urls)
		g_hash_table_destroy(env->blocked_urls);
	iplist_free(&env->blocked_ips);
	iplist_free(&env->trusted_relays);
	iplist_free(&env->senders);
	urgency_free(&env->urgency);
	brands_free(&env->catalogue);
	hosting_free(&env->hosting);
	speller_free(&env->speller);
	model_free(&env->model);
	report_index_free(&env->reports);
	env_context_cleanup(env);
	if (env->bank_change)
		g_regex_unref(env->bank_change);
	lg_free(env->authserv_id);
	lg_free(*ep);
	*ep = NULL;
}

void engine_set_model(struct engine *e, struct model *m)
{
	model_free(&e->env.model);
	e->env.model = m;
}

void engine_set_reports(struct engine *e, struct report_index *idx)
{
	report_index_free(&e->env.reports);
	e->env.reports = idx;
}

void engine_set_context(struct engine *e, struct ctx_store *ctx, struct history *h, int64_t frequent)
{
	env_context_attach(&e->env, ctx, h, frequent);
}

void engine_set_report_threshold(struct engine *e, double similarity)
{
	e->env.report_similarity = similarity;
}

/* ---- per-message facts -------------------------------------------------- */

bool env_is_own(const struct detect_env *env, const char *domain)
{
	for (size_t i = 0; i < env->nown; i++)
		if (domain_within(domain, env->own[i]))
			return true;
	return false;
}

bool env_is_partner(const struct detect_env *env, const char *domain)
{
	for (size_t i = 0; i < env->npartners; i++)
		if (domain_within(domain, env->partners[i]))
			return true;
	return false;
}

const char *env_org_of(struct arena *a, const char *domain)
{
	const char *reg = domain_registrable(a, domain);

	return reg ? reg : domain;
}

static void facts_links(const struct mail_message *msg, struct detect_facts *f)
{
	f->links = arena_alloc(msg->arena, (msg->nlinks ? msg->nlinks : 1) * sizeof(*f->links));
	f->nlinks = msg->nlinks;
	for (size_t i = 0; i < msg->nlinks; i++) {
		struct detect_link *l = &f->links[i];
		const char *target;

		l->link = &msg->links[i];
		l->parsed = url_parse(msg->arena, l->link->url, &l->url);
		if (!l->parsed)
			continue;
		l->target = l->url;
		l->target_url = l->link->url;
		target = url_unwrap_redirect(msg->arena, l->link->url);
		if (target && url_parse(msg->arena, target, &l->target))
			l->target_url = target;
		else
			l->target = l->url;
		l->registrable = l->target.host_is_ip ? NULL : domain_registrable(msg->arena, l->target.host);
	}
}

/* The sending server: the first Received hop, from the top, whose from-IP
 * is not one of our trusted relays. *hop, when not NULL, gets the Received
 * header value that names it (written by our border). */
static const char *facts_sender_ip(const struct detect_env *env, const struct mail_message *msg, const char **hop)
{
	char ip[64];

	for (size_t i = 0; i < msg->nheaders; i++) {
		if (g_ascii_strcasecmp(msg->headers[i].name, "Received") != 0)
			continue;
		if (!received_from_ip(msg->headers[i].value, ip, sizeof(ip)))
			continue;
		if (iplist_contains(env->trusted_relays, ip))
			continue;
		if (hop)
			*hop = msg->headers[i].value;
		return arena_strdup(msg->arena, ip);
	}
	return NULL;
}

bool engine_never_block_domain(const struct engine *e, const char *domain)
{
	const struct detect_env *env = &e->env;

	return !*domain || lookalike_is_protected(env->protected, domain) || env_is_own(env, domain) ||
	       brands_owner(env->catalogue, domain) ||
	       g_hash_table_contains(env->freemail, domain);
}

const char *const *engine_own_domains(const struct engine *e, size_t *n)
{
	*n = e->env.nown;
	return (const char *const *)e->env.own;
}

bool engine_is_trusted_relay(const struct engine *e, const char *ip)
{
	return iplist_contains(e->env.trusted_relays, ip);
}

const char *engine_sender_ip(const struct engine *e, const struct mail_message *msg)
{
	return facts_sender_ip(&e->env, msg, NULL);
}

/* ---- verdict -------------------------------------------------------------- */

static int by_score_desc(const void *a, const void *b)
{
	const struct signal *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (int)x->id - (int)y->id;
}

static void decide(const struct detect_env *env, struct verdict *v)
{
	double phish_part = 0;

	v->score = 0;
	for (size_t i = 0; i < v->signals.n; i++) {
		v->score += v->signals.items[i].score;
		if (signal_class_of(v->signals.items[i].id) == SIGNAL_PHISH && v->signals.items[i].score > 0)
			phish_part += v->signals.items[i].score;
	}
	if (v->signals.n > 1)
		qsort(v->signals.items, v->signals.n, sizeof(*v->signals.items), by_score_desc);
	/* Phishing when the signs of phishing alone would make the message
	 * suspicious; a spammy message with one pushy phrase is spam. */
	if (phish_part >= env->t_suspicious && v->score >= env->t_phishing) {
		v->kind = VERDICT_PHISHING;
		v->action = env->act_phishing;
	} else if (v->score >= env->t_spam) {
		v->kind = VERDICT_SPAM;
		v->action = env->act_spam;
	} else if (v->score >= env->t_suspicious) {
		v->kind = VERDICT_SUSPICIOUS;
		v->action = env->act_suspicious;
	} else {
		v->kind = VERDICT_CLEAN;
		v->action = ACTION_NONE;
	}
}

void engine_check(const struct engine *e, const struct mail_message *msg, struct verdict *out)
{
	engine_check_smtp(e, msg, NULL, out);
}

void engine_check_smtp(const struct engine *e, const struct mail_message *msg, const struct engine_smtp *smtp,
		       struct verdict *out)
{
	const struct detect_env *env = &e->env;
	struct detect_facts facts = {0};
	struct detect_text *text = arena_alloc(msg->arena, sizeof(*text));

	if (smtp) {
		facts.smtp_auth_user = smtp->auth_user && *smtp->auth_user ? smtp->auth_user : NULL;
		facts.verified = smtp->verified;
	}

	signal_list_init(&out->signals, msg->arena, &env->weights);
	normal_message(msg, text);
	facts.text = text;
	facts_links(msg, &facts);
	facts.sender_ip = facts_sender_ip(env, msg, &facts.sender_hop);
	/* The MTA in front of us may not show us its own Received header. */
	if (!facts.sender_ip && smtp && smtp->client_ip && *smtp->client_ip &&
	    !iplist_contains(env->trusted_relays, smtp->client_ip))
		facts.sender_ip = arena_strdup(msg->arena, smtp->client_ip);
	facts.from_registrable = *msg->from.domain ? env_org_of(msg->arena, msg->from.domain) : NULL;
	facts_context(env, msg, &facts);
	for (size_t i = 0; i < sizeof(detectors) / sizeof(detectors[0]); i++)
		detectors[i](env, msg, &facts, &out->signals);
	detect_classify(env, msg, &facts, &out->signals);
	out->spam_probability = facts.spam_probability;
	if (msg->defects)
		signal_add(&out->signals, SIG_MESSAGE_MALFORMED, 1.0, "%s", msg->defect_text);
	detect_fit_apply(env, &out->signals, out->spam_probability);
	decide(env, out);
}
