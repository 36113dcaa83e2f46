/* scan.c: `leakguard scan` — find cloud storage anyone can read (Azure
 * Blob containers, S3 buckets), count what is exposed and the personal data
 * in samples of it, or audit exported storage settings (--config).
 * Output: a table (human), JSON Lines (--json) or SARIF 2.1.0 (--sarif;
 * OASIS "Static Analysis Results Interchange Format" 2.1.0). */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "cli/cli.h"
#include "leak/index.h"
#include "scan/audit.h"
#include "scan/names.h"
#include "scan/scan.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/escape.h"
#include "util/random.h"

/* Exit statuses: 0 nothing open, 1 something anyone can read (or a config
 * finding), 2 usage or input error. */

enum out_mode { OUT_HUMAN, OUT_JSON, OUT_SARIF };

struct run {
	enum out_mode mode;
	bool tty;
	struct scan *scan;
	json_t *sarif_results;
	struct buf table;
	uint64_t flagged, rows;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leakguard scan [OPTIONS] TARGET...\n"
		"       leakguard scan --keyword WORD [--keyword WORD...] [OPTIONS]\n"
		"       leakguard scan --config EXPORTED.json...\n\n"
		"Finds cloud storage anyone can read, using anonymous GET and HEAD requests only.\n\n"
		"Targets:\n"
		"  azure://ACCOUNT            try the account's common containers (and $web)\n"
		"  azure://ACCOUNT/CONTAINER  one container\n"
		"  s3://BUCKET                one bucket\n\n"
		"Options:\n"
		"  --keyword WORD     generate candidate account, container and bucket names\n"
		"  --container NAME   also try NAME in every account (repeatable)\n"
		"  --endpoint URL     Azure account URL (emulators, sovereign clouds), e.g.\n"
		"                     http://127.0.0.1:10000/devstoreaccount1\n"
		"  --s3-endpoint URL  S3 service URL, path-style addressing\n"
		"  --config FILE      audit exported settings (az CLI, ARM, Terraform plan JSON)\n"
		"  --json             JSON Lines, one object per target\n"
		"  --sarif            SARIF 2.1.0\n"
		"  --rate N           requests per second over all targets (default: no cap)\n"
		"  --target-rate N    requests per second per target (default 50)\n"
		"  --parallel N       simultaneous requests (default 256)\n"
		"  --timeout S        seconds per request (default 10)\n"
		"  --max-bytes N      sample bytes per container (default 65536)\n"
		"  --sample-bytes N   bytes per sampled object (default 4096)\n"
		"  --max-pages N      listing pages per container (default 20)\n"
		"  --page-size N      objects per listing page (default 5000)\n"
		"  --no-probe         do not probe common object names\n"
		"  --ingest SOURCE    feed the samples into the leak index as SOURCE (--db)\n"
		"  --targets FILE     read more targets from FILE, one a line (- for stdin)\n"
		"  --list-names       print the candidate names --keyword generates, and exit\n");
}

static json_t *pii_json(const struct scan_pii *p)
{
	json_t *o = json_object();

	for (int k = 0; k < SCAN_PII_KINDS; k++)
		json_object_set_new(o, scan_pii_kind_name[k], json_integer(p ? (json_int_t)p->count[k] : 0));
	return o;
}

struct hashes {
	json_t *arr;
	size_t n;
};

static void hash_json(void *ctx, enum scan_pii_kind k, uint64_t h)
{
	struct hashes *hs = ctx;
	char hex[17];

	if (hs->n++ >= 100)
		return;
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)(h & ~(3ull << 62)));
	json_array_append_new(hs->arr, json_pack("{s:s, s:s}", "type", scan_pii_kind_name[k], "hash", hex));
}

static const char *human_size(uint64_t b, char *out, size_t cap)
{
	static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)b;
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(out, cap, i ? "%.1f %s" : "%.0f %s", v, u[i]);
	return out;
}

static void on_report(void *ctx, const struct scan_report *r)
{
	struct run *run = ctx;
	bool open = r->state == SCAN_PUBLIC_LIST || r->state == SCAN_PUBLIC_BLOB;

	if (open && !r->account)
		run->flagged++;
	if (run->mode == OUT_JSON) {
		struct hashes hs = {json_array(), 0};
		json_t *o;

		if (r->pii && r->pii->hash)
			scan_pii_each(r->pii, hash_json, &hs);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:I, s:I, s:I, s:o, s:o, s:I, s:I}", "target",
			      r->target, "kind", r->account ? "account" : r->provider[0] == 's' ? "bucket" : "container",
			      "provider", r->provider, "state", scan_state_name(r->state), "evidence", r->evidence,
			      "objects", (json_int_t)r->objects, "bytes", (json_int_t)r->bytes, "truncated", r->truncated,
			      "pages", (json_int_t)r->pages, "sampled", (json_int_t)r->sampled, "sample_bytes",
			      (json_int_t)r->sample_bytes, "pii", pii_json(r->pii), "findings", hs.arr, "requests",
			      (json_int_t)r->requests, "bytes_received", (json_int_t)r->bytes_received);
		/* a capped listing: the counts are lower bounds; a NextMarker proves one more */
		json_object_set_new(o, "objects_at_least",
				    json_integer((json_int_t)(r->objects + (r->truncated && !r->account ? 1 : 0))));
		if (r->url && *r->url)
			json_object_set_new(o, "url", json_string(r->url));
		if (r->parent)
			json_object_set_new(o, "account", json_string(r->parent));
		if (r->readable)
			json_object_set_new(o, "readable_object", json_string(r->readable));
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else if (run->mode == OUT_SARIF) {
		char msg[1024];

		if (!open || r->account)
			return;
		snprintf(msg, sizeof(msg), "%s is %s: %s. %s%llu objects, %llu bytes listed; samples held %llu email addresses, %llu phone numbers, %llu names, %llu organisations.",
			 r->target, scan_state_name(r->state), r->evidence, r->truncated ? "at least " : "",
			 (unsigned long long)(r->objects + (r->truncated ? 1 : 0)),
			 (unsigned long long)r->bytes, (unsigned long long)(r->pii ? r->pii->count[SCAN_PII_EMAIL] : 0),
			 (unsigned long long)(r->pii ? r->pii->count[SCAN_PII_PHONE] : 0),
			 (unsigned long long)(r->pii ? r->pii->count[SCAN_PII_NAME] : 0),
			 (unsigned long long)(r->pii ? r->pii->count[SCAN_PII_ORG] : 0));
		json_array_append_new(run->sarif_results,
				      json_pack("{s:s, s:s, s:{s:s}, s:[{s:{s:{s:s}}}]}", "ruleId",
						r->state == SCAN_PUBLIC_LIST ? "public-list" : "public-blob", "level",
						r->state == SCAN_PUBLIC_LIST ? "error" : "warning", "message", "text", msg,
						"locations", "physicalLocation", "artifactLocation", "uri", r->url));
	} else {
		char b1[32], objs[32];

		if (r->expanded && r->state == SCAN_ABSENT)
			return;
		snprintf(objs, sizeof(objs), "%s%llu", r->truncated ? ">=" : "",
			 (unsigned long long)(r->objects + (r->truncated && !r->account ? 1 : 0)));
		buf_appendf(&run->table, "%-44s %-12s %9s %10s %7llu %6llu %6llu %6llu %6llu\n", r->target,
			    scan_state_name(r->state), objs,
			    human_size(r->bytes, b1, sizeof(b1)), (unsigned long long)r->sampled,
			    (unsigned long long)(r->pii ? r->pii->count[SCAN_PII_EMAIL] : 0),
			    (unsigned long long)(r->pii ? r->pii->count[SCAN_PII_PHONE] : 0),
			    (unsigned long long)(r->pii ? r->pii->count[SCAN_PII_NAME] : 0),
			    (unsigned long long)(r->pii ? r->pii->count[SCAN_PII_ORG] : 0));
		run->rows++;
	}
}

static void on_tick(void *ctx)
{
	struct run *run = ctx;
	struct scan_progress p;

	/* lines reach a pipe within ~200 ms, without a write per target */
	if (run->mode == OUT_JSON)
		fflush(stdout);
	if (!run->tty || run->mode != OUT_HUMAN)
		return;
	scan_progress(run->scan, &p);
	fprintf(stderr, "\rscan: %llu/%llu targets done, %llu open, %.0f requests/s   ", (unsigned long long)p.done,
		(unsigned long long)p.targets, (unsigned long long)p.open,
		p.elapsed_s > 0 ? (double)p.requests / p.elapsed_s : 0.0);
}

struct audit_ctx {
	struct run *run;
	json_t *jsonl_unused;
};

static void on_finding(void *ctx, const struct scan_finding *f)
{
	struct run *run = ctx;

	run->flagged++;
	if (run->mode == OUT_JSON) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "target", f->subject, "state", "misconfigured",
				      "file", f->file, "path", f->path, "rule", f->rule, "message", f->message);

		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else if (run->mode == OUT_SARIF) {
		json_array_append_new(run->sarif_results,
				      json_pack("{s:s, s:s, s:{s:s}, s:[{s:{s:{s:s}}, s:[{s:s}]}]}", "ruleId", f->rule,
						"level", "warning", "message", "text", f->message, "locations",
						"physicalLocation", "artifactLocation", "uri", f->file, "logicalLocations",
						"fullyQualifiedName", f->path));
	} else {
		/* names in an audited file are its author's: escaped for the terminal */
		char *file = escape_controls_dup(f->file), *path = escape_controls_dup(f->path);
		char *msg = escape_controls_dup(f->message);

		printf("%s: %s: %s [%s]\n", file, path, msg, f->rule);
		lg_free(file);
		lg_free(path);
		lg_free(msg);
	}
}

static void print_sarif(struct run *run)
{
	static const char *const rules[][2] = {
		{"public-list", "Anyone can list and read this container or bucket."},
		{"public-blob", "Anyone can read objects of this container or bucket by name."},
		{"azure-account-public-access", "The storage account allows containers to be made public."},
		{"azure-container-public", "The container allows anonymous access."},
		{"s3-no-public-access-block", "The bucket has no complete public access block."},
		{"s3-public-acl", "The bucket ACL grants public access."},
	};
	json_t *rl = json_array(), *doc;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		json_array_append_new(rl, json_pack("{s:s, s:{s:s}}", "id", rules[i][0], "shortDescription", "text",
						    rules[i][1]));
	doc = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o}]}", "$schema",
			"https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs", "tool", "driver",
			"name", "leakguard", "version", cli_version, "informationUri", "https://github.com/leakguard",
			"rules", rl, "results", run->sarif_results);
	run->sarif_results = NULL;
	json_dumpf(doc, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(doc);
}

struct names_out {
	enum scan_name_kind kind;
};

static bool print_name(void *ctx, const char *name)
{
	const struct names_out *no = ctx;

	printf("%s %s\n", no->kind == SCAN_NAME_AZ_ACCOUNT ? "azure-account" : no->kind == SCAN_NAME_AZ_CONTAINER ? "azure-container" : "s3-bucket", name);
	return true;
}

struct strv {
	char **v;
	size_t n, cap;
};

static void strv_add(struct strv *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], x) == 0)
			return;
	s->v = lg_grow(s->v, &s->cap, s->n + 1, sizeof(char *));
	s->v[s->n++] = lg_strdup(x);
}

/* Appends without looking for duplicates (target lists can be long). */
static void strv_push(struct strv *s, const char *x)
{
	s->v = lg_grow(s->v, &s->cap, s->n + 1, sizeof(char *));
	s->v[s->n++] = lg_strdup(x);
}

/* Adds the targets of FILE (one a line; blank lines and # comments skipped;
 * "-" is stdin) to out. */
static bool read_targets(const char *path, struct strv *out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f) {
		cli_error("scan", "--targets %s: cannot open it", path);
		return false;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *p = line;

		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p && *p != '#')
			strv_push(out, p);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return true;
}

static bool collect_name(void *ctx, const char *name)
{
	strv_add(ctx, name);
	return true;
}

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		lg_free(s->v[i]);
	lg_free(s->v);
}

static bool parse_num(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < 0)
		return false;
	*out = v;
	return true;
}

static void strip_slash(char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == '/')
		s[--n] = '\0';
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The samples written into dir: its regular files, sorted; anything else
 * there (a planted link) is named on stderr and left alone. */
static void sample_files(const char *dir, struct strv *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *p;
		struct stat sb;

		if (de->d_name[0] == '.')
			continue;
		p = g_build_filename(dir, de->d_name, NULL);
		if (lstat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
			strv_push(out, p);
		} else {
			char *shown = escape_controls_dup(p);

			fprintf(stderr, "leakguard scan: %s: not a sample this run wrote; not ingested\n", shown);
			lg_free(shown);
		}
		g_free(p);
	}
	if (d)
		closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), name_cmp);
}

/* Removes the sample directory: its entries (a link itself, never what it
 * points to; the directory holds no subdirectories) and then it. */
static void remove_samples(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *p;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = g_build_filename(dir, de->d_name, NULL);
		unlink(p);
		g_free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int do_ingest(const char *db, const char *source, const char *dir)
{
	struct errbuf err = {""};
	struct store *st = NULL;
	struct leak_ingest_stats stats;
	struct strv files = {0};
	char *path = db ? lg_strdup(db) : NULL;
	char *real;
	enum lg_status rc;

	if (!path) {
		char *p = store_default_path();

		path = lg_strdup(p);
		g_free(p);
	}
	memset(&stats, 0, sizeof(stats));
	/* the ingest opens no path with a symbolic link in it (O_NOFOLLOW at
	 * every component): hand it the sample directory's real path, so a
	 * TMPDIR under a linked folder still works */
	real = realpath(dir, NULL);
	sample_files(real ? real : dir, &files);
	free(real);
	rc = store_open(path, true, &st, &err);
	if (!rc && files.n)
		rc = leak_ingest(st, source, files.v, (int)files.n, NULL, &stats, &err);
	store_close(&st);
	strv_free(&files);
	lg_free(path);
	if (rc) {
		cli_error("scan", "--ingest: %s", err.msg);
		return EXIT_ERROR;
	}
	fprintf(stderr, "leakguard scan: ingested %llu samples into source %s (%llu entries)\n",
		(unsigned long long)stats.ingested, source, (unsigned long long)stats.entries);
	return EXIT_CLEAN;
}

int cli_scan(int argc, char **argv)
{
	enum { O_KEYWORD = 256, O_CONTAINER, O_ENDPOINT, O_S3_ENDPOINT, O_CONFIG, O_JSON, O_SARIF, O_RATE,
	       O_TRATE, O_PARALLEL, O_TIMEOUT, O_MAXB, O_SAMPB, O_PAGES, O_PSIZE, O_NOPROBE, O_INGEST, O_DB,
	       O_LIST, O_TARGETS, O_HELP };
	static const struct option longopts[] = {
		{"keyword", required_argument, NULL, O_KEYWORD}, {"container", required_argument, NULL, O_CONTAINER},
		{"endpoint", required_argument, NULL, O_ENDPOINT}, {"s3-endpoint", required_argument, NULL, O_S3_ENDPOINT},
		{"config", required_argument, NULL, O_CONFIG}, {"json", no_argument, NULL, O_JSON},
		{"sarif", no_argument, NULL, O_SARIF}, {"rate", required_argument, NULL, O_RATE},
		{"target-rate", required_argument, NULL, O_TRATE}, {"parallel", required_argument, NULL, O_PARALLEL},
		{"timeout", required_argument, NULL, O_TIMEOUT}, {"max-bytes", required_argument, NULL, O_MAXB},
		{"sample-bytes", required_argument, NULL, O_SAMPB}, {"max-pages", required_argument, NULL, O_PAGES},
		{"page-size", required_argument, NULL, O_PSIZE}, {"no-probe", no_argument, NULL, O_NOPROBE},
		{"ingest", required_argument, NULL, O_INGEST}, {"db", required_argument, NULL, O_DB},
		{"list-names", no_argument, NULL, O_LIST}, {"help", no_argument, NULL, O_HELP},
		{"targets", required_argument, NULL, O_TARGETS},
		{NULL, 0, NULL, 0},
	};
	struct scan_opts so;
	struct run run;
	struct strv keywords = {0}, containers = {0}, configs = {0}, accounts = {0}, buckets = {0}, targets = {0};
	char *endpoint = NULL, *s3_endpoint = NULL;
	const char *ingest = NULL, *db = NULL;
	bool list_names = false;
	int c, rc = EXIT_ERROR;
	double v;
	char sample_dir[4096];
	bool have_dir = false;
	struct errbuf err = {""};
	struct buf root, disp;

	memset(&run, 0, sizeof(run));
	buf_init(&run.table);
	buf_init(&root);
	buf_init(&disp);
	scan_opts_default(&so);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_KEYWORD: strv_add(&keywords, optarg); break;
		case O_CONTAINER:
			if (!scan_name_valid(SCAN_NAME_AZ_CONTAINER, optarg)) {
				cli_error("scan", "--container %s: not a valid container name", optarg);
				goto out;
			}
			strv_add(&containers, optarg);
			break;
		case O_ENDPOINT: lg_free(endpoint); endpoint = lg_strdup(optarg); strip_slash(endpoint); break;
		case O_S3_ENDPOINT: lg_free(s3_endpoint); s3_endpoint = lg_strdup(optarg); strip_slash(s3_endpoint); break;
		case O_CONFIG: strv_add(&configs, optarg); break;
		case O_JSON: run.mode = OUT_JSON; break;
		case O_SARIF: run.mode = OUT_SARIF; break;
		case O_NOPROBE: so.probe_objects = false; break;
		case O_INGEST: ingest = optarg; break;
		case O_DB: db = optarg; break;
		case O_LIST: list_names = true; break;
		case O_TARGETS:
			if (!read_targets(optarg, &targets))
				goto out;
			break;
		case O_HELP: case 'h': usage(stdout); rc = EXIT_CLEAN; goto out;
		default:
			if (!optarg || !parse_num(optarg, &v)) {
				if (optarg)
					cli_error("scan", "%s: not a non-negative number", optarg);
				else
					usage(stderr);
				goto out;
			}
			switch (c) {
			case O_RATE: so.rate = v; break;
			case O_TRATE: so.target_rate = v; break;
			case O_PARALLEL: so.max_inflight = v < 1 ? 1 : (int)v; break;
			case O_TIMEOUT: so.timeout_ms = (long)(v * 1000) < 1 ? 1 : (long)(v * 1000); break;
			case O_MAXB: so.max_bytes = (uint64_t)v; break;
			case O_SAMPB: so.sample_bytes = v < 1 ? 1 : (uint64_t)v; break;
			case O_PAGES: so.max_pages = v < 1 ? 1 : (unsigned)v; break;
			case O_PSIZE: so.page_size = v < 1 ? 1 : v > 5000 ? 5000 : (unsigned)v; break;
			default: usage(stderr); goto out;
			}
		}
	}
	if (list_names) {
		struct names_out no;

		for (int k = 0; k < 3; k++) {
			no.kind = (enum scan_name_kind)k;
			scan_names_generate(no.kind, (const char *const *)keywords.v, keywords.n, NULL, 0, print_name, &no);
		}
		rc = EXIT_CLEAN;
		goto out;
	}
	if (configs.n) {
		for (size_t i = 0; i < configs.n; i++) {
			size_t n = 0;

			if (!run.sarif_results)
				run.sarif_results = json_array();
			if (scan_audit_file(configs.v[i], on_finding, &run, &n, &err)) {
				cli_error("scan", "%s", err.msg);
				goto out;
			}
		}
		if (optind >= argc && !keywords.n && !targets.n) {
			if (run.mode == OUT_SARIF)
				print_sarif(&run);
			rc = run.flagged ? EXIT_FLAGGED : EXIT_CLEAN;
			goto out;
		}
	}
	for (int i = optind; i < argc; i++)
		strv_push(&targets, argv[i]);
	if (!targets.n && !keywords.n) {
		usage(stderr);
		goto out;
	}
	if (lg_random_bytes(so.salt, sizeof(so.salt), &err)) {
		cli_error("scan", "no random salt available: %s", err.msg);
		goto out;
	}
	if (ingest) {
		snprintf(sample_dir, sizeof(sample_dir), "%s/leakguard-scan.XXXXXX", g_get_tmp_dir());
		if (!mkdtemp(sample_dir)) {
			cli_error("scan", "cannot create a sample directory");
			goto out;
		}
		have_dir = true;
		so.sample_dir = sample_dir;
	}
	if (scan_new(&so, &run.scan, &err)) {
		cli_error("scan", "%s", err.msg);
		goto out;
	}
	/* containers to try per account: common names, --container, names from keywords */
	for (size_t i = 0; i < scan_common_ncontainers; i++)
		strv_add(&containers, scan_common_containers[i]);
	if (keywords.n)
		scan_names_generate(SCAN_NAME_AZ_CONTAINER, (const char *const *)keywords.v, keywords.n, NULL, 0,
				    collect_name, &containers);
	for (size_t i = 0; i < targets.n; i++) {
		const char *t = targets.v[i];

		if (strncmp(t, "azure://", 8) == 0) {
			char *acct = lg_strdup(t + 8), *slash;

			strip_slash(acct);
			slash = strchr(acct, '/');
			if (slash)
				*slash++ = '\0';
			if (!scan_name_valid(SCAN_NAME_AZ_ACCOUNT, acct) ||
			    (slash && !scan_name_valid(SCAN_NAME_AZ_CONTAINER, slash))) {
				cli_error("scan", "%s: not a valid Azure account or container name", t);
				lg_free(acct);
				goto out;
			}
			if (!slash) {
				strv_add(&accounts, acct);
			} else {
				buf_reset(&root);
				buf_reset(&disp);
				if (endpoint)
					buf_appendf(&root, "%s/", endpoint);
				else
					buf_appendf(&root, "https://%s.blob.core.windows.net/", acct);
				scan_url_escape(&root, slash, false);
				buf_appendf(&disp, "azure://%s/%s", acct, slash);
				scan_add_container(run.scan, &scan_provider_azure, disp.data, root.data, acct, false);
			}
			lg_free(acct);
		} else if (strncmp(t, "s3://", 5) == 0) {
			char *b = lg_strdup(t + 5);

			strip_slash(b);
			if (!scan_name_valid(SCAN_NAME_S3_BUCKET, b)) {
				cli_error("scan", "%s: not a valid S3 bucket name", t);
				lg_free(b);
				goto out;
			}
			strv_add(&buckets, b);
			lg_free(b);
		} else {
			cli_error("scan", "%s: targets are azure://ACCOUNT[/CONTAINER] or s3://BUCKET", t);
			goto out;
		}
	}
	if (keywords.n) {
		if (endpoint) {
			/* an emulator or a known account: generated names are containers */
			const char *acct = strrchr(endpoint, '/');

			strv_add(&accounts, acct && scan_name_valid(SCAN_NAME_AZ_ACCOUNT, acct + 1) ? acct + 1 : "devstoreaccount1");
		} else {
			scan_names_generate(SCAN_NAME_AZ_ACCOUNT, (const char *const *)keywords.v, keywords.n, NULL, 0,
					    collect_name, &accounts);
		}
		if (s3_endpoint || !endpoint)
			scan_names_generate(SCAN_NAME_S3_BUCKET, (const char *const *)keywords.v, keywords.n, NULL, 0,
					    collect_name, &buckets);
	}
	for (size_t i = 0; i < accounts.n; i++)
		scan_add_azure_account(run.scan, accounts.v[i], endpoint, (const char *const *)containers.v, containers.n);
	for (size_t i = 0; i < buckets.n; i++) {
		const char *b = buckets.v[i];

		buf_reset(&root);
		buf_reset(&disp);
		if (s3_endpoint)
			buf_appendf(&root, "%s/%s", s3_endpoint, b);
		else if (strchr(b, '.'))
			buf_appendf(&root, "https://s3.amazonaws.com/%s", b); /* path-style: dots break TLS names */
		else
			buf_appendf(&root, "https://%s.s3.amazonaws.com", b);
		buf_appendf(&disp, "s3://%s", b);
		scan_add_container(run.scan, &scan_provider_s3, disp.data, root.data, NULL, false);
	}
	if (run.mode == OUT_SARIF && !run.sarif_results)
		run.sarif_results = json_array();
	run.tty = isatty(2);
	scan_run(run.scan, on_report, on_tick, &run);
	if (run.tty && run.mode == OUT_HUMAN)
		fputc('\n', stderr);
	if (run.mode == OUT_SARIF) {
		print_sarif(&run);
	} else if (run.mode == OUT_HUMAN) {
		printf("%-44s %-12s %9s %10s %7s %6s %6s %6s %6s\n", "TARGET", "STATE", "OBJECTS", "BYTES", "SAMPLED",
		       "EMAIL", "PHONE", "NAME", "ORG");
		fputs(run.table.data ? run.table.data : "", stdout);
		if (!run.rows)
			printf("(no target exists)\n");
	}
	rc = run.flagged ? EXIT_FLAGGED : EXIT_CLEAN;
	{
		struct scan_progress p;

		scan_progress(run.scan, &p);
		if (p.samples_failed) {
			char *shown = escape_controls_dup(p.sample_error);

			fprintf(stderr, "leakguard scan: %llu samples not written (the first: %s)\n",
				(unsigned long long)p.samples_failed, shown);
			lg_free(shown);
		}
	}
	if (ingest) {
		int irc = do_ingest(db, ingest, sample_dir);

		if (irc)
			rc = irc;
	}
out:
	if (have_dir)
		remove_samples(sample_dir);
	scan_free(&run.scan);
	json_decref(run.sarif_results);
	buf_cleanup(&run.table);
	buf_cleanup(&root);
	buf_cleanup(&disp);
	strv_free(&keywords);
	strv_free(&containers);
	strv_free(&configs);
	strv_free(&accounts);
	strv_free(&buckets);
	strv_free(&targets);
	lg_free(endpoint);
	lg_free(s3_endpoint);
	return rc;
}
