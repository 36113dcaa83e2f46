/* listing.h: a streaming reader of object-store XML answers — Azure Blob
 * "List Blobs" (<EnumerationResults>, learn.microsoft.com "List Blobs" REST
 * reference), S3 ListObjectsV2 (<ListBucketResult>, AWS API reference) and
 * both services' <Error><Code>...</Code></Error> bodies.
 *
 * Bytes are pushed in chunks as they arrive (libxml2 SAX push parser), so a
 * listing of any size is read in bounded memory: each object is handed to a
 * callback and forgotten. Limits: element depth SCAN_XML_MAX_DEPTH, text per
 * element SCAN_XML_MAX_TEXT (longer names are cut and flagged), body size
 * SCAN_XML_MAX_BODY. No network access, no entity expansion, no DTD loading.
 * Pure: no I/O. */
#ifndef LG_SCAN_LISTING_H
#define LG_SCAN_LISTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCAN_XML_MAX_DEPTH 16
#define SCAN_XML_MAX_TEXT 1024
#define SCAN_XML_MAX_BODY (64u * 1024 * 1024)

enum scan_doc {
	SCAN_DOC_NONE,        /* nothing parsed yet / empty body */
	SCAN_DOC_AZURE_LIST,  /* <EnumerationResults> */
	SCAN_DOC_S3_LIST,     /* <ListBucketResult> */
	SCAN_DOC_ERROR,       /* <Error> */
	SCAN_DOC_OTHER,       /* well-formed, some other root */
};

struct scan_object {
	const char *name;         /* borrowed for the callback's duration */
	uint64_t size;
	const char *content_type; /* "" when absent */
	bool prefix;              /* a <BlobPrefix> / <CommonPrefixes> entry */
};

typedef void (*scan_object_cb)(void *ctx, const struct scan_object *obj);

struct scan_listing;

/* A new reader; cb (may be NULL) sees every object of a listing. Caller frees
 * with scan_listing_free. */
struct scan_listing *scan_listing_new(scan_object_cb cb, void *ctx);
void scan_listing_free(struct scan_listing **l);

/* Pushes n bytes. Returns false once the input is malformed or over a limit
 * (further pushes are ignored). */
bool scan_listing_push(struct scan_listing *l, const char *p, size_t n);

/* Ends the input. Returns true when the whole body was well-formed XML. */
bool scan_listing_finish(struct scan_listing *l);

/* Results, valid after scan_listing_finish (borrowed until _free). */
enum scan_doc scan_listing_doc(const struct scan_listing *l);
const char *scan_listing_error_code(const struct scan_listing *l); /* <Code>, "" if none */
/* The marker / continuation token of the next page, "" when the last page. */
const char *scan_listing_next(const struct scan_listing *l);
uint64_t scan_listing_objects(const struct scan_listing *l);
uint64_t scan_listing_bytes(const struct scan_listing *l);
/* S3 <Endpoint> of a PermanentRedirect error ("" if none). */
const char *scan_listing_endpoint(const struct scan_listing *l);

/* Parses a whole body at once (tests, fuzzing); same results as the above. */
bool scan_listing_parse(struct scan_listing *l, const char *p, size_t n);

#endif
