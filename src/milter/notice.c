/* notice.c: see notice.h. */
#include <stdbool.h>
#include <string.h>

#include "mail/url.h"
#include "milter/notice.h"
#include "util/buf.h"

static const char *headline(enum verdict_kind k)
{
	switch (k) {
	case VERDICT_PHISHING:
		return "WARNING: this message is very likely a phishing attempt.";
	case VERDICT_SPAM:
		return "CAUTION: this message looks like spam.";
	default:
		return "CAUTION: this message shows signs of phishing.";
	}
}

static const char advice[] =
	"Do not click its links, open its attachments or reply with any information until you "
	"have checked with the sender in another way (a phone number or address you already know).";

/* The sentence of a sign, defanged and cut at a character boundary. */
static const char *reason(struct arena *a, const struct signal *s)
{
	char *r = arena_strdup(a, url_defang(a, s->reason ? s->reason : signal_description(s->id)));
	size_t n = strlen(r);

	/* One line of the banner each: no line breaks or other controls. */
	for (char *p = r; *p; p++)
		if ((unsigned char)*p < ' ')
			*p = ' ';
	if (n <= NOTICE_MAX_REASON)
		return r;
	n = NOTICE_MAX_REASON - 3;
	while (n > 0 && ((unsigned char)r[n] & 0xc0) == 0x80)
		n--;
	return arena_printf(a, "%.*s...", (int)n, r);
}

static bool listed(const struct signal *s)
{
	return s->score > 0 && signal_class_of(s->id) != SIGNAL_INFO;
}

/* Appends words to b wrapped at NOTICE_WIDTH; continuation lines start with
 * indent. Width counts bytes, near enough for a banner. */
static void wrap(struct buf *b, const char *first, const char *indent, const char *text)
{
	size_t col = strlen(first), ind = strlen(indent);
	bool line_empty = true;

	buf_append(b, first, col);
	for (;;) {
		size_t w;

		while (*text == ' ')
			text++;
		if (!*text)
			break;
		w = strcspn(text, " ");
		if (!line_empty && col + 1 + w > NOTICE_WIDTH) {
			buf_putc(b, '\n');
			buf_append(b, indent, ind);
			col = ind;
			line_empty = true;
		}
		if (!line_empty) {
			buf_putc(b, ' ');
			col++;
		}
		buf_append(b, text, w);
		col += w;
		text += w;
		line_empty = false;
	}
	buf_putc(b, '\n');
}

static void html_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_append(b, "&amp;", 5); break;
		case '<': buf_append(b, "&lt;", 4); break;
		case '>': buf_append(b, "&gt;", 4); break;
		case '"': buf_append(b, "&quot;", 6); break;
		case '\'': buf_append(b, "&#39;", 5); break;
		default: buf_putc(b, *s);
		}
	}
}

static void build_text(struct arena *a, const struct verdict *v, const char *report, struct buf *b)
{
	size_t shown = 0;

	wrap(b, "", "", headline(v->kind));
	for (size_t i = 0; i < v->signals.n && shown < NOTICE_MAX_SIGNS; i++) {
		if (!listed(&v->signals.items[i]))
			continue;
		if (shown++ == 0)
			buf_appendf(b, "Signs found:\n");
		wrap(b, "  - ", "    ", reason(a, &v->signals.items[i]));
	}
	wrap(b, "", "", advice);
	if (report)
		wrap(b, "", "", arena_printf(a, "To report it, forward it to %s.", report));
	else
		wrap(b, "", "", "If in doubt, ask your IT or security team before you act on it.");
	buf_appendf(b, "%.*s\n\n", NOTICE_WIDTH, "------------------------------------------------------------------------"
		    "------------------------------------------------------------------------");
}

/* Inline and !important on every element of the banner: an inline
 * !important declaration beats any style sheet rule (CSS Cascade 4, the
 * style attribute outranks every selector), so the sender's <style>
 * (div{display:none!important}, font-size:0, white on white, zero height,
 * an overlay) cannot hide it. The style attributes are broken into short
 * lines (whitespace to CSS) so no line nears SMTP's 998 bytes. */
#define SHOWN "visibility:visible!important;opacity:1!important;filter:none!important;\n" \
	"transform:none!important;clip-path:none!important;color:#1a1a1a!important;\n" \
	"font-family:Arial,Helvetica,sans-serif!important;font-size:14px!important;\n" \
	"line-height:1.4!important;height:auto!important;max-height:none!important;\n" \
	"width:auto!important;max-width:none!important;overflow:visible!important;\n" \
	"text-indent:0!important;float:none!important;"
#define BLOCK "display:block!important;" SHOWN
#define INLINE "display:inline!important;" SHOWN

static void build_html(struct arena *a, const struct verdict *v, const char *report, struct buf *b)
{
	size_t shown = 0;

	buf_appendf(b, "<div style=\"" BLOCK "position:relative!important;z-index:2147483647!important;"
		       "border:2px solid #c62828!important;background:#fff4f4!important;padding:8px 12px!important;"
		       "margin:0 0 12px 0!important\">\n");
	buf_appendf(b, "<p style=\"" BLOCK "margin:0 0 4px 0!important\"><strong style=\"" INLINE
		       "font-weight:bold!important\">%s</strong></p>\n", headline(v->kind));
	for (size_t i = 0; i < v->signals.n && shown < NOTICE_MAX_SIGNS; i++) {
		if (!listed(&v->signals.items[i]))
			continue;
		if (shown++ == 0)
			buf_appendf(b, "<p style=\"" BLOCK "margin:0!important\">Signs found:</p>\n"
				       "<ul style=\"" BLOCK "margin:4px 0 4px 20px!important;padding:0!important\">\n");
		buf_appendf(b, "<li style=\"display:list-item!important;" SHOWN "\">");
		html_escape(b, reason(a, &v->signals.items[i]));
		buf_appendf(b, "</li>\n");
	}
	if (shown)
		buf_appendf(b, "</ul>\n");
	buf_appendf(b, "<p style=\"" BLOCK "margin:0!important\">%s</p>\n<p style=\"" BLOCK "margin:0!important\">",
		    advice);
	if (report) {
		buf_appendf(b, "To report it, forward it to <a style=\"" INLINE "\" href=\"mailto:");
		html_escape(b, report);
		buf_appendf(b, "\">");
		html_escape(b, report);
		buf_appendf(b, "</a>.");
	} else {
		buf_appendf(b, "If in doubt, ask your IT or security team before you act on it.");
	}
	buf_appendf(b, "</p>\n</div>\n");
}

void notice_build(struct arena *a, const struct verdict *v, const char *report_address, struct banner *out)
{
	struct buf text, html;

	buf_init(&text);
	buf_init(&html);
	build_text(a, v, report_address, &text);
	build_html(a, v, report_address, &html);
	out->text = arena_strndup(a, text.data, text.len);
	out->html = arena_strndup(a, html.data, html.len);
	/* The milter does not rewrite Content-Type (yet): no wrapping. */
	out->may_wrap = false;
	buf_cleanup(&text);
	buf_cleanup(&html);
}
