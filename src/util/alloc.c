/* alloc.c: see alloc.h. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

static void *checked(void *p, size_t n)
{
	if (!p && n) {
		fprintf(stderr, "leakguard: out of memory (%zu bytes)\n", n);
		abort();
	}
	return p;
}

void *lg_malloc(size_t n)
{
	return checked(malloc(n ? n : 1), n);
}

void *lg_calloc(size_t count, size_t size)
{
	return checked(calloc(count ? count : 1, size ? size : 1), count * size);
}

void *lg_realloc(void *p, size_t n)
{
	return checked(realloc(p, n ? n : 1), n);
}

void *lg_grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	p = lg_realloc(p, n * size);
	*cap = n;
	return p;
}

char *lg_strndup(const char *s, size_t n)
{
	char *d = lg_malloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *lg_strdup(const char *s)
{
	return lg_strndup(s, strlen(s));
}

void lg_free(void *p)
{
	free(p);
}

void lg_alloc_tune(void)
{
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
	mallopt(M_TOP_PAD, 16 * 1024 * 1024);
	mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
}
