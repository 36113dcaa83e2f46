/* store.c: picks the backend named by a store path's scheme and forwards
 * every call to it (see store.h). */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "store/backend.h"
#include "util/alloc.h"

struct store {
	const struct store_backend *be;
	void *impl;
};

static const struct store_backend *const backends[] = {
	&store_sqlite_backend,
};

/* "sqlite:/x.db" -> sqlite backend, "/x.db"; a path without a known
 * scheme is an SQLite file. */
static const struct store_backend *pick(const char *path, const char **rest)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		size_t n = strlen(backends[i]->scheme);

		if (strncmp(path, backends[i]->scheme, n) == 0 && path[n] == ':') {
			*rest = path + n + 1;
			return backends[i];
		}
	}
	*rest = path;
	return &store_sqlite_backend;
}

enum lg_status store_open(const char *path, bool create, struct store **out, struct errbuf *err)
{
	const char *rest;
	const struct store_backend *be = pick(path, &rest);
	void *impl = NULL;
	enum lg_status rc = be->open(rest, create, &impl, err);

	if (rc)
		return rc;
	*out = lg_malloc(sizeof(**out));
	(*out)->be = be;
	(*out)->impl = impl;
	return LG_OK;
}

void store_close(struct store **s)
{
	if (!s || !*s)
		return;
	(*s)->be->close((*s)->impl);
	lg_free(*s);
	*s = NULL;
}

enum lg_status store_begin(struct store *s, struct errbuf *err)
{
	return s->be->begin(s->impl, err);
}

enum lg_status store_commit(struct store *s, struct errbuf *err)
{
	return s->be->commit(s->impl, err);
}

enum lg_status store_read_begin(struct store *s, struct errbuf *err)
{
	return s->be->read_begin(s->impl, err);
}

void store_read_end(struct store *s)
{
	s->be->read_end(s->impl);
}

void store_rollback(struct store *s)
{
	s->be->rollback(s->impl);
}

enum lg_status store_tokens_add(struct store *s, const struct store_token *t, size_t n, int64_t day,
				struct errbuf *err)
{
	return s->be->tokens_add(s->impl, t, n, day, err);
}

enum lg_status store_tokens_each(struct store *s, bool (*fn)(void *ctx, const struct store_token *t),
				 void *ctx, struct errbuf *err)
{
	return s->be->tokens_each(s->impl, fn, ctx, err);
}

enum lg_status store_tokens_prune(struct store *s, int64_t max_count, int64_t before, int64_t *removed,
				  struct errbuf *err)
{
	return s->be->tokens_prune(s->impl, max_count, before, removed, err);
}

enum lg_status store_learned_get(struct store *s, const uint8_t digest[32], bool *found,
				 enum store_class *cls, struct errbuf *err)
{
	return s->be->learned_get(s->impl, digest, found, cls, err);
}

enum lg_status store_learned_put(struct store *s, const uint8_t digest[32], enum store_class cls,
				 struct errbuf *err)
{
	return s->be->learned_put(s->impl, digest, cls, err);
}

enum lg_status store_learned_del(struct store *s, const uint8_t digest[32], struct errbuf *err)
{
	return s->be->learned_del(s->impl, digest, err);
}

enum lg_status store_count_add(struct store *s, enum store_class cls, int64_t delta, struct errbuf *err)
{
	return s->be->count_add(s->impl, cls, delta, err);
}

enum lg_status store_stats(struct store *s, struct store_stats *out, struct errbuf *err)
{
	return s->be->stats(s->impl, out, err);
}

enum lg_status store_vector_put(struct store *s, const uint8_t digest[32], const char *vector, struct errbuf *err)
{
	return s->be->vector_put(s->impl, digest, vector, err);
}

enum lg_status store_vector_del(struct store *s, const uint8_t digest[32], struct errbuf *err)
{
	return s->be->vector_del(s->impl, digest, err);
}

enum lg_status store_vectors_each(struct store *s, bool (*fn)(void *ctx, enum store_class cls, const char *vector),
				  void *ctx, struct errbuf *err)
{
	return s->be->vectors_each(s->impl, fn, ctx, err);
}

enum lg_status store_fit_replace(struct store *s, const struct store_fit_weight *w, size_t n, struct errbuf *err)
{
	return s->be->fit_replace(s->impl, w, n, err);
}

enum lg_status store_fit_each(struct store *s, bool (*fn)(void *ctx, const struct store_fit_weight *w), void *ctx,
			      struct errbuf *err)
{
	return s->be->fit_each(s->impl, fn, ctx, err);
}

/* The leak index: forwarded like the rest; a backend without it fails. */
#define LEAK_CALL(fn, ...) \
	(s->be->fn ? s->be->fn(s->impl, __VA_ARGS__) \
		   : errbuf_set(err, LG_EINTERNAL, "this store backend has no leak index"))

enum lg_status store_leak_attach(struct store *s, bool create, struct errbuf *err)
{
	return LEAK_CALL(leak_attach, create, err);
}

char *store_leak_dir(struct store *s)
{
	return s->be->leak_dir ? s->be->leak_dir(s->impl) : NULL;
}

enum lg_status store_leak_source_get(struct store *s, const char *name, bool create, int64_t *id,
				     struct errbuf *err)
{
	return LEAK_CALL(leak_source_get, name, create, id, err);
}

enum lg_status store_leak_source_state(struct store *s, int64_t id, const char *state, struct errbuf *err)
{
	return LEAK_CALL(leak_source_state, id, state, err);
}

enum lg_status store_leak_sources(struct store *s, bool (*fn)(void *ctx, const struct store_leak_source *src),
				  void *ctx, struct errbuf *err)
{
	return LEAK_CALL(leak_sources, fn, ctx, err);
}

enum lg_status store_leak_file_find(struct store *s, int64_t source_id, const char *path, int64_t size,
				    int64_t mtime, const uint8_t *sha256, bool *found, struct errbuf *err)
{
	return LEAK_CALL(leak_file_find, source_id, path, size, mtime, sha256, found, err);
}

enum lg_status store_leak_file_max_id(struct store *s, int64_t *id, struct errbuf *err)
{
	return LEAK_CALL(leak_file_max_id, id, err);
}

enum lg_status store_leak_file_add(struct store *s, const struct store_leak_file *f, struct errbuf *err)
{
	return LEAK_CALL(leak_file_add, f, err);
}

enum lg_status store_leak_file_get(struct store *s, int64_t id, struct store_leak_file *out, struct errbuf *err)
{
	return LEAK_CALL(leak_file_get, id, out, err);
}

enum lg_status store_leak_segment_add(struct store *s, const struct store_leak_segment *seg, struct errbuf *err)
{
	return LEAK_CALL(leak_segment_add, seg, err);
}

enum lg_status store_leak_segments(struct store *s, int64_t source_id,
				   bool (*fn)(void *ctx, const struct store_leak_segment *seg), void *ctx,
				   struct errbuf *err)
{
	return LEAK_CALL(leak_segments, source_id, fn, ctx, err);
}

enum lg_status store_leak_error_add(struct store *s, int64_t file_id, int64_t line, const char *why,
				    struct errbuf *err)
{
	return LEAK_CALL(leak_error_add, file_id, line, why, err);
}

enum lg_status store_leak_place_add(struct store *s, int64_t file_id, uint64_t first, uint64_t last, const void *data,
				    size_t len, struct errbuf *err)
{
	return LEAK_CALL(leak_place_add, file_id, first, last, data, len, err);
}

enum lg_status store_leak_places(struct store *s, int64_t file_id, uint64_t pos,
				 bool (*fn)(void *ctx, const void *data, size_t len), void *ctx, struct errbuf *err)
{
	return LEAK_CALL(leak_places, file_id, pos, fn, ctx, err);
}

enum lg_status store_leak_places_prune(struct store *s, struct errbuf *err)
{
	return LEAK_CALL(leak_places_prune, err);
}

enum lg_status store_leak_addresses_add(struct store *s, const char *domain, int64_t source_id, const char *text,
					size_t len, struct errbuf *err)
{
	return LEAK_CALL(leak_addresses_add, domain, source_id, text, len, err);
}

enum lg_status store_leak_addresses(struct store *s, const char *domain,
				    bool (*fn)(void *ctx, int64_t source_id, const char *text, size_t len), void *ctx,
				    struct errbuf *err)
{
	return LEAK_CALL(leak_addresses, domain, fn, ctx, err);
}

char *store_default_path(void)
{
	const char *env = getenv("LEAKGUARD_DB");

	if (env && *env)
		return g_strdup(env);
	return g_build_filename(g_get_home_dir(), ".local", "share", "leakguard", "leakguard.db", NULL);
}
