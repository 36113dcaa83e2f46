/* resolver.c: see resolver.h. c-ares (chosen over libunbound: packaged
 * everywhere, small, and the server address is one call) run synchronously:
 * each query waits on the channel's sockets until it is answered or its
 * budget is spent. c-ares 1.18 channels are not thread-safe, hence the
 * mutex; queries are short and the milter's per-message budget bounds
 * them. Answers are parsed with libresolv's ns_* functions. A small cache
 * keeps answers for their TTL (at most an hour) and "no such record" for a
 * minute (RFC 2308), and is emptied whole when it reaches its bound. */
#include <arpa/nameser.h>
#include <pthread.h>
#include <resolv.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include <ares.h>
#include <glib.h>

#include "auth/resolver.h"
#include "util/alloc.h"

#define CACHE_MAX 20000     /* entries */
#define CACHE_MAX_TTL 3600  /* seconds */
#define CACHE_NEG_TTL 60

struct cached {
	double expires;           /* now_ms() clock */
	enum auth_dns_status st;  /* AUTH_DNS_OK or AUTH_DNS_NONE */
	unsigned char *ans;
	int len;
};

struct auth_resolver {
	ares_channel channel;
	pthread_mutex_t lock;
	int timeout_ms;
	GHashTable *cache;        /* "TYPE/name" -> struct cached */
};

static void cached_free(void *p)
{
	struct cached *c = p;

	g_free(c->ans);
	g_free(c);
}

struct answer {
	bool done;
	int status;
	unsigned char *buf;
	int len;
};

static void library_init(void)
{
	ares_library_init(ARES_LIB_INIT_ALL);
}

enum lg_status auth_resolver_new(const char *server, int timeout_ms, struct auth_resolver **out,
				 struct errbuf *err)
{
	struct auth_resolver *r = lg_calloc(1, sizeof(*r));
	struct ares_options opt;
	int rc;

	static pthread_once_t once = PTHREAD_ONCE_INIT;

	*out = NULL;
	pthread_once(&once, library_init);
	memset(&opt, 0, sizeof(opt));
	opt.timeout = timeout_ms > 0 ? timeout_ms : 2000;
	opt.tries = 2;
	opt.flags = ARES_FLAG_NOSEARCH;
	rc = ares_init_options(&r->channel, &opt, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS);
	if (rc != ARES_SUCCESS) {
		lg_free(r);
		return errbuf_set(err, LG_EINTERNAL, "DNS resolver: %s", ares_strerror(rc));
	}
	if (server && *server) {
		rc = ares_set_servers_ports_csv(r->channel, server);
		if (rc != ARES_SUCCESS || !strchr(server, ':')) {
			ares_destroy(r->channel);
			lg_free(r);
			return errbuf_set(err, LG_ECONFIG, "[auth] dns: '%s' is not IP:PORT", server);
		}
	}
	r->timeout_ms = opt.timeout;
	r->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cached_free);
	pthread_mutex_init(&r->lock, NULL);
	*out = r;
	return LG_OK;
}

void auth_resolver_free(struct auth_resolver **r)
{
	if (!r || !*r)
		return;
	ares_destroy((*r)->channel);
	g_hash_table_destroy((*r)->cache);
	pthread_mutex_destroy(&(*r)->lock);
	lg_free(*r);
	*r = NULL;
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct answer *a = arg;

	(void)timeouts;
	a->done = true;
	a->status = status;
	if (status == ARES_SUCCESS && abuf && alen > 0) {
		a->buf = g_memdup2(abuf, (gsize)alen);
		a->len = alen;
	}
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Runs the channel until a is answered or the budget (a bit over c-ares's
 * own tries x timeout) is spent. */
static void wait_for(struct auth_resolver *r, struct answer *a)
{
	double deadline = now_ms() + (double)r->timeout_ms * 2 + 200;

	while (!a->done) {
		fd_set rd, wr;
		struct timeval tv, *tvp, max;
		int nfds;
		double left = deadline - now_ms();

		if (left <= 0) {
			ares_cancel(r->channel); /* calls on_answer with ARES_ECANCELLED */
			break;
		}
		FD_ZERO(&rd);
		FD_ZERO(&wr);
		nfds = ares_fds(r->channel, &rd, &wr);
		if (nfds == 0)
			break;
		max.tv_sec = (time_t)(left / 1000);
		max.tv_usec = (suseconds_t)((left - (double)max.tv_sec * 1000) * 1000);
		tvp = ares_timeout(r->channel, &max, &tv);
		select(nfds, &rd, &wr, NULL, tvp);
		ares_process(r->channel, &rd, &wr);
	}
}

/* Seconds an answer may be kept: its smallest TTL, at most CACHE_MAX_TTL. */
static unsigned ttl_of(const unsigned char *ans, int len)
{
	unsigned ttl = CACHE_MAX_TTL;
	ns_msg msg;

	if (ns_initparse(ans, len, &msg) < 0)
		return 0;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		ns_rr rr;

		if (ns_parserr(&msg, ns_s_an, i, &rr) == 0 && ns_rr_ttl(rr) < ttl)
			ttl = ns_rr_ttl(rr);
	}
	return ttl;
}

static void remember(struct auth_resolver *r, char *key, enum auth_dns_status st, const unsigned char *ans, int len)
{
	struct cached *c;
	unsigned ttl = st == AUTH_DNS_OK ? ttl_of(ans, len) : CACHE_NEG_TTL;

	if (ttl == 0) {
		g_free(key);
		return;
	}
	if (g_hash_table_size(r->cache) >= CACHE_MAX)
		g_hash_table_remove_all(r->cache);
	c = g_new0(struct cached, 1);
	c->expires = now_ms() + ttl * 1000.0;
	c->st = st;
	if (st == AUTH_DNS_OK) {
		c->ans = g_memdup2(ans, (gsize)len);
		c->len = len;
	}
	g_hash_table_replace(r->cache, key, c);
}

enum auth_dns_status auth_resolver_query(struct auth_resolver *r, const char *name, int type, unsigned char **ans,
					 int *len)
{
	struct answer a = {0};
	char *key = g_strdup_printf("%d/%s", type, name);
	enum auth_dns_status st;
	struct cached *c;

	*ans = NULL;
	*len = 0;
	pthread_mutex_lock(&r->lock);
	c = g_hash_table_lookup(r->cache, key);
	if (c && c->expires > now_ms()) {
		st = c->st;
		if (st == AUTH_DNS_OK) {
			*ans = g_memdup2(c->ans, (gsize)c->len);
			*len = c->len;
		}
		pthread_mutex_unlock(&r->lock);
		g_free(key);
		return st;
	}
	ares_query(r->channel, name, ns_c_in, type, on_answer, &a);
	wait_for(r, &a);
	if (!a.done || a.status == ARES_ETIMEOUT || a.status == ARES_ECANCELLED)
		st = AUTH_DNS_TIMEOUT;
	else if (a.status == ARES_ENOTFOUND || a.status == ARES_ENODATA)
		st = AUTH_DNS_NONE;
	else if (a.status != ARES_SUCCESS || !a.buf)
		st = AUTH_DNS_ERROR;
	else
		st = AUTH_DNS_OK;
	if (st == AUTH_DNS_OK || st == AUTH_DNS_NONE)
		remember(r, key, st, a.buf, a.len);
	else
		g_free(key);
	pthread_mutex_unlock(&r->lock);
	if (st != AUTH_DNS_OK) {
		g_free(a.buf);
		return st;
	}
	*ans = a.buf;
	*len = a.len;
	return AUTH_DNS_OK;
}

enum auth_dns_status auth_resolver_txt(struct auth_resolver *r, const char *name, char ***out)
{
	GPtrArray *txts = g_ptr_array_new();
	unsigned char *ans;
	int len;
	enum auth_dns_status st = auth_resolver_query(r, name, ns_t_txt, &ans, &len);
	ns_msg msg;

	*out = NULL;
	if (st)
		goto out;
	if (ns_initparse(ans, len, &msg) < 0) {
		st = AUTH_DNS_ERROR;
		goto out;
	}
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		GString *s;
		const unsigned char *d;
		ns_rr rr;
		int rl;

		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 || ns_rr_type(rr) != ns_t_txt)
			continue;
		d = ns_rr_rdata(rr);
		rl = ns_rr_rdlen(rr);
		s = g_string_new(NULL);
		for (int off = 0; off < rl;) {
			int sl = d[off];

			if (off + 1 + sl > rl)
				break;
			g_string_append_len(s, (const char *)d + off + 1, sl);
			off += 1 + sl;
		}
		g_ptr_array_add(txts, g_string_free(s, FALSE));
	}
	if (txts->len == 0)
		st = AUTH_DNS_NONE;
out:
	g_free(ans);
	g_ptr_array_add(txts, NULL);
	if (st)
		g_strfreev((char **)g_ptr_array_free(txts, FALSE));
	else
		*out = (char **)g_ptr_array_free(txts, FALSE);
	return st;
}
