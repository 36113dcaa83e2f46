/* provider.h: the storage services the scanner knows, behind one small
 * vtable (as OpenSMTPD's table backends), one file per service (azure.c,
 * s3.c): how to address a container's listing and its objects, how to read
 * an anonymous answer into a verdict, where a listing answer sends the
 * scanner instead (S3's redirect), and how an account's existence is told
 * (Azure's host names in DNS). A third service is one new file. Classification is pure and decided only from well-formed
 * evidence: a parsed XML root or error <Code>, or the service's own error
 * code header; a status code or reason phrase alone never says "listable"
 * or "absent".
 *
 * Azure Blob: "List Blobs" (GET {container}?restype=container&comp=list,
 * marker/NextMarker), "Blob service error codes" (ContainerNotFound,
 * ResourceNotFound, PublicAccessNotPermitted, BlobNotFound, ServerBusy).
 * S3: ListObjectsV2 (GET /?list-type=2, continuation-token), "Error
 * responses" (NoSuchBucket, AccessDenied, AllAccessDisabled, SlowDown). */
#ifndef LG_SCAN_PROVIDER_H
#define LG_SCAN_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include "scan/listing.h"
#include "util/buf.h"

/* What an anonymous listing request says about a container. */
enum scan_verdict {
	SCAN_V_LISTABLE, /* a parsed listing: anyone can list */
	SCAN_V_CLOSED,   /* exists or cannot tell; not listable: probe objects by name */
	SCAN_V_ABSENT,   /* the service says there is no such container/bucket */
	SCAN_V_BLOCKED,  /* public access disabled for the whole account/bucket */
	SCAN_V_RETRY,    /* throttled or busy: back off and retry */
	SCAN_V_UNKNOWN,  /* anything else */
};

/* What an anonymous HEAD of one object says. */
enum scan_obj_verdict {
	SCAN_O_READABLE,     /* 200: the object can be read by anyone */
	SCAN_O_READ_ALLOWED, /* the object is missing but anonymous reads are allowed */
	SCAN_O_DENIED,       /* not readable */
	SCAN_O_RETRY,
	SCAN_O_UNKNOWN,
};

/* What a listing answer naming another endpoint leads to. */
enum scan_redirect {
	SCAN_REDIRECT_NONE,    /* not a redirect: classify the answer */
	SCAN_REDIRECT_FOLLOW,  /* list again at the new root */
	SCAN_REDIRECT_REFUSED, /* a redirect the scanner must not follow */
};

/* Whether an account's host name exists. */
enum scan_dns { SCAN_DNS_UNKNOWN, SCAN_DNS_EXISTS, SCAN_DNS_ABSENT };

struct scan_provider {
	const char *scheme; /* "azure", "s3" */
	/* root: the container URL without a trailing slash; marker "" for the first page */
	void (*list_url)(struct buf *url, const char *root, const char *marker, unsigned page_size);
	void (*object_url)(struct buf *url, const char *root, const char *object);
	enum scan_verdict (*classify_list)(long status, enum scan_doc doc, const char *body_code, const char *hdr_code);
	enum scan_obj_verdict (*classify_object)(long status, const char *hdr_code);
	/* A listing answer (status, doc, body code, the <Endpoint> it names) for
	 * container at root: FOLLOW with new_root filled, REFUSED with a
	 * sentence in why, or NONE. NULL: the service has no redirects. */
	enum scan_redirect (*redirect)(const char *root, const char *container, long status, enum scan_doc doc,
				       const char *code, const char *endpoint, struct buf *new_root, struct buf *why);
	/* Accounts holding containers (NULL: none): the URL of account's
	 * containers, ending in '/', and whether each of n accounts' host
	 * names resolves, waiting at most timeout_ms in all. */
	void (*account_root)(struct buf *root, const char *account);
	void (*resolve_accounts)(const char *const *accounts, size_t n, long timeout_ms, enum scan_dns *out);
};

extern const struct scan_provider scan_provider_azure;
extern const struct scan_provider scan_provider_s3;

/* Appends s percent-encoded (RFC 3986 unreserved kept, and '/' when keep_slash). */
void scan_url_escape(struct buf *url, const char *s, bool keep_slash);

/* The object_url every service shares: root "/" object, escaped. */
void scan_object_url(struct buf *url, const char *root, const char *object);

/* True when code (NULL allowed) is want. */
bool scan_code_is(const char *code, const char *want);

#endif
