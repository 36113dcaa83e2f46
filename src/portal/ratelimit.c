/* ratelimit.c: token buckets in a bounded table (ratelimit.h). */
#include <arpa/inet.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>

#include "context/keyhash.h"
#include "portal/ratelimit.h"
#include "util/alloc.h"
#include "util/random.h"

#define SETS 4096 /* x WAYS buckets: 16,384 clients tracked at once */
#define WAYS 4
#define LOCKS 64

struct bucket {
	uint64_t key; /* 0: empty */
	double tokens, last;
};

struct ratelimit {
	double limit, period;
	bool keep_live;
	uint8_t key[CTX_KEY_LEN]; /* for the bucket hash: nobody can aim at a set */
	struct bucket b[SETS][WAYS];
	pthread_mutex_t lock[LOCKS];
};

struct ratelimit *ratelimit_new(double limit, double period, bool keep_live)
{
	struct ratelimit *rl = lg_calloc(1, sizeof(*rl));

	rl->limit = limit;
	rl->period = period > 0 ? period : 1;
	rl->keep_live = keep_live;
	for (size_t i = 0; i < sizeof(rl->key); i += 8) { /* getrandom; aborts on a host without it */
		uint64_t r = lg_random_u64();

		memcpy(rl->key + i, &r, 8);
	}
	for (int i = 0; i < LOCKS; i++)
		pthread_mutex_init(&rl->lock[i], NULL);
	return rl;
}

void ratelimit_free(struct ratelimit **rl)
{
	if (!rl || !*rl)
		return;
	for (int i = 0; i < LOCKS; i++)
		pthread_mutex_destroy(&(*rl)->lock[i]);
	lg_free(*rl);
	*rl = NULL;
}

/* The bucket of key in its set: its own, else an empty one or one that
 * has refilled (forgetting it changes nothing), else the least recently
 * used — or, with keep_live, none (NULL): a live bucket is never evicted. */
static struct bucket *find(const struct ratelimit *rl, struct bucket *set, uint64_t key, double now)
{
	struct bucket *lru = NULL;
	double rate = rl->limit / rl->period;

	for (int w = 0; w < WAYS; w++)
		if (set[w].key == key)
			return &set[w];
	for (int w = 0; w < WAYS; w++) {
		if (set[w].key == 0 || set[w].tokens + (now - set[w].last) * rate >= rl->limit) {
			lru = &set[w];
			break;
		}
		if (!rl->keep_live && (!lru || set[w].last < lru->last))
			lru = &set[w];
	}
	if (!lru)
		return NULL;
	lru->key = key;
	lru->tokens = rl->limit;
	lru->last = now;
	return lru;
}

bool ratelimit_take(struct ratelimit *rl, const char *key, double now, int *retry_after)
{
	uint64_t h = ctx_keyhash(rl->key, 0, key, strlen(key));
	size_t set = (size_t)(h >> 20) % SETS;
	double rate = rl->limit / rl->period;
	struct bucket *b;
	bool ok;

	*retry_after = 0;
	if (rl->limit <= 0)
		return true;
	pthread_mutex_lock(&rl->lock[set % LOCKS]);
	b = find(rl, rl->b[set], h, now);
	if (!b) { /* keep_live and the set is all live buckets: refuse, forget nobody */
		pthread_mutex_unlock(&rl->lock[set % LOCKS]);
		*retry_after = (int)ceil(rl->period / rl->limit);
		return false;
	}
	if (now > b->last)
		b->tokens = fmin(rl->limit, b->tokens + (now - b->last) * rate);
	b->last = now;
	ok = b->tokens >= 1;
	if (ok)
		b->tokens -= 1;
	else
		*retry_after = (int)ceil((1 - b->tokens) / rate);
	pthread_mutex_unlock(&rl->lock[set % LOCKS]);
	if (!ok && *retry_after < 1)
		*retry_after = 1;
	return ok;
}

void ratelimit_client_key(const char *ip, char *out, size_t n)
{
	struct in6_addr a;
	char s[INET6_ADDRSTRLEN];

	if (!strchr(ip, ':') || inet_pton(AF_INET6, ip, &a) != 1) {
		snprintf(out, n, "%s", ip);
		return;
	}
	if (IN6_IS_ADDR_V4MAPPED(&a)) { /* ::ffff:192.0.2.1 is 192.0.2.1 */
		inet_ntop(AF_INET, a.s6_addr + 12, s, sizeof(s));
		snprintf(out, n, "%s", s);
		return;
	}
	memset(a.s6_addr + 8, 0, 8); /* one site gets a /64: its hosts are one client */
	inet_ntop(AF_INET6, &a, s, sizeof(s));
	snprintf(out, n, "%s/64", s);
}
