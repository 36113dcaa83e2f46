/* session.c: CSRF tokens, sessions and actors (session.h). */
#include <string.h>
#include <time.h>

#include <glib.h>

#include "portal/session.h"
#include "portal/token.h"
#include "util/log.h"

#define CSRF_COOKIE "lg_csrf"
#define SESSION_COOKIE "lg_session"

/* Under TLS (or an https base_url) cookies carry the __Host- prefix: the
 * browser then takes them only if set Secure, by this host, for Path=/,
 * so neither a plain-http man in the middle nor a sibling subdomain can
 * plant one; the unprefixed name is then not read at all. */
const char *session_cookie_name(const struct http_req *r, const char *base)
{
	if (!r->p->set.secure_cookies)
		return base;
	return strcmp(base, CSRF_COOKIE) == 0 ? "__Host-" CSRF_COOKIE : "__Host-" SESSION_COOKIE;
}

static const char *cookie(const struct http_req *r, const char *base)
{
	return http_param(&r->cookies, session_cookie_name(r, base));
}

/* Whether the lg_csrf value c names a live "browser" session in the store:
 * the server issued it, the client did not choose it. */
static bool csrf_issued(struct http_req *r, const char *c)
{
	struct portal_session s;
	char h[TOKEN_HEX];
	bool found = false;

	if (!c || !token_valid(c))
		return false;
	token_hash(c, h);
	if (portal_session_get(r->p->ps, h, (int64_t)time(NULL), &s, &found, NULL) || !found)
		return false;
	return strcmp(s.kind, "browser") == 0;
}

static const char *form_token(struct http_req *r, const char *c)
{
	char *t = arena_alloc(r->arena, TOKEN_LEN + 1);
	char *msg = arena_printf(r->arena, "csrf:%s", c);

	token_hmac(r->p->secret, sizeof(r->p->secret), msg, t);
	return t;
}

const char *session_csrf(struct http_req *r, struct http_resp *out)
{
	const char *c = cookie(r, CSRF_COOKIE);

	if (!r->csrf_cookie && csrf_issued(r, c))
		r->csrf_cookie = c;
	if (!r->csrf_cookie) {
		char *fresh = arena_alloc(r->arena, TOKEN_LEN + 1);
		struct portal_session s = {.kind = "browser"};
		struct errbuf err;

		if (!token_new(fresh))
			return "";
		token_hash(fresh, s.hash);
		s.expires = (int64_t)time(NULL) + r->p->set.session_ttl;
		if (portal_session_add(r->p->ps, &s, &err)) {
			log_error("portal: %s", err.msg);
			return "";
		}
		r->csrf_cookie = fresh;
		r->csrf_new = true;
		/* a browser-session cookie: forms work as long as the tab lives
		 * (and the server's record, session_ttl) */
		resp_cookie(r, out, session_cookie_name(r, CSRF_COOKIE), fresh, -1);
	}
	return form_token(r, r->csrf_cookie);
}

bool session_csrf_ok(struct http_req *r)
{
	const char *c = cookie(r, CSRF_COOKIE), *f = http_param(&r->form, "csrf");

	if (!c || !f || !csrf_issued(r, c))
		return false;
	return token_equal(f, form_token(r, c));
}

bool session_get(struct http_req *r, struct portal_session *s)
{
	const char *c = cookie(r, SESSION_COOKIE);
	char h[TOKEN_HEX];
	bool found = false;

	if (!c || !token_valid(c))
		return false;
	token_hash(c, h);
	if (portal_session_get(r->p->ps, h, (int64_t)time(NULL), s, &found, NULL))
		return false;
	return found && strcmp(s->kind, "browser") != 0; /* a CSRF id is no login */
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
	resp_cookie(r, out, session_cookie_name(r, SESSION_COOKIE), tok, (long)r->p->set.session_ttl);
	r->session_new = true;
	return true;
}

bool session_ensure(struct http_req *r, struct http_resp *out, struct portal_session *s)
{
	if (session_get(r, s) && strcmp(s->kind, "org") == 0)
		return true;
	return session_start(r, out, "org", NULL, s);
}

bool session_rotate(struct http_req *r, struct http_resp *out, struct portal_session *s)
{
	char tok[TOKEN_LEN + 1], h[TOKEN_HEX];
	int64_t expires = (int64_t)time(NULL) + r->p->set.session_ttl;
	struct errbuf err;

	if (r->session_new) /* made in this request: nobody else knows it */
		return true;
	if (!token_new(tok))
		return false;
	token_hash(tok, h);
	if (portal_session_rotate(r->p->ps, s->hash, h, expires, &err)) {
		log_error("portal: %s", err.msg);
		return false;
	}
	g_strlcpy(s->hash, h, sizeof(s->hash));
	s->expires = expires;
	resp_cookie(r, out, session_cookie_name(r, SESSION_COOKIE), tok, (long)r->p->set.session_ttl);
	r->session_new = true;
	return true;
}

void session_end(struct http_req *r, struct http_resp *out)
{
	drop_current(r);
	if (cookie(r, SESSION_COOKIE))
		resp_cookie(r, out, session_cookie_name(r, SESSION_COOKIE), "", 0);
}

const char *session_actor(struct http_req *r, const struct portal_session *s)
{
	if (!s)
		return "anonymous";
	if (strcmp(s->kind, "operator") == 0)
		return arena_printf(r->arena, "operator:%s", s->name);
	return arena_printf(r->arena, "session:%.8s", s->hash);
}
