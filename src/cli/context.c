/* context.c: `leakguard context` — what leaked about the organisation:
 * builds the leak context (src/leak/orgctx.h) from the leak index when
 * asked (--build) or when there is none, then prints its counts: leaked
 * partners, business identifiers by kind, staff addresses; --show lists the
 * partners and the counts per leak. Identifiers are kept only as keyed
 * hashes, so they can be counted but never printed. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <jansson.h>

#include "cli/cli.h"
#include "context/store.h"
#include "leak/orgctx.h"
#include "mail/message.h"
#include "store/store.h"
#include "util/alloc.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leakguard context [OPTIONS]\n\n"
		"What leaked about your organisation, as check and the milter use it: partners whose\n"
		"correspondence with you leaked (their lookalikes are flagged), business identifiers\n"
		"(invoice, order and contract numbers, project names, document titles) that a stranger\n"
		"should not know, and staff addresses phishers know. Built from the leak index\n"
		"(leakguard ingest) when there is no context yet or with --build.\n\n"
		"Options:\n"
		"  --org LIST        your domains, comma-separated (default: [protect] domains)\n"
		"  --build           (re)build from the leak index now\n"
		"  --show            list the partners and the counts per leak\n"
		"  --config FILE     configuration\n"
		"  --db FILE         state store holding the leak index\n"
		"  --json            one JSON object\n"
		"  -h, --help        this help\n\n"
		"Exit status: 0 success, 2 usage error, no leak ingested, or a store error.\n");
}

static void on_warn(void *ctx, const char *path, const char *why)
{
	fprintf(stderr, "leakguard context: %s: %s; skipped\n", path, why);
}

static enum lg_status build(const struct config *cfg, const char *path, const struct config_list *orgs,
			    struct errbuf *err)
{
	struct store *s = NULL;
	struct leak_ctx_hooks hooks = {on_warn, NULL};
	struct leak_ctx_stats st;
	enum lg_status rc = store_open(path, false, &s, err);

	if (!rc)
		rc = store_leak_attach(s, false, err);
	if (rc == LG_ENOTFOUND)
		errbuf_set(err, rc, "%s: no leak ingested yet (leakguard ingest --source NAME DUMP)", path);
	if (!rc)
		rc = leak_context_build(s, path, (const char *const *)orgs->items, orgs->n,
					(const char *const *)cfg->freemail.items, cfg->freemail.n, &hooks, &st, err);
	if (!rc)
		fprintf(stderr, "leakguard context: read %llu files (%llu messages with you, %llu documents), "
				"%llu no longer readable\n",
			(unsigned long long)st.files, (unsigned long long)st.messages,
			(unsigned long long)st.documents, (unsigned long long)st.unreadable);
	store_close(&s);
	return rc;
}

/* True when the store was built for exactly these domains. */
static bool same_orgs(const struct ctx_store *ctx, const struct config_list *orgs)
{
	if (ctx_store_orgs(ctx) != orgs->n)
		return false;
	for (size_t i = 0; i < orgs->n; i++)
		if (g_ascii_strcasecmp(ctx_store_org(ctx, i), orgs->items[i]) != 0)
			return false;
	return true;
}

static const enum ctx_kind shown_kinds[] = {CTX_INVOICE, CTX_ORDER, CTX_CONTRACT, CTX_PROJECT, CTX_TITLE};

static void print_text(const struct ctx_store *ctx, bool show)
{
	size_t numbers = 0;

	for (size_t i = 0; i < 3; i++)
		numbers += ctx_store_items(ctx, shown_kinds[i]);
	printf("organisation: ");
	for (size_t i = 0; i < ctx_store_orgs(ctx); i++)
		printf("%s%s", i ? ", " : "", ctx_store_org(ctx, i));
	printf("\nleaks: %zu\npartners: %zu\ncontext items: %zu (%zu numbers, %zu project names, %zu document titles)\n"
	       "people: %zu\n",
	       ctx_store_sources(ctx), ctx_store_partners(ctx), numbers + ctx_store_items(ctx, CTX_PROJECT) +
	       ctx_store_items(ctx, CTX_TITLE), numbers, ctx_store_items(ctx, CTX_PROJECT), ctx_store_items(ctx, CTX_TITLE),
	       ctx_store_items(ctx, CTX_PERSON));
	if (!show)
		return;
	for (size_t i = 0; i < ctx_store_partners(ctx); i++) {
		struct ctx_partner p;

		ctx_store_partner(ctx, i, &p);
		printf("partner %s  (leaked in %s; %u messages or documents)\n", p.domain, p.source, p.count);
	}
	for (size_t s = 0; s < ctx_store_sources(ctx); s++) {
		printf("leak %s:", ctx_store_source(ctx, s));
		for (size_t k = 0; k < G_N_ELEMENTS(shown_kinds); k++)
			printf(" %zu %ss,", ctx_store_items_of(ctx, shown_kinds[k], s), ctx_kind_name(shown_kinds[k]));
		printf(" %zu staff addresses\n", ctx_store_items_of(ctx, CTX_PERSON, s));
	}
	printf("(identifiers and addresses are kept as keyed hashes only, so they cannot be listed)\n");
}

static void print_json(const struct ctx_store *ctx)
{
	json_t *o = json_object(), *orgs = json_array(), *partners = json_array(), *items = json_object();
	char *s;

	for (size_t i = 0; i < ctx_store_orgs(ctx); i++)
		json_array_append_new(orgs, json_string(ctx_store_org(ctx, i)));
	for (size_t i = 0; i < ctx_store_partners(ctx); i++) {
		struct ctx_partner p;

		ctx_store_partner(ctx, i, &p);
		json_array_append_new(partners, json_pack("{s:s, s:s, s:i}", "domain", p.domain, "source", p.source,
							  "count", (json_int_t)p.count));
	}
	for (size_t k = 0; k < G_N_ELEMENTS(shown_kinds); k++)
		json_object_set_new(items, ctx_kind_name(shown_kinds[k]), json_integer((json_int_t)ctx_store_items(ctx, shown_kinds[k])));
	json_object_set_new(o, "orgs", orgs);
	json_object_set_new(o, "built", json_integer((json_int_t)ctx_store_built(ctx)));
	json_object_set_new(o, "leaks", json_integer((json_int_t)ctx_store_sources(ctx)));
	json_object_set_new(o, "partners", partners);
	json_object_set_new(o, "items", items);
	json_object_set_new(o, "people", json_integer((json_int_t)ctx_store_items(ctx, CTX_PERSON)));
	s = json_dumps(o, JSON_COMPACT);
	printf("%s\n", s);
	free(s);
	json_decref(o);
}

static int run(const struct config *cfg, const struct config_list *orgs, bool rebuild, bool show, bool json)
{
	char *path = store_path(cfg);
	struct ctx_store *ctx = NULL;
	struct errbuf err = {""};
	enum lg_status rc = ctx_store_open(path, &ctx, &err);
	int status = EXIT_CLEAN;

	if (rc || rebuild || !same_orgs(ctx, orgs)) {
		ctx_store_free(&ctx);
		rc = build(cfg, path, orgs, &err);
		if (!rc)
			rc = ctx_store_open(path, &ctx, &err);
	}
	if (rc) {
		cli_error("context", "%s", err.msg);
		status = EXIT_ERROR;
	} else if (json) {
		print_json(ctx);
	} else {
		print_text(ctx, show);
	}
	ctx_store_free(&ctx);
	g_free(path);
	return status;
}

int cli_context(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"org", required_argument, NULL, 'o'},    {"build", no_argument, NULL, 'b'},
		{"show", no_argument, NULL, 's'},         {"config", required_argument, NULL, 'c'},
		{"db", required_argument, NULL, 'd'},     {"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	struct cli_common opt = {0};
	struct config cfg;
	struct config_list orgs = {0};
	const char *org = NULL;
	bool rebuild = false, show = false;
	int c, status;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': org = optarg; break;
		case 'b': rebuild = true; break;
		case 's': show = true; break;
		case 'c': opt.config_path = optarg; break;
		case 'd': opt.db_path = optarg; break;
		case 'j': opt.json = true; break;
		case 'h': usage(stdout); return EXIT_CLEAN;
		default: usage(stderr); return EXIT_ERROR;
		}
	}
	if (optind < argc) {
		cli_error("context", "unexpected argument '%s'", argv[optind]);
		return EXIT_ERROR;
	}
	if (!cli_load_config(&opt, &cfg))
		return EXIT_ERROR;
	if (org) {
		config_list_set(&orgs, org);
	} else { /* the configuration's own domains, taken over */
		orgs = cfg.protect_domains;
		cfg.protect_domains = (struct config_list){0};
	}
	if (!orgs.n) {
		cli_error("context", "no organisation: give --org example.com or set [protect] domains");
		config_cleanup(&cfg);
		return EXIT_ERROR;
	}
	mail_init();
	status = run(&cfg, &orgs, rebuild, show, opt.json);
	mail_shutdown();
	config_list_clear(&orgs);
	config_cleanup(&cfg);
	return status;
}
