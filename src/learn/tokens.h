/* tokens.h: what the statistical classifier sees of a message — hashed
 * features of its words, word pairs, headers, links and attachments.
 *
 * Words are lower-cased runs of letters, digits and a few joiners ('$', '-',
 * '\'', '.', between letters), 2 to 24 bytes. Beside each word the tokenizer
 * emits orthogonal sparse bigrams (OSB, as CRM114 and rspamd): the word paired
 * with each of the next TOKENS_OSB_WINDOW - 1 words, tagged with the gap, so
 * phrases count without storing n-grams. Header features are tagged by kind
 * (subject words, From domain, Received hosts, mailer, content types), link
 * features by host and path words, attachments by type and extension.
 * Each feature becomes a 64-bit hash; a message's set holds each once.
 * Pure: no I/O. */
#ifndef LG_LEARN_TOKENS_H
#define LG_LEARN_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "mail/message.h"

#define TOKENS_OSB_WINDOW 3  /* a word pairs with the next 2 */
#define TOKENS_MAX_WORDS 800 /* body words read per message: more cost time and, measured on the training half, no accuracy */

struct token_set {
	uint64_t *h; /* unique, in no particular order; arena-owned */
	size_t n;
};

/* Tokenizes msg into *out, allocated in msg's arena. */
void tokens_of_message(const struct mail_message *msg, struct token_set *out);

/* The hash of one feature string (exposed for tests and tools). */
uint64_t tokens_hash(const char *s, size_t len);

#endif
