/* router.c: the route table and the checks before every handler (router.h). */
#include <string.h>
#include <time.h>

#include "portal/assets.h"
#include "portal/ratelimit.h"
#include "portal/router.h"
#include "portal/session.h"

enum {
	R_JSON = 1,  /* errors as JSON */
	R_RANGE = 2, /* the range limit instead of the page limit */
	R_FORM = 4,  /* a form: CSRF token required */
	R_MAIL = 8,  /* sends mail or tries a password: the hourly limit */
};

struct route {
	const char *method, *pattern;
	void (*fn)(struct http_req *r, struct http_resp *out);
	unsigned flags;
};

static void static_file(struct http_req *r, struct http_resp *out);

static const struct route routes[] = {
	{"GET", "/", page_home, 0},
	{"POST", "/check", page_check, R_FORM | R_MAIL},
	{"GET", "/r/*", page_result_form, 0},
	{"POST", "/r/*", page_result, R_FORM},
	{"GET", "/domain", page_domain_form, 0},
	{"POST", "/domain", page_domain_start, R_FORM},
	{"GET", "/verify/*", page_verify, 0},
	{"POST", "/verify/*/dns", page_verify_dns, R_FORM},
	{"POST", "/verify/*/web", page_verify_web, R_FORM},
	{"POST", "/verify/*/mail", page_verify_mail, R_FORM | R_MAIL},
	{"GET", "/confirm/*", page_confirm_form, 0},
	{"POST", "/confirm/*", page_confirm, R_FORM},
	{"GET", "/dashboard/*", page_dashboard, 0},
	{"GET", "/dashboard/*/addresses.csv", page_dashboard_csv, 0},
	{"POST", "/dashboard/*/apikey", page_apikey, R_FORM},
	{"GET", "/dashboard/*/notify", page_notify_org, 0},
	{"POST", "/dashboard/*/notify", page_notify_org_add, R_FORM | R_MAIL},
	{"POST", "/dashboard/*/notify/remove", page_notify_org_remove, R_FORM},
	{"POST", "/dashboard/*/webhook", page_webhook_add, R_FORM},
	{"POST", "/dashboard/*/webhook/remove", page_webhook_remove, R_FORM},
	{"GET", "/notify", page_notify_form, 0},
	{"POST", "/notify", page_notify_subscribe, R_FORM | R_MAIL},
	{"GET", "/notify/confirm/*", page_notify_confirm_form, 0},
	{"POST", "/notify/confirm/*", page_notify_confirm, R_FORM},
	{"GET", "/u/*", page_unsub_form, 0},
	{"POST", "/u/*", page_unsub, 0}, /* RFC 8058 one-click: no cookie, no CSRF token; the token is the proof */
	{"GET", "/operator/login", page_login_form, 0},
	{"POST", "/operator/login", page_login, R_FORM | R_MAIL},
	{"POST", "/logout", page_logout, R_FORM},
	{"GET", "/operator", page_operator, 0},
	{"GET", "/operator/audit", page_audit, 0},
	{"GET", "/static/*", static_file, 0},
	{"GET", "/range/*", api_range_text, R_RANGE},
	{"GET", "/api/v1/range/*", api_range_json, R_JSON | R_RANGE},
	{"GET", "/api/v1/domain/*", api_domain, R_JSON},
	{"GET", "/api/v1/domain/*/addresses", api_addresses, R_JSON},
};

/* Whether the request's path has the pattern's segments. */
static bool path_matches(const struct http_target *t, const char *pattern)
{
	size_t i = 0;
	const char *p = pattern + 1;

	if (t->trailing_slash)
		return false;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (i == t->nsegs || (!(n == 1 && *p == '*') && (strlen(t->segs[i]) != n || memcmp(t->segs[i], p, n) != 0)))
			return false;
		i++;
		p += n + (slash != NULL);
	}
	return i == t->nsegs;
}

static void static_file(struct http_req *r, struct http_resp *out)
{
	const char *name = r->target.segs[1];
	const struct asset *a = asset_find(name);
	const char *dot = strrchr(name, '.');

	/* only the stylesheet and script: templates are not for download */
	if (!a || !dot || (strcmp(dot, ".css") != 0 && strcmp(dot, ".js") != 0)) {
		resp_error(r, out, 404, "Not found", "There is no such page.");
		return;
	}
	out->status = 200;
	out->type = asset_type(name);
	out->cacheable = true;
	buf_append(&out->body, a->data, a->len);
}

/* The checks every route gets; false when they answered already. */
static bool admit(struct http_req *r, struct http_resp *out, const struct route *rt)
{
	struct portal *p = r->p;
	double now = (double)time(NULL);
	int retry;
	bool json = rt->flags & R_JSON;

	if (!ratelimit_take(rt->flags & R_RANGE ? p->rl_range : p->rl_pages, r->client_key, now, &retry)) {
		resp_too_many(r, out, retry, json);
		return false;
	}
	if ((rt->flags & R_FORM) && !session_csrf_ok(r)) {
		portal_audit(p, "anonymous", r->client, "denied", rt->pattern, "form without a valid CSRF token");
		resp_error(r, out, 403, "Form expired",
			   "This form has expired or did not come from this site. Go back, reload the page and send it again.");
		return false;
	}
	if ((rt->flags & R_MAIL) && !ratelimit_take(p->rl_mail, r->client_key, now, &retry)) {
		resp_too_many(r, out, retry, json);
		return false;
	}
	return true;
}

void router_dispatch(struct http_req *r, struct http_resp *out)
{
	bool path_known = false;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *rt = &routes[i];

		if (!path_matches(&r->target, rt->pattern))
			continue;
		path_known = true;
		if (strcmp(rt->method, r->method) != 0)
			continue;
		r->route = rt->pattern;
		if (admit(r, out, rt))
			rt->fn(r, out);
		return;
	}
	if (path_known) {
		resp_error(r, out, 405, "Method not allowed", "This page cannot be used that way.");
		resp_header(r, out, "Allow", "GET, HEAD, POST");
	} else {
		resp_error(r, out, 404, "Not found", "There is no such page.");
	}
}
