/* spf.c: SPF (RFC 7208) with libspf2, whose DNS goes through our own
 * resolver (resolver.h): a libspf2 DNS layer (SPF_dns_server_t) whose
 * lookup() turns c-ares answers into libspf2's SPF_dns_rr_t, the way
 * libspf2's own spf_dns_resolv.c does with res_query(). One SPF server is
 * shared; checks are serialised by a mutex, as the resolver is anyway. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <glib.h>
#include <spf2/spf.h>

#include "auth/auth.h"
#include "util/alloc.h"

struct auth_spf {
	SPF_dns_server_t dns;
	SPF_server_t *server;
	struct auth_resolver *resolver;
	pthread_mutex_t lock;
	bool timed_out; /* during the current check: a lookup timed out or failed */
};

/* Copies one answer record's data into slot i of rr; false on a malformed
 * record. */
static bool take_rr(const ns_msg *msg, const ns_rr *r, SPF_dns_rr_t *rr, int i)
{
	const unsigned char *d = ns_rr_rdata(*r);
	int rl = ns_rr_rdlen(*r);
	char name[NS_MAXDNAME];

	switch (ns_rr_type(*r)) {
	case ns_t_a:
		if (rl != 4 || SPF_dns_rr_buf_realloc(rr, i, sizeof(struct in_addr)))
			return false;
		memcpy(&rr->rr[i]->a, d, 4);
		return true;
	case ns_t_aaaa:
		if (rl != 16 || SPF_dns_rr_buf_realloc(rr, i, sizeof(struct in6_addr)))
			return false;
		memcpy(&rr->rr[i]->aaaa, d, 16);
		return true;
	case ns_t_mx:
		if (rl < 3 || ns_name_uncompress(ns_msg_base(*msg), ns_msg_end(*msg), d + 2, name, sizeof(name)) < 0)
			return false;
		break;
	case ns_t_ptr:
		if (ns_name_uncompress(ns_msg_base(*msg), ns_msg_end(*msg), d, name, sizeof(name)) < 0)
			return false;
		break;
	case ns_t_txt:
	case ns_t_spf: {
		size_t k = 0;

		for (int off = 0; off < rl;) {
			int sl = d[off];

			if (off + 1 + sl > rl || k + (size_t)sl >= sizeof(name))
				return false;
			memcpy(name + k, d + off + 1, (size_t)sl);
			k += (size_t)sl;
			off += 1 + sl;
		}
		name[k] = '\0';
		break;
	}
	default:
		return false;
	}
	if (SPF_dns_rr_buf_realloc(rr, i, strlen(name) + 1))
		return false;
	memcpy(rr->rr[i]->txt, name, strlen(name) + 1);
	return true;
}

static SPF_dns_rr_t *lookup(SPF_dns_server_t *dns, const char *domain, ns_type type, int should_cache)
{
	struct auth_spf *s = dns->hook;
	unsigned char *ans;
	int len, n = 0;
	enum auth_dns_status st = auth_resolver_query(s->resolver, domain, type, &ans, &len);
	SPF_dns_rr_t *rr;
	ns_msg msg;

	(void)should_cache;
	if (st == AUTH_DNS_TIMEOUT || st == AUTH_DNS_ERROR)
		s->timed_out = true;
	if (st == AUTH_DNS_NONE)
		return SPF_dns_rr_new_init(dns, domain, type, 0, HOST_NOT_FOUND);
	if (st)
		return SPF_dns_rr_new_init(dns, domain, type, 0, TRY_AGAIN);
	rr = SPF_dns_rr_new_init(dns, domain, type, 0, NETDB_SUCCESS);
	if (rr && ns_initparse(ans, len, &msg) == 0) {
		for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
			ns_rr r;

			if (ns_parserr(&msg, ns_s_an, i, &r) < 0 || ns_rr_type(r) != type)
				continue;
			if (take_rr(&msg, &r, rr, n))
				n++;
		}
	}
	g_free(ans);
	if (rr) {
		rr->num_rr = n;
		if (n == 0)
			rr->herrno = NO_DATA;
	}
	return rr;
}

enum lg_status auth_spf_new(struct auth_resolver *r, struct auth_spf **out, struct errbuf *err)
{
	struct auth_spf *s = lg_calloc(1, sizeof(*s));

	s->resolver = r;
	s->dns.lookup = lookup;
	s->dns.name = "leakguard";
	s->dns.hook = s;
	s->server = SPF_server_new_dns(&s->dns, 0);
	if (!s->server) {
		lg_free(s);
		*out = NULL;
		return errbuf_set(err, LG_EINTERNAL, "libspf2 could not start");
	}
	pthread_mutex_init(&s->lock, NULL);
	*out = s;
	return LG_OK;
}

void auth_spf_free(struct auth_spf **s)
{
	if (!s || !*s)
		return;
	SPF_server_free((*s)->server);
	pthread_mutex_destroy(&(*s)->lock);
	lg_free(*s);
	*s = NULL;
}

static enum authres_result result_of(SPF_result_t r)
{
	switch (r) {
	case SPF_RESULT_PASS: return AUTHRES_PASS;
	case SPF_RESULT_FAIL: return AUTHRES_FAIL;
	case SPF_RESULT_SOFTFAIL: return AUTHRES_SOFTFAIL;
	case SPF_RESULT_NEUTRAL: return AUTHRES_NEUTRAL;
	case SPF_RESULT_NONE: return AUTHRES_NONE;
	case SPF_RESULT_TEMPERROR: return AUTHRES_TEMPERROR;
	default: return AUTHRES_PERMERROR;
	}
}

enum authres_result auth_spf_check(struct auth_spf *s, const char *ip, const char *helo, const char *mail_from,
				   char *domain, size_t size)
{
	SPF_request_t *req;
	SPF_response_t *resp = NULL;
	enum authres_result res = AUTHRES_NONE;
	const char *at;

	snprintf(domain, size, "%s", mail_from && (at = strrchr(mail_from, '@')) ? at + 1 : helo ? helo : "");
	if (!ip || !*ip || !*domain)
		return AUTHRES_NONE;
	pthread_mutex_lock(&s->lock);
	s->timed_out = false;
	req = SPF_request_new(s->server);
	if (strchr(ip, ':') ? SPF_request_set_ipv6_str(req, ip) : SPF_request_set_ipv4_str(req, ip)) {
		res = AUTHRES_PERMERROR;
		goto out;
	}
	if (helo && *helo)
		SPF_request_set_helo_dom(req, helo);
	if (mail_from && *mail_from)
		SPF_request_set_env_from(req, mail_from);
	SPF_request_query_mailfrom(req, &resp);
	res = resp ? result_of(SPF_response_result(resp)) : AUTHRES_TEMPERROR;
	if (s->timed_out && res != AUTHRES_PASS && res != AUTHRES_FAIL)
		res = AUTHRES_TEMPERROR;
out:
	if (resp)
		SPF_response_free(resp);
	SPF_request_free(req);
	pthread_mutex_unlock(&s->lock);
	return res;
}
