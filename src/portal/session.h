/* session.h: who is asking — the CSRF token of a browser (the lg_csrf
 * cookie names a server-side "browser" session the portal issued, and the
 * form token is HMAC(secret, cookie): a value the client chose, or one of
 * another browser, is refused), the login session (the lg_session cookie;
 * the store keeps its SHA-256; a new id at every login and verification),
 * and the actor name the audit log records. Under TLS both cookies are
 * named __Host-lg_csrf and __Host-lg_session. */
#ifndef LG_PORTAL_SESSION_H
#define LG_PORTAL_SESSION_H

#include <stdbool.h>

#include "portal/request.h"
#include "store/portal.h"

/* The token for this page's forms; sets the lg_csrf cookie when the
 * browser has none. Arena string. */
const char *session_csrf(struct http_req *r, struct http_resp *out);
/* True when the request's form field csrf matches its lg_csrf cookie. */
bool session_csrf_ok(struct http_req *r);

/* The request's live session into s; false when none (or expired). */
bool session_get(struct http_req *r, struct portal_session *s);
/* The request's session, or a new "org" session (cookie set) when none. */
bool session_ensure(struct http_req *r, struct http_resp *out, struct portal_session *s);
/* A new session of kind (name: the operator) replacing any other. */
bool session_start(struct http_req *r, struct http_resp *out, const char *kind, const char *name,
		   struct portal_session *s);
/* Gives the request's session s a new id (cookie set, s updated), keeping
 * what it proved: called when it gains rights (no session fixation). */
bool session_rotate(struct http_req *r, struct http_resp *out, struct portal_session *s);
/* Ends the request's session and clears its cookie. */
void session_end(struct http_req *r, struct http_resp *out);

/* The cookie's name for this portal: base ("lg_csrf", "lg_session"), with
 * the __Host- prefix when cookies are Secure. */
const char *session_cookie_name(const struct http_req *r, const char *base);

/* "session:1a2b3c4d" or "operator:NAME" (s may be NULL: "anonymous"). */
const char *session_actor(struct http_req *r, const struct portal_session *s);

#endif
