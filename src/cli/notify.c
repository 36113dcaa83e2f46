/* notify.c: `leakguard notify` — tell those a leak names (issue 18):
 * queue the notices of a source for the monitored domains and subscribed
 * addresses (or, with --organisations, the breach owner's notices to
 * every organisation of a contacts CSV in the leak), then send the queue
 * through [notify] smtp (src/notify/send.h). Also the hook `ingest`
 * calls after committing a source. Safe to kill and re-run at any point. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "cli/cli.h"
#include "notify/plan.h"
#include "notify/send.h"
#include "store/portal.h"
#include "store/store.h"
#include "util/alloc.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: leakguard notify [--source NAME [--organisations CONTACTS.csv [--dry-run]]]\n"
		   "                        [--no-send] [--no-wait] [--json] [--db PATH] [--config FILE]\n"
		   "       leakguard notify --status [--json]\n\n"
		   "Queues the notices of leak NAME (one per recipient: every monitored domain and\n"
		   "subscribed address it holds, several domains of one recipient in one digest),\n"
		   "then sends every queued notice through [notify] smtp. Without --source it sends\n"
		   "what is queued (what `ingest` queued when it committed a source).\n\n"
		   "  --organisations CSV  the breach owner's mode: each organisation (\"domain,contact\"\n"
		   "                       per line) whose domain is in the leak gets a notice at the\n"
		   "                       contact, counts only, with the portal's link\n"
		   "  --dry-run            with --organisations: print per-organisation counts, queue nothing\n"
		   "  --no-send            queue only\n"
		   "  --no-wait            leave notices to retry queued instead of waiting for them\n"
		   "  --status             the queue per source: queued, sent, failed, cancelled\n"
		   "  --json               one JSON object on stdout (with --dry-run, --status: JSON lines)\n\n"
		   "SIGTERM or SIGINT: the notices in flight are finished, no other is started; run\n"
		   "it again to send the rest. Exit status: 0 done, 2 usage error, unknown source or\n"
		   "store failure.\n");
}

/* The portal's base URL: [portal] base_url, or http:// + listen. */
static char *base_url(const struct config *cfg)
{
	const char *b = cfg->portal_base_url;
	char *s = b ? g_strdup(b) : g_strdup_printf("http://%s", cfg->portal_listen ? cfg->portal_listen : "localhost");
	size_t n = strlen(s);

	while (n && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

static volatile sig_atomic_t stop_asked;

static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

static void progress(void *ctx, uint64_t sent, uint64_t failed, uint64_t left)
{
	bool *tty = ctx;

	if (*tty)
		fprintf(stderr, "\rleakguard notify: %llu sent, %llu failed, %llu left in this batch   ",
			(unsigned long long)sent, (unsigned long long)failed, (unsigned long long)left);
}

/* Queues source's subscriber notices; the ingest hook. */
enum lg_status cli_notify_queue(const struct config *cfg, const char *path, struct store *s, const char *source,
				uint64_t *added, struct errbuf *err)
{
	struct notify_store *ns = NULL;
	struct notify_plan_stats st;
	char *base = base_url(cfg);
	enum lg_status rc = notify_store_open(path, &ns, err);

	if (!rc)
		rc = notify_plan_subscribers(s, ns, source, base, &st, err);
	*added = rc ? 0 : st.added;
	notify_store_close(&ns);
	g_free(base);
	return rc;
}

struct run {
	const char *source, *orgs;
	bool dry_run, no_send, no_wait, json, tty, status;
};

static void status_row(void *ctx, const char *source, const int64_t c[NOTIFY_STATES])
{
	const struct run *o = ctx;

	if (o->json) {
		json_t *j = json_pack("{s:s?, s:I, s:I, s:I, s:I}", "source", g_utf8_validate(source, -1, NULL) ? source : NULL,
				      "queued", (json_int_t)c[NOTIFY_QUEUED], "sent", (json_int_t)c[NOTIFY_SENT], "failed",
				      (json_int_t)c[NOTIFY_FAILED], "cancelled", (json_int_t)c[NOTIFY_CANCELLED]);

		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
		return;
	}
	printf("%-24s queued %8lld  sent %8lld  failed %6lld  cancelled %6lld\n", source, (long long)c[NOTIFY_QUEUED],
	       (long long)c[NOTIFY_SENT], (long long)c[NOTIFY_FAILED], (long long)c[NOTIFY_CANCELLED]);
}

static int go(const struct run *o, const struct config *cfg, const char *path)
{
	struct store *s = NULL;
	struct notify_store *ns = NULL;
	struct portal_store *ps = NULL;
	struct notify_plan_stats pst = {0};
	struct notify_send_stats sst = {0};
	uint8_t secret[PORTAL_SECRET_LEN];
	struct errbuf err = {""};
	char *base = base_url(cfg);
	enum lg_status rc;
	int status = EXIT_ERROR;
	bool tty = o->tty;

	rc = store_open(path, true, &s, &err);
	if (!rc)
		rc = notify_store_open(path, &ns, &err);
	if (!rc)
		rc = portal_store_open(path, &ps, &err);
	if (!rc)
		rc = portal_secret(ps, secret, &err);
	if (!rc && o->status) {
		rc = notify_queue_each(ns, status_row, (void *)o, &err);
		if (!rc)
			status = EXIT_CLEAN;
		goto out;
	}
	if (!rc && o->source && o->orgs)
		rc = notify_plan_owners(s, ns, o->source, base, o->orgs, o->dry_run, o->json, stdout, &pst, &err);
	else if (!rc && o->source)
		rc = notify_plan_subscribers(s, ns, o->source, base, &pst, &err);
	if (rc)
		goto out;
	if (!o->dry_run && !o->no_send) {
		struct notify_send_opts so = {
			.relay = cfg->notify_smtp, .from = cfg->notify_from, .base = base, .secret = secret,
			.source = o->source, .ramp = (int64_t)cfg->notify_ramp,
			.threads = cfg->notify_threads < 1 ? 1 : (unsigned)cfg->notify_threads,
			.per_domain = cfg->notify_per_domain < 1 ? 1 : (unsigned)cfg->notify_per_domain,
			.max_attempts = cfg->notify_max_attempts < 1 ? 1 : (unsigned)cfg->notify_max_attempts,
			.webhook_attempts = cfg->notify_webhook_attempts < 1 ? 1 : (unsigned)cfg->notify_webhook_attempts,
			.webhook_private = cfg->notify_webhook_private && strcmp(cfg->notify_webhook_private, "on") == 0,
			.backoff = cfg->notify_backoff, .wait = !o->no_wait, .progress = progress, .ctx = &tty,
		};

		struct sigaction sa = {.sa_handler = on_stop};

		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		so.stop = &stop_asked;
		rc = notify_send(ns, &so, &sst, &err);
		if (tty)
			fputc('\n', stderr);
		if (rc)
			goto out;
	}
	if (o->json && !o->dry_run) {
		json_t *j = json_pack("{s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "source", o->source,
				      "subjects", (json_int_t)pst.subjects, "matched", (json_int_t)pst.matched, "notices",
				      (json_int_t)pst.notices, "queued", (json_int_t)pst.added, "rejected",
				      (json_int_t)pst.rejected, "sent", (json_int_t)sst.sent, "failed",
				      (json_int_t)sst.failed, "cancelled", (json_int_t)sst.cancelled, "held",
				      (json_int_t)sst.held);

		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
	} else if (o->dry_run) {
		fprintf(stderr, "leakguard notify: dry run: %llu organisations in the leak would get a notice "
				"(%llu notices), nothing queued\n",
			(unsigned long long)pst.matched, (unsigned long long)pst.notices);
	} else {
		if (o->source)
			printf("%s: %llu notices (%llu newly queued) for %llu of %llu %s\n", o->source,
			       (unsigned long long)pst.notices, (unsigned long long)pst.added,
			       (unsigned long long)pst.matched, (unsigned long long)pst.subjects,
			       o->orgs ? "organisations" : "subscriptions");
		printf("sent %llu, failed %llu, cancelled (unsubscribed) %llu, still queued %llu\n",
		       (unsigned long long)sst.sent, (unsigned long long)sst.failed, (unsigned long long)sst.cancelled,
		       (unsigned long long)sst.held);
	}
	status = EXIT_CLEAN;
out:
	if (rc)
		cli_error("notify", "%s", err.msg);
	portal_store_close(&ps);
	notify_store_close(&ns);
	store_close(&s);
	g_free(base);
	return status;
}

int cli_notify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"source", required_argument, NULL, 's'}, {"organisations", required_argument, NULL, 'o'},
		{"dry-run", no_argument, NULL, 'n'},      {"no-send", no_argument, NULL, 'q'},
		{"no-wait", no_argument, NULL, 'w'},      {"json", no_argument, NULL, 'j'},
		{"db", required_argument, NULL, 'd'},     {"config", required_argument, NULL, 'c'},
		{"status", no_argument, NULL, 'S'},       {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_common opt = {0};
	struct run o = {.tty = isatty(2)};
	struct config cfg;
	char *path;
	const char *problem;
	int c, status;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o.source = optarg; break;
		case 'o': o.orgs = optarg; break;
		case 'n': o.dry_run = true; break;
		case 'q': o.no_send = true; break;
		case 'w': o.no_wait = true; break;
		case 'S': o.status = true; break;
		case 'j': o.json = opt.json = true; break;
		case 'd': opt.db_path = optarg; break;
		case 'c': opt.config_path = optarg; break;
		case 'h': usage(stdout); return EXIT_CLEAN;
		default: usage(stderr); return EXIT_ERROR;
		}
	}
	problem = optind < argc			? "unexpected argument"
		  : o.status && (o.source || o.orgs) ? "--status takes no --source or --organisations"
		  : o.source && !*o.source	       ? "--source needs a NAME"
		  : o.orgs && !o.source		       ? "--organisations needs --source NAME"
		  : o.dry_run && !o.orgs	       ? "--dry-run needs --organisations"
						       : NULL;
	if (problem) {
		cli_error("notify", "%s%s%s", problem, optind < argc ? " " : "", optind < argc ? argv[optind] : "");
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!cli_load_config(&opt, &cfg))
		return EXIT_ERROR;
	path = cfg.db ? g_strdup(cfg.db) : store_default_path();
	status = go(&o, &cfg, path);
	g_free(path);
	config_cleanup(&cfg);
	return status;
}
