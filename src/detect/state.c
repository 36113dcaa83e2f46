/* state.c: see state.h. */
#include <stdio.h>
#include <sys/stat.h>

#include <glib.h>

#include "context/history.h"
#include "context/store.h"
#include "detect/state.h"
#include "learn/model.h"
#include "report/index.h"
#include "store/store.h"

static char *store_path(const struct config *cfg)
{
	return cfg->db ? g_strdup(cfg->db) : store_default_path();
}

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

void state_attach(struct engine *e, const struct config *cfg)
{
	char *path = store_path(cfg);
	struct store *s = NULL;
	struct model *m = NULL;
	struct report_index *idx = NULL;
	struct errbuf err = {""};
	enum lg_status rc = store_open(path, false, &s, &err);

	/* The mapped snapshot when learn left one; else every row of the store. */
	if (rc == LG_OK && model_snapshot_open(path, &m, &err) != LG_OK)
		rc = model_load(s, &m, &err);
	if (rc == LG_OK)
		engine_set_model(e, m);
	else if (rc != LG_ENOTFOUND)
		fprintf(stderr, "leakguard: warning: no classifier: %s\n", err.msg);
	if (s) {
		store_close(&s);
		if (report_index_load(path, &idx, &err) == LG_OK)
			engine_set_reports(e, idx);
		else
			fprintf(stderr, "leakguard: warning: no staff reports: %s\n", err.msg);
	}
	attach_context(e, cfg, path);
	g_free(path);
}

static unsigned long long file_version(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	return (unsigned long long)st.st_size * 1000003ULL ^ (unsigned long long)st.st_mtim.tv_sec * 1000000007ULL ^
	       (unsigned long long)st.st_mtim.tv_nsec;
}

unsigned long long state_version(const struct config *cfg)
{
	char *path = store_path(cfg);
	char *wal = g_strdup_printf("%s-wal", path), *ctx = ctx_store_path(path);
	unsigned long long v = (file_version(path) * 31 + file_version(wal)) * 31 + file_version(ctx);

	g_free(wal);
	g_free(ctx);
	g_free(path);
	return v;
}
