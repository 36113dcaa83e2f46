/* reader.h: the readers of leak dump formats. Each takes the bytes of one
 * whole file and feeds its records to a collector (record.h); none opens
 * files, so all are unit-tested and fuzzed on bytes. Every reader has
 * explicit limits and reports what it cannot read with its line through
 * leak_rec_error() and goes on with the next record:
 *   text  one record per line (combo lists "email:password", free text);
 *         lines over LEAK_MAX_LINE are reported and skipped
 *   csv   RFC 4180 (quoted fields, "" escapes, quoted newlines), delimiter
 *         sniffed from , ; TAB |, header row mapped to roles (email, name,
 *         first/last name, phone, company, password, country); a quoted
 *         field open for over LEAK_MAX_CSV_LINES lines is reported and the
 *         reader resynchronises on the next line
 *   json  JSON Lines, a top-level array of records (streamed element by
 *         element), or one document up to LEAK_MAX_JSON_DOC (RFC 8259, via
 *         jansson, depth LEAK_MAX_JSON_DEPTH)
 *   mail  one RFC 5322 message or an mbox (RFC 4155), parsed with GMime:
 *         header addresses with display names, Organization, body addresses,
 *         phones and the name of a signature block */
#ifndef LG_LEAK_READER_H
#define LG_LEAK_READER_H

#include <stddef.h>

#include "leak/record.h"

#define LEAK_MAX_LINE (1024 * 1024)
#define LEAK_MAX_CSV_LINES 200
#define LEAK_MAX_CSV_FIELDS 256
#define LEAK_MAX_JSON_DOC (256 * 1024 * 1024)
#define LEAK_MAX_JSON_DEPTH 32

enum leak_format { LEAK_FMT_TEXT, LEAK_FMT_CSV, LEAK_FMT_JSON, LEAK_FMT_MAIL };

/* Picks the format from the file name's extension, else from the first
 * bytes (mail headers, "From " mbox line, '{' or '['). */
enum leak_format leak_format_sniff(const char *name, const char *data, size_t n);
const char *leak_format_name(enum leak_format f);

void leak_read(enum leak_format f, const char *data, size_t n, struct leak_collector *c);
void leak_read_text(const char *data, size_t n, struct leak_collector *c);
void leak_read_csv(const char *data, size_t n, struct leak_collector *c);
void leak_read_json(const char *data, size_t n, struct leak_collector *c);
void leak_read_mail(const char *data, size_t n, struct leak_collector *c);

/* Calls fn for each message of one RFC 5322 message or an mbox (RFC 4155)
 * in d[0..n): its bytes, byte offset and first line in d. */
void leak_mail_each(const char *d, size_t n,
		    void (*fn)(void *ctx, const char *raw, size_t len, uint64_t base, uint64_t line), void *ctx);

/* What a CSV column or JSON key holds, from its (case-insensitive) name. */
enum leak_role {
	LEAK_ROLE_OTHER, LEAK_ROLE_EMAIL, LEAK_ROLE_NAME, LEAK_ROLE_FIRST, LEAK_ROLE_LAST, LEAK_ROLE_PHONE,
	LEAK_ROLE_ORG, LEAK_ROLE_PASSWORD, LEAK_ROLE_COUNTRY, LEAK_ROLE_SKIP
};
enum leak_role leak_role_of(const char *name, size_t n);

/* Adds one field of a known role to the current record (shared by CSV and
 * JSON); first/last names are joined by the caller. */
void leak_rec_field(struct leak_collector *c, enum leak_role role, const char *s, size_t n, uint64_t pos);

#endif
