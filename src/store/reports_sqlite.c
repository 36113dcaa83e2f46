/* reports_sqlite.c: the report tables in the SQLite store file (reports.h).
 *
 * Layout (created on first use, beside the classifier's tables):
 *   reports(id INTEGER PRIMARY KEY, at, campaign, similarity, reporter, sender,
 *           sender_domain, sender_ip, subject, summary, fingerprint BLOB)
 *   campaigns(id INTEGER PRIMARY KEY, alerted)   one alert per campaign
 *   blocks(kind, value, status, who, why, at, PRIMARY KEY(kind, value))
 *   report_meta(name PRIMARY KEY, value BLOB)    "alert_key": the HMAC key
 *                                                that signs leakguard's alerts
 *   block_outbox(seq, op, kind, value, status, who, why, at)  blocks and
 *                unblocks made here that a shared store (Redis) has not
 *                taken yet: the durable spool redis_blocks.c empties
 *   report_outbox(id)  reports filed here the shared store has not taken
 *   report_remote(origin, remote, local)  reports filed on other hosts
 *                (origin = that host's id, remote = its report id there):
 *                each is applied once, and campaigns keep their members
 *   report_meta "blocks_stream_id", "reports_stream_id": the last entries
 *                applied here; "host_id": this copy's id in the streams
 * With a shared store URL (redis://...) these tables live in the store's
 * local copy (store_local_path()), and blocks also travel through the
 * shared server to every host (report_store_sync()).
 * Similarity search does not use SQL: readers load every fingerprint once
 * into an in-memory band index (report/index.c). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <sqlite3.h>

#include "store/redis_blocks.h"
#include "store/reports.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/random.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS reports(id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
	" campaign INTEGER NOT NULL, similarity REAL NOT NULL, reporter TEXT NOT NULL, sender TEXT,"
	" sender_domain TEXT, sender_ip TEXT, subject TEXT, summary TEXT, fingerprint BLOB);"
	"CREATE INDEX IF NOT EXISTS reports_campaign ON reports(campaign);"
	"CREATE TABLE IF NOT EXISTS campaigns(id INTEGER PRIMARY KEY, alerted INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS blocks(kind TEXT NOT NULL, value TEXT NOT NULL, status TEXT NOT NULL,"
	" who TEXT, why TEXT, at INTEGER NOT NULL, PRIMARY KEY(kind, value));"
	"CREATE TABLE IF NOT EXISTS report_meta(name TEXT PRIMARY KEY, value BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS block_outbox(seq INTEGER PRIMARY KEY, op TEXT NOT NULL, kind TEXT NOT NULL,"
	" value TEXT NOT NULL, status TEXT, who TEXT, why TEXT, at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS report_outbox(id INTEGER PRIMARY KEY);"
	"CREATE TABLE IF NOT EXISTS report_remote(origin TEXT NOT NULL, remote INTEGER NOT NULL,"
	" local INTEGER NOT NULL, PRIMARY KEY(origin, remote));"
	"CREATE INDEX IF NOT EXISTS report_remote_local ON report_remote(local);";

struct report_store {
	sqlite3 *db;
	char *path;
	char *url;     /* the shared store's URL, or NULL for a local one */
	bool applying; /* applying the shared stream: no echo to the outbox */
};

static void sync_quietly(struct report_store *rs);

static enum lg_status fail(struct report_store *rs, struct errbuf *err, const char *what)
{
	return errbuf_set(err, LG_EIO, "%s: %s: %s", rs->path, what, sqlite3_errmsg(rs->db));
}

enum lg_status report_store_open(const char *path, struct report_store **out, struct errbuf *err)
{
	struct report_store *rs = lg_calloc(1, sizeof(*rs));
	char *local = NULL, *dir;
	bool shared = false;
	enum lg_status rc = LG_OK;

	/* A shared store keeps these tables in its local copy. */
	if (store_check_url(path, &shared, NULL) == LG_OK && shared) {
		rs->url = lg_strdup(path);
		path = local = store_local_path(path);
	}
	dir = g_path_get_dirname(path);

	rs->path = lg_strdup(path);
	g_mkdir_with_parents(dir, 0700);
	g_free(dir);
	if (sqlite3_open_v2(path, &rs->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		rc = fail(rs, err, "cannot open");
	if (!rc) {
		sqlite3_busy_timeout(rs->db, 10000);
		if (sqlite3_exec(rs->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(rs->db, schema, NULL, NULL, NULL) != SQLITE_OK)
			rc = errbuf_set(err, LG_EPARSE,
					"%s is not a leakguard store (%s); move it away to start a new one",
					path, sqlite3_errmsg(rs->db));
	}
	g_free(local);
	if (rc) {
		report_store_close(&rs);
		return rc;
	}
	sync_quietly(rs);
	*out = rs;
	return LG_OK;
}

void report_store_close(struct report_store **rs)
{
	if (!rs || !*rs)
		return;
	sqlite3_close((*rs)->db);
	lg_free((*rs)->path);
	lg_free((*rs)->url);
	lg_free(*rs);
	*rs = NULL;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Prepares sql, or fills err. */
static sqlite3_stmt *prepare(struct report_store *rs, const char *sql, struct errbuf *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(rs->db, sql, -1, &st, NULL) != SQLITE_OK)
		fail(rs, err, "cannot prepare");
	return st;
}

enum lg_status report_store_add(struct report_store *rs, const struct report_row *r, int64_t *id,
				struct errbuf *err)
{
	sqlite3_stmt *st = prepare(rs, "INSERT INTO reports(at, campaign, similarity, reporter, sender, sender_domain,"
				       " sender_ip, subject, summary, fingerprint) VALUES(?,?,?,?,?,?,?,?,?,?)", err);
	enum lg_status rc = LG_OK;

	if (!st)
		return LG_EIO;
	sqlite3_exec(rs->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_bind_int64(st, 1, r->at);
	sqlite3_bind_int64(st, 2, r->campaign);
	sqlite3_bind_double(st, 3, r->similarity);
	bind_text(st, 4, r->reporter);
	bind_text(st, 5, r->sender);
	bind_text(st, 6, r->sender_domain);
	bind_text(st, 7, r->sender_ip);
	bind_text(st, 8, r->subject);
	bind_text(st, 9, r->summary);
	sqlite3_bind_blob(st, 10, r->fingerprint, (int)r->fingerprint_len, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = fail(rs, err, "cannot record the report");
	*id = sqlite3_last_insert_rowid(rs->db);
	sqlite3_finalize(st);
	if (!rc && r->campaign == 0) {
		char sql[96];

		snprintf(sql, sizeof(sql), "UPDATE reports SET campaign = id WHERE id = %lld", (long long)*id);
		if (sqlite3_exec(rs->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			rc = fail(rs, err, "cannot record the report");
	}
	sqlite3_exec(rs->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	if (!rc && rs->url && !rs->applying) {
		char sql[96];

		snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO report_outbox(id) VALUES(%lld)", (long long)*id);
		if (sqlite3_exec(rs->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			rc = fail(rs, err, "cannot spool the report for the shared store");
		else
			sync_quietly(rs);
	}
	return rc;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

enum lg_status report_store_count(struct report_store *rs, int64_t *n, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(rs, "SELECT count(*) FROM reports", err);
	enum lg_status rc = LG_OK;

	if (!st)
		return LG_EIO;
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		rc = fail(rs, err, "cannot count reports");
	sqlite3_finalize(st);
	return rc;
}

enum lg_status report_store_each(struct report_store *rs, bool (*fn)(void *ctx, const struct report_row *r),
				 void *ctx, struct errbuf *err)
{
	return report_store_each_after(rs, 0, fn, ctx, err);
}

enum lg_status report_store_each_after(struct report_store *rs, int64_t after,
				       bool (*fn)(void *ctx, const struct report_row *r), void *ctx, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(rs, "SELECT id, at, campaign, similarity, reporter, sender, sender_domain,"
				       " sender_ip, subject, summary, fingerprint FROM reports WHERE id > ? ORDER BY id", err);
	int rc;

	if (!st)
		return LG_EIO;
	sqlite3_bind_int64(st, 1, after);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_row r = {
			.id = sqlite3_column_int64(st, 0), .at = sqlite3_column_int64(st, 1),
			.campaign = sqlite3_column_int64(st, 2), .similarity = sqlite3_column_double(st, 3),
			.reporter = col_text(st, 4), .sender = col_text(st, 5), .sender_domain = col_text(st, 6),
			.sender_ip = col_text(st, 7), .subject = col_text(st, 8), .summary = col_text(st, 9),
			.fingerprint = sqlite3_column_blob(st, 10),
			.fingerprint_len = (size_t)sqlite3_column_bytes(st, 10),
		};

		if (!fn(ctx, &r)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? LG_OK : fail(rs, err, "cannot read reports");
}

enum lg_status report_store_campaign(struct report_store *rs, int64_t campaign, int64_t *reporters,
				     int64_t *reports, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(rs, "SELECT count(DISTINCT lower(reporter)), count(*) FROM reports WHERE campaign = ?", err);
	enum lg_status rc = LG_OK;

	if (!st)
		return LG_EIO;
	sqlite3_bind_int64(st, 1, campaign);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*reporters = sqlite3_column_int64(st, 0);
		*reports = sqlite3_column_int64(st, 1);
	} else {
		rc = fail(rs, err, "cannot count reporters");
	}
	sqlite3_finalize(st);
	return rc;
}

enum lg_status report_store_mark_alerted(struct report_store *rs, int64_t campaign, bool *first,
					 struct errbuf *err)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO campaigns(id, alerted) VALUES(%lld, 1)", (long long)campaign);
	if (sqlite3_exec(rs->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(rs, err, "cannot record the alert");
	*first = sqlite3_changes(rs->db) > 0;
	return LG_OK;
}

/* Spools a block or unblock for the shared store, then tries to hand it
 * over at once (what Redis does not take stays spooled for the next sync). */
static enum lg_status outbox_add(struct report_store *rs, const char *op, const struct block_row *b,
				 struct errbuf *err)
{
	sqlite3_stmt *st = prepare(rs, "INSERT INTO block_outbox(op, kind, value, status, who, why, at)"
				       " VALUES(?,?,?,?,?,?,?)", err);
	const char *text[] = {op, b->kind, b->value, b->status, b->who, b->why};
	enum lg_status rc = LG_OK;

	if (!st)
		return LG_EIO;
	for (int i = 0; i < 6; i++)
		bind_text(st, i + 1, text[i]);
	sqlite3_bind_int64(st, 7, b->at);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = fail(rs, err, "cannot spool the block for the shared store");
	sqlite3_finalize(st);
	if (!rc)
		sync_quietly(rs);
	return rc;
}

enum lg_status report_store_block(struct report_store *rs, const struct block_row *b, struct errbuf *err)
{
	/* A person's decision stands over the automatic policy's: an automatic
	 * row replaces only another automatic one, and never turns an active
	 * block back into one awaiting review. */
	sqlite3_stmt *st = prepare(rs, "INSERT INTO blocks(kind, value, status, who, why, at) VALUES(?,?,?,?,?,?)"
				       " ON CONFLICT(kind, value) DO UPDATE SET status = excluded.status,"
				       " who = excluded.who, why = excluded.why, at = excluded.at"
				       " WHERE excluded.who <> 'auto' OR (blocks.who = 'auto' AND"
				       " NOT (blocks.status = 'active' AND excluded.status = 'review'))",
				   err);
	enum lg_status rc = LG_OK;

	if (!st)
		return LG_EIO;
	bind_text(st, 1, b->kind);
	bind_text(st, 2, b->value);
	bind_text(st, 3, b->status);
	bind_text(st, 4, b->who);
	bind_text(st, 5, b->why);
	sqlite3_bind_int64(st, 6, b->at);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = fail(rs, err, "cannot record the block");
	sqlite3_finalize(st);
	if (!rc && rs->url && !rs->applying)
		rc = outbox_add(rs, "block", b, err);
	return rc;
}

enum lg_status report_store_unblock(struct report_store *rs, const char *kind, const char *value, bool *found,
				    struct errbuf *err)
{
	sqlite3_stmt *st = prepare(rs, "DELETE FROM blocks WHERE kind = ? AND value = ?", err);
	enum lg_status rc = LG_OK;

	if (!st)
		return LG_EIO;
	bind_text(st, 1, kind);
	bind_text(st, 2, value);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = fail(rs, err, "cannot remove the block");
	*found = sqlite3_changes(rs->db) > 0;
	sqlite3_finalize(st);
	if (!rc && rs->url && !rs->applying) {
		struct block_row b = {kind, value, "", "", "", (int64_t)time(NULL)};

		rc = outbox_add(rs, "unblock", &b, err);
	}
	return rc;
}

enum lg_status report_store_blocks(struct report_store *rs, bool (*fn)(void *ctx, const struct block_row *b),
				   void *ctx, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(rs, "SELECT kind, value, status, who, why, at FROM blocks ORDER BY at DESC, value", err);
	int rc;

	if (!st)
		return LG_EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct block_row b = {col_text(st, 0), col_text(st, 1), col_text(st, 2), col_text(st, 3),
				      col_text(st, 4), sqlite3_column_int64(st, 5)};

		if (!fn(ctx, &b)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? LG_OK : fail(rs, err, "cannot read blocks");
}

/* Reads the key into key; true when there is one of the right length. */
static bool read_key(struct report_store *rs, unsigned char key[REPORT_KEY_LEN])
{
	sqlite3_stmt *st = NULL;
	bool found = false;

	if (sqlite3_prepare_v2(rs->db, "SELECT value FROM report_meta WHERE name = 'alert_key'", -1, &st, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == REPORT_KEY_LEN) {
		memcpy(key, sqlite3_column_blob(st, 0), REPORT_KEY_LEN);
		found = true;
	}
	sqlite3_finalize(st);
	return found;
}

enum lg_status report_store_alert_key(struct report_store *rs, unsigned char key[REPORT_KEY_LEN], struct errbuf *err)
{
	unsigned char fresh[REPORT_KEY_LEN];
	sqlite3_stmt *st;
	enum lg_status rc;

	if (read_key(rs, key))
		return LG_OK;
	if ((rc = lg_random_bytes(fresh, sizeof(fresh), err)))
		return rc;
	/* Two processes may race here: OR IGNORE keeps the first key, and
	 * both read that one back. */
	if (!(st = prepare(rs, "INSERT OR IGNORE INTO report_meta(name, value) VALUES('alert_key', ?)", err)))
		return LG_EIO;
	sqlite3_bind_blob(st, 1, fresh, sizeof(fresh), SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? LG_OK : fail(rs, err, "cannot store the alert key");
	sqlite3_finalize(st);
	if (!rc && !read_key(rs, key))
		rc = fail(rs, err, "cannot read the alert key back");
	return rc;
}

/* ---- the shared store: spool out, stream in (redis_blocks.c) ------------- */

/* Hands the spooled blocks to the shared store, oldest first; what it took
 * leaves the spool. */
static enum lg_status push_outbox(struct report_store *rs, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(rs, "SELECT seq, op, kind, value, status, who, why, at FROM block_outbox"
				       " ORDER BY seq LIMIT 1000", err);
	struct redis_block_event *ev = NULL;
	int64_t *seq = NULL;
	size_t n = 0, cap = 0, pushed = 0, scap = 0;
	enum lg_status rc = LG_OK;

	if (!st)
		return LG_EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		ev = lg_grow(ev, &cap, n + 1, sizeof(*ev));
		seq = lg_grow(seq, &scap, n + 1, sizeof(*seq));
		seq[n] = sqlite3_column_int64(st, 0);
		ev[n].unblock = strcmp(col_text(st, 1), "unblock") == 0;
		ev[n].block = (struct block_row){lg_strdup(col_text(st, 2)), lg_strdup(col_text(st, 3)),
						 lg_strdup(col_text(st, 4)), lg_strdup(col_text(st, 5)),
						 lg_strdup(col_text(st, 6)), sqlite3_column_int64(st, 7)};
		n++;
	}
	sqlite3_finalize(st);
	if (n)
		rc = redis_blocks_push(rs->url, ev, n, &pushed, err);
	if (pushed) {
		st = prepare(rs, "DELETE FROM block_outbox WHERE seq <= ?", err);
		if (st) {
			sqlite3_bind_int64(st, 1, seq[pushed - 1]);
			if (sqlite3_step(st) != SQLITE_DONE && !rc)
				rc = fail(rs, err, "cannot empty the block spool");
			sqlite3_finalize(st);
		}
	}
	for (size_t i = 0; i < n; i++) {
		lg_free((char *)ev[i].block.kind);
		lg_free((char *)ev[i].block.value);
		lg_free((char *)ev[i].block.status);
		lg_free((char *)ev[i].block.who);
		lg_free((char *)ev[i].block.why);
	}
	lg_free(ev);
	lg_free(seq);
	return rc;
}

static enum lg_status apply_event(void *ctx, const char *id, const struct redis_block_event *ev, struct errbuf *err)
{
	struct report_store *rs = ctx;
	sqlite3_stmt *st;
	enum lg_status rc;
	bool found;

	rs->applying = true;
	rc = ev->unblock ? report_store_unblock(rs, ev->block.kind, ev->block.value, &found, err)
			 : report_store_block(rs, &ev->block, err);
	rs->applying = false;
	if (rc)
		return rc;
	st = prepare(rs, "INSERT OR REPLACE INTO report_meta(name, value) VALUES('blocks_stream_id', ?)", err);
	if (!st)
		return LG_EIO;
	bind_text(st, 1, id);
	rc = sqlite3_step(st) == SQLITE_DONE ? LG_OK : fail(rs, err, "cannot record the stream position");
	sqlite3_finalize(st);
	return rc;
}

/* report_meta's text value of name into out ("" when absent). */
static void meta_get(struct report_store *rs, const char *name, char *out, size_t size)
{
	sqlite3_stmt *st = prepare(rs, "SELECT value FROM report_meta WHERE name = ?", NULL);

	*out = 0;
	if (!st)
		return;
	bind_text(st, 1, name);
	if (sqlite3_step(st) == SQLITE_ROW && col_text(st, 0))
		g_strlcpy(out, col_text(st, 0), size);
	sqlite3_finalize(st);
}

static enum lg_status meta_set(struct report_store *rs, const char *name, const char *value, struct errbuf *err)
{
	sqlite3_stmt *st = prepare(rs, "INSERT OR REPLACE INTO report_meta(name, value) VALUES(?, ?)", err);
	enum lg_status rc;

	if (!st)
		return LG_EIO;
	bind_text(st, 1, name);
	bind_text(st, 2, value);
	rc = sqlite3_step(st) == SQLITE_DONE ? LG_OK : fail(rs, err, "cannot record the stream position");
	sqlite3_finalize(st);
	return rc;
}

/* This copy's id in the streams, made from the CSPRNG on first use. */
static enum lg_status host_id(struct report_store *rs, char out[33], struct errbuf *err)
{
	unsigned char raw[16];
	enum lg_status rc;

	meta_get(rs, "host_id", out, 33);
	if (*out)
		return LG_OK;
	rc = lg_random_bytes(raw, sizeof(raw), err);
	for (int i = 0; !rc && i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	if (!rc)
		rc = meta_set(rs, "host_id", out, err);
	return rc;
}

/* Hands the reports filed here to the shared store, oldest first. */
static enum lg_status push_reports(struct report_store *rs, const char *origin, struct errbuf *err)
{
	/* a campaign started by another host's report is named by that host's id */
	sqlite3_stmt *st = prepare(rs, "SELECT r.id, r.at, coalesce(m.remote, r.campaign), r.similarity, r.reporter,"
				       " r.sender, r.sender_domain, r.sender_ip, r.subject, r.summary, r.fingerprint,"
				       " m.origin FROM report_outbox o JOIN reports r ON r.id = o.id"
				       " LEFT JOIN report_remote m ON m.local = r.campaign ORDER BY o.id LIMIT 500", err);
	struct report_row *rows = NULL;
	char **corigin = NULL;
	size_t n = 0, cap = 0, pushed = 0, ccap = 0;
	enum lg_status rc = LG_OK;

	if (!st)
		return LG_EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct report_row *x;
		size_t fl = (size_t)sqlite3_column_bytes(st, 10);

		rows = lg_grow(rows, &cap, n + 1, sizeof(*rows));
		corigin = lg_grow(corigin, &ccap, n + 1, sizeof(*corigin));
		corigin[n] = col_text(st, 11) ? lg_strdup(col_text(st, 11)) : NULL;
		x = &rows[n++];
		*x = (struct report_row){.id = sqlite3_column_int64(st, 0), .at = sqlite3_column_int64(st, 1),
					 .campaign = sqlite3_column_int64(st, 2), .similarity = sqlite3_column_double(st, 3)};
		x->reporter = col_text(st, 4) ? lg_strdup(col_text(st, 4)) : NULL;
		x->sender = col_text(st, 5) ? lg_strdup(col_text(st, 5)) : NULL;
		x->sender_domain = col_text(st, 6) ? lg_strdup(col_text(st, 6)) : NULL;
		x->sender_ip = col_text(st, 7) ? lg_strdup(col_text(st, 7)) : NULL;
		x->subject = col_text(st, 8) ? lg_strdup(col_text(st, 8)) : NULL;
		x->summary = col_text(st, 9) ? lg_strdup(col_text(st, 9)) : NULL;
		x->fingerprint = fl ? g_memdup2(sqlite3_column_blob(st, 10), fl) : NULL;
		x->fingerprint_len = fl;
	}
	sqlite3_finalize(st);
	if (n)
		rc = redis_reports_push(rs->url, origin, rows, (const char *const *)corigin, n, &pushed, err);
	if (pushed) {
		char sql[96];

		snprintf(sql, sizeof(sql), "DELETE FROM report_outbox WHERE id <= %lld", (long long)rows[pushed - 1].id);
		if (sqlite3_exec(rs->db, sql, NULL, NULL, NULL) != SQLITE_OK && !rc)
			rc = fail(rs, err, "cannot empty the report spool");
	}
	for (size_t i = 0; i < n; i++) {
		lg_free((char *)rows[i].reporter);
		lg_free((char *)rows[i].sender);
		lg_free((char *)rows[i].sender_domain);
		lg_free((char *)rows[i].sender_ip);
		lg_free((char *)rows[i].subject);
		lg_free((char *)rows[i].summary);
		g_free((void *)rows[i].fingerprint);
		lg_free(corigin[i]);
	}
	lg_free(rows);
	lg_free(corigin);
	return rc;
}

/* The local id of report `remote` of host origin, or 0. */
static int64_t local_of(struct report_store *rs, const char *origin, int64_t remote)
{
	sqlite3_stmt *st = prepare(rs, "SELECT local FROM report_remote WHERE origin = ? AND remote = ?", NULL);
	int64_t id = 0;

	if (!st)
		return 0;
	bind_text(st, 1, origin);
	sqlite3_bind_int64(st, 2, remote);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

struct apply_reports {
	struct report_store *rs;
	const char *self;
};

static enum lg_status apply_report(void *ctx, const char *id, const char *origin, const char *corigin,
				   const struct report_row *r, struct errbuf *err)
{
	struct apply_reports *a = ctx;
	struct report_store *rs = a->rs;
	struct report_row x = *r;
	enum lg_status rc = LG_OK;
	int64_t local;

	/* our own come back, and one already applied is not applied twice */
	if (strcmp(origin, a->self) != 0 && !local_of(rs, origin, r->id)) {
		/* its campaign: its own, one of ours, or one applied from elsewhere */
		if (strcmp(corigin, origin) == 0 && r->campaign == r->id)
			x.campaign = 0;
		else if (strcmp(corigin, a->self) == 0)
			x.campaign = r->campaign;
		else
			x.campaign = local_of(rs, corigin, r->campaign);
		rs->applying = true;
		rc = report_store_add(rs, &x, &local, err);
		rs->applying = false;
		if (!rc) {
			sqlite3_stmt *st = prepare(rs, "INSERT OR IGNORE INTO report_remote(origin, remote, local)"
						       " VALUES(?, ?, ?)", err);

			if (!st)
				return LG_EIO;
			bind_text(st, 1, origin);
			sqlite3_bind_int64(st, 2, r->id);
			sqlite3_bind_int64(st, 3, local);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = fail(rs, err, "cannot record where a shared report came from");
			sqlite3_finalize(st);
		}
	}
	return rc ? rc : meta_set(rs, "reports_stream_id", id, err);
}

static enum lg_status sync_reports(struct report_store *rs, struct errbuf *err)
{
	char self[33], after[64];
	struct apply_reports a = {rs, self};
	enum lg_status rc = host_id(rs, self, err);

	if (!rc)
		rc = push_reports(rs, self, err);
	if (rc)
		return rc;
	meta_get(rs, "reports_stream_id", after, sizeof(after));
	return redis_reports_read(rs->url, after, apply_report, &a, err);
}

enum lg_status report_store_sync(struct report_store *rs, struct errbuf *err)
{
	sqlite3_stmt *st;
	char after[64] = "";
	enum lg_status rc;

	if (!rs->url)
		return LG_OK;
	rc = push_outbox(rs, err);
	if (!rc)
		rc = sync_reports(rs, err);
	if (rc)
		return rc;
	st = prepare(rs, "SELECT value FROM report_meta WHERE name = 'blocks_stream_id'", err);
	if (!st)
		return LG_EIO;
	if (sqlite3_step(st) == SQLITE_ROW)
		g_strlcpy(after, col_text(st, 0), sizeof(after));
	sqlite3_finalize(st);
	/* one transaction: the blocks and the position move together */
	if (sqlite3_exec(rs->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail(rs, err, "cannot begin");
	rc = redis_blocks_read(rs->url, after, apply_event, rs, err);
	if (sqlite3_exec(rs->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(rs->db, "ROLLBACK", NULL, NULL, NULL);
		if (!rc)
			rc = fail(rs, err, "cannot commit the shared blocks");
	}
	return rc;
}

static void sync_quietly(struct report_store *rs)
{
	struct errbuf err = {""};

	/* a server already marked dead was reported when it failed */
	if (report_store_sync(rs, &err) && !strstr(err.msg, "marked dead"))
		log_warn("store: shared blocks not synchronised, using the local copy (%s): %s", rs->path, err.msg);
}
