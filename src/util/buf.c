/* buf.c: see buf.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_cleanup(struct buf *b)
{
	lg_free(b->data);
	buf_init(b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static void reserve(struct buf *b, size_t n)
{
	b->data = lg_grow(b->data, &b->cap, b->len + n + 1, 1);
}

void buf_append(struct buf *b, const void *p, size_t n)
{
	reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

bool buf_append_max(struct buf *b, const void *p, size_t n, size_t limit)
{
	size_t room = b->len < limit ? limit - b->len : 0;

	buf_append(b, p, n < room ? n : room);
	return n <= room;
}

void buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void buf_appendf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}
