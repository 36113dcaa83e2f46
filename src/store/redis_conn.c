/* redis_conn.c: the connection behind every Redis store file — the store
 * URL ("redis://HOST:PORT/DB", "redis+sentinel://H1:P1,H2:P2/MASTER[/DB]"),
 * Sentinel's master look-up (SENTINEL get-master-addr-by-name, as in the
 * Sentinel client guidelines: ask each sentinel in turn, then check with
 * ROLE that the address given is a master), a time budget on every call
 * (connect and each reply), and a per-process mark on a server that failed,
 * so later messages do not wait on it again for REDIS_DEAD_SECONDS. */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "store/redis.h"
#include "util/alloc.h"

#define DEAD_SLOTS 16

static struct {
	char host[256];
	int port;
	time_t until;
} dead[DEAD_SLOTS];
static pthread_mutex_t dead_lock = PTHREAD_MUTEX_INITIALIZER;

static time_t now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void mark(const char *host, int port, time_t until)
{
	int slot = 0;

	pthread_mutex_lock(&dead_lock);
	for (int i = 0; i < DEAD_SLOTS; i++) {
		if (dead[i].port == port && strcmp(dead[i].host, host) == 0) {
			slot = i;
			break;
		}
		if (dead[i].until < dead[slot].until)
			slot = i;
	}
	g_strlcpy(dead[slot].host, host, sizeof(dead[slot].host));
	dead[slot].port = port;
	dead[slot].until = until;
	pthread_mutex_unlock(&dead_lock);
}

/* Seconds the server is still marked dead for (0 when it is not). */
static long dead_for(const char *host, int port)
{
	time_t now = now_mono();
	long left = 0;

	pthread_mutex_lock(&dead_lock);
	for (int i = 0; i < DEAD_SLOTS; i++)
		if (dead[i].port == port && strcmp(dead[i].host, host) == 0 && dead[i].until > now)
			left = (long)(dead[i].until - now);
	pthread_mutex_unlock(&dead_lock);
	return left;
}

void redis_conn_mark_dead(struct redis_store *r)
{
	mark(r->host, r->port, now_mono() + REDIS_DEAD_SECONDS);
}

/* "HOST:PORT" (PORT optional, default 6379) into host and port. */
static enum lg_status parse_hostport(const char *s, size_t len, char **host, int *port, const char *url,
				     struct errbuf *err)
{
	const char *colon = memrchr(s, ':', len);
	char *end;
	long p = 6379;

	if (colon) {
		char buf[16];
		size_t n = len - (size_t)(colon - s) - 1;

		if (n == 0 || n >= sizeof(buf))
			return errbuf_set(err, LG_ECONFIG, "%s: bad port", url);
		memcpy(buf, colon + 1, n);
		buf[n] = 0;
		p = strtol(buf, &end, 10);
		if (*end || p <= 0 || p > 65535)
			return errbuf_set(err, LG_ECONFIG, "%s: bad port '%s'", url, buf);
		len = (size_t)(colon - s);
	}
	if (len == 0)
		return errbuf_set(err, LG_ECONFIG, "%s: no host", url);
	*host = lg_strndup(s, len);
	*port = (int)p;
	return LG_OK;
}

static enum lg_status connect_to(struct redis_store *r, const char *host, int port, redisContext **out,
				 struct errbuf *err)
{
	long left = dead_for(host, port);
	redisContext *c;

	if (left)
		return errbuf_set(err, LG_EIO,
				  "Redis at %s:%d (%s) is marked dead for %ld s more after a failure; not waiting on it",
				  host, port, r->url, left);
	c = redisConnectWithTimeout(host, port, r->timeout);
	if (!c || c->err) {
		errbuf_set(err, LG_EIO, "cannot reach Redis at %s:%d (%s): %s", host, port, r->url,
			   c ? c->errstr : "out of memory");
		redisFree(c);
		mark(host, port, now_mono() + REDIS_DEAD_SECONDS);
		return LG_EIO;
	}
	redisSetTimeout(c, r->timeout);
	*out = c;
	return LG_OK;
}

/* Asks each sentinel of list (comma-separated HOST:PORT) for master's address. */
static enum lg_status sentinel_master(struct redis_store *r, const char *list, size_t len, const char *master,
				      struct errbuf *err)
{
	const char *p = list, *end = list + len;
	struct errbuf last = {""};

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = comma ? (size_t)(comma - p) : (size_t)(end - p);
		char *host = NULL;
		int port;
		redisContext *c = NULL;
		redisReply *rep;

		if (parse_hostport(p, n, &host, &port, r->url, err))
			return LG_ECONFIG;
		p += n + 1;
		if (connect_to(r, host, port, &c, &last)) {
			lg_free(host);
			continue;
		}
		rep = redisCommand(c, "SENTINEL get-master-addr-by-name %s", master);
		if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
		    rep->element[0]->type == REDIS_REPLY_STRING && rep->element[1]->type == REDIS_REPLY_STRING) {
			r->host = lg_strdup(rep->element[0]->str);
			r->port = (int)strtol(rep->element[1]->str, NULL, 10);
		} else {
			errbuf_set(&last, LG_EIO, "sentinel %s:%d (%s) does not know master '%s'%s%s", host, port,
				   r->url, master, rep && rep->type == REDIS_REPLY_ERROR ? ": " : "",
				   rep && rep->type == REDIS_REPLY_ERROR ? rep->str : "");
		}
		if (rep)
			freeReplyObject(rep);
		redisFree(c);
		lg_free(host);
		if (r->host)
			return LG_OK;
	}
	return errbuf_set(err, LG_EIO, "no sentinel of %s answered for master '%s': %s", r->url, master,
			  *last.msg ? last.msg : "no sentinels listed");
}

/* Reads "?timeout_ms=N" (the only option). */
static enum lg_status parse_options(struct redis_store *r, const char *q, bool writer, struct errbuf *err)
{
	long ms = writer ? 10000 : 500;

	if (q) {
		char *end;

		if (strncmp(q, "timeout_ms=", 11) != 0)
			return errbuf_set(err, LG_ECONFIG, "%s: unknown option '%s' (known: timeout_ms=N)", r->url, q);
		ms = strtol(q + 11, &end, 10);
		if (*end || ms <= 0 || ms > 60000)
			return errbuf_set(err, LG_ECONFIG, "%s: timeout_ms must be 1..60000", r->url);
	}
	r->timeout.tv_sec = ms / 1000;
	r->timeout.tv_usec = (ms % 1000) * 1000;
	return LG_OK;
}

static enum lg_status parse_db(struct redis_store *r, const char *s, struct errbuf *err)
{
	char *end;
	long db;

	if (!s || !*s)
		return LG_OK;
	db = strtol(s, &end, 10);
	if (*end || db < 0 || db > 100000)
		return errbuf_set(err, LG_ECONFIG, "%s: bad database number '%s'", r->url, s);
	r->db = (int)db;
	return LG_OK;
}

/* AUTH with "USER:PASSWORD", ":PASSWORD" or "PASSWORD". */
static enum lg_status authenticate(struct redis_store *r, const char *creds, struct errbuf *err)
{
	const char *colon = strchr(creds, ':');
	redisReply *rep;

	if (colon && colon > creds)
		rep = redisCommand(r->c, "AUTH %b %s", creds, (size_t)(colon - creds), colon + 1);
	else
		rep = redisCommand(r->c, "AUTH %s", colon ? colon + 1 : creds);
	if (rep && rep->type == REDIS_REPLY_STATUS) {
		freeReplyObject(rep);
		return LG_OK;
	}
	errbuf_set(err, LG_ECONFIG, "Redis at %s:%d (%s) refused the password: %s", r->host, r->port, r->url,
		   rep && rep->type == REDIS_REPLY_ERROR ? rep->str : r->c->errstr);
	if (rep)
		freeReplyObject(rep);
	return LG_ECONFIG;
}

enum lg_status redis_conn_open(const char *scheme, const char *rest, bool writer, struct redis_store **out,
			       struct errbuf *err)
{
	struct redis_store *r = lg_calloc(1, sizeof(*r));
	char *spec = NULL, *creds = NULL, *q, *path, *at, *slash;
	bool sentinel = strcmp(scheme, "redis+sentinel") == 0;
	enum lg_status rc;
	redisReply *rep;

	if (strncmp(rest, "//", 2) != 0) {
		r->url = g_strdup_printf("%s:%s", scheme, rest);
		rc = errbuf_set(err, LG_ECONFIG, "%s: expected %s://HOST:PORT/%s", r->url, scheme,
				sentinel ? "MASTER" : "DB");
		goto out;
	}
	spec = lg_strdup(rest + 2);
	/* "[USER]:PASSWORD@" before the host: kept out of every message */
	at = strchr(spec, '@');
	slash = strchr(spec, '/');
	if (at && (!slash || at < slash)) {
		*at = 0;
		creds = lg_strdup(spec);
		memmove(spec, at + 1, strlen(at + 1) + 1);
		r->url = g_strdup_printf("%s://***@%s", scheme, spec);
	} else {
		r->url = g_strdup_printf("%s:%s", scheme, rest);
	}
	q = strchr(spec, '?');
	if (q)
		*q++ = 0;
	rc = parse_options(r, q, writer, err);
	if (rc)
		goto out;
	path = strchr(spec, '/');
	if (path)
		*path++ = 0;
	if (sentinel) {
		char *db = path ? strchr(path, '/') : NULL;

		if (db)
			*db++ = 0;
		if (!path || !*path) {
			rc = errbuf_set(err, LG_ECONFIG, "%s: no master name (redis+sentinel://H1:P1,H2:P2/MASTER)",
					r->url);
			goto out;
		}
		rc = parse_db(r, db, err);
		if (!rc)
			rc = sentinel_master(r, spec, strlen(spec), path, err);
	} else {
		rc = parse_db(r, path, err);
		if (!rc)
			rc = parse_hostport(spec, strlen(spec), &r->host, &r->port, r->url, err);
	}
	if (!rc)
		rc = connect_to(r, r->host, r->port, &r->c, err);
	if (!rc && creds)
		rc = authenticate(r, creds, err);
	if (rc)
		goto out;
	if (sentinel) {
		rep = redis_conn_call(r, err, "ROLE");
		if (!rep) {
			rc = LG_EIO;
			goto out;
		}
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 1 || !rep->element[0]->str ||
		    strcmp(rep->element[0]->str, "master") != 0)
			rc = errbuf_set(err, LG_EIO, "%s: the sentinels named %s:%d, which is not a master (failover under way?)",
					r->url, r->host, r->port);
		freeReplyObject(rep);
		if (rc)
			goto out;
	}
	rep = redis_conn_call(r, err, "SELECT %d", r->db);
	if (!rep) {
		rc = LG_EIO;
		goto out;
	}
	freeReplyObject(rep);
out:
	lg_free(spec);
	if (creds) {
		memset(creds, 0, strlen(creds));
		lg_free(creds);
	}
	if (rc) {
		redis_conn_close(r);
		return rc;
	}
	*out = r;
	return LG_OK;
}

void redis_conn_close(struct redis_store *r)
{
	if (!r)
		return;
	if (r->c)
		redisFree(r->c);
	g_free(r->url);
	lg_free(r->host);
	lg_free(r);
}

void redis_conn_append(struct redis_store *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (redisvAppendCommand(r->c, fmt, ap) == REDIS_OK)
		r->queued++;
	else if (!r->failed) {
		r->failed = true;
		errbuf_set(&r->first_err, LG_EIO, "Redis at %s:%d: %s", r->host, r->port, r->c->errstr);
	}
	va_end(ap);
}

void redis_conn_append_argv(struct redis_store *r, int argc, const char **argv, const size_t *lens)
{
	if (redisAppendCommandArgv(r->c, argc, argv, lens) == REDIS_OK)
		r->queued++;
	else if (!r->failed) {
		r->failed = true;
		errbuf_set(&r->first_err, LG_EIO, "Redis at %s:%d: %s", r->host, r->port, r->c->errstr);
	}
}

/* A reply that is an error (or an EXEC whose commands failed) into err. */
static bool reply_failed(struct redis_store *r, const redisReply *rep, struct errbuf *err)
{
	if (rep->type == REDIS_REPLY_ERROR) {
		errbuf_set(err, LG_EINTERNAL, "Redis at %s:%d refused a command: %s", r->host, r->port, rep->str);
		return true;
	}
	if (rep->type == REDIS_REPLY_ARRAY)
		for (size_t i = 0; i < rep->elements; i++)
			if (rep->element[i]->type == REDIS_REPLY_ERROR)
				return reply_failed(r, rep->element[i], err);
	return false;
}

redisReply *redis_conn_next(struct redis_store *r, struct errbuf *err)
{
	void *rep = NULL;

	if (r->failed) {
		*err = r->first_err;
		return NULL;
	}
	if (!r->queued) {
		errbuf_set(err, LG_EINTERNAL, "Redis: no reply is awaited");
		return NULL;
	}
	r->queued--;
	if (redisGetReply(r->c, &rep) != REDIS_OK || !rep) {
		r->failed = true;
		errbuf_set(&r->first_err, LG_EIO, "Redis at %s:%d (%s) failed: %s", r->host, r->port, r->url,
			   r->c->errstr[0] ? r->c->errstr : "no reply");
		redis_conn_mark_dead(r);
		*err = r->first_err;
		return NULL;
	}
	return rep;
}

enum lg_status redis_conn_drain(struct redis_store *r, struct errbuf *err)
{
	struct errbuf bad = {""};
	bool refused = false;

	while (r->queued) {
		redisReply *rep = redis_conn_next(r, err);

		if (!rep)
			return LG_EIO;
		if (!refused && reply_failed(r, rep, &bad))
			refused = true;
		freeReplyObject(rep);
	}
	if (r->failed) {
		*err = r->first_err;
		return LG_EIO;
	}
	if (refused) {
		*err = bad;
		return LG_EINTERNAL;
	}
	return LG_OK;
}

redisReply *redis_conn_call(struct redis_store *r, struct errbuf *err, const char *fmt, ...)
{
	va_list ap;
	redisReply *rep;

	if (redis_conn_drain(r, err))
		return NULL;
	va_start(ap, fmt);
	if (redisvAppendCommand(r->c, fmt, ap) == REDIS_OK)
		r->queued++;
	va_end(ap);
	rep = redis_conn_next(r, err);
	if (rep && reply_failed(r, rep, err)) {
		freeReplyObject(rep);
		return NULL;
	}
	return rep;
}

enum lg_status redis_conn_buckets(struct redis_store *r, const char *prefix,
				  enum lg_status (*fn)(void *ctx, const uint32_t *buckets, size_t n,
						       struct errbuf *err),
				  void *ctx, struct errbuf *err)
{
	/* Every bucket in pipelined pages rather than SCAN: the buckets are
	 * few and known, an absent one costs the server next to nothing, and a
	 * page is one round trip (SCAN needs two per page and skims the
	 * learnt digests' keys too). */
	uint32_t page[4096];
	enum lg_status rc = LG_OK;

	(void)prefix;
	for (uint32_t b = 0; !rc && b < REDIS_BUCKETS; b += 4096) {
		for (uint32_t i = 0; i < 4096; i++)
			page[i] = b + i;
		rc = fn(ctx, page, 4096, err);
	}
	return rc;
}
