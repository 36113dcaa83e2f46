/* check.c: `leakguard check` — score messages from files, mailboxes,
 * directory trees or stdin, print one verdict each, and for many messages a
 * summary with counts per verdict and messages per second. With
 * --verify-auth, SPF, DKIM and DMARC are verified too (src/auth/) and each
 * verdict carries the Authentication-Results value (RFC 8601). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "auth/verify.h"
#include "cli/cli.h"
#include "cli/print.h"
#include "detect/engine.h"
#include "detect/state.h"
#include "mail/mailbox.h"
#include "mail/message.h"

struct check_run {
	const struct engine *engine;
	const struct auth_verifier *verifier; /* NULL without --verify-auth */
	bool json, progress;
	unsigned long messages, errors, by_kind[4];
	double started, last_progress;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_progress(struct check_run *r, bool final)
{
	double t = now();

	if (!r->progress || (!final && t - r->last_progress < 0.25))
		return;
	r->last_progress = t;
	fprintf(stderr, "\rchecked %lu messages (%.0f/s)%s", r->messages,
		r->messages / (t - r->started > 0 ? t - r->started : 1e-9), final ? "\n" : "");
}

/* The verdict as print_verdict() writes it, plus the Authentication-Results
 * value: a line of its own in text, an "authentication_results" member in
 * JSON. */
static void print_with_authres(bool json, const char *label, const struct mail_message *msg,
			       const struct verdict *v, const char *ar)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *mem;
	json_t *o;

	if (!json) {
		print_verdict(stdout, false, label, msg, v);
		printf("  Authentication-Results: %s\n", ar);
		return;
	}
	mem = open_memstream(&buf, &n);
	if (!mem) {
		print_verdict(stdout, true, label, msg, v);
		return;
	}
	print_verdict(mem, true, label, msg, v);
	fclose(mem);
	o = json_loadb(buf, n, 0, NULL);
	if (o) {
		json_object_set_new(o, "authentication_results", json_string(ar));
		json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		fwrite(buf, 1, n, stdout);
	}
	free(buf);
}

static bool on_message(void *ctx, const char *label, const char *raw, size_t len)
{
	struct check_run *r = ctx;
	struct mail_message *msg = mail_message_parse(raw, len);
	struct verdict v;

	if (r->verifier) {
		struct auth_smtp smtp;
		const char *ar;

		auth_smtp_from_headers(r->engine, msg, &smtp);
		auth_check_message(r->verifier, r->engine, msg, raw, len, &smtp, &v, &ar);
		print_with_authres(r->json, label, msg, &v, ar);
	} else {
		engine_check(r->engine, msg, &v);
		print_verdict(stdout, r->json, label, msg, &v);
	}
	r->messages++;
	r->by_kind[v.kind]++;
	mail_message_free(&msg);
	show_progress(r, false);
	return true;
}

static void on_error(void *ctx, const char *label, const char *why)
{
	struct check_run *r = ctx;

	r->errors++;
	print_error(stdout, r->json, label, why);
	fprintf(stderr, "leakguard check: %s: %s\n", label, why);
}

static void summary(const struct check_run *r)
{
	double secs = now() - r->started;
	FILE *f = r->json ? stderr : stdout;

	fprintf(f, "\n%lu messages in %.2f s (%.0f/s): %lu clean, %lu suspicious, %lu spam, %lu phishing",
		r->messages, secs, r->messages / (secs > 0 ? secs : 1e-9), r->by_kind[VERDICT_CLEAN],
		r->by_kind[VERDICT_SUSPICIOUS], r->by_kind[VERDICT_SPAM], r->by_kind[VERDICT_PHISHING]);
	if (r->errors)
		fprintf(f, ", %lu unreadable", r->errors);
	fputc('\n', f);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leakguard check [OPTIONS] PATH...\n\n"
		"Scores each message for phishing and spam and explains every sign found.\n"
		"PATH is a message file, an mbox, a Maildir, a directory tree, or - for stdin.\n\n"
		"Options:\n"
		"  --config FILE     configuration (default /etc/leakguard/leakguard.conf if present)\n"
		"  --db FILE         state store (model, reports, lists)\n"
		"  --json            one JSON object per message (JSON Lines)\n"
		"  --protect LIST    comma-separated domains to protect, added to the configuration's\n"
		"  --verify-auth     verify SPF, DKIM and DMARC over DNS ([auth] dns, else the system's\n"
		"                    resolver) and print each message's Authentication-Results\n"
		"  --no-progress     no progress line on a terminal\n"
		"  -h, --help        this help\n\n"
		"Exit status: 0 every message clean, 1 some message suspicious, spam or phishing,\n"
		"2 usage error, bad configuration or an input that could not be read.\n");
}

static void add_protected(struct config *cfg, const char *list)
{
	GString *all = g_string_new(list);

	for (size_t i = 0; i < cfg->protect_domains.n; i++)
		g_string_append_printf(all, ",%s", cfg->protect_domains.items[i]);
	config_list_set(&cfg->protect_domains, all->str);
	g_string_free(all, TRUE);
}

static int run(struct check_run *r, char **paths, int npaths)
{
	struct mailbox_visitor v = {on_message, on_error, r};
	int status = EXIT_CLEAN;

	r->started = r->last_progress = now();
	for (int i = 0; i < npaths; i++) {
		struct errbuf err = {""};

		if (mailbox_walk(paths[i], &v, &err))
			on_error(r, paths[i], strchr(err.msg, ':') ? strchr(err.msg, ':') + 2 : err.msg);
	}
	show_progress(r, true);
	if (r->messages + r->errors > 1)
		summary(r);
	if (r->messages > r->by_kind[VERDICT_CLEAN])
		status = EXIT_FLAGGED;
	if (r->errors)
		status = EXIT_ERROR;
	return status;
}

int cli_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},         {"protect", required_argument, NULL, 'p'},
		{"no-progress", no_argument, NULL, 'n'},  {"help", no_argument, NULL, 'h'},
		{"verify-auth", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct cli_common opt = {0};
	struct check_run r = {0};
	const char *protect = NULL;
	struct config cfg;
	struct engine *engine = NULL;
	struct errbuf err = {""};
	struct auth_verifier *verifier = NULL;
	bool no_progress = false, verify = false;
	int c, status;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opt.config_path = optarg; break;
		case 'd': opt.db_path = optarg; break;
		case 'j': opt.json = true; break;
		case 'p': protect = optarg; break;
		case 'n': no_progress = true; break;
		case 'V': verify = true; break;
		case 'h': usage(stdout); return EXIT_CLEAN;
		default: usage(stderr); return EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		cli_error("check", "no message given (a file, mailbox, directory or -)");
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!cli_load_config(&opt, &cfg))
		return EXIT_ERROR;
	if (protect)
		add_protected(&cfg, protect);
	mail_init();
	if (engine_new(&cfg, &engine, &err)) {
		cli_error("check", "%s", err.msg);
		config_cleanup(&cfg);
		return EXIT_ERROR;
	}
	if (verify && auth_verifier_new(&cfg, 0, &verifier, &err)) {
		cli_error("check", "%s", err.msg);
		engine_free(&engine);
		config_cleanup(&cfg);
		return EXIT_ERROR;
	}
	state_attach(engine, &cfg);
	r.engine = engine;
	r.verifier = verifier;
	r.json = opt.json;
	r.progress = !no_progress && isatty(STDERR_FILENO);
	status = run(&r, argv + optind, argc - optind);
	auth_verifier_free(&verifier);
	engine_free(&engine);
	config_cleanup(&cfg);
	mail_shutdown();
	return status;
}
