/* http.h: the scanner's only way onto the network — anonymous GET and HEAD
 * requests over libcurl's multi interface (one thread, many transfers,
 * connection reuse), with a global rate cap and delayed (back-off) submits.
 *
 * Safe by construction: enum scan_method has exactly two values and
 * scan_http_submit refuses anything else; no request carries a body,
 * credentials, cookies or custom method; redirects are not followed.
 * Every request says who sends it (SCAN_USER_AGENT). */
#ifndef LG_SCAN_HTTP_H
#define LG_SCAN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/status.h"

#define SCAN_USER_AGENT "leakguard-scan/0.1 (exposure audit; anonymous read-only; +https://github.com/leakguard)"

enum scan_method { SCAN_GET, SCAN_HEAD };

struct scan_resp {
	long status;           /* HTTP status, 0 when no answer */
	int curl_code;         /* CURLcode of the transfer */
	bool timed_out;        /* no (complete) answer within the timeout */
	bool resolve_failed;   /* the host name did not resolve */
	bool stopped;          /* on_body asked to stop (not an error) */
	char error_code[64];   /* x-ms-error-code header ("" when absent) */
	long retry_after;      /* Retry-After seconds, -1 when absent */
	uint64_t body_bytes;   /* body bytes received */
};

struct scan_req;
typedef bool (*scan_body_fn)(struct scan_req *r, const char *p, size_t n);
typedef void (*scan_done_fn)(struct scan_req *r, const struct scan_resp *resp);

/* One request. The caller allocates it (it may be embedded), fills the
 * public fields and submits it; the engine owns it until on_done, which is
 * called exactly once and may free it or submit it again. */
struct scan_req {
	enum scan_method method;
	char *url;            /* caller-owned, borrowed until on_done */
	uint64_t range_len;   /* GET only: "Range: bytes=0-(range_len-1)"; 0 for none */
	scan_body_fn on_body; /* may be NULL; return false to stop reading */
	scan_done_fn on_done;
	void *owner;
	/* engine-private */
	struct scan_req *next;
	struct scan_req *young_prev, *young_next; /* started, not yet slow (FIFO) */
	uint64_t started_ms;
	bool slow;
	uint64_t not_before_ms;
	void *easy;
	struct scan_resp resp;
};

struct scan_http_opts {
	double rate;          /* requests per second over all targets, 0 = no cap */
	long timeout_ms;      /* whole-request timeout */
	int max_inflight;     /* simultaneous transfers that are not slow (see SCAN_SLOW_MS) */
	int max_host_conns;   /* connections per host, 0 = no cap */
};

/* A transfer still running after a quarter of its timeout (at least
 * SCAN_SLOW_MIN_MS, at most SCAN_SLOW_MAX_MS) no longer counts against
 * max_inflight (it runs on until its timeout), so that targets that accept
 * and never answer cannot take every slot: up to SCAN_SLOW_FACTOR *
 * max_inflight transfers (and the open-file limit, raised to its hard
 * maximum when needed) may be open at once. A quarter of the timeout, not
 * less: a server that is merely slow under load (Azurite answers 256
 * parallel requests in about a second) must not be flooded with more. */
#define SCAN_SLOW_MIN_MS 250
#define SCAN_SLOW_MAX_MS 5000
#define SCAN_SLOW_FACTOR 4

struct scan_http;

enum lg_status scan_http_new(const struct scan_http_opts *o, struct scan_http **out);
void scan_http_free(struct scan_http **h);

/* Queues r to start no sooner than delay_ms from now. LG_EUSAGE when the
 * method is not GET or HEAD or the URL is not http(s). */
enum lg_status scan_http_submit(struct scan_http *h, struct scan_req *r, uint64_t delay_ms);

/* Runs until nothing is queued or in flight. tick (may be NULL) is called
 * about every 200 ms with ctx. */
void scan_http_run(struct scan_http *h, void (*tick)(void *ctx), void *ctx);

/* Requests started so far. */
uint64_t scan_http_started(const struct scan_http *h);

uint64_t scan_now_ms(void);

#endif
