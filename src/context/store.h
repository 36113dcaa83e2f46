/* store.h: the context store — what leaked about an organisation, kept as a
 * compact file beside the state store (DB.context) that check and the
 * milter map read-only, as they map the model snapshot.
 *
 * It holds no leaked text. Business identifiers (extract.h) and staff
 * addresses are keyed hashes (keyhash.h) with their kind and the leak they
 * came from. Leaked partners' domains are kept in clear: a lookalike is
 * found by comparing strings (skeletons, edit distance, keyboard tricks),
 * which no hash allows, and a domain names an organisation, not a person or
 * a document. Leak source names and the organisation's own domains are the
 * administrator's own labels.
 *
 * File layout (little-endian; written whole by util/durable.h):
 *   header, 72 bytes: magic "LGCTX001", u32 version (1), u32 sources, u32
 *     orgs, u32 partners, u32 items, u32 string bytes, u64 built (unix
 *     time), 32-byte hash key
 *   u32 x sources: offset of each source name in the strings
 *   u32 x orgs: offset of each own domain
 *   partners x {u32 domain offset, u32 source, u32 count, u32 zero}
 *   items x {u64 hash, u32 kind, u32 source}, sorted by hash
 *   strings: NUL-terminated, the last byte NUL */
#ifndef LG_CONTEXT_STORE_H
#define LG_CONTEXT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context/extract.h"
#include "context/keyhash.h"
#include "util/errbuf.h"

#define CTX_MAX_PARTNERS 100000
#define CTX_MAX_ITEMS_STORED (16u * 1024 * 1024)

/* Hash families: one per kind of value, so equal text of two kinds differs. */
enum ctx_family { CTX_FAM_NUMBER = 1, CTX_FAM_PROJECT, CTX_FAM_TITLE, CTX_FAM_PERSON };

/* The family a kind's values are hashed in (every number kind shares one). */
enum ctx_family ctx_family_of(enum ctx_kind k);

struct ctx_partner {
	const char *domain; /* registrable domain, lower case; borrowed */
	const char *source; /* leak it was found in first; borrowed */
	uint32_t count;     /* leaked messages and documents it shares with the organisation */
};

struct ctx_hit {
	enum ctx_kind kind;
	const char *source; /* borrowed */
};

struct ctx_store;

/* Maps DB.context for the state store at db_path. LG_ENOTFOUND when there
 * is none, LG_EPARSE (with a sentence saying how to rebuild it) when it is
 * damaged. Caller frees with ctx_store_free(). */
enum lg_status ctx_store_open(const char *db_path, struct ctx_store **out, struct errbuf *err);
/* Validates and wraps n bytes of a context file; data is borrowed and must
 * outlive the store. LG_EPARSE with a sentence on any inconsistency. */
enum lg_status ctx_store_parse(const void *data, size_t n, struct ctx_store **out, struct errbuf *err);
void ctx_store_free(struct ctx_store **s);

const uint8_t *ctx_store_key(const struct ctx_store *s);
uint64_t ctx_store_built(const struct ctx_store *s);
size_t ctx_store_orgs(const struct ctx_store *s);
const char *ctx_store_org(const struct ctx_store *s, size_t i);
size_t ctx_store_sources(const struct ctx_store *s);
const char *ctx_store_source(const struct ctx_store *s, size_t i);
size_t ctx_store_partners(const struct ctx_store *s);
void ctx_store_partner(const struct ctx_store *s, size_t i, struct ctx_partner *out);
/* Items of kind k (0: all kinds). */
size_t ctx_store_items(const struct ctx_store *s, enum ctx_kind k);
/* Items of kind k that came from source i. */
size_t ctx_store_items_of(const struct ctx_store *s, enum ctx_kind k, size_t source);
/* Finds a value hashed with this store's key; true and *hit when present. */
bool ctx_store_find(const struct ctx_store *s, uint64_t hash, struct ctx_hit *hit);
/* The path of the context file for a state store (g_free). */
char *ctx_store_path(const char *db_path);

/* ---- building -------------------------------------------------------- */
struct ctx_builder;

struct ctx_builder *ctx_builder_new(const uint8_t key[CTX_KEY_LEN]);
void ctx_builder_free(struct ctx_builder **b);
const uint8_t *ctx_builder_key(const struct ctx_builder *b);
/* The index of source name (added when new). */
uint32_t ctx_builder_source(struct ctx_builder *b, const char *name);
void ctx_builder_org(struct ctx_builder *b, const char *domain);
/* Counts one more leaked message or document shared with partner domain. */
void ctx_builder_partner(struct ctx_builder *b, const char *domain, uint32_t source);
/* Adds an identifier of kind k, normalised as norm, from source. */
void ctx_builder_item(struct ctx_builder *b, enum ctx_kind k, const char *norm, uint32_t source);
/* Writes the store for db_path (via a temporary, fsync, rename). */
enum lg_status ctx_builder_write(struct ctx_builder *b, const char *db_path, struct errbuf *err);

#endif
