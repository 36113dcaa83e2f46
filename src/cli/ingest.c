/* ingest.c: `leakguard ingest --source NAME PATH...` — index leak dumps
 * (CSV, JSON/JSON Lines, mbox/Maildir/.eml, text and combo lists) into the
 * state store's leak index (src/leak/index.h). Re-running is a no-op for
 * files already ingested; a run killed at any moment can simply be re-run.
 * A dump is hostile: a directory PATH is walked here without following a
 * symbolic link that leaves it (unless --follow-symlinks), and every name
 * printed has its control and bidi characters escaped (util/escape.h). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "cli/cli.h"
#include "leak/index.h"
#include "mail/message.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/escape.h"

#define SHOWN_ERRORS_PER_RUN 50
#define WALK_MAX_DEPTH 32 /* as leak/index.c's walk */

struct run {
	bool json, tty;
	uint64_t shown, hidden;
	uint64_t links; /* symbolic links not followed */
	double t0, last;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_error(void *ctx, const char *path, uint64_t line, const char *why)
{
	struct run *r = ctx;
	char *shown;

	if (r->shown >= SHOWN_ERRORS_PER_RUN) {
		r->hidden++;
		return;
	}
	r->shown++;
	shown = escape_controls_dup(path); /* names come from the dump: ESC, bidi overrides */
	if (line)
		fprintf(stderr, "leakguard ingest: %s:%llu: %s\n", shown, (unsigned long long)line, why);
	else
		fprintf(stderr, "leakguard ingest: %s: %s; skipped\n", shown, why);
	lg_free(shown);
}

/* ---- the walk ---- */

struct paths {
	char **v;
	size_t n, cap;
};

static void paths_add(struct paths *p, const char *path)
{
	if (p->n == p->cap)
		p->v = lg_grow(p->v, &p->cap, p->n + 1, sizeof(*p->v));
	p->v[p->n++] = lg_strdup(path);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* True when real (a resolved path) is root or below it. */
static bool inside(const char *real, const char *root)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return true;
	return strncmp(real, root, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

static void link_skipped(struct run *r, const char *path, const char *root)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	char *p = escape_controls_dup(path), *t, *d = escape_controls_dup(root);

	target[n > 0 ? n : 0] = '\0';
	t = escape_controls_dup(target);
	r->links++;
	fprintf(stderr,
		"leakguard ingest: %s: a symbolic link to %s, which does not lead to a file inside %s; not followed "
		"(--follow-symlinks follows it)\n",
		p, t, d);
	lg_free(p);
	lg_free(t);
	lg_free(d);
}

/* Collects the regular files under dir (sorted, dot names skipped, as
 * leak/index.c walks) into out. A symbolic link is followed only when it
 * resolves inside root; anything that cannot be read is passed on as it
 * is, so the ingest reports and counts it. */
static void walk_dir(struct run *r, const char *dir, const char *root, int depth, struct paths *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct paths names = {0};

	if (!d) {
		paths_add(out, dir);
		return;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			paths_add(&names, de->d_name);
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), name_cmp);
	for (size_t i = 0; i < names.n; i++) {
		char *child = g_build_filename(dir, names.v[i], NULL);
		struct stat sb;

		if (lstat(child, &sb) == 0 && S_ISLNK(sb.st_mode)) {
			char *real = realpath(child, NULL);

			char *here = NULL;
			bool loop;

			if (!real || !inside(real, root) || stat(real, &sb) != 0) {
				link_skipped(r, child, root);
				free(real);
				goto next;
			}
			/* a link to a directory this walk is inside of would go round */
			loop = S_ISDIR(sb.st_mode) && (here = realpath(dir, NULL)) && inside(here, real);
			free(here);
			if (loop) {
				free(real);
				on_error(r, child, 0, "a symbolic link to a directory above it, a loop");
				goto next;
			}
			/* the ingest opens no link (O_NOFOLLOW): hand it the target */
			g_free(child);
			child = g_strdup(real);
			free(real);
		} else if (stat(child, &sb) != 0) {
			paths_add(out, child); /* the ingest says why */
			goto next;
		}
		if (S_ISREG(sb.st_mode)) {
			paths_add(out, child);
		} else if (S_ISDIR(sb.st_mode)) {
			if (depth + 1 >= WALK_MAX_DEPTH)
				on_error(r, child, 0, "directories nested too deep; not followed");
			else
				walk_dir(r, child, root, depth + 1, out);
		}
next:
		g_free(child);
		lg_free(names.v[i]);
	}
	lg_free(names.v);
}

/* The files to ingest for the PATHs given: a file (or a link the user
 * named) by its resolved path, a directory walked by walk_dir() from its
 * resolved path, everything as given with follow. So every path handed to
 * the ingest is free of symbolic links, and the ingest (which opens each
 * component with O_NOFOLLOW) refuses one that a directory swapped for a
 * link after this walk would lead through. */
static void expand(struct run *r, char *const *args, int nargs, bool follow, struct paths *out)
{
	for (int i = 0; i < nargs; i++) {
		char *abs, *root;
		struct stat sb;

		if (follow || strcmp(args[i], "-") == 0 || stat(args[i], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			/* a link the user named is followed, through its target */
			char *real = !follow && strcmp(args[i], "-") != 0 ? realpath(args[i], NULL) : NULL;

			paths_add(out, real ? real : args[i]);
			free(real);
			continue;
		}
		abs = g_canonicalize_filename(args[i], NULL);
		root = realpath(abs, NULL);
		if (root)
			walk_dir(r, root, root, 0, out);
		else
			paths_add(out, abs);
		free(root);
		g_free(abs);
	}
}

static void on_progress(void *ctx, const struct leak_ingest_stats *st, const char *path)
{
	struct run *r = ctx;
	double t = now();

	if (!r->tty || t - r->last < 0.5)
		return;
	r->last = t;
	fprintf(stderr, "\r%llu files, %llu records, %.1f MB, %.0f records/s, %.1f MB/s   ",
		(unsigned long long)st->files, (unsigned long long)st->records, st->bytes / 1e6,
		st->records / (t - r->t0 > 0 ? t - r->t0 : 1), st->bytes / 1e6 / (t - r->t0 > 0 ? t - r->t0 : 1));
}

/* "2022-09-24" -> 20220924, for a real calendar date. */
static bool parse_date(const char *s, uint32_t *out)
{
	unsigned y, m, d;
	int end = 0;

	if (sscanf(s, "%4u-%2u-%2u%n", &y, &m, &d, &end) != 3 || s[end] != '\0' || strlen(s) != 10 || y < 1900 ||
	    !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return false;
	*out = y * 10000 + m * 100 + d;
	return true;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leakguard ingest --source NAME [OPTIONS] PATH...\n\n"
		"Indexes leak dumps: CSV/TSV, JSON and JSON Lines, mbox, Maildir and .eml, text and\n"
		"combo lists (email:password), PDF, DOCX and XLSX, ZIP and tar(.gz/.bz2/.xz) archives\n"
		"of any of these, UTF-16 and Latin-1 text - detected by content - in files, directory\n"
		"trees, or - for stdin. Extracts email addresses, phone numbers, person names and\n"
		"organisations with their places (file:line, file.pdf:page, archive.zip!member:line).\n"
		"Passwords are never stored: only that one was present, and a 16-bit verifier.\n"
		"Ingesting a file again is a no-op; an interrupted run can simply be run again.\n\n"
		"Options:\n"
		"  --source NAME     the leak these files belong to (e.g. bluebleed-2022)\n"
		"  --date YYYY-MM-DD when the leak happened (shown by lookup and sources)\n"
		"  --follow-symlinks follow symbolic links that lead out of a directory PATH\n"
		"                    (by default they are skipped with a warning)\n"
		"  --db FILE         state store (default: config, $LEAKGUARD_DB, ~/.local/share/leakguard/leakguard.db)\n"
		"  --config FILE     configuration file\n"
		"  --json            print the summary as JSON\n"
		"  -h, --help        this help\n\n"
		"Exit status: 0 success (unreadable records are reported on stderr and counted),\n"
		"2 usage error or a store failure.\n");
}

int cli_ingest(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"source", required_argument, NULL, 's'}, {"db", required_argument, NULL, 'd'},
		{"config", required_argument, NULL, 'c'}, {"json", no_argument, NULL, 'j'},
		{"date", required_argument, NULL, 'D'},   {"help", no_argument, NULL, 'h'},
		{"follow-symlinks", no_argument, NULL, 'L'}, {NULL, 0, NULL, 0},
	};
	struct cli_common opt = {0};
	const char *source = NULL;
	uint32_t date = 0;
	struct config cfg;
	struct store *s = NULL;
	struct errbuf err = {""};
	struct leak_ingest_stats st;
	struct run r = {.tty = isatty(2)};
	struct leak_ingest_hooks hooks = {on_error, on_progress, &r, false};
	struct paths files = {0};
	bool follow = false;
	char *path;
	int c, status = EXIT_ERROR;
	double secs;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': source = optarg; break;
		case 'D':
			if (!parse_date(optarg, &date)) {
				cli_error("ingest", "--date takes a date as YYYY-MM-DD, not '%s'", optarg);
				return EXIT_ERROR;
			}
			break;
		case 'd': opt.db_path = optarg; break;
		case 'c': opt.config_path = optarg; break;
		case 'j': opt.json = true; break;
		case 'L': follow = true; break;
		case 'h': usage(stdout); return EXIT_CLEAN;
		default: usage(stderr); return EXIT_ERROR;
		}
	}
	if (!source || !*source || optind >= argc) {
		cli_error("ingest", !source || !*source ? "--source NAME is required" : "no PATH to ingest");
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!cli_load_config(&opt, &cfg))
		return EXIT_ERROR;
	path = store_path(&cfg);
	mail_init();
	r.json = opt.json;
	r.t0 = r.last = now();
	hooks.follow_links = follow;
	expand(&r, argv + optind, argc - optind, follow, &files);
	if (store_open(path, true, &s, &err)) {
		cli_error("ingest", "%s", err.msg);
	} else if (leak_ingest_dated(s, source, date, files.v, (int)files.n, &hooks, &st, &err)) {
		if (r.tty)
			fputc('\n', stderr);
		cli_error("ingest", "%s", err.msg);
		cli_error("ingest", "what was committed before this is kept; run the same command again to finish");
	} else {
		secs = now() - r.t0;
		if (r.tty)
			fputc('\n', stderr);
		if (r.hidden)
			fprintf(stderr, "leakguard ingest: %llu more unreadable records not shown\n",
				(unsigned long long)r.hidden);
		if (r.links)
			fprintf(stderr, "leakguard ingest: %llu symbolic links out of the given directories not followed\n",
				(unsigned long long)r.links);
		if (opt.json) {
			json_t *o = json_pack("{s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "source",
					      g_utf8_validate(source, -1, NULL) ? source : NULL, "files",
					      (json_int_t)st.files, "ingested", (json_int_t)st.ingested, "already_ingested",
					      (json_int_t)st.already, "unreadable_files", (json_int_t)st.unreadable,
					      "records", (json_int_t)st.records, "entities", (json_int_t)st.entities,
					      "entries", (json_int_t)st.entries, "unreadable_records",
					      (json_int_t)st.errors, "bytes", (json_int_t)st.bytes, "seconds", secs);

			json_object_set_new(o, "links_not_followed", json_integer((json_int_t)r.links));
			json_dumpf(o, stdout, JSON_COMPACT);
			putchar('\n');
			json_decref(o);
		}
		else
			printf("%s: %llu files (%llu ingested, %llu already ingested, %llu unreadable), "
			       "%llu records, %llu entities, %llu unreadable records, %.1f MB in %.2f s "
			       "(%.0f records/s, %.1f MB/s)\n",
			       source, (unsigned long long)st.files, (unsigned long long)st.ingested,
			       (unsigned long long)st.already, (unsigned long long)st.unreadable,
			       (unsigned long long)st.records, (unsigned long long)st.entities,
			       (unsigned long long)st.errors, st.bytes / 1e6, secs,
			       st.records / (secs > 0 ? secs : 1e-9), st.bytes / 1e6 / (secs > 0 ? secs : 1e-9));
		status = EXIT_CLEAN;
		/* issue 18: the committed source's notices, queued for `leakguard notify` */
		if (!cfg.notify_on_ingest || strcmp(cfg.notify_on_ingest, "off") != 0) {
			uint64_t queued = 0;

			if (cli_notify_queue(&cfg, path, s, source, &queued, &err))
				cli_error("ingest", "notices not queued: %s; run leakguard notify --source NAME", err.msg);
			else if (queued)
				fprintf(stderr, "leakguard ingest: %llu notices queued; leakguard notify sends them\n",
					(unsigned long long)queued);
		}
	}
	store_close(&s);
	mail_shutdown();
	for (size_t i = 0; i < files.n; i++)
		lg_free(files.v[i]);
	lg_free(files.v);
	g_free(path);
	config_cleanup(&cfg);
	return status;
}
