/* parse.h: the portal's request parsing — the request target (RFC 9112
 * section 3.2 origin-form: path and query), percent-decoding (RFC 3986
 * section 2.1), application/x-www-form-urlencoded bodies (WHATWG URL
 * standard, section 5) and the Cookie header (RFC 6265 section 5.4).
 *
 * Pure functions on bytes: no I/O, every result in the caller's arena.
 * Everything untrusted passes here first, with explicit limits (LG_ELIMIT)
 * and strict rejection (LG_EPARSE) of what a browser never sends: NUL or
 * control bytes after decoding, bad escapes, "." and ".." path segments,
 * an encoded "/" inside a segment. fuzz/fuzz_http.c fuzzes all of it. */
#ifndef LG_PORTAL_PARSE_H
#define LG_PORTAL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/status.h"

#define HTTP_MAX_TARGET 2048 /* request target bytes */
#define HTTP_MAX_PARAMS 32   /* query, form fields or cookies */
#define HTTP_MAX_KEY 64      /* decoded name bytes */
#define HTTP_MAX_VALUE 1024  /* decoded value bytes */
#define HTTP_MAX_SEGS 8      /* path segments */
#define HTTP_MAX_COOKIE 4096 /* Cookie header bytes */

struct http_param {
	const char *key, *value; /* decoded, NUL-terminated, in the arena */
};

struct http_params {
	struct http_param p[HTTP_MAX_PARAMS];
	size_t n;
};

struct http_target {
	const char *segs[HTTP_MAX_SEGS]; /* decoded path segments; "/" has none */
	size_t nsegs;
	bool trailing_slash;             /* "/a/" rather than "/a" */
	struct http_params query;
};

/* Percent-decodes s[0..n) ('+' as space when plus is true). NULL with
 * *rc = LG_EPARSE on a bad escape or a decoded control byte (tab, CR, LF,
 * NUL, DEL...), LG_ELIMIT past max bytes. */
char *http_decode(struct arena *a, const char *s, size_t n, bool plus, size_t max, enum lg_status *rc);

/* Splits "/a/b?x=1" into segments and query parameters. */
enum lg_status http_parse_target(struct arena *a, const char *target, size_t n, struct http_target *out);

/* Parses "k=v&k2=v2" (form body or query); a name without '=' gets "". */
enum lg_status http_parse_form(struct arena *a, const char *s, size_t n, struct http_params *out);

/* Parses "a=1; b=2" (a Cookie header); values are not percent-decoded
 * (RFC 6265 leaves them opaque) but must be cookie-octets. */
enum lg_status http_parse_cookies(struct arena *a, const char *s, size_t n, struct http_params *out);

/* The value of the first parameter named key, NULL when absent. */
const char *http_param(const struct http_params *ps, const char *key);

#endif
