/* stats.c: `leakguard stats` — what the running services count, on a
 * terminal: it reads their /metrics endpoints ([portal] metrics_listen, or
 * --url) and prints each family's help line and its series, a histogram
 * as its count and sum. --raw prints the Prometheus text as served. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <glib.h>

#include "cli/cli.h"
#include "util/buf.h"

#define STATS_MAX_BODY (8u << 20) /* a scrape larger than this is not ours */
#define STATS_MAX_URLS 8

static void usage(FILE *f)
{
	fprintf(f,
		"usage: leakguard stats [--url URL]... [--raw] [--config FILE]\n\n"
		"Prints what the running services count: requests by route and status, 429s,\n"
		"verifications, mail queued and sent for the portal. It reads their Prometheus\n"
		"endpoints: [portal] metrics_listen in the configuration, or each --url given.\n\n"
		"Options:\n"
		"  --url URL         a /metrics endpoint to read (repeatable; instead of the\n"
		"                    configuration's)\n"
		"  --raw             print the Prometheus text as served\n"
		"  --config FILE     configuration (default /etc/leakguard/leakguard.conf if present)\n"
		"  -h, --help        this help\n\n"
		"Exit status: 0 every endpoint read, 2 usage error, none configured or one unreadable.\n");
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	return buf_append_max(arg, p, size * n, STATS_MAX_BODY) ? size * n : 0;
}

static bool fetch(const char *url, struct buf *out, char *why, size_t whylen)
{
	CURL *c = curl_easy_init();
	long code = 0;
	CURLcode rc;

	if (!c) {
		snprintf(why, whylen, "cannot start libcurl");
		return false;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		snprintf(why, whylen, "%s", curl_easy_strerror(rc));
		return false;
	}
	if (code != 200) {
		snprintf(why, whylen, "HTTP status %ld", code);
		return false;
	}
	return true;
}

/* http://HOST:PORT/metrics for a HOST:PORT listen value; a wildcard host
 * is asked on loopback. */
static char *url_of(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	char *host;
	char *url;

	if (!colon)
		return NULL;
	host = g_strndup(listen, (size_t)(colon - listen));
	if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "") == 0) {
		g_free(host);
		host = g_strdup("127.0.0.1");
	} else if (strcmp(host, "[::]") == 0) {
		g_free(host);
		host = g_strdup("[::1]");
	}
	url = g_strdup_printf("http://%s%s/metrics", host, colon);
	g_free(host);
	return url;
}

/* The family's name for a sample name: histograms' _bucket, _sum, _count. */
static bool is_bucket(const char *name, size_t n, const char *hist)
{
	size_t h = strlen(hist);

	return hist[0] && n == h + 7 && strncmp(name, hist, h) == 0 && strncmp(name + h, "_bucket", 7) == 0;
}

/* Prints "help (name)" per family and "  labels  value" per sample. */
static void pretty(const char *text)
{
	char **lines = g_strsplit(text, "\n", -1);
	char hist[256] = "";

	for (char **l = lines; *l; l++) {
		const char *line = *l;
		const char *sp, *brace, *end;

		if (g_str_has_prefix(line, "# HELP ")) {
			const char *name = line + 7, *help = strchr(name, ' ');

			if (help)
				printf("\n%s (%.*s)\n", help + 1, (int)(help - name), name);
			continue;
		}
		if (g_str_has_prefix(line, "# TYPE ")) {
			const char *name = line + 7, *type = strchr(name, ' ');

			hist[0] = '\0';
			if (type && strcmp(type + 1, "histogram") == 0 && (size_t)(type - name) < sizeof(hist))
				g_strlcpy(hist, name, (size_t)(type - name) + 1);
			continue;
		}
		if (!*line || *line == '#')
			continue;
		sp = strrchr(line, ' ');
		if (!sp)
			continue;
		brace = strchr(line, '{');
		if (brace && brace > sp)
			brace = NULL;
		end = brace ? brace : sp;
		if (is_bucket(line, (size_t)(end - line), hist))
			continue;
		if (brace) {
			const char *close = strrchr(line, '}');

			printf("  %-64.*s %s\n", close ? (int)(close - brace - 1) : 0, brace + 1, sp + 1);
		} else if (hist[0] && (size_t)(end - line) > strlen(hist)) { /* NAME_sum, NAME_count */
			printf("  %-64.*s %s\n", (int)((size_t)(end - line) - strlen(hist) - 1), line + strlen(hist) + 1,
			       sp + 1);
		} else {
			printf("  %-64s %s\n", "total", sp + 1);
		}
	}
	g_strfreev(lines);
}

int cli_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"url", required_argument, NULL, 'u'},
		{"raw", no_argument, NULL, 'r'},
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_common opt = {0};
	struct config cfg;
	char *urls[STATS_MAX_URLS];
	const char *names[STATS_MAX_URLS];
	size_t n = 0;
	bool raw = false;
	int c, status = EXIT_CLEAN;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (n == STATS_MAX_URLS) {
				cli_error("stats", "at most %d --url", STATS_MAX_URLS);
				goto usage_error;
			}
			names[n] = "endpoint";
			urls[n++] = g_strdup(optarg);
			break;
		case 'r': raw = true; break;
		case 'c': opt.config_path = optarg; break;
		case 'h': usage(stdout); goto out_free;
		default: goto usage_error;
		}
	}
	if (optind < argc)
		goto usage_error;
	if (!cli_load_config(&opt, &cfg)) {
		status = EXIT_ERROR;
		goto out_free;
	}
	if (!n && cfg.portal_metrics_listen) {
		names[n] = "portal";
		urls[n] = url_of(cfg.portal_metrics_listen);
		if (urls[n])
			n++;
	}
	config_cleanup(&cfg);
	if (!n) {
		cli_error("stats", "no metrics endpoint: set [portal] metrics_listen or give --url");
		status = EXIT_ERROR;
		goto out_free;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (size_t i = 0; i < n; i++) {
		struct buf b;
		char why[256];

		buf_init(&b);
		if (!fetch(urls[i], &b, why, sizeof(why))) {
			cli_error("stats", "%s: %s", urls[i], why);
			status = EXIT_ERROR;
		} else if (raw) {
			fputs(b.data ? b.data : "", stdout);
		} else {
			printf("%s%s (%s)\n", i ? "\n" : "", names[i], urls[i]);
			pretty(b.data ? b.data : "");
		}
		buf_cleanup(&b);
	}
	curl_global_cleanup();
	goto out_free;
usage_error:
	usage(stderr);
	status = EXIT_ERROR;
out_free:
	for (size_t i = 0; i < n; i++)
		g_free(urls[i]);
	return status;
}
