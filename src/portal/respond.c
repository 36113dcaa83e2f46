/* respond.c: the responses every page shares (request.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "portal/request.h"

void resp_header(struct http_req *r, struct http_resp *out, const char *name, const char *value)
{
	if (out->nheaders == RESP_MAX_HEADERS)
		return;
	out->hname[out->nheaders] = name;
	out->hvalue[out->nheaders] = arena_strdup(r->arena, value);
	out->nheaders++;
}

void resp_page(struct http_req *r, struct http_resp *out, int status, const char *title, const char *name,
	       const struct html_var *vars, size_t n)
{
	out->status = status;
	out->type = "text/html; charset=utf-8";
	buf_reset(&out->body);
	html_page(&out->body, title, name, vars, n);
}

void resp_error(struct http_req *r, struct http_resp *out, int status, const char *heading, const char *text)
{
	struct html_var v[] = {{"heading", heading}, {"text", text}};

	resp_page(r, out, status, heading, "error.html", v, 2);
}

void resp_json_error(struct http_req *r, struct http_resp *out, int status, const char *text)
{
	json_t *o = json_pack("{s:s}", "error", text);
	char *s = json_dumps(o, JSON_COMPACT);

	(void)r;
	out->status = status;
	out->type = "application/json";
	buf_reset(&out->body);
	buf_appendf(&out->body, "%s\n", s);
	free(s);
	json_decref(o);
}

void resp_redirect(struct http_req *r, struct http_resp *out, const char *path)
{
	out->status = 303;
	out->type = "text/plain; charset=utf-8";
	buf_reset(&out->body);
	buf_appendf(&out->body, "See %s\n", path);
	resp_header(r, out, "Location", path);
}

void resp_too_many(struct http_req *r, struct http_resp *out, int retry_after, bool json)
{
	char secs[24], text[160];

	snprintf(secs, sizeof(secs), "%d", retry_after);
	snprintf(text, sizeof(text), "Too many requests from your address. Please wait %d seconds and try again.",
		 retry_after);
	if (json)
		resp_json_error(r, out, 429, text);
	else
		resp_error(r, out, 429, "Too many requests", text);
	resp_header(r, out, "Retry-After", secs);
}

void resp_cookie(struct http_req *r, struct http_resp *out, const char *name, const char *value, long max_age)
{
	char *v = arena_printf(r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s", name, value,
			       r->p->set.secure_cookies ? "; Secure" : "");

	if (max_age >= 0)
		v = arena_printf(r->arena, "%s; Max-Age=%ld", v, max_age);
	resp_header(r, out, "Set-Cookie", v);
}
