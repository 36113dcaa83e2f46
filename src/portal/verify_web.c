/* verify_web.c: domain control by a file on the domain's web server
 * (verify.h), as ACME's HTTP-01 challenge (RFC 8555 section 8.3) but
 * without following redirects (a redirect elsewhere proves nothing) and
 * never towards private addresses. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <glib.h>

#include "portal/verify.h"
#include "util/buf.h"

#define WEB_MAX 512 /* bytes read of the file */

char *verify_web_url(const char *url_template, const char *domain)
{
	char **parts = g_strsplit(url_template, "{domain}", -1);
	char *url = g_strjoinv(domain, parts);

	g_strfreev(parts);
	return url;
}

/* Whether a verification fetch may connect to sa: never to loopback,
 * private, link-local, shared or unspecified addresses, so that naming a
 * domain that resolves inward cannot make the portal probe its own
 * network (server-side request forgery). */
static bool public_address(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);

		return !((a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 16) == 0xa9fe ||
			 (a >> 20) == 0xac1 || (a >> 16) == 0xc0a8 || (a >> 22) == (100u << 2 | 1) || (a >> 28) >= 14);
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			struct sockaddr_in v4 = {.sin_family = AF_INET};

			memcpy(&v4.sin_addr, a->s6_addr + 12, 4);
			return public_address((const struct sockaddr *)&v4);
		}
		return !(IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LINKLOCAL(a) ||
			 (a->s6_addr[0] & 0xfe) == 0xfc);
	}
	return false;
}

static curl_socket_t open_public(void *ctx, curlsocktype purpose, struct curl_sockaddr *addr)
{
	(void)ctx, (void)purpose;
	if (!public_address(&addr->addr))
		return CURL_SOCKET_BAD;
	return socket(addr->family, addr->socktype, addr->protocol);
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;

	/* past the cap, stop the transfer: the file holds a token, not a page */
	return buf_append_max(b, ptr, size * nmemb, WEB_MAX) ? size * nmemb : 0;
}

bool verify_web(const char *url_template, const char *domain, const char *token, char *why, size_t whylen)
{
	char *url = verify_web_url(url_template, domain);
	CURL *c = curl_easy_init();
	struct buf body;
	long status = 0;
	CURLcode rc;
	bool ok = false;

	buf_init(&body);
	if (!c) {
		snprintf(why, whylen, "The web check could not start.");
		g_free(url);
		return false;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)VERIFY_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "leakguard-verification");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	/* the host is the domain being proven (the default): public addresses
	 * only; a configured fixed host (a test server) is the operator's call */
	if (strstr(url_template, "://{domain}"))
		curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_public);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_COULDNT_CONNECT && strstr(url_template, "://{domain}"))
		snprintf(why, whylen, "We could not connect to %s (addresses inside private networks are not fetched).", url);
	else if (rc != CURLE_OK)
		snprintf(why, whylen, "We could not fetch %s: %s.", url, curl_easy_strerror(rc));
	else if (status != 200)
		snprintf(why, whylen, "%s answered with status %ld, not 200.", url, status);
	else if (!body.data || strcmp(g_strstrip(body.data), token) != 0)
		snprintf(why, whylen, "%s does not hold your token.", url);
	else
		ok = true;
	curl_easy_cleanup(c);
	buf_cleanup(&body);
	g_free(url);
	return ok;
}
