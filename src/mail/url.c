/* url.c: see url.h. Finding, splitting, unwrapping and defanging URLs.
 *
 * Splitting follows RFC 3986's generic syntax, bent the way the WHATWG URL
 * Standard says browsers bend it, because what matters is where a click
 * really goes: tabs and newlines inside a URL are ignored, backslashes count
 * as slashes and any number of them may follow "http:", the userinfo ends at
 * the last '@' of the authority, the host is percent-decoded, and a host that
 * ends in a number is IPv4 in any of its decimal, octal or hex spellings
 * ("http://3232235777/" is 192.168.1.1).
 *
 * Unwrapping knows the link rewriters mail passes through: Microsoft Defender
 * Safe Links (?url=), Google (/url?q=), Proofpoint URL Defense v1/v2 (?u=,
 * with '-' for '%' and '_' for '/') and v3 (/v3/__URL__;CODES!!, where each
 * '*' stands for a character base64url-encoded in CODES).
 *
 * Every function is a bounded forward scan; nothing allocates per character
 * and results live in the caller's arena. */
#include <string.h>

#include "mail/url.h"
#include "util/ascii.h"

#define UNWRAP_LEVELS 4

struct out {
	char *buf; /* NULL: only count */
	size_t n;
};

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

static int hex_value(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	c = ascii_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes %XX escapes of s[0..n) into the arena. "%00" and broken escapes
 * stay as written, so the result is always a C string of what was meant. */
static char *percent_decode(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1), *w = d;
	size_t i;

	for (i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '%' && n - i >= 3 && (hi = hex_value((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hex_value((unsigned char)s[i + 2])) >= 0 && (hi || lo)) {
			*w++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			*w++ = s[i];
		}
	}
	*w = '\0';
	return d;
}

/* ---- url_extract ---- */

/* Bytes that end a URL in running text: whitespace, controls, the quotes
 * and angle brackets that usually surround one. */
static bool ends_url(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];

	if (c <= ' ' || c == 0x7F || c == '<' || c == '>' || c == '"' || c == '\'')
		return true;
	/* Unicode spaces: U+00A0, U+2000..U+200B, U+2028/9, U+3000. */
	if (c == 0xC2 && left >= 2 && s[1] == 0xA0)
		return true;
	if (c == 0xE2 && left >= 3 && s[1] == 0x80 &&
	    (s[2] <= 0x8B || s[2] == 0xA8 || s[2] == 0xA9))
		return true;
	return c == 0xE3 && left >= 3 && s[1] == 0x80 && s[2] == 0x80;
}

static bool is_host_start(unsigned char c)
{
	return is_alnum(c) || c >= 0x80;
}

/* If a URL begins at or (for a scheme) just before text[i], returns its
 * start and sets *body to where its host should begin. Schemes are found
 * from their "://", so the scan looks at ':' and 'w' only. */
static bool url_start(const char *text, size_t len, size_t i, size_t floor,
		      size_t *start, size_t *body)
{
	static const char *const schemes[] = { "https", "http", "ftp" };
	unsigned char prev;
	size_t k, n;

	if (text[i] == ':') {
		if (len - i < 3 || text[i + 1] != '/' || text[i + 2] != '/')
			return false;
		for (k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
			n = strlen(schemes[k]);
			if (i - floor >= n && ascii_same_ci(text + i - n, schemes[k], n)) {
				*start = i - n;
				*body = i + 3;
				return true;
			}
		}
		return false;
	}
	if (len - i < 5 || !ascii_same_ci(text + i, "www.", 4) ||
	    !is_host_start((unsigned char)text[i + 4]))
		return false;
	/* "www." must start a word: not "awww.", "user@www.", "x.www." */
	prev = i ? (unsigned char)text[i - 1] : ' ';
	if (is_alnum(prev) || prev >= 0x80 || strchr(".-_@/", prev))
		return false;
	*start = i;
	*body = i + 4;
	return true;
}

/* Drops sentence punctuation and unbalanced closing brackets from the end:
 * "(see http://x.org/a_(b))." keeps "http://x.org/a_(b)". */
static size_t trim_tail(const char *text, size_t start, size_t stop)
{
	long depth[3] = { 0, 0, 0 };
	static const char opens[] = "([{", closes[] = ")]}";
	const char *o;
	size_t i;

	for (i = start; i < stop; i++) {
		if ((o = memchr(opens, text[i], 3)) != NULL)
			depth[o - opens]++;
		else if ((o = memchr(closes, text[i], 3)) != NULL)
			depth[o - closes]--;
	}
	while (stop > start) {
		char c = text[stop - 1];

		if (memchr(".,;:!?", c, 6)) {
			stop--;
			continue;
		}
		o = memchr(closes, c, 3);
		if (!o || depth[o - closes] >= 0)
			break;
		depth[o - closes]++;
		stop--;
	}
	return stop;
}

size_t url_extract(const char *text, size_t len, url_found_fn fn, void *ctx)
{
	size_t i = 0, floor = 0, found = 0, start, body, stop;

	if (!text)
		return 0;
	while (i < len) {
		char c = text[i];

		if ((c != ':' && c != 'w' && c != 'W') ||
		    !url_start(text, len, i, floor, &start, &body)) {
			i++;
			continue;
		}
		for (stop = body; stop < len; stop++)
			if (ends_url((const unsigned char *)text + stop, len - stop))
				break;
		stop = trim_tail(text, start, stop);
		if (stop <= body ||
		    !(is_host_start((unsigned char)text[body]) || text[body] == '[')) {
			i = body;
			continue;
		}
		found++;
		if (!fn(ctx, text + start, stop - start))
			break;
		i = floor = stop;
	}
	return found;
}

/* ---- url_parse ---- */

/* The schemes whose URLs always have a host and tolerate "http:\\x" and
 * "http:x" (WHATWG "special" schemes, less file:). */
static bool is_special(const char *scheme)
{
	return !strcmp(scheme, "http") || !strcmp(scheme, "https") || !strcmp(scheme, "ftp") ||
	       !strcmp(scheme, "ws") || !strcmp(scheme, "wss");
}

/* Length of an RFC 3986 scheme followed by ':' at the start of s, or 0. */
static size_t scheme_len(const char *s)
{
	size_t n = 0;

	if (!is_alpha((unsigned char)s[0]))
		return 0;
	while (is_alnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' || s[n] == '.')
		n++;
	return s[n] == ':' ? n : 0;
}

/* What a browser does first: drop surrounding spaces and controls and every
 * tab and newline inside ("ht\ntp://" is "http://"). */
static char *clean(struct arena *a, const char *url)
{
	size_t n = strlen(url), i;
	char *d, *w;

	while (n && (unsigned char)url[n - 1] <= ' ')
		n--;
	while (n && (unsigned char)*url <= ' ')
		url++, n--;
	d = w = arena_alloc(a, n + 1);
	for (i = 0; i < n; i++)
		if (url[i] != '\t' && url[i] != '\n' && url[i] != '\r')
			*w++ = url[i];
	*w = '\0';
	return d;
}

static char *lower_dup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_strndup(a, s, n);
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = (char)ascii_lower((unsigned char)d[i]);
	return d;
}

/* One IPv4 part: decimal, 0x-hex (digits optional) or 0-octal, as in the
 * WHATWG IPv4 number parser. False when not a number. */
static bool ipv4_number(const char *s, size_t n, unsigned long long *v)
{
	unsigned base = 10;
	size_t i;
	int d;

	if (n == 0)
		return false;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2, n -= 2;
	else if (n >= 2 && s[0] == '0')
		base = 8, s++, n--;
	*v = 0;
	for (i = 0; i < n; i++) {
		d = hex_value((unsigned char)s[i]);
		if (d < 0 || (unsigned)d >= base)
			return false;
		if (*v < (1ULL << 40)) /* far past 2^32: the value is too big anyway */
			*v = *v * base + (unsigned)d;
	}
	return true;
}

/* True when host is an IPv4 address in any form a browser accepts: one to
 * four numeric parts, the last filling the remaining bytes. */
static bool is_ipv4(const char *host)
{
	unsigned long long v;
	const char *p = host, *dot;
	size_t parts = 0, n;
	unsigned long long val[4];

	for (;;) {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (parts == 4 || !ipv4_number(p, n, &v))
			return false;
		val[parts++] = v;
		if (!dot)
			break;
		p = dot + 1;
	}
	for (n = 0; n + 1 < parts; n++)
		if (val[n] > 255)
			return false;
	return val[parts - 1] < (1ULL << (8 * (5 - parts)));
}

/* IDNA maps the ideographic full stops to '.'; browsers do too. */
static size_t ideographic_dot(const unsigned char *s)
{
	if ((s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x82) ||
	    (s[0] == 0xEF && s[1] == 0xBC && s[2] == 0x8E) ||
	    (s[0] == 0xEF && s[1] == 0xBD && s[2] == 0xA1))
		return 3;
	return 0;
}

/* The host as a browser would look it up: percent-decoded, ASCII lower
 * case, ideographic dots as '.', no trailing dot. */
static char *host_normalise(struct arena *a, const char *s, size_t n)
{
	char *d = percent_decode(a, s, n), *r, *w;
	size_t k;

	for (r = w = d; *r;) {
		if ((unsigned char)*r >= 0x80 && (k = ideographic_dot((unsigned char *)r)) > 0) {
			*w++ = '.';
			r += k;
		} else {
			*w++ = (char)ascii_lower((unsigned char)*r++);
		}
	}
	while (w > d && w[-1] == '.')
		w--;
	*w = '\0';
	return d;
}

static void host_flags(struct url_parts *out)
{
	const char *h = out->host, *p;

	for (p = h; *p; p++)
		if ((unsigned char)*p >= 0x80)
			out->host_has_non_ascii = true;
	for (p = h; p; p = strchr(p, '.')) {
		if (*p == '.')
			p++;
		if (!strncmp(p, "xn--", 4))
			out->host_is_punycode = true;
	}
	if (!out->host_is_ip)
		out->host_is_ip = is_ipv4(h);
}

/* Splits "userinfo@host:port" (s[0..n)) into out. False when no host. */
static bool authority(struct arena *a, const char *s, size_t n, struct url_parts *out)
{
	const char *at = NULL, *h, *e = s + n, *close;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '@')
			at = s + i;
	if (at)
		out->userinfo = arena_strndup(a, s, (size_t)(at - s));
	h = at ? at + 1 : s;
	if (h < e && *h == '[') {
		close = memchr(h, ']', (size_t)(e - h));
		if (!close)
			return false;
		out->host = lower_dup(a, h + 1, (size_t)(close - h - 1));
		out->host_is_ip = true;
	} else {
		const char *colon = memchr(h, ':', (size_t)(e - h));

		out->host = host_normalise(a, h, (size_t)((colon ? colon : e) - h));
	}
	if (!*out->host)
		return false;
	host_flags(out);
	return true;
}

bool url_parse(struct arena *a, const char *url, struct url_parts *out)
{
	const char *s, *p, *q;
	bool special;
	size_t k;
	char *path, *w;

	memset(out, 0, sizeof(*out));
	if (!url)
		return false;
	s = clean(a, url);
	if (ascii_starts_ci(s, "www.")) {
		out->scheme = "http";
		p = s;
	} else if ((k = scheme_len(s)) > 0) {
		out->scheme = lower_dup(a, s, k);
		p = s + k + 1;
		if (is_special(out->scheme))
			p += strspn(p, "/\\");
		else if (p[0] == '/' && p[1] == '/')
			p += 2;
		else
			return false; /* mailto:, javascript:, data: have no host */
	} else if (s[0] == '/' && s[1] == '/') {
		out->scheme = "";
		p = s + 2;
	} else {
		return false;
	}
	special = !*out->scheme || is_special(out->scheme);
	q = p + strcspn(p, special ? "/\\?#" : "/?#");
	if (!authority(a, p, (size_t)(q - p), out))
		return false;
	k = strcspn(q, "?#");
	path = arena_strndup(a, q, k);
	for (w = path; special && *w; w++)
		if (*w == '\\')
			*w = '/';
	out->path = path;
	if (q[k] == '?')
		out->query = arena_strndup(a, q + k + 1, strcspn(q + k + 1, "#"));
	return true;
}

/* ---- url_unwrap_redirect ---- */

/* Returns the percent-decoded value of the first parameter called name in
 * a query string, or NULL. */
static const char *query_param(struct arena *a, const char *query, const char *name)
{
	size_t n = strlen(name), len;
	const char *p = query;

	while (p && *p) {
		len = strcspn(p, "&");
		if (len > n && p[n] == '=' && ascii_same_ci(p, name, n))
			return percent_decode(a, p + n + 1, len - n - 1);
		p = p[len] ? p + len + 1 : NULL;
	}
	return NULL;
}

static bool host_within(const char *host, const char *parent)
{
	size_t h = strlen(host), n = strlen(parent);

	return h == n ? !strcmp(host, parent)
		      : h > n && host[h - n - 1] == '.' && !strcmp(host + h - n, parent);
}

/* google.com, www.google.de, google.co.uk ... */
static bool is_google(const char *host)
{
	const char *rest;

	if (!strncmp(host, "www.", 4))
		host += 4;
	if (strncmp(host, "google.", 7))
		return false;
	rest = host + 7;
	return strlen(rest) <= 6 && strchr(rest, '.') == strrchr(rest, '.');
}

static bool is_http(const char *s)
{
	return s && (ascii_starts_ci(s, "http://") || ascii_starts_ci(s, "https://"));
}

/* Proofpoint v2 writes '%' as '-' and '/' as '_' so the target survives
 * inside a query. */
static const char *proofpoint_v2(struct arena *a, const char *u)
{
	char *t = arena_strdup(a, u), *p;

	for (p = t; *p; p++) {
		if (*p == '-')
			*p = '%';
		else if (*p == '_')
			*p = '/';
	}
	return percent_decode(a, t, strlen(t));
}

static int base64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	if (c == '-' || c == '+')
		return 62;
	if (c == '_' || c == '/')
		return 63;
	return -1;
}

/* Decodes base64url s[0..n) into the arena; *out_len gets the byte count. */
static unsigned char *base64url_decode(struct arena *a, const char *s, size_t n, size_t *out_len)
{
	unsigned char *d = arena_alloc(a, n * 3 / 4 + 1);
	unsigned bits = 0, acc = 0;
	size_t i, w = 0;
	int v;

	for (i = 0; i < n; i++) {
		v = base64url_value((unsigned char)s[i]);
		if (v < 0)
			break;
		acc = (acc << 6 | (unsigned)v) & 0xFFFFFF;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			d[w++] = (unsigned char)(acc >> bits);
		}
	}
	*out_len = w;
	return d;
}

/* Bytes of the UTF-8 character starting with lead byte c. */
static size_t utf8_len(unsigned char c)
{
	return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* Proofpoint v3: the target sits between "/v3/__" and "__;" with some
 * characters replaced by '*'; the replaced characters follow, base64url
 * encoded, up to "!!". "**X" stands for a run of characters whose length X
 * encodes (A = 2, B = 3, ...). */
static const char *proofpoint_v3(struct arena *a, const char *url)
{
	static const char runs[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *start = strstr(url, "/v3/__"), *stop, *codes, *r;
	unsigned char *bytes;
	size_t nbytes, used = 0, count, i, n;
	struct out o;

	if (!start)
		return NULL;
	start += 6;
	stop = strstr(start, "__;");
	if (!stop)
		return NULL;
	codes = stop + 3;
	bytes = base64url_decode(a, codes, strcspn(codes, "!"), &nbytes);
	/* Each '*' takes at least one byte, so the output is at most the
	 * target plus every decoded byte. */
	o.buf = arena_alloc(a, (size_t)(stop - start) + nbytes + 1);
	o.n = 0;
	for (r = start; r < stop; r++) {
		if (*r != '*' || used >= nbytes) {
			o.buf[o.n++] = *r;
			continue;
		}
		count = 1;
		if (r + 2 < stop && r[1] == '*' && r[2] && strchr(runs, r[2])) {
			count = (size_t)(strchr(runs, r[2]) - runs) + 2;
			r += 2;
		}
		for (i = 0; i < count && used < nbytes; i++) {
			n = utf8_len(bytes[used]);
			if (n > nbytes - used)
				n = nbytes - used;
			memcpy(o.buf + o.n, bytes + used, n);
			o.n += n;
			used += n;
		}
	}
	o.buf[o.n] = '\0';
	return o.buf;
}

/* One level of unwrapping, or NULL when url is not a known wrapper. */
static const char *unwrap_once(struct arena *a, const char *url)
{
	static const char *const generic[] = { "url", "u", "target", "redirect", "dest" };
	struct url_parts u;
	const char *v;
	size_t i;

	if (!url_parse(a, url, &u))
		return NULL;
	if (host_within(u.host, "safelinks.protection.outlook.com"))
		return query_param(a, u.query, "url");
	if (is_google(u.host) && !strcmp(u.path, "/url")) {
		v = query_param(a, u.query, "q");
		return v && *v ? v : query_param(a, u.query, "url");
	}
	if (!strcmp(u.host, "urldefense.proofpoint.com")) {
		v = query_param(a, u.query, "u");
		if (v && !strcmp(u.path, "/v2/url"))
			return proofpoint_v2(a, v);
		if (v && !strcmp(u.path, "/v1/url"))
			return v;
	}
	if (!strcmp(u.host, "urldefense.com") && !strncmp(u.path, "/v3/__", 6))
		return proofpoint_v3(a, url);
	for (i = 0; i < sizeof(generic) / sizeof(generic[0]); i++) {
		v = query_param(a, u.query, generic[i]);
		if (is_http(v))
			return v;
	}
	return NULL;
}

const char *url_unwrap_redirect(struct arena *a, const char *url)
{
	const char *cur = url, *next;
	int level;

	for (level = 0; level < UNWRAP_LEVELS; level++) {
		next = unwrap_once(a, cur);
		if (!next || !*next)
			break;
		cur = next;
	}
	return level ? cur : NULL;
}

/* ---- url_defang ---- */

static void put(struct out *o, const char *s, size_t n)
{
	if (o->buf)
		memcpy(o->buf + o->n, s, n);
	o->n += n;
}

static bool is_label_char(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '_' || c >= 0x80;
}

/* Ends the authority or the path of a URL in free text. */
static bool ends_word(unsigned char c)
{
	return c <= ' ' || c == '<' || c == '>' || c == '"' || c == '\'';
}

/* The scheme at s if it is one we defang, with its length. */
static size_t defang_scheme(const char *s, size_t left)
{
	if (left >= 8 && ascii_same_ci(s, "https://", 8))
		return 5;
	if (left >= 7 && ascii_same_ci(s, "http://", 7))
		return 4;
	if (left >= 6 && ascii_same_ci(s, "ftp://", 6))
		return 3;
	return 0;
}

/* "http" -> "hxxp", "ftp" -> "fxp", keeping each letter's case, then "://". */
static void put_scheme(struct out *o, const char *s, size_t k)
{
	size_t i, tees = k == 3 ? 1 : 2;

	put(o, s, 1);
	for (i = 1; i <= tees; i++)
		put(o, s[i] == 'T' ? "X" : "x", 1);
	put(o, s + 1 + tees, k - 1 - tees);
	put(o, "://", 3);
}

/* Writes s[0..n) with every '.' between two label characters as "[.]". */
static void put_dots(struct out *o, const char *s, size_t n)
{
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '.' || i == 0 || i + 1 == n ||
		    !is_label_char((unsigned char)s[i - 1]) || !is_label_char((unsigned char)s[i + 1]))
			continue;
		put(o, s + from, i - from);
		put(o, "[.]", 3);
		from = i + 1;
	}
	put(o, s + from, n - from);
}

/* True when a run of label characters and dots reads as a host name: two or
 * more labels and a top label of letters (or punycode, or non-ASCII), or a
 * dotted IPv4 quad. "e.g", "3.14" and "v1.2" stay as they are. */
static bool looks_like_host(const char *s, size_t n)
{
	size_t i, dots = 0, top = 0, letters = 0, digits = 0;

	while (n && s[n - 1] == '.')
		n--;
	for (i = 0; i < n; i++)
		if (s[i] == '.')
			dots++, top = i + 1;
	if (!dots)
		return false;
	for (i = top; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		letters += is_alpha(c) || c >= 0x80;
		digits += is_digit(c);
	}
	if (n - top >= 4 && ascii_same_ci(s + top, "xn--", 4))
		return true;
	if (letters == n - top && letters >= 2)
		return true;
	if (dots != 3 || digits != n - top)
		return false;
	for (i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]) && s[i] != '.')
			return false;
	return true;
}

/* Copies a URL's rest (port, path, query) untouched up to the end of the
 * word: dots in paths are not hosts. It stops at a URL nested in a query
 * ("?u=http://..."), which must be defanged in its turn. */
static size_t put_rest(struct out *o, const char *s, size_t n)
{
	size_t i = 0;

	if (n && (s[0] == '/' || s[0] == ':' || s[0] == '?' || s[0] == '#'))
		while (i < n && !ends_word((unsigned char)s[i]) && !defang_scheme(s + i, n - i))
			i++;
	put(o, s, i);
	return i;
}

/* The defanged form of s[0..n) into o: one pass, shared by the counting and
 * the writing run. */
static void defang(struct out *o, const char *s, size_t n)
{
	size_t i = 0, k, j;

	while (i < n) {
		if ((k = defang_scheme(s + i, n - i)) > 0) {
			put_scheme(o, s + i, k);
			i += k + 3;
			for (j = i; j < n && !ends_word((unsigned char)s[j]) &&
				    !strchr("/\\?#", s[j]) && !defang_scheme(s + j, n - j); j++)
				;
			put_dots(o, s + i, j - i);
			i = j + put_rest(o, s + j, n - j);
		} else if (is_label_char((unsigned char)s[i])) {
			for (j = i; j < n && (is_label_char((unsigned char)s[j]) || s[j] == '.'); j++)
				if (j > i && defang_scheme(s + j, n - j))
					break;
			if (looks_like_host(s + i, j - i)) {
				put_dots(o, s + i, j - i);
				i = j + put_rest(o, s + j, n - j);
			} else {
				put(o, s + i, j - i);
				i = j;
			}
		} else {
			put(o, s + i, 1);
			i++;
		}
	}
}

const char *url_defang(struct arena *a, const char *s)
{
	struct out o = { NULL, 0 };
	size_t n;

	if (!s)
		return "";
	n = strlen(s);
	defang(&o, s, n);
	o.buf = arena_alloc(a, o.n + 1);
	o.n = 0;
	defang(&o, s, n);
	o.buf[o.n] = '\0';
	return o.buf;
}
