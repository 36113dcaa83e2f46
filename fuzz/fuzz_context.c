/* fuzz_context.c: libFuzzer harness for the leak context's parsers of
 * untrusted bytes: the identifier scanner, title and subject normalising
 * (context/extract.c) over mail and leak text, the quoted-history reader
 * (context/people.c), and the context store reader (context/store.c) over
 * a damaged or hostile DB.context. The first byte picks which. Every
 * identifier found is checked to be normalised (lower-case letters and
 * digits, bounded). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "context/extract.h"
#include "context/people.h"
#include "context/store.h"
#include "mail/message.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	mail_init();
	return 0;
}

static void check_item(void *ctx, enum ctx_kind kind, const char *norm, const char *orig, size_t olen)
{
	size_t n = strlen(norm);

	(void)ctx, (void)orig;
	if (kind < CTX_INVOICE || kind >= CTX_KINDS || n == 0 || n > CTX_MAX_NORM || olen == 0)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((norm[i] >= 'A' && norm[i] <= 'Z') || norm[i] == '\n')
			abort();
}

static void store(const uint8_t *data, size_t size)
{
	/* the reader maps the file: give it an aligned copy, as mmap would */
	void *copy = malloc(size ? size : 1);
	struct ctx_store *s = NULL;
	struct ctx_hit hit;

	memcpy(copy, data, size);
	if (ctx_store_parse(copy, size, &s, NULL) == LG_OK) {
		for (size_t i = 0; i < ctx_store_partners(s); i++) {
			struct ctx_partner p;

			ctx_store_partner(s, i, &p);
			if (strlen(p.domain) > 1u << 26)
				abort();
		}
		ctx_store_find(s, 42, &hit);
		for (size_t i = 0; i < ctx_store_sources(s); i++)
			ctx_store_items_of(s, CTX_INVOICE, i);
		ctx_store_free(&s);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;
	char out[CTX_MAX_NORM + 1], *z;
	bool flag;

	if (size == 0)
		return 0;
	switch (data[0] % 4) {
	case 0:
		ctx_items_scan(s, n, check_item, NULL);
		break;
	case 1:
		z = strndup(s, n);
		ctx_title_norm(s, n, true, out);
		ctx_title_norm(s, n, false, out);
		ctx_subject_norm(z, &flag, out);
		ctx_words_norm(s, n, out);
		free(z);
		break;
	case 2: {
		struct arena *a = arena_new();
		struct mail_address people[CTX_MAX_PEOPLE];

		ctx_quoted_people(a, s, n, people, CTX_MAX_PEOPLE, &flag);
		arena_free(&a);
		break;
	}
	default:
		store(data + 1, n);
	}
	return 0;
}
