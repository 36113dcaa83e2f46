/* router.h: which handler answers a request — the route table (method and
 * path pattern, "*" matching one segment), and what every route gets before
 * its handler runs: 404/405, the client's rate limit (429), the CSRF check
 * of forms (403) and the mail-sending limit. The handlers live in pages_*.c
 * and api.c; ROUTES.md is the table in prose. */
#ifndef LG_PORTAL_ROUTER_H
#define LG_PORTAL_ROUTER_H

#include "portal/request.h"

void router_dispatch(struct http_req *r, struct http_resp *out);

/* The handlers (one per route). */
void page_home(struct http_req *r, struct http_resp *out);
void page_check(struct http_req *r, struct http_resp *out);
void page_result_form(struct http_req *r, struct http_resp *out);
void page_result(struct http_req *r, struct http_resp *out);
void page_domain_form(struct http_req *r, struct http_resp *out);
void page_domain_start(struct http_req *r, struct http_resp *out);
void page_verify(struct http_req *r, struct http_resp *out);
void page_verify_dns(struct http_req *r, struct http_resp *out);
void page_verify_web(struct http_req *r, struct http_resp *out);
void page_verify_mail(struct http_req *r, struct http_resp *out);
void page_confirm_form(struct http_req *r, struct http_resp *out);
void page_confirm(struct http_req *r, struct http_resp *out);
void page_dashboard(struct http_req *r, struct http_resp *out);
void page_dashboard_csv(struct http_req *r, struct http_resp *out);
void page_apikey(struct http_req *r, struct http_resp *out);
void page_notify_org(struct http_req *r, struct http_resp *out);
void page_notify_org_add(struct http_req *r, struct http_resp *out);
void page_notify_org_remove(struct http_req *r, struct http_resp *out);
void page_webhook_add(struct http_req *r, struct http_resp *out);
void page_webhook_remove(struct http_req *r, struct http_resp *out);
void page_notify_form(struct http_req *r, struct http_resp *out);
void page_notify_subscribe(struct http_req *r, struct http_resp *out);
void page_notify_confirm_form(struct http_req *r, struct http_resp *out);
void page_notify_confirm(struct http_req *r, struct http_resp *out);
void page_unsub_form(struct http_req *r, struct http_resp *out);
void page_unsub(struct http_req *r, struct http_resp *out);
void page_login_form(struct http_req *r, struct http_resp *out);
void page_login(struct http_req *r, struct http_resp *out);
void page_logout(struct http_req *r, struct http_resp *out);
void page_operator(struct http_req *r, struct http_resp *out);
void page_audit(struct http_req *r, struct http_resp *out);
void api_range_text(struct http_req *r, struct http_resp *out);
void api_range_json(struct http_req *r, struct http_resp *out);
void api_domain(struct http_req *r, struct http_resp *out);
void api_addresses(struct http_req *r, struct http_resp *out);

#endif
