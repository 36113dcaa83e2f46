/* learn.c: `leakguard learn` — teach the statistical classifier from mail
 * marked spam or ham, undo a mistaken lesson, or show the model's size;
 * and fit the verdict's weights (learn/fit.h) on every learnt message's
 * signals, kept from the detection run made when it was learnt. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "cli/cli.h"
#include "detect/engine.h"
#include "detect/state.h"
#include "learn/fit.h"
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
	struct engine *engine; /* the heuristics, scored as `check` would without a model */
	struct model *model;   /* the classifier as it was before this run, or NULL */
	enum store_class cls;
	bool forget, failed;
	unsigned long outcome[5], unreadable, not_mail;
	struct errbuf err;
};

/* The fit's features of a message: each heuristic signal's strength (its
 * score over the weight it was scored with) from a verdict made without a
 * classifier, then the classifier's own: its signal, log-odds and leaning,
 * from p (-1 when it had nothing to say). */
static void signal_vector(const struct verdict *v, double p, char *buf)
{
	const struct signal_list *l = &v->signals;

	for (size_t i = 0; i < l->n; i++) {
		double w = l->weights->w[l->items[i].id];

		if (w != 0 && l->items[i].score != 0)
			fit_vector_add(buf, signal_name(l->items[i].id), l->items[i].score / w);
	}
	if (p < 0)
		return;
	/* As detect/classifier.c adds its signals. */
	if ((p - 0.5) * 2 >= MODEL_SIGNAL_MIN_STRENGTH)
		fit_vector_add(buf, signal_name(SIG_LEARNED_SPAM), (p - 0.5) * 2);
	else if ((0.5 - p) * 2 >= MODEL_SIGNAL_MIN_STRENGTH)
		fit_vector_add(buf, signal_name(SIG_LEARNED_HAM), (0.5 - p) * 2);
	fit_vector_add(buf, FIT_LOGODDS, fit_logodds(p));
	if (fit_leaning(p) != 0)
		fit_vector_add(buf, FIT_LEANING, fit_leaning(p));
}

/* What the classifier says of a lesson: against everything learnt before
 * this run, and for a message already in the model, without its own
 * counts (leave-one-out), so a lesson's features are what the classifier
 * says of mail it has not seen, as at check time. -1 when it cannot tell. */
static double lesson_probability(struct learn_run *r, const char *raw, size_t len, const struct token_set *tokens,
				 bool *failed)
{
	struct model_result mr;
	int now;
	bool ok;

	if (!r->model)
		return -1;
	if (trainer_class_of(r->trainer, raw, len, &now, &r->err)) {
		*failed = true;
		return -1;
	}
	ok = now >= 0 ? model_classify_without(r->model, tokens, (enum store_class)now, &mr)
		      : model_classify(r->model, tokens, &mr);
	return ok ? mr.spam_probability : -1;
}

static bool on_message(void *ctx, const char *label, const char *raw, size_t len)
{
	struct learn_run *r = ctx;
	struct mail_message *msg = mail_message_parse(raw, len);
	struct token_set tokens;
	enum train_outcome outcome;
	char vector[FIT_VECTOR_MAX] = "";

	if (msg->defects & MAIL_DEFECT_NO_HEADERS) {
		fprintf(stderr, "leakguard learn: %s: not a mail message (no headers); skipped\n", label);
		r->not_mail++;
		mail_message_free(&msg);
		return true;
	}
	tokens_of_message(msg, &tokens);
	if (!r->forget && r->engine) {
		struct verdict v;
		bool failed = false;
		double p = lesson_probability(r, raw, len, &tokens, &failed);

		if (failed) {
			r->failed = true;
			mail_message_free(&msg);
			return false;
		}
		engine_check(r->engine, msg, &v);
		signal_vector(&v, p, vector);
	}
	if (trainer_add_vector(r->trainer, raw, len, &tokens, r->forget ? NULL : vector, r->cls, r->forget, &outcome,
			       &r->err)) {
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

/* ---- the fitted verdict ------------------------------------------------- */

/* Features: every signal by id, then the classifier's log-odds and leaning. */
#define F_LOGODDS SIGNAL_COUNT
#define F_LEANING (SIGNAL_COUNT + 1)
#define F_BASELINE (SIGNAL_COUNT + 2)
#define NFEAT (SIGNAL_COUNT + 3)

static const char *feature_name(size_t j)
{
	return j == F_LOGODDS	? FIT_LOGODDS
	       : j == F_LEANING ? FIT_LEANING
	       : j == F_BASELINE ? FIT_BASELINE
				 : signal_name((enum signal_id)j);
}

/* The feature index of name, or NFEAT when this version does not know it. */
static size_t feature_of(const char *name)
{
	enum signal_id id;

	if (strcmp(name, FIT_LOGODDS) == 0)
		return F_LOGODDS;
	if (strcmp(name, FIT_LEANING) == 0)
		return F_LEANING;
	id = signal_lookup(name);
	return id == SIGNAL_COUNT ? NFEAT : (size_t)id;
}

struct fit_load {
	struct fit_data *data[2]; /* [1]: vectors with the classifier's log-odds, [0]: without */
	struct errbuf *err;
	bool failed, has_logodds;
	uint32_t idx[NFEAT];
	double val[NFEAT];
	size_t n;
};

static void on_feature(void *ctx, const char *name, double value)
{
	struct fit_load *f = ctx;
	size_t j = feature_of(name);

	/* A signal this version does not know (renamed, removed) is left out. */
	if (j == NFEAT)
		return;
	for (size_t i = 0; i < f->n; i++)
		if (f->idx[i] == j)
			return;
	f->idx[f->n] = (uint32_t)j;
	f->val[f->n++] = value;
	if (j == F_LOGODDS)
		f->has_logodds = true;
}

static bool on_vector(void *ctx, enum store_class cls, const char *vector)
{
	struct fit_load *f = ctx;

	f->n = 0;
	f->has_logodds = false;
	if (fit_vector_parse(vector, on_feature, f, f->err)) {
		f->failed = true;
		return false;
	}
	if (f->has_logodds) {
		f->idx[f->n] = F_BASELINE;
		f->val[f->n++] = 1;
	}
	fit_data_add(f->data[f->has_logodds], cls == STORE_SPAM, f->idx, f->val, f->n);
	return true;
}

struct fit_summary {
	size_t rows;
	unsigned iterations;
	double seconds;
};

/* Fits the verdict's weights on every learnt message's vector and stores
 * them (none when no message has a vector: the hand-set weights rule).
 * offset is the spam threshold the score is calibrated to. */
static enum lg_status refit(struct store *s, double offset, struct fit_summary *sum, struct errbuf *err)
{
	struct fit_load f = {.data = {fit_data_new(NFEAT), fit_data_new(NFEAT)}, .err = err};
	struct fit_data *d;
	double prior[NFEAT], lower[NFEAT], w[NFEAT];
	struct fit_params p = {prior, lower, offset, FIT_LAMBDA};
	struct store_fit_weight out[NFEAT];
	size_t nout;
	struct signal_weights def;
	struct timespec t0, t1;
	enum lg_status rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	signal_weights_default(&def);
	for (size_t j = 0; j < SIGNAL_COUNT; j++) {
		prior[j] = def.w[j];
		/* Phishing evidence may be weighed down to nothing, never turned round. */
		lower[j] = signal_class_of((enum signal_id)j) == SIGNAL_PHISH ? 0 : -INFINITY;
	}
	prior[F_LOGODDS] = prior[F_LEANING] = prior[F_BASELINE] = 0;
	lower[F_LOGODDS] = lower[F_LEANING] = lower[F_BASELINE] = -INFINITY;
	rc = store_read_begin(s, err);
	if (!rc) {
		rc = store_vectors_each(s, on_vector, &f, err);
		store_read_end(s);
	}
	if (!rc && f.failed)
		rc = LG_EPARSE;
	/* Once there is a classifier, every verdict has its log-odds: lessons
	 * learnt before there was one describe another combination and are
	 * left out (they still count until the classifier has spoken). */
	d = fit_data_rows(f.data[1]) ? f.data[1] : f.data[0];
	sum->rows = fit_data_rows(d);
	if (!rc && sum->rows)
		rc = fit_solve(d, &p, w, &sum->iterations, err);
	/* A fit made without the classifier has no classifier terms: check
	 * applies it only to verdicts made without one, and a fit with them
	 * only to verdicts with one (detect_fit_apply). */
	nout = 0;
	for (size_t j = 0; !rc && j < NFEAT; j++)
		if (d == f.data[1] || j < SIGNAL_COUNT)
			out[nout++] = (struct store_fit_weight){feature_name(j), w[j], prior[j], fit_data_support(d, j)};
	if (!rc)
		rc = store_begin(s, err);
	if (!rc) {
		rc = store_fit_replace(s, out, sum->rows ? nout : 0, err);
		if (!rc)
			rc = store_commit(s, err);
		if (rc)
			store_rollback(s);
	}
	fit_data_free(&f.data[0]);
	fit_data_free(&f.data[1]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sum->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}

struct fit_print {
	bool json, first, baseline;
};

static bool print_weight(void *ctx, const struct store_fit_weight *w)
{
	struct fit_print *p = ctx;

	if (p->json) {
		printf("%s{\"name\":\"%s\",\"default\":%.17g,\"fitted\":%.17g,\"messages\":%lld}", p->first ? "" : ",",
		       w->name, w->prior, w->weight, (long long)w->messages);
	} else if (w->messages) {
		printf("  %-26s %8.2f %8.2f %9lld\n", w->name, w->prior, w->weight, (long long)w->messages);
	}
	p->first = false;
	if (strcmp(w->name, FIT_BASELINE) == 0)
		p->baseline = true;
	return true;
}

static void print_stats(struct store *s, bool json, bool weights)
{
	struct store_stats st;
	struct fit_print fp = {json, true, false};
	struct errbuf err;

	if (store_stats(s, &st, &err)) {
		fprintf(stderr, "leakguard learn: %s\n", err.msg);
		return;
	}
	if (json) {
		printf("{\"spam_messages\":%lld,\"ham_messages\":%lld,\"tokens\":%lld,\"bytes\":%lld,\"fit\":[",
		       (long long)st.spam_messages, (long long)st.ham_messages, (long long)st.tokens,
		       (long long)st.bytes);
	} else {
		printf("model: %lld spam and %lld ham messages learnt, %lld tokens, %.1f MiB on disk\n",
		       (long long)st.spam_messages, (long long)st.ham_messages, (long long)st.tokens,
		       st.bytes / 1048576.0);
		if (!weights)
			return;
		printf("verdict weights fitted on the learnt mail (signals no learnt message carried keep their defaults):\n"
		       "  %-26s %8s %8s %9s\n", "signal", "default", "fitted", "messages");
	}
	if (store_fit_each(s, print_weight, &fp, &err))
		fprintf(stderr, "leakguard learn: %s\n", err.msg);
	if (json)
		printf("]}\n");
	else if (fp.first)
		printf("  none yet: the hand-set weights rule\n");
	else if (!fp.baseline)
		printf("  (fitted on lessons learnt before there was a classifier: it applies to verdicts without one;\n"
		       "   learn the same mail again to fit the verdict with the classifier)\n");
}

/* An engine as `check` builds it (reports, leak context), but without the
 * classifier, which learn asks itself (lesson_probability), and the model
 * as it was before this run. */
static struct engine *lesson_engine(const struct config *cfg, struct store *s, const char *db, struct model **m)
{
	struct engine *e = NULL;
	struct errbuf err = {""};

	if (engine_new(cfg, &e, &err)) {
		fprintf(stderr, "leakguard learn: warning: no signal vectors kept (the verdict is not fitted): %s\n",
			err.msg);
		return NULL;
	}
	state_attach(e, cfg);
	engine_set_model(e, NULL);
	*m = NULL;
	if (model_snapshot_open(db, m, &err) && model_load(s, m, &err))
		*m = NULL;
	return e;
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

/* Starts a run: the lesson engine and the classifier as they were, and no
 * snapshot until the run has committed (model.h). */
static void run_begin(struct learn_run *r, struct store *s, const struct config *cfg, const char *db, bool forget)
{
	r->trainer = trainer_new(s);
	r->forget = forget;
	if (!forget)
		r->engine = lesson_engine(cfg, s, db, &r->model);
	model_snapshot_remove(db);
}

/* Ends a run: the last batch, pruning, the fit and the new snapshot. False
 * (r->err set) on a store error. */
static bool run_finish(struct learn_run *r, struct store *s, const struct config *cfg, const char *db,
		       struct fit_summary *fit)
{
	int64_t pruned = 0;

	if (!r->failed && trainer_flush(r->trainer, &r->err))
		r->failed = true;
	if (!r->failed && !r->forget &&
	    store_tokens_prune(s, PRUNE_MAX_COUNT, (int64_t)(time(NULL) / 86400) - PRUNE_AFTER_DAYS, &pruned, &r->err))
		r->failed = true;
	trainer_free(&r->trainer);
	engine_free(&r->engine);
	model_free(&r->model);
	if (!r->failed && refit(s, cfg->threshold_spam, fit, &r->err)) {
		fprintf(stderr, "leakguard learn: warning: the verdict is not fitted, the hand-set weights rule: %s\n",
			r->err.msg);
		r->err.msg[0] = '\0';
		if (store_fit_replace(s, NULL, 0, &r->err))
			r->failed = true;
	}
	if (!r->failed && refresh_snapshot(s, db, &r->err))
		r->failed = true;
	return !r->failed;
}

static int train_all(struct store *s, const struct config *cfg, const char *db, const struct source *src, size_t n,
		     bool forget, bool json)
{
	struct learn_run r = {0};
	struct fit_summary fit = {0};
	struct mailbox_visitor v = {on_message, on_error, &r};
	struct timespec t0, t1;
	unsigned long total;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_begin(&r, s, cfg, db, forget);
	for (size_t i = 0; i < n && !r.failed; i++) {
		r.cls = src[i].cls;
		if (mailbox_walk(src[i].path, &v, &r.err)) {
			fprintf(stderr, "leakguard learn: %s\n", r.err.msg);
			r.unreadable++;
		}
	}
	if (!run_finish(&r, s, cfg, db, &fit)) {
		fprintf(stderr, "leakguard learn: %s\n", r.err.msg);
		return EXIT_ERROR;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	total = r.outcome[TRAIN_LEARNT] + r.outcome[TRAIN_MOVED] + r.outcome[TRAIN_FORGOTTEN] +
		r.outcome[TRAIN_KNOWN] + r.outcome[TRAIN_UNKNOWN];
	if (json)
		printf("{\"learnt\":%lu,\"moved\":%lu,\"already_known\":%lu,\"forgotten\":%lu,\"not_learnt\":%lu,"
		       "\"unreadable\":%lu,\"not_mail\":%lu,\"seconds\":%.3f,\"fitted_messages\":%zu,\"fit_seconds\":%.3f}\n",
		       r.outcome[TRAIN_LEARNT], r.outcome[TRAIN_MOVED], r.outcome[TRAIN_KNOWN],
		       r.outcome[TRAIN_FORGOTTEN], r.outcome[TRAIN_UNKNOWN], r.unreadable, r.not_mail, secs, fit.rows,
		       fit.seconds);
	else
		printf("%lu messages in %.2f s (%.0f/s): %lu learnt, %lu moved to the other class, %lu already known, "
		       "%lu forgotten, %lu never learnt, %lu unreadable, %lu not mail\n",
		       total, secs, total / (secs > 0 ? secs : 1e-9), r.outcome[TRAIN_LEARNT], r.outcome[TRAIN_MOVED],
		       r.outcome[TRAIN_KNOWN], r.outcome[TRAIN_FORGOTTEN], r.outcome[TRAIN_UNKNOWN], r.unreadable,
		       r.not_mail);
	if (!json)
		print_stats(s, false, false);
	if (!json && fit.rows)
		printf("verdict fitted on %zu learnt messages in %.2f s (%u Newton steps); see learn --stats\n", fit.rows,
		       fit.seconds, fit.iterations);
	return r.unreadable ? EXIT_ERROR : EXIT_CLEAN;
}

enum lg_status cli_learn_lesson(const struct config *cfg, const char *raw, size_t len, bool spam, bool forget,
				struct errbuf *err)
{
	char *path = store_path(cfg), *local = store_local_path(path);
	struct learn_run r = {0};
	struct fit_summary fit = {0};
	struct store *s = NULL;
	enum lg_status rc = store_open(path, true, &s, err);

	if (rc)
		goto out;
	run_begin(&r, s, cfg, local, forget);
	r.cls = spam ? STORE_SPAM : STORE_HAM;
	on_message(&r, "the lesson", raw, len);
	if (!run_finish(&r, s, cfg, local, &fit))
		rc = errbuf_set(err, LG_EIO, "%s", r.err.msg);
	else if (r.not_mail)
		rc = errbuf_set(err, LG_EPARSE, "the lesson is not a mail message (no headers)");
out:
	store_close(&s);
	g_free(local);
	g_free(path);
	return rc;
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

		status = nsrc ? train_all(s, &cfg, local, src, nsrc, forget, opt.json) : EXIT_CLEAN;
		g_free(local);
		if (stats)
			print_stats(s, opt.json, true);
	}
	store_close(&s);
	mail_shutdown();
	g_free(path);
	config_cleanup(&cfg);
	lg_free(src);
	return status;
}
