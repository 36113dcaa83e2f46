/* lookalike.c: see lookalike.h. Confusables are Unicode Technical Standard #39
 * (Unicode Security Mechanisms): section 4 skeletons and section 5.2
 * restriction levels, through ICU uspoof. Registrable domains follow the
 * Public Suffix List (libpsl, as mail/domain.c). The other techniques are our
 * own heuristics, defined here.
 *
 * What is compared is the registrable label, the one name an attacker has to
 * buy ("paypa1" in "login.paypa1.com"), and the public suffix under it. Any
 * domain whose registrable domain is a protected domain's registrable domain
 * belongs to the same owner and is never a lookalike.
 *
 * Techniques, from most to least convincing (the best one wins):
 *   confusable      1.0  glyph-identical: a label with non-ASCII letters whose
 *                        UTS #39 skeleton is the protected label's skeleton
 *                        ("аpple" with a Cyrillic a, all-Cyrillic "ѕсоре"),
 *                        or an ASCII label written with a capital I for an l
 *                        in lower-case text ("paypaI": DNS reads it as
 *                        "paypai", the reader sees "paypal").
 *   character-trick 0.95 the same after the ASCII tricks below ("rnicrosoft",
 *                        "paypa1", "micros0ft"). Lower-case ASCII never goes
 *                        through ICU: for it the UTS #39 skeleton only maps
 *                        m->rn, 0->O and 1->l, which the tricks cover, so
 *                        those imitations are reported here rather than as
 *                        confusable. ("аррӏе" is here too: UTS #39 maps the
 *                        Cyrillic palochka to i, and i->l is a trick.)
 *   edit-distance   0.9  one edit away (Damerau-Levenshtein, a swap of two
 *                   0.75 neighbours is one edit: "exmaple"), two for labels
 *                        longer than 8; never for labels shorter than 4.
 *   tld-swap        0.85 the same label under another suffix ("example.co",
 *                        "example.com.br").
 *   brand-embedded  0.7  the protected label (4 or more letters) as a whole
 *                        token between dots or hyphens anywhere left of the
 *                        public suffix ("example-billing.com",
 *                        "example.com.secure-login.net").
 *                        Labels of 3 letters count as whole tokens only
 *                        ("dhl-parcel-redelivery.com").
 *                   0.6  glued to a lure word at the start or end of a token
 *                        ("secureexample.com", "paypalverify.net"), for labels
 *                        of 5 or more. Other glued words are not counted:
 *                        "appleton" and "examplesupplies" are other
 *                        businesses. "microsoftonline.com" still counts
 *                        ("online" is a lure) though it is Microsoft's own,
 *                        so a deployment lists its owners' other domains as
 *                        protected to silence them.
 *                        The suffix is never searched: "update.microsoft" is
 *                        under Microsoft's own top-level domain.
 * A confusable, trick or edit-distance imitation under a different suffix
 * than the original loses 0.1: differing in two places, it is the less
 * convincing. Names with punycode labels are compared through their
 * skeletons for the trick, edit and brand checks as well; the brand search
 * runs on the tricked text, so "paypa1-secure.com" counts.
 *
 * Thread safety: one process-wide USpoofChecker is configured once (under
 * pthread_once) and from then on used only through functions taking a const
 * checker, which ICU documents as safe to call from many threads at once. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <libpsl.h>
#include <unicode/uset.h>
#include <unicode/uspoof.h>

#include "detect/lookalike.h"
#include "mail/domain.h"
#include "util/alloc.h"
#include "util/arena.h"

#define HOST_MAX 253    /* RFC 1035 dotted text */
#define LABEL_MAX 63
#define SKEL_MAX 1024   /* skeletons grow ("m" becomes "rn") */
#define TOKENS_MAX 128  /* a 253-byte host has at most 127 labels */

#define BRAND_MIN_LEN 4
#define GLUED_MIN_LEN 5
#define EDIT_MIN_LEN 4
#define EDIT_ONE_MAX_LEN 8

#define SCORE_CONFUSABLE 1.0
#define SCORE_TRICK 0.95
#define SCORE_EDIT_ONE 0.9
#define SCORE_TLD_SWAP 0.85
#define SCORE_EDIT_TWO 0.75
#define SCORE_BRAND 0.7
#define SCORE_BRAND_SUBDOMAIN 0.5
#define SCORE_BRAND_GLUED 0.6
#define SUFFIX_PENALTY 0.1

struct protected {
	const char *domain;  /* ASCII, lower case: what is_protected compares */
	const char *reg;     /* its registrable domain */
	const char *label;   /* reg's first label */
	const char *suffix;  /* reg after the label and its dot */
	const char *skel;    /* UTS #39 skeleton of the label's Unicode form */
	const char *trick;   /* the skeleton after the ASCII tricks */
	size_t reg_len, suffix_len, label_len, skel_len, trick_len;
	uint64_t label_set, skel_set;   /* see byte_set() */
	bool ace;            /* label is punycode */
};

struct lookalike_set {
	struct arena *mem;   /* owns every string below */
	struct protected *p;
	size_t n;
	const USpoofChecker *sc;
};

/* One domain under test, prepared once and then compared with each protected
 * domain. Pointers point into host or the buffers. */
struct candidate {
	char host[HOST_MAX + 1];   /* ASCII, lower case, no trailing dot */
	const char *reg, *label, *suffix;
	size_t reg_len, suffix_len, label_len;
	uint64_t cmp_set;          /* byte_set() of the label (or its skeleton) */
	bool unicode;              /* has punycode labels: compare skeletons */
	bool glyph_i;              /* label wrote l as a capital I */
	char glyph[LABEL_MAX + 1]; /* the label with those I read as l */
	char skel[SKEL_MAX];       /* unicode only: skeleton of the label */
	size_t skel_len;
	char tricks[SKEL_MAX];     /* host left of the suffix, after the tricks */
	size_t tricks_len;
	const char *trick;         /* its last label: the registrable label's */
	size_t trick_len;
	/* Where tokens of tricks start and end (after and before a dot or
	 * hyphen), so the brand search tries only those places. */
	uint16_t starts[TOKENS_MAX], ends[TOKENS_MAX];
	size_t ntokens;
};

static USpoofChecker *spoof;
static pthread_once_t spoof_once = PTHREAD_ONCE_INIT;

/* Restriction level "moderately restrictive" lets Latin mix with one other
 * script except Cyrillic and Greek (whose letters imitate Latin ones), so
 * real Japanese or Chinese names pass; characters outside UTS #39's
 * recommended and inclusion sets (symbols, invisible marks) fail. */
static void spoof_init(void)
{
	UErrorCode st = U_ZERO_ERROR;
	USpoofChecker *sc = uspoof_open(&st);
	USet *allowed = NULL;

	if (U_FAILURE(st))
		return;
	allowed = uset_cloneAsThawed(uspoof_getRecommendedSet(&st));
	if (U_SUCCESS(st)) {
		uset_addAll(allowed, uspoof_getInclusionSet(&st));
		uset_freeze(allowed);
		uspoof_setAllowedChars(sc, allowed, &st);
	}
	uspoof_setChecks(sc, USPOOF_RESTRICTION_LEVEL | USPOOF_INVISIBLE |
			 USPOOF_CHAR_LIMIT | USPOOF_MIXED_NUMBERS, &st);
	uspoof_setRestrictionLevel(sc, USPOOF_MODERATELY_RESTRICTIVE);
	if (allowed)
		uset_close(allowed);
	if (U_FAILURE(st)) {
		uspoof_close(sc);
		return;
	}
	spoof = sc;
}

static const USpoofChecker *checker(void)
{
	pthread_once(&spoof_once, spoof_init);
	return spoof;
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static bool has_ace_label(const char *s)
{
	const char *p = s;

	for (;;) {
		if (strncmp(p, "xn--", 4) == 0)
			return true;
		p = strchr(p, '.');
		if (!p)
			return false;
		p++;
	}
}

/* The ASCII character tricks, after lower-casing. Single stand-ins first:
 * 0->o, 1->l, i->l, 3->e, 5->s (a capital I has become i, so it reads as l
 * too); then letter pairs that read as one letter at a glance: rn->m, vv->w,
 * cl->d. '$' for s and '@' for a cannot occur in a host name and need no
 * entry. Bytes of UTF-8 sequences pass through. Output is never longer than
 * the input; returns its length. */
static size_t trick_normalise(const char *in, size_t n, char *out)
{
	static const char single[][2] = {
		{ '0', 'o' }, { '1', 'l' }, { 'i', 'l' }, { '3', 'e' }, { '5', 's' },
	};
	static const char pair[][3] = { { 'r', 'n', 'm' }, { 'v', 'v', 'w' }, { 'c', 'l', 'd' } };
	size_t i, k, len = 0;

	for (i = 0; i < n; i++) {
		char c = ascii_lower(in[i]);

		for (k = 0; k < sizeof(single) / sizeof(single[0]); k++)
			if (c == single[k][0])
				c = single[k][1];
		for (k = 0; len && k < sizeof(pair) / sizeof(pair[0]); k++)
			if (out[len - 1] == pair[k][0] && c == pair[k][1])
				break;
		if (len && k < sizeof(pair) / sizeof(pair[0]))
			out[len - 1] = pair[k][2];
		else
			out[len++] = c;
	}
	return len;
}

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;

	return m < c ? m : c;
}

/* Optimal string alignment distance (Damerau-Levenshtein in which a swap of
 * neighbours is one edit) between a and b, or max + 1 as soon as it is
 * certain to exceed max. Strings longer than LABEL_MAX count as too far. */
static unsigned edit_distance(const char *a, size_t an, const char *b, size_t bn, unsigned max)
{
	unsigned rows[3][LABEL_MAX + 1];
	unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;
	size_t i, j;

	if (an > LABEL_MAX || bn > LABEL_MAX || (an > bn ? an - bn : bn - an) > max)
		return max + 1;
	for (j = 0; j <= bn; j++)
		prev[j] = (unsigned)j;
	for (i = 1; i <= an; i++) {
		unsigned row_min = (unsigned)i;

		cur[0] = row_min;

		for (j = 1; j <= bn; j++) {
			unsigned v = min3(prev[j] + 1, cur[j - 1] + 1,
					  prev[j - 1] + (a[i - 1] != b[j - 1]));

			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
			if (v < row_min)
				row_min = v;
		}
		if (row_min > max)
			return max + 1;
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[bn] <= max ? prev[bn] : max + 1;
}

/* Which bytes occur in s, folded into 64 bits. An edit changes at most two
 * members of a string's set of bytes (a swap none), so when two sets differ
 * in more than 2 * k members the strings are more than k edits apart. The
 * fold only merges members, which can hide differences but never invent
 * them, so the test never rejects a real match. */
static uint64_t byte_set(const char *s, size_t n)
{
	uint64_t set = 0;
	size_t i;

	for (i = 0; i < n; i++)
		set |= UINT64_C(1) << ((unsigned char)s[i] & 63);
	return set;
}

static bool same(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && memcmp(a, b, an) == 0;
}

/* Appends the skeleton of s[0..n) to out (of SKEL_MAX bytes, length *len). */
static bool skeleton_append(const USpoofChecker *sc, const char *s, size_t n,
			    char *out, size_t *len)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t got;

	got = uspoof_getSkeletonUTF8(sc, 0, s, (int32_t)n, out + *len,
				     (int32_t)(SKEL_MAX - 1 - *len), &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
		return false;
	*len += (size_t)got;
	out[*len] = '\0';
	return true;
}

/* ---- the protected domains ---- */

static enum lg_status compile_one(struct lookalike_set *set, const char *domain,
				  struct protected *p, struct errbuf *err)
{
	const char *ascii = domain ? domain_to_ascii(set->mem, domain) : NULL;
	const char *dot, *ulabel;
	char skel[SKEL_MAX], trick[SKEL_MAX];
	size_t skel_len = 0;

	if (!ascii)
		return errbuf_set(err, LG_ECONFIG, "protected domain \"%.200s\" is not a valid domain name",
				  domain ? domain : "(null)");
	if (domain_is_ip(ascii))
		return errbuf_set(err, LG_ECONFIG, "protected domain \"%.200s\" is an IP address", domain);
	p->domain = ascii;
	p->reg = psl_registrable_domain(psl_builtin(), ascii);
	if (!p->reg)
		return errbuf_set(err, LG_ECONFIG,
				  "protected domain \"%.200s\" is a public suffix, not one owner's domain", domain);
	dot = strchr(p->reg, '.');
	p->reg_len = strlen(p->reg);
	p->label_len = (size_t)(dot - p->reg);
	p->label = arena_strndup(set->mem, p->reg, p->label_len);
	p->label_set = byte_set(p->label, p->label_len);
	p->suffix = dot + 1;
	p->suffix_len = strlen(p->suffix);
	p->ace = strncmp(p->label, "xn--", 4) == 0;
	ulabel = domain_to_unicode(set->mem, p->label);
	if (!skeleton_append(set->sc, ulabel, strlen(ulabel), skel, &skel_len))
		return errbuf_set(err, LG_EINTERNAL, "cannot compute the skeleton of \"%.200s\"", domain);
	p->skel = arena_strndup(set->mem, skel, skel_len);
	p->skel_len = skel_len;
	p->skel_set = byte_set(skel, skel_len);
	p->trick_len = trick_normalise(skel, skel_len, trick);
	p->trick = arena_strndup(set->mem, trick, p->trick_len);
	return LG_OK;
}

enum lg_status lookalike_set_new(const char *const *domains, size_t n,
				 struct lookalike_set **out, struct errbuf *err)
{
	struct lookalike_set *set = lg_calloc(1, sizeof(*set));
	enum lg_status rc = LG_OK;
	size_t i;

	*out = NULL;
	set->mem = arena_new();
	set->sc = checker();
	if (!set->sc || !psl_builtin()) {
		rc = errbuf_set(err, LG_EINTERNAL, "%s is unavailable",
				set->sc ? "libpsl's built-in suffix list" : "ICU's spoof checker");
		goto out;
	}
	set->p = arena_alloc(set->mem, (n ? n : 1) * sizeof(*set->p));
	for (i = 0; i < n; i++) {
		rc = compile_one(set, domains[i], &set->p[i], err);
		if (rc)
			goto out;
	}
	set->n = n;
out:
	if (rc)
		lookalike_set_free(&set);
	*out = set;
	return rc;
}

/* Frees *set and sets it to NULL; NULL is a no-op. */
void lookalike_set_free(struct lookalike_set **set)
{
	if (!set || !*set)
		return;
	arena_free(&(*set)->mem);
	lg_free(*set);
	*set = NULL;
}

/* ---- preparing a candidate ---- */

/* Lower-cases an ASCII host into c->host. False for characters that cannot
 * be in a host name (a URL's junk, a display name's spaces) and for names
 * too long to be real. */
static bool load_ascii(struct candidate *c, const char *domain)
{
	size_t n = strlen(domain), i;

	if (n && domain[n - 1] == '.')
		n--;
	if (n == 0 || n > HOST_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char ch = ascii_lower(domain[i]);

		if (!(ch == '.' || ch == '-' || ch == '_' || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9')))
			return false;
		c->host[i] = ch;
	}
	c->host[n] = '\0';
	return true;
}

/* A capital I in a label that is not all capitals reads as a small l. */
static void load_glyphs(struct candidate *c, const char *orig)
{
	size_t i;
	bool lower = false;

	for (i = 0; i < c->label_len; i++)
		if (orig[i] >= 'a' && orig[i] <= 'z')
			lower = true;
	for (i = 0; i < c->label_len; i++) {
		c->glyph[i] = c->label[i];
		if (lower && orig[i] == 'I') {
			c->glyph[i] = 'l';
			c->glyph_i = true;
		}
	}
	c->glyph[c->label_len] = '\0';
}

/* Skeletons, label by label, of the host left of the suffix (punycode
 * decoded); c->skel gets the last one, the registrable label's. */
static bool load_skeletons(const struct lookalike_set *set, struct candidate *c,
			   struct arena *a, char *out, size_t *len)
{
	size_t plen = (size_t)(c->suffix - 1 - c->host);
	const char *u = domain_to_unicode(a, arena_strndup(a, c->host, plen));
	const char *s = u, *dot;
	size_t last = 0;

	*len = 0;
	for (;;) {
		dot = strchr(s, '.');
		last = *len;
		if (!skeleton_append(set->sc, s, dot ? (size_t)(dot - s) : strlen(s), out, len))
			return false;
		if (!dot)
			break;
		if (*len + 1 >= SKEL_MAX)
			return false;
		out[(*len)++] = '.';
		s = dot + 1;
	}
	c->skel_len = *len - last;
	memcpy(c->skel, out + last, c->skel_len);
	c->skel[c->skel_len] = '\0';
	return true;
}

static bool is_separator(char ch)
{
	return ch == '.' || ch == '-';
}

/* Records token edges; false when there are more tokens than a host name
 * can have (a long skeleton of symbols), which is not worth searching. */
static bool find_tokens(struct candidate *c)
{
	size_t i, n = c->tricks_len;

	c->ntokens = 0;
	c->starts[0] = 0;
	for (i = 0; i <= n; i++) {
		if (i < n && !is_separator(c->tricks[i]))
			continue;
		c->ends[c->ntokens++] = (uint16_t)i;
		if (i == n)
			break;
		if (c->ntokens == TOKENS_MAX)
			return false;
		c->starts[c->ntokens] = (uint16_t)(i + 1);
	}
	return true;
}

/* c->host from domain: lower-case ASCII, punycode for Unicode names. a is
 * created only for the rare internationalised name; the caller frees it. */
static bool load_host(struct candidate *c, const char *domain, struct arena **a)
{
	const char *ascii;

	if (is_ascii(domain))
		return load_ascii(c, domain) && !domain_is_ip(c->host);
	*a = arena_new();
	ascii = domain_to_ascii(*a, domain);
	if (!ascii || strlen(ascii) > HOST_MAX || domain_is_ip(ascii))
		return false;
	memcpy(c->host, ascii, strlen(ascii) + 1);
	return true;
}

/* Splits c->host's registrable domain into label and suffix; false for a
 * bare public suffix. */
static bool split_registrable(struct candidate *c)
{
	c->reg = psl_registrable_domain(psl_builtin(), c->host);
	if (!c->reg)
		return false;
	c->suffix = strchr(c->reg, '.') + 1;
	c->reg_len = strlen(c->reg);
	c->suffix_len = strlen(c->suffix);
	c->label = c->reg;
	c->label_len = (size_t)(c->suffix - 1 - c->reg);
	return c->label_len <= LABEL_MAX;
}

/* Fills c from domain; false when domain cannot be a lookalike at all (an IP
 * literal, a bare suffix, not a host name). */
static bool prepare(const struct lookalike_set *set, const char *domain,
		    struct candidate *c, struct arena **a)
{
	char skel_host[SKEL_MAX];
	const char *src = c->host;
	size_t src_len;

	if (!load_host(c, domain, a) || !split_registrable(c))
		return false;
	c->glyph_i = false;
	c->unicode = has_ace_label(c->host);
	if (c->unicode) {
		if (!*a)
			*a = arena_new();
		if (!load_skeletons(set, c, *a, skel_host, &src_len))
			return false;
		src = skel_host;
		c->cmp_set = byte_set(c->skel, c->skel_len);
	} else {
		if (is_ascii(domain))
			load_glyphs(c, domain + (c->reg - c->host));
		src_len = (size_t)(c->suffix - 1 - c->host);
		c->cmp_set = byte_set(c->label, c->label_len);
	}
	c->tricks_len = trick_normalise(src, src_len, c->tricks);
	c->tricks[c->tricks_len] = '\0';
	c->trick = memrchr(c->tricks, '.', c->tricks_len);
	c->trick = c->trick ? c->trick + 1 : c->tricks;
	c->trick_len = c->tricks_len - (size_t)(c->trick - c->tricks);
	return find_tokens(c);
}

/* ---- comparing ---- */

static void consider(struct lookalike_match *best, const struct protected *p,
		     enum lookalike_technique t, double score)
{
	if (score > best->score) {
		best->score = score;
		best->technique = t;
		best->protected_domain = p->domain;
	}
}

/* Words phishing domains glue to a brand ("securepaypal", "paypalverify").
 * Only these count: "appleton" or "examplesupplies" are other businesses. */
static const char *const lure_words[] = {
	"secure", "security", "login", "logon", "signin", "verify", "verification", "account",
	"accounts", "support", "update", "updates", "service", "services", "online", "mail",
	"webmail", "billing", "help", "helpdesk", "team", "pay", "payment", "payments", "wallet",
	"auth", "id", "my", "portal", "alert", "alerts", "notice", "info", "customer", "center",
	"centre", "app", "apps", "cloud", "drive", "docs", "file", "files", "share", "invoice",
	"bank", "banking", "card", "refund", "claim", "reward", "rewards", "gift", "prize", "promo",
	"official", "safe", "check", "confirm", "recovery", "reset", "unlock", "access", "admin",
	"web", "hq", "desk", "direct", "express", "delivery", "parcel", "tracking", "track", NULL,
};

/* s is in tricked form ("onllne"), so the lure words are compared in it too. */
static bool is_lure(const char *s, size_t n)
{
	char tricked[32];

	for (int i = 0; lure_words[i]; i++) {
		size_t len = trick_normalise(lure_words[i], strlen(lure_words[i]), tricked);

		if (len == n && memcmp(tricked, s, n) == 0)
			return true;
	}
	return false;
}

/* The protected label's tricked form at a token edge of the candidate's host:
 * a whole token (or run of tokens, for labels with hyphens) when both edges
 * are token edges — for labels of 3 letters too ("dhl-parcel.com") — or
 * glued to a lure word ("securepaypal.com") for labels of GLUED_MIN_LEN. */
/* A whole-token brand at `at`: in the registrable label, or followed by the
 * brand's own suffix ("paypal.com.evil.net"), it is a full imitation; the
 * bare name as a subdomain of another's domain ("outlook.vendor.biz") is as
 * often a product's page, so it counts less. */
static double whole_token_score(const struct candidate *c, const struct protected *p, size_t at)
{
	const char *t = c->tricks, *after = t + at + p->trick_len;
	size_t n = c->tricks_len, rest = n - (at + p->trick_len);

	if (at >= (size_t)(c->trick - c->tricks))
		return SCORE_BRAND;
	if (rest > p->suffix_len && *after == '.' && memcmp(after + 1, p->suffix, p->suffix_len) == 0 &&
	    (rest == p->suffix_len + 1 || is_separator(after[1 + p->suffix_len])))
		return SCORE_BRAND;
	return SCORE_BRAND_SUBDOMAIN;
}

static double brand_score(const struct candidate *c, const struct protected *p)
{
	const char *t = c->tricks;
	size_t n = c->tricks_len, len = p->trick_len, i, at;
	bool glued = false;
	double best = 0;

	if (p->label_len < 3 || len == 0 || len > n)
		return 0;
	for (i = 0; i < c->ntokens; i++) {
		at = c->starts[i];
		if (at + len <= n && memcmp(t + at, p->trick, len) == 0) {
			if (at + len == n || is_separator(t[at + len])) {
				double score = whole_token_score(c, p, at);

				if (score > best)
					best = score;
				continue;
			}
			if (c->ends[i] > at + len && is_lure(t + at + len, c->ends[i] - at - len))
				glued = true;
		}
		at = c->ends[i];
		if (at >= len && at - len > c->starts[i] && memcmp(t + at - len, p->trick, len) == 0 &&
		    is_lure(t + c->starts[i], at - len - c->starts[i]))
			glued = true;
	}
	if (glued && p->label_len >= GLUED_MIN_LEN && SCORE_BRAND_GLUED > best)
		best = SCORE_BRAND_GLUED;
	return best;
}

static unsigned edit_limit(const struct protected *p)
{
	if (p->label_len < EDIT_MIN_LEN)
		return 0;
	return p->label_len <= EDIT_ONE_MAX_LEN ? 1 : 2;
}

static void compare(const struct candidate *c, const struct protected *p,
		    struct lookalike_match *best)
{
	double penalty = same(c->suffix, c->suffix_len, p->suffix, p->suffix_len) ? 0 : SUFFIX_PENALTY;
	const char *mine = c->unicode ? c->skel : c->label;
	const char *theirs = c->unicode ? p->skel : p->label;
	size_t mine_len = c->unicode ? c->skel_len : c->label_len;
	size_t theirs_len = c->unicode ? p->skel_len : p->label_len;
	uint64_t theirs_set = c->unicode ? p->skel_set : p->label_set;
	unsigned limit = edit_limit(p), d;

	if (same(c->label, c->label_len, p->label, p->label_len)) {
		consider(best, p, LOOKALIKE_TLD_SWAP, SCORE_TLD_SWAP);
		return;
	}
	if (c->unicode ? same(mine, mine_len, theirs, theirs_len)
		       : c->glyph_i && same(c->glyph, c->label_len, p->label, p->label_len)) {
		consider(best, p, LOOKALIKE_CONFUSABLE, SCORE_CONFUSABLE - penalty);
		return;
	}
	if (same(c->trick, c->trick_len, p->trick, p->trick_len))
		consider(best, p, LOOKALIKE_CHARACTER_TRICK, SCORE_TRICK - penalty);
	/* An ASCII label and a punycode one are not comparable letter by letter. */
	if (limit && best->score < SCORE_EDIT_ONE && (c->unicode || !p->ace) &&
	    (unsigned)__builtin_popcountll(c->cmp_set ^ theirs_set) <= 2 * limit) {
		d = edit_distance(mine, mine_len, theirs, theirs_len, limit);
		if (d >= 1 && d <= limit)
			consider(best, p, LOOKALIKE_EDIT_DISTANCE,
				 (d == 1 ? SCORE_EDIT_ONE : SCORE_EDIT_TWO) - penalty);
	}
	if (best->score < SCORE_BRAND)
		consider(best, p, LOOKALIKE_BRAND_EMBEDDED, brand_score(c, p));
}

bool lookalike_check(const struct lookalike_set *set, const char *domain,
		     struct lookalike_match *out)
{
	struct candidate c;
	struct lookalike_match best = { NULL, LOOKALIKE_NONE, 0 };
	struct arena *a = NULL;
	size_t i;

	if (!set || !domain || !prepare(set, domain, &c, &a))
		goto out;
	for (i = 0; i < set->n; i++)
		if (same(c.reg, c.reg_len, set->p[i].reg, set->p[i].reg_len))
			goto out;
	for (i = 0; i < set->n && best.score < SCORE_CONFUSABLE; i++)
		compare(&c, &set->p[i], &best);
out:
	arena_free(&a);
	if (out)
		*out = best;
	return best.technique != LOOKALIKE_NONE;
}

bool lookalike_is_protected(const struct lookalike_set *set, const char *domain)
{
	struct arena *a = NULL;
	const char *ascii = domain;
	bool found = false;
	size_t i;

	if (!set || !domain)
		return false;
	if (!is_ascii(domain)) {
		a = arena_new();
		ascii = domain_to_ascii(a, domain);
	}
	for (i = 0; ascii && i < set->n && !found; i++)
		found = domain_within(ascii, set->p[i].domain);
	arena_free(&a);
	return found;
}

/* Checks each label on its own: a dot is not an identifier character, and
 * mixing scripts across labels ("пример.com") is ordinary. */
bool lookalike_mixed_script(const char *domain)
{
	const USpoofChecker *sc = checker();
	struct arena *a;
	const char *u, *s, *dot;
	bool mixed = false;

	if (!sc || !domain || (is_ascii(domain) && !has_ace_label(domain)))
		return false;
	a = arena_new();
	u = domain_to_ascii(a, domain);
	u = u ? domain_to_unicode(a, u) : domain;
	for (s = u; !mixed; s = dot + 1) {
		UErrorCode st = U_ZERO_ERROR;
		int32_t r;

		dot = strchr(s, '.');
		r = uspoof_check2UTF8(sc, s, dot ? (int32_t)(dot - s) : -1, NULL, &st);
		mixed = U_SUCCESS(st) && (r & USPOOF_ALL_CHECKS);
		if (!dot)
			break;
	}
	arena_free(&a);
	return mixed;
}

const char *lookalike_technique_name(enum lookalike_technique t)
{
	switch (t) {
	case LOOKALIKE_CONFUSABLE:
		return "confusable";
	case LOOKALIKE_CHARACTER_TRICK:
		return "character-trick";
	case LOOKALIKE_EDIT_DISTANCE:
		return "edit-distance";
	case LOOKALIKE_TLD_SWAP:
		return "tld-swap";
	case LOOKALIKE_BRAND_EMBEDDED:
		return "brand-embedded";
	case LOOKALIKE_NONE:
		break;
	}
	return "none";
}
