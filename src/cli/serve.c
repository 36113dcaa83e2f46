/* serve.c: `leakguard serve` — the leak portal (src/portal/ROUTES.md) —,
 * `leakguard serve --add-operator NAME`, which creates an operator account
 * with the password read from the first line of stdin, and
 * `leakguard serve --add-range-key NAME`, which makes an API key for the
 * range endpoint and prints it once, and `--revoke-key ID`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cli/cli.h"
#include "portal/password.h"
#include "portal/server.h"
#include "portal/token.h"
#include "store/store.h"
#include "util/alloc.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leakguard serve [--listen HOST:PORT] [--config FILE] [--db FILE]\n"
		"       leakguard serve --add-operator NAME [--config FILE] [--db FILE] < password\n"
		"       leakguard serve --add-range-key NAME [--config FILE] [--db FILE]\n"
		"       leakguard serve --revoke-key ID [--config FILE] [--db FILE]\n\n"
		"Runs the leak portal: web pages and a JSON API over the leak index in the state store.\n"
		"A person checks an address and gets a private link by mail; an organisation proves it\n"
		"controls its domain (DNS TXT record, web file or mailed link) and sees what leaked about\n"
		"it; holders of an API key may use the k-anonymity range endpoint ([portal]\n"
		"range_access: off, key or public); operators see the sources and the\n"
		"audit log. Settings: [portal] in the configuration; routes: src/portal/ROUTES.md.\n"
		"When ready it prints \"leakguard serve: listening on URL\" on stderr. SIGTERM stops it.\n\n"
		"Options:\n"
		"  --listen HOST:PORT   where to listen (default [portal] listen; port 0: any free port)\n"
		"  --add-operator NAME  create an operator account (or set its password) and exit;\n"
		"                       the password (8 to 256 bytes) is the first line of stdin;\n"
		"                       it also lifts a lockout after wrong passwords\n"
		"  --add-range-key NAME make an API key for the range endpoint (NAME says whose, for\n"
		"                       the audit log) and print it on stdout, once; only its hash is kept\n"
		"  --revoke-key ID      delete API key ID (an organisation's or a range key; the ID is\n"
		"                       printed when it is made and is the audit log's apikey:ID); a\n"
		"                       running portal refuses it within a minute\n"
		"  --db FILE            state store\n"
		"  --config FILE        configuration file\n"
		"  -h, --help           this help\n\n"
		"Exit status: 0 stopped by a signal or account or key created, 2 usage, configuration or store error.\n");
}

/* Whether name suits an operator or a key holder; says why not. */
static bool good_name(const char *name, const char *what)
{
	if (!*name || strlen(name) > 64 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(name)) {
		cli_error("serve", "%s names are 1 to 64 letters, digits, '.', '_' or '-'", what);
		return false;
	}
	return true;
}

static int add_range_key(const struct config *cfg, const char *name)
{
	char *path = store_path(cfg);
	const char *file = g_str_has_prefix(path, "sqlite:") ? path + 7 : path;
	char tok[TOKEN_LEN + 1], key[TOKEN_LEN + 5], th[TOKEN_HEX], *who = NULL;
	struct portal_store *ps = NULL;
	struct errbuf err = {""};
	int64_t id = 0;
	int status = EXIT_ERROR;

	if (!good_name(name, "key holder"))
		goto out;
	if (!token_new(tok)) {
		cli_error("serve", "no random bytes for the key");
		goto out;
	}
	snprintf(key, sizeof(key), "lgk_%s", tok);
	token_hash(key, th); /* as the dashboard does: the hash of all of "lgk_..." */
	who = g_strdup_printf("operator:%s", name);
	/* domain "": the key opens the range endpoint and no domain's data */
	if (portal_store_open(file, &ps, &err) || portal_apikey_add(ps, th, "", who, &id, &err)) {
		cli_error("serve", "%s", err.msg);
		goto out;
	}
	printf("%s\n", key);
	fprintf(stderr, "leakguard serve: range key %lld for %s (Authorization: Bearer KEY)\n", (long long)id, name);
	status = EXIT_CLEAN;
out:
	memset(tok, 0, sizeof(tok));
	memset(key, 0, sizeof(key));
	g_free(who);
	portal_store_close(&ps);
	g_free(path);
	return status;
}

static int revoke_key(const struct config *cfg, const char *arg)
{
	char *path = store_path(cfg);
	const char *file = g_str_has_prefix(path, "sqlite:") ? path + 7 : path;
	struct portal_store *ps = NULL;
	struct errbuf err = {""};
	int status = EXIT_ERROR;
	bool found = false;
	char *end;
	long long id = strtoll(arg, &end, 10);

	if (!*arg || *end || id < 1) {
		cli_error("serve", "--revoke-key: '%s' is not a key ID (a positive number)", arg);
		goto out;
	}
	if (portal_store_open(file, &ps, &err) || portal_apikey_del(ps, (int64_t)id, &found, &err)) {
		cli_error("serve", "%s", err.msg);
		goto out;
	}
	if (!found) {
		cli_error("serve", "--revoke-key: there is no API key %lld", id);
		goto out;
	}
	fprintf(stderr, "leakguard serve: API key %lld revoked\n", id);
	status = EXIT_CLEAN;
out:
	portal_store_close(&ps);
	g_free(path);
	return status;
}

static int add_operator(const struct config *cfg, const char *name)
{
	char *path = store_path(cfg);
	const char *file = g_str_has_prefix(path, "sqlite:") ? path + 7 : path;
	char line[PASSWORD_MAX + 2];
	struct portal_operator op = {0};
	struct portal_store *ps = NULL;
	struct errbuf err = {""};
	int status = EXIT_ERROR;
	size_t n;

	if (!good_name(name, "operator"))
		goto out;
	if (!fgets(line, sizeof(line), stdin)) {
		cli_error("serve", "give the password on the first line of stdin");
		goto out;
	}
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (n < PASSWORD_MIN || n > PASSWORD_MAX) {
		cli_error("serve", "the password must be %d to %d bytes long", PASSWORD_MIN, PASSWORD_MAX);
		goto out;
	}
	g_strlcpy(op.name, name, sizeof(op.name));
	if (!password_set(&op, line)) {
		cli_error("serve", "no random bytes for the password salt");
		goto out;
	}
	if (portal_store_open(file, &ps, &err) || portal_operator_put(ps, &op, &err) ||
	    portal_login_succeeded(ps, op.name, &err)) {
		cli_error("serve", "%s", err.msg);
		goto out;
	}
	fprintf(stderr, "leakguard serve: operator %s can log in at /operator/login\n", name);
	status = EXIT_CLEAN;
out:
	memset(line, 0, sizeof(line));
	portal_store_close(&ps);
	g_free(path);
	return status;
}

int cli_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, 'l'}, {"add-operator", required_argument, NULL, 'o'},
		{"db", required_argument, NULL, 'd'},     {"config", required_argument, NULL, 'c'},
		{"add-range-key", required_argument, NULL, 'k'}, {"revoke-key", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_common opt = {0};
	const char *listen = NULL, *operator = NULL, *range_key = NULL, *revoke = NULL;
	struct config cfg;
	struct portal *p = NULL;
	struct errbuf err = {""};
	int c, status = EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': listen = optarg; break;
		case 'o': operator = optarg; break;
		case 'k': range_key = optarg; break;
		case 'r': revoke = optarg; break;
		case 'd': opt.db_path = optarg; break;
		case 'c': opt.config_path = optarg; break;
		case 'h': usage(stdout); return EXIT_CLEAN;
		default: usage(stderr); return EXIT_ERROR;
		}
	}
	if (optind < argc) {
		cli_error("serve", "unexpected argument '%s'", argv[optind]);
		return EXIT_ERROR;
	}
	if (!cli_load_config(&opt, &cfg))
		return EXIT_ERROR;
	if ((operator != NULL) + (range_key != NULL) + (revoke != NULL) > 1) {
		cli_error("serve", "--add-operator, --add-range-key and --revoke-key are separate runs");
	} else if (operator) {
		status = add_operator(&cfg, operator);
	} else if (range_key) {
		status = add_range_key(&cfg, range_key);
	} else if (revoke) {
		status = revoke_key(&cfg, revoke);
	} else if (portal_open(&cfg, listen, &p, &err) || portal_serve(p, &err)) {
		cli_error("serve", "%s", err.msg);
	} else {
		status = EXIT_CLEAN;
	}
	portal_close(&p);
	config_cleanup(&cfg);
	return status;
}
