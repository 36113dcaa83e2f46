/* url.h: find URLs in text and take them apart (RFC 3986, as browsers
 * tolerate it). Pure functions, no I/O; results live in the caller's arena. */
#ifndef LG_MAIL_URL_H
#define LG_MAIL_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

struct url_parts {
	const char *scheme;   /* lower case, "" when none ("www.x.com" gets "http") */
	const char *userinfo; /* text before '@' in the authority, NULL when none */
	const char *host;     /* lower case, without brackets or trailing dot */
	const char *path;     /* from the first '/', "" when none; query excluded */
	const char *query;    /* after '?', NULL when none */
	bool host_is_ip;      /* IPv4 (also decimal/hex/octal forms) or IPv6 literal */
	bool host_is_punycode;/* a label starts with "xn--" */
	bool host_has_non_ascii;
};

/* Called for each URL found; url is not NUL-terminated. Return false to stop. */
typedef bool (*url_found_fn)(void *ctx, const char *url, size_t len);

/* Scans text for URLs: "scheme://..." for http, https, ftp, and "www."
 * starting a word. Trailing punctuation that closes a sentence is not part of
 * the URL. Returns the number found. */
size_t url_extract(const char *text, size_t len, url_found_fn fn, void *ctx);

/* Parses url into parts. Returns false when no host can be found. */
bool url_parse(struct arena *a, const char *url, struct url_parts *out);

/* If url is a known redirector or link wrapper (Microsoft safelinks, Google
 * /url?q=, Proofpoint urldefense v2/v3, Mimecast-like ?url=, generic
 * ?url=/?u=/?target=/?redirect= on known hosts), returns the decoded target
 * URL; NULL otherwise. Unwraps at most 4 levels. */
const char *url_unwrap_redirect(struct arena *a, const char *url);

/* Writes a non-clickable form of s ("hxxps://evil[.]com/x") into the arena. */
const char *url_defang(struct arena *a, const char *s);

#endif
