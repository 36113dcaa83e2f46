/* redis_blocks.h: the Redis Stream that carries blocks between hosts
 * (internal to src/store/; used by reports_sqlite.c to keep its local copy
 * in step). */
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

#endif
