/* metrics.c (portal): the portal's metric families and their listener
 * (metrics.h; Prometheus text format via util/metrics.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "portal/metrics.h"
#include "util/alloc.h"
#include "util/metrics.h"

struct portal_metrics {
	struct metrics *reg;
	struct metrics_server *http;
	struct metric *requests, *duration, *limited, *verifications, *events, *mail, *started;
};

static const double duration_buckets[] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};

/* Which verifications the audit actions are (pages_domain.c, verify_*.c). */
static const struct {
	const char *action, *result;
} verify_actions[] = {
	{"verify-confirmed", "confirmed"},
	{"verify-failed", "failed"},
	{"verify-mail-sent", "mail_sent"},
	{"domain-challenge", "started"},
};

enum lg_status portal_metrics_start(struct portal *p, struct errbuf *err)
{
	struct portal_metrics *pm = lg_calloc(1, sizeof(*pm));
	struct metrics *m = metrics_new();
	unsigned port = 0;
	enum lg_status rc;

	pm->reg = m;
	pm->requests = metrics_counter(m, "leakguard_portal_requests_total",
				       "Portal requests answered, by method, route pattern and HTTP status.",
				       "method,route,status");
	pm->duration = metrics_histogram(m, "leakguard_portal_request_duration_seconds",
					 "Time from a complete request to its queued response.", NULL,
					 duration_buckets, sizeof(duration_buckets) / sizeof(duration_buckets[0]));
	pm->limited = metrics_counter(m, "leakguard_portal_rate_limited_total",
				      "Requests refused with 429 by a rate limit, by route pattern.", "route");
	pm->verifications = metrics_counter(m, "leakguard_portal_verifications_total",
					    "Domain ownership verifications: started, confirmed, failed, mail_sent.",
					    "result");
	pm->events = metrics_counter(m, "leakguard_portal_events_total",
				     "Audit-log actions (see the operator's audit page), by action.", "action");
	pm->mail = metrics_counter(m, "leakguard_portal_mail_total",
				   "Portal mail (links, confirmations): queued, dropped (queue full), sent, failed.",
				   "stage");
	pm->started = metrics_gauge(m, "leakguard_portal_start_time_seconds",
				    "When this portal started, in seconds since the Unix epoch.", NULL);
	metric_set(pm->started, NULL, (double)time(NULL));
	for (size_t i = 0; i < sizeof(verify_actions) / sizeof(verify_actions[0]); i++)
		metric_add(pm->verifications, (const char *const[]){verify_actions[i].result}, 0);
	metric_add(pm->mail, (const char *const[]){"queued"}, 0);
	metric_add(pm->mail, (const char *const[]){"sent"}, 0);
	if (p->cfg->portal_metrics_listen) {
		rc = metrics_serve_start(m, p->cfg->portal_metrics_listen, &pm->http, &port, err);
		if (rc) {
			metrics_free(&pm->reg);
			lg_free(pm);
			return rc; /* err names metrics_listen */
		}
		{
			const char *l = p->cfg->portal_metrics_listen;
			const char *colon = strrchr(l, ':');

			fprintf(stderr, "leakguard serve: metrics on http://%.*s:%u/metrics\n", (int)(colon - l), l,
				port);
			fflush(stderr);
		}
	}
	p->metrics = pm;
	return LG_OK;
}

void portal_metrics_stop(struct portal *p)
{
	struct portal_metrics *pm = p->metrics;

	if (!pm)
		return;
	metrics_serve_stop(&pm->http);
	metrics_free(&pm->reg);
	lg_free(pm);
	p->metrics = NULL;
}

void portal_metrics_request(struct portal *p, const char *method, const char *route, int status, double seconds)
{
	struct portal_metrics *pm = p->metrics;
	char code[8];

	if (!pm)
		return;
	snprintf(code, sizeof(code), "%d", status);
	route = route ? route : "none";
	metric_inc(pm->requests, method ? method : "none", route, code);
	metric_observe(pm->duration, NULL, seconds);
	if (status == 429)
		metric_inc(pm->limited, route);
}

void portal_metrics_event(struct portal *p, const char *action)
{
	struct portal_metrics *pm = p->metrics;

	if (!pm || !action)
		return;
	metric_inc(pm->events, action);
	for (size_t i = 0; i < sizeof(verify_actions) / sizeof(verify_actions[0]); i++)
		if (strcmp(action, verify_actions[i].action) == 0)
			metric_inc(pm->verifications, verify_actions[i].result);
}

void portal_metrics_mail(struct portal *p, const char *stage)
{
	if (p->metrics)
		metric_inc(p->metrics->mail, stage);
}
