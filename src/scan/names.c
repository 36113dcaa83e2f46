/* names.c: storage name rules and candidate generation (names.h). */
#include <string.h>

#include "scan/names.h"
#include "util/alloc.h"

const char *const scan_mutation_words[] = {
	"backup", "backups", "data", "files", "storage", "prod", "dev", "test", "staging", "archive",
	"public", "share", "docs", "documents", "media", "static", "assets", "web", "logs", "export",
	"uploads", "invoices", "images", "store", "blob", "cdn",
};
const size_t scan_mutation_nwords = sizeof(scan_mutation_words) / sizeof(scan_mutation_words[0]);

const char *const scan_common_containers[] = {
	"$web", "backup", "backups", "data", "files", "public", "uploads", "documents", "docs", "images",
	"media", "assets", "static", "export", "exports", "invoices", "logs", "archive", "share", "test",
};
const size_t scan_common_ncontainers = sizeof(scan_common_containers) / sizeof(scan_common_containers[0]);

const char *const scan_common_objects[] = {
	"index.html", "backup.zip", "backup.sql", "data.csv", "export.csv", "users.csv", "customers.csv",
	"contacts.csv", "config.json", "test.txt", "readme.txt", "dump.sql",
};
const size_t scan_common_nobjects = sizeof(scan_common_objects) / sizeof(scan_common_objects[0]);

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool looks_like_ipv4(const char *s)
{
	int dots = 0, digits = 0;

	for (; *s; s++) {
		if (*s == '.') {
			if (!digits)
				return false;
			dots++;
			digits = 0;
		} else if (*s >= '0' && *s <= '9') {
			digits++;
		} else {
			return false;
		}
	}
	return dots == 3 && digits;
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

bool scan_name_valid(enum scan_name_kind kind, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!s)
		return false;
	switch (kind) {
	case SCAN_NAME_AZ_ACCOUNT:
		if (n < 3 || n > 24)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!is_lower_alnum(s[i]))
				return false;
		return true;
	case SCAN_NAME_AZ_CONTAINER:
		if (strcmp(s, "$web") == 0 || strcmp(s, "$root") == 0 || strcmp(s, "$logs") == 0)
			return true;
		if (n < 3 || n > 63 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
			return false;
		for (size_t i = 0; i < n; i++) {
			if (!is_lower_alnum(s[i]) && s[i] != '-')
				return false;
			if (s[i] == '-' && s[i + 1] == '-')
				return false;
		}
		return true;
	case SCAN_NAME_S3_BUCKET:
		if (n < 3 || n > 63 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
			return false;
		for (size_t i = 0; i < n; i++) {
			char c = s[i], d = s[i + 1];

			if (!is_lower_alnum(c) && c != '-' && c != '.')
				return false;
			if (c == '.' && (d == '.' || d == '-'))
				return false;
			if (c == '-' && d == '.')
				return false;
		}
		if (looks_like_ipv4(s) || strncmp(s, "xn--", 4) == 0 || strncmp(s, "sthree-", 7) == 0 ||
		    ends_with(s, n, "-s3alias") || ends_with(s, n, "--ol-s3"))
			return false;
		return true;
	}
	return false;
}

/* A small open-addressing set of emitted names (FNV-1a). */
struct seen {
	char **slot;
	size_t cap, n;
};

static size_t fnv(const char *s)
{
	size_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static bool seen_add(struct seen *st, const char *s)
{
	size_t i;

	if (st->n * 2 >= st->cap) {
		struct seen big = {lg_calloc(st->cap ? st->cap * 2 : 256, sizeof(char *)), st->cap ? st->cap * 2 : 256, 0};

		for (size_t k = 0; k < st->cap; k++)
			if (st->slot[k])
				for (i = fnv(st->slot[k]) & (big.cap - 1);; i = (i + 1) & (big.cap - 1))
					if (!big.slot[i]) {
						big.slot[i] = st->slot[k];
						big.n++;
						break;
					}
		lg_free(st->slot);
		*st = big;
	}
	for (i = fnv(s) & (st->cap - 1); st->slot[i]; i = (i + 1) & (st->cap - 1))
		if (strcmp(st->slot[i], s) == 0)
			return false;
	st->slot[i] = lg_strdup(s);
	st->n++;
	return true;
}

static void seen_cleanup(struct seen *st)
{
	for (size_t k = 0; k < st->cap; k++)
		lg_free(st->slot[k]);
	lg_free(st->slot);
}

/* Lower-cases kw into out, keeping only characters the kind allows inside. */
static void clean_keyword(enum scan_name_kind kind, const char *kw, char *out, size_t cap)
{
	size_t o = 0;

	for (; *kw && o + 1 < cap; kw++) {
		char c = *kw;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (is_lower_alnum(c) || (c == '-' && kind != SCAN_NAME_AZ_ACCOUNT) ||
		    (c == '.' && kind == SCAN_NAME_S3_BUCKET))
			out[o++] = c;
	}
	out[o] = '\0';
}

struct gen {
	enum scan_name_kind kind;
	struct seen seen;
	scan_name_cb cb;
	void *ctx;
	size_t emitted;
	bool stop;
};

static void emit(struct gen *g, const char *a, const char *j, const char *b)
{
	char name[128];
	size_t la = strlen(a), lj = strlen(j), lb = strlen(b);

	if (g->stop || la + lj + lb >= sizeof(name))
		return;
	memcpy(name, a, la);
	memcpy(name + la, j, lj);
	memcpy(name + la + lj, b, lb + 1);
	if (!scan_name_valid(g->kind, name) || !seen_add(&g->seen, name))
		return;
	g->emitted++;
	if (!g->cb(g->ctx, name))
		g->stop = true;
}

size_t scan_names_generate(enum scan_name_kind kind, const char *const *keywords, size_t nkeywords,
			   const char *const *words, size_t nwords, scan_name_cb cb, void *ctx)
{
	static const char *const joiners[] = {"", "-", "."};
	size_t njoin = kind == SCAN_NAME_AZ_ACCOUNT ? 1 : kind == SCAN_NAME_AZ_CONTAINER ? 2 : 3;
	struct gen g = {kind, {NULL, 0, 0}, cb, ctx, 0, false};
	char kw[80];

	if (!words) {
		words = scan_mutation_words;
		nwords = scan_mutation_nwords;
	}
	for (size_t k = 0; k < nkeywords; k++) {
		clean_keyword(kind, keywords[k], kw, sizeof(kw));
		emit(&g, kw, "", "");
	}
	for (size_t k = 0; k < nkeywords; k++) {
		clean_keyword(kind, keywords[k], kw, sizeof(kw));
		if (!kw[0])
			continue;
		for (size_t w = 0; w < nwords; w++)
			for (size_t j = 0; j < njoin; j++) {
				emit(&g, kw, joiners[j], words[w]);
				emit(&g, words[w], joiners[j], kw);
			}
	}
	seen_cleanup(&g.seen);
	return g.emitted;
}
