/* index.h: a read-only snapshot of the reports and blocks, for answering
 * "is this message like one a colleague reported?" by index: each report's
 * fingerprint is filed under its FP_BANDS band keys, and a message is
 * compared only with the reports that share a band key with it (locality-
 * sensitive hashing), never with every stored report. Shareable by threads. */
#ifndef LG_REPORT_INDEX_H
#define LG_REPORT_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "report/fingerprint.h"
#include "util/errbuf.h"

struct report_index;

struct report_match {
	int64_t id, campaign, at;
	double similarity;
	int64_t reporters; /* distinct reporters of the campaign */
};

/* Loads every report and active block from the store at path. LG_OK with
 * an empty index when the store has no report tables yet. */
enum lg_status report_index_load(const char *path, struct report_index **out, struct errbuf *err);
/* An empty index that reports can be added to (for `report` itself). */
struct report_index *report_index_new(void);
void report_index_free(struct report_index **idx);

/* Adds one report's fingerprint. */
void report_index_add(struct report_index *idx, int64_t id, int64_t campaign, int64_t at, const struct fingerprint *fp);

/* The most similar report at or above threshold: true and *out, else false. */
bool report_index_best(const struct report_index *idx, const struct fingerprint *fp, double threshold,
		       struct report_match *out);

/* Active blocks from reports and administrators. */
bool report_index_domain_blocked(const struct report_index *idx, const char *domain, const char **why);
bool report_index_ip_blocked(const struct report_index *idx, const char *ip, const char **why);

size_t report_index_size(const struct report_index *idx);

/* The highest report id the index has seen (0 when none). */
int64_t report_index_last_id(const struct report_index *idx);
struct report_store;
/* Adds the reports rs holds beyond report_index_last_id(): the incremental
 * way to keep an index current (a few rows), instead of loading every
 * report again. Campaign reporter counts are not updated (record.c asks
 * the store for those). LG_OK, or the store's error. */
enum lg_status report_index_catch_up(struct report_index *idx, struct report_store *rs, struct errbuf *err);

#endif
