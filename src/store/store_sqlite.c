/* store_sqlite.c: the embedded default store, one SQLite file in WAL mode
 * (readers never block the writer and never see a half-written batch).
 *
 * On-disk layout (PRAGMA user_version = 1):
 *   tokens(hash INTEGER PRIMARY KEY, spam, ham, seen)  classifier counts;
 *          hash is the 64-bit feature hash stored as a signed integer,
 *          seen the day number of the last update (for pruning)
 *   learned(digest BLOB PRIMARY KEY, class, at)        SHA-256 of each learnt
 *          message and its class, so learning is idempotent and reversible
 *   counts(class INTEGER PRIMARY KEY, messages)        messages learnt per class
 *   learned_vectors(digest BLOB PRIMARY KEY, vector)   the detection run's
 *          signals of each learnt message (learn/fit.h's text form), so
 *          `learn` can fit the verdict's weights and --forget removes a
 *          message's row with its digest
 *   fit_weights(name TEXT PRIMARY KEY, weight, prior, messages)  the fitted
 *          weight of each signal, the hand-set one it was pulled toward and
 *          how many learnt messages carried the signal; empty until a fit
 *
 * The leak index (created by the first `leakguard ingest`; see
 * src/leak/segment.h for the segment files in PATH.leak/ that hold the
 * per-record entries, and src/leak/index.c for how a batch is committed):
 *   leak_sources(id, name UNIQUE, state, started, finished)  one per --source;
 *          state "ingesting" until an ingest run ends
 *   leak_files(id, source_id, path, size, mtime, sha256, format, records,
 *          entries, errors, lines, ingested)  every file ingested; (source_id,
 *          sha256) is unique, so the same content is indexed once per source;
 *          lines is the sparse line index (u64 offset of every 4096th line)
 *   leak_segments(id, source_id, name UNIQUE, entries, bytes)  live segment
 *          files; one is committed in the same transaction as its files
 *   leak_errors(file_id, line, what)  records that could not be read
 *   leak_places(file_id, first, last, data)  what lookup shows of a place
 *          (line, page, redacted snippet), prepared at ingest so no
 *          request re-reads a dump (index.c has the encoding of data)
 *   leak_addresses(domain, source_id, addresses)  the addresses of one
 *          exact registrable domain in one batch, newline-separated and
 *          packed (src/leak/index_int.h); the portal's address list reads
 *          these rows only
 * An index of the first format (no leak_places) is refused by readers and
 * dropped by the next ingest (src/leak/index.c says why). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <sqlite3.h>

#include "store/backend.h"
#include "util/alloc.h"

#define SCHEMA_VERSION 1

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS tokens(hash INTEGER PRIMARY KEY, spam INTEGER NOT NULL,"
	" ham INTEGER NOT NULL, seen INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS learned(digest BLOB PRIMARY KEY, class INTEGER NOT NULL,"
	" at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS counts(class INTEGER PRIMARY KEY, messages INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO counts VALUES(0, 0), (1, 0);";

/* Added after schema 1 without changing it: created on every open (a no-op
 * once they exist), so older stores gain them and older readers ignore them. */
static const char fit_schema[] =
	"CREATE TABLE IF NOT EXISTS learned_vectors(digest BLOB PRIMARY KEY, vector TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS fit_weights(name TEXT PRIMARY KEY, weight REAL NOT NULL, prior REAL NOT NULL,"
	" messages INTEGER NOT NULL);";

enum stmt_id {
	ST_TOKEN_ADD, ST_TOKEN_EACH, ST_LEARNED_GET, ST_LEARNED_PUT, ST_LEARNED_DEL, ST_COUNT_ADD,
	ST_COUNT_GET, ST_TOKEN_COUNT, ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_TOKEN_ADD] = "INSERT INTO tokens(hash, spam, ham, seen) VALUES(?1, max(?2, 0), max(?3, 0), ?4)"
			 " ON CONFLICT(hash) DO UPDATE SET spam = max(spam + ?2, 0), ham = max(ham + ?3, 0), seen = ?4",
	[ST_TOKEN_EACH] = "SELECT hash, spam, ham, seen FROM tokens",
	[ST_LEARNED_GET] = "SELECT class FROM learned WHERE digest = ?1",
	[ST_LEARNED_PUT] = "INSERT OR REPLACE INTO learned(digest, class, at) VALUES(?1, ?2, ?3)",
	[ST_LEARNED_DEL] = "DELETE FROM learned WHERE digest = ?1",
	[ST_COUNT_ADD] = "UPDATE counts SET messages = max(messages + ?2, 0) WHERE class = ?1",
	[ST_COUNT_GET] = "SELECT class, messages FROM counts",
	[ST_TOKEN_COUNT] = "SELECT count(*) FROM tokens",
};

enum leak_stmt_id {
	LST_SOURCE_GET, LST_SOURCE_ADD, LST_SOURCE_STATE, LST_SOURCES, LST_FILE_BY_PATH, LST_FILE_BY_SHA,
	LST_FILE_MAX, LST_FILE_ADD, LST_FILE_GET, LST_SEGMENT_ADD, LST_SEGMENTS, LST_ERROR_ADD, LST_PLACE_ADD,
	LST_PLACES, LST_PLACES_PRUNE, LST_ADDR_ADD, LST_ADDRS, LST_COUNT
};

struct sqlite_store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_COUNT];
	sqlite3_stmt *lst[LST_COUNT]; /* the leak index's, prepared by leak_attach */
};

static enum lg_status db_error(struct sqlite_store *s, struct errbuf *err, const char *what)
{
	return errbuf_set(err, LG_EIO, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static void close_store(void *impl)
{
	struct sqlite_store *s = impl;

	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	for (int i = 0; i < LST_COUNT; i++)
		sqlite3_finalize(s->lst[i]);
	sqlite3_close(s->db);
	lg_free(s->path);
	lg_free(s);
}

static enum lg_status exec(struct sqlite_store *s, const char *sql, struct errbuf *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, err, "SQL failed");
	return LG_OK;
}

static int user_version(struct sqlite_store *s)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static bool has_fit_tables(struct sqlite_store *s)
{
	sqlite3_stmt *st;
	bool yes = false;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master WHERE name IN ('learned_vectors', 'fit_weights')",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW)
		yes = sqlite3_column_int(st, 0) == 2;
	sqlite3_finalize(st);
	return yes;
}

/* Creates the schema in a new file, or checks an existing file is ours. */
static enum lg_status init_schema(struct sqlite_store *s, struct errbuf *err)
{
	int v = user_version(s);
	char sql[64];

	if (v < 0)
		return errbuf_set(err, LG_EPARSE,
				  "%s is not a leakguard store (%s); move it away and run `leakguard learn` again to rebuild the model",
				  s->path, sqlite3_errmsg(s->db));
	if (v > SCHEMA_VERSION)
		return errbuf_set(err, LG_EPARSE, "%s was written by a newer leakguard (schema %d)", s->path, v);
	if (v == 0) {
		enum lg_status rc = exec(s, schema, err);

		if (rc)
			return rc;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", SCHEMA_VERSION);
		rc = exec(s, sql, err);
		if (rc)
			return rc;
	}
	if (!has_fit_tables(s))
		return exec(s, fit_schema, err);
	return LG_OK;
}

static void make_parent_dir(const char *path)
{
	char *dir = g_path_get_dirname(path);

	g_mkdir_with_parents(dir, 0700);
	g_free(dir);
}

static enum lg_status open_store(const char *path, bool create, void **impl, struct errbuf *err)
{
	struct sqlite_store *s = lg_calloc(1, sizeof(*s));
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	struct stat st;
	enum lg_status rc;

	s->path = lg_strdup(path);
	if (!create && stat(path, &st) != 0) {
		close_store(s);
		return errbuf_set(err, LG_ENOTFOUND, "%s: %s", path, strerror(errno));
	}
	if (create) {
		int fd;

		make_parent_dir(path);
		/* SQLite creates 0644 less the umask; the store holds leak data
		 * and keys, so it is made 0600 first (its -wal and -shm files
		 * take the mode of the database) */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
	}
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = db_error(s, err, "cannot open");
		close_store(s);
		return rc;
	}
	sqlite3_busy_timeout(s->db, 10000);
	rc = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err);
	if (rc) /* "file is not a database" shows up here first */
		rc = errbuf_set(err, LG_EPARSE,
				"%s is not a leakguard store (%s); move it away and run `leakguard learn` again to rebuild the model",
				path, sqlite3_errmsg(s->db));
	if (!rc)
		rc = init_schema(s, err);
	/* Writers touch many pages per batch; readers load once and close. */
	if (!rc && create)
		rc = exec(s, "PRAGMA cache_size=-65536", err);
	for (int i = 0; !rc && i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK)
			rc = db_error(s, err, "cannot prepare statements (damaged store?)");
	if (rc) {
		close_store(s);
		return rc;
	}
	*impl = s;
	return LG_OK;
}

static enum lg_status begin(void *impl, struct errbuf *err)
{
	return exec(impl, "BEGIN IMMEDIATE", err);
}

static enum lg_status commit(void *impl, struct errbuf *err)
{
	return exec(impl, "COMMIT", err);
}

static enum lg_status read_begin(void *impl, struct errbuf *err)
{
	return exec(impl, "BEGIN DEFERRED", err);
}

static void read_end(void *impl)
{
	struct sqlite_store *s = impl;

	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

static void rollback(void *impl)
{
	struct sqlite_store *s = impl;

	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Runs a bound statement that returns no rows, and resets it. */
static enum lg_status step_done(struct sqlite_store *s, sqlite3_stmt *st, struct errbuf *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? LG_OK : db_error(s, err, "write failed");
}

static enum lg_status tokens_add(void *impl, const struct store_token *t, size_t n, int64_t day,
				 struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->st[ST_TOKEN_ADD];

	for (size_t i = 0; i < n; i++) {
		enum lg_status rc;

		sqlite3_bind_int64(st, 1, (sqlite3_int64)t[i].hash);
		sqlite3_bind_int64(st, 2, t[i].spam);
		sqlite3_bind_int64(st, 3, t[i].ham);
		sqlite3_bind_int64(st, 4, day);
		rc = step_done(s, st, err);
		if (rc)
			return rc;
	}
	return LG_OK;
}

static enum lg_status tokens_each(void *impl, bool (*fn)(void *, const struct store_token *), void *ctx,
				  struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->st[ST_TOKEN_EACH];
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_token t = {
			(uint64_t)sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
			sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
		};

		if (!fn(ctx, &t)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LG_OK : db_error(s, err, "read failed");
}

static enum lg_status tokens_prune(void *impl, int64_t max_count, int64_t before, int64_t *removed,
				   struct errbuf *err)
{
	struct sqlite_store *s = impl;
	char sql[160];
	enum lg_status rc;

	snprintf(sql, sizeof(sql),
		 "DELETE FROM tokens WHERE (spam + ham = 0) OR (spam + ham <= %lld AND seen < %lld)",
		 (long long)max_count, (long long)before);
	rc = exec(s, sql, err);
	*removed = rc ? 0 : sqlite3_changes(s->db);
	return rc;
}

static enum lg_status learned_get(void *impl, const uint8_t digest[32], bool *found, enum store_class *cls,
				  struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->st[ST_LEARNED_GET];
	int rc;

	sqlite3_bind_blob(st, 1, digest, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found)
		*cls = sqlite3_column_int(st, 0) ? STORE_SPAM : STORE_HAM;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? LG_OK : db_error(s, err, "read failed");
}

static enum lg_status learned_put(void *impl, const uint8_t digest[32], enum store_class cls,
				  struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->st[ST_LEARNED_PUT];

	sqlite3_bind_blob(st, 1, digest, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, cls);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	return step_done(s, st, err);
}

static enum lg_status learned_del(void *impl, const uint8_t digest[32], struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->st[ST_LEARNED_DEL];

	sqlite3_bind_blob(st, 1, digest, 32, SQLITE_STATIC);
	return step_done(s, st, err);
}

static enum lg_status count_add(void *impl, enum store_class cls, int64_t delta, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->st[ST_COUNT_ADD];

	sqlite3_bind_int(st, 1, cls);
	sqlite3_bind_int64(st, 2, delta);
	return step_done(s, st, err);
}

static enum lg_status stats(void *impl, struct store_stats *out, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->st[ST_COUNT_GET];
	struct stat sb;
	int rc;

	memset(out, 0, sizeof(*out));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int(st, 0) == STORE_SPAM)
			out->spam_messages = sqlite3_column_int64(st, 1);
		else
			out->ham_messages = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(s, err, "read failed");
	st = s->st[ST_TOKEN_COUNT];
	if (sqlite3_step(st) == SQLITE_ROW)
		out->tokens = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	out->bytes = stat(s->path, &sb) == 0 ? (int64_t)sb.st_size : 0;
	return LG_OK;
}

/* ---- learnt signal vectors and fitted weights ---- */

/* Runs sql with a digest bound as ?1 and optionally text as ?2. */
static enum lg_status run_digest(struct sqlite_store *s, const char *sql, const uint8_t digest[32], const char *text,
				 struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc;

	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return db_error(s, err, "cannot prepare statement");
	sqlite3_bind_blob(st, 1, digest, 32, SQLITE_STATIC);
	if (text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	rc = step_done(s, st, err);
	sqlite3_finalize(st);
	return rc;
}

static enum lg_status vector_put(void *impl, const uint8_t digest[32], const char *vector, struct errbuf *err)
{
	return run_digest(impl, "INSERT OR REPLACE INTO learned_vectors(digest, vector) VALUES(?1, ?2)", digest, vector,
			  err);
}

static enum lg_status vector_del(void *impl, const uint8_t digest[32], struct errbuf *err)
{
	return run_digest(impl, "DELETE FROM learned_vectors WHERE digest = ?1", digest, NULL, err);
}

static enum lg_status vectors_each(void *impl, bool (*fn)(void *, enum store_class, const char *), void *ctx,
				   struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st;
	int rc;

	/* In digest order, so the fit sums in an order no history changes. */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT l.class, v.vector FROM learned_vectors v JOIN learned l ON l.digest = v.digest"
			       " ORDER BY v.digest",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, err, "cannot prepare statement");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (!fn(ctx, sqlite3_column_int(st, 0) ? STORE_SPAM : STORE_HAM, (const char *)sqlite3_column_text(st, 1))) {
			rc = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? LG_OK : db_error(s, err, "read failed");
}

static enum lg_status fit_replace(void *impl, const struct store_fit_weight *w, size_t n, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st;
	enum lg_status rc = exec(s, "DELETE FROM fit_weights", err);

	if (rc || !n)
		return rc;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO fit_weights(name, weight, prior, messages) VALUES(?1, ?2, ?3, ?4)", -1,
			       &st, NULL) != SQLITE_OK)
		return db_error(s, err, "cannot prepare statement");
	for (size_t i = 0; !rc && i < n; i++) {
		sqlite3_bind_text(st, 1, w[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 2, w[i].weight);
		sqlite3_bind_double(st, 3, w[i].prior);
		sqlite3_bind_int64(st, 4, w[i].messages);
		rc = step_done(s, st, err);
	}
	sqlite3_finalize(st);
	return rc;
}

static enum lg_status fit_each(void *impl, bool (*fn)(void *, const struct store_fit_weight *), void *ctx,
			       struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT name, weight, prior, messages FROM fit_weights ORDER BY name", -1, &st,
			       NULL) != SQLITE_OK)
		return db_error(s, err, "cannot prepare statement");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_fit_weight w = {(const char *)sqlite3_column_text(st, 0), sqlite3_column_double(st, 1),
					     sqlite3_column_double(st, 2), sqlite3_column_int64(st, 3)};

		if (!fn(ctx, &w)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? LG_OK : db_error(s, err, "read failed");
}

/* ---- the leak index ---- */

static const char leak_schema[] =
	"CREATE TABLE IF NOT EXISTS leak_sources(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'complete', started INTEGER NOT NULL DEFAULT 0,"
	" finished INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS leak_files(id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL,"
	" path TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL, sha256 BLOB NOT NULL,"
	" format TEXT NOT NULL, records INTEGER NOT NULL, entries INTEGER NOT NULL, errors INTEGER NOT NULL,"
	" lines BLOB, ingested INTEGER NOT NULL, UNIQUE(source_id, sha256));"
	"CREATE INDEX IF NOT EXISTS leak_files_path ON leak_files(source_id, path);"
	"CREATE TABLE IF NOT EXISTS leak_segments(id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL,"
	" name TEXT UNIQUE NOT NULL, entries INTEGER NOT NULL, bytes INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS leak_errors(file_id INTEGER NOT NULL, line INTEGER NOT NULL,"
	" what TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS leak_places(file_id INTEGER NOT NULL, first INTEGER NOT NULL,"
	" last INTEGER NOT NULL, data BLOB NOT NULL);"
	"CREATE INDEX IF NOT EXISTS leak_places_file ON leak_places(file_id, first);"
	"CREATE TABLE IF NOT EXISTS leak_addresses(domain TEXT NOT NULL, source_id INTEGER NOT NULL,"
	" addresses BLOB NOT NULL);"
	"CREATE INDEX IF NOT EXISTS leak_addresses_domain ON leak_addresses(domain);";

/* What the first format had; dropped when an ingest meets it. */
static const char leak_drop_v1[] = "DROP TABLE IF EXISTS leak_sources; DROP TABLE IF EXISTS leak_files;"
				   " DROP TABLE IF EXISTS leak_segments; DROP TABLE IF EXISTS leak_errors;";

static const char *const leak_sql[LST_COUNT] = {
	[LST_SOURCE_GET] = "SELECT id FROM leak_sources WHERE name = ?1",
	[LST_SOURCE_ADD] = "INSERT INTO leak_sources(name) VALUES(?1)",
	[LST_SOURCE_STATE] = "UPDATE leak_sources SET state = ?2,"
			     " started = CASE WHEN ?2 = 'ingesting' THEN ?3 ELSE started END,"
			     " finished = CASE WHEN ?2 = 'complete' THEN ?3 ELSE finished END WHERE id = ?1",
	[LST_SOURCES] = "SELECT s.id, s.name, s.state, s.started, s.finished,"
			" (SELECT count(*) FROM leak_files f WHERE f.source_id = s.id),"
			" (SELECT total(size) FROM leak_files f WHERE f.source_id = s.id),"
			" (SELECT total(records) FROM leak_files f WHERE f.source_id = s.id),"
			" (SELECT total(entries) FROM leak_files f WHERE f.source_id = s.id),"
			" (SELECT total(errors) FROM leak_files f WHERE f.source_id = s.id),"
			" (SELECT count(*) FROM leak_segments g WHERE g.source_id = s.id)"
			" FROM leak_sources s ORDER BY s.name",
	[LST_FILE_BY_PATH] = "SELECT 1 FROM leak_files WHERE source_id = ?1 AND path = ?2 AND size = ?3 AND mtime = ?4",
	[LST_FILE_BY_SHA] = "SELECT 1 FROM leak_files WHERE source_id = ?1 AND sha256 = ?2",
	[LST_FILE_MAX] = "SELECT coalesce(max(id), 0) FROM leak_files",
	[LST_FILE_ADD] = "INSERT INTO leak_files(id, source_id, path, size, mtime, sha256, format, records, entries,"
			 " errors, lines, ingested) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[LST_FILE_GET] = "SELECT id, source_id, path, size, mtime, sha256, format, records, entries, errors, lines"
			 " FROM leak_files WHERE id = ?1",
	[LST_SEGMENT_ADD] = "INSERT INTO leak_segments(source_id, name, entries, bytes) VALUES(?1, ?2, ?3, ?4)",
	[LST_SEGMENTS] = "SELECT id, source_id, name, entries, bytes FROM leak_segments"
			 " WHERE ?1 = 0 OR source_id = ?1 ORDER BY id",
	[LST_ERROR_ADD] = "INSERT INTO leak_errors(file_id, line, what) VALUES(?1, ?2, ?3)",
	[LST_PLACE_ADD] = "INSERT INTO leak_places(file_id, first, last, data) VALUES(?1, ?2, ?3, ?4)",
	[LST_PLACES] = "SELECT data FROM leak_places WHERE file_id = ?1 AND first <= ?2 AND last >= ?2",
	[LST_PLACES_PRUNE] = "DELETE FROM leak_places WHERE file_id > (SELECT coalesce(max(id), 0) FROM leak_files)",
	[LST_ADDR_ADD] = "INSERT INTO leak_addresses(domain, source_id, addresses) VALUES(?1, ?2, ?3)",
	[LST_ADDRS] = "SELECT source_id, addresses FROM leak_addresses WHERE domain = ?1",
};

static bool has_table(struct sqlite_store *s, const char *name)
{
	sqlite3_stmt *st;
	bool yes = false;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE name = ?1", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

static enum lg_status leak_attach(void *impl, bool create, struct errbuf *err)
{
	struct sqlite_store *s = impl;

	if (s->lst[0])
		return LG_OK;
	if (has_table(s, "leak_segments") && !has_table(s, "leak_places")) {
		enum lg_status rc;

		if (!create)
			return errbuf_set(err, LG_EPARSE,
					  "%s holds a leak index of an older format, whose domain answers could mix"
					  " organisations; run `leakguard ingest` again for every leak to rebuild it",
					  s->path);
		rc = exec(s, leak_drop_v1, err);
		if (rc)
			return rc;
	}
	if (!has_table(s, "leak_segments")) {
		enum lg_status rc;

		if (!create)
			return errbuf_set(err, LG_ENOTFOUND, "%s holds no leak index; run `leakguard ingest` first", s->path);
		rc = exec(s, leak_schema, err);
		if (rc)
			return rc;
	}
	for (int i = 0; i < LST_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, leak_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->lst[i], NULL) != SQLITE_OK) {
			enum lg_status rc = db_error(s, err, "cannot prepare the leak index statements (damaged store?)");

			for (int k = 0; k < LST_COUNT; k++) {
				sqlite3_finalize(s->lst[k]);
				s->lst[k] = NULL;
			}
			return rc;
		}
	return LG_OK;
}

static char *leak_dir(void *impl)
{
	struct sqlite_store *s = impl;
	char *dir = g_strdup_printf("%s.leak", s->path);

	g_mkdir_with_parents(dir, 0700);
	chmod(dir, 0700); /* also when an older version or a loose umask made it */
	return dir;
}

static enum lg_status leak_source_get(void *impl, const char *name, bool create, int64_t *id, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[LST_SOURCE_GET];
	int rc;

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_ROW)
		return LG_OK;
	if (rc != SQLITE_DONE)
		return db_error(s, err, "read failed");
	if (!create)
		return errbuf_set(err, LG_ENOTFOUND, "no source named '%s'", name);
	st = s->lst[LST_SOURCE_ADD];
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (step_done(s, st, err))
		return LG_EIO;
	*id = sqlite3_last_insert_rowid(s->db);
	return LG_OK;
}

static enum lg_status leak_source_state(void *impl, int64_t id, const char *state, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[LST_SOURCE_STATE];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	return step_done(s, st, err);
}

static enum lg_status leak_sources(void *impl, bool (*fn)(void *, const struct store_leak_source *), void *ctx,
				   struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[LST_SOURCES];
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_leak_source src = {
			.id = sqlite3_column_int64(st, 0),
			.name = (const char *)sqlite3_column_text(st, 1),
			.state = (const char *)sqlite3_column_text(st, 2),
			.started = sqlite3_column_int64(st, 3),
			.finished = sqlite3_column_int64(st, 4),
			.files = sqlite3_column_int64(st, 5),
			.bytes = (int64_t)sqlite3_column_double(st, 6),
			.records = (int64_t)sqlite3_column_double(st, 7),
			.entries = (int64_t)sqlite3_column_double(st, 8),
			.errors = (int64_t)sqlite3_column_double(st, 9),
			.segments = sqlite3_column_int64(st, 10),
		};

		if (!fn(ctx, &src)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LG_OK : db_error(s, err, "read failed");
}

static enum lg_status leak_file_find(void *impl, int64_t source_id, const char *path, int64_t size, int64_t mtime,
				     const uint8_t *sha256, bool *found, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[sha256 ? LST_FILE_BY_SHA : LST_FILE_BY_PATH];
	int rc;

	sqlite3_bind_int64(st, 1, source_id);
	if (sha256) {
		sqlite3_bind_blob(st, 2, sha256, 32, SQLITE_STATIC);
	} else {
		sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, size);
		sqlite3_bind_int64(st, 4, mtime);
	}
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? LG_OK : db_error(s, err, "read failed");
}

static enum lg_status leak_file_max_id(void *impl, int64_t *id, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[LST_FILE_MAX];
	int rc = sqlite3_step(st);

	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? LG_OK : db_error(s, err, "read failed");
}

static enum lg_status leak_file_add(void *impl, const struct store_leak_file *f, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[LST_FILE_ADD];

	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_int64(st, 2, f->source_id);
	sqlite3_bind_text(st, 3, f->path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, f->size);
	sqlite3_bind_int64(st, 5, f->mtime);
	sqlite3_bind_blob(st, 6, f->sha256, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, f->format, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, f->records);
	sqlite3_bind_int64(st, 9, f->entries);
	sqlite3_bind_int64(st, 10, f->errors);
	if (f->lines_len)
		sqlite3_bind_blob(st, 11, f->lines, (int)f->lines_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)time(NULL));
	return step_done(s, st, err);
}

static enum lg_status leak_file_get(void *impl, int64_t id, struct store_leak_file *out, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[LST_FILE_GET];
	int rc;

	sqlite3_reset(st); /* the previous call's row stays readable until now */
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? errbuf_set(err, LG_ENOTFOUND, "no leak file %lld", (long long)id)
					 : db_error(s, err, "read failed");
	}
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	out->source_id = sqlite3_column_int64(st, 1);
	out->path = (const char *)sqlite3_column_text(st, 2);
	out->size = sqlite3_column_int64(st, 3);
	out->mtime = sqlite3_column_int64(st, 4);
	if (sqlite3_column_bytes(st, 5) == 32)
		memcpy(out->sha256, sqlite3_column_blob(st, 5), 32);
	out->format = (const char *)sqlite3_column_text(st, 6);
	out->records = sqlite3_column_int64(st, 7);
	out->entries = sqlite3_column_int64(st, 8);
	out->errors = sqlite3_column_int64(st, 9);
	out->lines = sqlite3_column_blob(st, 10);
	out->lines_len = (size_t)sqlite3_column_bytes(st, 10);
	return LG_OK;
}

static enum lg_status leak_segment_add(void *impl, const struct store_leak_segment *seg, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[LST_SEGMENT_ADD];

	sqlite3_bind_int64(st, 1, seg->source_id);
	sqlite3_bind_text(st, 2, seg->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seg->entries);
	sqlite3_bind_int64(st, 4, seg->bytes);
	return step_done(s, st, err);
}

static enum lg_status leak_segments(void *impl, int64_t source_id, bool (*fn)(void *, const struct store_leak_segment *),
				    void *ctx, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[LST_SEGMENTS];
	int rc;

	sqlite3_bind_int64(st, 1, source_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_leak_segment seg = {
			.id = sqlite3_column_int64(st, 0),
			.source_id = sqlite3_column_int64(st, 1),
			.name = (const char *)sqlite3_column_text(st, 2),
			.entries = sqlite3_column_int64(st, 3),
			.bytes = sqlite3_column_int64(st, 4),
		};

		if (!fn(ctx, &seg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? LG_OK : db_error(s, err, "read failed");
}

static enum lg_status leak_error_add(void *impl, int64_t file_id, int64_t line, const char *why, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[LST_ERROR_ADD];

	sqlite3_bind_int64(st, 1, file_id);
	sqlite3_bind_int64(st, 2, line);
	sqlite3_bind_text(st, 3, why, -1, SQLITE_STATIC);
	return step_done(s, st, err);
}

static enum lg_status leak_place_add(void *impl, int64_t file_id, uint64_t first, uint64_t last, const void *data,
				     size_t len, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[LST_PLACE_ADD];

	sqlite3_bind_int64(st, 1, file_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)first);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)last);
	sqlite3_bind_blob(st, 4, data, (int)len, SQLITE_STATIC);
	return step_done(s, st, err);
}

static enum lg_status leak_places(void *impl, int64_t file_id, uint64_t pos,
				  bool (*fn)(void *, const void *, size_t), void *ctx, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[LST_PLACES];
	int rc;

	sqlite3_bind_int64(st, 1, file_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)pos);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (!fn(ctx, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0))) {
			rc = SQLITE_DONE;
			break;
		}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? LG_OK : db_error(s, err, "read failed");
}

static enum lg_status leak_places_prune(void *impl, struct errbuf *err)
{
	struct sqlite_store *s = impl;

	return step_done(s, s->lst[LST_PLACES_PRUNE], err);
}

static enum lg_status leak_addresses_add(void *impl, const char *domain, int64_t source_id, const char *text,
					 size_t len, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[LST_ADDR_ADD];

	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, source_id);
	sqlite3_bind_blob(st, 3, text, (int)len, SQLITE_STATIC);
	return step_done(s, st, err);
}

static enum lg_status leak_addresses(void *impl, const char *domain,
				     bool (*fn)(void *, int64_t, const char *, size_t), void *ctx, struct errbuf *err)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *st = s->lst[LST_ADDRS];
	int rc;

	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (!fn(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_blob(st, 1),
			(size_t)sqlite3_column_bytes(st, 1))) {
			rc = SQLITE_DONE;
			break;
		}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? LG_OK : db_error(s, err, "read failed");
}

const struct store_backend store_sqlite_backend = {
	.scheme = "sqlite",
	.open = open_store,
	.close = close_store,
	.begin = begin,
	.commit = commit,
	.rollback = rollback,
	.read_begin = read_begin,
	.read_end = read_end,
	.tokens_add = tokens_add,
	.tokens_each = tokens_each,
	.tokens_prune = tokens_prune,
	.learned_get = learned_get,
	.learned_put = learned_put,
	.learned_del = learned_del,
	.count_add = count_add,
	.stats = stats,
	.leak_attach = leak_attach,
	.leak_dir = leak_dir,
	.leak_source_get = leak_source_get,
	.leak_source_state = leak_source_state,
	.leak_sources = leak_sources,
	.leak_file_find = leak_file_find,
	.leak_file_max_id = leak_file_max_id,
	.leak_file_add = leak_file_add,
	.leak_file_get = leak_file_get,
	.leak_segment_add = leak_segment_add,
	.leak_segments = leak_segments,
	.leak_error_add = leak_error_add,
	.leak_place_add = leak_place_add,
	.leak_places = leak_places,
	.leak_places_prune = leak_places_prune,
	.leak_addresses_add = leak_addresses_add,
	.leak_addresses = leak_addresses,
	.vector_put = vector_put,
	.vector_del = vector_del,
	.vectors_each = vectors_each,
	.fit_replace = fit_replace,
	.fit_each = fit_each,
};
