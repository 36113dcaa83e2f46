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

static bool public_v4(const uint8_t b[4])
{
	uint32_t a = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];

	return !((a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 16) == 0xa9fe ||
		 (a >> 20) == 0xac1 || (a >> 16) == 0xc0a8 || (a >> 22) == (100u << 2 | 1) || (a >> 28) >= 14 ||
		 (a >> 8) == 0xc00000 /* 192.0.0.0/24 protocol assignments */ ||
		 (a >> 8) == 0xc00002 /* 192.0.2.0/24 documentation */ ||
		 (a >> 8) == 0xc05863 /* 192.88.99.0/24 6to4 relays */ ||
		 (a >> 17) == (0xc612u >> 1) /* 198.18.0.0/15 benchmarking */ ||
		 (a >> 8) == 0xc63364 /* 198.51.100.0/24 documentation */ ||
		 (a >> 8) == 0xcb0071 /* 203.0.113.0/24 documentation */);
}

bool verify_web_public(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return public_v4((const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);
	if (sa->sa_family == AF_INET6) {
		const uint8_t *b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
		static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b};
		static const uint8_t zero[12];

		/* an IPv4 address inside: IPv4-mapped ::ffff:0:0/96, the
		 * deprecated IPv4-compatible ::/96, NAT64's 64:ff9b::/96, which
		 * the network's translator turns into that IPv4 address */
		if ((memcmp(b, zero, 10) == 0 && b[10] == 0xff && b[11] == 0xff) || memcmp(b, zero, 12) == 0 ||
		    memcmp(b, nat64, 12) == 0)
			return public_v4(b + 12); /* :: and ::1 are 0.0.0.0 and 0.0.0.1: refused */
		if (b[0] == 0x20 && b[1] == 0x02) /* 6to4 2002:V4::/48 */
			return public_v4(b + 2);
		return !(b[0] == 0xff /* multicast */ || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* link-local */ ||
			 (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) /* site-local fec0::/10 */ ||
			 (b[0] & 0xfe) == 0xfc /* unique local */ ||
			 (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) /* 64:ff9b:1::/48, local NAT64 */ ||
			 (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) /* Teredo 2001::/32 */ ||
			 (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) /* documentation */ ||
			 (b[0] == 0x01 && b[1] == 0 && memcmp(b + 2, zero, 6) == 0) /* discard 100::/64 */);
	}
	return false;
}

static curl_socket_t open_public(void *ctx, curlsocktype purpose, struct curl_sockaddr *addr)
{
	(void)ctx, (void)purpose;
	if (!verify_web_public(&addr->addr))
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
