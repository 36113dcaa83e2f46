/* redis_blocks.c: blocks shared between hosts through a Redis Stream.
 * Every block and unblock a host makes is appended (XADD) to the stream
 * lg:blocks; every host applies the stream, from the last entry id it
 * applied, to its local SQLite copy (reports_sqlite.c), which is what the
 * milter reads: no network round trip per message. A Stream rather than
 * pub/sub, because pub/sub drops what a host misses while it is down; the
 * stream is capped near REDIS_BLOCKS_MAXLEN entries (XADD MAXLEN ~). */
#include <stdlib.h>
#include <string.h>

#include "store/redis.h"
#include "store/redis_blocks.h"
#include "util/alloc.h"

#define STREAM "lg:blocks"
#define REDIS_BLOCKS_MAXLEN 1000000

enum lg_status redis_stream_connect(const char *url, struct redis_store **r, struct errbuf *err)
{
	const char *colon = strchr(url, ':');
	char scheme[32];

	if (!colon || (size_t)(colon - url) >= sizeof(scheme))
		return errbuf_set(err, LG_ECONFIG, "%s: not a Redis URL", url);
	memcpy(scheme, url, (size_t)(colon - url));
	scheme[colon - url] = 0;
	return redis_conn_open(scheme, colon + 1, false, r, err);
}

enum lg_status redis_stream_added(struct redis_store *r, size_t n, const char *stream, size_t *added,
				  struct errbuf *err)
{
	enum lg_status rc = LG_OK;

	for (size_t i = 0; i < n && !rc; i++) {
		redisReply *rep = redis_conn_next(r, err);

		if (!rep)
			return LG_EIO;
		if (rep->type == REDIS_REPLY_STRING)
			(*added)++;
		else
			rc = errbuf_set(err, LG_EINTERNAL, "Redis refused XADD %s: %s", stream,
					rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
		freeReplyObject(rep);
	}
	return rc;
}

enum lg_status redis_blocks_push(const char *url, const struct redis_block_event *ev, size_t n, size_t *pushed,
				 struct errbuf *err)
{
	struct redis_store *r = NULL;
	enum lg_status rc = redis_stream_connect(url, &r, err);
	char at[24];

	*pushed = 0;
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct block_row *b = &ev[i].block;

		snprintf(at, sizeof(at), "%lld", (long long)b->at);
		redis_conn_append(r, "XADD " STREAM " MAXLEN ~ %d * op %s kind %s value %s status %s who %s why %s at %s",
				  REDIS_BLOCKS_MAXLEN, ev[i].unblock ? "unblock" : "block", b->kind, b->value,
				  b->status ? b->status : "", b->who ? b->who : "", b->why ? b->why : "", at);
	}
	/* Replies in order: the first failure ends what was pushed. */
	rc = redis_stream_added(r, n, STREAM, pushed, err);
	redis_conn_close(r);
	return rc;
}

const redisReply *redis_stream_field(const redisReply *kv, const char *name)
{
	for (size_t i = 0; i + 1 < kv->elements; i += 2)
		if (kv->element[i]->str && strcmp(kv->element[i]->str, name) == 0)
			return kv->element[i + 1];
	return NULL;
}

static const char *field(const redisReply *kv, const char *name)
{
	const redisReply *v = redis_stream_field(kv, name);

	return v ? (v->str ? v->str : "") : NULL;
}

enum lg_status redis_stream_each(const char *url, const char *stream, const char *after,
				 enum lg_status (*fn)(void *ctx, const char *id, const redisReply *kv, struct errbuf *err),
				 void *ctx, struct errbuf *err)
{
	struct redis_store *r = NULL;
	enum lg_status rc = redis_stream_connect(url, &r, err);
	char from[64];

	if (rc)
		return rc;
	snprintf(from, sizeof(from), "(%s", *after ? after : "0-0");
	for (;;) {
		redisReply *rep = redis_conn_call(r, err, "XRANGE %s %s + COUNT 500", stream, from);
		size_t n;

		if (!rep) {
			rc = LG_EIO;
			break;
		}
		n = rep->type == REDIS_REPLY_ARRAY ? rep->elements : 0;
		for (size_t i = 0; i < n && !rc; i++) {
			const redisReply *e = rep->element[i];

			if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || !e->element[0]->str ||
			    e->element[1]->type != REDIS_REPLY_ARRAY)
				continue;
			snprintf(from, sizeof(from), "(%s", e->element[0]->str);
			rc = fn(ctx, e->element[0]->str, e->element[1], err);
		}
		freeReplyObject(rep);
		if (rc || n < 500)
			break;
	}
	redis_conn_close(r);
	return rc;
}

struct block_reader {
	enum lg_status (*fn)(void *ctx, const char *id, const struct redis_block_event *ev, struct errbuf *err);
	void *ctx;
};

static enum lg_status block_entry(void *ctx, const char *id, const redisReply *kv, struct errbuf *err)
{
	struct block_reader *br = ctx;
	struct redis_block_event ev = {0};
	const char *op = field(kv, "op"), *at = field(kv, "at");

	ev.block.kind = field(kv, "kind");
	ev.block.value = field(kv, "value");
	ev.block.status = field(kv, "status");
	ev.block.who = field(kv, "who");
	ev.block.why = field(kv, "why");
	if (!op || !ev.block.kind || !ev.block.value || !at)
		return LG_OK; /* not one of ours: skipped, its id still passed */
	/* what `leakguard block` could have made, nothing else (a damaged or
	 * hostile server must not plant a block the local tools cannot show) */
	if ((strcmp(ev.block.kind, "domain") != 0 && strcmp(ev.block.kind, "ip") != 0) || !*ev.block.value ||
	    strlen(ev.block.value) > 255 ||
	    (strcmp(op, "block") == 0 && (!ev.block.status || (strcmp(ev.block.status, "active") != 0 &&
							       strcmp(ev.block.status, "review") != 0))))
		return LG_OK;
	ev.unblock = strcmp(op, "unblock") == 0;
	ev.block.at = strtoll(at, NULL, 10);
	return br->fn(br->ctx, id, &ev, err);
}

enum lg_status redis_blocks_read(const char *url, const char *after,
				 enum lg_status (*fn)(void *ctx, const char *id, const struct redis_block_event *ev,
						      struct errbuf *err),
				 void *ctx, struct errbuf *err)
{
	struct block_reader br = {fn, ctx};

	return redis_stream_each(url, STREAM, after, block_entry, &br, err);
}
