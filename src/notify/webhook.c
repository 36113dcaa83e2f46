/* webhook.c: signed JSON POSTs (webhook.h); libcurl, OpenSSL's HMAC. */
#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>
#include <glib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "notify/webhook.h"
#include "portal/token.h"

bool webhook_url_ok(const char *url, bool allow_http, struct errbuf *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	bool ok = false;

	if (!url || strlen(url) > WEBHOOK_URL_MAX || strpbrk(url, " \t\r\n\"<>\\")) {
		errbuf_set(err, LG_EPARSE, "not a URL of at most %d characters", WEBHOOK_URL_MAX);
		goto out;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0)) {
		errbuf_set(err, LG_EPARSE, "not a URL");
		goto out;
	}
	if (strcmp(scheme, "https") != 0 && !(allow_http && strcmp(scheme, "http") == 0)) {
		errbuf_set(err, LG_EPARSE, "only https:// URLs");
		goto out;
	}
	if (strchr(url, '@')) {
		errbuf_set(err, LG_EPARSE, "no user name or password in the URL");
		goto out;
	}
	ok = true;
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

void webhook_key(const uint8_t *secret, size_t slen, const char *url, char *out)
{
	char *msg = g_strconcat("webhook:", url, NULL);

	token_hmac(secret, slen, msg, out);
	g_free(msg);
}

void webhook_sign(const char *key, int64_t ts, const char *body, char out[72])
{
	unsigned char d[32];
	unsigned int dl = 0;
	char *msg = g_strdup_printf("%lld.%s", (long long)ts, body);

	HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, strlen(msg), d, &dl);
	memcpy(out, "sha256=", 7);
	for (int i = 0; i < 32; i++)
		g_snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
	g_free(msg);
}

/* Whether a is loopback, private, link-local, CGNAT, multicast or otherwise
 * not a public unicast address. */
static bool private_addr(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);

		return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 16) == 0xa9fe ||
		       (a >> 20) == 0xac1 || (a >> 16) == 0xc0a8 || (a >> 22) == (100u << 2 | 1) || (a >> 28) >= 0xe;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LINKLOCAL(a) ||
		       IN6_IS_ADDR_SITELOCAL(a) || IN6_IS_ADDR_MULTICAST(a) || IN6_IS_ADDR_V4MAPPED(a) ||
		       (a->s6_addr[0] & 0xfe) == 0xfc;
	}
	return true;
}

/* Resolves the URL's host once and pins the first acceptable address
 * ("HOST:PORT:ADDR" for CURLOPT_RESOLVE); false with err when none is. */
static bool pin(const char *url, bool allow_private, char *out, size_t n, struct errbuf *err)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	bool ok = false;

	if (curl_url_set(u, CURLUPART_URL, url, 0) || curl_url_get(u, CURLUPART_HOST, &host, 0) ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)) {
		errbuf_set(err, LG_EPARSE, "not a URL");
		goto out;
	}
	if (getaddrinfo(host, port, &hints, &res) != 0) {
		errbuf_set(err, LG_EIO, "cannot resolve the webhook's host");
		goto out;
	}
	for (struct addrinfo *a = res; a && !ok; a = a->ai_next) {
		char ip[INET6_ADDRSTRLEN];
		const void *p = a->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
							: (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;

		if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) || (!allow_private && private_addr(a->ai_addr)))
			continue;
		inet_ntop(a->ai_family, p, ip, sizeof(ip));
		g_snprintf(out, n, a->ai_family == AF_INET6 ? "%s:%s:[%s]" : "%s:%s:%s", host, port, ip);
		ok = true;
	}
	if (!ok)
		errbuf_set(err, LG_EIO, "the webhook's host has no public address");
out:
	if (res)
		freeaddrinfo(res);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return ok;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

enum lg_status webhook_post(const char *url, const char *key, const char *event_id, const char *body,
			    bool allow_private, struct errbuf *err)
{
	char resolve[512], sig[72], *h;
	struct curl_slist *headers = NULL, *rs = NULL;
	int64_t ts = (int64_t)time(NULL);
	long status = 0;
	CURL *c;
	CURLcode rc;

	/* checked again when sending: the setting may have changed since */
	if (!webhook_url_ok(url, allow_private, err) || !pin(url, allow_private, resolve, sizeof(resolve), err))
		return LG_EIO;
	c = curl_easy_init();
	if (!c)
		return errbuf_set(err, LG_EINTERNAL, "cannot start an HTTP client");
	webhook_sign(key, ts, body, sig);
	headers = curl_slist_append(headers, "Content-Type: application/json");
	h = g_strdup_printf("X-Leakguard-Event: %s", event_id);
	headers = curl_slist_append(headers, h);
	g_free(h);
	h = g_strdup_printf("X-Leakguard-Timestamp: %lld", (long long)ts);
	headers = curl_slist_append(headers, h);
	g_free(h);
	h = g_strdup_printf("X-Leakguard-Signature: %s", sig);
	headers = curl_slist_append(headers, h);
	g_free(h);
	rs = curl_slist_append(rs, resolve);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_RESOLVE, rs);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)WEBHOOK_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "leakguard-notify");
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	curl_slist_free_all(rs);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return errbuf_set(err, LG_EIO, "webhook: %s", curl_easy_strerror(rc));
	if (status < 200 || status > 299)
		return errbuf_set(err, LG_EIO, "webhook answered %ld", status);
	return LG_OK;
}
