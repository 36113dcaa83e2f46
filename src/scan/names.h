/* names.h: storage names — validity rules of Azure storage accounts and
 * containers and of S3 buckets, and candidate names generated from an
 * organisation's keywords (keywords x mutation words x joiners).
 *
 * Rules: Azure accounts [a-z0-9]{3,24} ("Storage account name" rules,
 * learn.microsoft.com naming-and-referencing); Azure containers
 * [a-z0-9-]{3,63}, starting with a letter or digit, no "--", no edge
 * hyphen ("Naming and referencing containers, blobs, and metadata"), plus
 * the special "$web" and "$root"; S3 buckets 3-63 of [a-z0-9.-], starting
 * and ending with a letter or digit, no "..", no ".-"/"-.", not an IPv4
 * address, not "xn--"/"sthree-" prefixed nor "-s3alias"/"--ol-s3" suffixed
 * (AWS "Bucket naming rules"). Pure functions, no I/O. */
#ifndef LG_SCAN_NAMES_H
#define LG_SCAN_NAMES_H

#include <stdbool.h>
#include <stddef.h>

enum scan_name_kind { SCAN_NAME_AZ_ACCOUNT, SCAN_NAME_AZ_CONTAINER, SCAN_NAME_S3_BUCKET };

bool scan_name_valid(enum scan_name_kind kind, const char *s);

/* Called once per distinct valid candidate; return false to stop. */
typedef bool (*scan_name_cb)(void *ctx, const char *name);

/* Generates candidates of kind from keywords: each keyword alone, then
 * keyword+joiner+word and word+joiner+keyword for every mutation word
 * (words: NULL for the built-in list) and every joiner valid for the kind
 * ("" always; "-" for containers and buckets; "." for buckets).
 * Keywords are lower-cased and stripped of characters the kind forbids.
 * Only valid, distinct names reach cb. Returns how many were emitted. */
size_t scan_names_generate(enum scan_name_kind kind, const char *const *keywords, size_t nkeywords,
			   const char *const *words, size_t nwords, scan_name_cb cb, void *ctx);

/* The built-in mutation words and common container names. */
extern const char *const scan_mutation_words[];
extern const size_t scan_mutation_nwords;
extern const char *const scan_common_containers[];
extern const size_t scan_common_ncontainers;
/* Common object names probed for blob-level (readable, not listable) exposure. */
extern const char *const scan_common_objects[];
extern const size_t scan_common_nobjects;

#endif
