/* doc.h: inputs that are not plain UTF-8 text, detected by content and
 * turned into text the readers (reader.h) take:
 *   UTF-16 (BOM, or NUL bytes in alternate positions) and Latin-1 (not
 *     valid UTF-8, no NUL; ISO 8859-1) are converted to UTF-8, then sniffed
 *     (up to 128 MiB; a larger Latin-1 file is read as it is, a larger
 *     UTF-16 one is refused with a sentence)
 *   PDF (ISO 32000, "%PDF-"): the text of each page via poppler-glib, pages
 *     separated by a form feed, so a place is file:page (leak_doc_page())
 *   DOCX (ECMA-376 WordprocessingML, word/document.xml via libzip and
 *     libxml2): one line per paragraph, read as text. A part with a DTD
 *     is refused (no entities: no billion laughs, no XXE), and the parts
 *     read inflate to at most the archive caps (LEAK_OOXML_FREE, past it
 *     LEAK_MAX_ARCHIVE_RATIO times the package, LEAK_MAX_ARCHIVE_TOTAL)
 *   XLSX (ECMA-376 SpreadsheetML): every sheet's rows as tab-separated
 *     lines, shared strings resolved, read as CSV (so a header row names
 *     the columns' roles)
 *   ZIP and tar (gzip, bzip2, xz) archives of any of these: members are
 *     read in memory by leak_archive_each(), each under "archive!member"
 * Pure: bytes in, text out, never a file opened; every converter has limits
 * (LEAK_MAX_DOC_TEXT, pages, XML part size, archive caps) and a damaged
 * input is an error with a sentence, never a crash. */
#ifndef LG_LEAK_DOC_H
#define LG_LEAK_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "leak/reader.h"
#include "util/errbuf.h"

#define LEAK_MAX_DOC_TEXT (256u * 1024 * 1024) /* text made from one document */
#define LEAK_MAX_PDF_PAGES 20000
#define LEAK_MAX_XML_PART (64u * 1024 * 1024)    /* one XML part of a DOCX/XLSX, inflated */
#define LEAK_MAX_XLSX_COLS 256
#define LEAK_OOXML_FREE (16u * 1024 * 1024)    /* a DOCX/XLSX may inflate this much at any ratio */
#define LEAK_MAX_ARCHIVE_DEPTH 3                 /* archives inside archives */
#define LEAK_MAX_MEMBER (256u * 1024 * 1024)     /* one archive member, inflated */
#define LEAK_MAX_ARCHIVE_TOTAL (2048ull * 1024 * 1024) /* all members of one archive */
#define LEAK_MAX_ARCHIVE_RATIO 200               /* inflated / archive size, past 16 MiB */
#define LEAK_MAX_MEMBERS 100000
#define LEAK_MAX_STDIN (4ull * 1024 * 1024 * 1024)

enum leak_doc_kind {
	LEAK_DOC_PLAIN, LEAK_DOC_UTF16LE, LEAK_DOC_UTF16BE, LEAK_DOC_LATIN1, LEAK_DOC_PDF, LEAK_DOC_DOCX,
	LEAK_DOC_XLSX, LEAK_DOC_ARCHIVE, LEAK_DOC_KINDS
};

/* What one file given to ingest may inflate to, counted across every
 * nesting level (archives in archives, packages in archives), so the
 * amplification of a nested bomb does not multiply with its depth: the
 * outermost file's size times LEAK_MAX_ARCHIVE_RATIO (at least 16 MiB, at
 * most LEAK_MAX_ARCHIVE_TOTAL). left is lowered as bytes are inflated. */
struct leak_budget {
	uint64_t left, limit;
	bool nested; /* charged by an archive already: messages name the outermost file */
};

/* The budget of an outermost file of n bytes. */
void leak_budget_init(struct leak_budget *bg, size_t n);

struct leak_doc {
	enum leak_doc_kind kind;
	struct leak_budget *budget; /* borrowed, set by the caller; NULL: one of its own */
	char *text;    /* converted text (lg_malloc'd), NULL for PLAIN and ARCHIVE */
	size_t len;
	char why[200]; /* why it could not be read */
};

void leak_doc_init(struct leak_doc *d);
void leak_doc_cleanup(struct leak_doc *d);

/* Detects what data (named name, for extensions as a hint only) holds. */
enum leak_doc_kind leak_doc_sniff(const char *name, const char *data, size_t n);

/* Detects and converts: d->kind, and d->text for converted kinds. Returns
 * LG_OK, or LG_EPARSE / LG_ELIMIT with d->why for a damaged or oversized
 * document (then nothing of it is read). */
enum lg_status leak_doc_open(struct leak_doc *d, const char *name, const char *data, size_t n);
/* The same conversion for a known kind (re-reading a place at lookup). */
enum lg_status leak_doc_convert(struct leak_doc *d, enum leak_doc_kind kind, const char *data, size_t n);

/* The format name stored per file ("csv", "pdf", "utf16le+csv",
 * "archive", ...) and the document kind back from it. */
const char *leak_doc_format_name(enum leak_doc_kind k, enum leak_format f);
enum leak_doc_kind leak_doc_kind_of(const char *format_name);

/* For a PDF's text: the 1-based page of byte pos and the text offset where
 * that page begins. */
unsigned leak_doc_page(const char *text, size_t n, size_t pos, size_t *page_start);

/* Calls member() for each regular member of the archive in data (ZIP, tar,
 * tar.gz/.bz2/.xz) with its path and inflated bytes (borrowed for the call);
 * a member over LEAK_MAX_MEMBER is reported through error() and skipped.
 * member() returns false to stop. Returns LG_OK, or LG_EPARSE (damaged:
 * members before the damage were delivered) / LG_ELIMIT (caps reached),
 * each also reported through error() with the member's name (NULL for the
 * archive as a whole). Inflated bytes are charged to bg (NULL: a budget of
 * its own from n); pass the same bg to nested calls from member(). */
enum lg_status leak_archive_each(const char *data, size_t n, struct leak_budget *bg,
				 bool (*member)(void *ctx, const char *name, const char *data, size_t n),
				 void (*error)(void *ctx, const char *name, const char *why), void *ctx);

#endif
