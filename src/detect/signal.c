/* signal.c: the signal table (see signal.h) and the per-message signal list. */
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "detect/signal.h"
#include "util/alloc.h"

struct signal_def {
	const char *name;
	double weight;
	enum signal_class cls;
	const char *description;
};

static const struct signal_def defs[SIGNAL_COUNT] = {
#define SIGNAL_DEF(sym, w, cls, desc) {#sym, w, cls, desc},
	SIGNALS(SIGNAL_DEF)
#undef SIGNAL_DEF
};

void signal_weights_default(struct signal_weights *w)
{
	for (int i = 0; i < SIGNAL_COUNT; i++)
		w->w[i] = defs[i].weight;
}

enum signal_id signal_lookup(const char *name)
{
	for (int i = 0; i < SIGNAL_COUNT; i++)
		if (strcasecmp(defs[i].name, name) == 0)
			return (enum signal_id)i;
	return SIGNAL_COUNT;
}

const char *signal_name(enum signal_id id)
{
	return defs[id].name;
}

enum signal_class signal_class_of(enum signal_id id)
{
	return defs[id].cls;
}

const char *signal_description(enum signal_id id)
{
	return defs[id].description;
}

void signal_list_init(struct signal_list *l, struct arena *a, const struct signal_weights *w)
{
	l->arena = a;
	l->weights = w;
	l->items = NULL;
	l->n = l->cap = 0;
}

static struct signal *find(const struct signal_list *l, enum signal_id id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].id == id)
			return &l->items[i];
	return NULL;
}

void signal_add(struct signal_list *l, enum signal_id id, double strength, const char *fmt, ...)
{
	double score = l->weights->w[id] * strength;
	struct signal *s = find(l, id);
	char reason[1024];
	va_list ap;

	if (s && s->score >= score)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (!s) {
		if (l->n == l->cap) {
			/* Grows inside the arena: old arrays die with the message. */
			size_t cap = l->cap ? l->cap * 2 : 16;
			struct signal *items = arena_alloc(l->arena, cap * sizeof(*items));

			for (size_t i = 0; i < l->n; i++)
				items[i] = l->items[i];
			l->items = items;
			l->cap = cap;
		}
		s = &l->items[l->n++];
		s->id = id;
	}
	s->score = score;
	s->reason = arena_strdup(l->arena, reason);
}

int signal_has(const struct signal_list *l, enum signal_id id)
{
	return find(l, id) != NULL;
}
