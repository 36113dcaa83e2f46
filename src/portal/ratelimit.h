/* ratelimit.h: per-client and per-key request limits — a token bucket per
 * key (capacity `limit`, refilled at limit per `period` seconds) in a fixed
 * 4-way set-associative table, so memory stays bounded whatever number of
 * clients an attacker brings. The set of a key comes from a keyed hash
 * (SipHash, a random key per table), so nobody can pick keys that share a
 * victim's set. A full set reuses a bucket that has refilled (forgetting
 * it changes nothing); failing that, it forgets its least recently used
 * key (which only ever makes that key's limit fresh again, never locks out
 * another client) — or, for a table made with keep_live (the
 * per-recipient mail cap), refuses the new key instead, so no live limit
 * is ever evicted. Thread-safe; time is passed in, for tests. */
#ifndef LG_PORTAL_RATELIMIT_H
#define LG_PORTAL_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

struct ratelimit;

/* limit requests per period seconds; limit 0 means no limit. keep_live:
 * never evict a bucket that still limits (refuse new keys instead). */
struct ratelimit *ratelimit_new(double limit, double period, bool keep_live);
void ratelimit_free(struct ratelimit **rl);

/* Takes one request from key's bucket at time now (seconds). True when
 * allowed; false when over the limit, with *retry_after the seconds until
 * the next request would be (rounded up, at least 1). */
bool ratelimit_take(struct ratelimit *rl, const char *key, double now, int *retry_after);

/* The rate-limit key of a client address: an IPv4 address (also written
 * as ::ffff:a.b.c.d) as itself, an IPv6 address as its /64
 * ("2001:db8:1:2::/64": one site, whatever host it rotates through),
 * anything else as given. Into out (n bytes, INET6_ADDRSTRLEN + 4 is
 * enough). */
void ratelimit_client_key(const char *ip, char *out, size_t n);

#endif
