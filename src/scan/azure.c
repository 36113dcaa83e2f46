/* azure.c: Azure Blob Storage behind provider.h — "List Blobs"
 * addressing, answer classification by the codes of learn.microsoft.com
 * "Blob Storage error codes" and "Common REST API error codes", and
 * storage accounts: ACCOUNT.blob.core.windows.net, which exists exactly
 * when the account does (asked of DNS, all accounts at once). */
#include <netdb.h>
#include <string.h>
#include <time.h>

#include "scan/http.h"
#include "scan/provider.h"
#include "util/alloc.h"

static void az_list_url(struct buf *url, const char *root, const char *marker, unsigned page_size)
{
	buf_appendf(url, "%s?restype=container&comp=list&maxresults=%u", root, page_size);
	if (marker && *marker) {
		buf_append(url, "&marker=", 8);
		scan_url_escape(url, marker, false);
	}
}

static enum scan_verdict az_classify_list(long status, enum scan_doc doc, const char *body, const char *hdr)
{
	/* the body's <Code> when there is one, else the x-ms-error-code header */
	const char *code = body && *body ? body : hdr;

	if (status == 200)
		return doc == SCAN_DOC_AZURE_LIST ? SCAN_V_LISTABLE : SCAN_V_UNKNOWN;
	if (!code || !*code)
		return SCAN_V_UNKNOWN;
	if (scan_code_is(code, "ServerBusy") || scan_code_is(code, "OperationTimedOut") || scan_code_is(code, "InternalError") || status == 429)
		return SCAN_V_RETRY;
	if (status == 404 && scan_code_is(code, "ContainerNotFound"))
		return SCAN_V_ABSENT;
	if (status == 404 && scan_code_is(code, "ResourceNotFound"))
		return SCAN_V_CLOSED; /* real Azure's answer to anonymous requests on a private container */
	if (status == 409 && scan_code_is(code, "PublicAccessNotPermitted"))
		return SCAN_V_BLOCKED;
	if (status == 403 && (scan_code_is(code, "AuthorizationFailure") || scan_code_is(code, "NoAuthenticationInformation") ||
			      scan_code_is(code, "AuthenticationFailed") || scan_code_is(code, "AuthorizationPermissionMismatch") ||
			      scan_code_is(code, "AuthorizationResourceTypeMismatch")))
		return SCAN_V_CLOSED; /* Azurite: private and missing alike */
	if (status == 403 && scan_code_is(code, "AccountIsDisabled"))
		return SCAN_V_BLOCKED;
	return SCAN_V_UNKNOWN;
}

static enum scan_obj_verdict az_classify_object(long status, const char *hdr)
{
	if (status == 200 || status == 206)
		return SCAN_O_READABLE;
	if (status == 429 || status == 503 || scan_code_is(hdr, "ServerBusy"))
		return SCAN_O_RETRY;
	/* A missing blob in a container that allows anonymous reads: Azure can
	 * only say BlobNotFound after letting the anonymous read through. */
	if (status == 404 && scan_code_is(hdr, "BlobNotFound"))
		return SCAN_O_READ_ALLOWED;
	if (status == 403 || status == 404 || status == 409)
		return SCAN_O_DENIED;
	return SCAN_O_UNKNOWN;
}

static void az_account_root(struct buf *root, const char *account)
{
	buf_appendf(root, "https://%s.blob.core.windows.net/", account);
}

/* An account exists when ACCOUNT.blob.core.windows.net resolves: the n
 * look-ups run at once (getaddrinfo_a), each still pending at the deadline
 * is cancelled and unknown. */
static void az_resolve_accounts(const char *const *accounts, size_t n, long timeout_ms, enum scan_dns *out)
{
	struct gaicb **list;
	struct addrinfo hints;
	char **hosts;

	if (!n)
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	list = lg_calloc(n, sizeof(*list));
	hosts = lg_calloc(n, sizeof(*hosts));
	for (size_t k = 0; k < n; k++) {
		struct buf h;

		buf_init(&h);
		buf_appendf(&h, "%s.blob.core.windows.net", accounts[k]);
		hosts[k] = h.data;
		list[k] = lg_calloc(1, sizeof(**list));
		list[k]->ar_name = hosts[k];
		list[k]->ar_request = &hints;
	}
	if (getaddrinfo_a(GAI_NOWAIT, list, (int)n, NULL) == 0) {
		uint64_t deadline = scan_now_ms() + (uint64_t)timeout_ms;

		for (;;) {
			size_t pending = 0;
			uint64_t now = scan_now_ms();

			for (size_t i = 0; i < n; i++)
				if (gai_error(list[i]) == EAI_INPROGRESS)
					pending++;
			if (!pending || now >= deadline)
				break;
			struct timespec ts = {0, 20 * 1000000L};
			gai_suspend((const struct gaicb *const *)list, (int)n, &ts);
		}
	}
	for (size_t k = 0; k < n; k++) {
		int e = gai_error(list[k]);

		if (e == EAI_INPROGRESS)
			gai_cancel(list[k]);
		out[k] = e == 0 ? SCAN_DNS_EXISTS : e == EAI_NONAME ? SCAN_DNS_ABSENT : SCAN_DNS_UNKNOWN;
		if (e == 0 && list[k]->ar_result)
			freeaddrinfo(list[k]->ar_result);
	}
	for (size_t i = 0; i < n; i++) {
		if (gai_error(list[i]) != EAI_INPROGRESS) {
			lg_free(list[i]);
			lg_free(hosts[i]);
		}
	}
	lg_free(list);
	lg_free(hosts);
}

const struct scan_provider scan_provider_azure = {
	.scheme = "azure",
	.list_url = az_list_url,
	.object_url = scan_object_url,
	.classify_list = az_classify_list,
	.classify_object = az_classify_object,
	.account_root = az_account_root,
	.resolve_accounts = az_resolve_accounts,
};

