/* report.c: `leakguard report` (record a phish a staff member reported),
 * `reports` (what was reported, by campaign), and `block`, `unblock`,
 * `blocks` (the sender domains and IPs refused, with who, why and when). */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <jansson.h>

#include "cli/cli.h"
#include "detect/engine.h"
#include "mail/mailbox.h"
#include "mail/message.h"
#include "mail/url.h"
#include "report/original.h"
#include "report/record.h"
#include "store/reports.h"
#include "store/store.h"
#include "util/alloc.h"

struct report_run {
	struct report_context ctx;
	const char *reporter;
	bool json, forwarded;
	unsigned long recorded, failed;
};

static void print_outcome(const struct report_run *r, const char *label, const struct report_outcome *o)
{
	if (r->json) {
		json_t *j = json_object();

		json_object_set_new(j, "path", json_string(label));
		json_object_set_new(j, "id", json_integer(o->id));
		json_object_set_new(j, "campaign", json_integer(o->campaign));
		json_object_set_new(j, "new_campaign", json_boolean(o->new_campaign));
		json_object_set_new(j, "similarity", json_real(o->similarity));
		json_object_set_new(j, "reporters", json_integer(o->reporters));
		json_object_set_new(j, "verdict", json_string(o->verdict));
		json_object_set_new(j, "alerted", json_boolean(o->alerted));
		json_object_set_new(j, "blocked", json_pack("[ss]", o->blocked[0], o->blocked[1]));
		json_object_set_new(j, "review", json_pack("[ss]", o->review[0], o->review[1]));
		if (*o->alert_error)
			json_object_set_new(j, "alert_error", json_string(o->alert_error));
		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
		return;
	}
	printf("%s: report %lld, %s campaign %lld (%.0f%% similar), %lld reporter%s, verdict %s%s\n", label,
	       (long long)o->id, o->new_campaign ? "new" : "joins", (long long)o->campaign, o->similarity * 100,
	       (long long)o->reporters, o->reporters == 1 ? "" : "s", o->verdict, o->alerted ? ", colleagues alerted" : "");
	for (int i = 0; i < 2; i++) {
		if (*o->blocked[i])
			printf("  blocked %s\n", o->blocked[i]);
		if (*o->review[i])
			printf("  for review (never blocked automatically): %s\n", o->review[i]);
	}
	if (*o->alert_error)
		fprintf(stderr, "leakguard report: alert not sent: %s\n", o->alert_error);
}

static bool on_message(void *ctx, const char *label, const char *raw, size_t len)
{
	struct report_run *r = ctx;
	struct report_outcome o;
	struct errbuf err = {""};
	char *orig = NULL;
	size_t olen = 0;
	bool inside = report_find_original(raw, len, &orig, &olen);

	/* A forwarded report carries the phish inside; a plain file is the phish. */
	if (r->forwarded && !inside) {
		fprintf(stderr, "leakguard report: %s: no original message inside; forward the phish as an attachment\n",
			label);
		r->failed++;
		return true;
	}
	if (report_record(&r->ctx, inside ? orig : raw, inside ? olen : len, r->reporter, &o, &err)) {
		fprintf(stderr, "leakguard report: %s: %s\n", label, err.msg);
		r->failed++;
	} else {
		print_outcome(r, label, &o);
		r->recorded++;
	}
	g_free(orig);
	return true;
}

static void on_error(void *ctx, const char *label, const char *why)
{
	((struct report_run *)ctx)->failed++;
	fprintf(stderr, "leakguard report: %s: %s\n", label, why);
}

static char *db_path(const struct config *cfg)
{
	return store_path(cfg);
}

static int run_reports(struct report_run *r, const struct config *cfg, char **paths, int n)
{
	struct mailbox_visitor v = {on_message, on_error, r};
	struct engine *engine = NULL;
	char *path = db_path(cfg);
	struct errbuf err = {""};
	int status = EXIT_ERROR;

	mail_init();
	if (engine_new(cfg, &engine, &err) || report_store_open(path, &r->ctx.store, &err) ||
	    report_index_load(path, &r->ctx.index, &err)) {
		cli_error("report", "%s", err.msg);
		goto out;
	}
	r->ctx.engine = engine;
	r->ctx.cfg = cfg;
	for (int i = 0; i < n; i++)
		if (mailbox_walk(paths[i], &v, &err))
			on_error(r, paths[i], err.msg);
	status = r->failed ? EXIT_ERROR : EXIT_CLEAN;
out:
	report_index_free(&r->ctx.index);
	report_store_close(&r->ctx.store);
	engine_free(&engine);
	mail_shutdown();
	g_free(path);
	return status;
}

/* Options shared by the commands in this file. */
static int parse(int argc, char **argv, const char *cmd, struct cli_common *opt, const char **reporter,
		 bool *flags, void (*usage)(FILE *))
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},     {"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},         {"reporter", required_argument, NULL, 'r'},
		{"no-mail", no_argument, NULL, 'n'},      {"forwarded", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': opt->db_path = optarg; break;
		case 'c': opt->config_path = optarg; break;
		case 'j': opt->json = true; break;
		case 'r': if (reporter) { *reporter = optarg; break; } usage(stderr); return -1;
		case 'n': if (flags) { flags[0] = true; break; } usage(stderr); return -1;
		case 'f': if (flags) { flags[1] = true; break; } usage(stderr); return -1;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return -1;
		}
	}
	(void)cmd;
	return 1;
}

static void report_usage(FILE *f)
{
	fprintf(f,
		"usage: leakguard report [OPTIONS] MESSAGE...\n\n"
		"Records each message as phishing reported by staff: a forwarded report (the phish\n"
		"attached or inline) or the phish itself. Similar later mail gets REPORTED_SIMILAR;\n"
		"after [report] auto_block_reporters independent reporters the sender domain and IP\n"
		"are blocked (protected, free-mail and own domains and relays only go to review);\n"
		"the first report of a campaign alerts [report] alert_to.\n\n"
		"Options:\n"
		"  --reporter ADDR   who reported (default: the administrator, \"admin\")\n"
		"  --no-mail         record only; send no alert\n"
		"  --forwarded       each MESSAGE is a staff member's report: the phish must be inside\n"
		"  --db FILE, --config FILE, --json, -h/--help\n\n"
		"Exit status: 0 recorded, 2 usage error or a message that could not be recorded.\n");
}

int cli_report(int argc, char **argv)
{
	struct report_run r = {.reporter = "admin"};
	struct cli_common opt = {0};
	struct config cfg;
	bool flags[2] = {false, false}; /* --no-mail, --forwarded */
	int rc = parse(argc, argv, "report", &opt, &r.reporter, flags, report_usage), status;

	if (rc <= 0)
		return rc < 0 ? EXIT_ERROR : EXIT_CLEAN;
	if (optind >= argc) {
		cli_error("report", "no message given");
		return EXIT_ERROR;
	}
	if (!cli_load_config(&opt, &cfg))
		return EXIT_ERROR;
	r.json = opt.json;
	r.ctx.send_mail = !flags[0];
	r.forwarded = flags[1];
	status = run_reports(&r, &cfg, argv + optind, argc - optind);
	config_cleanup(&cfg);
	return status;
}

/* ---- reports ---------------------------------------------------------------- */

struct campaign {
	int64_t id, first, last, reports;
	GHashTable *reporters;
	char *subject, *sender;
};

static bool collect(void *ctx, const struct report_row *row)
{
	GHashTable *campaigns = ctx;
	gint64 key = row->campaign;
	struct campaign *c = g_hash_table_lookup(campaigns, &key);

	if (!c) {
		gint64 *k = g_new(gint64, 1);

		*k = key;
		c = g_new0(struct campaign, 1);
		c->id = row->campaign;
		c->first = row->at;
		c->reporters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		c->subject = g_strdup(row->subject ? row->subject : "");
		c->sender = g_strdup(row->sender ? row->sender : "");
		g_hash_table_insert(campaigns, k, c);
	}
	c->last = row->at;
	c->reports++;
	g_hash_table_add(c->reporters, g_ascii_strdown(row->reporter ? row->reporter : "", -1));
	return true;
}

static void campaign_free(gpointer p)
{
	struct campaign *c = p;

	g_hash_table_destroy(c->reporters);
	g_free(c->subject);
	g_free(c->sender);
	g_free(c);
}

static void print_campaign(gpointer key, gpointer value, gpointer json)
{
	struct campaign *c = value;
	struct arena *a = arena_new();

	(void)key;
	if (json) {
		json_t *j = json_pack("{sI sI sI sI sI ss ss}", "campaign", (json_int_t)c->id, "reports", (json_int_t)c->reports,
				      "reporters", (json_int_t)g_hash_table_size(c->reporters), "first", (json_int_t)c->first,
				      "last", (json_int_t)c->last, "sender", c->sender, "subject", c->subject);

		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
	} else {
		printf("campaign %lld: %lld report%s from %u colleague%s; from %s: %s\n", (long long)c->id,
		       (long long)c->reports, c->reports == 1 ? "" : "s", g_hash_table_size(c->reporters),
		       g_hash_table_size(c->reporters) == 1 ? "" : "s", url_defang(a, c->sender), c->subject);
	}
	arena_free(&a);
}

static void list_usage(FILE *f)
{
	fprintf(f, "usage: leakguard reports [--db FILE] [--config FILE] [--json]\n"
		   "Lists reported campaigns: reports, distinct reporters, sender, subject.\n");
}

static int with_store(int argc, char **argv, const char *cmd, void (*usage)(FILE *), struct config *cfg,
		      struct report_store **rs, bool *json)
{
	struct cli_common opt = {0};
	struct errbuf err = {""};
	char *path;
	int rc = parse(argc, argv, cmd, &opt, NULL, NULL, usage);

	if (rc <= 0)
		return rc < 0 ? EXIT_ERROR : -1;
	if (!cli_load_config(&opt, cfg))
		return EXIT_ERROR;
	*json = opt.json;
	path = db_path(cfg);
	rc = report_store_open(path, rs, &err) ? EXIT_ERROR : EXIT_CLEAN;
	if (rc)
		cli_error(cmd, "%s", err.msg);
	g_free(path);
	if (rc)
		config_cleanup(cfg);
	return rc;
}

int cli_reports(int argc, char **argv)
{
	struct report_store *rs = NULL;
	struct config cfg;
	struct errbuf err = {""};
	GHashTable *campaigns = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, campaign_free);
	bool json = false;
	int status = with_store(argc, argv, "reports", list_usage, &cfg, &rs, &json);

	if (status) {
		g_hash_table_destroy(campaigns);
		return status < 0 ? EXIT_CLEAN : status;
	}
	if (report_store_each(rs, collect, campaigns, &err)) {
		cli_error("reports", "%s", err.msg);
		status = EXIT_ERROR;
	}
	g_hash_table_foreach(campaigns, print_campaign, json ? (gpointer)1 : NULL);
	g_hash_table_destroy(campaigns);
	report_store_close(&rs);
	config_cleanup(&cfg);
	return status;
}

/* ---- block, unblock, blocks ------------------------------------------------ */

static void block_usage(FILE *f)
{
	fprintf(f, "usage: leakguard block domain|ip VALUE [WHY...]\n"
		   "       leakguard unblock domain|ip VALUE\n"
		   "       leakguard blocks [--json]\n"
		   "Options: --db FILE, --config FILE, --json\n");
}

static bool valid_block(const char *kind, const char *value)
{
	unsigned char ip[16];

	if (strcmp(kind, "ip") == 0)
		return inet_pton(AF_INET, value, ip) == 1 || inet_pton(AF_INET6, value, ip) == 1;
	return strcmp(kind, "domain") == 0 && strchr(value, '.') && !strchr(value, ' ') && !strchr(value, '/');
}

static int change_block(int argc, char **argv, bool add)
{
	const char *cmd = add ? "block" : "unblock";
	struct report_store *rs = NULL;
	struct config cfg;
	struct errbuf err = {""};
	bool json = false, found = true;
	int status = with_store(argc, argv, cmd, block_usage, &cfg, &rs, &json);
	const char *kind, *value;
	char *why;

	if (status)
		return status < 0 ? EXIT_CLEAN : status;
	if (argc - optind < 2 || !valid_block(argv[optind], argv[optind + 1])) {
		cli_error(cmd, "expected 'domain NAME' or 'ip ADDRESS'");
		report_store_close(&rs);
		config_cleanup(&cfg);
		return EXIT_ERROR;
	}
	kind = argv[optind];
	value = argv[optind + 1];
	why = argc - optind > 2 ? g_strjoinv(" ", argv + optind + 2) : g_strdup("blocked by an administrator");
	if (add) {
		struct block_row b = {kind, value, "active", g_get_user_name(), why, (int64_t)time(NULL)};

		status = report_store_block(rs, &b, &err) ? EXIT_ERROR : EXIT_CLEAN;
	} else {
		status = report_store_unblock(rs, kind, value, &found, &err) ? EXIT_ERROR : EXIT_CLEAN;
	}
	if (status)
		cli_error(cmd, "%s", err.msg);
	else if (!found)
		printf("%s %s was not blocked\n", kind, value);
	else
		printf("%s %s %s\n", add ? "blocked" : "unblocked", kind, value);
	g_free(why);
	report_store_close(&rs);
	config_cleanup(&cfg);
	return status;
}

int cli_block(int argc, char **argv)
{
	return change_block(argc, argv, true);
}

int cli_unblock(int argc, char **argv)
{
	return change_block(argc, argv, false);
}

static bool print_block(void *ctx, const struct block_row *b)
{
	char when[32];
	time_t at = (time_t)b->at;
	struct tm tm;

	gmtime_r(&at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	if (ctx) {
		json_t *j = json_pack("{ss ss ss ss ss sI}", "kind", b->kind, "value", b->value, "status", b->status,
				      "who", b->who ? b->who : "", "why", b->why ? b->why : "", "at", (json_int_t)b->at);

		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
	} else {
		printf("%-6s %-32s %-7s %s by %s: %s\n", b->kind, b->value, b->status, when, b->who ? b->who : "?",
		       b->why ? b->why : "");
	}
	return true;
}

int cli_blocks(int argc, char **argv)
{
	struct report_store *rs = NULL;
	struct config cfg;
	struct errbuf err = {""};
	bool json = false;
	int status = with_store(argc, argv, "blocks", block_usage, &cfg, &rs, &json);

	if (status)
		return status < 0 ? EXIT_CLEAN : status;
	if (report_store_blocks(rs, print_block, json ? (void *)1 : NULL, &err)) {
		cli_error("blocks", "%s", err.msg);
		status = EXIT_ERROR;
	}
	report_store_close(&rs);
	config_cleanup(&cfg);
	return status;
}
