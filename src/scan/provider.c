/* provider.c: Azure Blob and S3 addressing and answer classification
 * (provider.h). The Azure error codes follow learn.microsoft.com "Blob
 * Storage error codes" and "Common REST API error codes"; the S3 ones the
 * Amazon S3 API Reference "Error responses". */
#include <string.h>

#include "scan/provider.h"

void scan_url_escape(struct buf *url, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || (c == '/' && keep_slash)) {
			buf_putc(url, (char)c);
		} else {
			buf_putc(url, '%');
			buf_putc(url, hex[c >> 4]);
			buf_putc(url, hex[c & 15]);
		}
	}
}

static bool is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

/* ---------------------------------------------------------------- Azure */

static void az_list_url(struct buf *url, const char *root, const char *marker, unsigned page_size)
{
	buf_appendf(url, "%s?restype=container&comp=list&maxresults=%u", root, page_size);
	if (marker && *marker) {
		buf_append(url, "&marker=", 8);
		scan_url_escape(url, marker, false);
	}
}

static void object_url(struct buf *url, const char *root, const char *object)
{
	buf_appendf(url, "%s/", root);
	scan_url_escape(url, object, true);
}

static enum scan_verdict az_classify_list(long status, enum scan_doc doc, const char *body, const char *hdr)
{
	/* the body's <Code> when there is one, else the x-ms-error-code header */
	const char *code = body && *body ? body : hdr;

	if (status == 200)
		return doc == SCAN_DOC_AZURE_LIST ? SCAN_V_LISTABLE : SCAN_V_UNKNOWN;
	if (!code || !*code)
		return SCAN_V_UNKNOWN;
	if (is(code, "ServerBusy") || is(code, "OperationTimedOut") || is(code, "InternalError") || status == 429)
		return SCAN_V_RETRY;
	if (status == 404 && is(code, "ContainerNotFound"))
		return SCAN_V_ABSENT;
	if (status == 404 && is(code, "ResourceNotFound"))
		return SCAN_V_CLOSED; /* real Azure's answer to anonymous requests on a private container */
	if (status == 409 && is(code, "PublicAccessNotPermitted"))
		return SCAN_V_BLOCKED;
	if (status == 403 && (is(code, "AuthorizationFailure") || is(code, "NoAuthenticationInformation") ||
			      is(code, "AuthenticationFailed") || is(code, "AuthorizationPermissionMismatch") ||
			      is(code, "AuthorizationResourceTypeMismatch")))
		return SCAN_V_CLOSED; /* Azurite: private and missing alike */
	if (status == 403 && is(code, "AccountIsDisabled"))
		return SCAN_V_BLOCKED;
	return SCAN_V_UNKNOWN;
}

static enum scan_obj_verdict az_classify_object(long status, const char *hdr)
{
	if (status == 200 || status == 206)
		return SCAN_O_READABLE;
	if (status == 429 || status == 503 || is(hdr, "ServerBusy"))
		return SCAN_O_RETRY;
	/* A missing blob in a container that allows anonymous reads: Azure can
	 * only say BlobNotFound after letting the anonymous read through. */
	if (status == 404 && is(hdr, "BlobNotFound"))
		return SCAN_O_READ_ALLOWED;
	if (status == 403 || status == 404 || status == 409)
		return SCAN_O_DENIED;
	return SCAN_O_UNKNOWN;
}

const struct scan_provider scan_provider_azure = {
	"azure", az_list_url, object_url, az_classify_list, az_classify_object,
};

/* ---------------------------------------------------------------- S3 */

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
	if (status == 503 && is(body, "SlowDown"))
		return SCAN_V_RETRY;
	if (status == 429 || (status == 500 && is(body, "InternalError")) || (status == 503 && is(body, "ServiceUnavailable")))
		return SCAN_V_RETRY;
	if (doc != SCAN_DOC_ERROR)
		return SCAN_V_UNKNOWN;
	if (status == 404 && is(body, "NoSuchBucket"))
		return SCAN_V_ABSENT;
	if (status == 403 && is(body, "AllAccessDisabled"))
		return SCAN_V_BLOCKED;
	if (status == 403 && is(body, "AccessDenied"))
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

const struct scan_provider scan_provider_s3 = {
	"s3", s3_list_url, object_url, s3_classify_list, s3_classify_object,
};
