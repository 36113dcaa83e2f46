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
 * File layout (all integers little-endian):
 *   header, 64 bytes: magic "LGLEAKS1", u32 version (1), u32 entry size
 *     (24), u64 entry count, u64 source id, u64 hash of the entries
 *     (leak_hash64 over their bytes, checked by `sources --verify`), u32
 *     date of the leak as YYYYMMDD (`ingest --date`; 0 when not given),
 *     20 bytes zero
 *   entries: count x struct leak_entry, sorted by (group, value, meta, pos)
 *
 * struct leak_entry, 24 bytes:
 *   u32 group  32-bit hash of the registrable domain the entity belongs to
 *              (0: none; LEAK_GROUP_PHONE: the by-number copy of a phone)
 *   u32 meta   kind (bits 28-31) | flags (24-27, LEAK_FLAG_*) | file id (0-23,
 *              the leak_files row of the file it came from)
 *   u64 value  leak_hash64 of the normalised value, seeded with the kind
 *   u64 pos    byte offset of the hit in that file (bits 0-47) | 16-bit
 *              password verifier (bits 48-63, email entries with a password)
 * A place's line number is not stored: it is counted from the file's sparse
 * line index (every 4096th line start, in leak_files.lines) at lookup time,
 * and the snippet is re-read from the file and redacted then (so the index
 * never holds document text; a moved or changed file shows no snippet). */
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

/* Writes n sorted entries as a segment file at path (via path.tmp, fsync,
 * rename), with the leak's date (YYYYMMDD, 0 for none). LG_EIO with err on
 * failure. The date rides in the segment so that it commits with the batch
 * it came with; a source's date is that of its newest dated segment. */
enum lg_status leak_segment_write(const char *path, uint64_t source_id, uint32_t date, const struct leak_entry *e,
				  size_t n, struct errbuf *err);

struct leak_segment;
/* Maps the segment file at path read-only. LG_ENOTFOUND when missing,
 * LG_EPARSE when it is not a well-formed segment. */
enum lg_status leak_segment_open(const char *path, struct leak_segment **out, struct errbuf *err);
void leak_segment_close(struct leak_segment **s);
size_t leak_segment_count(const struct leak_segment *s);
const struct leak_entry *leak_segment_entries(const struct leak_segment *s);
/* The date written with the segment (YYYYMMDD), 0 when none. */
uint32_t leak_segment_date(const struct leak_segment *s);
/* Recomputes the entries' hash and compares it with the header. */
bool leak_segment_verify(const struct leak_segment *s);

/* Index of the first entry >= (group, value), in exactly the same number of
 * probes for every key of this segment (constant-work search). */
size_t leak_segment_lower_bound(const struct leak_segment *s, uint32_t group, uint64_t value);
/* Index of the first entry with group >= group. */
size_t leak_segment_group_start(const struct leak_segment *s, uint32_t group);

#endif
