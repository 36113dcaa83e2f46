/* banner.c: see banner.h. Header fields and transfer encodings after
 * RFC 2045, multipart boundaries after RFC 2046 section 5.1.1, parsed as
 * leniently as mail readers parse them: a header block also ends at a line
 * that is not a header field, and a multipart without its closing delimiter
 * runs to the end of its enclosing part. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "milter/banner.h"
#include "milter/codec.h"
#include "util/alloc.h"

#define VALUE_MAX 4096 /* bytes of one unfolded header value looked at */

enum header_end {
	HEADERS_BLANK, /* an empty line ended them; the body follows it */
	HEADERS_OTHER, /* a line that is no header field starts the body */
	HEADERS_END,   /* the part ended within them: it has no body */
	HEADERS_LIMIT, /* longer than BANNER_MAX_HEADER */
};

struct part {
	size_t body, end;   /* the content: [body, end) of the message */
	char type[80];      /* lower-case "type/subtype"; "" without Content-Type */
	char boundary[256];
	char charset[64];   /* lower case */
	char cte[40];       /* lower case */
	char start[256];    /* multipart/related start= (RFC 2387), without <> */
	char id[256];       /* Content-ID, without <> */
	bool attachment;    /* Content-Disposition: attachment */
	bool inline_disp;   /* Content-Disposition: inline, said explicitly */
	bool named;         /* a name= or filename= parameter */
};

struct edit {
	size_t off, del; /* replace [off, off + del) of the message by ins */
	int rank;        /* order among edits at one offset: lower first */
	size_t seq;      /* then the order they were made in */
	struct buf ins;
};

struct walk {
	const char *msg;
	size_t len;
	const struct banner *b;
	const char *eol; /* the message's line end */
	struct edit *edits;
	size_t nedits, cap;
	unsigned parts;
	bool have_text, have_html;
	bool missed; /* a part a reader shows could not take the banner */
	struct banner_result *res;
};

/* ---- small text helpers -------------------------------------------------- */

static char lower(char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
	return is_blank(c) || c == '\r' || c == '\n';
}

/* Offset of the '\n' ending the line at i, or hi when the line is the last. */
static size_t line_end(const char *s, size_t i, size_t hi)
{
	const char *nl = memchr(s + i, '\n', hi - i);

	return nl ? (size_t)(nl - s) : hi;
}

/* The line's content end: without its "\r\n" or "\n". A '\r' without a
 * '\n' after it (at the very end) is content. */
static size_t content_end(const char *s, size_t i, size_t e, size_t hi)
{
	return e < hi && e > i && s[e - 1] == '\r' ? e - 1 : e;
}

static size_t next_line(size_t e, size_t hi)
{
	return e < hi ? e + 1 : hi;
}

static bool same_ci(const char *a, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n && lit[i]; i++)
		if (lower(a[i]) != lit[i])
			return false;
	return i == n && !lit[i];
}

/* Copies [s, s + n) into dst (size cap) in lower case, cut to fit. */
static void copy_lower(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < cap; i++)
		dst[i] = lower(s[i]);
	dst[i] = '\0';
}

/* ---- header fields ------------------------------------------------------- */

enum field { FIELD_OTHER, FIELD_TYPE, FIELD_CTE, FIELD_DISPOSITION, FIELD_ID };

/* Copies a msg-id (RFC 5322 3.6.4) without blanks and angle brackets. */
static void copy_id(char *dst, size_t cap, const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < cap; i++)
		if (!is_space(s[i]) && s[i] != '<' && s[i] != '>')
			dst[k++] = s[i];
	dst[k] = '\0';
}

/* Reads `attr=value` parameters (RFC 2045 section 5.1; quoted strings with
 * backslash escapes) from v[i, n) into p. */
static void read_params(const char *v, size_t n, size_t i, struct part *p)
{
	while (i < n) {
		char attr[32], value[256];
		size_t a, k = 0;

		while (i < n && (is_space(v[i]) || v[i] == ';'))
			i++;
		for (a = i; i < n && v[i] != '=' && v[i] != ';'; i++)
			;
		copy_lower(attr, sizeof(attr), v + a, i - a);
		for (k = strlen(attr); k > 0 && is_space(attr[k - 1]); k--)
			attr[k - 1] = '\0';
		if (i >= n || v[i] != '=')
			continue;
		for (i++; i < n && is_blank(v[i]); i++)
			;
		k = 0;
		if (i < n && v[i] == '"') {
			for (i++; i < n && v[i] != '"'; i++) {
				if (v[i] == '\\' && i + 1 < n)
					i++;
				if (k + 1 < sizeof(value))
					value[k++] = v[i];
			}
			i++;
		} else {
			for (; i < n && v[i] != ';' && !is_space(v[i]); i++)
				if (k + 1 < sizeof(value))
					value[k++] = v[i];
		}
		value[k] = '\0';
		if (strcmp(attr, "boundary") == 0)
			snprintf(p->boundary, sizeof(p->boundary), "%s", value);
		else if (strcmp(attr, "charset") == 0)
			copy_lower(p->charset, sizeof(p->charset), value, k);
		else if (strcmp(attr, "start") == 0)
			copy_id(p->start, sizeof(p->start), value, k);
		else if (strncmp(attr, "name", 4) == 0 || strncmp(attr, "filename", 8) == 0)
			p->named = true;
	}
}

/* Length of the token at v[i, n): up to a blank, ';' or stop. */
static size_t token_len(const char *v, size_t n, size_t i, char stop)
{
	size_t k = i;

	while (k < n && !is_space(v[k]) && v[k] != ';' && v[k] != stop)
		k++;
	return k - i;
}

static void read_field(enum field f, const char *v, size_t n, struct part *p)
{
	size_t i = 0, k;

	while (i < n && is_space(v[i]))
		i++;
	switch (f) {
	case FIELD_TYPE:
		k = token_len(v, n, i, '/');
		if (i + k < n && v[i + k] == '/') {
			size_t s = token_len(v, n, i + k + 1, '/');

			copy_lower(p->type, sizeof(p->type), v + i, k + 1 + s);
			i += k + 1 + s;
		} else {
			/* Not a type we can read: leave the part alone rather than
			 * guess what a reader will make of it. */
			snprintf(p->type, sizeof(p->type), "invalid/invalid");
			i += k;
		}
		read_params(v, n, i, p);
		break;
	case FIELD_CTE:
		copy_lower(p->cte, sizeof(p->cte), v + i, token_len(v, n, i, 0));
		break;
	case FIELD_DISPOSITION:
		k = token_len(v, n, i, 0);
		if (same_ci(v + i, k, "attachment"))
			p->attachment = true;
		else if (same_ci(v + i, k, "inline"))
			p->inline_disp = true;
		read_params(v, n, i + k, p);
		break;
	case FIELD_ID:
		copy_id(p->id, sizeof(p->id), v + i, n - i);
		break;
	case FIELD_OTHER:
		break;
	}
}

static enum field field_of(const char *name, size_t n)
{
	while (n > 0 && is_blank(name[n - 1]))
		n--;
	if (same_ci(name, n, "content-type"))
		return FIELD_TYPE;
	if (same_ci(name, n, "content-transfer-encoding"))
		return FIELD_CTE;
	if (same_ci(name, n, "content-disposition"))
		return FIELD_DISPOSITION;
	if (same_ci(name, n, "content-id"))
		return FIELD_ID;
	return FIELD_OTHER;
}

/* RFC 5322 field name: printable ASCII but ':', blanks allowed before the
 * colon (obsolete syntax). */
static bool is_field_name(const char *s, size_t n)
{
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

static void value_add(char *value, size_t *vlen, const char *s, size_t n)
{
	if (n > VALUE_MAX - 1 - *vlen)
		n = VALUE_MAX - 1 - *vlen;
	memcpy(value + *vlen, s, n);
	*vlen += n;
}

/* Reads the header block of the part at [start, end) into p. The first
 * occurrence of a field counts. The block ends at an empty line (the body
 * follows it) or at a line that is no header field (the body starts there). */
static enum header_end read_headers(const char *msg, size_t start, size_t end, struct part *p)
{
	char value[VALUE_MAX];
	bool seen[5] = {false};
	size_t i = start;

	memset(p, 0, sizeof(*p));
	p->end = end;
	while (i < end) {
		size_t e = line_end(msg, i, end), ce = content_end(msg, i, e, end), vlen = 0;
		const char *colon;
		enum field f = FIELD_OTHER;

		if (ce == i) {
			p->body = next_line(e, end);
			return HEADERS_BLANK;
		}
		if (i - start > BANNER_MAX_HEADER)
			return HEADERS_LIMIT;
		colon = memchr(msg + i, ':', ce - i);
		if (!colon || !is_field_name(msg + i, (size_t)(colon - (msg + i)))) {
			p->body = i;
			return HEADERS_OTHER;
		}
		f = field_of(msg + i, (size_t)(colon - (msg + i)));
		if (f != FIELD_OTHER && !seen[f])
			value_add(value, &vlen, colon + 1, (size_t)(msg + ce - (colon + 1)));
		for (i = next_line(e, end); i < end && is_blank(msg[i]); i = next_line(e, end)) {
			e = line_end(msg, i, end);
			ce = content_end(msg, i, e, end);
			if (f != FIELD_OTHER && !seen[f])
				value_add(value, &vlen, msg + i, ce - i);
		}
		if (f != FIELD_OTHER && !seen[f]) {
			seen[f] = true;
			read_field(f, value, vlen, p);
		}
	}
	p->body = end;
	return HEADERS_END;
}

/* ---- where the banner goes ----------------------------------------------- */

/* Where the HTML banner goes: before any of the sender's markup, so that
 * no comment, wrapper or unclosed tag of theirs can contain it (an HTML
 * parser puts text before <html> into the body). Only a byte-order mark
 * and a leading <!DOCTYPE ...> stay in front: the doctype ends at its first
 * '>' whatever its quotes say (HTML tokenizer, "abrupt doctype"), holds
 * nothing, and keeps the page out of quirks mode. */
static size_t html_offset(const char *d, size_t n)
{
	size_t i = n >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0 ? 3 : 0, at = i;
	const char *gt;

	while (i < n && is_space(d[i]))
		i++;
	if (n - i >= 9 && same_ci(d + i, 9, "<!doctype") && (gt = memchr(d + i, '>', n - i)))
		return (size_t)(gt - d) + 1;
	return at;
}

/* ---- writing the banner -------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left) and its code
 * point, or 0 when it is not valid. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t k, i;
	unsigned min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		k = 2, *cp = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		k = 3, *cp = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		k = 4, *cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (k > n)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	return *cp >= min && *cp <= 0x10ffff && (*cp < 0xd800 || *cp > 0xdfff) ? k : 0;
}

/* Appends the banner src to out with '\n' written as eol, non-ASCII kept
 * (utf8), written as HTML character references (html), or as '?'. */
static void render(struct buf *out, const char *src, bool html, bool utf8, const char *eol)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src), i = 0;

	while (i < n) {
		unsigned cp;
		size_t k = utf8_seq(s + i, n - i, &cp);

		if (s[i] == '\n') {
			buf_append(out, eol, strlen(eol));
		} else if (k == 1) {
			buf_putc(out, (char)s[i]);
		} else if (k && html) {
			buf_appendf(out, "&#x%X;", cp);
		} else if (k && utf8) {
			buf_append(out, s + i, k);
		} else {
			buf_putc(out, '?');
		}
		i += k ? k : 1;
	}
}

/* True when ASCII text reads the same in charset cs: the common ones by
 * name, others by converting a probe (EBCDIC code pages do not). A charset
 * iconv does not know counts as compatible: readers fall back to ASCII. */
static bool ascii_compatible(const char *cs)
{
	static const char probe[] = "<b>Az09</b>\r\n";
	gsize n = 0;
	gchar *conv;
	bool same;

	if (!*cs || !strcmp(cs, "utf-8") || !strcmp(cs, "utf8") || !strcmp(cs, "us-ascii") ||
	    !strncmp(cs, "iso-8859-", 9) || !strncmp(cs, "windows-", 8))
		return true;
	conv = g_convert(probe, -1, cs, "UTF-8", NULL, &n, NULL);
	same = !conv || (n == sizeof(probe) - 1 && memcmp(conv, probe, n) == 0);
	g_free(conv);
	return same;
}

/* The iconv name a banner must be converted to for a part in a charset
 * whose units are not ASCII bytes (UTF-16/32, UCS-2/4, UTF-7, EBCDIC code
 * pages), or NULL for an ASCII-compatible charset. *bom gets the length of the byte-order mark
 * the decoded content d starts with; without one UTF-16 and UTF-32 are
 * big-endian (RFC 2781 section 4.3) unless the first unit reads as
 * little-endian ASCII, as readers guess. */
static const char *wide_charset(const char *cs, const char *d, size_t n, size_t *bom)
{
	const unsigned char *u = (const unsigned char *)d;
	/* "unicode" is what Microsoft software calls UTF-16LE. */
	bool u16 = !strncmp(cs, "utf-16", 6) || !strncmp(cs, "utf16", 5) || !strncmp(cs, "ucs-2", 5) ||
		   !strncmp(cs, "ucs2", 4) || !strcmp(cs, "unicode");
	bool u32 = !strncmp(cs, "utf-32", 6) || !strncmp(cs, "utf32", 5) || !strncmp(cs, "ucs-4", 5) ||
		   !strncmp(cs, "ucs4", 4);

	*bom = 0;
	if (!strcmp(cs, "utf-7") || !strcmp(cs, "unicode-1-1-utf-7"))
		return "UTF-7";
	if (u16) {
		bool le = strstr(cs, "le") != NULL, be = strstr(cs, "be") != NULL;

		if (n >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff))) {
			*bom = 2;
			le = u[0] == 0xff;
		} else if (!le && !be) {
			le = n >= 2 && u[0] && !u[1];
		}
		return le ? "UTF-16LE" : "UTF-16BE";
	}
	if (u32) {
		bool le = strstr(cs, "le") != NULL, be = strstr(cs, "be") != NULL;

		if (n >= 4 && ((u[0] == 0xff && u[1] == 0xfe && !u[2] && !u[3]) ||
			       (!u[0] && !u[1] && u[2] == 0xfe && u[3] == 0xff))) {
			*bom = 4;
			le = u[0] == 0xff;
		} else if (!le && !be) {
			le = n >= 4 && u[0] && !u[1] && !u[2] && !u[3];
		}
		return le ? "UTF-32LE" : "UTF-32BE";
	}
	return ascii_compatible(cs) ? NULL : cs;
}

/* Replaces the UTF-8 banner in b by its conversion to charset; false when
 * iconv cannot. */
static bool convert_banner(struct buf *b, const char *charset)
{
	gsize n = 0;
	gchar *conv = g_convert(b->data ? b->data : "", (gssize)b->len, charset, "UTF-8", NULL, &n, NULL);

	if (!conv)
		return false;
	buf_reset(b);
	buf_append(b, conv, n);
	g_free(conv);
	return true;
}

static const char *eol_of(const char *d, size_t n)
{
	const char *nl = memchr(d, '\n', n);

	return nl && nl > d && nl[-1] == '\r' ? "\r\n" : nl ? "\n" : "\r\n";
}

static struct edit *add_edit(struct walk *w, size_t off, size_t del)
{
	struct edit *e;

	w->edits = lg_grow(w->edits, &w->cap, w->nedits + 1, sizeof(*w->edits));
	e = &w->edits[w->nedits++];
	e->off = off;
	e->del = del;
	e->rank = 0;
	e->seq = w->nedits;
	buf_init(&e->ins);
	return e;
}

/* Base64 content: its lines are re-encoded, with the first line's length,
 * leaving blanks around them as they were. */
static void edit_base64(struct walk *w, const struct part *p, const char *d, size_t dlen, size_t doff,
			const struct buf *banner)
{
	const char *c = w->msg + p->body;
	size_t clen = p->end - p->body, first = 0, last = clen, line;
	struct buf all;
	struct edit *e;

	while (first < clen && is_space(c[first]))
		first++;
	while (last > first && is_space(c[last - 1]))
		last--;
	for (line = first; line < last && c[line] != '\r' && c[line] != '\n'; line++)
		;
	buf_init(&all);
	buf_append(&all, d, doff);
	buf_append(&all, banner->data, banner->len);
	buf_append(&all, d + doff, dlen - doff);
	e = add_edit(w, p->body + first, last - first);
	codec_base64_encode(all.data, all.len, line - first, w->eol, &e->ins);
	buf_cleanup(&all);
}

/* Quoted-printable content: the banner goes in encoded, on lines of its own
 * (a soft break before it when the spot is mid-line, after it when it does
 * not end a line), so the original encoded lines stay as they are. */
static void edit_qp(struct walk *w, const struct part *p, size_t doff, const struct buf *banner)
{
	const char *c = w->msg + p->body;
	size_t clen = p->end - p->body, at = codec_qp_offset(c, clen, doff);
	struct edit *e = add_edit(w, p->body + at, 0);

	if (at > 0 && c[at - 1] != '\n') {
		buf_putc(&e->ins, '=');
		buf_append(&e->ins, w->eol, strlen(w->eol));
	}
	codec_qp_encode(banner->data ? banner->data : "", banner->len, w->eol, 0, &e->ins);
	if (banner->len == 0 || banner->data[banner->len - 1] != '\n') {
		buf_putc(&e->ins, '=');
		buf_append(&e->ins, w->eol, strlen(w->eol));
	}
}

/* Puts the banner into part p; false, counted as skipped, when it cannot
 * (an unknown transfer encoding, a charset iconv does not know). */
static bool insert(struct walk *w, const struct part *p, bool html)
{
	enum { ENC_IDENTITY, ENC_QP, ENC_BASE64 } enc;
	const char *content = w->msg + p->body, *d, *wide;
	size_t clen = p->end - p->body, dlen, doff, bom;
	bool eight_bit, ok = false, utf8 = strcmp(p->charset, "utf-8") == 0 || strcmp(p->charset, "utf8") == 0;
	struct buf dec, banner;

	if (!*p->cte || !strcmp(p->cte, "7bit") || !strcmp(p->cte, "8bit") || !strcmp(p->cte, "binary"))
		enc = ENC_IDENTITY;
	else if (!strcmp(p->cte, "quoted-printable"))
		enc = ENC_QP;
	else if (!strcmp(p->cte, "base64"))
		enc = ENC_BASE64;
	else {
		w->res->skipped++;
		return false;
	}
	buf_init(&dec);
	buf_init(&banner);
	d = content;
	dlen = clen;
	if (enc == ENC_QP) {
		codec_qp_decode(content, clen, &dec);
		d = dec.data ? dec.data : "", dlen = dec.len;
	} else if (enc == ENC_BASE64) {
		codec_base64_decode(content, clen, &dec);
		d = dec.data ? dec.data : "", dlen = dec.len;
	}
	wide = wide_charset(p->charset, d, dlen, &bom);
	if (wide)
		doff = bom;
	else if (html)
		doff = html_offset(d, dlen);
	else
		doff = dlen >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	/* 8-bit text is allowed unless the part promises 7bit (or says nothing). */
	eight_bit = enc != ENC_IDENTITY || !strcmp(p->cte, "8bit") || !strcmp(p->cte, "binary");
	render(&banner, html ? w->b->html : w->b->text, html, wide || (utf8 && eight_bit),
	       wide ? "\r\n" : enc == ENC_BASE64 ? eol_of(d, dlen) : w->eol);
	/* A wide charset gets the banner in its own units: ASCII bytes there
	 * would read as other characters, or as nothing. */
	if (wide && !convert_banner(&banner, wide)) {
		w->res->skipped++;
		goto out;
	}
	if (enc == ENC_IDENTITY)
		buf_append(&add_edit(w, p->body + doff, 0)->ins, banner.data ? banner.data : "", banner.len);
	else if (enc == ENC_QP)
		edit_qp(w, p, doff, &banner);
	else
		edit_base64(w, p, d, dlen, doff, &banner);
	if (html) {
		w->have_html = true;
		w->res->html_parts++;
	} else {
		w->have_text = true;
		w->res->text_parts++;
	}
	ok = true;
out:
	buf_cleanup(&dec);
	buf_cleanup(&banner);
	return ok;
}

/* ---- the walk ------------------------------------------------------------ */

static void walk_part(struct walk *w, size_t start, size_t end, unsigned depth, const char *default_type,
		      bool body_slot);

static bool done(const struct walk *w)
{
	return (w->have_text || !w->b->text) && (w->have_html || !w->b->html);
}

struct span {
	size_t start, end;
};

/* The children of multipart p: each lies between two delimiter lines
 * ("--boundary", the closing one "--boundary--", blanks allowed after); the
 * line end before a delimiter belongs to the delimiter (RFC 2046 5.1.1).
 * Returns how many into *kids (caller frees); *first gets the offset of the
 * first delimiter line (SIZE_MAX without one), *close that of the closing
 * one's line end (p->end when it is missing). */
static size_t children(const char *m, const struct part *p, struct span **kids, size_t *first, size_t *close)
{
	size_t blen = strlen(p->boundary), i = p->body, child = SIZE_MAX, n = 0, cap = 0;
	bool closed = false;

	*kids = NULL;
	*first = SIZE_MAX;
	*close = p->end;
	while (i < p->end && !closed && n < BANNER_MAX_PARTS) {
		size_t e = line_end(m, i, p->end), ce = content_end(m, i, e, p->end), k = i + 2 + blen;
		bool closing = false;

		if (ce - i >= 2 + blen && m[i] == '-' && m[i + 1] == '-' && memcmp(m + i + 2, p->boundary, blen) == 0) {
			if (ce - k >= 2 && m[k] == '-' && m[k + 1] == '-') {
				closing = true;
				k += 2;
			}
			while (k < ce && is_blank(m[k]))
				k++;
			if (k == ce) {
				size_t cend = i;

				if (cend > p->body && m[cend - 1] == '\n')
					cend--;
				if (cend > p->body && m[cend - 1] == '\r')
					cend--;
				if (child != SIZE_MAX) {
					*kids = lg_grow(*kids, &cap, n + 1, sizeof(**kids));
					(*kids)[n++] = (struct span){child, cend < child ? child : cend};
				} else if (*first == SIZE_MAX) {
					*first = i;
				}
				if (closing)
					*close = cend;
				closed = closing;
				child = closing ? SIZE_MAX : next_line(e, p->end);
			}
		}
		i = next_line(e, p->end);
	}
	if (child != SIZE_MAX && n < BANNER_MAX_PARTS) {
		*kids = lg_grow(*kids, &cap, n + 1, sizeof(**kids));
		(*kids)[n++] = (struct span){child, p->end};
	}
	return n;
}

/* True when a reader shows the part at k (type default_type when it says
 * none) and it could carry this banner. */
static bool shown(const struct walk *w, const struct span *k, const char *default_type)
{
	struct part p;
	const char *type;

	if (read_headers(w->msg, k->start, k->end, &p) == HEADERS_LIMIT)
		return false;
	type = *p.type ? p.type : default_type;
	if (p.attachment)
		return false;
	return (strcmp(type, "text/plain") == 0 && w->b->text) || (strcmp(type, "text/html") == 0 && w->b->html) ||
	       strncmp(type, "multipart/", 10) == 0 || strcmp(type, "message/rfc822") == 0;
}

/* Walks the children which[0..n) each on its own, so that every one of
 * them gets the banner: any of them may be the one the reader shows (the
 * last alternative it can display, RFC 2046 5.1.4, or either root of a
 * related multipart), and no decoy can take the banner from the real one.
 * One that a reader shows but that takes no banner is a miss. */
static void walk_each(struct walk *w, const struct span *kids, const size_t *which, size_t n, unsigned depth,
		      const char *child_type, bool body_slot)
{
	bool text = w->have_text, html = w->have_html;

	for (size_t j = 0; j < n; j++) {
		const struct span *k = &kids[which[j]];
		size_t before = w->nedits;

		w->have_text = w->have_html = false;
		walk_part(w, k->start, k->end, depth + 1, child_type, body_slot);
		text |= w->have_text;
		html |= w->have_html;
		if (w->nedits == before && body_slot && shown(w, k, child_type))
			w->missed = true;
	}
	w->have_text = text;
	w->have_html = html;
}

/* The child of multipart/related p whose Content-ID is its start=
 * parameter (RFC 2387 section 3.2), or 0, the first, without one. */
static size_t related_root(const struct walk *w, const struct part *p, const struct span *kids, size_t n)
{
	for (size_t j = 0; *p->start && j < n; j++) {
		struct part c;

		if (read_headers(w->msg, kids[j].start, kids[j].end, &c) != HEADERS_LIMIT && strcmp(c.id, p->start) == 0)
			return j;
	}
	return 0;
}

static void walk_multipart(struct walk *w, const struct part *p, unsigned depth, bool body_slot)
{
	const char *child_type = strcmp(p->type, "multipart/digest") == 0 ? "message/rfc822" : "text/plain";
	struct span *kids = NULL;
	size_t first, close, n = children(w->msg, p, &kids, &first, &close);
	size_t *which = lg_calloc(n ? n : 1, sizeof(*which));

	if (strcmp(p->type, "multipart/alternative") == 0) {
		for (size_t j = 0; j < n; j++)
			which[j] = j;
		walk_each(w, kids, which, n, depth, child_type, body_slot);
	} else if (strcmp(p->type, "multipart/related") == 0 && n) {
		/* The root, and the first part for readers that ignore start=. */
		which[0] = related_root(w, p, kids, n);
		walk_each(w, kids, which, which[0] ? 2 : 1, depth, child_type, body_slot);
	} else {
		for (size_t j = 0; j < n && !done(w); j++)
			walk_part(w, kids[j].start, kids[j].end, depth + 1, child_type, body_slot && j == 0);
	}
	lg_free(which);
	lg_free(kids);
}

static bool identity_cte(const struct part *p)
{
	return !*p->cte || !strcmp(p->cte, "7bit") || !strcmp(p->cte, "8bit") || !strcmp(p->cte, "binary");
}

/* body_slot: the part stands where a reader's program shows the message
 * itself (the top, the first part of a mixed multipart, the root of a
 * related one, any alternative), so a name= or filename= there does not
 * make it an attachment: only Content-Disposition: attachment does.
 * Elsewhere a named part is a file and left alone unless it says
 * Content-Disposition: inline, which readers show in place. A
 * message/rfc822 part readers show inline (in the body slot, or said
 * inline) is walked into: its body is what they display. */
static void walk_part(struct walk *w, size_t start, size_t end, unsigned depth, const char *default_type,
		      bool body_slot)
{
	struct part p;
	const char *type;

	enum header_end how;

	if (w->parts++ >= BANNER_MAX_PARTS)
		return;
	/* No body, nowhere to put a banner: inserting would extend a header. */
	if ((how = read_headers(w->msg, start, end, &p)) == HEADERS_LIMIT || how == HEADERS_END)
		return;
	type = *p.type ? p.type : default_type;
	if (strncmp(type, "multipart/", 10) == 0) {
		if (depth < BANNER_MAX_DEPTH && *p.boundary)
			walk_multipart(w, &p, depth, body_slot);
		else
			w->missed |= body_slot;
		return;
	}
	if (p.attachment || (p.named && !body_slot && !p.inline_disp))
		return;
	if (strcmp(p.type, "message/rfc822") == 0) {
		/* Only an explicit type: digest parts default to messages. */
		if (!body_slot && !p.inline_disp)
			return;
		if (depth < BANNER_MAX_DEPTH && identity_cte(&p))
			walk_part(w, p.body, p.end, depth + 1, "text/plain", true);
		else
			w->missed = true;
		return;
	}
	if (strcmp(type, "text/plain") == 0 && !w->have_text && w->b->text)
		w->missed |= !insert(w, &p, false);
	else if (strcmp(type, "text/html") == 0 && !w->have_html && w->b->html)
		w->missed |= !insert(w, &p, true);
}

/* ---- the fallback: a banner part of our own ------------------------------- */

/* A boundary that occurs nowhere in msg (RFC 2046 5.1.1: it must not occur
 * in the encapsulated parts). */
static void fresh_boundary(const char *msg, size_t len, const char *tag, char *out, size_t cap)
{
	for (unsigned k = 0;; k++) {
		snprintf(out, cap, "=_leakguard_%s_%u", tag, k);
		if (!memmem(msg, len, out, strlen(out)))
			return;
	}
}

/* Appends a part of our own holding the banner: a multipart/alternative of
 * its text and HTML, each quoted-printable UTF-8, so it survives any
 * transport. Headers, empty line, content, no line end after it. */
static void banner_part(const struct walk *w, struct buf *out)
{
	const char *eol = w->eol;
	char bnd[64];

	fresh_boundary(w->msg, w->len, "banner", bnd, sizeof(bnd));
	buf_appendf(out, "Content-Type: multipart/alternative; boundary=\"%s\"%s%s", bnd, eol, eol);
	for (int html = 0; html < 2; html++) {
		const char *src = html ? w->b->html : w->b->text;

		if (!src)
			continue;
		buf_appendf(out, "--%s%sContent-Type: text/%s; charset=utf-8%sContent-Transfer-Encoding: "
				 "quoted-printable%s%s",
			    bnd, eol, html ? "html" : "plain", eol, eol, eol);
		codec_qp_encode(src, strlen(src), eol, 0, out);
		buf_append(out, eol, strlen(eol));
	}
	buf_appendf(out, "--%s--", bnd);
}

/* Appends the header fields of the top header block [0, body) whose name
 * starts with "Content-", as written (folded lines too). */
static void content_fields(const char *msg, size_t body, struct buf *out)
{
	size_t i = 0;

	while (i < body) {
		size_t e = line_end(msg, i, body), j = next_line(e, body);
		bool keep = e - i > 8 && same_ci(msg + i, 8, "content-");

		while (j < body && is_blank(msg[j]))
			j = next_line(line_end(msg, j, body), body);
		if (keep && (msg[i] != '\r' && msg[i] != '\n'))
			buf_append(out, msg + i, j - i);
		i = j;
	}
}

/* Where the milter could not put the banner into the part a reader shows:
 * a banner part of our own that readers show first. In multipart/mixed it
 * goes in front of the first part; in multipart/alternative a new last
 * alternative (the one readers show) holds the banner part and a copy of
 * the last one; anything else is wrapped, when the caller can rewrite the
 * Content-Type (b->may_wrap), in a new multipart/mixed. False when none
 * of these applies. */
static bool fallback(struct walk *w, const struct part *top)
{
	struct span *kids = NULL;
	size_t first = SIZE_MAX, close = top->end, n = 0;
	bool ok = false;
	struct edit *e;

	if (strncmp(top->type, "multipart/", 10) == 0 && *top->boundary)
		n = children(w->msg, top, &kids, &first, &close);
	if (!strcmp(top->type, "multipart/mixed") && first != SIZE_MAX) {
		e = add_edit(w, first, 0);
		buf_appendf(&e->ins, "--%s%s", top->boundary, w->eol);
		banner_part(w, &e->ins);
		buf_append(&e->ins, w->eol, strlen(w->eol));
		ok = true;
	} else if (!strcmp(top->type, "multipart/alternative") && n) {
		char mixed[64];

		fresh_boundary(w->msg, w->len, "shown", mixed, sizeof(mixed));
		e = add_edit(w, kids[n - 1].end, 0);
		e->rank = 1; /* after any edit of the copied part's own */
		buf_appendf(&e->ins, "%s--%s%sContent-Type: multipart/mixed; boundary=\"%s\"%s%s--%s%s", w->eol,
			    top->boundary, w->eol, mixed, w->eol, w->eol, mixed, w->eol);
		banner_part(w, &e->ins);
		buf_appendf(&e->ins, "%s--%s%s", w->eol, mixed, w->eol);
		buf_append(&e->ins, w->msg + kids[n - 1].start, kids[n - 1].end - kids[n - 1].start);
		buf_appendf(&e->ins, "%s--%s--", w->eol, mixed);
		ok = true;
	} else if (w->b->may_wrap) {
		char wrap[64];

		fresh_boundary(w->msg, w->len, "wrap", wrap, sizeof(wrap));
		e = add_edit(w, top->body, 0);
		e->rank = -1; /* before an edit at the very top of the body */
		buf_appendf(&e->ins, "This is a multi-part message in MIME format.%s--%s%s", w->eol, wrap, w->eol);
		banner_part(w, &e->ins);
		buf_appendf(&e->ins, "%s--%s%s", w->eol, wrap, w->eol);
		content_fields(w->msg, top->body, &e->ins);
		buf_append(&e->ins, w->eol, strlen(w->eol));
		e = add_edit(w, w->len, 0);
		e->rank = 1;
		buf_appendf(&e->ins, "%s--%s--%s", w->eol, wrap, w->eol);
		snprintf(w->res->content_type, sizeof(w->res->content_type), "multipart/mixed; boundary=\"%s\"", wrap);
		ok = true;
	}
	lg_free(kids);
	return ok;
}

static int by_offset(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

size_t banner_body_offset(const char *msg, size_t len)
{
	struct part p;

	return read_headers(msg, 0, len, &p) == HEADERS_BLANK ? p.body : len;
}

enum lg_status banner_insert(const char *msg, size_t len, const struct banner *b, struct buf *body_out,
			     struct banner_result *res)
{
	struct banner_result ignored;
	struct walk w = {0};
	struct part top;
	enum lg_status rc = LG_OK;
	size_t pos;

	if (!res)
		res = &ignored;
	memset(res, 0, sizeof(*res));
	if (read_headers(msg, 0, len, &top) != HEADERS_BLANK)
		return LG_EPARSE;
	if (!*top.type)
		snprintf(top.type, sizeof(top.type), "text/plain");
	w.msg = msg;
	w.len = len;
	w.b = b;
	w.eol = eol_of(msg, len);
	w.res = res;
	walk_part(&w, 0, len, 0, "text/plain", true);
	if ((w.nedits == 0 || w.missed) && fallback(&w, &top))
		res->banner_part = true;
	if (w.nedits == 0) {
		rc = LG_ENOTFOUND;
		goto out;
	}
	qsort(w.edits, w.nedits, sizeof(*w.edits), by_offset);
	pos = top.body;
	for (size_t i = 0; i < w.nedits; i++) {
		buf_append(body_out, msg + pos, w.edits[i].off - pos);
		buf_append(body_out, w.edits[i].ins.data ? w.edits[i].ins.data : "", w.edits[i].ins.len);
		pos = w.edits[i].off + w.edits[i].del;
	}
	buf_append(body_out, msg + pos, len - pos);
out:
	for (size_t i = 0; i < w.nedits; i++)
		buf_cleanup(&w.edits[i].ins);
	lg_free(w.edits);
	return rc;
}
