/* speller.h: "is this a word?" — hunspell with a bounded cache in front of
 * it, since mail repeats the same few thousand words and a cache hit is far
 * cheaper than hunspell's affix analysis. Safe to call from many threads. */
#ifndef LG_DETECT_SPELLER_H
#define LG_DETECT_SPELLER_H

#include <stdbool.h>
#include <stddef.h>

struct speller;

/* Opens DIR/LANG.aff and DIR/LANG.dic. Returns NULL (after a warning on
 * stderr) when the dictionary is missing: spelling checks are then skipped. */
struct speller *speller_new(const char *dir, const char *lang);
void speller_free(struct speller **s);

/* True when word (len bytes, lower-case UTF-8) is in the dictionary. */
bool speller_known(struct speller *s, const char *word, size_t len);

#endif
