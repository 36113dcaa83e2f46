/* verify_web.c: domain control by a file on the domain's web server
 * (verify.h), as ACME's HTTP-01 challenge (RFC 8555 section 8.3) but
 * without following redirects: a redirect elsewhere proves nothing. */
#include <stdio.h>
#include <string.h>

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
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
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
