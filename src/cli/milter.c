/* milter.c: `leakguard milter` — filter live mail as a Postfix or Sendmail
 * milter, in the foreground (for systemd; contrib/leakguard-milter.service).
 * Options and configuration here; the filter is src/milter/. SIGHUP reloads
 * the configuration and lists, SIGTERM finishes messages in flight and
 * exits. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "mail/message.h"
#include "milter/runtime.h"
#include "milter/server.h"
#include "milter/signals.h"
#include "util/alloc.h"
#include "util/log.h"

#define WORKERS_MAX 64

/* What the loader needs at every (re)load: the command line's choices. */
struct milter_cli {
	const char *config_path;
	const char *listen;
	const char *db;
};

static enum lg_status load(void *ctx, struct config *cfg, struct errbuf *err)
{
	const struct milter_cli *c = ctx;
	const char *path = c->config_path ? c->config_path : config_default_path();
	enum lg_status rc;

	config_defaults(cfg);
	if (path && (rc = config_load(cfg, path, err))) {
		config_cleanup(cfg);
		return rc;
	}
	if ((rc = cli_log_format(cfg, err))) {
		config_cleanup(cfg);
		return rc;
	}
	if (c->listen) {
		lg_free(cfg->milter_listen);
		cfg->milter_listen = lg_strdup(c->listen);
	}
	if (c->db) {
		lg_free(cfg->db);
		cfg->db = lg_strdup(c->db);
	}
	return LG_OK;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leakguard milter [OPTIONS]\n\n"
		"Filters live mail as a milter for Postfix or Sendmail, in the foreground. Every\n"
		"message gets X-Leakguard-Verdict, -Score and -Signals headers; by [actions],\n"
		"suspicious mail is tagged with a warning banner, phishing held or rejected.\n\n"
		"Options:\n"
		"  --listen SPEC     socket: inet:PORT@HOST or unix:PATH (default from [milter] listen,\n"
		"                    inet:8891@127.0.0.1)\n"
		"  --config FILE     configuration (default /etc/leakguard/leakguard.conf if present)\n"
		"  --db FILE         state store\n"
		"  --workers N       analysis threads (default: the number of CPUs)\n"
		"  --quiet           no line per message, only warnings and errors\n"
		"  -h, --help        this help\n\n"
		"Postfix main.cf:  smtpd_milters = inet:127.0.0.1:8891\n"
		"                  milter_default_action = tempfail\n\n"
		"Signals: SIGHUP reloads the configuration and lists; SIGTERM finishes the\n"
		"messages in flight and exits.\n"
		"Exit status: 0 after a clean stop, 2 for a usage or configuration error or a\n"
		"socket that cannot be opened.\n");
}

static unsigned default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > WORKERS_MAX ? WORKERS_MAX : (unsigned)n;
}

int cli_milter(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, 'l'}, {"config", required_argument, NULL, 'c'},
		{"db", required_argument, NULL, 'd'},     {"workers", required_argument, NULL, 'w'},
		{"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct milter_cli c = {0};
	struct runtime_holder *h = NULL;
	struct errbuf err = {""};
	unsigned workers = default_workers();
	bool quiet = false;
	enum lg_status rc;
	char *end;
	long n;
	int opt;

	/* Before any thread exists, so that every thread inherits the mask. */
	milter_signals_block();
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l': c.listen = optarg; break;
		case 'c': c.config_path = optarg; break;
		case 'd': c.db = optarg; break;
		case 'q': quiet = true; break;
		case 'w':
			n = strtol(optarg, &end, 10);
			if (end == optarg || *end || n < 1 || n > WORKERS_MAX) {
				cli_error("milter", "--workers: '%s' is not a number from 1 to %d", optarg, WORKERS_MAX);
				return EXIT_ERROR;
			}
			workers = (unsigned)n;
			break;
		case 'h': usage(stdout); return EXIT_CLEAN;
		default: usage(stderr); return EXIT_ERROR;
		}
	}
	if (optind < argc) {
		cli_error("milter", "unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return EXIT_ERROR;
	}
	log_threshold = quiet ? LOG_LEVEL_WARN : LOG_LEVEL_INFO;
	mail_init();
	if ((rc = runtime_holder_new(load, &c, &h, &err))) {
		cli_error("milter", "configuration: %s", err.msg);
		mail_shutdown();
		return EXIT_ERROR;
	}
	if (!(rc = milter_signals_start(h, milter_server_stop, &err)))
		rc = milter_server_run(h, workers, &err);
	if (rc)
		cli_error("milter", "%s", err.msg);
	milter_signals_stop();
	runtime_holder_free(&h);
	mail_shutdown();
	return rc ? EXIT_ERROR : EXIT_CLEAN;
}
