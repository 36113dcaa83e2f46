/* parse.c: request target, form, query and cookie parsing (parse.h). */
#include <string.h>

#include "portal/parse.h"
#include "util/ascii.h"

char *http_decode(struct arena *a, const char *s, size_t n, bool plus, size_t max, enum lg_status *rc)
{
	char *out = arena_alloc(a, n + 1);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n || ascii_hex_value((unsigned char)s[i + 1]) < 0 || ascii_hex_value((unsigned char)s[i + 2]) < 0) {
				*rc = LG_EPARSE;
				return NULL;
			}
			c = (unsigned char)(ascii_hex_value((unsigned char)s[i + 1]) << 4 | ascii_hex_value((unsigned char)s[i + 2]));
			i += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		}
		/* no control bytes: they split headers, logs and CSV lines */
		if (c < 0x20 || c == 0x7f) {
			*rc = LG_EPARSE;
			return NULL;
		}
		if (k == max) {
			*rc = LG_ELIMIT;
			return NULL;
		}
		out[k++] = (char)c;
	}
	out[k] = '\0';
	*rc = LG_OK;
	return out;
}

static enum lg_status add_param(struct http_params *out, const char *key, const char *value)
{
	if (out->n == HTTP_MAX_PARAMS)
		return LG_ELIMIT;
	out->p[out->n].key = key;
	out->p[out->n].value = value;
	out->n++;
	return LG_OK;
}

enum lg_status http_parse_form(struct arena *a, const char *s, size_t n, struct http_params *out)
{
	size_t i = 0;

	out->n = 0;
	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		size_t end = amp ? (size_t)(amp - s) : n;
		const char *eq = memchr(s + i, '=', end - i);
		size_t kend = eq ? (size_t)(eq - s) : end;
		enum lg_status rc;
		char *key, *value;

		if (end > i) {
			key = http_decode(a, s + i, kend - i, true, HTTP_MAX_KEY, &rc);
			if (!key)
				return rc;
			value = eq ? http_decode(a, eq + 1, end - kend - 1, true, HTTP_MAX_VALUE, &rc) : arena_strdup(a, "");
			if (!value)
				return rc;
			rc = add_param(out, key, value);
			if (rc)
				return rc;
		}
		i = end + 1;
	}
	return LG_OK;
}

/* RFC 6265 cookie-octet: visible ASCII but for '"', ',', ';' and '\'. */
static bool cookie_octets(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\')
			return false;
	}
	return true;
}

enum lg_status http_parse_cookies(struct arena *a, const char *s, size_t n, struct http_params *out)
{
	size_t i = 0;

	out->n = 0;
	if (n > HTTP_MAX_COOKIE)
		return LG_ELIMIT;
	while (i < n) {
		const char *semi = memchr(s + i, ';', n - i);
		size_t end = semi ? (size_t)(semi - s) : n, b = i, e = end;
		const char *eq;
		enum lg_status rc;

		while (b < e && (s[b] == ' ' || s[b] == '\t'))
			b++;
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
			e--;
		eq = memchr(s + b, '=', e - b);
		/* a malformed pair is skipped, as browsers do: one bad cookie set
		 * by another site on the domain must not lock a user out */
		if (eq && eq > s + b && (size_t)(eq - s - b) <= HTTP_MAX_KEY && (size_t)(s + e - eq - 1) <= HTTP_MAX_VALUE &&
		    cookie_octets(s + b, (size_t)(eq - s) - b) && cookie_octets(eq + 1, (size_t)(s + e - eq - 1))) {
			rc = add_param(out, arena_strndup(a, s + b, (size_t)(eq - s) - b),
				       arena_strndup(a, eq + 1, (size_t)(s + e - eq - 1)));
			if (rc)
				return rc;
		}
		i = end + 1;
	}
	return LG_OK;
}

/* One path segment: decoded, no "/" inside, not "." or "..". */
static enum lg_status add_seg(struct arena *a, const char *s, size_t n, struct http_target *out)
{
	enum lg_status rc;
	char *seg;

	if (out->nsegs == HTTP_MAX_SEGS)
		return LG_ELIMIT;
	seg = http_decode(a, s, n, false, HTTP_MAX_VALUE, &rc);
	if (!seg)
		return rc;
	if (strchr(seg, '/') || strchr(seg, '\\') || strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0)
		return LG_EPARSE;
	out->segs[out->nsegs++] = seg;
	return LG_OK;
}

enum lg_status http_parse_target(struct arena *a, const char *target, size_t n, struct http_target *out)
{
	const char *q = memchr(target, '?', n);
	size_t plen = q ? (size_t)(q - target) : n, i = 1;
	enum lg_status rc;

	memset(out, 0, sizeof(*out));
	if (n > HTTP_MAX_TARGET)
		return LG_ELIMIT;
	if (plen == 0 || target[0] != '/' || memchr(target, '#', n))
		return LG_EPARSE;
	while (i < plen) {
		const char *slash = memchr(target + i, '/', plen - i);
		size_t end = slash ? (size_t)(slash - target) : plen;

		if (end == i) /* "//": an empty segment no route has */
			return LG_EPARSE;
		rc = add_seg(a, target + i, end - i, out);
		if (rc)
			return rc;
		i = end + 1;
		if (slash && i == plen)
			out->trailing_slash = true;
	}
	return q ? http_parse_form(a, q + 1, n - plen - 1, &out->query) : LG_OK;
}

const char *http_param(const struct http_params *ps, const char *key)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].key, key) == 0)
			return ps->p[i].value;
	return NULL;
}
