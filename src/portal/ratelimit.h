/* ratelimit.h: per-client and per-key request limits — a token bucket per
 * key (capacity `limit`, refilled at limit per `period` seconds) in a fixed
 * 4-way set-associative table, so memory stays bounded whatever number of
 * clients an attacker brings: a full set forgets its least recently used
 * key (which can only ever make that key's limit fresh again, never lock
 * out another client). Thread-safe; time is passed in, for tests. */
#ifndef LG_PORTAL_RATELIMIT_H
#define LG_PORTAL_RATELIMIT_H

#include <stdbool.h>

struct ratelimit;

/* limit requests per period seconds; limit 0 means no limit. */
struct ratelimit *ratelimit_new(double limit, double period);
void ratelimit_free(struct ratelimit **rl);

/* Takes one request from key's bucket at time now (seconds). True when
 * allowed; false when over the limit, with *retry_after the seconds until
 * the next request would be (rounded up, at least 1). */
bool ratelimit_take(struct ratelimit *rl, const char *key, double now, int *retry_after);

#endif
