/* spelling.c: bad spelling, shouting and repeated punctuation — three signs
 * staff are taught to notice. Misspellings are counted only over ordinary
 * lower-case words: names, codes, addresses and links are left out, and a
 * text where most words are unknown is taken to be in another language, not
 * badly spelt English. */
#include <ctype.h>
#include <string.h>

#include "detect/env.h"
#include "detect/speller.h"

#define SPELL_MAX_WORDS 200   /* words judged per message: enough for a rate */
#define SPELL_MIN_WORDS 30    /* fewer than this says nothing */
#define SPELL_BAD_RATE 0.10   /* misspelt share that fires */
#define SPELL_FOREIGN_RATE 0.45 /* above this, probably not English */

struct spell_count {
	unsigned words, bad;
	const char *examples[3];
	size_t example_len[3];
};

/* A whitespace-separated token that is a link, address, path or code. */
static bool is_technical(const char *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = t[i];

		if (c == '@' || c == '/' || c == '_' || c == '=' || c == '\\' || isdigit((unsigned char)c))
			return true;
		if (c == '.' && i + 1 < n && isalpha((unsigned char)t[i + 1]))
			return true;
	}
	return false;
}

/* Judges one token; only plain lower-case ASCII words (one inner apostrophe
 * allowed) count. */
static void judge(struct speller *sp, const char *t, size_t n, struct spell_count *c)
{
	while (n && !isalpha((unsigned char)*t)) {
		t++;
		n--;
	}
	while (n && !isalpha((unsigned char)t[n - 1]))
		n--;
	if (n < 3 || n > 24)
		return;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)t[i]) || (t[i] == '\'' && i > 0 && i + 1 < n)))
			return;
	c->words++;
	if (speller_known(sp, t, n))
		return;
	if (c->bad < 3) {
		c->examples[c->bad] = t;
		c->example_len[c->bad] = n;
	}
	c->bad++;
}

static void count_words(struct speller *sp, const char *s, size_t len, struct spell_count *c)
{
	size_t i = 0;

	while (i < len && c->words < SPELL_MAX_WORDS) {
		size_t start;

		while (i < len && isspace((unsigned char)s[i]))
			i++;
		start = i;
		while (i < len && !isspace((unsigned char)s[i]))
			i++;
		if (i > start && !is_technical(s + start, i - start))
			judge(sp, s + start, i - start, c);
	}
}

static void check_spelling(const struct detect_env *env, const struct mail_message *msg,
			   struct signal_list *out)
{
	struct spell_count c = {0};
	double rate;

	if (!env->speller)
		return;
	count_words(env->speller, msg->text, msg->text_len, &c);
	if (c.words < SPELL_MIN_WORDS)
		count_words(env->speller, msg->html_text, msg->html_text_len, &c);
	if (c.words < SPELL_MIN_WORDS)
		return;
	rate = (double)c.bad / c.words;
	if (rate < SPELL_BAD_RATE || rate > SPELL_FOREIGN_RATE)
		return;
	signal_add(out, SIG_BAD_SPELLING, 1.0,
		   "%u of %u ordinary words are misspelt (such as '%.*s'%s%.*s%s); careless writing is a common sign of a fake.",
		   c.bad, c.words, (int)c.example_len[0], c.examples[0],
		   c.bad > 1 ? ", '" : "", c.bad > 1 ? (int)c.example_len[1] : 0, c.bad > 1 ? c.examples[1] : "",
		   c.bad > 1 ? "'" : "");
}

/* Share of upper-case letters among the letters of s; *letters gets their count. */
static double upper_share(const char *s, size_t len, unsigned *letters)
{
	unsigned up = 0;

	*letters = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isalpha((unsigned char)s[i]))
			continue;
		(*letters)++;
		up += isupper((unsigned char)s[i]) != 0;
	}
	return *letters ? (double)up / *letters : 0;
}

static void check_shouting(const struct mail_message *msg, struct signal_list *out)
{
	unsigned letters;
	const char *body = msg->text_len ? msg->text : msg->html_text;
	size_t body_len = msg->text_len ? msg->text_len : msg->html_text_len;

	if (upper_share(msg->subject, strlen(msg->subject), &letters) >= 0.7 && letters >= 10)
		signal_add(out, SIG_SHOUTING, 1.0, "The subject is written in capital letters ('%s'), a pressure tactic.",
			   msg->subject);
	else if (upper_share(body, body_len < 20000 ? body_len : 20000, &letters) >= 0.4 && letters >= 200)
		signal_add(out, SIG_SHOUTING, 1.0, "Much of the text is written in capital letters, a pressure tactic.");
}

static unsigned punctuation_runs(const char *s, size_t len)
{
	unsigned runs = 0;

	for (size_t i = 0; i + 2 < len; i++) {
		bool mark = s[i] == '!' || s[i] == '?';

		if (mark && (s[i + 1] == '!' || s[i + 1] == '?') && (s[i + 2] == '!' || s[i + 2] == '?')) {
			runs++;
			while (i + 1 < len && (s[i + 1] == '!' || s[i + 1] == '?'))
				i++;
		}
	}
	return runs;
}

static void check_punctuation(const struct mail_message *msg, struct signal_list *out)
{
	unsigned subject = punctuation_runs(msg->subject, strlen(msg->subject));
	unsigned body = punctuation_runs(msg->text, msg->text_len) +
			punctuation_runs(msg->html_text, msg->html_text_len);

	if (subject || body >= 2)
		signal_add(out, SIG_REPEATED_PUNCTUATION, 1.0,
			   "The %s uses runs of exclamation or question marks ('!!!'), typical of pushy mass mail.",
			   subject ? "subject" : "text");
}

void detect_spelling(const struct detect_env *env, const struct mail_message *msg,
		     const struct detect_facts *facts, struct signal_list *out)
{
	(void)facts;
	check_spelling(env, msg, out);
	check_shouting(msg, out);
	check_punctuation(msg, out);
}
