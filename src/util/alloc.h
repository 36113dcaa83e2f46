/* alloc.h: the one allocation wrapper (as Redis zmalloc, SQLite malloc.c).
 *
 * Out of memory on the heap is not recoverable for a mail filter in any useful
 * way, so these functions abort with a message instead of returning NULL; that
 * keeps every caller free of NULL checks. lg_free(NULL) is a no-op. */
#ifndef LG_ALLOC_H
#define LG_ALLOC_H

#include <stddef.h>

void *lg_malloc(size_t n);
void *lg_calloc(size_t count, size_t size);
void *lg_realloc(void *p, size_t n);
/* Grows an array of `*cap` elements of `size` bytes to hold at least `need`. */
void *lg_grow(void *p, size_t *cap, size_t need, size_t size);
char *lg_strdup(const char *s);
char *lg_strndup(const char *s, size_t n);
void lg_free(void *p);

/* Process-wide allocator policy, called once at start-up: keep freed memory
 * for reuse instead of handing it back to the kernel after every message
 * (each message's arena is freed whole, and returning and refaulting those
 * pages cost a tenth of check's CPU time). */
void lg_alloc_tune(void);

#endif
