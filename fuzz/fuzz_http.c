/* fuzz_http.c: libFuzzer harness for src/portal/parse.c, the portal's
 * request parsing (request target, form bodies, Cookie headers) and for
 * html_escape, which every value shown on a page passes through.
 *
 * The first byte picks the parser; the rest is its input. Checked beyond
 * ASan/UBSan: every decoded key and value is NUL-terminated within its
 * limit and holds no control byte; no path segment is "." or ".." or holds
 * "/"; counts stay within their limits; escaped text holds no '<', '>',
 * '"' or '\''. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "portal/html.h"
#include "portal/parse.h"
#include "util/arena.h"
#include "util/buf.h"

static void check_text(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

static void check_params(const struct http_params *ps, size_t kmax, size_t vmax)
{
	if (ps->n > HTTP_MAX_PARAMS)
		abort();
	for (size_t i = 0; i < ps->n; i++) {
		check_text(ps->p[i].key, kmax);
		check_text(ps->p[i].value, vmax);
	}
}

static void check_escape(const char *s)
{
	struct buf b;

	buf_init(&b);
	html_escape(&b, s);
	if (b.data && strpbrk(b.data, "<>\"'"))
		abort();
	buf_cleanup(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;
	const char *s = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;

	if (size == 0)
		return 0;
	a = arena_new();
	switch (data[0] % 4) {
	case 0: {
		struct http_target t;

		if (http_parse_target(a, s, n, &t) == LG_OK) {
			if (t.nsegs > HTTP_MAX_SEGS)
				abort();
			for (size_t i = 0; i < t.nsegs; i++) {
				check_text(t.segs[i], HTTP_MAX_VALUE);
				if (strchr(t.segs[i], '/') || !strcmp(t.segs[i], ".") || !strcmp(t.segs[i], ".."))
					abort();
			}
			check_params(&t.query, HTTP_MAX_KEY, HTTP_MAX_VALUE);
		}
		break;
	}
	case 1: {
		struct http_params ps;

		if (http_parse_form(a, s, n, &ps) == LG_OK)
			check_params(&ps, HTTP_MAX_KEY, HTTP_MAX_VALUE);
		break;
	}
	case 2: {
		struct http_params ps;

		if (http_parse_cookies(a, s, n, &ps) == LG_OK)
			check_params(&ps, HTTP_MAX_KEY, HTTP_MAX_VALUE);
		break;
	}
	default:
		check_escape(arena_strndup(a, s, n));
	}
	arena_free(&a);
	return 0;
}
