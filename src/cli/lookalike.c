/* lookalike.c: `leakguard lookalike` — for each domain given (arguments, or
 * one per line on stdin), which protected domain it imitates and how. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "cli/cli.h"
#include "detect/lookalike.h"
#include "mail/url.h"
#include "util/arena.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leakguard lookalike [OPTIONS] [DOMAIN...]\n\n"
		"Tells for each domain whether it imitates a protected domain, and how\n"
		"(confusable, character-trick, edit-distance, tld-swap, brand-embedded).\n"
		"Without DOMAIN arguments, reads one domain per line from stdin.\n\n"
		"Options:\n"
		"  --protect LIST    comma-separated domains to protect (default: the\n"
		"                    configuration's [protect] domains and brands)\n"
		"  --config FILE     configuration file\n"
		"  --json            one JSON object per domain\n"
		"  -h, --help        this help\n\n"
		"Exit status: 0 no lookalikes, 1 some domain is a lookalike, 2 error.\n");
}

static bool judge(const struct lookalike_set *set, const char *domain, bool json)
{
	struct lookalike_match m = {0};
	bool hit = lookalike_check(set, domain, &m);

	if (json) {
		json_t *o = json_object();

		json_t *name = json_string(domain);

		json_object_set_new(o, "domain", name ? name : json_string("(invalid UTF-8)"));
		json_object_set_new(o, "lookalike_of", hit ? json_string(m.protected_domain) : json_null());
		json_object_set_new(o, "technique", hit ? json_string(lookalike_technique_name(m.technique)) : json_null());
		json_object_set_new(o, "score", json_real(hit ? m.score : 0));
		json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		struct arena *a = arena_new();

		if (hit)
			printf("%s: LOOKALIKE of %s (%s, score %.2f)\n", url_defang(a, domain),
			       m.protected_domain, lookalike_technique_name(m.technique), m.score);
		else
			printf("%s: ok\n", url_defang(a, domain));
		arena_free(&a);
	}
	return hit;
}

/* Domains from the protect list, or else from the configuration. */
static struct lookalike_set *build_set(const char *protect, const struct config *cfg)
{
	struct lookalike_set *set = NULL;
	struct errbuf err = {""};
	struct config_list list = {0};
	GPtrArray *all = g_ptr_array_new();

	if (protect) {
		config_list_set(&list, protect);
		for (size_t i = 0; i < list.n; i++)
			g_ptr_array_add(all, list.items[i]);
	} else {
		for (size_t i = 0; i < cfg->protect_domains.n; i++)
			g_ptr_array_add(all, cfg->protect_domains.items[i]);
		for (size_t i = 0; i < cfg->brands.n; i++)
			g_ptr_array_add(all, cfg->brands.items[i]);
	}
	if (lookalike_set_new((const char *const *)all->pdata, all->len, &set, &err))
		cli_error("lookalike", "%s", err.msg);
	g_ptr_array_free(all, TRUE);
	config_list_clear(&list);
	return set;
}

static int judge_stdin(const struct lookalike_set *set, bool json)
{
	char line[1024];
	int status = EXIT_CLEAN;

	while (fgets(line, sizeof(line), stdin)) {
		char *d = g_strstrip(line);

		if (*d && *d != '#' && judge(set, d, json))
			status = EXIT_FLAGGED;
	}
	return status;
}

int cli_lookalike(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'}, {"protect", required_argument, NULL, 'p'},
		{"json", no_argument, NULL, 'j'},         {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_common opt = {0};
	const char *protect = NULL;
	struct lookalike_set *set;
	struct config cfg;
	int c, status = EXIT_CLEAN;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opt.config_path = optarg; break;
		case 'p': protect = optarg; break;
		case 'j': opt.json = true; break;
		case 'h': usage(stdout); return EXIT_CLEAN;
		default: usage(stderr); return EXIT_ERROR;
		}
	}
	if (!cli_load_config(&opt, &cfg))
		return EXIT_ERROR;
	set = build_set(protect, &cfg);
	config_cleanup(&cfg);
	if (!set)
		return EXIT_ERROR;
	if (optind == argc)
		status = judge_stdin(set, opt.json);
	for (int i = optind; i < argc; i++)
		if (judge(set, argv[i], opt.json))
			status = EXIT_FLAGGED;
	lookalike_set_free(&set);
	return status;
}
