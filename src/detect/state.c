/* state.c: see state.h. */
#include <stdio.h>
#include <sys/stat.h>

#include <glib.h>

#include "detect/state.h"
#include "learn/model.h"
#include "report/index.h"
#include "store/store.h"

static char *store_path(const struct config *cfg)
{
	return cfg->db ? g_strdup(cfg->db) : store_default_path();
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
	char *wal = g_strdup_printf("%s-wal", path);
	unsigned long long v = file_version(path) * 31 + file_version(wal);

	g_free(wal);
	g_free(path);
	return v;
}
