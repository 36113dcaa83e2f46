/* redis_blocks.h: the Redis Streams that carry blocks (redis_blocks.c) and
 * staff reports (redis_reports.c) between hosts (internal to src/store/;
 * used by reports_sqlite.c to keep its local copy in step). */
#ifndef LG_STORE_REDIS_BLOCKS_H
#define LG_STORE_REDIS_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>

#include "store/reports.h"
#include "util/errbuf.h"

struct redis_block_event {
	bool unblock; /* else a block (or its replacement) */
	struct block_row block;
};

/* Appends n events to the stream of the store at url, in order. *pushed
 * gets how many the server took (a prefix of ev); LG_EIO when the server
 * cannot be reached (within its time budget), naming it. */
enum lg_status redis_blocks_push(const char *url, const struct redis_block_event *ev, size_t n, size_t *pushed,
				 struct errbuf *err);
/* Calls fn for every event after entry id `after` ("" for all), oldest
 * first, with the entry's id (strings borrowed for the call); fn's failure
 * stops the read and is returned. */
enum lg_status redis_blocks_read(const char *url, const char *after,
				 enum lg_status (*fn)(void *ctx, const char *id, const struct redis_block_event *ev,
						      struct errbuf *err),
				 void *ctx, struct errbuf *err);

#include <hiredis/hiredis.h>

struct redis_store;
/* Calls fn with the id and the field/value array of every entry of stream
 * after entry id `after` ("" for all), oldest first; fn's failure stops. */
enum lg_status redis_stream_each(const char *url, const char *stream, const char *after,
				 enum lg_status (*fn)(void *ctx, const char *id, const redisReply *kv, struct errbuf *err),
				 void *ctx, struct errbuf *err);
/* A connection to the server of a shared store URL, on the mail path's
 * budget (redis_conn_open). */
enum lg_status redis_stream_connect(const char *url, struct redis_store **r, struct errbuf *err);
/* The value of field name in a stream entry's field/value array, or NULL. */
const redisReply *redis_stream_field(const redisReply *kv, const char *name);
/* Reads the replies of n queued XADDs to stream: *added counts the entries
 * taken, up to the first failure (returned). */
enum lg_status redis_stream_added(struct redis_store *r, size_t n, const char *stream, size_t *added,
				  struct errbuf *err);

/* Appends n reports filed on host `origin` (r->id is that host's id);
 * r->campaign is the campaign's first report's id on host corigin[i]
 * (NULL: origin). */
enum lg_status redis_reports_push(const char *url, const char *origin, const struct report_row *rows,
				  const char *const *corigin, size_t n, size_t *pushed, struct errbuf *err);
/* Calls fn for every report entry after entry id `after`, oldest first, with
 * the host that filed it and the host whose id r->campaign is. */
enum lg_status redis_reports_read(const char *url, const char *after,
				  enum lg_status (*fn)(void *ctx, const char *id, const char *origin, const char *corigin,
						       const struct report_row *r, struct errbuf *err),
				  void *ctx, struct errbuf *err);

#endif
