/* redis_store.c: the Redis store backends (redis://, redis+sentinel://)
 * and the refusal of redis+cluster://, as store_backend tables (backend.h).
 * A write batch is one MULTI/EXEC on one connection, so other readers see
 * all of it or none (a killed writer's queued commands are discarded by
 * the server); reads have no snapshot: a reader that loads every token
 * (several SCAN pages) while a batch commits may see part of that batch.
 * Kinds of state not kept on Redis yet (the leak index) are NULL here,
 * and store.c says so. */
#include <string.h>

#include "store/backend.h"
#include "store/redis.h"

static enum lg_status open_with(const char *scheme, const char *rest, bool create, void **impl,
				struct errbuf *err)
{
	struct redis_store *r = NULL;
	enum lg_status rc = redis_conn_open(scheme, rest, create, &r, err);

	if (rc)
		return rc;
	*impl = r;
	return LG_OK;
}

static enum lg_status open_plain(const char *rest, bool create, void **impl, struct errbuf *err)
{
	return open_with("redis", rest, create, impl, err);
}

static enum lg_status open_sentinel(const char *rest, bool create, void **impl, struct errbuf *err)
{
	return open_with("redis+sentinel", rest, create, impl, err);
}

static enum lg_status open_cluster(const char *rest, bool create, void **impl, struct errbuf *err)
{
	return errbuf_set(err, LG_ECONFIG,
			  "redis+cluster:%s: Redis Cluster is not supported yet (hiredis 0.14 has no slot routing, "
			  "and leakguard's MOVED/ASK routing is not written); use redis:// or redis+sentinel://",
			  rest);
}

static void close_store(void *impl)
{
	struct redis_store *r = impl;

	if (r && r->in_multi && r->c) {
		struct errbuf ignored;

		redis_conn_append(r, "DISCARD");
		redis_conn_drain(r, &ignored);
	}
	redis_conn_close(r);
}

static enum lg_status begin(void *impl, struct errbuf *err)
{
	struct redis_store *r = impl;
	enum lg_status rc = redis_conn_drain(r, err);

	if (rc)
		return rc;
	redis_conn_append(r, "MULTI");
	r->in_multi = true;
	return LG_OK;
}

static enum lg_status commit(void *impl, struct errbuf *err)
{
	struct redis_store *r = impl;

	if (!r->in_multi)
		return errbuf_set(err, LG_EINTERNAL, "Redis store: commit without begin");
	redis_conn_append(r, "INCR lg:version");
	redis_conn_append(r, "EXEC");
	r->in_multi = false;
	return redis_conn_drain(r, err);
}

static void rollback(void *impl)
{
	struct redis_store *r = impl;
	struct errbuf ignored;

	if (r->in_multi) {
		redis_conn_append(r, "DISCARD");
		r->in_multi = false;
	}
	redis_conn_drain(r, &ignored);
}

static enum lg_status read_begin(void *impl, struct errbuf *err)
{
	return LG_OK;
}

static void read_end(void *impl)
{
}

#define REDIS_CLASSIFIER                          \
	.close = close_store, .begin = begin, .commit = commit, .rollback = rollback, .read_begin = read_begin, \
	.read_end = read_end, .tokens_add = redis_tokens_add, .tokens_each = redis_tokens_each,               \
	.tokens_prune = redis_tokens_prune, .learned_get = redis_learned_get,                                  \
	.learned_put = redis_learned_put, .learned_del = redis_learned_del, .count_add = redis_count_add,      \
	.stats = redis_stats, .version = redis_version, .vector_put = redis_vector_put,                        \
	.vector_del = redis_vector_del, .vectors_each = redis_vectors_each, .fit_replace = redis_fit_replace,  \
	.fit_each = redis_fit_each

const struct store_backend store_redis_backend = {
	.scheme = "redis",
	.shared = true,
	.open = open_plain,
	REDIS_CLASSIFIER,
};

const struct store_backend store_redis_sentinel_backend = {
	.scheme = "redis+sentinel",
	.shared = true,
	.open = open_sentinel,
	REDIS_CLASSIFIER,
};

const struct store_backend store_redis_cluster_backend = {
	.scheme = "redis+cluster",
	.shared = true,
	.open = open_cluster,
};
