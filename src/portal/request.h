/* request.h: one HTTP exchange as the handlers see it — the parsed request
 * (parse.h) and the response being built — and the responses every page
 * shares: HTML pages in the layout, error pages, JSON, redirects, cookies.
 * Independent of libmicrohttpd (http.c converts), so handlers could be
 * driven by tests without a socket. */
#ifndef LG_PORTAL_REQUEST_H
#define LG_PORTAL_REQUEST_H

#include <stdbool.h>

#include "portal/html.h"
#include "portal/parse.h"
#include "portal/server.h"
#include "util/arena.h"
#include "util/buf.h"

#define RESP_MAX_HEADERS 8

struct http_req {
	struct portal *p;
	struct arena *arena;        /* freed after the response is sent */
	const char *method;
	struct http_target target;
	struct http_params form;    /* urlencoded POST body */
	struct http_params cookies;
	const char *client;         /* the client's address (after trusted_proxy) */
	const char *client_key;     /* its rate-limit key: the address, or its /64 for IPv6 */
	const char *authorization;  /* Authorization header, NULL when absent */
	/* filled on demand by session.c */
	const char *csrf_cookie;    /* lg_csrf value, when valid */
	bool csrf_new;              /* csrf_cookie was made for this response */
	bool session_new;           /* lg_session was set by this response */
	const char *route;          /* the matched route's pattern (router.c), for metrics; NULL: none */
};

struct http_resp {
	int status;
	const char *type;           /* Content-Type */
	struct buf body;
	const char *hname[RESP_MAX_HEADERS], *hvalue[RESP_MAX_HEADERS]; /* arena strings */
	int nheaders;
	bool cacheable;             /* static files; everything else is no-store */
};

void resp_header(struct http_req *r, struct http_resp *out, const char *name, const char *value);
/* A page: web/layout.html around template `name`. */
void resp_page(struct http_req *r, struct http_resp *out, int status, const char *title, const char *name,
	       const struct html_var *vars, size_t n);
/* An error page (or JSON {"error": text} when json) with status. */
void resp_error(struct http_req *r, struct http_resp *out, int status, const char *heading, const char *text);
void resp_json_error(struct http_req *r, struct http_resp *out, int status, const char *text);
/* 303 See Other to a local path. */
void resp_redirect(struct http_req *r, struct http_resp *out, const char *path);
/* 429 with Retry-After, as a page or JSON. */
void resp_too_many(struct http_req *r, struct http_resp *out, int retry_after, bool json);
/* Set-Cookie: name=value with HttpOnly, SameSite=Strict, Path=/ (+Secure,
 * Max-Age when max_age >= 0; max_age 0 deletes). */
void resp_cookie(struct http_req *r, struct http_resp *out, const char *name, const char *value, long max_age);

#endif
