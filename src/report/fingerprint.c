/* fingerprint.c: see fingerprint.h. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "learn/tokens.h"
#include "mail/url.h"
#include "report/fingerprint.h"
#include "util/mix.h"

#define SHINGLE 3
#define MAX_WORDS 500 /* a campaign shows in its first lines */

/* Greeting words: a line starting with one of these is the salutation and
 * carries the recipient's name, so it is left out. */
static const char *const greetings[] = {"hi", "hello", "dear", "hey", "good", "greetings", NULL};

struct shingler {
	uint64_t window[SHINGLE];
	size_t words;
	struct fingerprint *fp;
};

static void add_word(struct shingler *s, const char *w, size_t n)
{
	uint64_t h = tokens_hash(w, n), sh = 0;

	s->window[s->words % SHINGLE] = h;
	if (++s->words < SHINGLE)
		return;
	for (size_t i = 0; i < SHINGLE; i++)
		sh = mix64(sh ^ s->window[(s->words - SHINGLE + i) % SHINGLE]);
	s->fp->shingles++;
	/* 64 hash functions from two (Kirsch and Mitzenmacher's double
	 * hashing): the i-th is h1 + i * h2, the high 32 bits kept. One multiply
	 * and add each, where a full remix per function cost most of check's
	 * time with a report index. */
	{
		uint64_t h1 = sh, h2 = mix64(sh ^ 0x9e3779b97f4a7c15ULL) | 1;

		for (unsigned i = 0; i < FP_HASHES; i++) {
			uint32_t v = (uint32_t)((h1 + i * h2) >> 32);

			if (v < s->fp->minhash[i])
				s->fp->minhash[i] = v;
		}
	}
}

static bool is_greeting(const char *line, size_t n)
{
	for (int i = 0; greetings[i]; i++) {
		size_t g = strlen(greetings[i]);

		if (n >= g && strncasecmp(line, greetings[i], g) == 0 && (n == g || !isalpha((unsigned char)line[g])))
			return true;
	}
	return false;
}

/* Feeds the words of one line, links reduced to host and path. */
static void add_line(struct shingler *s, struct arena *a, const char *line, size_t n)
{
	char word[64];
	size_t i = 0;

	while (i < n && s->words < MAX_WORDS) {
		size_t start, len = 0;

		while (i < n && isspace((unsigned char)line[i]))
			i++;
		start = i;
		while (i < n && !isspace((unsigned char)line[i]))
			i++;
		if (i - start > 7 && (strncasecmp(line + start, "http://", 7) == 0 ||
				      strncasecmp(line + start, "https://", 8) == 0)) {
			struct url_parts u;
			const char *url = arena_strndup(a, line + start, i - start);

			if (url_parse(a, url, &u)) {
				const char *key = arena_printf(a, "%s%s", u.host, u.path);

				add_word(s, key, strlen(key));
			}
			continue;
		}
		for (size_t k = start; k < i && len < sizeof(word); k++) {
			unsigned char c = (unsigned char)line[k];

			if (isdigit(c)) {
				if (len == 0 || word[len - 1] != '0')
					word[len++] = '0';
			} else if (isalnum(c) || c >= 0x80) {
				word[len++] = (char)tolower(c);
			}
		}
		if (len)
			add_word(s, word, len);
	}
}

static void add_text(struct shingler *s, struct arena *a, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	bool first = true;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t skip = 0;

		while (skip < n && isspace((unsigned char)p[skip]))
			skip++;
		if (skip < n) {
			if (!(first && is_greeting(p + skip, n - skip)))
				add_line(s, a, p + skip, n - skip);
			first = false;
		}
		p += n + 1;
	}
}

void fingerprint_of_message(const struct mail_message *msg, struct fingerprint *out)
{
	struct shingler s = {.fp = out};

	memset(out->minhash, 0xff, sizeof(out->minhash));
	out->shingles = 0;
	/* Both bodies: a text part can be a stub shared by unrelated mail
	 * ("your mail program does not support HTML") while the HTML differs. */
	add_line(&s, msg->arena, msg->subject, strlen(msg->subject));
	add_text(&s, msg->arena, msg->text, msg->text_len);
	add_text(&s, msg->arena, msg->html_text, msg->html_text_len);
}

bool fingerprint_usable(const struct fingerprint *fp)
{
	return fp->shingles >= FP_MIN_SHINGLES;
}

double fingerprint_similarity(const struct fingerprint *a, const struct fingerprint *b)
{
	unsigned same = 0;

	if (!fingerprint_usable(a) || !fingerprint_usable(b))
		return 0;
	for (unsigned i = 0; i < FP_HASHES; i++)
		same += a->minhash[i] == b->minhash[i];
	return (double)same / FP_HASHES;
}

uint64_t fingerprint_band_key(const struct fingerprint *fp, unsigned band)
{
	const unsigned rows = FP_HASHES / FP_BANDS;
	uint64_t h = mix64(band + 1);

	for (unsigned r = 0; r < rows; r++)
		h = mix64(h ^ fp->minhash[band * rows + r]);
	return h;
}
