/* session.c: CSRF tokens, sessions and actors (session.h). */
#include <string.h>
#include <time.h>

#include <glib.h>

#include "portal/session.h"
#include "portal/token.h"
#include "util/log.h"

#define CSRF_COOKIE "lg_csrf"
#define SESSION_COOKIE "lg_session"

static const char *form_token(struct http_req *r, const char *cookie)
{
	char *t = arena_alloc(r->arena, TOKEN_LEN + 1);
	char *msg = arena_printf(r->arena, "csrf:%s", cookie);

	token_hmac(r->p->secret, sizeof(r->p->secret), msg, t);
	return t;
}

const char *session_csrf(struct http_req *r, struct http_resp *out)
{
	const char *c = http_param(&r->cookies, CSRF_COOKIE);

	if (!r->csrf_cookie && c && token_valid(c))
		r->csrf_cookie = c;
	if (!r->csrf_cookie) {
		char *fresh = arena_alloc(r->arena, TOKEN_LEN + 1);

		if (!token_new(fresh))
			return "";
		r->csrf_cookie = fresh;
		r->csrf_new = true;
		/* a browser-session cookie: forms work as long as the tab lives */
		resp_cookie(r, out, CSRF_COOKIE, fresh, -1);
	}
	return form_token(r, r->csrf_cookie);
}

bool session_csrf_ok(struct http_req *r)
{
	const char *c = http_param(&r->cookies, CSRF_COOKIE), *f = http_param(&r->form, "csrf");

	if (!c || !f || !token_valid(c))
		return false;
	return token_equal(f, form_token(r, c));
}

bool session_get(struct http_req *r, struct portal_session *s)
{
	const char *c = http_param(&r->cookies, SESSION_COOKIE);
	char h[TOKEN_HEX];
	bool found = false;

	if (!c || !token_valid(c))
		return false;
	token_hash(c, h);
	if (portal_session_get(r->p->ps, h, (int64_t)time(NULL), s, &found, NULL))
		return false;
	return found;
}

/* Forgets the request's session in the store (a new login never reuses
 * an old id: no session fixation). */
static void drop_current(struct http_req *r)
{
	struct portal_session s;

	if (session_get(r, &s))
		portal_session_del(r->p->ps, s.hash, NULL);
}

bool session_start(struct http_req *r, struct http_resp *out, const char *kind, const char *name,
		   struct portal_session *s)
{
	char tok[TOKEN_LEN + 1];
	struct errbuf err;

	drop_current(r);
	if (!token_new(tok))
		return false;
	memset(s, 0, sizeof(*s));
	token_hash(tok, s->hash);
	g_strlcpy(s->kind, kind, sizeof(s->kind));
	g_strlcpy(s->name, name ? name : "", sizeof(s->name));
	s->expires = (int64_t)time(NULL) + r->p->set.session_ttl;
	if (portal_session_add(r->p->ps, s, &err)) {
		log_error("portal: %s", err.msg);
		return false;
	}
	resp_cookie(r, out, SESSION_COOKIE, tok, (long)r->p->set.session_ttl);
	return true;
}

bool session_ensure(struct http_req *r, struct http_resp *out, struct portal_session *s)
{
	if (session_get(r, s) && strcmp(s->kind, "org") == 0)
		return true;
	return session_start(r, out, "org", NULL, s);
}

void session_end(struct http_req *r, struct http_resp *out)
{
	drop_current(r);
	if (http_param(&r->cookies, SESSION_COOKIE))
		resp_cookie(r, out, SESSION_COOKIE, "", 0);
}

const char *session_actor(struct http_req *r, const struct portal_session *s)
{
	if (!s)
		return "anonymous";
	if (strcmp(s->kind, "operator") == 0)
		return arena_printf(r->arena, "operator:%s", s->name);
	return arena_printf(r->arena, "session:%.8s", s->hash);
}
