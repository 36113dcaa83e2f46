/* buf.h: a growable byte buffer with an optional cap (as curl's dynbuf).
 * The data is always NUL-terminated. */
#ifndef LG_BUF_H
#define LG_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data; /* NULL until the first append */
	size_t len, cap;
};

void buf_init(struct buf *b);
/* Frees the data; the buf can be reused after buf_init. */
void buf_cleanup(struct buf *b);
void buf_reset(struct buf *b);
void buf_append(struct buf *b, const void *p, size_t n);
/* Appends as much of p as fits under limit bytes in total; returns false
 * when anything had to be cut. */
bool buf_append_max(struct buf *b, const void *p, size_t n, size_t limit);
void buf_appendf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_putc(struct buf *b, char c);

#endif
