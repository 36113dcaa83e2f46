/* fuzz_html.c: libFuzzer harness for html_extract (src/mail/html.c).
 *
 * Besides memory errors (ASan) and undefined behaviour (UBSan), it checks the
 * promises of html.h: the text is NUL-terminated at text_len, within
 * max_text, valid UTF-8, and every link has a URL (and an <a> its text). The
 * input is run twice, with the message limit and with a small one, so the
 * truncation paths are fuzzed too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/html.h"

/* True when s[0..n) is well-formed UTF-8 (no overlongs, surrogates, or
 * code points past U+10FFFF). */
static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;
	unsigned cp, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xC2 && s[i] <= 0xDF)
			len = 2, min = 0x80, cp = s[i] & 0x1F;
		else if (s[i] >= 0xE0 && s[i] <= 0xEF)
			len = 3, min = 0x800, cp = s[i] & 0x0F;
		else if (s[i] >= 0xF0 && s[i] <= 0xF4)
			len = 4, min = 0x10000, cp = s[i] & 0x07;
		else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

static void check(const char *html, size_t size, size_t max)
{
	struct arena *a = arena_new();
	struct html_result r;
	size_t i;

	html_extract(a, html, size, max, &r);
	if (!r.text || r.text_len > max || strlen(r.text) != r.text_len ||
	    !valid_utf8((const unsigned char *)r.text, r.text_len))
		abort();
	if (r.nlinks > MAIL_MAX_LINKS)
		abort();
	for (i = 0; i < r.nlinks; i++) {
		if (!r.links[i].url || !*r.links[i].url)
			abort();
		if ((r.links[i].origin == MAIL_LINK_HTML_A) != (r.links[i].text != NULL))
			abort();
	}
	arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check((const char *)data, size, MAIL_MAX_TEXT);
	check((const char *)data, size, size / 3);
	return 0;
}
