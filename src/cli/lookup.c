/* lookup.c: `leakguard lookup` — is an organisation, an address or a phone
 * number in an ingested leak? — and `leakguard sources`, the list of
 * leaks with their counts and ingest status. Address and phone lookups do
 * the same work whether or not the key is present (src/leak/index.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <jansson.h>

#include "cli/cli.h"
#include "leak/index.h"
#include "leak/range.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/escape.h"

/* Exit statuses of lookup: EXIT_CLEAN (0) nothing found, EXIT_FLAGGED (1)
 * found in some leak, EXIT_ERROR (2). */

static json_t *jstr(const char *s)
{
	return s && g_utf8_validate(s, -1, NULL) ? json_string(s) : json_null();
}

static const char *kind_plural(enum leak_kind k, uint64_t n)
{
	switch (k) {
	case LEAK_EMAIL: return n == 1 ? "email address" : "email addresses";
	case LEAK_PHONE: return n == 1 ? "phone number" : "phone numbers";
	case LEAK_NAME: return n == 1 ? "person name" : "person names";
	case LEAK_ORG: return n == 1 ? "organisation name" : "organisation names";
	default: return "values";
	}
}

/* "2022-09-24" from YYYYMMDD into out (11 bytes); NULL when none. */
static const char *date_str(uint32_t d, char out[11])
{
	if (!d)
		return NULL;
	snprintf(out, 11, "%04u-%02u-%02u", d / 10000 % 10000, d / 100 % 100, d % 100);
	return out;
}

/* The kinds of data found, as a JSON array of names. */
static json_t *kinds_json(const struct leak_source_hits *h)
{
	json_t *a = json_array();

	for (int k = 1; k < LEAK_KINDS; k++)
		if (h->distinct[k])
			json_array_append_new(a, json_string(leak_kind_name((enum leak_kind)k)));
	return a;
}

static const char *query_kind_name(enum leak_query_kind k)
{
	return k == LEAK_Q_EMAIL ? "email" : k == LEAK_Q_PHONE ? "phone" : "domain";
}

static bool open_store(const struct cli_common *opt, struct config *cfg, struct store **s, const char *cmd)
{
	struct errbuf err = {""};
	char *path;
	enum lg_status rc;

	if (!cli_load_config(opt, cfg))
		return false;
	path = store_path(cfg);
	rc = store_open(path, false, s, &err);
	if (rc == LG_ENOTFOUND)
		cli_error(cmd, "no state store at %s; run `leakguard ingest` first", path);
	else if (rc)
		cli_error(cmd, "%s", err.msg);
	g_free(path);
	if (rc)
		config_cleanup(cfg);
	return rc == LG_OK;
}

/* s with control and bidi characters escaped, for a terminal: file and
 * member names and leak names come from outside. Valid until the next call
 * with the same b. */
static const char *shown(struct buf *b, const char *s)
{
	buf_reset(b);
	escape_controls(b, s, strlen(s));
	return b->data ? b->data : "";
}

/* Prints one lookup (resolving a fixed number of places, decoys included). */
static void print_result(struct store *s, struct leak_index *ix, enum leak_query_kind kind, const char *query,
			 const char *norm, const struct leak_result *r, bool json)
{
	struct buf path, snip, esc;
	json_t *o = NULL, *arr = NULL;
	size_t resolved = 0;

	buf_init(&path);
	buf_init(&snip);
	buf_init(&esc);
	if (json) {
		o = json_pack("{s:o, s:s, s:o, s:b}", "query", jstr(query), "kind", query_kind_name(kind), "normalized",
			      jstr(norm), "found", r->found);
		arr = json_array();
	} else if (!r->found) {
		printf("%s: not found in any ingested leak (%zu segments, %llu entries searched)\n", norm,
		       leak_index_segments(ix), (unsigned long long)leak_index_entries(ix));
	} else {
		printf("%s: FOUND in %zu leak%s\n", norm, r->nsrc, r->nsrc == 1 ? "" : "s");
	}
	for (size_t i = 0; i < r->nsrc; i++) {
		const struct leak_source_hits *h = &r->src[i];
		json_t *so = NULL, *counts = NULL, *places = NULL;
		char dbuf[11];
		const char *date = date_str(leak_index_source_date(ix, h->source_id), dbuf);

		if (json) {
			counts = json_object();
			for (int k = 1; k < LEAK_KINDS; k++)
				if (h->distinct[k])
					json_object_set_new(counts, leak_kind_name((enum leak_kind)k),
							    json_integer((json_int_t)h->distinct[k]));
			places = json_array();
			so = json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:o}", "name", jstr(h->name), "source",
				       jstr(h->name), "date", date ? json_string(date) : json_null(), "kinds",
				       kinds_json(h), "counts", counts, "occurrences", (json_int_t)h->occurrences,
				       "with_password", (json_int_t)h->with_password, "places", places);
		} else {
			bool first = true;

			printf("  %s", shown(&esc, h->name));
			if (date)
				printf(" (leaked %s)", date);
			else
				printf(" (date unknown)");
			putchar(':');
			for (int k = 1; k < LEAK_KINDS; k++)
				if (h->distinct[k]) {
					printf("%s %llu %s", first ? "" : ",", (unsigned long long)h->distinct[k],
					       kind_plural((enum leak_kind)k, h->distinct[k]));
					first = false;
				}
			printf(" (%llu occurrence%s", (unsigned long long)h->occurrences, h->occurrences == 1 ? "" : "s");
			if (h->with_password)
				printf(", %llu with a password", (unsigned long long)h->with_password);
			printf(")\n");
		}
		for (size_t p = 0; p < h->nplaces && resolved < LEAK_DETAIL_PROBES; p++) {
			uint64_t line;
			unsigned page;
			bool changed;
			struct errbuf err;

			resolved++;
			if (leak_place_resolve(s, &h->places[p], &path, &line, &page, &snip, &changed, &err))
				continue;
			if (json) {
				json_t *po = json_pack("{s:o, s:I, s:s, s:o}", "file", jstr(path.data), "line",
						       (json_int_t)line, "kind", leak_kind_name(h->places[p].kind),
						       "snippet", changed ? json_null() : jstr(snip.data));

				if (page)
					json_object_set_new(po, "page", json_integer(page));
				json_array_append_new(places, po);
			} else if (changed) {
				printf("    %s: (no place recorded at ingest; no snippet)\n", shown(&esc, path.data));
			} else if (page) {
				printf("    %s:page %u  ", shown(&esc, path.data), page);
				printf("%s\n", shown(&esc, snip.data ? snip.data : ""));
			} else {
				printf("    %s:%llu  ", shown(&esc, path.data), (unsigned long long)line);
				printf("%s\n", shown(&esc, snip.data ? snip.data : ""));
			}
		}
		if (json)
			json_array_append_new(arr, so);
		else if (h->occurrences > h->nplaces || h->nplaces > LEAK_DETAIL_PROBES)
			printf("    ...\n");
	}
	/* misses and short answers do the remaining place work on decoys */
	while (resolved++ < LEAK_DETAIL_PROBES)
		leak_place_decoy(ix, s);
	if (json) {
		json_object_set_new(o, "sources", arr);
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	}
	buf_cleanup(&path);
	buf_cleanup(&snip);
	buf_cleanup(&esc);
}

static enum leak_query_kind guess_kind(const char *q)
{
	if (strchr(q, '@') && q[0] != '@')
		return LEAK_Q_EMAIL;
	if (q[0] == '+' || (q[0] >= '0' && q[0] <= '9' && strspn(q, "0123456789 -()./") == strlen(q)))
		return LEAK_Q_PHONE;
	return LEAK_Q_DOMAIN;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One query per line: counts only (no places), JSON or "query<TAB>found<TAB>sources". */
static int batch(struct store *s, struct leak_index *ix, const char *file, bool json, bool latency)
{
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char *line = NULL;
	size_t cap = 0, nlat = 0, latcap = 0, hits = 0, total = 0;
	double *lat = NULL, t0 = now();
	ssize_t n;

	if (!f) {
		cli_error("lookup", "%s: cannot open", file);
		return EXIT_ERROR;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		char norm[LEAK_MAX_VALUE + 1];
		enum leak_query_kind kind;
		struct leak_result r;
		struct leak_key key;
		double t;

		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		kind = guess_kind(line);
		t = now();
		if (!leak_query_key(kind, line, &key, norm)) {
			if (json)
				printf("{\"query\":\"(invalid)\",\"found\":false,\"error\":\"not an address, phone or domain\"}\n");
			else
				printf("%s\tinvalid\n", line);
			continue;
		}
		leak_lookup(ix, &key, &r);
		leak_result_confirm(s, &key, norm, &r, NULL); /* the text, not only its hash */
		if (latency) {
			if (nlat == latcap)
				lat = lg_grow(lat, &latcap, nlat + 1, sizeof(*lat));
			lat[nlat++] = now() - t;
		}
		total++;
		hits += r.found;
		if (json) {
			json_t *o = json_pack("{s:o, s:s, s:b}", "query", jstr(norm), "kind", query_kind_name(kind),
					      "found", r.found);
			json_t *srcs = json_array();

			for (size_t i = 0; i < r.nsrc; i++) {
				char dbuf[11];
				const char *date = date_str(leak_index_source_date(ix, r.src[i].source_id), dbuf);

				json_array_append_new(srcs, json_pack("{s:o, s:o, s:o, s:I}", "name", jstr(r.src[i].name),
								      "date", date ? json_string(date) : json_null(),
								      "kinds", kinds_json(&r.src[i]), "occurrences",
								      (json_int_t)r.src[i].occurrences));
			}
			json_object_set_new(o, "sources", srcs);
			json_dumpf(o, stdout, JSON_COMPACT);
			putchar('\n');
			json_decref(o);
		} else {
			printf("%s\t%s", norm, r.found ? "found" : "not-found");
			for (size_t i = 0; i < r.nsrc; i++)
				printf("\t%s:%llu", r.src[i].name, (unsigned long long)r.src[i].occurrences);
			putchar('\n');
		}
		leak_result_cleanup(&r);
	}
	if (latency && nlat) {
		double secs = now() - t0;

		qsort(lat, nlat, sizeof(*lat), dbl_cmp);
		fprintf(stderr,
			"lookup: %zu queries (%zu found) in %.3f s: %.0f lookups/s; latency p50 %.2f us, p99 %.2f us, "
			"max %.2f us\n",
			total, hits, secs, total / (secs > 0 ? secs : 1e-9), lat[nlat / 2] * 1e6,
			lat[(size_t)((double)nlat * 0.99)] * 1e6, lat[nlat - 1] * 1e6);
	}
	free(line);
	lg_free(lat);
	if (f != stdin)
		fclose(f);
	return hits ? EXIT_FLAGGED : EXIT_CLEAN;
}

/* The k-anonymity range answer: one suffix a line, or one JSON object. */
static int range(struct leak_index *ix, const char *arg, bool json)
{
	uint32_t prefix;
	char (*suf)[36] = NULL;
	size_t n = 0;
	struct errbuf err = {""};

	if (!leak_range_prefix(arg, &prefix)) {
		cli_error("lookup", "--range takes the first 5 hex digits of a SHA-1, not '%s'", arg);
		return EXIT_ERROR;
	}
	if (leak_range_lookup(ix, prefix, &suf, &n, &err)) {
		cli_error("lookup", "%s", err.msg);
		return EXIT_ERROR;
	}
	if (json) {
		json_t *a = json_array(), *o;
		char pfx[6];

		snprintf(pfx, sizeof(pfx), "%05X", prefix);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_string(suf[i]));
		o = json_pack("{s:s, s:o}", "prefix", pfx, "suffixes", a);
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		for (size_t i = 0; i < n; i++)
			puts(suf[i]);
	}
	lg_free(suf);
	return EXIT_CLEAN;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leakguard lookup [OPTIONS] QUERY...     (an address, a phone number or a domain each)\n"
		"       leakguard lookup [OPTIONS] --batch FILE (one query per line; - for stdin)\n"
		"       leakguard lookup [OPTIONS] --range PREFIX\n\n"
		"Tells whether an organisation (domain), an address or a phone number appears in an\n"
		"ingested leak: the leaks with their dates and the kinds of data found, counts, places\n"
		"(file:line, file.pdf:page N, archive.zip!member:line) and redacted snippets. What a\n"
		"query is comes from its form: user@host an address, +CC... or digits a phone number,\n"
		"anything else a domain. Address and phone lookups take the same time found or not.\n\n"
		"--range is k-anonymity as Have I Been Pwned's range API: give the first 5 hex digits\n"
		"of the SHA-1 of a lower-cased address (printf %%s alice@example.com | sha1sum); it\n"
		"prints the other 35 digits of every indexed address under that prefix, mixed with\n"
		"the prefix's 256 stable keyed decoys: the count tells how many indexed addresses\n"
		"share the prefix, never which. Match your suffix locally.\n\n"
		"Options:\n"
		"  --email ADDRESS, --phone NUMBER, --domain DOMAIN   a query of a stated kind\n"
		"  --source NAME     only this leak\n"
		"  --latency         with --batch: print throughput and latency percentiles on stderr\n"
		"  --db FILE         state store\n"
		"  --config FILE     configuration file\n"
		"  --json            one JSON object per query: query, kind, normalized, found, sources\n"
		"                    (name, date, kinds, counts, occurrences, places)\n"
		"  -h, --help        this help\n\n"
		"Exit status: 0 not found, 1 found in some leak, 2 usage error or no leak index.\n");
}

struct query {
	const char *q;
	enum leak_query_kind kind;
};

int cli_lookup(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"domain", required_argument, NULL, 'D'}, {"email", required_argument, NULL, 'e'},
		{"phone", required_argument, NULL, 'p'},  {"batch", required_argument, NULL, 'b'},
		{"range", required_argument, NULL, 'r'},  {"source", required_argument, NULL, 's'},
		{"latency", no_argument, NULL, 'L'},      {"db", required_argument, NULL, 'd'},
		{"config", required_argument, NULL, 'c'}, {"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	struct cli_common opt = {0};
	const char *source = NULL, *batch_file = NULL, *range_arg = NULL;
	struct query *qs = lg_calloc((size_t)argc + 1, sizeof(*qs));
	size_t nq = 0;
	bool latency = false;
	struct config cfg;
	struct store *s = NULL;
	struct leak_index *ix = NULL;
	struct errbuf err = {""};
	int c, modes, status = EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'D': qs[nq++] = (struct query){optarg, LEAK_Q_DOMAIN}; break;
		case 'e': qs[nq++] = (struct query){optarg, LEAK_Q_EMAIL}; break;
		case 'p': qs[nq++] = (struct query){optarg, LEAK_Q_PHONE}; break;
		case 'b': batch_file = optarg; break;
		case 'r': range_arg = optarg; break;
		case 's': source = optarg; break;
		case 'L': latency = true; break;
		case 'd': opt.db_path = optarg; break;
		case 'c': opt.config_path = optarg; break;
		case 'j': opt.json = true; break;
		case 'h': usage(stdout); lg_free(qs); return EXIT_CLEAN;
		default: usage(stderr); lg_free(qs); return EXIT_ERROR;
		}
	}
	for (int i = optind; i < argc; i++)
		qs[nq++] = (struct query){argv[i], guess_kind(argv[i])};
	modes = (nq > 0) + (batch_file != NULL) + (range_arg != NULL);
	if (modes != 1) {
		cli_error("lookup", "give queries, or --batch FILE, or --range PREFIX (one of them)");
		usage(stderr);
		lg_free(qs);
		return EXIT_ERROR;
	}
	if (!open_store(&opt, &cfg, &s, "lookup")) {
		lg_free(qs);
		return EXIT_ERROR;
	}
	if (leak_index_open(s, source, &ix, &err)) {
		cli_error("lookup", "%s", err.msg);
	} else if (batch_file) {
		status = batch(s, ix, batch_file, opt.json, latency);
	} else if (range_arg) {
		status = range(ix, range_arg, opt.json);
	} else {
		status = EXIT_CLEAN;
		for (size_t i = 0; i < nq; i++) {
			char norm[LEAK_MAX_VALUE + 1];
			struct leak_key key;
			struct leak_result r;
			enum leak_query_kind kind = qs[i].kind;

			if (!leak_query_key(kind, qs[i].q, &key, norm)) {
				cli_error("lookup", "'%s' is not a valid %s", qs[i].q,
					  kind == LEAK_Q_EMAIL   ? "email address"
					  : kind == LEAK_Q_PHONE ? "phone number (use +CC...)"
								 : "domain");
				status = EXIT_ERROR;
				continue;
			}
			leak_lookup(ix, &key, &r);
			/* found only if the text itself was ingested, not a value of the same hash */
			if (leak_result_confirm(s, &key, norm, &r, &err)) {
				cli_error("lookup", "%s", err.msg);
				status = EXIT_ERROR;
			}
			print_result(s, ix, kind, qs[i].q, norm, &r, opt.json);
			if (r.found && status == EXIT_CLEAN)
				status = EXIT_FLAGGED;
			leak_result_cleanup(&r);
		}
	}
	leak_index_close(&ix);
	store_close(&s);
	config_cleanup(&cfg);
	lg_free(qs);
	return status;
}

struct src_list {
	struct store *s;
	struct leak_index *ix;
	bool json, running;
	size_t n;
};

static bool print_source(void *ctx, const struct store_leak_source *src)
{
	struct src_list *l = ctx;
	uint64_t d[LEAK_KINDS] = {0};
	const char *state = src->state;

	if (strcmp(state, "ingesting") == 0 && !l->running)
		state = "interrupted";
	char dbuf[11];
	const char *date = NULL;

	if (l->ix) {
		leak_source_distinct(l->ix, src->id, d);
		date = date_str(leak_index_source_date(l->ix, src->id), dbuf);
	}
	l->n++;
	if (l->json) {
		json_t *o = json_pack("{s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}}", "source",
				      jstr(src->name), "status", state, "files", (json_int_t)src->files, "bytes",
				      (json_int_t)src->bytes, "records", (json_int_t)src->records, "entries",
				      (json_int_t)src->entries, "unreadable_records", (json_int_t)src->errors,
				      "segments", (json_int_t)src->segments, "distinct", "email",
				      (json_int_t)d[LEAK_EMAIL], "phone", (json_int_t)d[LEAK_PHONE], "name",
				      (json_int_t)d[LEAK_NAME], "organisation", (json_int_t)d[LEAK_ORG]);

		json_object_set_new(o, "date", date ? json_string(date) : json_null());
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		printf("%-24s %-10s %-11s %6lld files %10lld records %8lld unreadable  %llu emails, %llu phones, "
		       "%llu names, %llu organisations\n",
		       src->name, date ? date : "-", state, (long long)src->files, (long long)src->records, (long long)src->errors,
		       (unsigned long long)d[LEAK_EMAIL], (unsigned long long)d[LEAK_PHONE],
		       (unsigned long long)d[LEAK_NAME], (unsigned long long)d[LEAK_ORG]);
	}
	return true;
}

int cli_sources(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'}, {"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},     {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_common opt = {0};
	struct config cfg;
	struct src_list l = {0};
	struct errbuf err = {""};
	int c, status = EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': opt.db_path = optarg; break;
		case 'c': opt.config_path = optarg; break;
		case 'j': opt.json = true; break;
		case 'h':
			printf("usage: leakguard sources [--db FILE] [--config FILE] [--json]\n\n"
			       "Lists the ingested leaks: date (ingest --date), status (complete, ingesting, interrupted), files, records,\n"
			       "unreadable records, and distinct addresses, phones, names and organisations.\n");
			return EXIT_CLEAN;
		default: return EXIT_ERROR;
		}
	}
	l.json = opt.json;
	if (!open_store(&opt, &cfg, &l.s, "sources"))
		return EXIT_ERROR;
	if (leak_index_open(l.s, NULL, &l.ix, &err)) {
		cli_error("sources", "%s", err.msg);
	} else {
		l.running = leak_ingest_running(l.s);
		if (store_leak_sources(l.s, print_source, &l, &err))
			cli_error("sources", "%s", err.msg);
		else
			status = EXIT_CLEAN;
		if (!l.n && !opt.json)
			printf("no leak ingested yet\n");
	}
	leak_index_close(&l.ix);
	store_close(&l.s);
	config_cleanup(&cfg);
	return status;
}
