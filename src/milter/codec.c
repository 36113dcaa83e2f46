/* codec.c: quoted-printable and base64 for banner insertion (see codec.h,
 * RFC 2045 sections 6.7 and 6.8). */
#include <string.h>

#include "milter/codec.h"
#include "util/ascii.h"

#define QP_LINE_MAX 76

/* Decodes one step at s[i]: *byte gets the decoded byte, or -1 when the step
 * produced none (a soft line break). Returns the offset after the step. Both
 * the decoder and the offset finder walk with this, so they always agree. */
static size_t qp_step(const char *s, size_t len, size_t i, int *byte)
{
	size_t j;
	int hi, lo;

	if (s[i] != '=') {
		*byte = (unsigned char)s[i];
		return i + 1;
	}
	if (i + 2 < len && (hi = ascii_hex_value((unsigned char)s[i + 1])) >= 0 &&
	    (lo = ascii_hex_value((unsigned char)s[i + 2])) >= 0) {
		*byte = hi * 16 + lo;
		return i + 3;
	}
	/* A soft break: '=', optional blanks, then a line end or the end. */
	for (j = i + 1; j < len && (s[j] == ' ' || s[j] == '\t'); j++)
		;
	if (j == len) {
		*byte = -1;
		return j;
	}
	if (s[j] == '\n' || (s[j] == '\r' && j + 1 < len && s[j + 1] == '\n')) {
		*byte = -1;
		return j + (s[j] == '\r' ? 2 : 1);
	}
	*byte = '=';
	return i + 1;
}

size_t codec_qp_decode(const char *src, size_t len, struct buf *out)
{
	size_t i = 0, n = 0;
	int byte;

	while (i < len) {
		i = qp_step(src, len, i, &byte);
		if (byte >= 0) {
			buf_putc(out, (char)byte);
			n++;
		}
	}
	return n;
}

size_t codec_qp_offset(const char *src, size_t len, size_t decoded_off)
{
	size_t i = 0, n = 0, at;
	int byte;

	while (i < len) {
		at = i;
		i = qp_step(src, len, i, &byte);
		if (byte < 0)
			continue;
		if (n == decoded_off)
			return at;
		n++;
	}
	return len;
}

static bool at_line_end(const char *s, size_t len, size_t i)
{
	return i >= len || s[i] == '\n' || (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n');
}

size_t codec_qp_encode(const char *src, size_t len, const char *eol, size_t col, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		bool encode;
		size_t width;

		if (c == '\r' && i + 1 < len && src[i + 1] == '\n')
			continue;
		if (c == '\n') {
			buf_append(out, eol, strlen(eol));
			col = 0;
			continue;
		}
		encode = c == '=' || c > 126 || (c < 32 && c != '\t') ||
			 ((c == ' ' || c == '\t') && at_line_end(src, len, i + 1));
		width = encode ? 3 : 1;
		/* Keep room for the '=' of a soft break within the 76. */
		if (col + width > QP_LINE_MAX - 1) {
			buf_putc(out, '=');
			buf_append(out, eol, strlen(eol));
			col = 0;
		}
		if (encode) {
			char e[3] = {'=', hex[c >> 4], hex[c & 15]};

			buf_append(out, e, 3);
		} else {
			buf_putc(out, (char)c);
		}
		col += width;
	}
	return col;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool codec_base64_decode(const char *src, size_t len, struct buf *out)
{
	unsigned acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		int v;

		/* Padding ends one encoding; what follows it (two encodings run
		 * together) starts afresh, as readers decode it. */
		if (c == '=') {
			acc = 0;
			bits = 0;
			continue;
		}
		/* RFC 2045 section 6.8: characters outside the alphabet are
		 * ignored, as every mail reader does. */
		if ((v = b64_value(c)) < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(out, (char)((acc >> bits) & 0xff));
		}
	}
	return true;
}

void codec_base64_encode(const char *src, size_t len, size_t line_len, const char *eol, struct buf *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)src;
	size_t col = 0;

	line_len -= line_len % 4;
	if (line_len == 0)
		line_len = 76;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		char q[4];

		if (i + 1 < len)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		q[0] = alphabet[(v >> 18) & 63];
		q[1] = alphabet[(v >> 12) & 63];
		q[2] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? alphabet[v & 63] : '=';
		if (col == line_len) {
			buf_append(out, eol, strlen(eol));
			col = 0;
		}
		buf_append(out, q, 4);
		col += 4;
	}
}
