/* arena.c: see arena.h. Chunks are singly linked; a request larger than the
 * usual chunk gets a chunk of its own, so big bodies do not waste space. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/arena.h"

#define CHUNK_SIZE (64 * 1024)
#define ALIGN 16

struct chunk {
	struct chunk *next;
	size_t size, used;
	_Alignas(ALIGN) unsigned char data[];
};

struct arena {
	struct chunk *head;
	size_t used;
};

struct arena *arena_new(void)
{
	return lg_calloc(1, sizeof(struct arena));
}

void arena_free(struct arena **a)
{
	struct chunk *c, *next;

	if (!a || !*a)
		return;
	for (c = (*a)->head; c; c = next) {
		next = c->next;
		lg_free(c);
	}
	lg_free(*a);
	*a = NULL;
}

static struct chunk *chunk_new(size_t size)
{
	struct chunk *c = lg_malloc(sizeof(*c) + size);

	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c = a->head;
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	void *p;

	if (!c || c->size - c->used < need) {
		if (need > CHUNK_SIZE / 4) {
			/* Oversized: its own chunk, linked behind the current one so
			 * the current chunk keeps serving small requests. */
			c = chunk_new(need);
			if (a->head) {
				c->next = a->head->next;
				a->head->next = c;
			} else {
				a->head = c;
			}
		} else {
			c = chunk_new(CHUNK_SIZE);
			c->next = a->head;
			a->head = c;
		}
	}
	p = c->data + c->used;
	c->used += need;
	a->used += need;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *d;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return arena_strdup(a, "");
	d = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return d;
}

void *arena_move(struct arena *a, void *p, size_t n)
{
	void *d;

	if (!p)
		return NULL;
	d = arena_alloc(a, n);
	memcpy(d, p, n);
	lg_free(p);
	return d;
}

size_t arena_used(const struct arena *a)
{
	return a->used;
}
