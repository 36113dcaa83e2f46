/* speller.c: see speller.h. */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <hunspell.h>

#include "detect/speller.h"
#include "util/alloc.h"
#include "util/log.h"

/* Entries kept before the cache is emptied and refilled: bounded memory
 * (a few MiB) for a daemon that sees years of mail. */
#define CACHE_MAX 200000

struct speller {
	Hunhandle *h;
	GHashTable *cache; /* word -> GINT_TO_POINTER(1 known, 2 unknown) */
	pthread_mutex_t lock;
};

struct speller *speller_new(const char *dir, const char *lang)
{
	char *aff = g_strdup_printf("%s/%s.aff", dir, lang);
	char *dic = g_strdup_printf("%s/%s.dic", dir, lang);
	struct speller *s = NULL;

	if (access(aff, R_OK) != 0 || access(dic, R_OK) != 0) {
		log_warn("no dictionary %s (%s): spelling is not checked", lang, dic);
		goto out;
	}
	s = lg_calloc(1, sizeof(*s));
	s->h = Hunspell_create(aff, dic);
	s->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	pthread_mutex_init(&s->lock, NULL);
out:
	g_free(aff);
	g_free(dic);
	return s;
}

void speller_free(struct speller **s)
{
	if (!s || !*s)
		return;
	Hunspell_destroy((*s)->h);
	g_hash_table_destroy((*s)->cache);
	pthread_mutex_destroy(&(*s)->lock);
	lg_free(*s);
	*s = NULL;
}

bool speller_known(struct speller *s, const char *word, size_t len)
{
	char key[64];
	gpointer v;
	bool known;

	if (len == 0 || len >= sizeof(key))
		return true; /* not judged: too long to be an ordinary word */
	memcpy(key, word, len);
	key[len] = '\0';
	pthread_mutex_lock(&s->lock);
	v = g_hash_table_lookup(s->cache, key);
	if (v) {
		known = GPOINTER_TO_INT(v) == 1;
	} else {
		known = Hunspell_spell(s->h, key) != 0;
		if (g_hash_table_size(s->cache) >= CACHE_MAX)
			g_hash_table_remove_all(s->cache);
		g_hash_table_insert(s->cache, g_strdup(key), GINT_TO_POINTER(known ? 1 : 2));
	}
	pthread_mutex_unlock(&s->lock);
	return known;
}
