/* ratelimit.c: token buckets in a bounded table (ratelimit.h). */
#include <math.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>

#include "portal/ratelimit.h"
#include "util/alloc.h"

#define SETS 4096 /* x WAYS buckets: 16,384 clients tracked at once */
#define WAYS 4
#define LOCKS 64

struct bucket {
	uint64_t key; /* 0: empty */
	double tokens, last;
};

struct ratelimit {
	double limit, period;
	struct bucket b[SETS][WAYS];
	pthread_mutex_t lock[LOCKS];
};

/* FNV-1a, never 0 (0 marks an empty bucket). */
static uint64_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ? h : 1;
}

struct ratelimit *ratelimit_new(double limit, double period)
{
	struct ratelimit *rl = lg_calloc(1, sizeof(*rl));

	rl->limit = limit;
	rl->period = period > 0 ? period : 1;
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

/* The bucket of key in its set: its own, else an empty or the least
 * recently used one, started full. */
static struct bucket *find(struct bucket *set, uint64_t key, double limit, double now)
{
	struct bucket *lru = &set[0];

	for (int w = 0; w < WAYS; w++) {
		if (set[w].key == key)
			return &set[w];
		if (set[w].key == 0 || set[w].last < lru->last)
			lru = &set[w];
		if (set[w].key == 0)
			break;
	}
	lru->key = key;
	lru->tokens = limit;
	lru->last = now;
	return lru;
}

bool ratelimit_take(struct ratelimit *rl, const char *key, double now, int *retry_after)
{
	uint64_t h = key_hash(key);
	size_t set = (size_t)(h >> 20) % SETS;
	double rate = rl->limit / rl->period;
	struct bucket *b;
	bool ok;

	*retry_after = 0;
	if (rl->limit <= 0)
		return true;
	pthread_mutex_lock(&rl->lock[set % LOCKS]);
	b = find(rl->b[set], h, rl->limit, now);
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
