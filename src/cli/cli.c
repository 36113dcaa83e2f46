/* cli.c: subcommand dispatch, --help and --version, and the helpers all
 * subcommands share (cli.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/errbuf.h"
#include "util/log.h"

const char *cli_version = "0.1.0";

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{"check", cli_check, "score messages for phishing and explain each verdict"},
	{"lookalike", cli_lookalike, "tell which domains imitate protected ones"},
	{"milter", cli_milter, "filter live mail as a Postfix/Sendmail milter"},
	{"learn", cli_learn, "teach the classifier from spam and ham, or forget"},
	{"report", cli_report, "record a phish reported by staff: fingerprint, block, alert"},
	{"reports", cli_reports, "list reported campaigns"},
	{"block", cli_block, "block a sender domain or IP"},
	{"unblock", cli_unblock, "lift a block"},
	{"blocks", cli_blocks, "list blocks with who, why and when"},
	{"ingest", cli_ingest, "index leak dumps (CSV, JSON, mail, text) into a named source"},
	{"lookup", cli_lookup, "is a domain, address or phone number in an ingested leak?"},
	{"sources", cli_sources, "list ingested leaks with their counts and status"},
	{"context", cli_context, "what leaked about your organisation: partners, business identifiers, people"},
	{"history", cli_history, "correspondent history: learn who writes to whom from delivered mail"},
	{"scan", cli_scan, "find cloud storage anyone can read (Azure Blob, S3) and audit its settings"},
	{"notify", cli_notify, "tell monitored organisations and subscribers what a leak holds of them"},
	{"serve", cli_serve, "run the leak portal: web pages and a JSON API for proven owners"},
	{"stats", cli_stats, "print what the running portal (and milter) count, from their /metrics"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: leakguard [--help] [--version] COMMAND [OPTIONS] [ARGS]\n\n"
		   "leakguard protects an organisation from data leaks and the phishing that follows.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(f, "\nRun 'leakguard COMMAND --help' for a command's options.\n"
		   "Exit status: 0 clean or success, 1 something was flagged, 2 error.\n");
}

int cli_main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("leakguard %s\n", cli_version);
		return EXIT_CLEAN;
	}
	/* Hidden: the tables the man pages are generated from (scripts/mkman.sh). */
	if (strcmp(argv[1], "--dump-commands") == 0) {
		for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
			printf("%s\t%s\n", subcommands[i].name, subcommands[i].summary);
		return EXIT_CLEAN;
	}
	if (strcmp(argv[1], "--dump-config-table") == 0)
		return cli_dump_config();
	if (strcmp(argv[1], "--dump-signals") == 0)
		return cli_dump_signals();
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "leakguard: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_ERROR;
}

void cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "leakguard %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

enum lg_status cli_log_format(const struct config *cfg, struct errbuf *err)
{
	if (log_set_format(cfg->log_format))
		return LG_OK;
	return errbuf_set(err, LG_ECONFIG, "%s: [general] log_format: '%s' is not text or json",
			  cfg->path ? cfg->path : "(defaults)", cfg->log_format);
}

bool cli_load_config(const struct cli_common *opt, struct config *cfg)
{
	const char *path = opt->config_path ? opt->config_path : config_default_path();
	struct errbuf err = {""};

	config_defaults(cfg);
	if (path && config_load(cfg, path, &err)) {
		fprintf(stderr, "leakguard: configuration: %s\n", err.msg);
		config_cleanup(cfg);
		return false;
	}
	if (cli_log_format(cfg, &err)) {
		fprintf(stderr, "leakguard: configuration: %s\n", err.msg);
		config_cleanup(cfg);
		return false;
	}
	if (opt->db_path) {
		lg_free(cfg->db);
		cfg->db = lg_strdup(opt->db_path);
	}
	if (cfg->db && store_check_url(cfg->db, NULL, &err)) {
		fprintf(stderr, "leakguard: %s\n", err.msg);
		config_cleanup(cfg);
		return false;
	}
	return true;
}
