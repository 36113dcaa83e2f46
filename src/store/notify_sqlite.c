/* notify_sqlite.c: the notify tables in the SQLite store file (notify.h).
 *
 * Layout (created on first use, beside the portal's):
 *   notify_subs(kind, subject, recipient, unsub, created,
 *               PRIMARY KEY(kind, subject, recipient))
 *   notify_notices(id INTEGER PRIMARY KEY, recipient, source, mode, subject,
 *               body, state, attempts, next_try, created, done_at, error,
 *               UNIQUE(recipient, source, mode))
 * state: 0 queued, 1 sent, 2 failed, 3 cancelled (enum notify_state). */
#include <pthread.h>
#include <string.h>

#include <glib.h>
#include <sqlite3.h>

#include "store/notify.h"
#include "util/alloc.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS notify_subs(kind TEXT NOT NULL, subject TEXT NOT NULL, recipient TEXT NOT NULL,"
	" unsub TEXT NOT NULL, created INTEGER NOT NULL, PRIMARY KEY(kind, subject, recipient));"
	"CREATE INDEX IF NOT EXISTS notify_subs_unsub ON notify_subs(unsub);"
	"CREATE INDEX IF NOT EXISTS notify_subs_rcpt ON notify_subs(recipient);"
	"CREATE TABLE IF NOT EXISTS notify_notices(id INTEGER PRIMARY KEY, recipient TEXT NOT NULL,"
	" source TEXT NOT NULL, mode TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,"
	" state INTEGER NOT NULL, attempts INTEGER NOT NULL, next_try INTEGER NOT NULL, created INTEGER NOT NULL,"
	" done_at INTEGER NOT NULL, error TEXT NOT NULL, UNIQUE(recipient, source, mode));"
	"CREATE INDEX IF NOT EXISTS notify_notices_due ON notify_notices(state, next_try);"
	"CREATE INDEX IF NOT EXISTS notify_notices_done ON notify_notices(done_at);";

struct notify_store {
	sqlite3 *db;
	char *path;
	pthread_mutex_t lock;
};

static enum lg_status db_error(struct notify_store *ns, struct errbuf *err, const char *what)
{
	return errbuf_set(err, LG_EIO, "%s: notices: %s: %s", ns->path, what, sqlite3_errmsg(ns->db));
}

enum lg_status notify_store_open(const char *path, struct notify_store **out, struct errbuf *err)
{
	struct notify_store *ns = lg_calloc(1, sizeof(*ns));
	enum lg_status rc = LG_OK;

	ns->path = lg_strdup(path);
	pthread_mutex_init(&ns->lock, NULL);
	if (sqlite3_open_v2(path, &ns->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
	    SQLITE_OK) {
		rc = db_error(ns, err, "cannot open");
		goto out;
	}
	sqlite3_busy_timeout(ns->db, 10000);
	if (sqlite3_exec(ns->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(ns->db, schema, NULL, NULL, NULL) != SQLITE_OK)
		rc = errbuf_set(err, LG_EPARSE, "%s is not a leakguard store (%s)", path, sqlite3_errmsg(ns->db));
out:
	if (rc) {
		notify_store_close(&ns);
		return rc;
	}
	*out = ns;
	return LG_OK;
}

void notify_store_close(struct notify_store **ns)
{
	if (!ns || !*ns)
		return;
	sqlite3_close((*ns)->db);
	pthread_mutex_destroy(&(*ns)->lock);
	lg_free((*ns)->path);
	lg_free(*ns);
	*ns = NULL;
}

/* A statement with its text parameters 1..ntext from text[] (NULL binds
 * SQL NULL); the caller binds any integers after them and holds the lock. */
static sqlite3_stmt *stmt(struct notify_store *ns, const char *sql, const char *const *text, int ntext,
			  struct errbuf *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(ns->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(ns, err, "cannot prepare");
		return NULL;
	}
	for (int i = 0; i < ntext; i++)
		sqlite3_bind_text(st, i + 1, text[i], -1, SQLITE_TRANSIENT);
	return st;
}

/* Runs a write to its end under the lock and finalises it. */
static enum lg_status run(struct notify_store *ns, sqlite3_stmt *st, struct errbuf *err, const char *what)
{
	enum lg_status rc = LG_OK;

	if (!st)
		return LG_EIO;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(ns, err, what);
	sqlite3_finalize(st);
	return rc;
}

static const char *text_at(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

enum lg_status notify_sub_add(struct notify_store *ns, const char *kind, const char *subject, const char *recipient,
			      const char *unsub, struct errbuf *err)
{
	const char *t[] = {kind, subject, recipient, unsub};
	sqlite3_stmt *st;
	enum lg_status rc;

	pthread_mutex_lock(&ns->lock);
	st = stmt(ns, "INSERT OR REPLACE INTO notify_subs VALUES(?,?,?,?,?)", t, 4, err);
	if (st)
		sqlite3_bind_int64(st, 5, (int64_t)g_get_real_time() / G_USEC_PER_SEC);
	rc = run(ns, st, err, "cannot store a subscription");
	pthread_mutex_unlock(&ns->lock);
	return rc;
}

enum lg_status notify_sub_del(struct notify_store *ns, const char *unsub, int64_t *n, struct errbuf *err)
{
	const char *t[] = {unsub};
	enum lg_status rc;

	pthread_mutex_lock(&ns->lock);
	rc = run(ns, stmt(ns, "DELETE FROM notify_subs WHERE unsub = ?", t, 1, err), err, "cannot unsubscribe");
	*n = rc ? 0 : sqlite3_changes(ns->db);
	pthread_mutex_unlock(&ns->lock);
	return rc;
}

enum lg_status notify_sub_del_one(struct notify_store *ns, const char *kind, const char *subject,
				  const char *recipient, struct errbuf *err)
{
	const char *t[] = {kind, subject, recipient};
	enum lg_status rc;

	pthread_mutex_lock(&ns->lock);
	rc = run(ns, stmt(ns, "DELETE FROM notify_subs WHERE kind = ? AND subject = ? AND recipient = ?", t, 3, err),
		 err, "cannot remove a recipient");
	pthread_mutex_unlock(&ns->lock);
	return rc;
}

enum lg_status notify_sub_each(struct notify_store *ns, const char *kind, const char *subject,
			       bool (*fn)(void *ctx, const char *subject, const char *recipient), void *ctx,
			       struct errbuf *err)
{
	const char *t[] = {kind, subject};
	sqlite3_stmt *st;
	enum lg_status rc = LG_OK;
	int r;

	pthread_mutex_lock(&ns->lock);
	st = stmt(ns,
		  "SELECT subject, recipient FROM notify_subs WHERE kind = ?1 AND (?2 IS NULL OR subject = ?2)"
		  " ORDER BY subject, recipient",
		  t, 2, err);
	if (!st) {
		rc = LG_EIO;
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if (!fn(ctx, text_at(st, 0), text_at(st, 1)))
			break;
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = db_error(ns, err, "cannot read subscriptions");
	sqlite3_finalize(st);
out:
	pthread_mutex_unlock(&ns->lock);
	return rc;
}

/* One integer from a one-row query with text parameters. */
static enum lg_status count(struct notify_store *ns, const char *sql, const char *const *t, int nt, int64_t i1,
			    int64_t *out, struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc = LG_OK;

	pthread_mutex_lock(&ns->lock);
	st = stmt(ns, sql, t, nt, err);
	if (!st) {
		rc = LG_EIO;
		goto out;
	}
	if (sqlite3_bind_parameter_count(st) > nt)
		sqlite3_bind_int64(st, nt + 1, i1);
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		rc = db_error(ns, err, "cannot count");
	sqlite3_finalize(st);
out:
	pthread_mutex_unlock(&ns->lock);
	return rc;
}

enum lg_status notify_sub_has(struct notify_store *ns, const char *recipient, bool *yes, struct errbuf *err)
{
	const char *t[] = {recipient};
	int64_t n = 0;
	enum lg_status rc = count(ns, "SELECT count(*) FROM notify_subs WHERE recipient = ?", t, 1, 0, &n, err);

	*yes = n > 0;
	return rc;
}

static enum lg_status exec(struct notify_store *ns, const char *sql, struct errbuf *err)
{
	enum lg_status rc = LG_OK;

	pthread_mutex_lock(&ns->lock);
	if (sqlite3_exec(ns->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		rc = db_error(ns, err, sql);
	pthread_mutex_unlock(&ns->lock);
	return rc;
}

enum lg_status notify_begin(struct notify_store *ns, struct errbuf *err)
{
	return exec(ns, "BEGIN IMMEDIATE", err);
}

enum lg_status notify_commit(struct notify_store *ns, struct errbuf *err)
{
	return exec(ns, "COMMIT", err);
}

void notify_rollback(struct notify_store *ns)
{
	exec(ns, "ROLLBACK", NULL);
}

enum lg_status notify_notice_add(struct notify_store *ns, const char *recipient, const char *source, const char *mode,
				 const char *subject, const char *body, int64_t now, bool *added, struct errbuf *err)
{
	const char *t[] = {recipient, source, mode, subject, body};
	sqlite3_stmt *st;
	enum lg_status rc;

	pthread_mutex_lock(&ns->lock);
	st = stmt(ns,
		  "INSERT OR IGNORE INTO notify_notices(recipient, source, mode, subject, body, state, attempts,"
		  " next_try, created, done_at, error) VALUES(?,?,?,?,?,0,0,0,?6,0,'')",
		  t, 5, err);
	if (st)
		sqlite3_bind_int64(st, 6, now);
	rc = run(ns, st, err, "cannot queue a notice");
	*added = !rc && sqlite3_changes(ns->db) > 0;
	pthread_mutex_unlock(&ns->lock);
	return rc;
}

enum lg_status notify_due(struct notify_store *ns, const char *source, int64_t now, int64_t limit,
			  struct notify_notice **out, size_t *n, struct errbuf *err)
{
	const char *t[] = {source};
	struct notify_notice *v = NULL;
	size_t cap = 0, k = 0;
	sqlite3_stmt *st;
	enum lg_status rc = LG_OK;
	int r;

	pthread_mutex_lock(&ns->lock);
	st = stmt(ns,
		  "SELECT id, recipient, source, mode, subject, body, attempts FROM notify_notices"
		  " WHERE state = 0 AND next_try <= ?2 AND (?1 IS NULL OR source = ?1) ORDER BY id LIMIT ?3",
		  t, 1, err);
	if (!st) {
		rc = LG_EIO;
		goto out;
	}
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, limit);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct notify_notice *x;

		if (k == cap)
			v = lg_grow(v, &cap, k + 1, sizeof(*v));
		x = &v[k++];
		x->id = sqlite3_column_int64(st, 0);
		g_strlcpy(x->recipient, text_at(st, 1), sizeof(x->recipient));
		g_strlcpy(x->source, text_at(st, 2), sizeof(x->source));
		g_strlcpy(x->mode, text_at(st, 3), sizeof(x->mode));
		x->subject = lg_strdup(text_at(st, 4));
		x->body = lg_strdup(text_at(st, 5));
		x->attempts = sqlite3_column_int64(st, 6);
	}
	if (r != SQLITE_DONE)
		rc = db_error(ns, err, "cannot read the queue");
	sqlite3_finalize(st);
out:
	pthread_mutex_unlock(&ns->lock);
	if (rc) {
		notify_notices_free(&v, k);
		k = 0;
	}
	*out = v;
	*n = k;
	return rc;
}

void notify_notices_free(struct notify_notice **v, size_t n)
{
	if (!v || !*v)
		return;
	for (size_t i = 0; i < n; i++) {
		lg_free((*v)[i].subject);
		lg_free((*v)[i].body);
	}
	lg_free(*v);
	*v = NULL;
}

enum lg_status notify_mark(struct notify_store *ns, int64_t id, enum notify_state state, int64_t attempts,
			   int64_t next_try, const char *error, int64_t now, struct errbuf *err)
{
	const char *t[] = {error};
	sqlite3_stmt *st;
	enum lg_status rc;

	pthread_mutex_lock(&ns->lock);
	st = stmt(ns, "UPDATE notify_notices SET error = ?1, state = ?2, attempts = ?3, next_try = ?4, done_at = ?5"
		      " WHERE id = ?6", t, 1, err);
	if (st) {
		sqlite3_bind_int64(st, 2, (int64_t)state);
		sqlite3_bind_int64(st, 3, attempts);
		sqlite3_bind_int64(st, 4, next_try);
		sqlite3_bind_int64(st, 5, state == NOTIFY_QUEUED ? 0 : now);
		sqlite3_bind_int64(st, 6, id);
	}
	rc = run(ns, st, err, "cannot mark a notice");
	pthread_mutex_unlock(&ns->lock);
	return rc;
}

enum lg_status notify_sent_since(struct notify_store *ns, int64_t since, int64_t *n, struct errbuf *err)
{
	*n = 0;
	return count(ns, "SELECT count(*) FROM notify_notices WHERE state = 1 AND done_at >= ?", NULL, 0, since, n, err);
}

enum lg_status notify_counts(struct notify_store *ns, const char *source, int64_t counts[NOTIFY_STATES],
			     struct errbuf *err)
{
	const char *t[] = {source};
	enum lg_status rc = LG_OK;

	for (int s = 0; s < NOTIFY_STATES && !rc; s++) {
		counts[s] = 0;
		rc = count(ns, "SELECT count(*) FROM notify_notices WHERE (?1 IS NULL OR source = ?1) AND state = ?2", t, 1,
			   s, &counts[s], err);
	}
	return rc;
}

enum lg_status notify_queue_each(struct notify_store *ns,
				 void (*fn)(void *ctx, const char *source, const int64_t counts[NOTIFY_STATES]), void *ctx,
				 struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc = LG_OK;
	char last[NOTIFY_TEXT_MAX] = "";
	int64_t counts[NOTIFY_STATES] = {0};
	bool any = false;
	int r;

	pthread_mutex_lock(&ns->lock);
	st = stmt(ns, "SELECT source, state, count(*) FROM notify_notices GROUP BY source, state ORDER BY source", NULL, 0,
		  err);
	if (!st) {
		pthread_mutex_unlock(&ns->lock);
		return LG_EIO;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int state = sqlite3_column_int(st, 1);

		if (any && strcmp(last, text_at(st, 0)) != 0) {
			fn(ctx, last, counts);
			memset(counts, 0, sizeof(counts));
		}
		any = true;
		g_strlcpy(last, text_at(st, 0), sizeof(last));
		if (state >= 0 && state < NOTIFY_STATES)
			counts[state] = sqlite3_column_int64(st, 2);
	}
	if (r != SQLITE_DONE)
		rc = db_error(ns, err, "cannot read the queue");
	else if (any)
		fn(ctx, last, counts);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ns->lock);
	return rc;
}
