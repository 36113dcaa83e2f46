/* extract.h: the business identifiers a phisher quotes to sound genuine —
 * invoice, order and contract numbers, project names, document titles —
 * found in text and normalised so that the way a leak wrote them and the
 * way a phish quotes them meet ("Invoice INV-2022-0413", "inv. no.
 * 2022/0413" and "INV20220413" all become the number core "20220413").
 *
 * Numbers count only when anchored: a keyword (invoice, order, PO,
 * contract, reference, ...) at most three words before, or as the token's
 * own prefix ("INV-2022-0413", "PO88213"); the core then needs 5 to 32
 * letters and digits with at least 3 digits. Project names are one to
 * three capitalised words after "Project"/"Projekt", unless the first is a
 * generic noun ("Project Manager"). Pure functions on bytes: no I/O, no
 * allocation; input may hold any bytes. Scanning stops after
 * CTX_MAX_SCAN bytes and CTX_MAX_ITEMS items, so cost is bounded. */
#ifndef LG_CONTEXT_EXTRACT_H
#define LG_CONTEXT_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>

#define CTX_MAX_SCAN (256u * 1024) /* bytes of one text scanned */
#define CTX_MAX_ITEMS 256          /* identifiers reported per text */
#define CTX_MAX_NORM 96            /* bytes of a normalised identifier */

/* What an identifier is; numbers of every kind share one normalised space,
 * so an order number quoted as an "invoice" still matches. */
enum ctx_kind {
	CTX_INVOICE = 1, CTX_ORDER, CTX_CONTRACT, CTX_PROJECT, CTX_TITLE, CTX_PERSON, CTX_KINDS
};

/* "invoice number", "project name", ... for sentences. */
const char *ctx_kind_name(enum ctx_kind k);
/* True for the number kinds (invoice, order, contract). */
bool ctx_kind_is_number(enum ctx_kind k);

/* Called per identifier: its kind, normalised form (NUL-terminated, borrowed
 * for the call) and the bytes as written in the text. */
typedef void (*ctx_item_fn)(void *ctx, enum ctx_kind kind, const char *norm, const char *orig, size_t olen);

/* Reports every anchored number and project name in s[0..n). Returns the
 * number reported. */
size_t ctx_items_scan(const char *s, size_t n, ctx_item_fn fn, void *ctx);

/* A document title from a file name or a subject: the name without its
 * directories (and "archive!" prefixes), extension, "Re:"/"Fwd:" prefixes,
 * lower-cased, every run of other characters one space. Writes at most
 * CTX_MAX_NORM bytes + NUL into out; returns the length, 0 when what is
 * left is shorter than 6 bytes, one word, or holds no letter (too generic
 * to tell: "signature.asc", "image001.png"). */
size_t ctx_title_norm(const char *s, size_t n, bool is_file, char *out);

/* A subject without reply and forward prefixes ("Re: AW: Fwd:"), for
 * threads: lower-cased, white space collapsed, into out (CTX_MAX_NORM + 1).
 * Sets *reply when a reply prefix was present. Returns the length. */
size_t ctx_subject_norm(const char *s, bool *reply, char *out);

/* Words only: lower-cased, every run of other characters one space
 * ("  Jane  O'Neil " -> "jane o neil"), into out (CTX_MAX_NORM + 1). */
size_t ctx_words_norm(const char *s, size_t n, char *out);

#endif
