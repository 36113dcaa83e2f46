/* scan.h: the scanner — targets (containers, buckets, accounts), the
 * state each ends in, and the run that probes them all concurrently over
 * http.h, lists what is listable (paging up to a page cap), probes a
 * bounded list of object names where listing is refused, and samples
 * likely documents within a byte budget for personal data (sample.h).
 *
 * Per target: at most one request in flight and at most target_rate
 * requests a second; 429/503/ServerBusy/SlowDown back off exponentially
 * (Retry-After honoured) up to SCAN_MAX_RETRIES, then the target is
 * "unknown". A timeout ends its target as "unknown" at once, so a target
 * that never answers costs its timeout once and stalls nothing else. */
#ifndef LG_SCAN_SCAN_H
#define LG_SCAN_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "scan/provider.h"
#include "scan/sample.h"
#include "util/errbuf.h"

#define SCAN_MAX_RETRIES 4
#define SCAN_MAX_SAMPLES 64

enum scan_state {
	SCAN_ABSENT,
	SCAN_PRIVATE,
	SCAN_PUBLIC_BLOB,
	SCAN_PUBLIC_LIST,
	SCAN_BLOCKED,
	SCAN_UNKNOWN,
};

const char *scan_state_name(enum scan_state s);

struct scan_opts {
	double rate;            /* requests/s over all targets, 0 = none */
	double target_rate;     /* requests/s per target, 0 = none */
	long timeout_ms;
	int max_inflight;
	uint64_t max_bytes;     /* sample bytes per container */
	uint64_t sample_bytes;  /* bytes per sampled object */
	unsigned max_pages;     /* listing pages per container */
	unsigned page_size;
	bool probe_objects;     /* HEAD common object names when not listable */
	unsigned char salt[16];
	const char *sample_dir; /* when set, each sample is also written here (for --ingest) */
};

void scan_opts_default(struct scan_opts *o);

/* What the run reports for each finished target (all borrowed for the
 * callback's duration). */
struct scan_report {
	const char *target;   /* "azure://account/container", "s3://bucket", "azure://account" */
	const char *provider;
	const char *url;      /* the container's root URL ("" for accounts) */
	const char *parent;   /* the account a container was found under, or NULL */
	bool account;         /* an account summary line */
	bool expanded;        /* generated from an account, not named by the user */
	enum scan_state state;
	const char *evidence; /* one sentence: what the answer was */
	uint64_t objects, bytes, pages;
	bool truncated;       /* the page cap stopped the listing: objects and bytes are
			       * lower bounds (there are at least objects + 1) */
	uint64_t sampled, sample_bytes;
	uint64_t requests, bytes_received;
	const struct scan_pii *pii;
	const char *readable; /* public-blob: an object name found readable, or NULL */
};

struct scan;

enum lg_status scan_new(const struct scan_opts *o, struct scan **out, struct errbuf *err);
void scan_free(struct scan **s);

/* A container (Azure) or bucket (S3) at root (its URL, no trailing slash),
 * shown as display. */
void scan_add_container(struct scan *s, const struct scan_provider *p, const char *display, const char *root,
			const char *parent, bool expanded);

/* An Azure account: its existence is checked by DNS (ACCOUNT.blob.core.windows.net)
 * unless endpoint is given (emulators, sovereign clouds: the account's URL),
 * then each name in containers[] is tried. */
void scan_add_azure_account(struct scan *s, const char *account, const char *endpoint, const char *const *containers,
			    size_t ncontainers);

/* Runs every target; report is called as each finishes (containers) and at
 * the end (accounts); tick about every 200 ms. */
void scan_run(struct scan *s, void (*report)(void *ctx, const struct scan_report *r), void (*tick)(void *ctx),
	      void *ctx);

struct scan_progress {
	uint64_t targets, done, open, requests;
	double elapsed_s;
	uint64_t samples_failed;   /* samples that could not be written to sample_dir */
	const char *sample_error;  /* the first such, "PATH: reason" (borrowed; "" when none) */
};
void scan_progress(const struct scan *s, struct scan_progress *p);

#endif
