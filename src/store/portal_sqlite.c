/* portal_sqlite.c: the portal tables in the SQLite store file (portal.h).
 *
 * Layout (created on first use, beside the classifier's and the leak's):
 *   portal_meta(key PRIMARY KEY, value BLOB)            "secret": 32 random bytes
 *   portal_links(token PRIMARY KEY, kind, subject, ref, expires)   mailed links
 *   portal_challenges(id PRIMARY KEY, session, domain, token, expires)
 *   portal_sessions(hash PRIMARY KEY, kind, name, expires)
 *   portal_session_domains(hash, domain, method, at, PRIMARY KEY(hash, domain))
 *   portal_apikeys(id INTEGER PRIMARY KEY, hash UNIQUE, domain, session, created)
 *   portal_operators(name PRIMARY KEY, salt, hash, iterations, created)
 *   portal_audit(id INTEGER PRIMARY KEY, at, actor, client, action, subject, detail)
 *   portal_login_failures(name PRIMARY KEY, failures, locked_until)  per existing account
 * token, hash: SHA-256 hex of the secret the client holds. */
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <sqlite3.h>

#include "store/portal.h"
#include "util/alloc.h"
#include "util/random.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS portal_meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS portal_links(token TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL,"
	" ref TEXT NOT NULL, expires INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS portal_challenges(id TEXT PRIMARY KEY, session TEXT NOT NULL,"
	" domain TEXT NOT NULL, token TEXT NOT NULL, expires INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS portal_sessions(hash TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,"
	" expires INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS portal_session_domains(hash TEXT NOT NULL, domain TEXT NOT NULL,"
	" method TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(hash, domain));"
	"CREATE TABLE IF NOT EXISTS portal_apikeys(id INTEGER PRIMARY KEY, hash TEXT UNIQUE NOT NULL,"
	" domain TEXT NOT NULL, session TEXT NOT NULL, created INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS portal_operators(name TEXT PRIMARY KEY, salt BLOB NOT NULL, hash BLOB NOT NULL,"
	" iterations INTEGER NOT NULL, created INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS portal_audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,"
	" client TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS portal_login_failures(name TEXT PRIMARY KEY, failures INTEGER NOT NULL,"
	" locked_until INTEGER NOT NULL);";

struct portal_store {
	sqlite3 *db;
	char *path;
	pthread_mutex_t lock;
};

static enum lg_status fail(struct portal_store *ps, struct errbuf *err, const char *what)
{
	return errbuf_set(err, LG_EIO, "%s: %s: %s", ps->path, what, sqlite3_errmsg(ps->db));
}

enum lg_status portal_store_open(const char *path, struct portal_store **out, struct errbuf *err)
{
	struct portal_store *ps = lg_calloc(1, sizeof(*ps));
	enum lg_status rc = LG_OK;

	ps->path = lg_strdup(path);
	pthread_mutex_init(&ps->lock, NULL);
	if (sqlite3_open_v2(path, &ps->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK)
		rc = fail(ps, err, "cannot open");
	if (!rc) {
		sqlite3_busy_timeout(ps->db, 10000);
		if (sqlite3_exec(ps->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) !=
			    SQLITE_OK ||
		    sqlite3_exec(ps->db, schema, NULL, NULL, NULL) != SQLITE_OK)
			rc = errbuf_set(err, LG_EPARSE, "%s is not a leakguard store (%s)", path, sqlite3_errmsg(ps->db));
	}
	if (rc) {
		portal_store_close(&ps);
		return rc;
	}
	*out = ps;
	return LG_OK;
}

void portal_store_close(struct portal_store **ps)
{
	if (!ps || !*ps)
		return;
	sqlite3_close((*ps)->db);
	pthread_mutex_destroy(&(*ps)->lock);
	lg_free((*ps)->path);
	lg_free(*ps);
	*ps = NULL;
}

/* Prepares sql and binds the arguments named by types: 't' text, 'i'
 * int64, 'b' blob (pointer, then int length). NULL with err on failure.
 * The caller holds the lock. */
static sqlite3_stmt *prep(struct portal_store *ps, struct errbuf *err, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;

	if (sqlite3_prepare_v2(ps->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fail(ps, err, "cannot prepare");
		return NULL;
	}
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 't') {
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
		} else if (types[i] == 'i') {
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		} else {
			const void *p = va_arg(ap, const void *);

			sqlite3_bind_blob(st, i + 1, p, va_arg(ap, int), SQLITE_TRANSIENT);
		}
	}
	va_end(ap);
	return st;
}

/* Steps a prepared write to its end and finalises it. */
static enum lg_status done(struct portal_store *ps, sqlite3_stmt *st, struct errbuf *err, const char *what)
{
	enum lg_status rc = LG_OK;

	if (!st)
		return LG_EIO;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = fail(ps, err, what);
	sqlite3_finalize(st);
	return rc;
}

/* Steps a prepared read once: *found tells whether a row came. The
 * statement stays for the caller to read and finalise. */
static enum lg_status row(struct portal_store *ps, sqlite3_stmt *st, bool *found, struct errbuf *err)
{
	int r;

	if (!st)
		return LG_EIO;
	r = sqlite3_step(st);
	*found = r == SQLITE_ROW;
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return fail(ps, err, "cannot read");
	return LG_OK;
}

static void col(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	g_strlcpy(out, s ? (const char *)s : "", n);
}

enum lg_status portal_secret(struct portal_store *ps, uint8_t out[PORTAL_SECRET_LEN], struct errbuf *err)
{
	uint8_t fresh[PORTAL_SECRET_LEN];
	sqlite3_stmt *st;
	enum lg_status rc;
	bool found = false;

	rc = lg_random_bytes(fresh, sizeof(fresh), err);
	if (rc)
		return rc;
	pthread_mutex_lock(&ps->lock);
	/* insert-or-ignore then read: two servers starting at once agree */
	rc = done(ps, prep(ps, err, "INSERT OR IGNORE INTO portal_meta VALUES('secret', ?)", "b", fresh, (int)sizeof(fresh)),
		  err, "cannot store the secret");
	st = rc ? NULL : prep(ps, err, "SELECT value FROM portal_meta WHERE key = 'secret'", "");
	if (!rc)
		rc = row(ps, st, &found, err);
	if (!rc && (!found || sqlite3_column_bytes(st, 0) != PORTAL_SECRET_LEN))
		rc = errbuf_set(err, LG_EPARSE, "%s: the portal secret is damaged", ps->path);
	if (!rc)
		memcpy(out, sqlite3_column_blob(st, 0), PORTAL_SECRET_LEN);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_link_add(struct portal_store *ps, const char *token_hash, const char *kind,
			       const char *subject, const char *ref, int64_t expires, struct errbuf *err)
{
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	rc = done(ps, prep(ps, err, "INSERT OR REPLACE INTO portal_links VALUES(?,?,?,?,?)", "tttti", token_hash, kind,
			   subject, ref, expires),
		  err, "cannot store a link");
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_link_get(struct portal_store *ps, const char *token_hash, const char *kind, int64_t now,
			       char *subject, char *ref, bool *found, struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	st = prep(ps, err, "SELECT subject, ref FROM portal_links WHERE token = ? AND kind = ? AND expires > ?", "tti",
		  token_hash, kind, now);
	rc = row(ps, st, found, err);
	if (!rc && *found) {
		col(st, 0, subject, PORTAL_TEXT_MAX);
		col(st, 1, ref, PORTAL_TEXT_MAX);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_link_take(struct portal_store *ps, const char *token_hash, const char *kind, int64_t now,
				char *subject, char *ref, bool *found, struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	/* one statement: two servers on one store cannot both take it */
	st = prep(ps, err, "DELETE FROM portal_links WHERE token = ? AND kind = ? AND expires > ? RETURNING subject, ref",
		  "tti", token_hash, kind, now);
	rc = row(ps, st, found, err);
	if (!rc && *found) {
		col(st, 0, subject, PORTAL_TEXT_MAX);
		col(st, 1, ref, PORTAL_TEXT_MAX);
		while (sqlite3_step(st) == SQLITE_ROW)
			;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_challenge_add(struct portal_store *ps, const struct portal_challenge *c, struct errbuf *err)
{
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	rc = done(ps, prep(ps, err, "INSERT INTO portal_challenges VALUES(?,?,?,?,?)", "tttti", c->id, c->session,
			   c->domain, c->token, c->expires),
		  err, "cannot store a challenge");
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_challenge_get(struct portal_store *ps, const char *id, int64_t now,
				    struct portal_challenge *out, bool *found, struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	st = prep(ps, err, "SELECT id, session, domain, token, expires FROM portal_challenges WHERE id = ? AND expires > ?",
		  "ti", id, now);
	rc = row(ps, st, found, err);
	if (!rc && *found) {
		col(st, 0, out->id, sizeof(out->id));
		col(st, 1, out->session, sizeof(out->session));
		col(st, 2, out->domain, sizeof(out->domain));
		col(st, 3, out->token, sizeof(out->token));
		out->expires = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_session_add(struct portal_store *ps, const struct portal_session *s, struct errbuf *err)
{
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	rc = done(ps, prep(ps, err, "INSERT OR REPLACE INTO portal_sessions VALUES(?,?,?,?)", "ttti", s->hash, s->kind,
			   s->name, s->expires),
		  err, "cannot store a session");
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_session_get(struct portal_store *ps, const char *hash, int64_t now, struct portal_session *out,
				  bool *found, struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	st = prep(ps, err, "SELECT kind, name, expires FROM portal_sessions WHERE hash = ? AND expires > ?", "ti", hash,
		  now);
	rc = row(ps, st, found, err);
	if (!rc && *found) {
		g_strlcpy(out->hash, hash, sizeof(out->hash));
		col(st, 0, out->kind, sizeof(out->kind));
		col(st, 1, out->name, sizeof(out->name));
		out->expires = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_session_del(struct portal_store *ps, const char *hash, struct errbuf *err)
{
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	rc = done(ps, prep(ps, err, "DELETE FROM portal_sessions WHERE hash = ?", "t", hash), err,
		  "cannot end a session");
	if (!rc)
		rc = done(ps, prep(ps, err, "DELETE FROM portal_session_domains WHERE hash = ?", "t", hash), err,
			  "cannot end a session");
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_session_rotate(struct portal_store *ps, const char *old_hash, const char *new_hash,
				     int64_t expires, struct errbuf *err)
{
	static const char *const sql[] = {
		"UPDATE portal_sessions SET hash = ?2, expires = ?3 WHERE hash = ?1",
		"UPDATE portal_session_domains SET hash = ?2 WHERE hash = ?1",
		"UPDATE portal_challenges SET session = ?2 WHERE session = ?1",
	};
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	rc = sqlite3_exec(ps->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? LG_OK : fail(ps, err, "cannot begin");
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]) && !rc; i++)
		rc = done(ps, prep(ps, err, sql[i], "tti", old_hash, new_hash, expires), err, "cannot renew a session");
	if (!rc && sqlite3_exec(ps->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = fail(ps, err, "cannot renew a session");
	if (rc)
		sqlite3_exec(ps->db, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_session_domain_add(struct portal_store *ps, const char *hash, const char *domain,
					 const char *method, struct errbuf *err)
{
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	rc = done(ps, prep(ps, err, "INSERT OR REPLACE INTO portal_session_domains VALUES(?,?,?,?)", "ttti", hash,
			   domain, method, (int64_t)time(NULL)),
		  err, "cannot record a verified domain");
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_session_has_domain(struct portal_store *ps, const char *hash, const char *domain, bool *yes,
					 struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	st = prep(ps, err, "SELECT 1 FROM portal_session_domains WHERE hash = ? AND domain = ?", "tt", hash, domain);
	rc = row(ps, st, yes, err);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_apikey_add(struct portal_store *ps, const char *key_hash, const char *domain,
				 const char *session, int64_t *id, struct errbuf *err)
{
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	rc = done(ps, prep(ps, err, "INSERT INTO portal_apikeys(hash, domain, session, created) VALUES(?,?,?,?)", "ttti",
			   key_hash, domain, session, (int64_t)time(NULL)),
		  err, "cannot store an API key");
	*id = sqlite3_last_insert_rowid(ps->db);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_apikey_get(struct portal_store *ps, const char *key_hash, int64_t *id, char *domain,
				 bool *found, struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	st = prep(ps, err, "SELECT id, domain FROM portal_apikeys WHERE hash = ?", "t", key_hash);
	rc = row(ps, st, found, err);
	if (!rc && *found) {
		*id = sqlite3_column_int64(st, 0);
		col(st, 1, domain, PORTAL_TEXT_MAX);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_apikey_count(struct portal_store *ps, const char *domain, int64_t *n, struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc;
	bool found = false;

	*n = 0;
	pthread_mutex_lock(&ps->lock);
	st = prep(ps, err, "SELECT COUNT(*) FROM portal_apikeys WHERE domain = ?", "t", domain);
	rc = row(ps, st, &found, err);
	if (!rc && found)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_apikey_del(struct portal_store *ps, int64_t id, bool *found, struct errbuf *err)
{
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	rc = done(ps, prep(ps, err, "DELETE FROM portal_apikeys WHERE id = ?", "i", id), err, "cannot delete an API key");
	*found = !rc && sqlite3_changes(ps->db) > 0;
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_operator_put(struct portal_store *ps, const struct portal_operator *op, struct errbuf *err)
{
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	rc = done(ps, prep(ps, err, "INSERT OR REPLACE INTO portal_operators VALUES(?,?,?,?,?)", "tbbii", op->name,
			   op->salt, (int)sizeof(op->salt), op->hash, (int)sizeof(op->hash), op->iterations,
			   (int64_t)time(NULL)),
		  err, "cannot store the operator");
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_operator_get(struct portal_store *ps, const char *name, struct portal_operator *out,
				   bool *found, struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	st = prep(ps, err, "SELECT salt, hash, iterations FROM portal_operators WHERE name = ?", "t", name);
	rc = row(ps, st, found, err);
	if (!rc && *found && sqlite3_column_bytes(st, 0) == (int)sizeof(out->salt) &&
	    sqlite3_column_bytes(st, 1) == (int)sizeof(out->hash)) {
		g_strlcpy(out->name, name, sizeof(out->name));
		memcpy(out->salt, sqlite3_column_blob(st, 0), sizeof(out->salt));
		memcpy(out->hash, sqlite3_column_blob(st, 1), sizeof(out->hash));
		out->iterations = sqlite3_column_int64(st, 2);
	} else if (!rc) {
		*found = false;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_login_locked(struct portal_store *ps, const char *name, int64_t now, bool *locked,
				   struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	st = prep(ps, err, "SELECT 1 FROM portal_login_failures WHERE name = ? AND locked_until > ?", "ti", name, now);
	rc = row(ps, st, locked, err);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_login_failed(struct portal_store *ps, const char *name, int64_t now, int max_failures,
				   int64_t lock_seconds, bool *locked, struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	/* a failure after a lock ran out starts counting again */
	st = prep(ps, err,
		  "INSERT INTO portal_login_failures VALUES(?1, 1, 0) ON CONFLICT(name) DO UPDATE SET"
		  " failures = CASE WHEN locked_until > 0 AND locked_until <= ?2 THEN 1 ELSE failures + 1 END,"
		  " locked_until = CASE WHEN locked_until > 0 AND locked_until <= ?2 THEN 0 ELSE locked_until END"
		  " RETURNING failures, locked_until",
		  "ti", name, now);
	rc = row(ps, st, locked, err);
	if (!rc && *locked) {
		int64_t failures = sqlite3_column_int64(st, 0), until = sqlite3_column_int64(st, 1);

		while (sqlite3_step(st) == SQLITE_ROW)
			;
		sqlite3_finalize(st);
		st = NULL;
		*locked = until > now;
		if (!*locked && failures >= max_failures) {
			*locked = true;
			rc = done(ps, prep(ps, err, "UPDATE portal_login_failures SET locked_until = ? WHERE name = ?", "it",
					   now + lock_seconds, name),
				  err, "cannot lock an account");
		}
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_login_succeeded(struct portal_store *ps, const char *name, struct errbuf *err)
{
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	rc = done(ps, prep(ps, err, "DELETE FROM portal_login_failures WHERE name = ?", "t", name), err,
		  "cannot clear login failures");
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_audit_add(struct portal_store *ps, const struct portal_audit_row *r, struct errbuf *err)
{
	enum lg_status rc;

	pthread_mutex_lock(&ps->lock);
	rc = done(ps, prep(ps, err, "INSERT INTO portal_audit(at, actor, client, action, subject, detail)"
				    " VALUES(?,?,?,?,?,?)", "ittttt", r->at, r->actor, r->client, r->action,
			   r->subject ? r->subject : "", r->detail ? r->detail : ""),
		  err, "cannot write the audit log");
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_audit_each(struct portal_store *ps, int limit,
				 bool (*fn)(void *ctx, const struct portal_audit_row *r), void *ctx, struct errbuf *err)
{
	sqlite3_stmt *st;
	enum lg_status rc = LG_OK;
	int s = SQLITE_DONE;

	pthread_mutex_lock(&ps->lock);
	st = prep(ps, err, "SELECT at, actor, client, action, subject, detail FROM portal_audit ORDER BY id DESC LIMIT ?",
		  "i", (int64_t)limit);
	if (!st)
		rc = LG_EIO;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		struct portal_audit_row r = {
			.at = sqlite3_column_int64(st, 0),
			.actor = (const char *)sqlite3_column_text(st, 1),
			.client = (const char *)sqlite3_column_text(st, 2),
			.action = (const char *)sqlite3_column_text(st, 3),
			.subject = (const char *)sqlite3_column_text(st, 4),
			.detail = (const char *)sqlite3_column_text(st, 5),
		};

		if (!fn(ctx, &r))
			break;
	}
	if (!rc && s != SQLITE_ROW && s != SQLITE_DONE)
		rc = fail(ps, err, "cannot read the audit log");
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

enum lg_status portal_store_expire(struct portal_store *ps, int64_t now, struct errbuf *err)
{
	static const char *const sql[] = {
		"DELETE FROM portal_links WHERE expires <= ?",
		"DELETE FROM portal_challenges WHERE expires <= ?",
		"DELETE FROM portal_session_domains WHERE hash IN (SELECT hash FROM portal_sessions WHERE expires <= ?)",
		"DELETE FROM portal_sessions WHERE expires <= ?",
	};
	enum lg_status rc = LG_OK;

	pthread_mutex_lock(&ps->lock);
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]) && !rc; i++)
		rc = done(ps, prep(ps, err, sql[i], "i", now), err, "cannot expire tokens");
	pthread_mutex_unlock(&ps->lock);
	return rc;
}
