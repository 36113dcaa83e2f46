/* provider.h: the storage services the scanner knows, behind one small
 * vtable (as OpenSMTPD's table backends): how to address a container's
 * listing and its objects, and how to read an anonymous answer into a
 * verdict. Classification is pure and decided only from well-formed
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

struct scan_provider {
	const char *scheme; /* "azure", "s3" */
	/* root: the container URL without a trailing slash; marker "" for the first page */
	void (*list_url)(struct buf *url, const char *root, const char *marker, unsigned page_size);
	void (*object_url)(struct buf *url, const char *root, const char *object);
	enum scan_verdict (*classify_list)(long status, enum scan_doc doc, const char *body_code, const char *hdr_code);
	enum scan_obj_verdict (*classify_object)(long status, const char *hdr_code);
};

extern const struct scan_provider scan_provider_azure;
extern const struct scan_provider scan_provider_s3;

/* Appends s percent-encoded (RFC 3986 unreserved kept, and '/' when keep_slash). */
void scan_url_escape(struct buf *url, const char *s, bool keep_slash);

#endif
