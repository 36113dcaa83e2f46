/* lookalike.h: is a domain dressed up as one we protect?
 *
 * A lookalike_set is compiled once from the protected domains (the
 * organisation's own, its partners, well-known brands) and then answers, for
 * any domain, which protected domain it imitates and how:
 *   confusable     - same Unicode skeleton (UTS #39, ICU uspoof): "paypaI.com",
 *                    "аpple.com" with a Cyrillic a
 *   character-trick- same after ASCII tricks: rn->m, vv->w, 0->o, 1->l, ...
 *   edit-distance  - registrable label one or two edits away: "exmaple.com"
 *   tld-swap       - same label under another suffix: "example.co"
 *   brand-embedded - the protected label inside another domain, with words or
 *                    hyphens or as a subdomain: "example-billing.com",
 *                    "example.com.secure-login.net"
 * A protected domain itself and its subdomains are never lookalikes.
 * After lookalike_set_new() a set is read-only and safe to share between threads. */
#ifndef LG_DETECT_LOOKALIKE_H
#define LG_DETECT_LOOKALIKE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/errbuf.h"

enum lookalike_technique {
	LOOKALIKE_NONE = 0,
	LOOKALIKE_CONFUSABLE,
	LOOKALIKE_CHARACTER_TRICK,
	LOOKALIKE_EDIT_DISTANCE,
	LOOKALIKE_TLD_SWAP,
	LOOKALIKE_BRAND_EMBEDDED,
};

struct lookalike_match {
	const char *protected_domain;     /* borrowed from the set */
	enum lookalike_technique technique;
	double score;                     /* 0..1, how convincing the imitation is */
};

struct lookalike_set;

/* Compiles n protected domains (ASCII or Unicode, any case). Returns LG_OK and
 * a set in *out (caller frees with lookalike_set_free), or LG_ECONFIG with a
 * sentence in err naming the bad domain. */
enum lg_status lookalike_set_new(const char *const *domains, size_t n,
				 struct lookalike_set **out, struct errbuf *err);
void lookalike_set_free(struct lookalike_set **set);

/* Returns true and fills *out when domain imitates a protected domain; the
 * most convincing technique wins. False for protected domains themselves,
 * their subdomains, unrelated domains, and IP literals. */
bool lookalike_check(const struct lookalike_set *set, const char *domain,
		     struct lookalike_match *out);

/* True when domain is a protected domain or a subdomain of one. */
bool lookalike_is_protected(const struct lookalike_set *set, const char *domain);

/* True when the Unicode form of domain mixes scripts in one label, or uses
 * characters UTS #39 restricts (ICU uspoof restriction level check). */
bool lookalike_mixed_script(const char *domain);

/* "confusable", "character-trick", ...; "none" for LOOKALIKE_NONE. */
const char *lookalike_technique_name(enum lookalike_technique t);

#endif
