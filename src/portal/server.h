/* server.h: the leak portal as one object — settings, the stores it reads
 * and writes, the rate limits and the mail queue — shared by every request
 * handler; and its life: start (libmicrohttpd), run until a signal, stop.
 *
 * Threads: libmicrohttpd's pool runs handlers concurrently. The leak index
 * is read-only (mapped segments) and is replaced when an ingest adds
 * segments: reading it takes index_lock for reading; re-reading dump files
 * behind it goes through the store's one SQLite handle, so that takes it
 * for writing, as does the swap. The portal store locks itself; rate
 * limits lock per set. */
#ifndef LG_PORTAL_SERVER_H
#define LG_PORTAL_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/portal.h"
#include "util/config.h"

struct leak_index;
struct store;
struct ratelimit;
struct mailq;
struct portal_metrics;

enum portal_range_access {
	PORTAL_RANGE_OFF,    /* /range/ answers 404 */
	PORTAL_RANGE_KEY,    /* only with an API key (the default) */
	PORTAL_RANGE_PUBLIC, /* anyone */
};

struct portal_settings {
	char host[64];
	unsigned port;
	char *base_url;          /* owned, no trailing '/' */
	const char *smtp, *from; /* borrowed from the config */
	const char *dns_resolver, *web_verify_url, *trusted_proxy;
	int64_t link_ttl, challenge_ttl, mail_link_ttl, session_ttl;
	unsigned threads;
	bool tls, secure_cookies;
	enum portal_range_access range_access;
};

#define PORTAL_KEY_CACHE 64   /* API keys remembered (api.c), by their hash */
#define PORTAL_KEYS_PER_DOMAIN 5 /* API keys one verified domain may hold (pages_dashboard.c) */
#define PORTAL_KEY_CACHE_TTL 60 /* seconds a remembered key is believed */

struct portal_key_seen {
	char hash[PORTAL_HASH_HEX]; /* "" when free */
	int64_t id, until;
	char domain[PORTAL_TEXT_MAX];
};

struct portal {
	struct portal_settings set;
	const struct config *cfg;
	struct store *store;
	struct leak_index *ix;     /* NULL when nothing was ingested yet */
	pthread_rwlock_t index_lock; /* read: index only; write: index and store */
	struct portal_store *ps;
	uint8_t secret[PORTAL_SECRET_LEN];
	struct ratelimit *rl_pages, *rl_mail, *rl_range, *rl_api;
	struct mailq *mq;
	pthread_mutex_t key_lock;  /* keys: the store is asked once a minute per key, not per request */
	struct portal_key_seen keys[PORTAL_KEY_CACHE];
	struct portal_metrics *metrics; /* portal/metrics.h; NULL until portal_serve starts it */
};

/* Opens the stores named by cfg (db) and builds the portal, listen being
 * "HOST:PORT" (NULL: the configuration's). LG_ECONFIG/LG_EIO with err. */
enum lg_status portal_open(const struct config *cfg, const char *listen, struct portal **out, struct errbuf *err);
void portal_close(struct portal **p);

/* Serves until SIGINT or SIGTERM; prints the listening line on stderr once
 * ready (ROUTES.md). LG_EIO with err when it cannot listen. */
enum lg_status portal_serve(struct portal *p, struct errbuf *err);

/* Writes one audit row (failures are logged, never fatal to a request). */
void portal_audit(struct portal *p, const char *actor, const char *client, const char *action,
		  const char *subject, const char *detail);

#endif
