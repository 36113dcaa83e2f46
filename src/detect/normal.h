/* normal.h: the one folding every text check sees — subject, display names,
 * body and phrase lists alike — so that 𝗬𝗼𝘂𝗿 𝗺𝗲𝗺𝗯𝗲𝗿𝘀𝗵𝗶𝗽, ＹＯＵＲ, "Yоur" with a
 * Cyrillic о, "Vo\u200Bcê" and "voce" all meet the phrase "your" or "voce".
 *
 * Folding is Unicode compatibility decomposition (NFKD, UAX #15) with full
 * case folding (ICU), accents dropped (combining marks, general category
 * Mn), default-ignorable code points removed (zero-width, bidi controls,
 * soft hyphen: UAX #44 Default_Ignorable_Code_Point), the Cyrillic and Greek
 * letters that look Latin folded to it (a subset of UTS #39 confusables),
 * U+2019 as an apostrophe and every run of white space as one space.
 * ASCII text takes a fast path (lower case and spaces only), so the common
 * message costs what the old ASCII fold cost. While folding, what the text
 * did to hide itself is counted. */
#ifndef LG_DETECT_NORMAL_H
#define LG_DETECT_NORMAL_H

#include <stddef.h>

#include "mail/message.h"

struct normal_stats {
	unsigned styled;     /* mathematical, full-width, circled, squared letters, overlays */
	unsigned invisible;  /* default-ignorable code points removed */
	unsigned bidi;       /* of them, bidi controls (U+202A-202E, U+2066-2069) */
	unsigned homoglyphs; /* Cyrillic/Greek letters folded to Latin inside a Latin word */
};

/* Folds len bytes of UTF-8 (invalid bytes become U+FFFD). Returns a new
 * NUL-terminated string (caller frees with lg_free) and its length in
 * *out_len. st (may be NULL) gets the counts, added to what it holds. */
char *normal_fold(const char *text, size_t len, size_t *out_len, struct normal_stats *st);

/* A message's text folded once for every detector (engine.c fills it). */
struct detect_text {
	const char *subject, *name; /* folded subject and From display name */
	size_t subject_len, name_len;
	const char *all;            /* subject, '\n', plain text, '\n', HTML text, '\n', name */
	size_t all_len;
	struct normal_stats subject_st, name_st, body_st;
};

/* Fills *out from msg; everything lives in msg's arena. Never fails. */
void normal_message(const struct mail_message *msg, struct detect_text *out);

#endif
