/* codec.h: the two MIME content-transfer-encodings a warning banner has to be
 * written into without disturbing what is already there: quoted-printable
 * (RFC 2045 section 6.7) and base64 (RFC 2045 section 6.8).
 *
 * Pure functions on bytes. Decoding is lenient the way mail readers are
 * (a stray '=' stays literal, whitespace and line breaks inside base64 are
 * skipped), so the bytes a banner is placed in front of decode exactly as the
 * reader would have shown them. */
#ifndef LG_MILTER_CODEC_H
#define LG_MILTER_CODEC_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Appends the quoted-printable decoding of src to out. Soft line breaks
 * ("=" before a line end, trailing blanks allowed) vanish, hard line breaks
 * are kept as written (CRLF or LF), "=XX" becomes one byte, and anything
 * else is copied. Returns the number of bytes appended. */
size_t codec_qp_decode(const char *src, size_t len, struct buf *out);

/* Where decoded byte `decoded_off` of src starts in src: the encoded offset a
 * banner must be inserted at so that it decodes in front of that byte.
 * Returns len when decoded_off is at or past the end of the decoding. */
size_t codec_qp_offset(const char *src, size_t len, size_t decoded_off);

/* Appends src encoded as quoted-printable to out. A '\n' in src (with or
 * without a '\r' before it) becomes a hard line break written as eol; soft
 * breaks keep every encoded line within 76 characters, counting from column
 * `col` for the first line. Blanks before a line break are encoded, so no
 * transport can strip them. Returns the column the output ends at. */
size_t codec_qp_encode(const char *src, size_t len, const char *eol, size_t col, struct buf *out);

/* Appends the base64 decoding of src to out as leniently as mail readers
 * decode it: characters outside the alphabet (whitespace, stray bytes) are
 * ignored (RFC 2045 section 6.8), and '=' ends one encoding, data after it
 * starting a new one (two encodings run together). Returns true. */
bool codec_base64_decode(const char *src, size_t len, struct buf *out);

/* Appends src encoded as base64 in lines of line_len characters (rounded
 * down to a multiple of 4; 76 when that leaves nothing), joined by eol, with
 * no line break after the last line. */
void codec_base64_encode(const char *src, size_t len, size_t line_len, const char *eol, struct buf *out);

#endif
