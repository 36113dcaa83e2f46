/* store.c: picks the backend named by a store URL's scheme from backends[]
 * (as OpenSMTPD's table backends) and forwards every call to it (see
 * store.h); a backend that lacks a kind of state fails that call. */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "store/backend.h"
#include "util/alloc.h"
#include "util/config.h"

struct store {
	const struct store_backend *be;
	void *impl;
};

/* Forwards to the backend, or fails when it does not keep this kind of state. */
#define CALL(fn, ...)                                                                                      \
	(s->be->fn ? s->be->fn(s->impl, __VA_ARGS__)                                                       \
		   : errbuf_set(err, LG_EUSAGE, "%s is not supported on this store (%s:)", #fn, s->be->scheme))

static const struct store_backend *const backends[] = {
	&store_sqlite_backend,
	&store_redis_backend,
	&store_redis_sentinel_backend,
	&store_redis_cluster_backend,
};

/* The length of url's scheme when it starts "SCHEME:" with SCHEME as RFC
 * 3986 spells one (a letter, then letters, digits, "+", "-", "."), else 0. */
static size_t scheme_len(const char *url)
{
	size_t n = 0;

	if (!g_ascii_isalpha(url[0]))
		return 0;
	while (g_ascii_isalnum(url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
		n++;
	return url[n] == ':' ? n : 0;
}

/* "sqlite:/x.db" -> sqlite backend, "/x.db"; "redis://h:p/0" -> redis,
 * "//h:p/0". A plain path is an SQLite file; "SCHEME://..." with a scheme
 * no backend has is refused (it was once taken for a relative file name). */
static enum lg_status pick(const char *url, const struct store_backend **be, const char **rest,
			   struct errbuf *err)
{
	size_t n = scheme_len(url);

	for (size_t i = 0; n && i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strlen(backends[i]->scheme) == n && strncmp(url, backends[i]->scheme, n) == 0) {
			*be = backends[i];
			*rest = url + n + 1;
			return LG_OK;
		}
	if (n && strncmp(url + n, "://", 3) == 0)
		return errbuf_set(err, LG_ECONFIG,
				  "store '%s': unknown scheme '%.*s' (known: sqlite:PATH or a path, redis://HOST:PORT/DB, "
				  "redis+sentinel://H1:P1,H2:P2/MASTER)",
				  url, (int)n, url);
	*be = &store_sqlite_backend;
	*rest = url;
	return LG_OK;
}

enum lg_status store_open(const char *path, bool create, struct store **out, struct errbuf *err)
{
	const char *rest;
	const struct store_backend *be;
	void *impl = NULL;
	enum lg_status rc = pick(path, &be, &rest, err);

	if (!rc)
		rc = be->open(rest, create, &impl, err);
	if (rc)
		return rc;
	*out = lg_malloc(sizeof(**out));
	(*out)->be = be;
	(*out)->impl = impl;
	return LG_OK;
}

enum lg_status store_check_url(const char *url, bool *shared, struct errbuf *err)
{
	const char *rest;
	const struct store_backend *be;
	enum lg_status rc = pick(url, &be, &rest, err);

	if (!rc && shared)
		*shared = be->shared;
	return rc;
}

bool store_shared(const struct store *s)
{
	return s->be->shared;
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
	return CALL(begin, err);
}

enum lg_status store_commit(struct store *s, struct errbuf *err)
{
	return CALL(commit, err);
}

enum lg_status store_read_begin(struct store *s, struct errbuf *err)
{
	return CALL(read_begin, err);
}

void store_read_end(struct store *s)
{
	if (s->be->read_end)
		s->be->read_end(s->impl);
}

void store_rollback(struct store *s)
{
	if (s->be->rollback)
		s->be->rollback(s->impl);
}

enum lg_status store_tokens_add(struct store *s, const struct store_token *t, size_t n, int64_t day,
				struct errbuf *err)
{
	return CALL(tokens_add, t, n, day, err);
}

enum lg_status store_tokens_each(struct store *s, bool (*fn)(void *ctx, const struct store_token *t),
				 void *ctx, struct errbuf *err)
{
	return CALL(tokens_each, fn, ctx, err);
}

enum lg_status store_tokens_prune(struct store *s, int64_t max_count, int64_t before, int64_t *removed,
				  struct errbuf *err)
{
	return CALL(tokens_prune, max_count, before, removed, err);
}

enum lg_status store_learned_get(struct store *s, const uint8_t digest[32], bool *found,
				 enum store_class *cls, struct errbuf *err)
{
	return CALL(learned_get, digest, found, cls, err);
}

enum lg_status store_learned_put(struct store *s, const uint8_t digest[32], enum store_class cls,
				 struct errbuf *err)
{
	return CALL(learned_put, digest, cls, err);
}

enum lg_status store_learned_del(struct store *s, const uint8_t digest[32], struct errbuf *err)
{
	return CALL(learned_del, digest, err);
}

enum lg_status store_count_add(struct store *s, enum store_class cls, int64_t delta, struct errbuf *err)
{
	return CALL(count_add, cls, delta, err);
}

enum lg_status store_stats(struct store *s, struct store_stats *out, struct errbuf *err)
{
	return CALL(stats, out, err);
}

enum lg_status store_version(struct store *s, uint64_t *out, struct errbuf *err)
{
	return CALL(version, out, err);
}

enum lg_status store_vector_put(struct store *s, const uint8_t digest[32], const char *vector, struct errbuf *err)
{
	return CALL(vector_put, digest, vector, err);
}

enum lg_status store_vector_del(struct store *s, const uint8_t digest[32], struct errbuf *err)
{
	return CALL(vector_del, digest, err);
}

enum lg_status store_vectors_each(struct store *s, bool (*fn)(void *ctx, enum store_class cls, const char *vector),
				  void *ctx, struct errbuf *err)
{
	return CALL(vectors_each, fn, ctx, err);
}

enum lg_status store_fit_replace(struct store *s, const struct store_fit_weight *w, size_t n, struct errbuf *err)
{
	return CALL(fit_replace, w, n, err);
}

enum lg_status store_fit_each(struct store *s, bool (*fn)(void *ctx, const struct store_fit_weight *w), void *ctx,
			      struct errbuf *err)
{
	return CALL(fit_each, fn, ctx, err);
}

/* The leak index: forwarded like the rest; a backend without it fails. */
#define LEAK_CALL(fn, ...) CALL(fn, __VA_ARGS__)

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

char *store_path(const struct config *cfg)
{
	return cfg && cfg->db ? g_strdup(cfg->db) : store_default_path();
}

char *store_local_path(const char *url)
{
	const char *rest;
	const struct store_backend *be;
	char *def, *dir, *name, *out;

	if (pick(url, &be, &rest, NULL))
		return g_strdup(url); /* an unknown scheme: refused where it is opened */
	if (!be->shared)
		return g_strdup(rest);
	/* one file per shared store, beside the default store */
	def = store_default_path();
	dir = g_path_get_dirname(def);
	name = g_strdup_printf("%s.db", url);
	g_strcanon(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", '_');
	out = g_build_filename(dir, name, NULL);
	g_mkdir_with_parents(dir, 0700);
	g_free(name);
	g_free(dir);
	g_free(def);
	return out;
}

char *store_default_path(void)
{
	const char *env = getenv("LEAKGUARD_DB");

	if (env && *env)
		return g_strdup(env);
	return g_build_filename(g_get_home_dir(), ".local", "share", "leakguard", "leakguard.db", NULL);
}
