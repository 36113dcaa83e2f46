/* api.c: the JSON API — the k-anonymity range endpoint (as Have I Been
 * Pwned's /range/), open to API key holders, to nobody or to anyone as
 * [portal] range_access says, and the per-domain data for API keys
 * (ROUTES.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "leak/range.h"
#include "portal/facts.h"
#include "portal/ratelimit.h"
#include "portal/router.h"
#include "portal/token.h"
#include "util/alloc.h"
#include "util/ascii.h"

/* The request's API key: its hash into th, id and domain ("" for the
 * operator's range-only keys); false when absent or unknown. A key found
 * in the store is remembered for PORTAL_KEY_CACHE_TTL seconds (keys are
 * never changed once made), so a busy key costs one query a minute, not
 * one per request; unknown keys are asked every time. */
static bool api_key(struct http_req *r, char th[TOKEN_HEX], int64_t *id, char *domain)
{
	struct portal *p = r->p;
	const char *auth = r->authorization;
	int64_t now = (int64_t)time(NULL);
	struct portal_key_seen *k;
	bool found = false;

	if (!auth || strncmp(auth, "Bearer lgk_", 11) != 0 || !token_valid(auth + 11))
		return false;
	token_hash(auth + 7, th);
	k = &p->keys[(ascii_hex_value((unsigned char)th[0]) << 4 | ascii_hex_value((unsigned char)th[1])) % PORTAL_KEY_CACHE];
	pthread_mutex_lock(&p->key_lock);
	if (strcmp(k->hash, th) == 0 && k->until > now) {
		*id = k->id;
		memcpy(domain, k->domain, PORTAL_TEXT_MAX);
		found = true;
	}
	pthread_mutex_unlock(&p->key_lock);
	if (found)
		return true;
	portal_apikey_get(p->ps, th, id, domain, &found, NULL);
	if (found) {
		pthread_mutex_lock(&p->key_lock);
		memcpy(k->hash, th, TOKEN_HEX);
		k->id = *id;
		memcpy(k->domain, domain, PORTAL_TEXT_MAX);
		k->until = now + PORTAL_KEY_CACHE_TTL;
		pthread_mutex_unlock(&p->key_lock);
	}
	return found;
}

static void need_key(struct http_req *r, struct http_resp *out, bool json, const char *what)
{
	char *text = arena_printf(r->arena, "An API key is required for %s: Authorization: Bearer lgk_...", what);

	if (json)
		resp_json_error(r, out, 401, text);
	else
		resp_error(r, out, 401, "API key required", text);
	resp_header(r, out, "WWW-Authenticate", "Bearer realm=\"leakguard\"");
}

/* Whether range_access lets this request ask; otherwise answers 404 (off)
 * or 401 (key: none or unknown), before the prefix is even read, so the
 * refusal is the same for every prefix; a key over rate_range: 429. */
static bool range_allowed(struct http_req *r, struct http_resp *out, bool json)
{
	char th[TOKEN_HEX], dom[PORTAL_TEXT_MAX];
	int64_t id = 0;
	int retry;

	if (r->p->set.range_access == PORTAL_RANGE_PUBLIC)
		return true;
	if (r->p->set.range_access == PORTAL_RANGE_OFF) {
		if (json)
			resp_json_error(r, out, 404, "There is no such page.");
		else
			resp_error(r, out, 404, "Not found", "There is no such page.");
		return false;
	}
	if (!api_key(r, th, &id, dom)) {
		need_key(r, out, json, "the range endpoint");
		return false;
	}
	/* per key too: a key used from many addresses is still one scraper;
	 * and a domain owner's keys share one bucket, the domain's, so minting
	 * more keys does not multiply the rate (the operator's range-only keys,
	 * domain "", are limited each) */
	if (!ratelimit_take(r->p->rl_range,
			    *dom ? arena_printf(r->arena, "org:%s", dom) : arena_printf(r->arena, "key:%s", th),
			    (double)time(NULL), &retry)) {
		resp_too_many(r, out, retry, json);
		return false;
	}
	return true;
}

/* The range answer for the path's prefix; false after answering
 * 401/404/429 (range_allowed), 400 or 500. */
static bool range(struct http_req *r, struct http_resp *out, char (**suf)[36], size_t *n, bool json)
{
	uint32_t prefix;
	struct errbuf err;
	enum lg_status rc;

	*suf = NULL;
	*n = 0;
	if (!range_allowed(r, out, json))
		return false;
	if (!leak_range_prefix(r->target.segs[r->target.nsegs - 1], &prefix)) {
		const char *why = "The prefix must be the first 5 hex digits of the SHA-1 of the lower-cased address.";

		if (json)
			resp_json_error(r, out, 400, why);
		else
			resp_error(r, out, 400, "Bad request", why);
		return false;
	}
	if (!r->p->ix) { /* nothing ingested yet: decoys only, as for an empty prefix */
		uint8_t key[LEAK_RANGE_KEY_LEN];

		memcpy(key, r->p->secret, sizeof(key));
		*n = leak_range_answer(prefix, NULL, 0, key, suf);
		return true;
	}
	pthread_rwlock_rdlock(&r->p->index_lock);
	rc = leak_range_lookup(r->p->ix, prefix, suf, n, &err);
	pthread_rwlock_unlock(&r->p->index_lock);
	if (rc) {
		resp_json_error(r, out, 500, "The range index could not be read.");
		return false;
	}
	return true;
}

void api_range_text(struct http_req *r, struct http_resp *out)
{
	char (*suf)[36];
	size_t n;

	if (!range(r, out, &suf, &n, false))
		return;
	out->status = 200;
	out->type = "text/plain; charset=utf-8";
	for (size_t i = 0; i < n; i++) {
		buf_append(&out->body, suf[i], 35);
		buf_putc(&out->body, '\n');
	}
	lg_free(suf);
}

static void send_json(struct http_resp *out, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	out->status = 200;
	out->type = "application/json";
	buf_appendf(&out->body, "%s\n", s);
	free(s);
	json_decref(o);
}

void api_range_json(struct http_req *r, struct http_resp *out)
{
	char (*suf)[36];
	size_t n;
	json_t *a;
	char pfx[6];

	if (!range(r, out, &suf, &n, true))
		return;
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(suf[i]));
	snprintf(pfx, sizeof(pfx), "%.5s", r->target.segs[3]);
	for (char *c = pfx; *c; c++)
		*c = (char)(*c >= 'a' && *c <= 'f' ? *c - 32 : *c);
	send_json(out, json_pack("{s:s, s:o}", "prefix", pfx, "suffixes", a));
	lg_free(suf);
}

/* The API key's domain when it may read the path's; otherwise answers
 * 401 (no or unknown key), 403 (another domain's key) or 429. */
static bool key_allows(struct http_req *r, struct http_resp *out, char *domain, char *actor, size_t actor_len)
{
	char th[TOKEN_HEX], keydom[PORTAL_TEXT_MAX];
	int64_t id = 0;
	int retry;

	if (!api_key(r, th, &id, keydom)) {
		need_key(r, out, true, "this domain's data");
		return false;
	}
	snprintf(actor, actor_len, "apikey:%lld", (long long)id);
	if (!ratelimit_take(r->p->rl_api, th, (double)time(NULL), &retry)) {
		resp_too_many(r, out, retry, true);
		return false;
	}
	if (!facts_domain_norm(r->target.segs[3], domain) || strcmp(domain, keydom) != 0) {
		portal_audit(r->p, actor, r->client, "denied", r->target.segs[3], "API key of another domain");
		resp_json_error(r, out, 403, "This key is not for that domain.");
		return false;
	}
	return true;
}

void api_domain(struct http_req *r, struct http_resp *out)
{
	char domain[PORTAL_TEXT_MAX], actor[64];
	struct facts f;
	json_t *srcs;

	if (!key_allows(r, out, domain, actor, sizeof(actor)))
		return;
	pthread_rwlock_rdlock(&r->p->index_lock);
	facts_domain(r->p->ix, domain, &f);
	pthread_rwlock_unlock(&r->p->index_lock);
	portal_audit(r->p, actor, r->client, "api-domain", domain, "");
	srcs = json_array();
	for (size_t i = 0; i < f.n; i++) {
		const struct facts_source *s = &f.src[i];

		json_array_append_new(
			srcs, json_pack("{s:s, s:o, s:{s:I, s:I, s:I, s:I, s:I}, s:I, s:I}", "name", s->name, "date",
					*s->date ? json_string(s->date) : json_null(), "counts", "email",
					(json_int_t)s->distinct[LEAK_EMAIL], "phone", (json_int_t)s->distinct[LEAK_PHONE],
					"name", (json_int_t)s->distinct[LEAK_NAME], "organisation",
					(json_int_t)s->distinct[LEAK_ORG], "documents", (json_int_t)s->documents,
					"occurrences", (json_int_t)s->occurrences, "with_password",
					(json_int_t)s->with_password));
	}
	send_json(out, json_pack("{s:s, s:o}", "domain", domain, "sources", srcs));
	facts_free(&f);
}

void api_addresses(struct http_req *r, struct http_resp *out)
{
	char domain[PORTAL_TEXT_MAX], actor[64];
	struct facts f;
	struct facts_address *a = NULL;
	size_t n = 0;
	json_t *arr;

	if (!key_allows(r, out, domain, actor, sizeof(actor)))
		return;
	pthread_rwlock_wrlock(&r->p->index_lock);
	facts_domain(r->p->ix, domain, &f);
	facts_addresses(r->p->ix, r->p->store, domain, &f, &a, &n, NULL);
	pthread_rwlock_unlock(&r->p->index_lock);
	portal_audit(r->p, actor, r->client, "api-addresses", domain, "");
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:o}", "address", a[i].address, "source", a[i].source,
						     "date", *a[i].date ? json_string(a[i].date) : json_null()));
	send_json(out, json_pack("{s:s, s:o}", "domain", domain, "addresses", arr));
	lg_free(a);
	facts_free(&f);
}
