/* reports.h: what staff reported and what was blocked — the state behind
 * `leakguard report`, `reports`, `block` and `blocks`, kept in the same
 * store file as the classifier (its own tables; layout in reports_sqlite.c).
 * The tables are SQLite (a shared store's local copy for redis:// URLs);
 * blocks also travel between hosts through the shared server. */
#ifndef LG_STORE_REPORTS_H
#define LG_STORE_REPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/errbuf.h"

struct report_row {
	int64_t id, at, campaign; /* campaign: id of its first report */
	double similarity;        /* to the campaign's first report, 1 for the first */
	const char *reporter, *sender, *sender_domain, *sender_ip, *subject;
	const char *summary;      /* the verdict's signals as JSON */
	const void *fingerprint;  /* opaque bytes (report/fingerprint.h) */
	size_t fingerprint_len;
};

struct block_row {
	const char *kind;   /* "domain" or "ip" */
	const char *value;
	const char *status; /* "active", or "review" when an administrator must decide */
	const char *who, *why;
	int64_t at;
};

struct report_store;

/* Opens the report tables in the store file at path, creating them. */
enum lg_status report_store_open(const char *path, struct report_store **out, struct errbuf *err);
void report_store_close(struct report_store **rs);

/* Records a report; *id gets its id. When r->campaign is 0 it starts a
 * campaign of its own (campaign = its id). */
enum lg_status report_store_add(struct report_store *rs, const struct report_row *r, int64_t *id,
				struct errbuf *err);
/* How many reports there are (to size tables before loading them). */
enum lg_status report_store_count(struct report_store *rs, int64_t *n, struct errbuf *err);
/* Calls fn for every report, oldest first. */
enum lg_status report_store_each(struct report_store *rs, bool (*fn)(void *ctx, const struct report_row *r),
				 void *ctx, struct errbuf *err);
/* The same for the reports whose id is above after (those added since a
 * reader last looked), oldest first. */
enum lg_status report_store_each_after(struct report_store *rs, int64_t after,
				       bool (*fn)(void *ctx, const struct report_row *r), void *ctx, struct errbuf *err);
/* How many distinct reporters a campaign has, and how many reports. */
enum lg_status report_store_campaign(struct report_store *rs, int64_t campaign, int64_t *reporters,
				     int64_t *reports, struct errbuf *err);
/* Marks a campaign alerted; *first is true when it was not before. */
enum lg_status report_store_mark_alerted(struct report_store *rs, int64_t campaign, bool *first,
					 struct errbuf *err);

/* Adds or replaces a block. An automatic one (who "auto") never replaces a
 * person's, nor turns an active block into one awaiting review. */
enum lg_status report_store_block(struct report_store *rs, const struct block_row *b, struct errbuf *err);
/* Removes a block; *found tells whether there was one. */
enum lg_status report_store_unblock(struct report_store *rs, const char *kind, const char *value, bool *found,
				    struct errbuf *err);
/* Calls fn for every block, newest first. */
enum lg_status report_store_blocks(struct report_store *rs, bool (*fn)(void *ctx, const struct block_row *b),
				   void *ctx, struct errbuf *err);

/* The secret that signs leakguard's own alerts (report/mailer.h), created
 * from the system's CSPRNG on first use and kept in the store, so every
 * process using this store signs and checks with the same key. */
#define REPORT_KEY_LEN 32

/* With a shared store (a redis:// URL given to report_store_open), hands
 * the blocks spooled here to the server and applies the blocks other hosts
 * made since the last call to the local copy (report_store_open does this
 * too; failures there are logged, and the local copy is used). LG_OK at
 * once for a local store; LG_EIO naming the server when it cannot be
 * reached within its time budget (what was spooled stays spooled). */
enum lg_status report_store_sync(struct report_store *rs, struct errbuf *err);
enum lg_status report_store_alert_key(struct report_store *rs, unsigned char key[REPORT_KEY_LEN], struct errbuf *err);

#endif
