/* history.c: `leakguard history` — the correspondent history the milter
 * keeps (src/context/history.h): --learn fills it from mail already
 * delivered (sent mail teaches who you write to, received mail who writes
 * to you), --stats tells its size. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "cli/cli.h"
#include "context/history.h"
#include "context/people.h"
#include "context/store.h"
#include "mail/mailbox.h"
#include "mail/message.h"
#include "store/store.h"

#define BATCH 1000 /* messages per transaction */

struct learn {
	struct history *h;
	const char *const *own;
	size_t nown;
	int64_t now;
	unsigned long messages, errors, in_batch;
	enum lg_status rc;
	struct errbuf err;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leakguard history --learn PATH... | --stats\n\n"
		"The correspondent history check uses for first contacts, known names with new\n"
		"addresses and hijacked reply chains; the milter adds every clean message it passes.\n"
		"--learn adds mail already delivered: a message file, mbox, Maildir, tree or -.\n"
		"Mail from your own domains counts its recipients as correspondents, other mail its\n"
		"sender: you vouch for the mail you give it. (The milter learns an outside sender\n"
		"only once your staff wrote to its domain, or after vouched mail on 3 separate days.)\n"
		"Only keyed hashes are kept, and correspondents' domains.\n\n"
		"Options:\n"
		"  --learn           add the mail at PATH...\n"
		"  --stats           entries and domains held\n"
		"  --org LIST        your domains (default: [protect] domains and the leak context's)\n"
		"  --config FILE     configuration\n"
		"  --db FILE         state store (the history is DB.history beside it)\n"
		"  -h, --help        this help\n\n"
		"Exit status: 0 success, 2 usage error or a store error.\n");
}

static bool on_message(void *ctx, const char *label, const char *raw, size_t len)
{
	struct learn *l = ctx;
	struct mail_message *msg = mail_message_parse(raw, len);
	const struct hist_facts archive = {NULL, 0, true};

	l->rc = history_learn(l->h, msg, &archive, l->own, l->nown, l->now, &l->err);
	mail_message_free(&msg);
	l->messages++;
	if (!l->rc && ++l->in_batch >= BATCH) {
		l->in_batch = 0;
		l->rc = history_commit(l->h, &l->err);
		if (!l->rc)
			l->rc = history_begin(l->h, &l->err);
	}
	return l->rc == LG_OK;
}

static void on_error(void *ctx, const char *label, const char *why)
{
	((struct learn *)ctx)->errors++;
	fprintf(stderr, "leakguard history: %s: %s\n", label, why);
}

/* Own domains: --org, else [protect] domains plus the leak context's. */
static void own_domains(const struct config *cfg, const char *path, const char *org, struct config_list *own)
{
	GString *all = g_string_new(org ? org : "");
	struct ctx_store *ctx = NULL;

	for (size_t i = 0; !org && i < cfg->protect_domains.n; i++)
		g_string_append_printf(all, ",%s", cfg->protect_domains.items[i]);
	if (!org && ctx_store_open(path, &ctx, NULL) == LG_OK)
		for (size_t i = 0; i < ctx_store_orgs(ctx); i++)
			g_string_append_printf(all, ",%s", ctx_store_org(ctx, i));
	ctx_store_free(&ctx);
	config_list_set(own, all->str);
	g_string_free(all, TRUE);
}

static int learn(struct history *h, const struct config *cfg, const struct config_list *own, char **paths, int n)
{
	struct learn l = {h, (const char *const *)own->items, own->n, (int64_t)time(NULL), 0, 0, 0, LG_OK, {""}};
	struct mailbox_visitor v = {on_message, on_error, &l};
	int64_t removed = 0;

	l.rc = history_begin(h, &l.err);
	for (int i = 0; i < n && !l.rc; i++) {
		struct errbuf err = {""};

		if (mailbox_walk(paths[i], &v, &err))
			on_error(&l, paths[i], err.msg);
	}
	if (!l.rc)
		l.rc = history_commit(h, &l.err);
	if (!l.rc)
		l.rc = history_prune(h, (int64_t)cfg->history_max_rows,
				     l.now - (int64_t)(cfg->history_max_days * 86400), &removed, &l.err);
	if (l.rc) {
		cli_error("history", "%s", l.err.msg);
		return EXIT_ERROR;
	}
	printf("learnt %lu messages; the history holds %lld entries, %lld domains (%lld forgotten)\n", l.messages,
	       (long long)history_rows(h), (long long)history_domains(h), (long long)removed);
	return l.errors ? EXIT_ERROR : EXIT_CLEAN;
}

int cli_history(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"learn", no_argument, NULL, 'l'},     {"stats", no_argument, NULL, 's'},
		{"org", required_argument, NULL, 'o'}, {"config", required_argument, NULL, 'c'},
		{"db", required_argument, NULL, 'd'},  {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_common opt = {0};
	struct config cfg;
	struct config_list own = {0};
	struct history *h = NULL;
	struct errbuf err = {""};
	const char *org = NULL;
	bool do_learn = false, stats = false;
	char *path;
	int c, status = EXIT_CLEAN;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': do_learn = true; break;
		case 's': stats = true; break;
		case 'o': org = optarg; break;
		case 'c': opt.config_path = optarg; break;
		case 'd': opt.db_path = optarg; break;
		case 'h': usage(stdout); return EXIT_CLEAN;
		default: usage(stderr); return EXIT_ERROR;
		}
	}
	if (do_learn == stats || (do_learn && optind >= argc) || (stats && optind < argc)) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!cli_load_config(&opt, &cfg))
		return EXIT_ERROR;
	path = store_path(&cfg);
	mail_init();
	if (history_open(path, do_learn, &h, &err)) {
		cli_error("history", "%s", err.msg);
		status = EXIT_ERROR;
	} else if (do_learn) {
		own_domains(&cfg, path, org, &own);
		status = learn(h, &cfg, &own, argv + optind, argc - optind);
	} else {
		printf("entries: %lld\ndomains: %lld\n", (long long)history_rows(h), (long long)history_domains(h));
	}
	history_close(&h);
	mail_shutdown();
	config_list_clear(&own);
	g_free(path);
	config_cleanup(&cfg);
	return status;
}
