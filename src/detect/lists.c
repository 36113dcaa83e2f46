/* lists.c: see lists.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "detect/lists.h"
#include "mail/url.h"
#include "util/alloc.h"

static char *normal_domain(const char *s)
{
	char *d = g_ascii_strdown(s, -1);
	size_t n = strlen(d);

	if (n && d[n - 1] == '.')
		d[n - 1] = '\0';
	return d;
}

GHashTable *lists_domain_set(const struct config_list *l)
{
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (size_t i = 0; i < l->n; i++)
		g_hash_table_add(set, normal_domain(l->items[i]));
	return set;
}

typedef enum lg_status (*line_fn)(void *ctx, char *line, struct errbuf *err);

/* Calls fn for each meaningful line of path (trimmed, comments removed). */
static enum lg_status each_line(const char *path, line_fn fn, void *ctx, struct errbuf *err)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	unsigned lineno = 0;
	enum lg_status rc = LG_OK;

	if (!f)
		return errbuf_set(err, LG_EIO, "%s: %s", path, strerror(errno));
	while (!rc && fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');
		char *s;

		lineno++;
		if (hash)
			*hash = '\0';
		s = g_strstrip(line);
		if (*s)
			rc = fn(ctx, s, err);
		if (rc) {
			char detail[sizeof(err->msg)];

			g_strlcpy(detail, err ? err->msg : "", sizeof(detail));
			errbuf_set(err, rc, "%s:%u: %s", path, lineno, detail);
		}
	}
	fclose(f);
	return rc;
}

static enum lg_status add_domain(void *ctx, char *line, struct errbuf *err)
{
	g_hash_table_add(ctx, normal_domain(line));
	return LG_OK;
}

enum lg_status lists_load_domains(const char *path, GHashTable **out, struct errbuf *err)
{
	*out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return path ? each_line(path, add_domain, *out, err) : LG_OK;
}

const char *lists_url_key(struct arena *a, const char *url)
{
	struct url_parts u;
	const char *key;
	size_t n;

	if (!url_parse(a, url, &u))
		return NULL;
	key = arena_printf(a, "%s%s%s%s", u.host, u.path, u.query ? "?" : "", u.query ? u.query : "");
	n = strlen(key);
	if (n > 1 && key[n - 1] == '/')
		key = arena_strndup(a, key, n - 1);
	return key;
}

static enum lg_status add_url(void *ctx, char *line, struct errbuf *err)
{
	struct arena *a = arena_new();
	const char *key = lists_url_key(a, line);
	enum lg_status rc = LG_OK;

	if (key)
		g_hash_table_add(ctx, g_strdup(key));
	else
		rc = errbuf_set(err, LG_EPARSE, "'%s' is not a URL", line);
	arena_free(&a);
	return rc;
}

enum lg_status lists_load_urls(const char *path, GHashTable **out, struct errbuf *err)
{
	*out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return path ? each_line(path, add_url, *out, err) : LG_OK;
}

static enum lg_status add_ip(void *ctx, char *line, struct errbuf *err)
{
	return iplist_add(ctx, line, err);
}

enum lg_status lists_load_ips(const char *path, struct iplist **out, struct errbuf *err)
{
	*out = iplist_new();
	return path ? each_line(path, add_ip, *out, err) : LG_OK;
}

enum lg_status lists_ip_list(const struct config_list *l, struct iplist **out, struct errbuf *err)
{
	*out = iplist_new();
	for (size_t i = 0; i < l->n; i++) {
		enum lg_status rc = iplist_add(*out, l->items[i], err);

		if (rc)
			return rc;
	}
	return LG_OK;
}

char *lists_fold_name(const char *name)
{
	char *folded = g_utf8_casefold(name, -1);
	char *out = g_malloc(strlen(folded) + 1);
	size_t n = 0;

	for (const char *p = folded; *p; p++) {
		bool sep = isspace((unsigned char)*p) || *p == '"' || *p == '\'' || *p == ',' || *p == '.';

		if (sep) {
			if (n && out[n - 1] != ' ')
				out[n++] = ' ';
		} else {
			out[n++] = *p;
		}
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	g_free(folded);
	return out;
}

struct staff_ctx {
	struct colleague *items;
	size_t n, cap;
};

static enum lg_status add_colleague(void *ctx, char *line, struct errbuf *err)
{
	struct staff_ctx *s = ctx;
	char *lt = strchr(line, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	if (!lt || !gt || lt == line)
		return errbuf_set(err, LG_EPARSE, "expected 'Display Name <address>', got '%s'", line);
	*lt = *gt = '\0';
	s->items = lg_grow(s->items, &s->cap, s->n + 1, sizeof(*s->items));
	s->items[s->n].name = lists_fold_name(line);
	s->items[s->n].addr = g_ascii_strdown(g_strstrip(lt + 1), -1);
	s->n++;
	return LG_OK;
}

enum lg_status lists_load_staff(const char *path, struct colleague **out, size_t *n, struct errbuf *err)
{
	struct staff_ctx s = {0};
	enum lg_status rc = path ? each_line(path, add_colleague, &s, err) : LG_OK;

	*out = s.items;
	*n = s.n;
	return rc;
}

void lists_free_staff(struct colleague *staff, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		g_free(staff[i].name);
		g_free(staff[i].addr);
	}
	lg_free(staff);
}
