/* authres.c: see authres.h. RFC 8601 section 2.2 grammar over RFC 5322
 * lexical tokens: the value is first cut into words, ";" and "=" outside
 * quoted strings (RFC 5322 3.2.4) and comments (3.2.2, nested, with
 * quoted-pairs), then read as "authserv-id [version] *(; resinfo)", each
 * resinfo "method[/version]=result *(ptype.property=value)". A word glued
 * to a quoted string ("x;y"@example) stays one word, marked quoted, and is
 * never taken as a method or result. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "mail/authres.h"
#include "util/alloc.h"

#define MAX_VALUE 16384 /* bytes of a header value read at all */
#define MAX_TOKENS 512  /* words and separators of one value */

static const char *const names[] = {
	"absent", "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy", "other",
};

const char *authres_result_name(enum authres_result r)
{
	return names[r];
}

static enum authres_result result_of(const char *s)
{
	for (int r = AUTHRES_PASS; r < AUTHRES_OTHER; r++)
		if (strcasecmp(s, names[r]) == 0)
			return (enum authres_result)r;
	return AUTHRES_OTHER;
}

enum tok_kind { TOK_WORD, TOK_SEMI, TOK_EQ };

struct tok {
	enum tok_kind kind;
	const char *text; /* TOK_WORD: NUL-terminated, quotes and quoted-pairs removed */
	bool quoted;      /* the word holds (part of) a quoted string */
};

struct lexer {
	struct tok toks[MAX_TOKENS];
	size_t n;
	char *text; /* the words' storage */
};

/* Skips the comment opening at *p (nesting, quoted-pairs); false when it
 * does not end. */
static bool skip_comment(const char **p)
{
	int depth = 0;

	for (const char *s = *p; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			continue;
		}
		if (*s == '(')
			depth++;
		else if (*s == ')' && --depth == 0) {
			*p = s + 1;
			return true;
		}
	}
	return false;
}

static bool push(struct lexer *lx, enum tok_kind kind, const char *text, bool quoted)
{
	if (lx->n >= MAX_TOKENS)
		return false;
	lx->toks[lx->n++] = (struct tok){kind, text, quoted};
	return true;
}

/* Cuts value into tokens; false when a quoted string or comment does not
 * end or there are too many tokens. */
static bool lex(struct lexer *lx, const char *value)
{
	char *w = lx->text;
	const char *p = value;

	while (*p) {
		const char *start;
		bool quoted = false;

		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '(') {
			if (!skip_comment(&p))
				return false;
			continue;
		}
		if (*p == ';' || *p == '=') {
			if (!push(lx, *p == ';' ? TOK_SEMI : TOK_EQ, NULL, false))
				return false;
			p++;
			continue;
		}
		if (*p == ')')
			return false; /* a comment that never opened */
		/* A word: atom characters and quoted strings, glued. */
		start = w;
		while (*p && !isspace((unsigned char)*p) && *p != '(' && *p != ')' && *p != ';' && *p != '=') {
			if (*p != '"') {
				*w++ = *p++;
				continue;
			}
			quoted = true;
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				*w++ = *p;
			}
			if (*p != '"')
				return false;
			p++;
		}
		*w++ = '\0';
		if (!push(lx, TOK_WORD, start, quoted))
			return false;
	}
	return true;
}

static void lower_copy(char *out, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n >= size) {
		*out = '\0';
		return;
	}
	for (size_t i = 0; i <= n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
}

/* The domain of an address or domain value: after the last '@'. */
static void domain_copy(char *out, size_t size, const char *s)
{
	const char *at = strrchr(s, '@');

	lower_copy(out, size, at ? at + 1 : s);
}

static bool is_word(const struct lexer *lx, size_t i)
{
	return i < lx->n && lx->toks[i].kind == TOK_WORD;
}

static bool is_eq(const struct lexer *lx, size_t i)
{
	return i < lx->n && lx->toks[i].kind == TOK_EQ;
}

/* Counts of the methods seen, to find a header that says two things. */
struct seen {
	unsigned spf, dmarc;
};

/* Reads the resinfo from token i (just after its ";") to the next ";". */
static void resinfo(struct authres *ar, struct seen *seen, const struct lexer *lx, size_t i, size_t end)
{
	const char *method, *res;
	size_t mlen;
	enum authres_result r;
	char helo[256] = "";
	bool spf, dmarc, dkim;

	if (i + 2 >= end || !is_word(lx, i) || lx->toks[i].quoted || !is_eq(lx, i + 1) || !is_word(lx, i + 2) ||
	    lx->toks[i + 2].quoted)
		return; /* not "method=result": nothing is read from it */
	method = lx->toks[i].text;
	mlen = strcspn(method, "/");
	res = lx->toks[i + 2].text;
	r = result_of(res);
	spf = mlen == 3 && strncasecmp(method, "spf", 3) == 0;
	dmarc = mlen == 5 && strncasecmp(method, "dmarc", 5) == 0;
	dkim = mlen == 4 && strncasecmp(method, "dkim", 4) == 0;
	if (spf && seen->spf++ == 0)
		ar->spf = r;
	if (dmarc && seen->dmarc++ == 0)
		ar->dmarc = r;
	if (dkim) {
		if (!ar->dkim)
			ar->dkim = r;
		ar->dkim_any_pass |= r == AUTHRES_PASS;
	}
	/* Properties: "ptype.property = value", in order. */
	for (size_t k = i + 3; k + 2 < end; k++) {
		const char *name, *val;

		if (!is_word(lx, k) || !is_eq(lx, k + 1) || !is_word(lx, k + 2))
			continue;
		name = lx->toks[k].text;
		val = lx->toks[k + 2].text;
		if (dkim && r == AUTHRES_PASS && !*ar->dkim_pass_domain && strcasecmp(name, "header.d") == 0)
			domain_copy(ar->dkim_pass_domain, sizeof(ar->dkim_pass_domain), val);
		else if (dmarc && seen->dmarc == 1 && strcasecmp(name, "header.from") == 0)
			domain_copy(ar->dmarc_from, sizeof(ar->dmarc_from), val);
		else if (spf && seen->spf == 1 && strcasecmp(name, "smtp.mailfrom") == 0)
			domain_copy(ar->spf_domain, sizeof(ar->spf_domain), val);
		else if (spf && seen->spf == 1 && strcasecmp(name, "smtp.helo") == 0)
			domain_copy(helo, sizeof(helo), val);
		k += 2;
	}
	if (spf && seen->spf == 1 && !*ar->spf_domain)
		memcpy(ar->spf_domain, helo, sizeof(helo));
}

bool authres_parse(const char *value, struct authres *out)
{
	struct lexer *lx = lg_calloc(1, sizeof(*lx));
	size_t len = strnlen(value, MAX_VALUE + 1), i = 0;
	struct seen seen = {0, 0};
	bool ok = false;

	memset(out, 0, sizeof(*out));
	lx->text = lg_malloc(len + 1);
	if (len > MAX_VALUE || !lex(lx, value)) {
		/* Still find the authserv-id: the header keeps its place. */
		const char *id = value;
		size_t n;

		out->malformed = true;
		/* Not ABSENT: a reader that merges several headers must not
		 * take a lower one's result for a method this one hides. */
		out->spf = out->dkim = out->dmarc = AUTHRES_OTHER;
		while (isspace((unsigned char)*id))
			id++;
		n = strcspn(id, " \t\r\n;()\"");
		if (n > 0 && n < sizeof(out->authserv_id)) {
			for (size_t k = 0; k < n; k++)
				out->authserv_id[k] = (char)tolower((unsigned char)id[k]);
			out->authserv_id[n] = '\0';
			ok = true;
		}
		goto out;
	}
	if (!is_word(lx, 0) || !*lx->toks[0].text)
		goto out;
	lower_copy(out->authserv_id, sizeof(out->authserv_id), lx->toks[0].text);
	if (!*out->authserv_id)
		goto out;
	ok = true;
	for (i = 1; i < lx->n && lx->toks[i].kind != TOK_SEMI; i++)
		; /* authres-version */
	while (i < lx->n) {
		size_t end = i + 1;

		while (end < lx->n && lx->toks[end].kind != TOK_SEMI)
			end++;
		resinfo(out, &seen, lx, i + 1, end);
		i = end;
	}
	if (seen.spf > 1) {
		out->spf = AUTHRES_OTHER;
		out->spf_domain[0] = '\0';
		out->ambiguous = true;
	}
	if (seen.dmarc > 1) {
		out->dmarc = AUTHRES_OTHER;
		out->dmarc_from[0] = '\0';
		out->ambiguous = true;
	}
out:
	lg_free(lx->text);
	lg_free(lx);
	return ok;
}
