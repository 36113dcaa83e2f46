/* redis_tokens.c: the classifier's state on Redis — token counts, the
 * digests of learnt messages, and the message counts (the layout is in
 * redis.h). Tokens live in 262,144 small hashes rather than a key each:
 * Redis keeps a small hash as one listpack, about a quarter of the memory
 * of a key per token (measured in ../shared/NOTES.md: 28 against 116 B).
 * Both counts of a token are one integer (spam * 2^32 + ham), so a batch
 * adds a token with one HINCRBY; all of a batch is pipelined. */
#include <stdlib.h>
#include <string.h>

#include "store/redis.h"
#include "util/alloc.h"

#define TOK "lg:tok"
#define LRN "lg:lrn"
#define FIELD_LEN 6 /* the hash's upper 46 bits; the lower 18 are the bucket */

static uint32_t token_bucket(uint64_t hash)
{
	return (uint32_t)(hash & (REDIS_BUCKETS - 1));
}

static void token_field(uint64_t hash, uint8_t out[FIELD_LEN])
{
	uint64_t hi = hash >> REDIS_BUCKET_BITS;

	for (int i = FIELD_LEN - 1; i >= 0; i--, hi >>= 8)
		out[i] = (uint8_t)hi;
}

static uint64_t field_hash(const uint8_t f[FIELD_LEN], uint32_t bucket)
{
	uint64_t hi = 0;

	for (int i = 0; i < FIELD_LEN; i++)
		hi = hi << 8 | f[i];
	return hi << REDIS_BUCKET_BITS | bucket;
}

/* spam * 2^32 + ham, read back with ham as the signed low half. */
static int64_t pack(int64_t spam, int64_t ham)
{
	return (int64_t)((uint64_t)spam << 32) + ham;
}

static void unpack(int64_t v, int64_t *spam, int64_t *ham)
{
	*ham = (int32_t)(uint32_t)((uint64_t)v & 0xffffffffu);
	*spam = (v - *ham) / 4294967296LL;
}

enum lg_status redis_tokens_add(void *impl, const struct store_token *t, size_t n, int64_t day,
				struct errbuf *err)
{
	struct redis_store *r = impl;
	uint8_t *touched = lg_calloc(REDIS_BUCKETS / 8, 1);

	for (size_t i = 0; i < n; i++) {
		uint32_t b = token_bucket(t[i].hash);
		uint8_t f[FIELD_LEN];

		token_field(t[i].hash, f);
		redis_conn_append(r, "HINCRBY " TOK ":%u %b %lld", b, f, (size_t)FIELD_LEN,
				  (long long)pack(t[i].spam, t[i].ham));
		if (!(touched[b / 8] & (1u << (b % 8)))) {
			touched[b / 8] |= (uint8_t)(1u << (b % 8));
			redis_conn_append(r, "HSET " TOK ":%u d %lld", b, (long long)day);
		}
	}
	lg_free(touched);
	/* Inside begin/commit the replies are QUEUED until EXEC; outside,
	 * read them now so a failure is reported by this call. */
	return r->in_multi ? LG_OK : redis_conn_drain(r, err);
}

/* Calls visit for every token field of the HGETALL reply of bucket b. */
struct each {
	struct redis_store *r;
	bool (*fn)(void *, const struct store_token *);
	void *ctx;
	bool stop;
	/* for prune */
	int64_t max_count, before, removed;
};

/* A server that answers otherwise than Redis would (a damaged or hostile
 * one) must not crash the reader: every element is checked to be a string. */
static bool is_str(const redisReply *e)
{
	return e->type == REDIS_REPLY_STRING && e->str;
}

static int64_t reply_day(const redisReply *rep)
{
	for (size_t i = 0; i + 1 < rep->elements; i += 2)
		if (is_str(rep->element[i]) && rep->element[i]->len == 1 && rep->element[i]->str[0] == 'd' &&
		    is_str(rep->element[i + 1]))
			return strtoll(rep->element[i + 1]->str, NULL, 10);
	return 0;
}

static enum lg_status each_page(void *ctx, const uint32_t *buckets, size_t n, struct errbuf *err)
{
	struct each *e = ctx;
	enum lg_status rc = LG_OK;

	if (e->stop)
		return LG_OK;
	for (size_t i = 0; i < n; i++)
		redis_conn_append(e->r, "HGETALL " TOK ":%u", buckets[i]);
	for (size_t i = 0; i < n; i++) {
		redisReply *rep = redis_conn_next(e->r, err);
		int64_t day;

		if (!rep)
			return LG_EIO;
		if (rep->type != REDIS_REPLY_ARRAY) {
			freeReplyObject(rep);
			rc = errbuf_set(err, LG_EINTERNAL, "Redis: " TOK ":%u is not a hash", buckets[i]);
			break;
		}
		day = reply_day(rep);
		for (size_t j = 0; !e->stop && j + 1 < rep->elements; j += 2) {
			const redisReply *f = rep->element[j];
			struct store_token t = {0};

			if (!is_str(f) || f->len != FIELD_LEN || !is_str(rep->element[j + 1]))
				continue;
			t.hash = field_hash((const uint8_t *)f->str, buckets[i]);
			unpack(strtoll(rep->element[j + 1]->str, NULL, 10), &t.spam, &t.ham);
			t.seen = day;
			if (e->fn) {
				if (!e->fn(e->ctx, &t))
					e->stop = true;
			} else if (t.spam + t.ham == 0 || (t.spam + t.ham <= e->max_count && day < e->before)) {
				redis_conn_append(e->r, "HDEL " TOK ":%u %b", buckets[i], f->str, (size_t)f->len);
				e->removed++;
			}
		}
		freeReplyObject(rep);
	}
	/* prune's HDELs were queued behind the HGETALLs: read their replies too */
	return rc ? rc : redis_conn_drain(e->r, err);
}

enum lg_status redis_tokens_each(void *impl, bool (*fn)(void *, const struct store_token *), void *ctx,
				 struct errbuf *err)
{
	struct each e = {.r = impl, .fn = fn, .ctx = ctx};

	return redis_conn_buckets(impl, TOK, each_page, &e, err);
}

enum lg_status redis_tokens_prune(void *impl, int64_t max_count, int64_t before, int64_t *removed,
				  struct errbuf *err)
{
	struct redis_store *r = impl;
	struct each e = {.r = r, .max_count = max_count, .before = before};
	enum lg_status rc;

	*removed = 0;
	if (r->in_multi)
		return errbuf_set(err, LG_EINTERNAL, "Redis store: prune inside a batch");
	rc = redis_conn_buckets(r, TOK, each_page, &e, err);
	if (!rc)
		*removed = e.removed;
	return rc;
}

uint32_t redis_digest_bucket(const uint8_t d[32])
{
	return ((uint32_t)d[0] << 10 | (uint32_t)d[1] << 2 | (uint32_t)d[2] >> 6) & (REDIS_BUCKETS - 1);
}

enum lg_status redis_learned_get(void *impl, const uint8_t digest[32], bool *found, enum store_class *cls,
				 struct errbuf *err)
{
	struct redis_store *r = impl;
	redisReply *rep = redis_conn_call(r, err, "HGET " LRN ":%u %b", redis_digest_bucket(digest), digest, (size_t)32);

	if (!rep)
		return LG_EIO;
	*found = is_str(rep);
	if (*found)
		*cls = rep->str[0] == '1' ? STORE_SPAM : STORE_HAM;
	freeReplyObject(rep);
	return LG_OK;
}

enum lg_status redis_learned_put(void *impl, const uint8_t digest[32], enum store_class cls,
				 struct errbuf *err)
{
	struct redis_store *r = impl;

	redis_conn_append(r, "HSET " LRN ":%u %b %d", redis_digest_bucket(digest), digest, (size_t)32, (int)cls);
	return r->in_multi ? LG_OK : redis_conn_drain(r, err);
}

enum lg_status redis_learned_del(void *impl, const uint8_t digest[32], struct errbuf *err)
{
	struct redis_store *r = impl;

	redis_conn_append(r, "HDEL " LRN ":%u %b", redis_digest_bucket(digest), digest, (size_t)32);
	return r->in_multi ? LG_OK : redis_conn_drain(r, err);
}

enum lg_status redis_count_add(void *impl, enum store_class cls, int64_t delta, struct errbuf *err)
{
	struct redis_store *r = impl;

	redis_conn_append(r, "HINCRBY lg:count %s %lld", cls == STORE_SPAM ? "spam" : "ham", (long long)delta);
	return r->in_multi ? LG_OK : redis_conn_drain(r, err);
}

static enum lg_status count_page(void *ctx, const uint32_t *buckets, size_t n, struct errbuf *err)
{
	struct each *e = ctx;

	for (size_t i = 0; i < n; i++)
		redis_conn_append(e->r, "HLEN " TOK ":%u", buckets[i]);
	for (size_t i = 0; i < n; i++) {
		redisReply *rep = redis_conn_next(e->r, err);

		if (!rep)
			return LG_EIO;
		/* every bucket also holds its day field "d" */
		if (rep->type == REDIS_REPLY_INTEGER && rep->integer > 0)
			e->removed += rep->integer - 1;
		freeReplyObject(rep);
	}
	return LG_OK;
}

static int64_t int_or_zero(const redisReply *rep)
{
	return is_str(rep) ? strtoll(rep->str, NULL, 10) : 0;
}

enum lg_status redis_stats(void *impl, struct store_stats *out, struct errbuf *err)
{
	struct redis_store *r = impl;
	struct each e = {.r = r};
	redisReply *rep = redis_conn_call(r, err, "HMGET lg:count spam ham");
	enum lg_status rc;

	memset(out, 0, sizeof(*out));
	if (!rep)
		return LG_EIO;
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2) {
		out->spam_messages = int_or_zero(rep->element[0]);
		out->ham_messages = int_or_zero(rep->element[1]);
	}
	freeReplyObject(rep);
	rc = redis_conn_buckets(r, TOK, count_page, &e, err);
	if (rc)
		return rc;
	out->tokens = e.removed;
	rep = redis_conn_call(r, err, "INFO memory");
	if (!rep)
		return LG_EIO;
	if (is_str(rep)) {
		const char *m = strstr(rep->str, "used_memory:");

		if (m)
			out->bytes = strtoll(m + 12, NULL, 10);
	}
	freeReplyObject(rep);
	return LG_OK;
}

enum lg_status redis_version(void *impl, uint64_t *out, struct errbuf *err)
{
	redisReply *rep = redis_conn_call(impl, err, "GET lg:version");

	if (!rep)
		return LG_EIO;
	*out = is_str(rep) ? strtoull(rep->str, NULL, 10) : 0;
	freeReplyObject(rep);
	return LG_OK;
}
