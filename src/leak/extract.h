/* extract.h: finding and normalising the values a leak is indexed by —
 * email addresses (RFC 5321 addr-spec, lower-cased), phone numbers (ITU-T
 * E.164 where the country is known), person and organisation names — and
 * redacting the context snippet shown to a user. Pure functions on bytes:
 * no I/O, no allocation except into a caller's buffer. Input may hold any
 * bytes (NULs, invalid UTF-8); outputs are bounded by the LEAK_MAX_* sizes. */
#ifndef LG_LEAK_EXTRACT_H
#define LG_LEAK_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

#define LEAK_MAX_EMAIL 254 /* RFC 5321 path limit */
#define LEAK_MAX_PHONE 24
#define LEAK_MAX_NAME 128
#define LEAK_SNIPPET_MAX 120 /* bytes of context shown around a hit */

/* Finds the next email address in s[from..n): sets *start and *end to its bytes
 * and returns true, or returns false when there is none. */
bool leak_email_find(const char *s, size_t n, size_t from, size_t *start, size_t *end);

/* Normalises an address (lower case, surrounding "<>", "mailto:" and
 * trailing dots removed) into out (LEAK_MAX_EMAIL + 1 bytes). Returns its
 * length and sets *at to the index of '@'; 0 when it is not an address. */
size_t leak_email_norm(const char *s, size_t n, char *out, size_t *at);

/* Normalises a phone number into out (LEAK_MAX_PHONE + 1 bytes): "+CC..."
 * (E.164) when it is written internationally ("+49 30 1234", "0049...") or
 * when cc (a country calling code, 0 for unknown) supplies the country of a
 * national number ("030 1234" with cc 49); otherwise the national digits.
 * Returns the length, 0 when it is not a phone number (fewer than 7 or more
 * than 15 digits, or letters inside). */
size_t leak_phone_norm(const char *s, size_t n, int cc, char *out);

/* The country calling code for a domain's top-level domain ("de" -> 49),
 * or for a country name or ISO code ("Germany", "DE"); 0 when unknown. */
int leak_cc_of_tld(const char *domain);
int leak_cc_of_country(const char *s, size_t n);

/* Normalises a person or organisation name into out (LEAK_MAX_NAME + 1):
 * trimmed, inner white space collapsed, lower-cased, "Doe, Jane" turned
 * into "jane doe" when person is true. Returns 0 when it holds no letter,
 * holds '@', digits (person names) or is too long. */
size_t leak_name_norm(const char *s, size_t n, bool person, char *out);

/* True when line (one line of a message body) looks like a person's name in
 * a signature: two to four capitalised words of letters. */
bool leak_looks_like_name(const char *s, size_t n);

/* Appends to out a redacted context snippet for a hit at s[hit]: at most
 * LEAK_SNIPPET_MAX bytes of the same line around it, with every email's
 * local part reduced to its first character ("j***@example.com"), every
 * run of 4+ digits masked but its last two, and whatever follows an
 * address in "email:secret" form replaced by "[password]". When
 * password is true only the hit itself is shown (redacted), followed by
 * " [password present]". The result is valid UTF-8. */
void leak_redact(const char *s, size_t n, size_t hit, bool password, struct buf *out);

#endif
