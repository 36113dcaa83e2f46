/* urgency.h: the words of pressure — deadlines, threats of suspension,
 * payment and gift-card requests, credential requests, demands for secrecy —
 * as phrase lists matched case-insensitively on word boundaries; a phrase
 * may hold one gap " * " of up to three words ("buy * gift cards"). Built-in
 * English phrases, extended by files of "category: phrase" lines (data/phrases/
 * ships them for English, Portuguese, Spanish, German, French, Dutch and
 * Italian). Phrases and text are folded alike (normal.h). */
#ifndef LG_DETECT_URGENCY_H
#define LG_DETECT_URGENCY_H

#include <stddef.h>

#include "util/errbuf.h"

enum urgency_category {
	URGENCY_DEADLINE,
	URGENCY_SUSPENSION,
	URGENCY_PAYMENT,
	URGENCY_GIFTCARD,
	URGENCY_CREDENTIAL,
	URGENCY_SECRECY,
	URGENCY_PRIZE,    /* a prize, reward, refund or points to claim */
	URGENCY_DELIVERY, /* a parcel held until a fee is paid */
	URGENCY_COUNT
};

struct urgency;

/* Builds the phrase set; path (may be NULL) adds phrases. LG_EIO or
 * LG_EPARSE (file:line, unknown category) on a bad file. */
enum lg_status urgency_new(const char *path, struct urgency **out, struct errbuf *err);
/* The same from n files (the shipped per-language lists, then the user's).
 * Phrases of every language are scanned together: the scan looks only at
 * phrases that can start at each word, so its cost does not grow with them. */
enum lg_status urgency_new_files(const char *const *paths, size_t n, struct urgency **out, struct errbuf *err);
void urgency_free(struct urgency **u);

struct urgency_hits {
	unsigned count[URGENCY_COUNT];
	const char *first[URGENCY_COUNT]; /* first phrase matched, borrowed from u */
};

/* Finds phrases in text, which must already be folded by normal_fold() (or,
 * for ASCII text, urgency_fold()). */
void urgency_scan(const struct urgency *u, const char *folded, size_t len, struct urgency_hits *out);

/* Folds text for scanning into out (capacity >= len + 1): ASCII lower case,
 * every run of white space one space, typographic apostrophes as '.
 * Returns the folded length. */
size_t urgency_fold(const char *text, size_t len, char *out);

/* "deadline", "suspension", ...; URGENCY_COUNT for an unknown name. */
enum urgency_category urgency_category_parse(const char *name);

#endif
