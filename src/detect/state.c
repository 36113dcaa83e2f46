/* state.c: see state.h. */
#include <stdio.h>
#include <sys/stat.h>

#include <glib.h>

#include "context/history.h"
#include "context/store.h"
#include "detect/state.h"
#include "learn/model.h"
#include "report/index.h"
#include "store/reports.h"
#include "store/store.h"

/* The leak context and the correspondent history, when there are any. */
static void attach_context(struct engine *e, const struct config *cfg, const char *path)
{
	struct ctx_store *ctx = NULL;
	struct history *h = NULL;
	struct errbuf err = {""};
	enum lg_status rc = ctx_store_open(path, &ctx, &err);

	if (rc && rc != LG_ENOTFOUND)
		fprintf(stderr, "leakguard: warning: no leak context: %s\n", err.msg);
	rc = history_open(path, false, &h, &err);
	if (rc && rc != LG_ENOTFOUND)
		fprintf(stderr, "leakguard: warning: no correspondent history: %s\n", err.msg);
	if (ctx || h)
		engine_set_context(e, ctx, h, (int64_t)cfg->context_frequent);
}

/* The classifier from a shared store (Redis): every token read at start-up,
 * no snapshot (a local one would not see what other hosts learn). When the
 * server cannot be reached the classifier has no opinion and mail goes on. */
static void attach_shared_model(struct engine *e, const char *url)
{
	struct store *s = NULL;
	struct model *m = NULL;
	struct errbuf err = {""};
	enum lg_status rc = store_open(url, false, &s, &err);

	if (!rc)
		rc = model_load(s, &m, &err);
	store_close(&s);
	if (rc) {
		fprintf(stderr,
			"leakguard: warning: shared store unavailable, judged without shared state "
			"(the classifier has no opinion): %s\n",
			err.msg);
		return;
	}
	engine_set_model(e, m);
}

void state_attach(struct engine *e, const struct config *cfg)
{
	char *url = store_path(cfg), *path = store_local_path(url);
	struct store *s = NULL;
	struct model *m = NULL;
	struct report_index *idx = NULL;
	struct errbuf err = {""};
	bool shared = false, opened = false;
	enum lg_status rc = store_check_url(url, &shared, &err);

	if (rc) {
		fprintf(stderr, "leakguard: warning: no classifier: %s\n", err.msg);
	} else if (shared) {
		attach_shared_model(e, url);
	} else {
		rc = store_open(url, false, &s, &err);
		opened = s != NULL;
		/* The mapped snapshot when learn left one; else every row of the store. */
		if (rc == LG_OK && model_snapshot_open(path, &m, &err) != LG_OK)
			rc = model_load(s, &m, &err);
		if (rc == LG_OK)
			engine_set_model(e, m);
		else if (rc != LG_ENOTFOUND)
			fprintf(stderr, "leakguard: warning: no classifier: %s\n", err.msg);
		store_close(&s);
	}
	/* Reports and blocks are local SQLite state, for either backend. */
	if (shared || opened) {
		/* with a shared URL the report store first applies the shared blocks */
		if (report_index_load(shared ? url : path, &idx, &err) == LG_OK)
			engine_set_reports(e, idx);
		else if (!shared || g_file_test(path, G_FILE_TEST_EXISTS))
			fprintf(stderr, "leakguard: warning: no staff reports: %s\n", err.msg);
	}
	attach_context(e, cfg, path);
	g_free(path);
	g_free(url);
}

static unsigned long long file_version(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	return (unsigned long long)st.st_size * 1000003ULL ^ (unsigned long long)st.st_mtim.tv_sec * 1000000007ULL ^
	       (unsigned long long)st.st_mtim.tv_nsec;
}

/* A shared store: the blocks other hosts made, applied to the local copy
 * (whose files then change), and the server's batch counter, so a daemon
 * polling the version reloads after a block or a `learn` on any host. While
 * the server is away the last counter seen stands: its absence alone does
 * not rebuild the engine. */
static unsigned long long sync_shared(const char *url)
{
	static _Atomic unsigned long long last;
	struct report_store *rs = NULL;
	struct store *s = NULL;
	struct errbuf err = {""};
	bool shared = false;
	uint64_t v;

	if (store_check_url(url, &shared, NULL) != LG_OK || !shared)
		return 0;
	if (report_store_open(url, &rs, &err) == LG_OK)
		report_store_close(&rs);
	if (store_open(url, false, &s, &err) == LG_OK && store_version(s, &v, &err) == LG_OK)
		last = v;
	store_close(&s);
	return last;
}

unsigned long long state_version(const struct config *cfg)
{
	char *url = store_path(cfg), *path = store_local_path(url);
	char *wal, *ctx;
	unsigned long long v;

	v = sync_shared(url) * 1000003ULL;
	wal = g_strdup_printf("%s-wal", path);
	ctx = ctx_store_path(path);
	v += (file_version(path) * 31 + file_version(wal)) * 31 + file_version(ctx);

	g_free(wal);
	g_free(ctx);
	g_free(path);
	g_free(url);
	return v;
}
