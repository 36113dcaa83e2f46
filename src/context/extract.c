/* extract.c: see extract.h. A single left-to-right pass over "words"
 * (letters and digits, joined by inner - / _ .), remembering the last three
 * words before each one, so the cost is linear and nothing is allocated. */
#include <string.h>

#include <glib.h>

#include "context/extract.h"

#define WORD_MAX 48 /* longer runs are not identifiers */
#define LOOKBACK 3

struct word {
	size_t start, end;
	char low[WORD_MAX + 1]; /* lower case, as written (with separators) */
	bool capital;           /* starts with an upper-case letter */
	bool joined;            /* only blanks, ':' or quotes since the previous word */
};

struct keyword {
	const char *word;
	enum ctx_kind kind;
};

/* Words that announce a number; also recognised as a number's own prefix. */
static const struct keyword keywords[] = {
	{"invoice", CTX_INVOICE}, {"inv", CTX_INVOICE},     {"rechnung", CTX_INVOICE}, {"facture", CTX_INVOICE},
	{"factura", CTX_INVOICE}, {"order", CTX_ORDER},     {"po", CTX_ORDER},         {"bestellung", CTX_ORDER},
	{"auftrag", CTX_ORDER},   {"contract", CTX_CONTRACT}, {"ref", CTX_CONTRACT},   {"reference", CTX_CONTRACT},
	{"quotation", CTX_CONTRACT}, {"quote", CTX_CONTRACT}, {"vertrag", CTX_CONTRACT},
};

/* Words between a keyword and its number: "invoice no. 4711". */
static const char *const fillers[] = {"no", "nr", "number", "num", "nummer", "id", "n", "the", "our", "your"};

/* "Project Manager" names a role, not a project. */
static const char *const generic[] = {
	"manager", "management", "plan", "planning", "team", "status", "update", "lead", "leader", "meeting",
	"report", "schedule", "proposal", "budget", "kickoff", "kick", "review", "page", "home", "website", "site",
	"info", "information", "description", "details", "the", "a", "an", "and", "of", "for", "to", "is",
	"was", "will", "has", "we", "i", "you", "this", "that", "it", "in", "on", "team", "members", "office",
	"gutenberg", "files", "homepage", "list", "mailing", "name", "director", "coordinator", "work", "code",
};

static const char *const kind_names[CTX_KINDS] = {
	"", "invoice number", "order number", "contract or reference number", "project name", "document title",
	"staff address",
};

const char *ctx_kind_name(enum ctx_kind k)
{
	return k > 0 && k < CTX_KINDS ? kind_names[k] : "identifier";
}

bool ctx_kind_is_number(enum ctx_kind k)
{
	return k == CTX_INVOICE || k == CTX_ORDER || k == CTX_CONTRACT;
}

static bool in_list(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w, list[i]) == 0)
			return true;
	return false;
}

static enum ctx_kind keyword_kind(const char *w, size_t n)
{
	for (size_t i = 0; i < G_N_ELEMENTS(keywords); i++)
		if (strlen(keywords[i].word) == n && memcmp(w, keywords[i].word, n) == 0)
			return keywords[i].kind;
	return 0;
}

static bool is_alnum(unsigned char c)
{
	return g_ascii_isalnum(c);
}

static bool is_joiner(unsigned char c)
{
	return c == '-' || c == '/' || c == '_' || c == '.';
}

/* The next word at or after *i; false at the end. A joiner counts only
 * between two letters or digits, so "end." and "-x" do not swallow it. */
static bool next_word(const char *s, size_t n, size_t *i, struct word *w)
{
	size_t p = *i, len = 0;
	bool joined = true;

	while (p < n && !is_alnum((unsigned char)s[p])) {
		unsigned char c = (unsigned char)s[p];

		/* "No." and "inv." abbreviate; a line break or other punctuation ends a phrase */
		if (!(c == ' ' || c == '\t' || c == ':' || c == '"' || c == '\'' || c == '#' || c == '.'))
			joined = false;
		p++;
	}
	if (p >= n)
		return false;
	w->start = p;
	w->capital = g_ascii_isupper(s[p]);
	while (p < n && (is_alnum((unsigned char)s[p]) ||
			 (is_joiner((unsigned char)s[p]) && p + 1 < n && is_alnum((unsigned char)s[p + 1]) && p > w->start))) {
		if (len < WORD_MAX)
			w->low[len++] = g_ascii_tolower(s[p]);
		p++;
	}
	w->low[len] = '\0';
	w->end = p;
	w->joined = joined;
	*i = p;
	return true;
}

/* The number core of a word: letters and digits only, without a leading
 * keyword prefix ("inv-2022-0413" -> "20220413"). Sets *prefix_kind when the
 * word carried one. Returns the core's length, 0 when it is no number. */
static size_t number_core(const char *low, enum ctx_kind *prefix_kind, char *out)
{
	size_t lead = 0, k = 0, digits = 0;

	while (g_ascii_isalpha(low[lead]))
		lead++;
	*prefix_kind = lead ? keyword_kind(low, lead) : 0;
	for (const char *p = low + (*prefix_kind ? lead : 0); *p && k < CTX_MAX_NORM; p++)
		if (is_alnum((unsigned char)*p)) {
			out[k++] = *p;
			digits += g_ascii_isdigit(*p) != 0;
		}
	out[k] = '\0';
	return k >= 5 && k <= 32 && digits >= 3 ? k : 0;
}

/* What a previous word can do for a number that follows: announce it (a
 * keyword's kind) or stand between ("no", "number"). */
struct prev {
	enum ctx_kind kind;
	bool filler;
};

static struct prev prev_of(const struct word *w)
{
	size_t n = strlen(w->low);
	struct prev p = {0, false};

	if (n <= 10) {
		p.kind = keyword_kind(w->low, n);
		p.filler = !p.kind && in_list(w->low, fillers, G_N_ELEMENTS(fillers));
	}
	return p;
}

/* The kind of the nearest keyword among the previous words, skipping fillers. */
static enum ctx_kind anchored(const struct prev *back, size_t nback)
{
	for (size_t i = 0; i < nback; i++) {
		if (back[i].kind)
			return back[i].kind;
		if (!back[i].filler)
			return 0;
	}
	return 0;
}

/* "Project Blue Harbor": up to three capitalised words joined to "project". */
static size_t project_name(const char *s, size_t n, size_t at, char *out, size_t *oend)
{
	size_t i = at, k = 0, words = 0;
	struct word w;

	while (words < 3 && next_word(s, n, &i, &w) && w.joined && w.capital && strlen(w.low) >= 2 &&
	       strlen(w.low) + k + 1 < CTX_MAX_NORM) {
		if (words == 0 && in_list(w.low, generic, G_N_ELEMENTS(generic)))
			return 0;
		if (words > 0 && in_list(w.low, generic, G_N_ELEMENTS(generic)))
			break;
		if (k)
			out[k++] = ' ';
		memcpy(out + k, w.low, strlen(w.low));
		k += strlen(w.low);
		*oend = w.end;
		words++;
	}
	out[k] = '\0';
	return k >= 3 ? k : 0;
}

size_t ctx_items_scan(const char *s, size_t n, ctx_item_fn fn, void *ctx)
{
	struct prev back[LOOKBACK];
	struct word w;
	size_t nback = 0, i = 0, found = 0;
	char norm[CTX_MAX_NORM + 1];

	if (n > CTX_MAX_SCAN)
		n = CTX_MAX_SCAN;
	while (found < CTX_MAX_ITEMS && next_word(s, n, &i, &w)) {
		enum ctx_kind prefix, kind;
		size_t end;

		if (!w.joined)
			nback = 0; /* a sentence or line break ends every anchor */
		if (number_core(w.low, &prefix, norm)) {
			kind = prefix ? prefix : anchored(back, nback);
			if (kind) {
				fn(ctx, kind, norm, s + w.start, w.end - w.start);
				found++;
			}
		} else if ((strcmp(w.low, "project") == 0 || strcmp(w.low, "projekt") == 0) &&
			   project_name(s, n, w.end, norm, &end)) {
			fn(ctx, CTX_PROJECT, norm, s + w.start, end - w.start);
			found++;
		}
		memmove(back + 1, back, sizeof(back[0]) * (LOOKBACK - 1));
		back[0] = prev_of(&w);
		nback = nback < LOOKBACK ? nback + 1 : LOOKBACK;
	}
	return found;
}

/* Skips "Re:", "AW:", "Fwd:", "[list]" prefixes; sets *reply for reply ones. */
static const char *strip_prefixes(const char *s, bool *reply)
{
	static const char *const replies[] = {"re:", "aw:", "sv:", "antw:", "ref:", "r:"};
	static const char *const forwards[] = {"fwd:", "fw:", "wg:", "tr:"};
	bool more = true;

	*reply = false;
	while (more) {
		more = false;
		while (*s == ' ' || *s == '\t')
			s++;
		for (size_t i = 0; i < G_N_ELEMENTS(replies); i++)
			if (g_ascii_strncasecmp(s, replies[i], strlen(replies[i])) == 0) {
				s += strlen(replies[i]);
				*reply = more = true;
			}
		for (size_t i = 0; i < G_N_ELEMENTS(forwards); i++)
			if (g_ascii_strncasecmp(s, forwards[i], strlen(forwards[i])) == 0) {
				s += strlen(forwards[i]);
				more = true;
			}
		if (*s == '[' && strchr(s, ']')) {
			s = strchr(s, ']') + 1;
			more = true;
		}
	}
	return s;
}

/* Lower-cased, runs of other bytes one space, trimmed; length written. */
static size_t squeeze(const char *s, size_t n, bool keep_utf8, char *out)
{
	size_t k = 0;
	bool gap = false;

	for (size_t i = 0; i < n && k < CTX_MAX_NORM; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_alnum(c) || (keep_utf8 && c >= 0x80)) {
			if (gap && k)
				out[k++] = ' ';
			if (k < CTX_MAX_NORM)
				out[k++] = g_ascii_tolower(c);
			gap = false;
		} else {
			gap = true;
		}
	}
	out[k] = '\0';
	return k;
}

size_t ctx_title_norm(const char *s, size_t n, bool is_file, char *out)
{
	const char *b = s, *e = s + n;
	bool reply, letter = false;
	size_t k;

	if (is_file) {
		for (const char *p = s; p < e; p++)
			if (*p == '/' || *p == '!' || *p == '\\')
				b = p + 1;
		for (const char *p = e; p > b; p--)
			if (p[-1] == '.') {
				e = p - 1;
				break;
			}
	} else {
		char tmp[512];
		size_t m = n < sizeof(tmp) - 1 ? n : sizeof(tmp) - 1;

		memcpy(tmp, s, m);
		tmp[m] = '\0';
		b = strip_prefixes(tmp, &reply);
		k = squeeze(b, strlen(b), true, out);
		goto check;
	}
	k = squeeze(b, (size_t)(e - b), true, out);
check:
	for (size_t i = 0; i < k; i++)
		letter |= g_ascii_isalpha(out[i]) != 0;
	/* one word ("signature", "image001") names a kind of file, not a document */
	return k >= 6 && letter && memchr(out, ' ', k) ? k : 0;
}

size_t ctx_subject_norm(const char *s, bool *reply, char *out)
{
	const char *b = strip_prefixes(s, reply);

	return squeeze(b, strlen(b), true, out);
}

size_t ctx_words_norm(const char *s, size_t n, char *out)
{
	return squeeze(s, n, true, out);
}
