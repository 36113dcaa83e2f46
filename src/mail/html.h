/* html.h: reduce an HTML body to what a reader sees and what they can click.
 *
 * A small forgiving tokenizer (not a DOM): it never fails on bad markup, skips
 * <script>, <style>, <head> and comments, decodes character references, turns
 * block elements into line breaks, and reports every link with its visible
 * text. Pure: bytes in, arena-owned results out; no I/O. Follows the HTML
 * Living Standard's tokenization loosely (enough for mail, bounded in work). */
#ifndef LG_MAIL_HTML_H
#define LG_MAIL_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "mail/message.h"
#include "util/arena.h"

struct html_result {
	char *text;               /* visible text, UTF-8, NUL-terminated */
	size_t text_len;
	struct mail_link *links;  /* <a href> (with text), <form action>, <area>, <img src> */
	size_t nlinks;
	bool has_form;
	bool has_password_field;  /* <input type=password> */
	bool truncated;           /* text or links hit their limit */
};

/* Extracts visible text and links from len bytes of HTML (assumed UTF-8).
 * At most max_text bytes of text and MAIL_MAX_LINKS links are kept. Never
 * fails; all results are allocated in `a`. */
void html_extract(struct arena *a, const char *html, size_t len, size_t max_text,
		  struct html_result *out);

#endif
