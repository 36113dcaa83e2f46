/* brands.h: the brand catalogue — the most impersonated brands with every
 * domain they really send from and link to, the names they go by and their
 * class (bank, parcel, crypto, streaming, government, retail, ...), read at
 * run time from data/brands.tsv (updatable without a rebuild) and extended
 * by the user's [protect] brands. Answers "which brand owns this domain" and
 * "which brand does this folded text name". Read-only once built. */
#ifndef LG_DETECT_BRANDS_H
#define LG_DETECT_BRANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/errbuf.h"

struct brand_entry {
	char *name;     /* as written: "Correios" */
	char *class;    /* "parcel", "bank", ...; "" when unknown */
	char **domains; /* registrable or exact domains, lower case; [0] is the main one */
	size_t ndomains;
};

struct brand_catalogue;

struct brand_catalogue *brands_new(void);
void brands_free(struct brand_catalogue **c);

/* Adds the brands of a catalogue file: one per line,
 *   NAME <TAB> CLASS <TAB> DOMAIN[,DOMAIN...] [<TAB> ALIAS[,ALIAS...]]
 * '#' starts a comment. NAME and every ALIAS are the names the brand is
 * known by in mail; an alias written "=word" counts only when a display
 * name or subject starts with it (generic words: "orange", "target").
 * Returns LG_OK, LG_EIO naming the file or LG_EPARSE naming file:line. */
enum lg_status brands_load(struct brand_catalogue *c, const char *path, struct errbuf *err);

/* Adds one domain of the user's [protect] brands: nothing when a brand
 * already owns it, else a brand named after its registrable label. */
void brands_add_domain(struct brand_catalogue *c, const char *domain);

/* The brand owning domain (or a parent of it), or NULL. */
const struct brand_entry *brands_owner(const struct brand_catalogue *c, const char *domain);
/* True when b owns domain (or a parent of it). */
bool brands_owns(const struct brand_entry *b, const char *domain);

/* The first brand named as a whole word in folded (normal.h), or NULL;
 * *leading is set when folded starts with the name (after "the "). */
const struct brand_entry *brands_named(const struct brand_catalogue *c, const char *folded, size_t len,
				       bool *leading);

size_t brands_count(const struct brand_catalogue *c);

#endif
