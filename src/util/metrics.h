/* metrics.h: counters, gauges and histograms for the long-running commands
 * (the portal, the milter), rendered in the Prometheus text exposition
 * format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats) for
 * a /metrics endpoint and for `leakguard stats`.
 *
 * A registry holds families; a family has a name, a help line, a type and
 * up to METRICS_MAX_LABELS label names, and one series per distinct set of
 * label values. Everything is guarded by the registry's one mutex: an update
 * is a lock, a short linear search over the family's series and an add, so
 * it costs well under a microsecond for the few label sets a family has.
 *
 * Label values come from code (a route pattern, a verdict), never from
 * request bytes; even so a family holds at most METRICS_MAX_SERIES series
 * and folds any more into one whose labels are all "other", and a value
 * is cut at METRICS_MAX_VALUE bytes, so memory stays bounded.
 *
 * A name or label name that is not [a-zA-Z_:][a-zA-Z0-9_:]* (label names:
 * no ':'), or one registered twice, is a programming error and aborts.
 *
 * Use (the portal's is src/portal/metrics.c; a milter would do the same):
 *   struct metrics *m = metrics_new();                         at start
 *   struct metric *msgs = metrics_counter(m, "leakguard_milter_messages_total",
 *       "Messages by verdict and action.", "verdict,action");
 *   metrics_serve_start(m, cfg->milter_metrics_listen, &srv, &port, &err);
 *   metric_inc(msgs, verdict, action);                         per message
 *   metric_observe(seconds, NULL, ms / 1000);
 *   metrics_serve_stop(&srv); metrics_free(&m);                at exit */
#ifndef LG_METRICS_H
#define LG_METRICS_H

#include <stddef.h>

#include "util/buf.h"
#include "util/errbuf.h"

#define METRICS_MAX_LABELS 4
#define METRICS_MAX_SERIES 512
#define METRICS_MAX_VALUE 128

struct metrics;
struct metric;

/* A new empty registry; metrics_free(&m) frees it and every family in it
 * (NULL is a no-op), after which their handles are dangling. */
struct metrics *metrics_new(void);
void metrics_free(struct metrics **m);

/* Registers a family and returns its handle, owned by the registry. labels
 * is comma-separated ("verdict,action"), NULL or "" for none. Counter names
 * should end in _total, durations be in seconds (Prometheus conventions,
 * which `promtool check metrics` enforces). */
struct metric *metrics_counter(struct metrics *m, const char *name, const char *help, const char *labels);
struct metric *metrics_gauge(struct metrics *m, const char *name, const char *help, const char *labels);
/* buckets: n ascending upper bounds; the +Inf bucket is implied. */
struct metric *metrics_histogram(struct metrics *m, const char *name, const char *help, const char *labels,
				 const double *buckets, size_t n);

/* values: one string per label name, in order; NULL for a family without
 * labels. Thread-safe. metric_add on a counter ignores v < 0. */
void metric_add(struct metric *f, const char *const *values, double v);     /* counter, gauge */
void metric_set(struct metric *f, const char *const *values, double v);     /* gauge */
void metric_observe(struct metric *f, const char *const *values, double v); /* histogram */

/* metric_inc(f, "phishing", "quarantine"): one more in a labelled series
 * (metric_add(f, NULL, 1) for a family without labels). */
#define metric_inc(f, ...) metric_add((f), (const char *const[]){__VA_ARGS__}, 1)

/* The series' current value (a histogram's: its count); 0 when it has
 * none yet. For tests and `stats`. */
double metric_value(struct metric *f, const char *const *values);

/* Appends every family, in registration order, to out in the text format. */
void metrics_render(struct metrics *m, struct buf *out);

/* The /metrics listener (metrics_http.c, libmicrohttpd): GET or HEAD
 * /metrics answers metrics_render(m) as text/plain; version=0.0.4; any
 * other path 404, any other method 405. One thread, its own port, so the
 * numbers never share a listener (or its rate limits) with public pages.
 * listen is "HOST:PORT" or "[V6]:PORT" with a numeric host; port 0 picks a
 * free one, written to *bound. m is borrowed and must outlive the server.
 * Returns LG_OK, LG_ECONFIG for a bad listen, LG_EIO when it cannot bind. */
struct metrics_server;
enum lg_status metrics_serve_start(struct metrics *m, const char *listen, struct metrics_server **out,
				   unsigned *bound, struct errbuf *err);
/* Stops it and waits for the scrape in flight; NULL is a no-op. */
void metrics_serve_stop(struct metrics_server **s);

#endif
