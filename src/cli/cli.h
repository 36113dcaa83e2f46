/* cli.h: the subcommands and what they share — exit statuses, the
 * configuration every subcommand loads, and the output conventions of
 * DESIGN.md (results on stdout, progress and warnings on stderr). */
#ifndef LG_CLI_H
#define LG_CLI_H

#include <stdbool.h>

#include <stdint.h>

#include "util/config.h"
#include "util/errbuf.h"

/* Exit statuses, documented in the README and in --help. */
enum cli_exit {
	EXIT_CLEAN = 0,   /* success; for check: every message clean */
	EXIT_FLAGGED = 1, /* check/lookalike: something was flagged */
	EXIT_ERROR = 2,   /* usage error, bad configuration or unreadable input */
};

int cli_main(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_lookalike(int argc, char **argv);
int cli_milter(int argc, char **argv);
int cli_learn(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_reports(int argc, char **argv);
int cli_block(int argc, char **argv);
int cli_unblock(int argc, char **argv);
int cli_blocks(int argc, char **argv);
int cli_ingest(int argc, char **argv);
int cli_lookup(int argc, char **argv);
int cli_sources(int argc, char **argv);
int cli_scan(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_context(int argc, char **argv);
int cli_history(int argc, char **argv);
int cli_stats(int argc, char **argv);
/* Hidden options for scripts/mkman.sh (dump.c): the settings table and the
 * signal table as tab-separated lines on stdout. Return EXIT_CLEAN. */
int cli_dump_config(void);
int cli_dump_signals(void);
int cli_notify(int argc, char **argv);

/* Options every subcommand accepts. */
struct cli_common {
	const char *config_path; /* --config */
	const char *db_path;     /* --db */
	bool json;               /* --json */
};

/* Loads the configuration: built-in defaults, then --config (or the default
 * file when present), then --db. Prints the error and returns false on failure. */
bool cli_load_config(const struct cli_common *opt, struct config *cfg);

/* One lesson from elsewhere — a staff report, a corrected verdict: learns
 * the message raw as spam (or ham), or forgets it, in the store cfg names,
 * then refits the verdict's weights and rewrites the model snapshot,
 * exactly as `leakguard learn --spam FILE` (or --ham, --forget) would.
 * Returns LG_OK, or LG_EIO / LG_EPARSE with a sentence in err. */
enum lg_status cli_learn_lesson(const struct config *cfg, const char *raw, size_t len, bool spam, bool forget,
				struct errbuf *err);

/* Prints "leakguard CMD: message" on stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Applies [general] log_format (util/log.h); LG_ECONFIG naming the file
 * and the value when it is neither text nor json. cli_load_config calls it;
 * the milter's loader too, so a reload can switch formats. */
enum lg_status cli_log_format(const struct config *cfg, struct errbuf *err);
/* The ingest hook (notify.c): queues the notices of source for the
 * monitored domains and subscribed addresses; *added gets how many were new. */
struct store;
enum lg_status cli_notify_queue(const struct config *cfg, const char *path, struct store *s, const char *source,
				uint64_t *added, struct errbuf *err);

extern const char *cli_version;

#endif
