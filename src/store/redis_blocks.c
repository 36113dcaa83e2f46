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

static enum lg_status connect_url(const char *url, struct redis_store **r, struct errbuf *err)
{
	const char *colon = strchr(url, ':');
	char scheme[32];

	if (!colon || (size_t)(colon - url) >= sizeof(scheme))
		return errbuf_set(err, LG_ECONFIG, "%s: not a Redis URL", url);
	memcpy(scheme, url, (size_t)(colon - url));
	scheme[colon - url] = 0;
	return redis_conn_open(scheme, colon + 1, false, r, err);
}

enum lg_status redis_blocks_push(const char *url, const struct redis_block_event *ev, size_t n, size_t *pushed,
				 struct errbuf *err)
{
	struct redis_store *r = NULL;
	enum lg_status rc = connect_url(url, &r, err);
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
	for (size_t i = 0; i < n && !rc; i++) {
		redisReply *rep = redis_conn_next(r, err);

		if (!rep) {
			rc = LG_EIO;
			break;
		}
		if (rep->type == REDIS_REPLY_STRING)
			(*pushed)++;
		else
			rc = errbuf_set(err, LG_EINTERNAL, "Redis refused XADD " STREAM ": %s",
					rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
		freeReplyObject(rep);
	}
	redis_conn_close(r);
	return rc;
}

static const char *field(const redisReply *kv, const char *name)
{
	for (size_t i = 0; i + 1 < kv->elements; i += 2)
		if (kv->element[i]->str && strcmp(kv->element[i]->str, name) == 0)
			return kv->element[i + 1]->str ? kv->element[i + 1]->str : "";
	return NULL;
}

enum lg_status redis_blocks_read(const char *url, const char *after,
				 enum lg_status (*fn)(void *ctx, const char *id, const struct redis_block_event *ev,
						      struct errbuf *err),
				 void *ctx, struct errbuf *err)
{
	struct redis_store *r = NULL;
	enum lg_status rc = connect_url(url, &r, err);
	char from[64];

	if (rc)
		return rc;
	snprintf(from, sizeof(from), "(%s", *after ? after : "0-0");
	for (;;) {
		redisReply *rep = redis_conn_call(r, err, "XRANGE " STREAM " %s + COUNT 1000", from);
		size_t n;

		if (!rep) {
			rc = LG_EIO;
			break;
		}
		n = rep->type == REDIS_REPLY_ARRAY ? rep->elements : 0;
		for (size_t i = 0; i < n && !rc; i++) {
			const redisReply *e = rep->element[i];
			struct redis_block_event ev = {0};
			const char *op, *at;

			if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || !e->element[0]->str ||
			    e->element[1]->type != REDIS_REPLY_ARRAY)
				continue;
			snprintf(from, sizeof(from), "(%s", e->element[0]->str);
			op = field(e->element[1], "op");
			ev.block.kind = field(e->element[1], "kind");
			ev.block.value = field(e->element[1], "value");
			ev.block.status = field(e->element[1], "status");
			ev.block.who = field(e->element[1], "who");
			ev.block.why = field(e->element[1], "why");
			at = field(e->element[1], "at");
			if (!op || !ev.block.kind || !ev.block.value || !at)
				continue; /* not one of ours: skipped, its id still passed */
			ev.unblock = strcmp(op, "unblock") == 0;
			ev.block.at = strtoll(at, NULL, 10);
			rc = fn(ctx, e->element[0]->str, &ev, err);
		}
		freeReplyObject(rep);
		if (rc || n < 1000)
			break;
	}
	redis_conn_close(r);
	return rc;
}
