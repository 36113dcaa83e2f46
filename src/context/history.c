/* history.c: see history.h. One SQLite connection behind a mutex; the
 * statements are prepared once. Table (created when missing):
 *   seen(key INTEGER PRIMARY KEY  -- keyed hash of (kind, value)
 *        kind, count, first, last, aux, domain TEXT -- domain: HIST_DOMAIN only)
 *   meta(name TEXT PRIMARY KEY, value BLOB)         -- 'key': the hash key */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <sqlite3.h>

#include "context/history.h"
#include "store/store.h"
#include "context/keyhash.h"
#include "util/alloc.h"

#define FAMILY_BASE 0x40 /* hash families apart from the context store's */

struct history {
	sqlite3 *db;
	sqlite3_stmt *get, *put;
	pthread_mutex_t lock;
	uint8_t key[CTX_KEY_LEN];
	int64_t domains;
	time_t counted; /* when domains was counted */
};

/* A reader (check, the milter's engine) recounts the domains the writer
 * adds at most this often: a count is a scan of the table. */
#define RECOUNT_SECONDS 10

static const char schema[] =
	"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value BLOB);"
	"CREATE TABLE IF NOT EXISTS seen(key INTEGER PRIMARY KEY, kind INTEGER NOT NULL, count INTEGER NOT NULL,"
	" first INTEGER NOT NULL, last INTEGER NOT NULL, aux INTEGER NOT NULL DEFAULT 0, domain TEXT);"
	"CREATE INDEX IF NOT EXISTS seen_last ON seen(last);";

static enum lg_status db_error(struct history *h, const char *what, struct errbuf *err)
{
	return errbuf_set(err, LG_EIO, "correspondent history: %s: %s", what, sqlite3_errmsg(h->db));
}

/* The hash key: read from meta, or made and stored on first write. */
static enum lg_status load_key(struct history *h, bool write, struct errbuf *err)
{
	sqlite3_stmt *st = NULL;
	enum lg_status rc = LG_OK;

	if (sqlite3_prepare_v2(h->db, "SELECT value FROM meta WHERE name='key'", -1, &st, NULL) != SQLITE_OK)
		return db_error(h, "read key", err);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == CTX_KEY_LEN) {
		memcpy(h->key, sqlite3_column_blob(st, 0), CTX_KEY_LEN);
	} else if (!write) {
		rc = errbuf_set(err, LG_EPARSE, "correspondent history has no key; run leakguard history --learn");
	} else if (!(rc = ctx_key_new(h->key, err))) {
		sqlite3_finalize(st);
		st = NULL;
		if (sqlite3_prepare_v2(h->db, "INSERT INTO meta(name, value) VALUES('key', ?)", -1, &st, NULL) != SQLITE_OK)
			return db_error(h, "store key", err);
		sqlite3_bind_blob(st, 1, h->key, CTX_KEY_LEN, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_error(h, "store key", err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int64_t count_domains(struct history *h)
{
	sqlite3_stmt *st = NULL;
	int64_t n = 0;

	if (sqlite3_prepare_v2(h->db, "SELECT count(*) FROM seen WHERE kind=?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, HIST_DOMAIN);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return n;
}

static enum lg_status setup(struct history *h, const char *path, bool write, struct errbuf *err)
{
	int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;

	if (sqlite3_open_v2(path, &h->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return errbuf_set(err, write ? LG_EIO : LG_ENOTFOUND, "%s: %s", path,
				  h->db ? sqlite3_errmsg(h->db) : "cannot open");
	sqlite3_busy_timeout(h->db, 10000);
	if (write && sqlite3_exec(h->db, schema, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(h, "create tables", err);
	if (load_key(h, write, err))
		return LG_EPARSE;
	if (sqlite3_prepare_v2(h->db, "SELECT count, first, last, aux FROM seen WHERE key=?", -1, &h->get, NULL) !=
	    SQLITE_OK)
		return db_error(h, "prepare", err);
	if (write && sqlite3_prepare_v2(h->db,
					"INSERT INTO seen(key, kind, count, first, last, aux, domain) VALUES(?1,?2,1,?3,?3,?4,?5)"
					" ON CONFLICT(key) DO UPDATE SET count=count+1, last=max(last,?3),"
					" aux=CASE WHEN ?4 != 0 THEN ?4 ELSE aux END",
					-1, &h->put, NULL) != SQLITE_OK)
		return db_error(h, "prepare", err);
	h->domains = count_domains(h);
	h->counted = time(NULL);
	return LG_OK;
}

enum lg_status history_open(const char *db_path, bool write, struct history **out, struct errbuf *err)
{
	struct history *h = lg_calloc(1, sizeof(*h));
	/* beside the store file, or beside a shared store's local copy */
	char *local = store_local_path(db_path);
	char *path = g_strdup_printf("%s.history", local);
	enum lg_status rc;

	g_free(local);

	pthread_mutex_init(&h->lock, NULL);
	if (!write && !g_file_test(path, G_FILE_TEST_EXISTS))
		rc = errbuf_set(err, LG_ENOTFOUND, "%s: no correspondent history yet", path);
	else
		rc = setup(h, path, write, err);
	g_free(path);
	if (rc) {
		history_close(&h);
		return rc;
	}
	*out = h;
	return LG_OK;
}

void history_close(struct history **hp)
{
	struct history *h = hp ? *hp : NULL;

	if (!h)
		return;
	sqlite3_finalize(h->get);
	sqlite3_finalize(h->put);
	sqlite3_close(h->db);
	pthread_mutex_destroy(&h->lock);
	lg_free(h);
	*hp = NULL;
}

uint64_t history_hash(const struct history *h, enum hist_kind k, const char *value)
{
	return ctx_keyhash(h->key, FAMILY_BASE + (unsigned)k, value, strlen(value));
}

bool history_get(struct history *h, enum hist_kind k, const char *value, struct hist_entry *e)
{
	bool found = false;

	pthread_mutex_lock(&h->lock);
	sqlite3_bind_int64(h->get, 1, (sqlite3_int64)history_hash(h, k, value));
	if (sqlite3_step(h->get) == SQLITE_ROW) {
		e->count = sqlite3_column_int64(h->get, 0);
		e->first = sqlite3_column_int64(h->get, 1);
		e->last = sqlite3_column_int64(h->get, 2);
		e->aux = (uint64_t)sqlite3_column_int64(h->get, 3);
		found = true;
	}
	sqlite3_reset(h->get);
	pthread_mutex_unlock(&h->lock);
	return found;
}

int64_t history_domains(struct history *h)
{
	int64_t n;
	time_t now = time(NULL);

	pthread_mutex_lock(&h->lock);
	if (now - h->counted >= RECOUNT_SECONDS) {
		h->domains = count_domains(h);
		h->counted = now;
	}
	n = h->domains;
	pthread_mutex_unlock(&h->lock);
	return n;
}

enum lg_status history_frequent(struct history *h, int64_t min_count,
				void (*fn)(void *ctx, const char *domain, int64_t count), void *ctx,
				struct errbuf *err)
{
	sqlite3_stmt *st = NULL;
	enum lg_status rc = LG_OK;

	pthread_mutex_lock(&h->lock);
	if (sqlite3_prepare_v2(h->db, "SELECT domain, count FROM seen WHERE kind=? AND count>=? AND domain IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = db_error(h, "read domains", err);
		goto out;
	}
	sqlite3_bind_int(st, 1, HIST_DOMAIN);
	sqlite3_bind_int64(st, 2, min_count);
	while (sqlite3_step(st) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1));
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

static enum lg_status exec_locked(struct history *h, const char *sql, const char *what, struct errbuf *err)
{
	enum lg_status rc = LG_OK;

	pthread_mutex_lock(&h->lock);
	if (sqlite3_exec(h->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		rc = db_error(h, what, err);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

enum lg_status history_begin(struct history *h, struct errbuf *err)
{
	return exec_locked(h, "BEGIN IMMEDIATE", "begin", err);
}

enum lg_status history_commit(struct history *h, struct errbuf *err)
{
	enum lg_status rc = exec_locked(h, "COMMIT", "commit", err);

	pthread_mutex_lock(&h->lock);
	h->domains = count_domains(h);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

void history_rollback(struct history *h)
{
	exec_locked(h, "ROLLBACK", "rollback", NULL);
}

enum lg_status history_note(struct history *h, enum hist_kind k, const char *value, uint64_t aux,
			    const char *clear, int64_t now, struct errbuf *err)
{
	enum lg_status rc = LG_OK;

	if (!h->put)
		return errbuf_set(err, LG_EUSAGE, "correspondent history opened read-only");
	pthread_mutex_lock(&h->lock);
	sqlite3_bind_int64(h->put, 1, (sqlite3_int64)history_hash(h, k, value));
	sqlite3_bind_int(h->put, 2, k);
	sqlite3_bind_int64(h->put, 3, now);
	sqlite3_bind_int64(h->put, 4, (sqlite3_int64)aux);
	if (clear)
		sqlite3_bind_text(h->put, 5, clear, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(h->put, 5);
	if (sqlite3_step(h->put) != SQLITE_DONE)
		rc = db_error(h, "write", err);
	sqlite3_reset(h->put);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

enum lg_status history_prune(struct history *h, int64_t max_rows, int64_t before, int64_t *removed,
			     struct errbuf *err)
{
	sqlite3_stmt *st = NULL;
	enum lg_status rc = LG_OK;
	int changes = 0;

	pthread_mutex_lock(&h->lock);
	if (sqlite3_prepare_v2(h->db,
			       "DELETE FROM seen WHERE last < ?1 OR key IN (SELECT key FROM seen ORDER BY last DESC"
			       " LIMIT -1 OFFSET ?2)",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = db_error(h, "prune", err);
		goto out;
	}
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, max_rows);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(h, "prune", err);
	changes = sqlite3_changes(h->db);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	if (removed)
		*removed = changes;
	pthread_mutex_lock(&h->lock);
	h->domains = count_domains(h);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int64_t history_rows(struct history *h)
{
	sqlite3_stmt *st = NULL;
	int64_t n = 0;

	pthread_mutex_lock(&h->lock);
	if (sqlite3_prepare_v2(h->db, "SELECT count(*) FROM seen", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	return n;
}
