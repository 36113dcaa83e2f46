/* html.c: see html.h. The visible text and the links of an HTML body.
 *
 * Follows the tokenizer of the HTML Living Standard (section 13.2.5) in a
 * simplified form: tags and attributes (quoted, unquoted, duplicated: the
 * first wins), comments including their abrupt forms, bogus comments,
 * raw-text elements, and character references (named, decimal, hex, with the
 * windows-1252 remapping of C1 code points). Where the standard drops a token
 * that meets the end of input (an unterminated tag or attribute), so do we.
 *
 * One forward pass; every scan is bounded by the end pointer and resumes
 * where the previous one stopped, so the work is linear in the input and no
 * byte past it is ever read, NUL bytes included. Text is written once into a
 * buffer in the arena that grows by doubling up to max_text; an <a>'s text is
 * remembered as an offset into that buffer, not copied character by
 * character. There is no element stack: nothing here needs one, and it keeps
 * hostile nesting from costing anything. */
#include <string.h>

#include "mail/html.h"
#include "util/ascii.h"

#define LINKS_FIRST 16 /* first size of the link array; it doubles */
#define TAG_NAME_MAX 16
#define ENTITY_NAME_MAX 32
/* Longest entity name that may be written without ';' ("middot", "frac12"):
 * the HTML 4 Latin-1 set. */
#define LEGACY_NAME_MAX 6

enum tag_flag {
	TAG_BLOCK = 1 << 0, /* starts and ends a line */
	TAG_CELL = 1 << 1,  /* separates words, as a table cell does */
	TAG_RAW = 1 << 2,   /* its content is never shown: skip to the end tag */
};

enum tag_id { TAG_OTHER, TAG_A, TAG_AREA, TAG_FORM, TAG_IMG, TAG_INPUT };

struct tag_info {
	const char *name;
	unsigned char id;
	unsigned char flags;
};

/* Sorted by name for bsearch-style lookup. <head> is deliberately absent:
 * browsers show stray text in a head, and what a head hides (title, style,
 * script) is skipped on its own. */
static const struct tag_info tag_table[] = {
	{ "a", TAG_A, 0 },
	{ "address", TAG_OTHER, TAG_BLOCK },
	{ "area", TAG_AREA, 0 },
	{ "article", TAG_OTHER, TAG_BLOCK },
	{ "aside", TAG_OTHER, TAG_BLOCK },
	{ "blockquote", TAG_OTHER, TAG_BLOCK },
	{ "body", TAG_OTHER, TAG_BLOCK },
	{ "br", TAG_OTHER, TAG_BLOCK },
	{ "caption", TAG_OTHER, TAG_BLOCK },
	{ "center", TAG_OTHER, TAG_BLOCK },
	{ "dd", TAG_OTHER, TAG_BLOCK },
	{ "div", TAG_OTHER, TAG_BLOCK },
	{ "dl", TAG_OTHER, TAG_BLOCK },
	{ "dt", TAG_OTHER, TAG_BLOCK },
	{ "fieldset", TAG_OTHER, TAG_BLOCK },
	{ "figcaption", TAG_OTHER, TAG_BLOCK },
	{ "figure", TAG_OTHER, TAG_BLOCK },
	{ "footer", TAG_OTHER, TAG_BLOCK },
	{ "form", TAG_FORM, TAG_BLOCK },
	{ "h1", TAG_OTHER, TAG_BLOCK },
	{ "h2", TAG_OTHER, TAG_BLOCK },
	{ "h3", TAG_OTHER, TAG_BLOCK },
	{ "h4", TAG_OTHER, TAG_BLOCK },
	{ "h5", TAG_OTHER, TAG_BLOCK },
	{ "h6", TAG_OTHER, TAG_BLOCK },
	{ "header", TAG_OTHER, TAG_BLOCK },
	{ "hr", TAG_OTHER, TAG_BLOCK },
	{ "iframe", TAG_OTHER, TAG_RAW },
	{ "img", TAG_IMG, 0 },
	{ "input", TAG_INPUT, 0 },
	{ "legend", TAG_OTHER, TAG_BLOCK },
	{ "li", TAG_OTHER, TAG_BLOCK },
	{ "main", TAG_OTHER, TAG_BLOCK },
	{ "nav", TAG_OTHER, TAG_BLOCK },
	{ "noembed", TAG_OTHER, TAG_RAW },
	{ "noframes", TAG_OTHER, TAG_RAW },
	{ "ol", TAG_OTHER, TAG_BLOCK },
	{ "option", TAG_OTHER, TAG_BLOCK },
	{ "p", TAG_OTHER, TAG_BLOCK },
	{ "pre", TAG_OTHER, TAG_BLOCK },
	{ "script", TAG_OTHER, TAG_RAW },
	{ "section", TAG_OTHER, TAG_BLOCK },
	{ "style", TAG_OTHER, TAG_RAW },
	{ "table", TAG_OTHER, TAG_BLOCK },
	{ "td", TAG_OTHER, TAG_CELL },
	{ "template", TAG_OTHER, TAG_RAW },
	{ "th", TAG_OTHER, TAG_CELL },
	{ "title", TAG_OTHER, TAG_RAW },
	{ "tr", TAG_OTHER, TAG_BLOCK },
	{ "ul", TAG_OTHER, TAG_BLOCK },
};

/* The one attribute each interesting tag is read for. */
static const char *const wanted_attr[] = {
	[TAG_OTHER] = NULL,
	[TAG_A] = "href",
	[TAG_AREA] = "href",
	[TAG_FORM] = "action",
	[TAG_IMG] = "src",
	[TAG_INPUT] = "type",
};

struct entity {
	const char *name;
	unsigned cp;
};

/* A working subset of the standard's named references, sorted by strcmp
 * (upper case first). Those with cp <= 0xFF other than "apos" are the legacy
 * HTML 4 ones that are also recognised without a ';'. */
static const struct entity entity_table[] = {
	{ "AElig", 0xC6 }, { "AMP", '&' }, { "Aacute", 0xC1 }, { "Agrave", 0xC0 },
	{ "Aring", 0xC5 }, { "Auml", 0xC4 }, { "COPY", 0xA9 }, { "Ccedil", 0xC7 },
	{ "Eacute", 0xC9 }, { "GT", '>' }, { "LT", '<' }, { "Ntilde", 0xD1 },
	{ "Oslash", 0xD8 }, { "Ouml", 0xD6 }, { "QUOT", '"' }, { "REG", 0xAE },
	{ "Uuml", 0xDC }, { "aacute", 0xE1 }, { "acirc", 0xE2 }, { "aelig", 0xE6 },
	{ "agrave", 0xE0 }, { "amp", '&' }, { "apos", '\'' }, { "aring", 0xE5 },
	{ "atilde", 0xE3 }, { "auml", 0xE4 }, { "bdquo", 0x201E }, { "bull", 0x2022 },
	{ "ccedil", 0xE7 }, { "cent", 0xA2 }, { "copy", 0xA9 }, { "dagger", 0x2020 },
	{ "deg", 0xB0 }, { "divide", 0xF7 }, { "eacute", 0xE9 }, { "ecirc", 0xEA },
	{ "egrave", 0xE8 }, { "emsp", 0x2003 }, { "ensp", 0x2002 }, { "euml", 0xEB },
	{ "euro", 0x20AC }, { "frac12", 0xBD }, { "gt", '>' }, { "hellip", 0x2026 },
	{ "iacute", 0xED }, { "icirc", 0xEE }, { "iexcl", 0xA1 }, { "igrave", 0xEC },
	{ "iquest", 0xBF }, { "iuml", 0xEF }, { "laquo", 0xAB }, { "ldquo", 0x201C },
	{ "lrm", 0x200E }, { "lsaquo", 0x2039 }, { "lsquo", 0x2018 }, { "lt", '<' },
	{ "mdash", 0x2014 }, { "micro", 0xB5 }, { "middot", 0xB7 }, { "nbsp", 0xA0 },
	{ "ndash", 0x2013 }, { "ntilde", 0xF1 }, { "oacute", 0xF3 }, { "ocirc", 0xF4 },
	{ "ograve", 0xF2 }, { "oslash", 0xF8 }, { "otilde", 0xF5 }, { "ouml", 0xF6 },
	{ "para", 0xB6 }, { "permil", 0x2030 }, { "plusmn", 0xB1 }, { "pound", 0xA3 },
	{ "quot", '"' }, { "raquo", 0xBB }, { "rdquo", 0x201D }, { "reg", 0xAE },
	{ "rlm", 0x200F }, { "rsaquo", 0x203A }, { "rsquo", 0x2019 }, { "sbquo", 0x201A },
	{ "sect", 0xA7 }, { "shy", 0xAD }, { "szlig", 0xDF }, { "thinsp", 0x2009 },
	{ "times", 0xD7 }, { "trade", 0x2122 }, { "uacute", 0xFA }, { "ucirc", 0xFB },
	{ "ugrave", 0xF9 }, { "uuml", 0xFC }, { "yacute", 0xFD }, { "yen", 0xA5 },
	{ "yuml", 0xFF }, { "zwj", 0x200D }, { "zwnj", 0x200C },
};

/* What &#128; to &#159; mean: the standard maps them through windows-1252,
 * since that is what such references meant in practice. 0 = unchanged. */
static const unsigned short c1_table[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

struct span {
	const char *p;
	size_t n;
	bool found;
};

struct state {
	struct arena *a;
	const char *end;
	struct html_result *out;

	char *text;          /* cap + 1 bytes, for the final NUL */
	size_t len, cap, max;
	bool pending_space;  /* whitespace seen, written before the next character */
	bool text_full;

	size_t links_cap;
	size_t open_link;    /* index of the <a> collecting text, or NO_LINK */
	size_t link_start;   /* text offset where that <a> began */
};

#define NO_LINK ((size_t)-1)

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/* Printable ASCII that needs no further look: the text fast path. */
static bool is_plain(unsigned char c)
{
	return c > ' ' && c < 0x7F && c != '<' && c != '&';
}

/* Ends a tag name or an unquoted attribute name. */
static bool is_tag_end(unsigned char c)
{
	return is_space(c) || c == '/' || c == '>';
}

/* Characters with no width or that reorder text: they are used to break up
 * words a filter looks for, and a reader never sees them. */
static bool is_invisible(unsigned cp)
{
	return cp == 0xAD || cp == 0x34F || cp == 0x61C || cp == 0x180E ||
	       (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

static bool is_space_cp(unsigned cp)
{
	return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
	       cp == 0x3000 || (cp < 0x80 && is_space((unsigned char)cp));
}

static size_t utf8_encode(unsigned cp, char *buf)
{
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xC0 | cp >> 6);
		buf[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xE0 | cp >> 12);
		buf[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		buf[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	buf[0] = (char)(0xF0 | cp >> 18);
	buf[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	buf[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	buf[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decodes one UTF-8 sequence starting at s (a byte >= 0x80). Returns its
 * length, or 0 when it is not well-formed (stray continuation byte,
 * overlong form, surrogate, beyond U+10FFFF, cut by the end of input). */
static size_t utf8_decode(const unsigned char *s, const unsigned char *end, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t n, i;

	if (c >= 0xC2 && c <= 0xDF) {
		n = 2, min = 0x80, c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3, min = 0x800, c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - s) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* ---- the text buffer ---- */

/* Makes room for n more bytes. False when that would pass max_text. */
static bool reserve(struct state *st, size_t n)
{
	size_t cap;
	char *t;

	if (n <= st->cap - st->len)
		return true;
	if (n > st->max - st->len)
		return false;
	cap = st->cap * 2;
	if (cap < st->len + n)
		cap = st->len + n;
	if (cap > st->max)
		cap = st->max;
	t = arena_alloc(st->a, cap + 1);
	memcpy(t, st->text, st->len);
	st->text = t;
	st->cap = cap;
	return true;
}

static void mark_full(struct state *st)
{
	st->text_full = true;
	st->out->truncated = true;
}

/* Writes visible bytes, preceded by the pending space if any. A divisible
 * run (plain ASCII) is cut at the limit; an indivisible one (one UTF-8
 * character) is written whole or not at all, so the text stays valid. */
static void put_text(struct state *st, const char *s, size_t n, bool divisible)
{
	size_t room;

	if (st->text_full || n == 0)
		return;
	if (st->pending_space) {
		st->pending_space = false;
		if (st->len && st->text[st->len - 1] != '\n') {
			if (!reserve(st, 1)) {
				mark_full(st);
				return;
			}
			st->text[st->len++] = ' ';
		}
	}
	if (!reserve(st, n)) {
		room = st->max - st->len;
		if (divisible && room && reserve(st, room)) {
			memcpy(st->text + st->len, s, room);
			st->len += room;
		}
		mark_full(st);
		return;
	}
	memcpy(st->text + st->len, s, n);
	st->len += n;
}

/* A block boundary: one line break, never a blank line or a leading one. A
 * break that does not fit is not truncation; the next visible byte will be. */
static void line_break(struct state *st)
{
	st->pending_space = false;
	if (st->text_full || st->len == 0 || st->text[st->len - 1] == '\n')
		return;
	if (reserve(st, 1))
		st->text[st->len++] = '\n';
}

static void put_code_point(struct state *st, unsigned cp)
{
	char buf[4];

	if (is_space_cp(cp)) {
		st->pending_space = true;
		return;
	}
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || is_invisible(cp))
		return;
	put_text(st, buf, utf8_encode(cp, buf), false);
}

/* ---- character references ---- */

/* Orders a table name against name[0..n), which is not NUL-terminated and
 * may hold NUL bytes (so strncmp would stop early and misjudge lengths).
 * Inline and without strlen: this runs for every tag of every message. */
static int name_cmp(const char *table_name, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (table_name[i] == '\0')
			return -1; /* a proper prefix of name */
		if (table_name[i] != name[i])
			return (unsigned char)table_name[i] - (unsigned char)name[i];
	}
	return table_name[n] != '\0';
}

static const struct entity *entity_find(const char *name, size_t n)
{
	size_t lo = 0, hi = sizeof(entity_table) / sizeof(entity_table[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = name_cmp(entity_table[mid].name, name, n);

		if (cmp == 0)
			return &entity_table[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool is_legacy(const struct entity *e)
{
	return e->cp <= 0xFF && e->cp != '\'';
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static unsigned fix_code_point(unsigned long v)
{
	if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0xFFFD;
	if (v >= 0x80 && v <= 0x9F && c1_table[v - 0x80])
		return c1_table[v - 0x80];
	return (unsigned)v;
}

/* p points at "&#". Returns the bytes consumed, 0 when there are no digits
 * (then the '&' is literal text). */
static size_t numeric_ref(const char *p, const char *end, unsigned *cp)
{
	const char *q = p + 2, *digits;
	unsigned long v = 0;
	unsigned base = 10;
	int d;

	if (q < end && (*q == 'x' || *q == 'X')) {
		base = 16;
		q++;
	}
	for (digits = q; q < end; q++) {
		d = hex_value((unsigned char)*q);
		if (d < 0 || (unsigned)d >= base)
			break;
		if (v <= 0x10FFFF) /* past it the value is invalid anyway; stop growing */
			v = v * base + (unsigned)d;
	}
	if (q == digits)
		return 0;
	if (q < end && *q == ';')
		q++;
	*cp = fix_code_point(v);
	return (size_t)(q - p);
}

/* p points at '&' + a name. Exact names need their ';'; the legacy ones
 * also match as the longest prefix without it ("&copy2024" is "(c)2024"),
 * except in an attribute when a letter, digit or '=' follows, which keeps
 * query strings like "?a=1&copy=2" intact. */
static size_t named_ref(const char *p, const char *end, bool in_attr, unsigned *cp)
{
	const char *name = p + 1, *q = name;
	const struct entity *e;
	size_t n, k;

	while (q < end && is_alnum((unsigned char)*q) && q - name < ENTITY_NAME_MAX)
		q++;
	n = (size_t)(q - name);
	if (n == 0)
		return 0;
	if (q < end && *q == ';') {
		e = entity_find(name, n);
		if (e) {
			*cp = e->cp;
			return n + 2;
		}
	}
	for (k = n < LEGACY_NAME_MAX ? n : LEGACY_NAME_MAX; k >= 2; k--) {
		e = entity_find(name, k);
		if (!e || !is_legacy(e))
			continue;
		if (in_attr && name + k < end &&
		    (is_alnum((unsigned char)name[k]) || name[k] == '='))
			return 0;
		*cp = e->cp;
		return k + 1;
	}
	return 0;
}

static size_t char_ref(const char *p, const char *end, bool in_attr, unsigned *cp)
{
	if (end - p >= 2 && p[1] == '#')
		return numeric_ref(p, end, cp);
	return named_ref(p, end, in_attr, cp);
}

/* ---- links ---- */

/* Appends a link; returns its index, or NO_LINK when MAIL_MAX_LINKS are
 * already kept. The array lives in the arena and doubles; the old copies
 * are small and die with the message. */
static size_t add_link(struct state *st, const char *url, enum mail_link_origin origin)
{
	struct html_result *out = st->out;
	struct mail_link *l;

	if (out->nlinks >= MAIL_MAX_LINKS) {
		out->truncated = true;
		return NO_LINK;
	}
	if (out->nlinks == st->links_cap) {
		size_t cap = st->links_cap ? st->links_cap * 2 : LINKS_FIRST;

		if (cap > MAIL_MAX_LINKS)
			cap = MAIL_MAX_LINKS;
		l = arena_alloc(st->a, cap * sizeof(*l));
		if (out->nlinks)
			memcpy(l, out->links, out->nlinks * sizeof(*l));
		out->links = l;
		st->links_cap = cap;
	}
	l = &out->links[out->nlinks];
	l->url = url;
	l->text = NULL;
	l->origin = origin;
	return out->nlinks++;
}

/* Ends the open <a>: its text is what was written since it began. */
static void close_link(struct state *st)
{
	const char *s;
	size_t n;

	if (st->open_link == NO_LINK)
		return;
	s = st->text + st->link_start;
	n = st->len - st->link_start;
	while (n && (*s == ' ' || *s == '\n'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		n--;
	st->out->links[st->open_link].text = arena_strndup(st->a, s, n);
	st->open_link = NO_LINK;
}

/* An attribute value as the browser sees it: references decoded, and for
 * URLs, as the URL parser does, tabs and newlines removed and surrounding
 * spaces and controls trimmed. NUL bytes are dropped so the result is a C
 * string. Never longer than the raw value. */
static char *attr_value(struct state *st, const struct span *v)
{
	const char *p = v->p, *end = v->p + v->n;
	char *d = arena_alloc(st->a, v->n + 1), *w = d;
	unsigned cp;
	size_t used;

	while (p < end && (unsigned char)*p <= ' ')
		p++;
	while (p < end) {
		if (*p == '&' && (used = char_ref(p, end, true, &cp)) > 0) {
			w += utf8_encode(cp, w);
			p += used;
		} else if (*p == '\t' || *p == '\n' || *p == '\r' || *p == '\0') {
			p++;
		} else {
			*w++ = *p++;
		}
	}
	while (w > d && (unsigned char)w[-1] <= ' ')
		w--;
	*w = '\0';
	return d;
}

static void start_tag_links(struct state *st, enum tag_id id, const struct span *v)
{
	char *val;

	if (id == TAG_A)
		close_link(st); /* an <a> inside an <a> ends the first, as in browsers */
	if (id == TAG_FORM)
		st->out->has_form = true;
	if (!v->found)
		return;
	val = attr_value(st, v);
	if (!*val)
		return;
	switch (id) {
	case TAG_A:
		st->open_link = add_link(st, val, MAIL_LINK_HTML_A);
		st->link_start = st->len;
		break;
	case TAG_FORM:
		add_link(st, val, MAIL_LINK_HTML_FORM);
		break;
	case TAG_AREA:
		add_link(st, val, MAIL_LINK_HTML_OTHER);
		break;
	case TAG_IMG:
		/* data: and cid: images point nowhere; only remote ones matter. */
		if (ascii_starts_ci(val, "http://") || ascii_starts_ci(val, "https://"))
			add_link(st, val, MAIL_LINK_HTML_OTHER);
		break;
	case TAG_INPUT:
		if (strlen(val) == 8 && ascii_same_ci(val, "password", 8))
			st->out->has_password_field = true;
		break;
	case TAG_OTHER:
		break;
	}
}

/* ---- markup ---- */

static const struct tag_info *tag_find(const char *name, size_t n)
{
	size_t lo = 0, hi = sizeof(tag_table) / sizeof(tag_table[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = name_cmp(tag_table[mid].name, name, n);

		if (cmp == 0)
			return &tag_table[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *skip_space(const char *q, const char *end)
{
	while (q < end && is_space((unsigned char)*q))
		q++;
	return q;
}

/* Reads one attribute value starting at q (after '=' and spaces). Returns
 * where the tag continues, or NULL when an open quote runs to the end. */
static const char *attr_raw_value(const char *q, const char *end, struct span *v)
{
	const char *r;

	if (*q == '"' || *q == '\'') {
		r = memchr(q + 1, *q, (size_t)(end - q - 1));
		if (!r)
			return NULL;
		v->p = q + 1;
		v->n = (size_t)(r - q - 1);
		return r + 1;
	}
	v->p = q;
	while (q < end && !is_space((unsigned char)*q) && *q != '>')
		q++;
	v->n = (size_t)(q - v->p);
	return q;
}

/* Walks the attributes of a tag from q to its '>', keeping the first value
 * of the attribute named `want` (may be NULL). Returns the position after
 * '>', or NULL when the input ends inside the tag. */
static const char *attributes(const char *q, const char *end, const char *want,
			      struct span *found)
{
	size_t want_len = want ? strlen(want) : 0;

	for (;;) {
		const char *name;
		struct span v = { "", 0, true }; /* a bare attribute's value is "" */
		bool keep;

		while (q < end && (is_space((unsigned char)*q) || *q == '/'))
			q++;
		if (q >= end)
			return NULL;
		if (*q == '>')
			return q + 1;
		name = q++; /* the first character may be anything, even '=' */
		while (q < end && !is_tag_end((unsigned char)*q) && *q != '=')
			q++;
		keep = want && !found->found && (size_t)(q - name) == want_len &&
		       ascii_same_ci(name, want, want_len);
		q = skip_space(q, end);
		if (q < end && *q == '=') {
			q = skip_space(q + 1, end);
			if (q >= end)
				return NULL;
			if (*q != '>') {
				q = attr_raw_value(q, end, &v);
				if (!q)
					return NULL;
			}
		}
		if (keep)
			*found = v;
	}
}

/* Content of a raw-text element: skip to its end tag "</name" followed by
 * a space, '/' or '>', and return the '<' so the end tag is read normally. */
static const char *skip_raw(const char *q, const char *end, const char *name)
{
	size_t n = strlen(name);
	const char *r;

	while ((r = memchr(q, '<', (size_t)(end - q))) != NULL) {
		if ((size_t)(end - r) >= n + 2 && r[1] == '/' && ascii_same_ci(r + 2, name, n) &&
		    ((size_t)(end - r) == n + 2 || is_tag_end((unsigned char)r[n + 2])))
			return r;
		q = r + 1;
	}
	return end;
}

/* A start or end tag whose name begins at q. */
static const char *tag(struct state *st, const char *q, bool is_end)
{
	const char *end = st->end;
	char name[TAG_NAME_MAX];
	const struct tag_info *info;
	struct span v = { NULL, 0, false };
	size_t n = 0;

	for (; q < end && !is_tag_end((unsigned char)*q); q++, n++)
		if (n < sizeof(name))
			name[n] = (char)ascii_lower((unsigned char)*q);
	info = n <= sizeof(name) ? tag_find(name, n) : NULL;
	q = attributes(q, end, info && !is_end ? wanted_attr[info->id] : NULL, &v);
	if (!q)
		return end;
	if (!info)
		return q;
	if (info->flags & TAG_BLOCK)
		line_break(st);
	if (info->flags & TAG_CELL)
		st->pending_space = true;
	if (is_end) {
		if (info->id == TAG_A)
			close_link(st);
		return q;
	}
	if (info->flags & TAG_RAW)
		return skip_raw(q, end, info->name);
	start_tag_links(st, (enum tag_id)info->id, &v);
	return q;
}

static const char *bogus_comment(const char *q, const char *end)
{
	const char *r = memchr(q, '>', (size_t)(end - q));

	return r ? r + 1 : end;
}

/* After "<!--". Ends at "-->" or "--!>"; "<!-->" and "<!--->" end at once. */
static const char *comment(const char *q, const char *end)
{
	const char *r;

	if (q < end && *q == '>')
		return q + 1;
	if (end - q >= 2 && q[0] == '-' && q[1] == '>')
		return q + 2;
	while ((r = memchr(q, '-', (size_t)(end - q))) != NULL) {
		if (end - r >= 3 && r[1] == '-' && r[2] == '>')
			return r + 3;
		if (end - r >= 4 && r[1] == '-' && r[2] == '!' && r[3] == '>')
			return r + 4;
		q = r + 1;
	}
	return end;
}

/* After "<![CDATA[": hidden up to "]]>". */
static const char *cdata(const char *q, const char *end)
{
	const char *r;

	while ((r = memchr(q, ']', (size_t)(end - q))) != NULL) {
		if (end - r >= 3 && r[1] == ']' && r[2] == '>')
			return r + 3;
		q = r + 1;
	}
	return end;
}

/* After "<!": a comment, CDATA, or a doctype-like bogus comment. */
static const char *declaration(const char *q, const char *end)
{
	if (end - q >= 2 && q[0] == '-' && q[1] == '-')
		return comment(q + 2, end);
	if (end - q >= 7 && memcmp(q, "[CDATA[", 7) == 0)
		return cdata(q + 7, end);
	return bogus_comment(q, end);
}

/* p points at '<'. Anything that does not open markup is literal text. */
static const char *markup(struct state *st, const char *p)
{
	const char *q = p + 1, *end = st->end;

	if (q < end && *q == '!')
		return declaration(q + 1, end);
	if (q < end && *q == '?')
		return bogus_comment(q, end);
	if (q < end && is_alpha((unsigned char)*q))
		return tag(st, q, false);
	if (q < end && *q == '/') {
		q++;
		if (q < end && is_alpha((unsigned char)*q))
			return tag(st, q, true);
		if (q < end && *q == '>')
			return q + 1;
		if (q < end)
			return bogus_comment(q, end);
		put_text(st, "</", 2, true);
		return q;
	}
	put_text(st, "<", 1, true);
	return q;
}

/* ---- text ---- */

static const char *reference(struct state *st, const char *p)
{
	unsigned cp;
	size_t used = char_ref(p, st->end, false, &cp);

	if (!used) {
		put_text(st, "&", 1, true);
		return p + 1;
	}
	put_code_point(st, cp);
	return p + used;
}

static const char *non_ascii(struct state *st, const char *p)
{
	unsigned cp;
	size_t n = utf8_decode((const unsigned char *)p, (const unsigned char *)st->end, &cp);

	if (!n) {
		put_code_point(st, 0xFFFD);
		return p + 1;
	}
	put_code_point(st, cp);
	return p + n;
}

static const char *plain_run(struct state *st, const char *p)
{
	const char *q = p + 1;

	while (q < st->end && is_plain((unsigned char)*q))
		q++;
	put_text(st, p, (size_t)(q - p), true);
	return q;
}

void html_extract(struct arena *a, const char *html, size_t len, size_t max_text,
		  struct html_result *out)
{
	struct state st;
	const char *p;

	if (!html)
		html = "", len = 0;
	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	st.a = a;
	st.end = html + len;
	st.out = out;
	st.max = max_text;
	/* Markup usually outweighs text several times; start at a quarter and
	 * let reserve() double when a body is mostly text. */
	st.cap = len / 4 + 256 < max_text ? len / 4 + 256 : max_text;
	st.text = arena_alloc(a, st.cap + 1);
	st.open_link = NO_LINK;

	for (p = html; p < st.end;) {
		unsigned char c = (unsigned char)*p;

		if (c == '<')
			p = markup(&st, p);
		else if (c == '&')
			p = reference(&st, p);
		else if (c >= 0x80)
			p = non_ascii(&st, p);
		else if (is_plain(c))
			p = plain_run(&st, p);
		else {
			/* Whitespace collapses; other controls (NUL too) are not
			 * rendered, as browsers drop them. */
			if (is_space(c))
				st.pending_space = true;
			p++;
		}
	}
	close_link(&st);
	while (st.len && (st.text[st.len - 1] == '\n' || st.text[st.len - 1] == ' '))
		st.len--;
	st.text[st.len] = '\0';
	out->text = st.text;
	out->text_len = st.len;
}
