/* escape.c: see escape.h. */
#include <string.h>

#include "util/alloc.h"
#include "util/escape.h"

/* The code point of the UTF-8 sequence at s (of n bytes left) when it is
 * one of the screen-reordering or C1 characters, else 0; *len its length. */
static unsigned dangerous_utf8(const unsigned char *s, size_t n, size_t *len)
{
	unsigned cp;

	if (n >= 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
		*len = 2;
		return s[1];
	}
	if (n >= 3 && s[0] == 0xe2 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		cp = 0x2000u | ((unsigned)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
		if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
			*len = 3;
			return cp;
		}
	}
	return 0;
}

void escape_controls(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t len = 1;
		unsigned cp = dangerous_utf8(u + i, n - i, &len);

		if (cp)
			buf_appendf(b, "\\u{%04X}", cp);
		else if (u[i] < 0x20 || u[i] == 0x7f)
			buf_appendf(b, "\\x%02X", u[i]);
		else if (u[i] == '\\')
			buf_append(b, "\\\\", 2);
		else
			buf_putc(b, (char)u[i]);
		i += len;
	}
}

char *escape_controls_dup(const char *s)
{
	struct buf b;
	char *out;

	buf_init(&b);
	escape_controls(&b, s, strlen(s));
	out = lg_strdup(b.data ? b.data : "");
	buf_cleanup(&b);
	return out;
}
