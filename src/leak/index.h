/* index.h: the leak index as a whole — ingesting dump files into a source
 * (idempotent, kill-safe batches) and answering lookups over the segments
 * of every source (constant-work for addresses and phone numbers).
 *
 * Ingest, per batch of files (until LEAK_BATCH_FILES files or
 * LEAK_COMMIT_ENTRIES entries): each file is skipped when the source already
 * holds it (same path, size and mtime, or same SHA-256), else mapped, read
 * by its format's reader, and its entries collected with the file's final
 * id; the entries are sorted and written as a segment file; then ONE store
 * transaction inserts the batch's file rows, read errors and segment rows.
 * A kill before that commit leaves only an unreferenced segment file, which
 * the next ingest deletes; after it, the batch is complete. So a re-run
 * after a kill at any moment ends with exactly the counts of an
 * uninterrupted run. One ingest runs at a time per store (a lock file in
 * the segment directory).
 *
 * What a file holds is detected by content (doc.h): PDF, DOCX, XLSX, UTF-16
 * and Latin-1 are converted to text first (places then count lines in that
 * text, pages for a PDF); each member of a
 * ZIP or tar archive becomes a file row of its own, "archive!member", so
 * it is deduplicated and placed like any file. Each segment written comes
 * with a range file (range.h) of its addresses' SHA-1s.
 *
 * What a lookup or the portal shows is prepared while the file is read and
 * committed with its batch: each place's line, page and redacted snippet
 * (the store's leak_places) and each exact domain's addresses
 * (leak_addresses). Answers are served from those; no request opens,
 * reads or parses a dump, so a dump moved or deleted after ingest still
 * answers, and a hostile dump is parsed once, by the operator's ingest.
 *
 * Lookup: for an address or phone, every segment is searched with the same
 * number of probes whatever the key (segment.h), a fixed window of entries
 * is read after the probe point, and the details of a fixed number of
 * places are resolved (real ones, padded with decoys), so a miss costs what
 * a hit costs. A domain lookup reads the range of exactly that registrable
 * domain in each segment (found by its text in the segment's domain table,
 * segment.h), so no other domain's entry is ever part of its answer. */
#ifndef LG_LEAK_INDEX_H
#define LG_LEAK_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "leak/record.h"
#include "leak/segment.h"
#include "store/store.h"
#include "util/buf.h"

#define LEAK_BATCH_FILES 2000
#define LEAK_BATCH_ENTRIES (8u * 1024 * 1024) /* most entries in memory (one segment) */
#define LEAK_COMMIT_ENTRIES (512u * 1024)    /* a batch commits after the file that passes this */
#define LEAK_LINE_STEP 4096   /* sparse line index: every 4096th line */
#define LEAK_MAX_PLACES 10    /* places returned per source */
#define LEAK_DETAIL_PROBES 5  /* places resolved per lookup, padded with decoys */
#define LEAK_ERRORS_KEPT 1000 /* read errors stored per file */

struct leak_ingest_stats {
	uint64_t files, ingested, already, unreadable;
	uint64_t records, entities, entries, errors, bytes;
	uint64_t batches;
};

struct leak_ingest_hooks {
	/* a record or file that could not be read (line 0: the whole file) */
	void (*error)(void *ctx, const char *path, uint64_t line, const char *why);
	/* progress after each file */
	void (*progress)(void *ctx, const struct leak_ingest_stats *st, const char *path);
	void *ctx;
	/* false: a file is opened only if its last path component is no
	 * symbolic link (O_NOFOLLOW), so a link planted in a dump after the
	 * caller vetted its paths is refused rather than read */
	bool follow_links;
};

/* Ingests every file under paths (files, directory trees) into source.
 * Unreadable files and records are reported through hooks and counted;
 * only a store failure stops the run (LG_EIO with err). */
enum lg_status leak_ingest(struct store *s, const char *source, char *const *paths, int npaths,
			   const struct leak_ingest_hooks *hooks, struct leak_ingest_stats *st, struct errbuf *err);

/* The same with the date of the leak (YYYYMMDD, 0 for none), stored with
 * the source's segments and shown by lookup and sources. */
enum lg_status leak_ingest_dated(struct store *s, const char *source, uint32_t date, char *const *paths, int npaths,
				 const struct leak_ingest_hooks *hooks, struct leak_ingest_stats *st, struct errbuf *err);

struct leak_index;
/* Opens the live segments of source (every source when NULL). */
enum lg_status leak_index_open(struct store *s, const char *source, struct leak_index **out, struct errbuf *err);
void leak_index_close(struct leak_index **ix);
size_t leak_index_segments(const struct leak_index *ix);
uint64_t leak_index_entries(const struct leak_index *ix);
/* The date of a source's leak (YYYYMMDD), 0 when never given. */
uint32_t leak_index_source_date(const struct leak_index *ix, int64_t source_id);

/* The k-anonymity range answer (range.h) for a 20-bit SHA-1 prefix over
 * every source open: *out (lg_free) holds *n sorted 35-digit suffixes,
 * real and decoy. LG_EIO with err when the range key cannot be read. */
enum lg_status leak_range_lookup(struct leak_index *ix, uint32_t prefix, char (**out)[36], size_t *n,
				 struct errbuf *err);

struct leak_place {
	uint32_t file_id;
	uint64_t pos;
	enum leak_kind kind;
	bool password;
	bool with_name, with_phone; /* an address whose record also held a name / a phone */
};

struct leak_source_hits {
	int64_t source_id;
	const char *name;               /* borrowed from the index */
	uint64_t distinct[LEAK_KINDS];  /* distinct values per kind (duplicates once) */
	uint64_t occurrences;           /* entries matched */
	uint64_t with_password;         /* of which from records holding a password */
	struct leak_place places[LEAK_MAX_PLACES];
	size_t nplaces;
};

struct leak_result {
	struct leak_source_hits *src; /* one per source with hits */
	size_t nsrc;
	bool found;
};

enum leak_query_kind { LEAK_Q_EMAIL, LEAK_Q_PHONE, LEAK_Q_DOMAIN };

/* What a query looks for: the exact registrable domain it is filed under
 * (addresses and domains; empty for phones) and the value's hash (0 for
 * domains). */
struct leak_key {
	enum leak_query_kind kind;
	char domain[LEAK_MAX_EMAIL + 1];
	size_t dlen;
	uint64_t value;
};

/* Normalises q as kind into its key; false when q is not a valid address
 * / phone / domain. norm (LEAK_MAX_VALUE + 1) gets the form. */
bool leak_query_key(enum leak_query_kind kind, const char *q, struct leak_key *key, char *norm);

/* Looks a key up; r is filled (free with leak_result_cleanup). */
void leak_lookup(struct leak_index *ix, const struct leak_key *key, struct leak_result *r);
void leak_result_cleanup(struct leak_result *r);

/* Resolves a place from the store (prepared at ingest; no dump is read):
 * the file's path ("archive!member" inside archives), the line (within its
 * page for a PDF, *page 1-based; 0 otherwise), and the redacted snippet;
 * *changed set (and no line) when the store has no prepared place for it. */
enum lg_status leak_place_resolve(struct store *s, const struct leak_place *p, struct buf *path, uint64_t *line,
				  unsigned *page, struct buf *snippet, bool *changed, struct errbuf *err);
/* The same work as leak_place_resolve on a decoy place, for misses. */
void leak_place_decoy(struct leak_index *ix, struct store *s);

/* Calls fn with the addresses of exactly the registrable domain `domain`
 * found in each batch ("a@x\nb@x\n", in file order, repeats possible; the
 * text is borrowed for the call), with the source holding them; stops when
 * fn returns false. From the store alone (prepared at ingest). */
enum lg_status leak_addresses_each(struct store *s, const char *domain,
				   bool (*fn)(void *ctx, int64_t source_id, const char *text, size_t len), void *ctx,
				   struct errbuf *err);

/* The name of a source open in ix, NULL when not. */
const char *leak_index_source_name(const struct leak_index *ix, int64_t source_id);

/* Distinct values per kind across all segments of a source (a merge). */
enum lg_status leak_source_distinct(struct leak_index *ix, int64_t source_id, uint64_t distinct[LEAK_KINDS]);

/* Calls fn for every entry filed under exactly the registrable domain
 * `domain` (lower case, as leak_domain_of_host gives), with the id of the
 * source holding it, in segment order; stops when fn returns false. For
 * the portal's per-domain facts and the context builder. */
void leak_group_each(struct leak_index *ix, const char *domain,
		     bool (*fn)(void *ctx, int64_t source_id, const struct leak_entry *e), void *ctx);

/* Reads file file_id as it was indexed (converted again for PDF, DOCX,
 * XLSX, UTF-16 and Latin-1; places are offsets into this text) and calls
 * fn once with it and the file's format name; text is NULL when the file
 * moved or changed since ingest. The text is borrowed for the call. This
 * parses the dump again: for offline commands run by the operator
 * (`context build`), never on a request path. */
enum lg_status leak_file_text(struct store *s, uint32_t file_id,
			      void (*fn)(void *ctx, const char *text, size_t n, const char *format), void *ctx,
			      struct errbuf *err);

/* True when an ingest holds the store's ingest lock right now. */
bool leak_ingest_running(struct store *s);

#endif
