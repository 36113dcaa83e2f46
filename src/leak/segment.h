/* segment.h: the leak index's hot part — immutable files of sorted,
 * fixed-width entries, one or more per ingest batch, that SQLite's
 * leak_segments table references (store_sqlite.c holds the rest).
 *
 * Why files and not SQLite rows or blobs: at 100M records a row per record
 * costs ~60 bytes and ~5 us to insert, and SQLite blobs stop at 1 GiB and
 * are read through a copy; a segment file is written sequentially at disk
 * speed, costs exactly 24 bytes per entry, and is searched through mmap
 * with no copy. It is written whole under a temporary name, fsync'd, renamed,
 * and only then registered in the same SQLite transaction as the files it
 * covers, so a kill leaves either no trace in the store or the whole batch;
 * unreferenced files left by a kill are removed by the next ingest.
 *
 * Why a domain table: a domain's answer must hold only the entries of
 * exactly that domain. Format 1 keyed a domain by a 32-bit hash of its name
 * and answered with the whole hash group, so two organisations whose names
 * collided (an even chance at 65,000 organisations, and a free search for an
 * attacker with a domain of his own) saw each other's data. Now every segment
 * lists the exact registrable domains it holds, and an entry's group is the
 * position of its domain in that list: a domain lookup finds its text there
 * (comparing the text, not a hash) and reads only that group, so entries of
 * another domain are never in its range, whatever the hashes do. Old
 * segments (format 1) are refused; the store drops them at the next ingest.
 *
 * File layout (all integers little-endian):
 *   header, 64 bytes: magic "LGLEAKS1", u32 version (2), u32 entry size
 *     (24), u64 entry count, u64 source id, u64 hash of the entries
 *     (leak_hash64 over their bytes, checked by `sources --verify`), u32
 *     date of the leak as YYYYMMDD (`ingest --date`; 0 when not given),
 *     u32 domain count D, u32 bytes of domain text P, u64 hash of the domain
 *     table and text, 4 bytes zero
 *   domain table: D x {u64 hash of the domain (leak_domain_hash), u32 offset
 *     of its text, u32 length}, sorted by (hash, text); the domain at index
 *     i is group i + 1
 *   domain text: P bytes, then zeros to a multiple of 8
 *   entries: count x struct leak_entry, sorted by (group, value, meta, pos)
 *
 * struct leak_entry, 24 bytes:
 *   u32 group  1 + index of the entry's registrable domain in the segment's
 *              domain table (0: none; LEAK_GROUP_PHONE: the by-number copy
 *              of a phone)
 *   u32 meta   kind (bits 28-31) | flags (24-27, LEAK_FLAG_*) | file id (0-23,
 *              the leak_files row of the file it came from)
 *   u64 value  leak_hash64 of the normalised value, seeded with the kind
 *   u64 pos    byte offset of the hit in that file (bits 0-47) | 16-bit
 *              password verifier (bits 48-63, email entries with a password)
 * What lookup shows of a place (line, page, redacted snippet) is prepared
 * at ingest into the store's leak_places (index.c), so no request re-reads
 * or re-parses a dump. */
#ifndef LG_LEAK_SEGMENT_H
#define LG_LEAK_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leak/extract.h"
#include "util/errbuf.h"

#define LEAK_MAX_VALUE 254
#define LEAK_GROUP_PHONE 0xffffffffu
#define LEAK_FILE_MAX 0xffffffu /* file ids fit 24 bits */
#define LEAK_POS_MASK 0xffffffffffffULL
#define LEAK_FLAG_PASSWORD 1u
#define LEAK_FLAG_WITH_NAME 2u  /* email entries: the record also held a person's name */
#define LEAK_FLAG_WITH_PHONE 4u /* email entries: the record also held a phone number */

enum leak_kind { LEAK_EMAIL = 1, LEAK_PHONE = 2, LEAK_NAME = 3, LEAK_ORG = 4, LEAK_KINDS = 5 };

struct leak_entry {
	uint32_t group;
	uint32_t meta;
	uint64_t value;
	uint64_t pos;
};

static inline enum leak_kind leak_entry_kind(const struct leak_entry *e)
{
	return (enum leak_kind)(e->meta >> 28);
}
static inline unsigned leak_entry_flags(const struct leak_entry *e)
{
	return (e->meta >> 24) & 0xf;
}
static inline uint32_t leak_entry_file(const struct leak_entry *e)
{
	return e->meta & LEAK_FILE_MAX;
}
static inline uint32_t leak_meta(enum leak_kind k, unsigned flags, uint32_t file)
{
	return ((uint32_t)k << 28) | ((flags & 0xf) << 24) | (file & LEAK_FILE_MAX);
}

/* The kind's name for output ("email"), and back (0 when unknown). */
const char *leak_kind_name(enum leak_kind k);

/* Sorts n entries in index order (LSD radix sort on (group, value); ties keep
 * their insertion order, which is file order). */
void leak_entries_sort(struct leak_entry *e, size_t n);

/* The hash that orders a segment's domain table. It only finds candidates:
 * every match is confirmed on the text. Built with -DLEAK_GROUP_TEST_BITS=N
 * (the test-only leakguard-narrow) it keeps N bits, so that every domain
 * collides with others and the tests see the text decide. */
uint64_t leak_domain_hash(const char *d, size_t n);

/* Writes a segment file at path (via path.tmp, fsync, rename) from n
 * entries whose group is 1 + an index into domains[0..nd) (the exact
 * registrable domains of the batch, distinct, in any order) or 0 or
 * LEAK_GROUP_PHONE; with the leak's date (YYYYMMDD, 0 for none). Rewrites
 * the groups to the file's domain order and sorts e in place. LG_EIO with
 * err on failure. The date rides in the segment so that it commits with
 * the batch it came with; a source's date is that of its newest dated
 * segment. */
enum lg_status leak_segment_write(const char *path, uint64_t source_id, uint32_t date, const char *const *domains,
				  size_t nd, struct leak_entry *e, size_t n, struct errbuf *err);

struct leak_segment;
/* Maps the segment file at path read-only. LG_ENOTFOUND when missing,
 * LG_EPARSE when it is not a well-formed segment. */
enum lg_status leak_segment_open(const char *path, struct leak_segment **out, struct errbuf *err);
void leak_segment_close(struct leak_segment **s);
size_t leak_segment_count(const struct leak_segment *s);
const struct leak_entry *leak_segment_entries(const struct leak_segment *s);
/* The date written with the segment (YYYYMMDD), 0 when none. */
uint32_t leak_segment_date(const struct leak_segment *s);
/* Recomputes the entries' and domains' hashes and compares them with the header. */
bool leak_segment_verify(const struct leak_segment *s);

/* The group of exactly the registrable domain d[0..n) (lower case) in this
 * segment, 0 when the segment holds nothing of it. The text is compared
 * byte for byte; the search takes the same number of probes for any d. */
uint32_t leak_segment_domain(const struct leak_segment *s, const char *d, size_t n);
/* The text of group g's domain (not NUL-terminated; *n its length), NULL
 * for 0, LEAK_GROUP_PHONE or a group the segment has not. */
const char *leak_segment_domain_text(const struct leak_segment *s, uint32_t g, size_t *n);

/* Index of the first entry >= (group, value), in exactly the same number of
 * probes for every key of this segment (constant-work search). */
size_t leak_segment_lower_bound(const struct leak_segment *s, uint32_t group, uint64_t value);
/* Index of the first entry with group >= group. */
size_t leak_segment_group_start(const struct leak_segment *s, uint32_t group);

#endif
