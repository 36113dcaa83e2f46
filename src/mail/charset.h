/* charset.h: a MIME text part's content as valid UTF-8, whatever it claims. */
#ifndef LG_MAIL_CHARSET_H
#define LG_MAIL_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include <gmime/gmime.h>

/* Most bytes of one part converted (so a huge part costs bounded work). */
#define CHARSET_MAX_INPUT (8 * 1024 * 1024)

/* Decodes the transfer encoding of part and converts its declared charset
 * (RFC 2046 charset parameter; US-ASCII when absent) to UTF-8. Invalid
 * sequences become U+FFFD and NUL bytes spaces, so the result is always a
 * valid C string. An unknown charset sets *bad_charset and the bytes are read
 * as Windows-1252. Returns a g_malloc'd string (caller g_free()s) and its
 * length, or NULL when the part has no content. */
char *charset_decode_part(GMimeTextPart *part, size_t *len, bool *bad_charset);

#endif
