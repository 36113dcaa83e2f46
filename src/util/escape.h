/* escape.h: names that come from outside (archive members, file names in a
 * dump, blob names in a scan) printed so that they cannot drive the
 * terminal: C0 controls, DEL and the C1 range are written as \xHH, and
 * backslash as \\, so the printed text is reversible and shows the bytes. */
#ifndef LG_ESCAPE_H
#define LG_ESCAPE_H

#include <stddef.h>

#include "util/buf.h"

/* Appends s[0..n) to b with controls escaped as above. UTF-8 sequences pass
 * through except C1 controls (U+0080..U+009F) and the bidi overrides and
 * isolates (U+202A..U+202E, U+2066..U+2069), which are escaped as \u{HHHH}
 * because they reorder what follows them on the screen. */
void escape_controls(struct buf *b, const char *s, size_t n);

/* The same into a new NUL-terminated string; caller lg_free()s. */
char *escape_controls_dup(const char *s);

#endif
