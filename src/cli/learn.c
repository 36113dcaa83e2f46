/* learn.c: `leakguard learn` — teach the statistical classifier from mail
 * marked spam or ham, undo a mistaken lesson, or show the model's size. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "cli/cli.h"
#include "learn/model.h"
#include "learn/tokens.h"
#include "learn/train.h"
#include "mail/mailbox.h"
#include "mail/message.h"
#include "store/store.h"
#include "util/alloc.h"

/* Pruning on every run keeps a year of mail from growing the model without
 * bound: tokens seen once and not for this many days go. */
#define PRUNE_MAX_COUNT 1
#define PRUNE_AFTER_DAYS 60

struct source {
	enum store_class cls;
	const char *path;
};

struct learn_run {
	struct trainer *trainer;
	enum store_class cls;
	bool forget, failed;
	unsigned long outcome[5], unreadable, not_mail;
	struct errbuf err;
};

static bool on_message(void *ctx, const char *label, const char *raw, size_t len)
{
	struct learn_run *r = ctx;
	struct mail_message *msg = mail_message_parse(raw, len);
	struct token_set tokens;
	enum train_outcome outcome;

	if (msg->defects & MAIL_DEFECT_NO_HEADERS) {
		fprintf(stderr, "leakguard learn: %s: not a mail message (no headers); skipped\n", label);
		r->not_mail++;
		mail_message_free(&msg);
		return true;
	}
	tokens_of_message(msg, &tokens);
	if (trainer_add(r->trainer, raw, len, &tokens, r->cls, r->forget, &outcome, &r->err)) {
		r->failed = true;
		mail_message_free(&msg);
		return false;
	}
	r->outcome[outcome]++;
	mail_message_free(&msg);
	return true;
}

static void on_error(void *ctx, const char *label, const char *why)
{
	struct learn_run *r = ctx;

	r->unreadable++;
	fprintf(stderr, "leakguard learn: %s: %s; skipped\n", label, why);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leakguard learn [OPTIONS] (--spam PATH | --ham PATH)...\n"
		"       leakguard learn --forget (--spam PATH | --ham PATH)...\n"
		"       leakguard learn --stats\n\n"
		"Teaches the classifier from messages (files, mboxes, Maildirs, trees, - for stdin).\n"
		"Learning a message twice counts once; learning it as the other class moves it;\n"
		"--forget undoes what learning did. The model lives in the state store (--db).\n\n"
		"Options:\n"
		"  --spam PATH       learn PATH as spam (repeatable)\n"
		"  --ham PATH        learn PATH as legitimate mail (repeatable)\n"
		"  --forget          unlearn the messages given instead\n"
		"  --stats           print what the model holds\n"
		"  --db FILE         state store (default: config, $LEAKGUARD_DB, ~/.local/share/leakguard/leakguard.db)\n"
		"  --config FILE     configuration file\n"
		"  --json            machine-readable output\n"
		"  -h, --help        this help\n\n"
		"Exit status: 0 success, 2 usage error, unreadable input or a store error.\n");
}

static void print_stats(struct store *s, bool json)
{
	struct store_stats st;
	struct errbuf err;

	if (store_stats(s, &st, &err)) {
		fprintf(stderr, "leakguard learn: %s\n", err.msg);
		return;
	}
	if (json)
		printf("{\"spam_messages\":%lld,\"ham_messages\":%lld,\"tokens\":%lld,\"bytes\":%lld}\n",
		       (long long)st.spam_messages, (long long)st.ham_messages, (long long)st.tokens,
		       (long long)st.bytes);
	else
		printf("model: %lld spam and %lld ham messages learnt, %lld tokens, %.1f MiB on disk\n",
		       (long long)st.spam_messages, (long long)st.ham_messages, (long long)st.tokens,
		       st.bytes / 1048576.0);
}

/* The snapshot check maps at start-up (model.h), rewritten from the store. */
static enum lg_status refresh_snapshot(struct store *s, const char *db, struct errbuf *err)
{
	struct model *m = NULL;
	enum lg_status rc = model_load(s, &m, err);

	if (!rc)
		rc = model_snapshot_write(m, db, err);
	model_free(&m);
	return rc;
}

static int train_all(struct store *s, const char *db, const struct source *src, size_t n, bool forget, bool json)
{
	struct learn_run r = {.trainer = trainer_new(s), .forget = forget};
	struct mailbox_visitor v = {on_message, on_error, &r};
	struct timespec t0, t1;
	unsigned long total;
	int64_t pruned = 0;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	model_snapshot_remove(db);
	for (size_t i = 0; i < n && !r.failed; i++) {
		r.cls = src[i].cls;
		if (mailbox_walk(src[i].path, &v, &r.err)) {
			fprintf(stderr, "leakguard learn: %s\n", r.err.msg);
			r.unreadable++;
		}
	}
	if (!r.failed && trainer_flush(r.trainer, &r.err))
		r.failed = true;
	if (!r.failed && !forget &&
	    store_tokens_prune(s, PRUNE_MAX_COUNT, (int64_t)(time(NULL) / 86400) - PRUNE_AFTER_DAYS, &pruned, &r.err))
		r.failed = true;
	trainer_free(&r.trainer);
	if (!r.failed && refresh_snapshot(s, db, &r.err))
		r.failed = true;
	if (r.failed) {
		fprintf(stderr, "leakguard learn: %s\n", r.err.msg);
		return EXIT_ERROR;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	total = r.outcome[TRAIN_LEARNT] + r.outcome[TRAIN_MOVED] + r.outcome[TRAIN_FORGOTTEN] +
		r.outcome[TRAIN_KNOWN] + r.outcome[TRAIN_UNKNOWN];
	if (json)
		printf("{\"learnt\":%lu,\"moved\":%lu,\"already_known\":%lu,\"forgotten\":%lu,\"not_learnt\":%lu,"
		       "\"unreadable\":%lu,\"not_mail\":%lu,\"seconds\":%.3f}\n",
		       r.outcome[TRAIN_LEARNT], r.outcome[TRAIN_MOVED], r.outcome[TRAIN_KNOWN],
		       r.outcome[TRAIN_FORGOTTEN], r.outcome[TRAIN_UNKNOWN], r.unreadable, r.not_mail, secs);
	else
		printf("%lu messages in %.2f s (%.0f/s): %lu learnt, %lu moved to the other class, %lu already known, "
		       "%lu forgotten, %lu never learnt, %lu unreadable, %lu not mail\n",
		       total, secs, total / (secs > 0 ? secs : 1e-9), r.outcome[TRAIN_LEARNT], r.outcome[TRAIN_MOVED],
		       r.outcome[TRAIN_KNOWN], r.outcome[TRAIN_FORGOTTEN], r.outcome[TRAIN_UNKNOWN], r.unreadable,
		       r.not_mail);
	if (!json)
		print_stats(s, false);
	return r.unreadable ? EXIT_ERROR : EXIT_CLEAN;
}

int cli_learn(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"spam", required_argument, NULL, 's'}, {"ham", required_argument, NULL, 'H'},
		{"forget", no_argument, NULL, 'f'},     {"stats", no_argument, NULL, 'S'},
		{"db", required_argument, NULL, 'd'},   {"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},       {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_common opt = {0};
	struct source *src = lg_calloc((size_t)argc, sizeof(*src));
	size_t nsrc = 0;
	bool forget = false, stats = false;
	struct config cfg;
	struct store *s = NULL;
	struct errbuf err = {""};
	char *path;
	int c, status = EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': src[nsrc++] = (struct source){STORE_SPAM, optarg}; break;
		case 'H': src[nsrc++] = (struct source){STORE_HAM, optarg}; break;
		case 'f': forget = true; break;
		case 'S': stats = true; break;
		case 'd': opt.db_path = optarg; break;
		case 'c': opt.config_path = optarg; break;
		case 'j': opt.json = true; break;
		case 'h': usage(stdout); lg_free(src); return EXIT_CLEAN;
		default: usage(stderr); lg_free(src); return EXIT_ERROR;
		}
	}
	if (optind < argc || (!nsrc && !stats)) {
		cli_error("learn", optind < argc ? "'%s': say whether it is --spam or --ham" : "nothing to learn%s",
			  optind < argc ? argv[optind] : "");
		usage(stderr);
		lg_free(src);
		return EXIT_ERROR;
	}
	if (!cli_load_config(&opt, &cfg)) {
		lg_free(src);
		return EXIT_ERROR;
	}
	path = store_path(&cfg);
	mail_init();
	if (store_open(path, true, &s, &err)) {
		cli_error("learn", "%s", err.msg);
	} else {
		/* the snapshot is a local file, beside the store or its local copy */
		char *local = store_local_path(path);

		status = nsrc ? train_all(s, local, src, nsrc, forget, opt.json) : EXIT_CLEAN;
		g_free(local);
		if (stats)
			print_stats(s, opt.json);
	}
	store_close(&s);
	mail_shutdown();
	g_free(path);
	config_cleanup(&cfg);
	lg_free(src);
	return status;
}
