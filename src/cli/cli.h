/* cli.h: the subcommands and what they share — exit statuses, the
 * configuration every subcommand loads, and the output conventions of
 * DESIGN.md (results on stdout, progress and warnings on stderr). */
#ifndef LG_CLI_H
#define LG_CLI_H

#include <stdbool.h>

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

extern const char *cli_version;

#endif
