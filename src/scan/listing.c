/* listing.c: streaming XML reader for object-store listings (listing.h).
 * libxml2's SAX2 push parser; the only state kept is the element path
 * (names up to SCAN_XML_MAX_DEPTH), the current text, and the current
 * object's fields. */
#include <string.h>

#include <libxml/parser.h>

#include "scan/listing.h"
#include "util/alloc.h"

enum field { F_NONE, F_NAME, F_SIZE, F_CTYPE, F_CODE, F_NEXT, F_ENDPOINT };

struct scan_listing {
	xmlParserCtxtPtr ctx;
	scan_object_cb cb;
	void *cbctx;
	enum scan_doc doc;
	bool bad, finished;
	int depth;
	bool in_object, object_prefix;
	enum field field;
	char text[SCAN_XML_MAX_TEXT + 1];
	size_t tlen;
	char name[SCAN_XML_MAX_TEXT + 1];
	char ctype[128];
	uint64_t size;
	char code[128];
	char next[SCAN_XML_MAX_TEXT + 1];
	char endpoint[256];
	uint64_t objects, bytes;
	size_t pushed;
};

static bool eq(const xmlChar *a, const char *b)
{
	return strcmp((const char *)a, b) == 0;
}

static void copy_text(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void on_start(void *vctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nns,
		     const xmlChar **ns, int nattr, int ndef, const xmlChar **attrs)
{
	struct scan_listing *l = ((xmlParserCtxtPtr)vctx)->_private;

	l->depth++;
	if (l->depth > SCAN_XML_MAX_DEPTH) {
		l->bad = true;
		xmlStopParser(l->ctx);
		return;
	}
	l->tlen = 0;
	l->field = F_NONE;
	if (l->depth == 1) {
		l->doc = eq(local, "EnumerationResults") ? SCAN_DOC_AZURE_LIST
			 : eq(local, "ListBucketResult") ? SCAN_DOC_S3_LIST
			 : eq(local, "Error")		 ? SCAN_DOC_ERROR
							 : SCAN_DOC_OTHER;
		return;
	}
	switch (l->doc) {
	case SCAN_DOC_AZURE_LIST:
		if (l->depth == 3 && (eq(local, "Blob") || eq(local, "BlobPrefix"))) {
			l->in_object = true;
			l->object_prefix = eq(local, "BlobPrefix");
			l->name[0] = l->ctype[0] = '\0';
			l->size = 0;
		} else if (l->in_object && l->depth == 4 && eq(local, "Name")) {
			l->field = F_NAME;
		} else if (l->in_object && l->depth == 5 && eq(local, "Content-Length")) {
			l->field = F_SIZE;
		} else if (l->in_object && l->depth == 5 && eq(local, "Content-Type")) {
			l->field = F_CTYPE;
		} else if (l->depth == 2 && eq(local, "NextMarker")) {
			l->field = F_NEXT;
		}
		break;
	case SCAN_DOC_S3_LIST:
		if (l->depth == 2 && (eq(local, "Contents") || eq(local, "CommonPrefixes"))) {
			l->in_object = true;
			l->object_prefix = eq(local, "CommonPrefixes");
			l->name[0] = l->ctype[0] = '\0';
			l->size = 0;
		} else if (l->in_object && l->depth == 3 && (eq(local, "Key") || eq(local, "Prefix"))) {
			l->field = F_NAME;
		} else if (l->in_object && l->depth == 3 && eq(local, "Size")) {
			l->field = F_SIZE;
		} else if (l->depth == 2 && (eq(local, "NextContinuationToken") || eq(local, "NextMarker"))) {
			l->field = F_NEXT;
		}
		break;
	case SCAN_DOC_ERROR:
		if (l->depth == 2 && eq(local, "Code"))
			l->field = F_CODE;
		else if (l->depth == 2 && eq(local, "Endpoint"))
			l->field = F_ENDPOINT;
		break;
	default:
		break;
	}
}

static uint64_t parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return UINT64_MAX;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}

static void on_end(void *vctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	struct scan_listing *l = ((xmlParserCtxtPtr)vctx)->_private;

	l->text[l->tlen] = '\0';
	switch (l->field) {
	case F_NAME: copy_text(l->name, sizeof(l->name), l->text, l->tlen); break;
	case F_SIZE: l->size = parse_u64(l->text); break;
	case F_CTYPE: copy_text(l->ctype, sizeof(l->ctype), l->text, l->tlen); break;
	case F_CODE: copy_text(l->code, sizeof(l->code), l->text, l->tlen); break;
	case F_NEXT: copy_text(l->next, sizeof(l->next), l->text, l->tlen); break;
	case F_ENDPOINT: copy_text(l->endpoint, sizeof(l->endpoint), l->text, l->tlen); break;
	case F_NONE: break;
	}
	l->field = F_NONE;
	l->tlen = 0;
	if (l->in_object && ((l->doc == SCAN_DOC_AZURE_LIST && l->depth == 3) || (l->doc == SCAN_DOC_S3_LIST && l->depth == 2))) {
		struct scan_object o = {l->name, l->size, l->ctype, l->object_prefix};

		l->in_object = false;
		if (!o.prefix) {
			l->objects++;
			l->bytes += l->size;
		}
		if (l->cb)
			l->cb(l->cbctx, &o);
	}
	l->depth--;
}

static void on_chars(void *vctx, const xmlChar *ch, int len)
{
	struct scan_listing *l = ((xmlParserCtxtPtr)vctx)->_private;
	size_t n = (size_t)len;

	if (l->field == F_NONE)
		return;
	if (n > SCAN_XML_MAX_TEXT - l->tlen)
		n = SCAN_XML_MAX_TEXT - l->tlen;
	memcpy(l->text + l->tlen, ch, n);
	l->tlen += n;
}

static void on_error(void *vctx, const char *msg, ...)
{
	struct scan_listing *l = ((xmlParserCtxtPtr)vctx)->_private;

	l->bad = true;
}

/* Entity declarations and references are refused outright (no XXE, no
 * billion laughs): a listing never needs them. */
static xmlEntityPtr on_entity(void *vctx, const xmlChar *name)
{
	struct scan_listing *l = ((xmlParserCtxtPtr)vctx)->_private;

	l->bad = true;
	xmlStopParser(l->ctx);
	return NULL;
}

static void on_entity_decl(void *vctx, const xmlChar *name, int type, const xmlChar *publicId,
			   const xmlChar *systemId, xmlChar *content)
{
	on_entity(vctx, name);
}

/* A DOCTYPE is refused too: no listing or error body carries one. */
static void on_subset(void *vctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	on_entity(vctx, name);
}

static void silent(void *ctx, const char *msg, ...)
{
}

struct scan_listing *scan_listing_new(scan_object_cb cb, void *ctx)
{
	struct scan_listing *l = lg_calloc(1, sizeof(*l));
	xmlSAXHandler sax;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_chars;
	sax.cdataBlock = on_chars;
	sax.getEntity = on_entity;
	sax.entityDecl = on_entity_decl;
	sax.internalSubset = on_subset;
	sax.externalSubset = on_subset;
	sax.error = on_error;
	sax.fatalError = on_error;
	sax.warning = silent;
	l->cb = cb;
	l->cbctx = ctx;
	l->ctx = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, NULL);
	if (!l->ctx) {
		lg_free(l);
		return NULL;
	}
	l->ctx->_private = l;
	xmlCtxtUseOptions(l->ctx, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	return l;
}

void scan_listing_free(struct scan_listing **pl)
{
	struct scan_listing *l = pl ? *pl : NULL;

	if (!l)
		return;
	if (l->ctx) {
		l->ctx->_private = NULL;
		if (l->ctx->myDoc)
			xmlFreeDoc(l->ctx->myDoc);
		l->ctx->myDoc = NULL;
		xmlFreeParserCtxt(l->ctx);
	}
	lg_free(l);
	*pl = NULL;
}

bool scan_listing_push(struct scan_listing *l, const char *p, size_t n)
{
	if (l->bad || l->finished)
		return !l->bad;
	if (n > SCAN_XML_MAX_BODY - l->pushed) {
		l->bad = true;
		return false;
	}
	l->pushed += n;
	while (n && !l->bad) {
		int k = n > (1u << 20) ? 1 << 20 : (int)n;

		if (xmlParseChunk(l->ctx, p, k, 0) != 0)
			l->bad = true;
		p += k;
		n -= (size_t)k;
	}
	return !l->bad;
}

bool scan_listing_finish(struct scan_listing *l)
{
	if (!l->finished) {
		l->finished = true;
		if (!l->bad && xmlParseChunk(l->ctx, NULL, 0, 1) != 0)
			l->bad = true;
		if (!l->bad && !l->ctx->wellFormed)
			l->bad = true;
		if (l->pushed == 0)
			l->bad = true;
	}
	if (l->bad)
		l->doc = SCAN_DOC_NONE;
	return !l->bad;
}

bool scan_listing_parse(struct scan_listing *l, const char *p, size_t n)
{
	scan_listing_push(l, p, n);
	return scan_listing_finish(l);
}

enum scan_doc scan_listing_doc(const struct scan_listing *l)
{
	return l->bad ? SCAN_DOC_NONE : l->doc;
}

const char *scan_listing_error_code(const struct scan_listing *l)
{
	return l->bad ? "" : l->code;
}

const char *scan_listing_next(const struct scan_listing *l)
{
	return l->bad ? "" : l->next;
}

const char *scan_listing_endpoint(const struct scan_listing *l)
{
	return l->bad ? "" : l->endpoint;
}

uint64_t scan_listing_objects(const struct scan_listing *l)
{
	return l->objects;
}

uint64_t scan_listing_bytes(const struct scan_listing *l)
{
	return l->bytes;
}
