/* urgency.c: see urgency.h. Phrases come from the advice given to staff
 * after BlueBleed and from published descriptions of phishing and business
 * email compromise lures (account suspension, password expiry, invoice
 * fraud, CEO gift-card fraud). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "detect/env.h"
#include "detect/normal.h"
#include "detect/urgency.h"
#include "util/alloc.h"

static const char *const builtin[URGENCY_COUNT][40] = {
	[URGENCY_DEADLINE] = {
		"within 24 hours", "within 48 hours", "within 12 hours", "within 2 hours",
		"within 72 hours", "within one hour", "within the next hour", "in the next 24 hours",
		"respond immediately", "immediate action", "immediate attention", "action required",
		"urgent action", "act now", "act immediately", "expires today", "by end of day",
		"final notice", "final warning", "last warning", "last chance", "time sensitive",
		"time-sensitive", "before it's too late", "failure to respond", "do it now",
		"as soon as possible today", "urgent response", "urgently", "within the hour",
		"within an hour", "in the next hour", "right away", "asap", NULL},
	[URGENCY_SUSPENSION] = {
		"will be suspended", "has been suspended", "account will be closed", "will be terminated",
		"permanent closure", "closure of your account", "failure to comply", "will be permanently closed",
		"will be deactivated", "will be disabled", "will be deleted", "has been locked",
		"has been limited", "has been restricted", "temporarily suspended", "account is locked",
		"account suspension", "avoid suspension", "unusual activity", "unusual sign-in",
		"suspicious activity", "unauthorized access", "unauthorised access", "lose access",
		"permanently deleted", "mailbox is full", "storage is full", "password expires",
		"password will expire", "password has expired", "account will be", "access will be revoked",
		NULL},
	[URGENCY_PAYMENT] = {
		"wire transfer", "bank transfer", "overdue invoice", "outstanding invoice",
		"outstanding payment", "overdue payment", "make a payment", "process a payment",
		"process the payment", "new bank details", "updated bank details", "change of bank",
		"changed our bank", "bank account details", "new account details", "customs fee",
		"pay the fee", "has not been paid", "unpaid invoice", "outstanding balance",
		"payment is overdue", "settle the invoice", "pay the invoice", "send the payment",
		"transfer the funds", "wire the funds", NULL},
	[URGENCY_GIFTCARD] = {
		"buy * gift cards", "buy * gift card", "purchase * gift cards", "get * gift cards",
		"pick up * gift cards", "buy gift cards", "purchase gift cards", "gift card codes",
		"itunes cards", "google play cards", "steam cards", "scratch the back", "send me the codes",
		"card codes", "the codes on the back", "pictures of the cards", NULL},
	[URGENCY_CREDENTIAL] = {
		"verify your password", "confirm your password", "enter your password",
		"update your password", "validate your password", "keep your password",
		"login credentials", "log-in credentials", "confirm your identity", "verify your identity",
		"verify your account", "confirm your account", "validate your account",
		"update your account information", "update your billing", "update your payment",
		"sign in to verify", "log in to verify", "login to verify", "re-enter your",
		"social security number", "credit card number", "card details", "account details below",
		"verify your information", "confirm your details", "verify your email",
		"confirm the bank account", "confirm your bank", "verify your bank", "date of birth", NULL},
	[URGENCY_SECRECY] = {
		"keep this confidential", "keep it confidential", "keep this between us",
		"between you and me", "don't tell anyone", "do not tell anyone", "do not discuss",
		"don't discuss", "don't mention", "do not mention this", "be discreet",
		"strictly confidential and", "i need your discretion", "do not share this with",
		"don't share this with", "discreetly", "keep this to yourself", NULL},
};

static const char *const category_names[URGENCY_COUNT] = {
	"deadline", "suspension", "payment", "giftcard", "credential", "secrecy", "prize", "delivery",
};

/* A phrase may have one gap, written " * ": up to GAP_WORDS words of any
 * kind between its head and its tail ("buy * gift cards" matches "buy four
 * Google Play gift cards"). */
#define GAP_WORDS 3

struct phrase {
	char *text;     /* the head: the whole phrase when it has no gap */
	size_t len;
	const char *tail; /* after the gap, inside text's allocation; NULL for none */
	size_t tail_len;
	const char *shown; /* the phrase as written, for reasons */
	enum urgency_category cat;
};

/* Phrases sorted by their first two bytes; bucket[k] is the range of
 * phrases starting with the byte pair k, so a scan looks only at phrases
 * that can match at each word start: one pass over the text, whatever the
 * number of phrases. */
struct bucket {
	unsigned start, count;
};

struct urgency {
	struct phrase *phrases;
	size_t n, cap;
	struct bucket *buckets; /* 65536 */
};

static unsigned key_of(const char *s)
{
	return (unsigned)(unsigned char)s[0] << 8 | (unsigned char)s[1];
}

static int by_key(const void *a, const void *b)
{
	const struct phrase *x = a, *y = b;

	return (int)key_of(x->text) - (int)key_of(y->text);
}

static void build_index(struct urgency *u)
{
	qsort(u->phrases, u->n, sizeof(*u->phrases), by_key);
	u->buckets = lg_calloc(65536, sizeof(*u->buckets));
	for (size_t i = 0; i < u->n; i++) {
		struct bucket *b = &u->buckets[key_of(u->phrases[i].text)];

		if (!b->count)
			b->start = (unsigned)i;
		b->count++;
	}
}

enum urgency_category urgency_category_parse(const char *name)
{
	for (int c = 0; c < URGENCY_COUNT; c++)
		if (g_ascii_strcasecmp(name, category_names[c]) == 0)
			return (enum urgency_category)c;
	return URGENCY_COUNT;
}

size_t urgency_fold(const char *text, size_t len, char *out)
{
	size_t n = 0;
	bool space = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (isspace(c)) {
			space = n > 0;
			continue;
		}
		if (space) {
			out[n++] = ' ';
			space = false;
		}
		/* U+2019 RIGHT SINGLE QUOTATION MARK (E2 80 99) -> ' */
		if (c == 0xe2 && i + 2 < len && (unsigned char)text[i + 1] == 0x80 &&
		    (unsigned char)text[i + 2] == 0x99) {
			out[n++] = '\'';
			i += 2;
			continue;
		}
		out[n++] = (char)tolower(c);
	}
	out[n] = '\0';
	return n;
}

/* The phrase for a reason: "pick up … gift cards" rather than "pick up * gift cards". */
static const char *gap_shown(const char *folded)
{
	const char *gap = strstr(folded, " * ");
	char *s;

	if (!gap)
		return lg_strdup(folded);
	s = lg_malloc(strlen(folded) + 4);
	snprintf(s, strlen(folded) + 4, "%.*s \xe2\x80\xa6 %s", (int)(gap - folded), folded, gap + 3);
	return s;
}

static void add(struct urgency *u, const char *phrase, enum urgency_category cat)
{
	size_t len;
	char *folded = normal_fold(phrase, strlen(phrase), &len, NULL);
	char *gap;
	struct phrase *p;

	if (len < 2) {
		lg_free(folded);
		return;
	}
	u->phrases = lg_grow(u->phrases, &u->cap, u->n + 1, sizeof(*u->phrases));
	p = &u->phrases[u->n++];
	p->shown = gap_shown(folded);
	p->text = folded;
	p->len = len;
	p->tail = NULL;
	p->tail_len = 0;
	p->cat = cat;
	gap = strstr(folded, " * ");
	if (gap) {
		*gap = '\0';
		p->len = (size_t)(gap - folded);
		p->tail = gap + 3;
		p->tail_len = strlen(p->tail);
	}
}

static enum lg_status load_file(struct urgency *u, const char *path, struct errbuf *err)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	unsigned lineno = 0;

	if (!f)
		return errbuf_set(err, LG_EIO, "%s: cannot open", path);
	while (fgets(line, sizeof(line), f)) {
		char *colon, *s = g_strstrip(line);
		enum urgency_category cat;

		lineno++;
		if (!*s || *s == '#')
			continue;
		colon = strchr(s, ':');
		if (colon)
			*colon = '\0';
		cat = urgency_category_parse(g_strstrip(s));
		if (!colon || cat == URGENCY_COUNT || !*g_strstrip(colon + 1)) {
			fclose(f);
			return errbuf_set(err, LG_EPARSE, "%s:%u: expected 'CATEGORY: phrase' with CATEGORY one of "
					  "deadline, suspension, payment, giftcard, credential, secrecy, prize, delivery",
					  path, lineno);
		}
		add(u, g_strstrip(colon + 1), cat);
	}
	fclose(f);
	return LG_OK;
}

enum lg_status urgency_new(const char *path, struct urgency **out, struct errbuf *err)
{
	return urgency_new_files(&path, path ? 1 : 0, out, err);
}

enum lg_status urgency_new_files(const char *const *paths, size_t n, struct urgency **out, struct errbuf *err)
{
	struct urgency *u = lg_calloc(1, sizeof(*u));
	enum lg_status rc = LG_OK;

	for (int c = 0; c < URGENCY_COUNT; c++)
		for (int i = 0; builtin[c][i]; i++)
			add(u, builtin[c][i], (enum urgency_category)c);
	for (size_t i = 0; i < n && !rc; i++)
		if (paths[i])
			rc = load_file(u, paths[i], err);
	build_index(u);
	if (rc) {
		urgency_free(&u);
		return rc;
	}
	*out = u;
	return LG_OK;
}

void urgency_free(struct urgency **u)
{
	if (!u || !*u)
		return;
	for (size_t i = 0; i < (*u)->n; i++) {
		lg_free((*u)->phrases[i].text);
		lg_free((char *)(*u)->phrases[i].shown);
	}
	lg_free((*u)->phrases);
	lg_free((*u)->buckets);
	lg_free(*u);
	*u = NULL;
}

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

static void hit(struct urgency_hits *out, const struct phrase *p)
{
	if (!out->first[p->cat])
		out->first[p->cat] = p->shown;
	out->count[p->cat]++;
}

/* True when s[at..len) matches word w on word boundaries. */
static bool word_at(const char *s, size_t len, size_t at, const char *w, size_t n)
{
	return at + n <= len && memcmp(s + at, w, n) == 0 && (at + n == len || !is_word(s[at + n]));
}

/* After a head ending at `end`, finds the tail within GAP_WORDS words. */
static bool tail_follows(const char *s, size_t len, size_t end, const struct phrase *p)
{
	size_t at = end;

	for (int skipped = 0; skipped <= GAP_WORDS; skipped++) {
		if (at >= len || s[at] != ' ')
			return false;
		at++;
		if (word_at(s, len, at, p->tail, p->tail_len))
			return true;
		while (at < len && s[at] != ' ')
			at++;
	}
	return false;
}

void urgency_scan(const struct urgency *u, const char *folded, size_t len, struct urgency_hits *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i + 1 < len; i++) {
		const struct bucket *b;

		if (i > 0 && is_word(folded[i - 1]))
			continue; /* phrases start on a word boundary */
		b = &u->buckets[key_of(folded + i)];
		for (unsigned k = b->start; k < b->start + b->count; k++) {
			const struct phrase *p = &u->phrases[k];
			size_t end = i + p->len;

			if (!word_at(folded, len, i, p->text, p->len))
				continue;
			if (!p->tail || tail_follows(folded, len, end, p))
				hit(out, p);
		}
	}
}

/* ---- the detector ----------------------------------------------------- */

struct category_signal {
	enum signal_id id;
	const char *sentence; /* %s is the phrase found */
};

static const struct category_signal category_signals[URGENCY_COUNT] = {
	[URGENCY_DEADLINE] = {SIG_URGENT_DEADLINE, "It pressures you to act quickly ('%s'); real requests leave time to check."},
	[URGENCY_SUSPENSION] = {SIG_THREAT_SUSPENSION, "It threatens that an account or service will be cut off ('%s')."},
	[URGENCY_PAYMENT] = {SIG_PAYMENT_REQUEST, "It asks for money or changes payment details ('%s'); confirm by phone first."},
	[URGENCY_GIFTCARD] = {SIG_GIFT_CARD_REQUEST, "It asks for gift cards ('%s'), a favourite of fraudsters posing as managers."},
	[URGENCY_CREDENTIAL] = {SIG_CREDENTIAL_REQUEST, "It asks you to confirm a password or account details ('%s'); no real service asks that by mail."},
	[URGENCY_SECRECY] = {SIG_SECRECY_REQUEST, "It asks you to keep the matter secret ('%s'), so nobody can warn you."},
	[URGENCY_PRIZE] = {SIG_PRIZE_CLAIM, "It says you have won or can claim a prize, reward or points ('%s'), the bait of many scams."},
	[URGENCY_DELIVERY] = {SIG_DELIVERY_FEE, "It says a parcel is held until you pay a small fee or confirm details ('%s'); carriers do not ask that by mail."},
};

void detect_urgency(const struct detect_env *env, const struct mail_message *msg,
		    const struct detect_facts *facts, struct signal_list *out)
{
	const struct detect_text *t = facts->text;
	struct urgency_hits hits;

	urgency_scan(env->urgency, t->all, t->all_len, &hits);
	for (int c = 0; c < URGENCY_COUNT; c++) {
		if (!hits.count[c])
			continue;
		/* One mention may be innocent; repeated pressure is not. */
		signal_add(out, category_signals[c].id, hits.count[c] > 1 ? 1.0 : 0.7,
			   category_signals[c].sentence, hits.first[c]);
	}
}
