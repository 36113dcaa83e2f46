/* redis_fit.c: the fitted verdict's state on Redis (learn/fit.h) — each
 * learnt message's signal vector beside its digest (lg:vec:B, bucketed as
 * the digests are) and the fitted weights (one small hash, lg:fit). Read
 * back in the order the SQLite backend gives (vectors by digest, weights
 * by name), so a fit on either store sums in the same order and gives the
 * same weights. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "store/redis.h"
#include "util/alloc.h"

#define VEC "lg:vec"
#define LRN "lg:lrn"
#define FIT "lg:fit"
#define VEC_BUCKETS "lg:vecb" /* set: the lg:vec buckets ever written */

static bool is_str(const redisReply *e)
{
	return e && e->type == REDIS_REPLY_STRING && e->str;
}

enum lg_status redis_vector_put(void *impl, const uint8_t digest[32], const char *vector, struct errbuf *err)
{
	struct redis_store *r = impl;

	redis_conn_append(r, "HSET " VEC ":%u %b %s", redis_digest_bucket(digest), digest, (size_t)32, vector);
	redis_conn_append(r, "SADD " VEC_BUCKETS " %u", redis_digest_bucket(digest));
	return r->in_multi ? LG_OK : redis_conn_drain(r, err);
}

enum lg_status redis_vector_del(void *impl, const uint8_t digest[32], struct errbuf *err)
{
	struct redis_store *r = impl;

	redis_conn_append(r, "HDEL " VEC ":%u %b", redis_digest_bucket(digest), digest, (size_t)32);
	return r->in_multi ? LG_OK : redis_conn_drain(r, err);
}

struct vec_row {
	uint8_t digest[32];
	enum store_class cls;
	char *vector;
};

struct vec_load {
	struct redis_store *r;
	struct vec_row *rows;
	size_t n, cap;
};

/* The class of digest in an HGETALL reply of lg:lrn:B; false when absent. */
static bool class_of(const redisReply *lrn, const char *digest, enum store_class *cls)
{
	for (size_t i = 0; i + 1 < lrn->elements; i += 2)
		if (is_str(lrn->element[i]) && lrn->element[i]->len == 32 && memcmp(lrn->element[i]->str, digest, 32) == 0 &&
		    is_str(lrn->element[i + 1])) {
			*cls = lrn->element[i + 1]->str[0] == '1' ? STORE_SPAM : STORE_HAM;
			return true;
		}
	return false;
}

static enum lg_status vec_page(void *ctx, const uint32_t *buckets, size_t n, struct errbuf *err)
{
	struct vec_load *l = ctx;

	for (size_t i = 0; i < n; i++) {
		redis_conn_append(l->r, "HGETALL " VEC ":%u", buckets[i]);
		redis_conn_append(l->r, "HGETALL " LRN ":%u", buckets[i]);
	}
	for (size_t i = 0; i < n; i++) {
		redisReply *vec = redis_conn_next(l->r, err), *lrn = vec ? redis_conn_next(l->r, err) : NULL;

		if (!vec || !lrn) {
			if (vec)
				freeReplyObject(vec);
			return LG_EIO;
		}
		for (size_t j = 0; vec->type == REDIS_REPLY_ARRAY && lrn->type == REDIS_REPLY_ARRAY &&
				   j + 1 < vec->elements;
		     j += 2) {
			const redisReply *d = vec->element[j], *v = vec->element[j + 1];
			enum store_class cls;

			if (!is_str(d) || d->len != 32 || !is_str(v) || !class_of(lrn, d->str, &cls))
				continue;
			l->rows = lg_grow(l->rows, &l->cap, l->n + 1, sizeof(*l->rows));
			memcpy(l->rows[l->n].digest, d->str, 32);
			l->rows[l->n].cls = cls;
			l->rows[l->n++].vector = lg_strdup(v->str);
		}
		freeReplyObject(vec);
		freeReplyObject(lrn);
	}
	return LG_OK;
}

static int by_digest(const void *a, const void *b)
{
	return memcmp(((const struct vec_row *)a)->digest, ((const struct vec_row *)b)->digest, 32);
}

enum lg_status redis_vectors_each(void *impl, bool (*fn)(void *, enum store_class, const char *), void *ctx,
				  struct errbuf *err)
{
	struct vec_load l = {.r = impl};
	/* only the buckets that ever held a vector: a few hundred after a few
	 * hundred lessons, not all 262,144 */
	redisReply *set = redis_conn_call(impl, err, "SMEMBERS " VEC_BUCKETS);
	uint32_t *b;
	size_t n = 0;
	enum lg_status rc = LG_OK;

	if (!set)
		return LG_EIO;
	b = lg_calloc(set->elements + 1, sizeof(*b));
	for (size_t i = 0; set->type == REDIS_REPLY_ARRAY && i < set->elements; i++) {
		unsigned long v = is_str(set->element[i]) ? strtoul(set->element[i]->str, NULL, 10) : REDIS_BUCKETS;

		if (v < REDIS_BUCKETS)
			b[n++] = (uint32_t)v;
	}
	freeReplyObject(set);
	for (size_t i = 0; !rc && i < n; i += 4096)
		rc = vec_page(&l, b + i, n - i < 4096 ? n - i : 4096, err);
	lg_free(b);

	if (!rc) {
		qsort(l.rows, l.n, sizeof(*l.rows), by_digest);
		for (size_t i = 0; i < l.n && fn(ctx, l.rows[i].cls, l.rows[i].vector); i++)
			;
	}
	for (size_t i = 0; i < l.n; i++)
		lg_free(l.rows[i].vector);
	lg_free(l.rows);
	return rc;
}

enum lg_status redis_fit_replace(void *impl, const struct store_fit_weight *w, size_t n, struct errbuf *err)
{
	struct redis_store *r = impl;

	redis_conn_append(r, "DEL " FIT);
	for (size_t i = 0; i < n; i++) {
		char v[96];

		snprintf(v, sizeof(v), "%.17g %.17g %lld", w[i].weight, w[i].prior, (long long)w[i].messages);
		redis_conn_append(r, "HSET " FIT " %s %s", w[i].name, v);
	}
	return r->in_multi ? LG_OK : redis_conn_drain(r, err);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct store_fit_weight *)a)->name, ((const struct store_fit_weight *)b)->name);
}

enum lg_status redis_fit_each(void *impl, bool (*fn)(void *, const struct store_fit_weight *), void *ctx,
			      struct errbuf *err)
{
	redisReply *rep = redis_conn_call(impl, err, "HGETALL " FIT);
	struct store_fit_weight *w;
	size_t n = 0;

	if (!rep)
		return LG_EIO;
	w = lg_calloc(rep->elements / 2 + 1, sizeof(*w));
	for (size_t i = 0; rep->type == REDIS_REPLY_ARRAY && i + 1 < rep->elements; i += 2) {
		const redisReply *k = rep->element[i], *v = rep->element[i + 1];
		char *end;

		if (!is_str(k) || !is_str(v))
			continue;
		w[n].name = k->str;
		w[n].weight = strtod(v->str, &end);
		w[n].prior = strtod(end, &end);
		w[n].messages = strtoll(end, NULL, 10);
		n++;
	}
	qsort(w, n, sizeof(*w), by_name);
	for (size_t i = 0; i < n && fn(ctx, &w[i]); i++)
		;
	lg_free(w);
	freeReplyObject(rep);
	return LG_OK;
}
