/* fuzz_domain.c: libFuzzer harness for src/mail/domain.c and
 * src/detect/lookalike.c: registrable part, IDNA conversions, and the
 * lookalike checks against a small fixed protected set. The input is one
 * host name (up to its first NUL). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/lookalike.h"
#include "mail/domain.h"
#include "util/arena.h"
#include "util/errbuf.h"

static struct lookalike_set *protected_set;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const domains[] = { "example.com", "paypal.com", "fabrikam.com" };
	struct errbuf err;

	(void)argc, (void)argv;
	if (lookalike_set_new(domains, 3, &protected_set, &err))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct lookalike_match m;
	const char *host = arena_strndup(a, (const char *)data, size);
	const char *ascii;

	domain_registrable(a, host);
	domain_suffix(a, host);
	domain_to_unicode(a, host);
	ascii = domain_to_ascii(a, host);
	if (ascii)
		domain_to_unicode(a, ascii);
	domain_within(host, "example.com");
	domain_is_ip(host);
	if (lookalike_check(protected_set, host, &m) &&
	    (!m.protected_domain || m.technique == LOOKALIKE_NONE))
		abort();
	lookalike_is_protected(protected_set, host);
	lookalike_mixed_script(host);
	arena_free(&a);
	return 0;
}
