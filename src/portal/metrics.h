/* metrics.h (portal): the portal's counters for Prometheus — requests by
 * method, route and status, their duration, 429s by route, verifications,
 * audit events, mail queued, dropped, sent and failed — in a registry of
 * util/metrics.h, served on [portal] metrics_listen (its own listener).
 *
 * Every recording call is a no-op when the portal's metrics were not
 * started (p->metrics NULL), so handlers and tests need not care. */
#ifndef LG_PORTAL_METRICS_H
#define LG_PORTAL_METRICS_H

#include "portal/server.h"

/* Makes p->metrics and, when [portal] metrics_listen is set, starts its
 * listener and prints "leakguard serve: metrics on http://HOST:PORT/metrics"
 * on stderr. LG_ECONFIG/LG_EIO with err (p->metrics is then NULL). */
enum lg_status portal_metrics_start(struct portal *p, struct errbuf *err);
/* Stops the listener and frees p->metrics (no-op when not started). */
void portal_metrics_stop(struct portal *p);

/* One answered request: route is the matched pattern ("/verify/ * /dns"
 * without the spaces), NULL for none; seconds from request to response. */
void portal_metrics_request(struct portal *p, const char *method, const char *route, int status, double seconds);
/* One audit-log action (portal_audit): counted by action; the verify-*
 * actions also as verifications by result. */
void portal_metrics_event(struct portal *p, const char *action);
/* Mail: stage is "queued", "dropped" (queue full), "sent" or "failed". */
void portal_metrics_mail(struct portal *p, const char *stage);

#endif
