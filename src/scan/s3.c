/* s3.c: Amazon S3 behind provider.h — ListObjectsV2 addressing
 * (GET /?list-type=2, continuation-token), answer classification by the
 * Amazon S3 API Reference "Error responses", and the 301 PermanentRedirect
 * of a bucket in another region, followed only within the provider's own
 * domain. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "scan/provider.h"

static void s3_list_url(struct buf *url, const char *root, const char *marker, unsigned page_size)
{
	buf_appendf(url, "%s/?list-type=2&max-keys=%u", root, page_size > 1000 ? 1000 : page_size);
	if (marker && *marker) {
		buf_append(url, "&continuation-token=", 20);
		scan_url_escape(url, marker, false);
	}
}

static enum scan_verdict s3_classify_list(long status, enum scan_doc doc, const char *body, const char *hdr)
{
	if (status == 200)
		return doc == SCAN_DOC_S3_LIST ? SCAN_V_LISTABLE : SCAN_V_UNKNOWN;
	if (status == 503 && scan_code_is(body, "SlowDown"))
		return SCAN_V_RETRY;
	if (status == 429 || (status == 500 && scan_code_is(body, "InternalError")) || (status == 503 && scan_code_is(body, "ServiceUnavailable")))
		return SCAN_V_RETRY;
	if (doc != SCAN_DOC_ERROR)
		return SCAN_V_UNKNOWN;
	if (status == 404 && scan_code_is(body, "NoSuchBucket"))
		return SCAN_V_ABSENT;
	if (status == 403 && scan_code_is(body, "AllAccessDisabled"))
		return SCAN_V_BLOCKED;
	if (status == 403 && scan_code_is(body, "AccessDenied"))
		return SCAN_V_CLOSED;
	return SCAN_V_UNKNOWN;
}

static enum scan_obj_verdict s3_classify_object(long status, const char *hdr)
{
	if (status == 200 || status == 206)
		return SCAN_O_READABLE;
	if (status == 429 || status == 503)
		return SCAN_O_RETRY;
	if (status == 403 || status == 404)
		return SCAN_O_DENIED;
	return SCAN_O_UNKNOWN;
}

/* A host name with an optional port, nothing else: what S3 puts in the
 * <Endpoint> of a PermanentRedirect ("bucket.s3.eu-west-1.amazonaws.com"). */
static bool plain_host(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > 253 || h[0] == '.' || h[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') || (h[i] >= '0' && h[i] <= '9') ||
		      h[i] == '.' || h[i] == '-' || h[i] == ':'))
			return false;
	return true;
}

/* The domain a redirect may lead into from the host of url: the
 * provider's (amazonaws.com, amazonaws.com.cn) for AWS, else the host
 * without its first label when it has three or more (s3.wasabisys.com ->
 * wasabisys.com), else the host itself (an address, "localhost"). Written
 * into out (cap bytes). */
static void redirect_domain(const char *url, char *out, size_t cap)
{
	const char *h = strstr(url, "://"), *e, *dot;
	size_t n, labels = 1;
	bool numeric = true;

	h = h ? h + 3 : url;
	e = h + strcspn(h, ":/");
	n = (size_t)(e - h) < cap ? (size_t)(e - h) : cap - 1;
	memcpy(out, h, n);
	out[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		labels += out[i] == '.';
		numeric &= (out[i] >= '0' && out[i] <= '9') || out[i] == '.';
	}
	for (const char *aws = strstr(out, "amazonaws.com"); aws; aws = strstr(aws + 1, "amazonaws.com"))
		if ((aws == out || aws[-1] == '.') &&
		    (strcmp(aws, "amazonaws.com") == 0 || strcmp(aws, "amazonaws.com.cn") == 0)) {
			memmove(out, aws, strlen(aws) + 1);
			return;
		}
	dot = strchr(out, '.');
	if (!numeric && labels >= 3 && dot)
		memmove(out, dot + 1, strlen(dot + 1) + 1);
}

/* True when the host of ep (host[:port]) is domain or below it. */
static bool host_within(const char *ep, const char *domain)
{
	size_t n = strcspn(ep, ":"), d = strlen(domain);

	if (!d || strchr(ep + n + (ep[n] == ':'), ':'))
		return false; /* one port at most */
	if (n == d)
		return g_ascii_strncasecmp(ep, domain, n) == 0;
	return n > d && ep[n - d - 1] == '.' && g_ascii_strncasecmp(ep + n - d, domain, d) == 0;
}

/* S3 answers a request to the wrong region with 301 PermanentRedirect and
 * the bucket's endpoint in the body (AWS "Error responses"; the Location
 * header is absent). The listing is tried there: virtual-hosted when the
 * endpoint starts with the bucket's name, path-style otherwise, with the
 * scheme of the first request. The body is the server's word: only the
 * provider's own hosts are believed, or a stranger's server is scanned and
 * reported as ours. */
static enum scan_redirect s3_redirect(const char *root, const char *bucket, long status, enum scan_doc doc,
				      const char *code, const char *ep, struct buf *new_root, struct buf *why)
{
	const char *scheme = strncmp(root, "https://", 8) == 0 ? "https" : "http";
	size_t bl = strlen(bucket);
	char domain[256];

	if (status != 301 || doc != SCAN_DOC_ERROR || strcmp(code, "PermanentRedirect") != 0 || !plain_host(ep))
		return SCAN_REDIRECT_NONE;
	redirect_domain(root, domain, sizeof(domain));
	if (!host_within(ep, domain)) {
		buf_appendf(why, "a PermanentRedirect to %s refused: not a host of the provider (%s); nothing was "
			    "requested there", ep, domain);
		return SCAN_REDIRECT_REFUSED;
	}
	if (strncmp(ep, bucket, bl) == 0 && ep[bl] == '.')
		buf_appendf(new_root, "%s://%s", scheme, ep);
	else
		buf_appendf(new_root, "%s://%s/%s", scheme, ep, bucket);
	return SCAN_REDIRECT_FOLLOW;
}

const struct scan_provider scan_provider_s3 = {
	.scheme = "s3",
	.list_url = s3_list_url,
	.object_url = scan_object_url,
	.classify_list = s3_classify_list,
	.classify_object = s3_classify_object,
	.redirect = s3_redirect,
};
