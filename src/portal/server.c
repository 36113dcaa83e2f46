/* server.c: the portal's life — settings from [portal], the stores, the
 * HTTP daemon and the mail thread, the signal loop that also expires
 * tokens and picks up new ingests (server.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "leak/index.h"
#include "portal/http.h"
#include "portal/mailq.h"
#include "portal/metrics.h"
#include "portal/ratelimit.h"
#include "portal/server.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/log.h"

#define HOUSEKEEPING 30 /* seconds between expiry and index refresh */

/* "127.0.0.1:8080", "[::1]:8080" into host and port. */
static bool parse_listen(const char *s, struct portal_settings *set)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long port;
	size_t hl;

	if (!colon)
		return false;
	port = strtol(colon + 1, &end, 10);
	hl = (size_t)(colon - s);
	if (*end || end == colon + 1 || port < 0 || port > 65535 || hl == 0 || hl >= sizeof(set->host))
		return false;
	if (s[0] == '[' && colon[-1] == ']') {
		s++;
		hl -= 2;
	}
	memcpy(set->host, s, hl);
	set->host[hl] = '\0';
	set->port = (unsigned)port;
	return true;
}

static enum lg_status settings(const struct config *cfg, const char *listen, struct portal_settings *set,
			       struct errbuf *err)
{
	memset(set, 0, sizeof(*set));
	if (!parse_listen(listen ? listen : cfg->portal_listen, set))
		return errbuf_set(err, LG_ECONFIG, "listen: '%s' is not HOST:PORT", listen ? listen : cfg->portal_listen);
	if ((cfg->portal_tls_cert != NULL) != (cfg->portal_tls_key != NULL))
		return errbuf_set(err, LG_ECONFIG, "[portal] tls_cert and tls_key go together");
	if (cfg->portal_threads < 1 || cfg->portal_threads > 64)
		return errbuf_set(err, LG_ECONFIG, "[portal] threads must be 1 to 64");
	set->tls = cfg->portal_tls_cert != NULL;
	if (cfg->portal_base_url) {
		set->base_url = lg_strdup(cfg->portal_base_url);
		g_strchomp(set->base_url);
		while (*set->base_url && set->base_url[strlen(set->base_url) - 1] == '/')
			set->base_url[strlen(set->base_url) - 1] = '\0';
	}
	set->secure_cookies = set->tls || (set->base_url && g_str_has_prefix(set->base_url, "https://"));
	set->smtp = cfg->portal_smtp;
	set->from = cfg->portal_from;
	set->dns_resolver = cfg->portal_dns_resolver;
	set->web_verify_url = cfg->portal_web_verify_url;
	set->trusted_proxy = cfg->portal_trusted_proxy;
	set->link_ttl = (int64_t)cfg->portal_link_ttl;
	set->challenge_ttl = (int64_t)cfg->portal_challenge_ttl;
	set->mail_link_ttl = (int64_t)cfg->portal_mail_link_ttl;
	set->session_ttl = (int64_t)cfg->portal_session_ttl;
	set->threads = (unsigned)cfg->portal_threads;
	if (!cfg->portal_range_access || strcmp(cfg->portal_range_access, "key") == 0)
		set->range_access = PORTAL_RANGE_KEY;
	else if (strcmp(cfg->portal_range_access, "off") == 0)
		set->range_access = PORTAL_RANGE_OFF;
	else if (strcmp(cfg->portal_range_access, "public") == 0)
		set->range_access = PORTAL_RANGE_PUBLIC;
	else
		return errbuf_set(err, LG_ECONFIG, "[portal] range_access: '%s' is not off, key or public",
				  cfg->portal_range_access);
	if (set->link_ttl < 60 || set->challenge_ttl < 60 || set->mail_link_ttl < 60 || set->session_ttl < 60)
		return errbuf_set(err, LG_ECONFIG, "[portal] lifetimes (*_ttl) must be at least 60 seconds");
	return LG_OK;
}

/* The leak index, or NULL when nothing was ingested into the store yet. */
static struct leak_index *open_index(struct store *s)
{
	struct leak_index *ix = NULL;
	struct errbuf err;
	enum lg_status rc = leak_index_open(s, NULL, &ix, &err);

	if (rc && rc != LG_ENOTFOUND)
		log_warn("portal: leak index: %s", err.msg);
	return rc ? NULL : ix;
}

enum lg_status portal_open(const struct config *cfg, const char *listen, struct portal **out, struct errbuf *err)
{
	struct portal *p = lg_calloc(1, sizeof(*p));
	char *path = store_path(cfg);
	const char *file = g_str_has_prefix(path, "sqlite:") ? path + 7 : path;
	enum lg_status rc;

	p->cfg = cfg;
	pthread_rwlock_init(&p->index_lock, NULL);
	pthread_mutex_init(&p->key_lock, NULL);
	rc = settings(cfg, listen, &p->set, err);
	if (!rc)
		rc = store_open(path, true, &p->store, err);
	if (!rc)
		rc = portal_store_open(file, &p->ps, err);
	if (!rc)
		rc = portal_secret(p->ps, p->secret, err);
	g_free(path);
	if (rc) {
		portal_close(&p);
		return rc;
	}
	p->ix = open_index(p->store);
	p->rl_pages = ratelimit_new(cfg->portal_rate_pages, 60, false);
	p->rl_mail = ratelimit_new(cfg->portal_rate_mail, 3600, false);
	p->rl_range = ratelimit_new(cfg->portal_rate_range, 60, false);
	p->rl_api = ratelimit_new(cfg->portal_rate_api, 60, false);
	*out = p;
	return LG_OK;
}

void portal_close(struct portal **pp)
{
	struct portal *p;

	if (!pp || !*pp)
		return;
	p = *pp;
	mailq_stop(&p->mq);
	leak_index_close(&p->ix);
	portal_store_close(&p->ps);
	store_close(&p->store);
	ratelimit_free(&p->rl_pages);
	ratelimit_free(&p->rl_mail);
	ratelimit_free(&p->rl_range);
	ratelimit_free(&p->rl_api);
	pthread_rwlock_destroy(&p->index_lock);
	pthread_mutex_destroy(&p->key_lock);
	lg_free(p->set.base_url);
	lg_free(p);
	*pp = NULL;
}

void portal_audit(struct portal *p, const char *actor, const char *client, const char *action,
		  const char *subject, const char *detail)
{
	struct portal_audit_row r = {(int64_t)time(NULL), actor, client, action, subject, detail};
	struct errbuf err;

	portal_metrics_event(p, action);
	if (portal_audit_add(p->ps, &r, &err))
		log_error("portal: audit log: %s", err.msg);
}

/* Swaps in a fresh index when an ingest added or replaced segments. */
static void refresh_index(struct portal *p)
{
	struct leak_index *fresh, *old = NULL;

	pthread_rwlock_wrlock(&p->index_lock); /* the store handle is shared */
	fresh = open_index(p->store);
	if (fresh && (!p->ix || leak_index_segments(fresh) != leak_index_segments(p->ix) ||
		      leak_index_entries(fresh) != leak_index_entries(p->ix))) {
		old = p->ix;
		p->ix = fresh;
		fresh = NULL;
		log_info("portal: leak index reloaded (%zu segments)", leak_index_segments(p->ix));
	}
	pthread_rwlock_unlock(&p->index_lock);
	leak_index_close(&fresh);
	leak_index_close(&old);
}

enum lg_status portal_serve(struct portal *p, struct errbuf *err)
{
	struct http_server *http = NULL;
	sigset_t set;
	unsigned port = 0;
	enum lg_status rc;
	int sig = 0;

	/* every thread started below inherits the mask; this one waits */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP); /* systemctl reload: housekeeping now, not in a minute */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = portal_metrics_start(p, err);
	if (rc)
		return rc;
	p->mq = mailq_start(p);
	rc = http_start(p, &http, &port, err);
	if (rc) {
		mailq_stop(&p->mq);
		portal_metrics_stop(p);
		return rc;
	}
	if (!p->set.base_url)
	{
		char *b = g_strdup_printf("%s://%s:%u", p->set.tls ? "https" : "http", p->set.host, port);

		p->set.base_url = lg_strdup(b);
		g_free(b);
	}
	fprintf(stderr, "leakguard serve: listening on %s://%s%s%s:%u\n", p->set.tls ? "https" : "http",
		strchr(p->set.host, ':') ? "[" : "", p->set.host, strchr(p->set.host, ':') ? "]" : "", port);
	fflush(stderr);
	while (sig != SIGINT && sig != SIGTERM) {
		struct timespec ts = {HOUSEKEEPING, 0};

		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGHUP)
			log_info("portal: SIGHUP: expiring and re-reading the leak index now");
		if (sig < 0 || sig == SIGHUP) {
			portal_store_expire(p->ps, (int64_t)time(NULL), NULL);
			refresh_index(p);
		}
	}
	http_stop(&http);
	mailq_stop(&p->mq);
	portal_metrics_stop(p);
	return LG_OK;
}
