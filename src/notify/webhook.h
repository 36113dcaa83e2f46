/* webhook.h: leak notices as webhooks (issue 18) — a verified
 * organisation's URL gets each notice as JSON, POSTed with
 *   X-Leakguard-Event: the idempotency key (the same for every retry)
 *   X-Leakguard-Timestamp: seconds since the epoch when this try was signed
 *   X-Leakguard-Signature: sha256=HEX(HMAC-SHA256(key, TIMESTAMP "." BODY))
 * where key is the string the portal showed when the URL was added. A
 * receiver recomputes the signature over the raw body, compares it in
 * constant time, refuses a timestamp more than 5 minutes from its clock
 * (a replay), and drops an event id it has seen (a retry after a lost
 * answer). Any 2xx answer counts as delivered; anything else is retried
 * with back-off (send.h). Only https URLs, and only public addresses
 * (checked when sending, the address then pinned, so no DNS rebinding
 * reaches a private one) unless [notify] webhook_private = on. */
#ifndef LG_NOTIFY_WEBHOOK_H
#define LG_NOTIFY_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/errbuf.h"

#define WEBHOOK_URL_MAX 255
#define WEBHOOK_TIMEOUT 10   /* seconds per try */
#define WEBHOOK_REPLAY_WINDOW 300

/* Whether url may be a webhook (https://HOST[:PORT]/..., or http:// with
 * allow_http); false with err naming why. */
bool webhook_url_ok(const char *url, bool allow_http, struct errbuf *err);

/* The signing key of url for the portal secret (TOKEN_LEN + 1 bytes). */
void webhook_key(const uint8_t *secret, size_t slen, const char *url, char *out);

/* The signature header's value for body signed at ts (72 bytes: "sha256=" + hex). */
void webhook_sign(const char *key, int64_t ts, const char *body, char out[72]);

/* POSTs body to url, signed now with key. LG_OK on a 2xx answer; LG_EIO
 * with err (the status or the failure) otherwise. */
enum lg_status webhook_post(const char *url, const char *key, const char *event_id, const char *body,
			    bool allow_private, struct errbuf *err);

#endif
