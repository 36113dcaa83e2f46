/* record.h: turning the fields of one leaked record (a CSV row, a JSON
 * object, a combo-list line, a mail message) into index entries.
 *
 * A reader calls leak_rec_begin(), then leak_rec_email()/phone()/name()/
 * org()/password()/country()/text() for what it found, then leak_rec_end().
 * At the end the record's entities are normalised and hashed into 24-byte
 * entries (segment.h) appended to the collector: every email under its own
 * registrable domain, and the record's names, phones and organisations
 * under the domain of the record's first address, so that a lookup of a
 * domain finds the people of that organisation. An entry's group is the
 * batch's number for its exact registrable domain (domains[group - 1]);
 * leak_segment_write() turns it into the segment's own. Each address is
 * also kept as text under its domain (addrs), for the store's per-domain
 * address rows. Phones are also entered
 * under LEAK_GROUP_PHONE so they can be looked up by number alone. When the
 * record held a password, each entry carries the PASSWORD flag and email
 * entries a 16-bit verifier (never the password).
 *
 * The collector is pure: it never touches files or the store, so readers
 * and this file are unit-tested and fuzzed on bytes. */
#ifndef LG_LEAK_RECORD_H
#define LG_LEAK_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leak/segment.h"
#include "leak/sha1.h"

#define LEAK_REC_MAX_ITEMS 64 /* entities kept per record; the rest are counted */

struct leak_rec_item {
	enum leak_kind kind;
	uint64_t pos;
	char value[LEAK_MAX_VALUE + 1];
	uint32_t len;
	uint32_t group_hint; /* emails: their own domain's batch group */
	bool context;        /* emails: gives the record its domain, not entered */
};

/* Called for each record that cannot be read: pos is the byte offset in
 * the file, line its 1-based line (0 when unknown). */
typedef void (*leak_error_fn)(void *ctx, uint64_t pos, uint64_t line, const char *why);

/* One exact registrable domain of the current batch. */
struct leak_batch_domain {
	const char *name; /* borrowed from the collector's cache */
	char *addrs;      /* its addresses entered in this batch, "a@x\n" each (owned) */
	size_t len, cap;
};

struct leak_collector {
	/* output: entries of the current batch (owned, lg_grow'n) */
	struct leak_entry *entries;
	size_t nentries, cap;
	uint32_t file_no;     /* stored in each entry's meta (batch-local until commit) */
	uint64_t records;     /* records ended (with or without entities) */
	uint64_t empty;       /* records without any entity */
	uint64_t errors;      /* records reported through error */
	uint64_t entities;    /* entities entered (before deduplication) */
	uint64_t pushed;      /* entries ever added (not reset) */
	/* SHA-1 of every address entered, for the range index (range.h);
	 * owned, forgotten with the entries by leak_collector_reset() */
	uint8_t (*sha1)[LEAK_SHA1_LEN];
	size_t nsha1, sha1_cap;
	leak_error_fn error;
	void *error_ctx;
	/* called when nentries reaches full_at (0: never), so the caller can
	 * write the entries out and reset; keeps memory bounded on huge files */
	void (*full)(void *ctx);
	size_t full_at;

	/* the record being assembled */
	struct leak_rec_item items[LEAK_REC_MAX_ITEMS];
	size_t nitems;
	bool password;
	uint64_t pw_hash;
	int cc;               /* country calling code of the record, 0 unknown */

	/* the batch's domains: group g is domains[g - 1] (reset with the entries) */
	struct leak_batch_domain *domains;
	size_t ndomains, domains_cap;
	uint32_t gen;

	struct domain_cache *cache;
};

void leak_collector_init(struct leak_collector *c);
void leak_collector_cleanup(struct leak_collector *c);
/* Forgets the entries (after they were written) but keeps the caches. */
void leak_collector_reset(struct leak_collector *c);

/* Reports a record that could not be read and counts it. */
void leak_rec_error(struct leak_collector *c, uint64_t pos, uint64_t line, const char *why);

void leak_rec_begin(struct leak_collector *c);
/* Each adds what s[0..n) holds, found at byte offset pos of the file;
 * values that do not normalise are ignored. */
void leak_rec_email(struct leak_collector *c, const char *s, size_t n, uint64_t pos);
/* An address that gives the record its organisation (a message's sender
 * for the names and phones of its signature) without being entered again. */
void leak_rec_context_email(struct leak_collector *c, const char *s, size_t n);
void leak_rec_phone(struct leak_collector *c, const char *s, size_t n, uint64_t pos);
void leak_rec_name(struct leak_collector *c, const char *s, size_t n, uint64_t pos);
void leak_rec_org(struct leak_collector *c, const char *s, size_t n, uint64_t pos);
void leak_rec_password(struct leak_collector *c, const char *s, size_t n);
void leak_rec_country(struct leak_collector *c, const char *s, size_t n);
/* Free text: every address in it, and phone numbers written with "+". */
void leak_rec_text(struct leak_collector *c, const char *s, size_t n, uint64_t pos);
void leak_rec_end(struct leak_collector *c);

/* The registrable domain of a host given in any form ("Mail.Example.COM"
 * -> "example.com"; a host without one stands for itself) into out
 * (LEAK_MAX_EMAIL + 1 bytes): the key domain answers are filed under.
 * Returns its length, 0 when host is empty or too long. */
size_t leak_domain_of_host(const char *host, char *out);
/* The index key of a normalised value of a kind. */
uint64_t leak_value_key(enum leak_kind kind, const char *v, size_t n);
/* The 16-bit verifier of a password for an address. */
uint16_t leak_password_check(const char *email, size_t elen, const char *pw, size_t plen);

#endif
