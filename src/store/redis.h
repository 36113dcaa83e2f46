/* redis.h: what the Redis store files share (internal to src/store/):
 * the connection (redis_conn.c: URL parsing, Sentinel, timeouts, the
 * dead-server mark) and the key layout every kind of state uses.
 *
 * Key layout (all keys of one store under the prefix "lg:"):
 *   lg:tok:B    hash, B = token hash mod REDIS_BUCKETS (262,144 buckets):
 *               field = the hash's upper 46 bits (6 bytes, big-endian),
 *               value = spam * 2^32 + ham (one HINCRBY per token and
 *               batch); field "d" = day number of the bucket's last update
 *   lg:lrn:B    hash, B = first 18 bits of the digest: field = the
 *               32-byte SHA-256 of a learnt message, value = its class
 *   lg:vec:B    hash, B as for lg:lrn: field = digest, value = the learnt
 *               message's signal vector (learn/fit.h's text form)
 *   lg:vecb     set: the B of every lg:vec:B written (read without a scan)
 *   lg:fit      hash: field = signal name, value = "WEIGHT PRIOR MESSAGES"
 *   lg:count    hash: "spam", "ham" = messages learnt per class
 *   lg:version  counter, incremented by every committed batch
 * Every key is one slot: no command and no Lua script spans keys. */
#ifndef LG_STORE_REDIS_H
#define LG_STORE_REDIS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "store/store.h"
#include "util/errbuf.h"

#define REDIS_BUCKETS 262144u
#define REDIS_BUCKET_BITS 18

struct redis_store {
	redisContext *c;
	char *url;       /* as given, for messages */
	char *host;      /* the server in use (the master, behind Sentinel) */
	int port, db;
	struct timeval timeout;
	size_t queued;   /* replies still to read (pipelined commands) */
	bool in_multi;   /* between begin and commit */
	struct errbuf first_err; /* the first failed pipelined reply */
	bool failed;
};

/* Opens url ("redis://HOST:PORT/DB" or "redis+sentinel://H1:P1,H2:P2/MASTER[/DB]";
 * optional "?timeout_ms=N", the budget of the connect and of every reply:
 * default 500 ms for readers on the mail path, 10 s for a writer (writer
 * true: `learn`, whose batches of tens of thousands of commands are one
 * EXEC) and selects DB. A server that
 * cannot be reached gives LG_EIO naming it, and marks it dead for
 * REDIS_DEAD_SECONDS so later opens fail at once. */
#define REDIS_DEAD_SECONDS 30
enum lg_status redis_conn_open(const char *scheme, const char *rest, bool writer, struct redis_store **out,
			       struct errbuf *err);
void redis_conn_close(struct redis_store *r);

/* Queues one command (pipelined; its reply is read by redis_conn_drain). */
void redis_conn_append(struct redis_store *r, const char *fmt, ...);
void redis_conn_append_argv(struct redis_store *r, int argc, const char **argv, const size_t *lens);
/* Reads every queued reply; LG_EIO (server lost, timeout) or LG_EINTERNAL
 * (an error reply) with the first failure. */
enum lg_status redis_conn_drain(struct redis_store *r, struct errbuf *err);
/* Reads the next queued reply (caller frees with freeReplyObject); NULL with
 * err on failure. */
redisReply *redis_conn_next(struct redis_store *r, struct errbuf *err);
/* One command, waited for. NULL with err on failure (an error reply too). */
redisReply *redis_conn_call(struct redis_store *r, struct errbuf *err, const char *fmt, ...);

/* Marks the server dead after a failure during use. */
void redis_conn_mark_dead(struct redis_store *r);

/* Calls fn with every bucket number of the keys "PREFIX:B" (present or
 * not), a page of 4,096 at a time; a failing fn stops it. */
enum lg_status redis_conn_buckets(struct redis_store *r, const char *prefix,
				  enum lg_status (*fn)(void *ctx, const uint32_t *buckets, size_t n,
						       struct errbuf *err),
				  void *ctx, struct errbuf *err);

/* The classifier's state (redis_tokens.c): the store_backend entries of
 * the same names (see backend.h). */
enum lg_status redis_tokens_add(void *impl, const struct store_token *t, size_t n, int64_t day,
				struct errbuf *err);
enum lg_status redis_tokens_each(void *impl, bool (*fn)(void *, const struct store_token *), void *ctx,
				 struct errbuf *err);
enum lg_status redis_tokens_prune(void *impl, int64_t max_count, int64_t before, int64_t *removed,
				  struct errbuf *err);
enum lg_status redis_learned_get(void *impl, const uint8_t digest[32], bool *found, enum store_class *cls,
				 struct errbuf *err);
enum lg_status redis_learned_put(void *impl, const uint8_t digest[32], enum store_class cls,
				 struct errbuf *err);
enum lg_status redis_learned_del(void *impl, const uint8_t digest[32], struct errbuf *err);
enum lg_status redis_count_add(void *impl, enum store_class cls, int64_t delta, struct errbuf *err);
enum lg_status redis_stats(void *impl, struct store_stats *out, struct errbuf *err);
enum lg_status redis_version(void *impl, uint64_t *out, struct errbuf *err);
/* The bucket of a message digest (lg:lrn:B, lg:vec:B). */
uint32_t redis_digest_bucket(const uint8_t d[32]);

/* The fitted verdict's state (redis_fit.c), as the backend.h entries. */
enum lg_status redis_vector_put(void *impl, const uint8_t digest[32], const char *vector, struct errbuf *err);
enum lg_status redis_vector_del(void *impl, const uint8_t digest[32], struct errbuf *err);
enum lg_status redis_vectors_each(void *impl, bool (*fn)(void *, enum store_class, const char *), void *ctx,
				  struct errbuf *err);
enum lg_status redis_fit_replace(void *impl, const struct store_fit_weight *w, size_t n, struct errbuf *err);
enum lg_status redis_fit_each(void *impl, bool (*fn)(void *, const struct store_fit_weight *), void *ctx,
			      struct errbuf *err);

#endif
