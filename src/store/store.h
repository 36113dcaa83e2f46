/* store.h: leakguard's state — the classifier's token counts, the digests
 * of learnt messages, and counters — behind one small interface with one
 * backend per file (as OpenSMTPD's table backends): SQLite (store_sqlite.c,
 * the embedded default); shared backends (Redis, PostgreSQL) plug in here.
 *
 * Writes happen inside store_begin()/store_commit(): a reader never sees
 * half of a batch, and a writer killed mid-batch leaves the store as it was
 * before the batch (SQLite WAL). */
#ifndef LG_STORE_H
#define LG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/errbuf.h"

enum store_class { STORE_HAM = 0, STORE_SPAM = 1 };

struct store_token {
	uint64_t hash;
	int64_t spam, ham; /* counts; deltas when writing */
	int64_t seen;      /* day number (days since 1970) of the last update */
};

struct store_stats {
	int64_t spam_messages, ham_messages, tokens, bytes;
};

struct store;

/* Opens (creating when create is true) the store at path, a URL whose
 * scheme picks the backend: "sqlite:PATH" or a plain path (an SQLite file),
 * "redis://[[USER]:PASSWORD@]HOST:PORT/DB",
 * "redis+sentinel://[[USER]:PASSWORD@]H1:P1,H2:P2/MASTER[/DB]" (the
 * password is the master's, never shown in messages)
 * (both may end "?timeout_ms=N", the budget of every Redis call: default
 * 500 ms when opened to read, as on the mail path, 10 s when create is true). LG_ECONFIG for an unknown scheme, a malformed URL or
 * "redis+cluster://" (not supported yet), each naming it; LG_EIO naming the
 * server when it cannot be reached; for SQLite, LG_ENOTFOUND when it does
 * not exist and create is false and LG_EPARSE when the file is not a
 * leakguard store (with a sentence saying how to rebuild). A backend that
 * does not keep some kind of state fails those calls with LG_EUSAGE
 * ("... is not supported on this store"). */
enum lg_status store_open(const char *path, bool create, struct store **out, struct errbuf *err);
/* Whether url names a known backend, without opening it: LG_ECONFIG naming
 * an unknown scheme; *shared (may be NULL) says whether it is a server
 * other hosts share. */
enum lg_status store_check_url(const char *url, bool *shared, struct errbuf *err);
/* Whether s lives on a shared server (Redis) rather than a local file. */
bool store_shared(const struct store *s);
void store_close(struct store **s);

enum lg_status store_begin(struct store *s, struct errbuf *err);
/* A read snapshot: everything read until store_read_end() is from one
 * consistent state, whatever writers commit meanwhile. */
enum lg_status store_read_begin(struct store *s, struct errbuf *err);
void store_read_end(struct store *s);
enum lg_status store_commit(struct store *s, struct errbuf *err);
void store_rollback(struct store *s);

/* Adds deltas to n tokens (creating them), setting their day to `day`. */
enum lg_status store_tokens_add(struct store *s, const struct store_token *t, size_t n, int64_t day,
				struct errbuf *err);
/* Calls fn for every token; stops early when fn returns false. */
enum lg_status store_tokens_each(struct store *s, bool (*fn)(void *ctx, const struct store_token *t),
				 void *ctx, struct errbuf *err);
/* Deletes tokens whose counts are all at most max_count and whose day is
 * before `before`, and tokens whose counts reached zero. *removed gets the number. */
enum lg_status store_tokens_prune(struct store *s, int64_t max_count, int64_t before, int64_t *removed,
				  struct errbuf *err);

/* The class a message digest was learnt as: 1 and *cls, or 0 when unknown. */
enum lg_status store_learned_get(struct store *s, const uint8_t digest[32], bool *found,
				 enum store_class *cls, struct errbuf *err);
enum lg_status store_learned_put(struct store *s, const uint8_t digest[32], enum store_class cls,
				 struct errbuf *err);
enum lg_status store_learned_del(struct store *s, const uint8_t digest[32], struct errbuf *err);

/* Adds delta to the message count of cls. */
enum lg_status store_count_add(struct store *s, enum store_class cls, int64_t delta, struct errbuf *err);
enum lg_status store_stats(struct store *s, struct store_stats *out, struct errbuf *err);
/* A number that every committed batch changes, for a shared store (a
 * local file's size and time tell the same for SQLite; there this call
 * fails with "not supported on this store"). */
enum lg_status store_version(struct store *s, uint64_t *out, struct errbuf *err);

/* ---- the fitted verdict (learn/fit.h) ----
 * Each learnt message's signal vector (text, learn/fit.h's form), kept
 * beside its digest, and the weights fitted on them. */
struct store_fit_weight {
	const char *name; /* signal name, or FIT_LOGODDS */
	double weight, prior;
	int64_t messages; /* learnt messages that carried it */
};

enum lg_status store_vector_put(struct store *s, const uint8_t digest[32], const char *vector, struct errbuf *err);
enum lg_status store_vector_del(struct store *s, const uint8_t digest[32], struct errbuf *err);
/* Calls fn with the class and vector of every learnt message that has one,
 * in digest order (vector borrowed for the call); stops when fn returns false. */
enum lg_status store_vectors_each(struct store *s, bool (*fn)(void *ctx, enum store_class cls, const char *vector),
				  void *ctx, struct errbuf *err);
/* Replaces every fitted weight with w[0..n) (n 0: no fit, the hand-set weights rule). */
enum lg_status store_fit_replace(struct store *s, const struct store_fit_weight *w, size_t n, struct errbuf *err);
/* Calls fn with every fitted weight, by name (strings borrowed for the call). */
enum lg_status store_fit_each(struct store *s, bool (*fn)(void *ctx, const struct store_fit_weight *w), void *ctx,
			      struct errbuf *err);

/* ---- the leak index (src/leak/): sources, files, segments, read errors ----
 * The hot index is segment files (src/leak/segment.h) in the directory
 * store_leak_dir() names; these tables say which segments are live and hold
 * everything per file. A segment is live only once its row is committed. */
struct store_leak_source {
	int64_t id;
	const char *name, *state;       /* state: "ingesting" or "complete" */
	int64_t started, finished;      /* unix times, 0 when never */
	int64_t files, bytes, records, entries, errors, segments;
};

struct store_leak_file {
	int64_t id, source_id;
	const char *path, *format;
	int64_t size, mtime;
	uint8_t sha256[32];
	int64_t records, entries, errors;
	const void *lines; /* little-endian u64 offsets of lines 1, 4097, 8193, ... */
	size_t lines_len;  /* bytes */
};

struct store_leak_segment {
	int64_t id, source_id;
	const char *name; /* file name inside store_leak_dir() */
	int64_t entries, bytes;
};

/* Creates the leak tables when missing (create) or checks they exist
 * (LG_ENOTFOUND when no leak was ever ingested). */
enum lg_status store_leak_attach(struct store *s, bool create, struct errbuf *err);
/* The directory for segment files (created when missing). Caller g_frees. */
char *store_leak_dir(struct store *s);
/* The id of source `name`, creating it when create; LG_ENOTFOUND otherwise. */
enum lg_status store_leak_source_get(struct store *s, const char *name, bool create, int64_t *id,
				     struct errbuf *err);
enum lg_status store_leak_source_state(struct store *s, int64_t id, const char *state, struct errbuf *err);
/* Every source (with totals over its files), by name; strings borrowed for the call. */
enum lg_status store_leak_sources(struct store *s, bool (*fn)(void *ctx, const struct store_leak_source *src),
				  void *ctx, struct errbuf *err);
/* Whether source_id already holds the file: by path, size and mtime when
 * sha256 is NULL, else by content. */
enum lg_status store_leak_file_find(struct store *s, int64_t source_id, const char *path, int64_t size,
				    int64_t mtime, const uint8_t *sha256, bool *found, struct errbuf *err);
/* The largest file id in use (0 when none). */
enum lg_status store_leak_file_max_id(struct store *s, int64_t *id, struct errbuf *err);
/* Inserts a file row with the id f->id. */
enum lg_status store_leak_file_add(struct store *s, const struct store_leak_file *f, struct errbuf *err);
/* Reads file `id`; out's strings and blob are valid until the next call. */
enum lg_status store_leak_file_get(struct store *s, int64_t id, struct store_leak_file *out, struct errbuf *err);
enum lg_status store_leak_segment_add(struct store *s, const struct store_leak_segment *seg, struct errbuf *err);
/* Every live segment (of source_id, or all when 0), in id order. */
enum lg_status store_leak_segments(struct store *s, int64_t source_id,
				   bool (*fn)(void *ctx, const struct store_leak_segment *seg), void *ctx,
				   struct errbuf *err);
/* Records that a record of file_id at line could not be read. */
enum lg_status store_leak_error_add(struct store *s, int64_t file_id, int64_t line, const char *why,
				    struct errbuf *err);

/* What lookups show of places, prepared at ingest (src/leak/index.c
 * encodes data): a chunk of the places of file_id between byte offsets
 * first and last. Kept per file, written with the batch of the file. */
enum lg_status store_leak_place_add(struct store *s, int64_t file_id, uint64_t first, uint64_t last, const void *data,
				    size_t len, struct errbuf *err);
/* Calls fn with every chunk of file_id covering pos (data borrowed for the
 * call); stops when fn returns false. */
enum lg_status store_leak_places(struct store *s, int64_t file_id, uint64_t pos,
				 bool (*fn)(void *ctx, const void *data, size_t len), void *ctx, struct errbuf *err);
/* Deletes place chunks of files that were never committed (a killed ingest). */
enum lg_status store_leak_places_prune(struct store *s, struct errbuf *err);
/* Adds the addresses of exactly the registrable domain `domain` found in
 * one batch of source_id (as src/leak/ packs them; opaque here). */
enum lg_status store_leak_addresses_add(struct store *s, const char *domain, int64_t source_id, const char *text,
					size_t len, struct errbuf *err);
/* Calls fn with every row of exactly `domain` (bytes borrowed for the call). */
enum lg_status store_leak_addresses(struct store *s, const char *domain,
				    bool (*fn)(void *ctx, int64_t source_id, const char *text, size_t len), void *ctx,
				    struct errbuf *err);

/* The default store path: $LEAKGUARD_DB, else ~/.local/share/leakguard/leakguard.db.
 * Returns a g_malloc'd string (g_free it). */
char *store_default_path(void);

struct config;
/* The store URL cfg names: cfg->db, else store_default_path(). Returns a
 * g_malloc'd string: g_free it (never free()). */
char *store_path(const struct config *cfg);
/* The local file for state a store keeps in SQLite whatever its backend
 * (snapshots, reports, history): for an SQLite URL its path without
 * "sqlite:"; for a shared store one file per URL beside the default store
 * (e.g. redis___127.0.0.1_6379_0.db; its directory is created when
 * missing). g_malloc'd: g_free it. */
char *store_local_path(const char *url);

#endif
