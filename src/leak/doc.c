/* doc.c: see doc.h. Detection, the UTF-16 and Latin-1 decoders, PDF text
 * (poppler-glib), DOCX and XLSX text (libzip for the package, libxml2 for
 * the parts); archives are in archive.c. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <poppler.h>
#include <zip.h>

#include "leak/doc.h"
#include "util/alloc.h"
#include "util/buf.h"

void leak_doc_init(struct leak_doc *d)
{
	memset(d, 0, sizeof(*d));
}

void leak_doc_cleanup(struct leak_doc *d)
{
	lg_free(d->text);
	d->text = NULL;
	d->len = 0;
}

static enum lg_status fail(struct leak_doc *d, enum lg_status rc, const char *fmt, const char *arg)
{
	snprintf(d->why, sizeof(d->why), fmt, arg ? arg : "");
	return rc;
}

/* ---- detection ---- */

/* 0: not UTF-16; 1: little-endian; 2: big-endian. Text of Latin letters
 * in UTF-16 has a NUL in every other byte. */
static int utf16_guess(const unsigned char *p, size_t n)
{
	size_t m = n < 4096 ? n : 4096, zodd = 0, zeven = 0;

	m &= ~(size_t)1;
	if (m < 16)
		return 0;
	for (size_t i = 0; i < m; i += 2) {
		zeven += p[i] == 0;
		zodd += p[i + 1] == 0;
	}
	if (zodd * 10 >= m / 2 * 6 && zeven * 20 < m / 2)
		return 1;
	if (zeven * 10 >= m / 2 * 6 && zodd * 20 < m / 2)
		return 2;
	return 0;
}

static bool zip_has(const char *data, size_t n, const char *member)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z;
	bool found = false;

	zip_error_init(&ze);
	src = zip_source_buffer_create(data, n, 0, &ze);
	if (!src) {
		zip_error_fini(&ze);
		return false;
	}
	z = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (z) {
		found = zip_name_locate(z, member, 0) >= 0;
		zip_discard(z);
	} else {
		zip_source_free(src);
	}
	zip_error_fini(&ze);
	return found;
}

enum leak_doc_kind leak_doc_sniff(const char *name, const char *data, size_t n)
{
	const unsigned char *p = (const unsigned char *)data;
	int u16;

	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return LEAK_DOC_PDF;
	if (n >= 4 && memcmp(p, "PK\3\4", 4) == 0) {
		if (zip_has(data, n, "word/document.xml"))
			return LEAK_DOC_DOCX;
		if (zip_has(data, n, "xl/workbook.xml"))
			return LEAK_DOC_XLSX;
		return LEAK_DOC_ARCHIVE;
	}
	if ((n >= 4 && memcmp(p, "PK\5\6", 4) == 0) || (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) ||
	    (n >= 3 && memcmp(p, "BZh", 3) == 0) || (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0) ||
	    (n >= 262 && memcmp(p + 257, "ustar", 5) == 0))
		return LEAK_DOC_ARCHIVE;
	if (n >= 2 && p[0] == 0xff && p[1] == 0xfe)
		return LEAK_DOC_UTF16LE;
	if (n >= 2 && p[0] == 0xfe && p[1] == 0xff)
		return LEAK_DOC_UTF16BE;
	u16 = utf16_guess(p, n);
	if (u16)
		return u16 == 1 ? LEAK_DOC_UTF16LE : LEAK_DOC_UTF16BE;
	/* Latin-1: not UTF-8 and no NUL (binary). JSON is UTF-8 by RFC 8259
	 * and mail declares its charsets, so neither is re-read as Latin-1. */
	if (!memchr(data, '\0', n) && !g_utf8_validate_len(data, n, NULL)) {
		enum leak_format f = leak_format_sniff(name, data, n);

		if (f != LEAK_FMT_JSON && f != LEAK_FMT_MAIL)
			return LEAK_DOC_LATIN1;
	}
	return LEAK_DOC_PLAIN;
}

/* ---- UTF-16 and Latin-1 ---- */

static void put_utf8(struct buf *b, uint32_t c)
{
	char s[4];

	if (c < 0x80) {
		buf_putc(b, (char)c);
		return;
	}
	if (c < 0x800) {
		s[0] = (char)(0xc0 | c >> 6);
		s[1] = (char)(0x80 | (c & 0x3f));
		buf_append(b, s, 2);
	} else if (c < 0x10000) {
		s[0] = (char)(0xe0 | c >> 12);
		s[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		s[2] = (char)(0x80 | (c & 0x3f));
		buf_append(b, s, 3);
	} else {
		s[0] = (char)(0xf0 | c >> 18);
		s[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		s[3] = (char)(0x80 | (c & 0x3f));
		buf_append(b, s, 4);
	}
}

static void from_utf16(const unsigned char *p, size_t n, bool be, struct buf *b)
{
	size_t i = 0;

	if (n >= 2 && ((!be && p[0] == 0xff && p[1] == 0xfe) || (be && p[0] == 0xfe && p[1] == 0xff)))
		i = 2;
	for (; i + 1 < n; i += 2) {
		uint32_t u = be ? (uint32_t)p[i] << 8 | p[i + 1] : (uint32_t)p[i + 1] << 8 | p[i];

		if (u >= 0xd800 && u < 0xdc00 && i + 3 < n) {
			uint32_t l = be ? (uint32_t)p[i + 2] << 8 | p[i + 3] : (uint32_t)p[i + 3] << 8 | p[i + 2];

			if (l >= 0xdc00 && l < 0xe000) {
				put_utf8(b, 0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00));
				i += 2;
				continue;
			}
		}
		put_utf8(b, u >= 0xd800 && u < 0xe000 ? 0xfffd : u); /* a lone surrogate */
	}
}

/* ---- PDF ---- */

static enum lg_status pdf_text(struct leak_doc *d, const char *data, size_t n, struct buf *b)
{
	GBytes *bytes = g_bytes_new_static(data, n);
	GError *gerr = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &gerr);
	enum lg_status rc = LG_OK;
	int pages;

	g_bytes_unref(bytes);
	if (!doc) {
		rc = fail(d, LG_EPARSE, "broken PDF (%s)", gerr ? gerr->message : "unreadable");
		g_clear_error(&gerr);
		return rc;
	}
	pages = poppler_document_get_n_pages(doc);
	if (pages > LEAK_MAX_PDF_PAGES) {
		g_object_unref(doc);
		return fail(d, LG_ELIMIT, "PDF of more than 20000 pages%s", NULL);
	}
	for (int i = 0; i < pages && !rc; i++) {
		PopplerPage *pg = poppler_document_get_page(doc, i);
		char *t = pg ? poppler_page_get_text(pg) : NULL;

		if (i)
			buf_putc(b, '\f');
		if (t)
			buf_append(b, t, strlen(t));
		g_free(t);
		if (pg)
			g_object_unref(pg);
		if (b->len > LEAK_MAX_DOC_TEXT)
			rc = fail(d, LG_ELIMIT, "PDF text larger than 256 MiB%s", NULL);
	}
	g_object_unref(doc);
	return rc;
}

unsigned leak_doc_page(const char *text, size_t n, size_t pos, size_t *page_start)
{
	unsigned page = 1;
	size_t start = 0;

	for (size_t i = 0; i < pos && i < n; i++)
		if (text[i] == '\f') {
			page++;
			start = i + 1;
		}
	*page_start = start;
	return page;
}

/* ---- DOCX and XLSX ---- */

/* What one package may inflate to, all parts read counted: the archive
 * caps (archive.c), so a DOCX or XLSX bomb is refused like a zip bomb. */
struct budget {
	uint64_t used, limit;
	struct leak_budget *shared; /* the outermost file's, charged at the end */
};

static void budget_init(struct budget *bg, struct leak_doc *d, size_t n)
{
	bg->used = 0;
	bg->shared = d->budget && d->budget->nested ? d->budget : NULL;
	if (bg->shared) { /* inside an archive: what the outermost file has left */
		bg->limit = bg->shared->left;
		return;
	}
	bg->limit = (uint64_t)n * LEAK_MAX_ARCHIVE_RATIO;
	if (bg->limit < LEAK_OOXML_FREE)
		bg->limit = LEAK_OOXML_FREE;
	if (bg->limit > LEAK_MAX_ARCHIVE_TOTAL)
		bg->limit = LEAK_MAX_ARCHIVE_TOTAL;
}

/* The bytes the package inflated, charged to the outermost file. */
static void budget_charge(struct budget *bg)
{
	if (bg->shared)
		bg->shared->left -= bg->used < bg->shared->left ? bg->used : bg->shared->left;
}

/* "N MiB (200 times its size, or 2 GiB)", the cap in words. */
static void budget_say(const struct budget *bg, char *out, size_t n)
{
	snprintf(out, n, "%llu MiB (%d times %s, or 2 GiB)",
		 (unsigned long long)((bg->shared ? bg->shared->limit : bg->limit) >> 20), LEAK_MAX_ARCHIVE_RATIO,
		 bg->shared ? "the size of the outermost file, all it nests counted" : "its size");
}

enum member_rc { MEMBER_OK, MEMBER_MISSING, MEMBER_DAMAGED, MEMBER_TOO_BIG, MEMBER_BOMB };

/* Reads one member of the OOXML package, inflated, into *out (caller frees
 * with lg_free). MEMBER_TOO_BIG over LEAK_MAX_XML_PART, MEMBER_BOMB when
 * it would take the package past its budget; both before inflating. */
static enum member_rc zip_member(zip_t *z, const char *name, struct budget *bg, char **out, size_t *len)
{
	zip_stat_t st;
	zip_file_t *f;
	char *p;
	zip_int64_t got;

	*out = NULL;
	if (zip_stat(z, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
		return MEMBER_MISSING;
	if (st.size > LEAK_MAX_XML_PART)
		return MEMBER_TOO_BIG;
	if (bg->used + st.size > bg->limit)
		return MEMBER_BOMB;
	bg->used += st.size;
	f = zip_fopen(z, name, 0);
	if (!f)
		return MEMBER_DAMAGED;
	p = lg_malloc(st.size + 1);
	got = zip_fread(f, p, st.size);
	zip_fclose(f);
	if (got < 0 || (zip_uint64_t)got != st.size) {
		lg_free(p);
		return MEMBER_DAMAGED;
	}
	p[st.size] = '\0';
	*len = st.size;
	*out = p;
	return MEMBER_OK;
}

/* A DOCTYPE stops the parse before its internal subset is read: no part
 * of an OOXML package has one (ECMA-376 Part 2, 8.1.6 forbids DTDs in the
 * package's parts), and a DTD is how entities get in (billion laughs,
 * XXE). */
static void on_doctype(void *vctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	xmlParserCtxtPtr ctxt = vctx;

	(void)name;
	(void)ext;
	(void)sys;
	*(bool *)ctxt->_private = true;
	xmlStopParser(ctxt);
}

static void silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* Parses one part; NULL when damaged or (with *dtd set) when it carries a
 * DOCTYPE. */
static xmlDocPtr parse_xml(const char *p, size_t n, bool *dtd)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;

	*dtd = false;
	if (n > INT_MAX)
		return NULL;
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return NULL;
	ctxt->_private = dtd;
	ctxt->sax->internalSubset = on_doctype;
	ctxt->sax->externalSubset = on_doctype;
	ctxt->sax->error = silent;
	ctxt->sax->warning = silent;
	/* no network, no entity expansion, no DTD loading: a package is hostile */
	doc = xmlCtxtReadMemory(ctxt, p, (int)n, NULL, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc && *dtd) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

/* Reads and parses one part into *doc. LG_OK with *doc NULL when the part
 * is absent, or damaged and noun is NULL (a part the text can do without);
 * LG_ELIMIT / LG_EPARSE with d->why naming what (the package kind), noun
 * and the part otherwise. A DTD is refused whatever the part. */
static enum lg_status ooxml_part(struct leak_doc *d, zip_t *z, const char *what, const char *noun,
				 const char *part, struct budget *bg, xmlDocPtr *doc)
{
	char *x = NULL;
	size_t len = 0;
	bool dtd = false;
	enum lg_status rc = LG_OK;
	char msg[sizeof(d->why)], cap[120];

	*doc = NULL;
	switch (zip_member(z, part, bg, &x, &len)) {
	case MEMBER_MISSING: return LG_OK;
	case MEMBER_TOO_BIG:
		snprintf(msg, sizeof(msg), "%s part %%s inflates to more than %u MiB", what, LEAK_MAX_XML_PART >> 20);
		return fail(d, LG_ELIMIT, msg, part);
	case MEMBER_BOMB:
		budget_say(bg, cap, sizeof(cap));
		snprintf(msg, sizeof(msg), "%s inflates to more than %s at part %%s: a zip bomb?", what, cap);
		return fail(d, LG_ELIMIT, msg, part);
	case MEMBER_DAMAGED: break;
	case MEMBER_OK:
		*doc = parse_xml(x, len, &dtd);
		lg_free(x);
		break;
	}
	if (dtd) {
		snprintf(msg, sizeof(msg), "%s part %%s has a DTD (<!DOCTYPE>), which no OOXML part may have; refused",
			 what);
		rc = fail(d, LG_EPARSE, msg, part);
	} else if (!*doc && noun) {
		snprintf(msg, sizeof(msg), "%s with a damaged %s (%%s)", what, noun);
		rc = fail(d, LG_EPARSE, msg, part);
	}
	return rc;
}

static bool is(const xmlNode *x, const char *name)
{
	return x->type == XML_ELEMENT_NODE && strcmp((const char *)x->name, name) == 0;
}

/* Appends node text, flattening tabs and newlines to spaces. */
static void add_text(struct buf *b, const xmlNode *x)
{
	xmlChar *t = xmlNodeGetContent(x);

	for (const xmlChar *c = t; c && *c; c++)
		buf_putc(b, *c == '\t' || *c == '\n' || *c == '\r' || *c == '\f' ? ' ' : (char)*c);
	xmlFree(t);
}

static void docx_walk(const xmlNode *x, struct buf *b, int depth)
{
	for (; x && depth < 256; x = x->next) {
		if (is(x, "t")) {
			add_text(b, x);
			continue;
		}
		if (is(x, "tab"))
			buf_putc(b, ' ');
		else if (is(x, "br") || is(x, "cr"))
			buf_putc(b, '\n');
		docx_walk(x->children, b, depth + 1);
		if (is(x, "p"))
			buf_putc(b, '\n');
	}
}

struct strings {
	char **s;
	size_t n, cap;
};

static void xlsx_strings(const xmlNode *x, struct strings *ss)
{
	for (; x; x = x->next) {
		if (is(x, "si")) {
			struct buf b;

			buf_init(&b);
			add_text(&b, x);
			if (ss->n == ss->cap)
				ss->s = lg_grow(ss->s, &ss->cap, ss->n + 1, sizeof(*ss->s));
			ss->s[ss->n++] = lg_strndup(b.data ? b.data : "", b.len);
			buf_cleanup(&b);
		} else if (x->type == XML_ELEMENT_NODE) {
			xlsx_strings(x->children, ss);
		}
	}
}

/* The 0-based column of a cell reference ("C7" -> 2); -1 when absent. */
static int column_of(const xmlChar *r)
{
	int c = 0;

	if (!r || !g_ascii_isalpha(*r))
		return -1;
	for (; g_ascii_isalpha(*r) && c < 100000; r++)
		c = c * 26 + (g_ascii_toupper(*r) - 'A' + 1);
	return c - 1;
}

static void xlsx_rows(const xmlNode *x, const struct strings *ss, struct buf *b, int depth)
{
	for (; x && depth < 16; x = x->next) {
		if (!is(x, "row")) {
			if (x->type == XML_ELEMENT_NODE)
				xlsx_rows(x->children, ss, b, depth + 1);
			continue;
		}
		int last = -1; /* column of the last cell written */

		for (const xmlNode *c = x->children; c; c = c->next) {
			xmlChar *t, *r;
			int want;

			if (!is(c, "c"))
				continue;
			r = xmlGetProp(c, (const xmlChar *)"r");
			want = column_of(r);
			xmlFree(r);
			if (want <= last || want >= LEAK_MAX_XLSX_COLS)
				want = last + 1;
			for (int k = last < 0 ? 0 : last; k < want; k++) /* separators, empty cells between */
				buf_putc(b, '\t');
			last = want;
			t = xmlGetProp(c, (const xmlChar *)"t");
			for (const xmlNode *v = c->children; v; v = v->next) {
				if (t && strcmp((const char *)t, "s") == 0 && is(v, "v")) {
					xmlChar *iv = xmlNodeGetContent(v);
					long i = iv ? strtol((const char *)iv, NULL, 10) : -1;

					if (i >= 0 && (size_t)i < ss->n)
						buf_append(b, ss->s[i], strlen(ss->s[i]));
					xmlFree(iv);
				} else if (is(v, "v") || is(v, "is")) {
					add_text(b, v);
				}
			}
			xmlFree(t);
		}
		buf_putc(b, '\n');
	}
}

static int name_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);

	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y); /* sheet2 before sheet10 */
}

/* The sheets' declared sizes against what is left of the budget, before
 * any is inflated: a workbook of many highly compressed sheets is refused
 * at once rather than after parsing the first few hundred MiB. */
static enum lg_status sheets_fit(struct leak_doc *d, zip_t *z, char **sheets, size_t nsheets,
				 const struct budget *bg)
{
	uint64_t sum = bg->used;
	char msg[sizeof(d->why)], cap[120];
	zip_stat_t st;

	for (size_t i = 0; i < nsheets; i++)
		if (zip_stat(z, sheets[i], 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE))
			sum += st.size;
	if (sum <= bg->limit)
		return LG_OK;
	budget_say(bg, cap, sizeof(cap));
	snprintf(msg, sizeof(msg), "XLSX sheets inflate to %llu MiB, more than %s%%s: a zip bomb?",
		 (unsigned long long)(sum >> 20), cap);
	return fail(d, LG_ELIMIT, msg, NULL);
}

static enum lg_status ooxml_text(struct leak_doc *d, bool xlsx, const char *data, size_t n, struct buf *b)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z;
	enum lg_status rc = LG_OK;
	struct strings ss = {0};
	char **sheets = NULL;
	size_t nsheets = 0, sheets_cap = 0;
	struct budget bg;

	zip_error_init(&ze);
	src = zip_source_buffer_create(data, n, 0, &ze);
	z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	if (!z) {
		if (src)
			zip_source_free(src);
		rc = fail(d, LG_EPARSE, "damaged %s package", xlsx ? "XLSX" : "DOCX");
		zip_error_fini(&ze);
		return rc;
	}
	zip_error_fini(&ze);
	budget_init(&bg, d, n);
	if (!xlsx) {
		xmlDocPtr doc = NULL;

		rc = ooxml_part(d, z, "DOCX", "document part", "word/document.xml", &bg, &doc);
		if (!rc && !doc)
			rc = fail(d, LG_EPARSE, "DOCX without a document part%s", NULL);
		if (!rc)
			docx_walk(xmlDocGetRootElement(doc), b, 0);
		xmlFreeDoc(doc);
		zip_discard(z);
		budget_charge(&bg);
		return rc;
	}
	if (zip_name_locate(z, "xl/workbook.xml", 0) < 0)
		rc = fail(d, LG_EPARSE, "XLSX without a workbook part%s", NULL);
	if (!rc) {
		xmlDocPtr doc = NULL;

		rc = ooxml_part(d, z, "XLSX", NULL, "xl/sharedStrings.xml", &bg, &doc);
		if (doc)
			xlsx_strings(xmlDocGetRootElement(doc), &ss);
		xmlFreeDoc(doc);
	}
	for (zip_int64_t i = 0, m = zip_get_num_entries(z, 0); !rc && i < m; i++) {
		const char *nm = zip_get_name(z, (zip_uint64_t)i, 0);

		if (nm && g_str_has_prefix(nm, "xl/worksheets/sheet") && g_str_has_suffix(nm, ".xml")) {
			if (nsheets == sheets_cap)
				sheets = lg_grow(sheets, &sheets_cap, nsheets + 1, sizeof(*sheets));
			sheets[nsheets++] = lg_strdup(nm);
		}
	}
	if (nsheets)
		qsort(sheets, nsheets, sizeof(*sheets), name_cmp);
	if (!rc)
		rc = sheets_fit(d, z, sheets, nsheets, &bg);
	for (size_t i = 0; !rc && i < nsheets; i++) {
		xmlDocPtr doc = NULL;

		rc = ooxml_part(d, z, "XLSX", "sheet", sheets[i], &bg, &doc);
		if (!rc && doc)
			xlsx_rows(xmlDocGetRootElement(doc), &ss, b, 0);
		if (!rc && b->len > LEAK_MAX_DOC_TEXT)
			rc = fail(d, LG_ELIMIT, "XLSX text larger than 256 MiB%s", NULL);
		xmlFreeDoc(doc);
	}
	for (size_t i = 0; i < nsheets; i++)
		lg_free(sheets[i]);
	lg_free(sheets);
	for (size_t i = 0; i < ss.n; i++)
		lg_free(ss.s[i]);
	lg_free(ss.s);
	zip_discard(z);
	budget_charge(&bg);
	return rc;
}

/* ---- dispatch ---- */

enum lg_status leak_doc_convert(struct leak_doc *d, enum leak_doc_kind kind, const char *data, size_t n)
{
	struct buf b;
	enum lg_status rc = LG_OK;

	leak_doc_cleanup(d);
	d->kind = kind;
	d->why[0] = '\0';
	if (kind == LEAK_DOC_LATIN1 && n > LEAK_MAX_DOC_TEXT / 2) {
		d->kind = LEAK_DOC_PLAIN; /* too big to copy: the readers take the raw bytes */
		return LG_OK;
	}
	if ((kind == LEAK_DOC_UTF16LE || kind == LEAK_DOC_UTF16BE) && n > LEAK_MAX_DOC_TEXT / 2)
		return fail(d, LG_ELIMIT, "UTF-16 text larger than 128 MiB; convert it to UTF-8 first%s", NULL);
	if (kind == LEAK_DOC_PLAIN || kind == LEAK_DOC_ARCHIVE)
		return LG_OK;
	buf_init(&b);
	switch (kind) {
	case LEAK_DOC_UTF16LE:
	case LEAK_DOC_UTF16BE: from_utf16((const unsigned char *)data, n, kind == LEAK_DOC_UTF16BE, &b); break;
	case LEAK_DOC_LATIN1:
		for (size_t i = 0; i < n; i++)
			put_utf8(&b, (unsigned char)data[i]);
		break;
	case LEAK_DOC_PDF: rc = pdf_text(d, data, n, &b); break;
	case LEAK_DOC_DOCX: rc = ooxml_text(d, false, data, n, &b); break;
	case LEAK_DOC_XLSX: rc = ooxml_text(d, true, data, n, &b); break;
	default: break;
	}
	if (rc) {
		buf_cleanup(&b);
		return rc;
	}
	buf_putc(&b, '\0');
	d->len = b.len - 1;
	d->text = lg_malloc(b.len);
	memcpy(d->text, b.data, b.len);
	buf_cleanup(&b);
	return LG_OK;
}

enum lg_status leak_doc_open(struct leak_doc *d, const char *name, const char *data, size_t n)
{
	return leak_doc_convert(d, leak_doc_sniff(name, data, n), data, n);
}

static const char *const kind_prefix[LEAK_DOC_KINDS] = {
	[LEAK_DOC_PLAIN] = "", [LEAK_DOC_UTF16LE] = "utf16le+", [LEAK_DOC_UTF16BE] = "utf16be+",
	[LEAK_DOC_LATIN1] = "latin1+", [LEAK_DOC_PDF] = "pdf", [LEAK_DOC_DOCX] = "docx",
	[LEAK_DOC_XLSX] = "xlsx", [LEAK_DOC_ARCHIVE] = "archive",
};

const char *leak_doc_format_name(enum leak_doc_kind k, enum leak_format f)
{
	static const char *const conv[3][4] = {
		{"utf16le+text", "utf16le+csv", "utf16le+json", "utf16le+mail"},
		{"utf16be+text", "utf16be+csv", "utf16be+json", "utf16be+mail"},
		{"latin1+text", "latin1+csv", "latin1+json", "latin1+mail"},
	};

	if (k == LEAK_DOC_PLAIN)
		return leak_format_name(f);
	if (k >= LEAK_DOC_UTF16LE && k <= LEAK_DOC_LATIN1)
		return conv[k - LEAK_DOC_UTF16LE][f];
	return kind_prefix[k];
}

enum leak_doc_kind leak_doc_kind_of(const char *format_name)
{
	for (int k = LEAK_DOC_KINDS - 1; k > LEAK_DOC_PLAIN; k--)
		if (format_name && g_str_has_prefix(format_name, kind_prefix[k]))
			return (enum leak_doc_kind)k;
	return LEAK_DOC_PLAIN;
}
