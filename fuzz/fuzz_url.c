/* fuzz_url.c: libFuzzer harness for src/mail/url.c.
 *
 * The input is treated as mail text: every URL url_extract finds goes through
 * url_parse, url_unwrap_redirect and url_defang, and so does the whole input
 * as one string (up to its first NUL). Checked beyond ASan/UBSan: found URLs
 * lie inside the input and are not empty, a parsed URL has a non-empty host,
 * and a defanged string holds no live "http://", "https://" or "ftp://". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/url.h"
#include "util/arena.h"

struct ctx {
	struct arena *a;
	const char *start, *end;
};

static char lower(unsigned char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

static int has_live_scheme(const char *s)
{
	static const char *const live[] = { "http://", "https://", "ftp://" };
	size_t i, k, n;

	for (; *s; s++) {
		for (k = 0; k < 3; k++) {
			n = strlen(live[k]);
			for (i = 0; i < n && s[i]; i++)
				if (lower((unsigned char)s[i]) != live[k][i])
					break;
			if (i == n)
				return 1;
		}
	}
	return 0;
}

static void exercise(struct arena *a, const char *s)
{
	struct url_parts u;
	const char *t;

	if (url_parse(a, s, &u) && (!u.host || !*u.host || !u.scheme || !u.path))
		abort();
	t = url_unwrap_redirect(a, s);
	if (t && url_parse(a, t, &u) && !*u.host)
		abort();
	if (has_live_scheme(url_defang(a, s)))
		abort();
}

static bool found(void *ctx, const char *url, size_t len)
{
	struct ctx *c = ctx;

	if (len == 0 || url < c->start || url + len > c->end)
		abort();
	exercise(c->a, arena_strndup(c->a, url, len));
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c;

	c.a = arena_new();
	c.start = (const char *)data;
	c.end = c.start + size;
	url_extract(c.start, size, found, &c);
	exercise(c.a, arena_strndup(c.a, c.start, size));
	arena_free(&c.a);
	return 0;
}
