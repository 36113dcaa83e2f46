/* html.h: the portal's HTML output — escaping (the five characters that
 * matter in text and quoted attributes, OWASP XSS prevention rule 1/2) and
 * templates from web/ (embedded in the binary, assets.h): "{{name}}" is
 * replaced by the escaped value, "{{{name}}}" by a value the code already
 * built from escaped parts. Pure: no I/O. */
#ifndef LG_PORTAL_HTML_H
#define LG_PORTAL_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct html_var {
	const char *name, *value;
};

/* Appends s escaped for HTML text and double- or single-quoted attributes. */
void html_escape(struct buf *out, const char *s);
/* Appends <td class="cls">text</td>, text escaped; and a number cell. */
void html_cell(struct buf *out, const char *cls, const char *text);
void html_cell_num(struct buf *out, const char *cls, unsigned long long n);

/* Appends the template named name (a web/ file) with vars substituted;
 * a missing variable becomes "", a missing template a visible marker. */
void html_render(struct buf *out, const char *name, const struct html_var *vars, size_t n);
/* A whole page: web/layout.html around the template `name`. */
void html_page(struct buf *out, const char *title, const char *name, const struct html_var *vars, size_t n);

#endif
