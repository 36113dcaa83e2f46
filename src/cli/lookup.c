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
#include "store/store.h"
#include "util/alloc.h"

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
	path = cfg->db ? g_strdup(cfg->db) : store_default_path();
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

/* Prints one lookup (resolving a fixed number of places, decoys included). */
static void print_result(struct store *s, struct leak_index *ix, enum leak_query_kind kind, const char *query,
			 const char *norm, const struct leak_result *r, bool json)
{
	struct buf path, snip;
	json_t *o = NULL, *arr = NULL;
	size_t resolved = 0;

	buf_init(&path);
	buf_init(&snip);
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

		if (json) {
			counts = json_object();
			for (int k = 1; k < LEAK_KINDS; k++)
				if (h->distinct[k])
					json_object_set_new(counts, leak_kind_name((enum leak_kind)k),
							    json_integer((json_int_t)h->distinct[k]));
			places = json_array();
			so = json_pack("{s:o, s:o, s:I, s:I, s:o}", "source", jstr(h->name), "counts", counts,
				       "occurrences", (json_int_t)h->occurrences, "with_password",
				       (json_int_t)h->with_password, "places", places);
		} else {
			bool first = true;

			printf("  %s:", h->name);
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
			bool changed;
			struct errbuf err;

			resolved++;
			if (leak_place_resolve(s, &h->places[p], &path, &line, &snip, &changed, &err))
				continue;
			if (json) {
				json_array_append_new(places, json_pack("{s:o, s:I, s:s, s:o}", "file", jstr(path.data),
									"line", (json_int_t)line, "kind",
									leak_kind_name(h->places[p].kind), "snippet",
									changed ? json_null() : jstr(snip.data)));
			} else if (changed) {
				printf("    %s: (file moved or changed since ingest; no snippet)\n", path.data);
			} else {
				printf("    %s:%llu  %s\n", path.data, (unsigned long long)line, snip.data ? snip.data : "");
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
static int batch(struct leak_index *ix, const char *file, bool json, bool latency)
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
		uint32_t group;
		uint64_t value;
		double t;

		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		kind = guess_kind(line);
		t = now();
		if (!leak_query_key(kind, line, &group, &value, norm)) {
			if (json)
				printf("{\"query\":\"(invalid)\",\"found\":false,\"error\":\"not an address, phone or domain\"}\n");
			else
				printf("%s\tinvalid\n", line);
			continue;
		}
		leak_lookup(ix, kind, group, value, &r);
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
			json_t *srcs = json_object();

			for (size_t i = 0; i < r.nsrc; i++)
				json_object_set_new(srcs, r.src[i].name, json_integer((json_int_t)r.src[i].occurrences));
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

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leakguard lookup [OPTIONS] (--domain DOMAIN | --email ADDRESS | --phone NUMBER)\n"
		"       leakguard lookup [OPTIONS] --batch FILE    (one address, phone or domain per line; - for stdin)\n\n"
		"Tells whether an organisation (domain), an address or a phone number appears in an\n"
		"ingested leak: counts per leak and kind, places (file:line) and redacted snippets.\n"
		"Address and phone lookups take the same time whether found or not.\n\n"
		"Options:\n"
		"  --source NAME     only this leak\n"
		"  --latency         with --batch: print throughput and latency percentiles on stderr\n"
		"  --db FILE         state store\n"
		"  --config FILE     configuration file\n"
		"  --json            JSON output\n"
		"  -h, --help        this help\n\n"
		"Exit status: 0 not found, 1 found in some leak, 2 usage error or no leak index.\n");
}

int cli_lookup(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"domain", required_argument, NULL, 'D'}, {"email", required_argument, NULL, 'e'},
		{"phone", required_argument, NULL, 'p'},  {"batch", required_argument, NULL, 'b'},
		{"source", required_argument, NULL, 's'}, {"latency", no_argument, NULL, 'L'},
		{"db", required_argument, NULL, 'd'},     {"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},         {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_common opt = {0};
	const char *query = NULL, *source = NULL, *batch_file = NULL;
	enum leak_query_kind kind = LEAK_Q_DOMAIN;
	bool latency = false;
	struct config cfg;
	struct store *s = NULL;
	struct leak_index *ix = NULL;
	struct errbuf err = {""};
	int c, nq = 0, status = EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'D': query = optarg; kind = LEAK_Q_DOMAIN; nq++; break;
		case 'e': query = optarg; kind = LEAK_Q_EMAIL; nq++; break;
		case 'p': query = optarg; kind = LEAK_Q_PHONE; nq++; break;
		case 'b': batch_file = optarg; nq++; break;
		case 's': source = optarg; break;
		case 'L': latency = true; break;
		case 'd': opt.db_path = optarg; break;
		case 'c': opt.config_path = optarg; break;
		case 'j': opt.json = true; break;
		case 'h': usage(stdout); return EXIT_CLEAN;
		default: usage(stderr); return EXIT_ERROR;
		}
	}
	if (nq != 1 || optind < argc) {
		cli_error("lookup", "give exactly one of --domain, --email, --phone or --batch");
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!open_store(&opt, &cfg, &s, "lookup"))
		return EXIT_ERROR;
	if (leak_index_open(s, source, &ix, &err)) {
		cli_error("lookup", "%s", err.msg);
	} else if (batch_file) {
		status = batch(ix, batch_file, opt.json, latency);
	} else {
		char norm[LEAK_MAX_VALUE + 1];
		uint32_t group;
		uint64_t value;
		struct leak_result r;

		if (!leak_query_key(kind, query, &group, &value, norm)) {
			cli_error("lookup", "'%s' is not a valid %s", query,
				  kind == LEAK_Q_EMAIL ? "email address" : kind == LEAK_Q_PHONE ? "phone number (use +CC...)" : "domain");
		} else {
			leak_lookup(ix, kind, group, value, &r);
			print_result(s, ix, kind, query, norm, &r, opt.json);
			status = r.found ? EXIT_FLAGGED : EXIT_CLEAN;
			leak_result_cleanup(&r);
		}
	}
	leak_index_close(&ix);
	store_close(&s);
	config_cleanup(&cfg);
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
	if (l->ix)
		leak_source_distinct(l->ix, src->id, d);
	l->n++;
	if (l->json) {
		json_t *o = json_pack("{s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}}", "source",
				      jstr(src->name), "status", state, "files", (json_int_t)src->files, "bytes",
				      (json_int_t)src->bytes, "records", (json_int_t)src->records, "entries",
				      (json_int_t)src->entries, "unreadable_records", (json_int_t)src->errors,
				      "segments", (json_int_t)src->segments, "distinct", "email",
				      (json_int_t)d[LEAK_EMAIL], "phone", (json_int_t)d[LEAK_PHONE], "name",
				      (json_int_t)d[LEAK_NAME], "organisation", (json_int_t)d[LEAK_ORG]);

		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else {
		printf("%-24s %-11s %6lld files %10lld records %8lld unreadable  %llu emails, %llu phones, "
		       "%llu names, %llu organisations\n",
		       src->name, state, (long long)src->files, (long long)src->records, (long long)src->errors,
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
			       "Lists the ingested leaks: status (complete, ingesting, interrupted), files, records,\n"
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
