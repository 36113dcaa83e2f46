/* arena.h: a region allocator for everything derived from one message (as
 * rspamd's task pool). Allocations are bump-pointer fast and are freed all at
 * once by arena_free(); nothing allocated here is freed individually. */
#ifndef LG_ARENA_H
#define LG_ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_new(void);
/* Frees every allocation made from *a and sets *a to NULL; NULL is a no-op. */
void arena_free(struct arena **a);
/* Returns n bytes aligned for any type, zeroed. Owned by the arena. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies n bytes at heap pointer p into the arena and frees p (lg_free);
 * returns the arena copy, or NULL when p is NULL. For arrays grown with
 * lg_grow() that should die with the arena. */
void *arena_move(struct arena *a, void *p, size_t n);
/* Bytes handed out so far (for limits and statistics). */
size_t arena_used(const struct arena *a);

#endif
