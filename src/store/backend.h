/* backend.h: what a store backend implements (internal to src/store/).
 * Every function mirrors the store_* call of the same name in store.h, with
 * the backend's own handle in place of struct store. An entry may be NULL
 * when the backend does not keep that kind of state: store.c then fails the
 * call with "not supported on this store". */
#ifndef LG_STORE_BACKEND_H
#define LG_STORE_BACKEND_H

#include "store/store.h"

struct store_backend {
	const char *scheme; /* "sqlite" in "sqlite:PATH" */
	bool shared;        /* state on a server other hosts share (not a local file) */
	enum lg_status (*open)(const char *path, bool create, void **impl, struct errbuf *err);
	void (*close)(void *impl);
	enum lg_status (*begin)(void *impl, struct errbuf *err);
	enum lg_status (*commit)(void *impl, struct errbuf *err);
	enum lg_status (*read_begin)(void *impl, struct errbuf *err);
	void (*read_end)(void *impl);
	void (*rollback)(void *impl);
	enum lg_status (*tokens_add)(void *impl, const struct store_token *t, size_t n, int64_t day,
				     struct errbuf *err);
	enum lg_status (*tokens_each)(void *impl, bool (*fn)(void *, const struct store_token *), void *ctx,
				      struct errbuf *err);
	enum lg_status (*tokens_prune)(void *impl, int64_t max_count, int64_t before, int64_t *removed,
				       struct errbuf *err);
	enum lg_status (*learned_get)(void *impl, const uint8_t digest[32], bool *found, enum store_class *cls,
				      struct errbuf *err);
	enum lg_status (*learned_put)(void *impl, const uint8_t digest[32], enum store_class cls,
				      struct errbuf *err);
	enum lg_status (*learned_del)(void *impl, const uint8_t digest[32], struct errbuf *err);
	enum lg_status (*count_add)(void *impl, enum store_class cls, int64_t delta, struct errbuf *err);
	enum lg_status (*stats)(void *impl, struct store_stats *out, struct errbuf *err);
	/* a number every committed batch changes (NULL: files say, see state.c) */
	enum lg_status (*version)(void *impl, uint64_t *out, struct errbuf *err);
	/* the leak index (NULL in a backend without one: calls give LG_EUSAGE) */
	enum lg_status (*leak_attach)(void *impl, bool create, struct errbuf *err);
	char *(*leak_dir)(void *impl);
	enum lg_status (*leak_source_get)(void *impl, const char *name, bool create, int64_t *id, struct errbuf *err);
	enum lg_status (*leak_source_state)(void *impl, int64_t id, const char *state, struct errbuf *err);
	enum lg_status (*leak_sources)(void *impl, bool (*fn)(void *, const struct store_leak_source *), void *ctx,
				       struct errbuf *err);
	enum lg_status (*leak_file_find)(void *impl, int64_t source_id, const char *path, int64_t size,
					 int64_t mtime, const uint8_t *sha256, bool *found, struct errbuf *err);
	enum lg_status (*leak_file_max_id)(void *impl, int64_t *id, struct errbuf *err);
	enum lg_status (*leak_file_add)(void *impl, const struct store_leak_file *f, struct errbuf *err);
	enum lg_status (*leak_file_get)(void *impl, int64_t id, struct store_leak_file *out, struct errbuf *err);
	enum lg_status (*leak_segment_add)(void *impl, const struct store_leak_segment *seg, struct errbuf *err);
	enum lg_status (*leak_segments)(void *impl, int64_t source_id,
					bool (*fn)(void *, const struct store_leak_segment *), void *ctx,
					struct errbuf *err);
	enum lg_status (*leak_error_add)(void *impl, int64_t file_id, int64_t line, const char *why,
					 struct errbuf *err);
	enum lg_status (*leak_place_add)(void *impl, int64_t file_id, uint64_t first, uint64_t last, const void *data,
					 size_t len, struct errbuf *err);
	enum lg_status (*leak_places)(void *impl, int64_t file_id, uint64_t pos,
				      bool (*fn)(void *, const void *, size_t), void *ctx, struct errbuf *err);
	enum lg_status (*leak_places_prune)(void *impl, struct errbuf *err);
	enum lg_status (*leak_addresses_add)(void *impl, const char *domain, int64_t source_id, const char *text,
					     size_t len, struct errbuf *err);
	enum lg_status (*leak_addresses)(void *impl, const char *domain,
					 bool (*fn)(void *, int64_t, const char *, size_t), void *ctx, struct errbuf *err);
	/* learnt signal vectors and fitted weights (learn/fit.h) */
	enum lg_status (*vector_put)(void *impl, const uint8_t digest[32], const char *vector, struct errbuf *err);
	enum lg_status (*vector_del)(void *impl, const uint8_t digest[32], struct errbuf *err);
	enum lg_status (*vectors_each)(void *impl, bool (*fn)(void *, enum store_class, const char *), void *ctx,
				       struct errbuf *err);
	enum lg_status (*fit_replace)(void *impl, const struct store_fit_weight *w, size_t n, struct errbuf *err);
	enum lg_status (*fit_each)(void *impl, bool (*fn)(void *, const struct store_fit_weight *), void *ctx,
				   struct errbuf *err);
};

extern const struct store_backend store_sqlite_backend;
/* redis_store.c: redis://, redis+sentinel:// and the refusal of redis+cluster:// */
extern const struct store_backend store_redis_backend;
extern const struct store_backend store_redis_sentinel_backend;
extern const struct store_backend store_redis_cluster_backend;

#endif
