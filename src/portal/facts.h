/* facts.h: what the portal may show once access is proven — per leak, the
 * counts for a domain (the same numbers `leakguard lookup --domain` prints,
 * from the same leak_lookup, plus the documents holding them), the domain's
 * affected addresses (the store's rows of exactly that domain, written at
 * ingest), and for one address the kinds of data that leaked with it. Only
 * entries of exactly the registrable domain asked for are ever part of an
 * answer, and no dump is read. The caller holds the portal's index_lock. */
#ifndef LG_PORTAL_FACTS_H
#define LG_PORTAL_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "leak/index.h"
#include "store/portal.h"

struct facts_source {
	int64_t id;
	char name[PORTAL_TEXT_MAX];
	char date[11];                 /* YYYY-MM-DD or "" */
	uint64_t distinct[LEAK_KINDS]; /* per kind, as lookup --domain */
	uint64_t occurrences, with_password;
	uint64_t documents;            /* files holding any of it */
	/* for an address: the kinds of data that leaked with it */
	bool k_phone, k_name, k_mail, k_document, k_password;
};

struct facts {
	struct facts_source *src; /* owned, by leak name */
	size_t n;
};

struct facts_address {
	char address[LEAK_MAX_EMAIL + 1];
	const char *source;  /* borrowed from the facts */
	const char *date;
};

/* The registrable domain of what a user typed ("Mail.Example.COM." ->
 * "example.com", IDNs in punycode), into out (PORTAL_TEXT_MAX); false when
 * it is no domain (an IP, a bare suffix, odd characters). Control is
 * proven, and data shown, for registrable domains only. */
bool facts_domain_norm(const char *input, char *out);

/* The domain's facts (domain already normalised); n is 0 when no leak
 * holds it. */
void facts_domain(struct leak_index *ix, const char *domain, struct facts *out);
/* The domain's distinct (address, leak) pairs, sorted, into *out (lg_free);
 * f must be facts_domain's for the same domain (names and dates come
 * from it). */
enum lg_status facts_addresses(struct leak_index *ix, struct store *s, const char *domain, const struct facts *f,
			       struct facts_address **out, size_t *n, struct errbuf *err);
/* The facts of one address (normalised): the leaks holding it with the
 * kinds of data found with it. Only leaks whose stored addresses hold its
 * exact text count (leak_result_confirm), never a hash collision. */
void facts_address(struct leak_index *ix, struct store *s, const char *address, struct facts *out);
/* Whether any leak holds the address, its exact text (for the mail queue).
 * s is read: the caller holds the index lock for writing. */
bool facts_address_found(struct leak_index *ix, struct store *s, const char *address);
void facts_free(struct facts *f);

#endif
