/* pages_operator.c: the operator's side — login (PBKDF2, the same cost for
 * unknown names), the leaks and their ingest status, and the audit log
 * (ROUTES.md). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "leak/index.h"
#include "portal/password.h"
#include "portal/router.h"
#include "portal/session.h"
#include "util/log.h"

#define LOGIN_MAX_FAILURES 5  /* wrong passwords in a row that lock an account */
#define LOGIN_LOCK_SECONDS 900
#define UNKNOWN_NAME "(no such operator)" /* audited instead of a typed name that is no account */

static void login_page(struct http_req *r, struct http_resp *out, bool failed)
{
	struct html_var v[] = {{"csrf", session_csrf(r, out)},
			       {"error", failed ? "<p class=\"error\" id=\"login-error\" role=\"alert\">Wrong name or password.</p>"
						: ""}};

	resp_page(r, out, 200, "Operator login", "login.html", v, 2);
}

void page_login_form(struct http_req *r, struct http_resp *out)
{
	login_page(r, out, false);
}

/* Login: the same PBKDF2 cost for unknown names, and a per-account
 * lockout beside the per-address limit (R_MAIL), so guesses spread over
 * many addresses still stop after LOGIN_MAX_FAILURES. A locked account
 * answers as a wrong password, even to the right one. */
void page_login(struct http_req *r, struct http_resp *out)
{
	const char *name = http_param(&r->form, "username"), *pw = http_param(&r->form, "password");
	struct portal_operator op;
	struct portal_session s;
	struct errbuf err;
	int64_t now = (int64_t)time(NULL);
	bool found = false, locked = false, ok;

	if (name && strlen(name) < sizeof(op.name))
		portal_operator_get(r->p->ps, name, &op, &found, NULL);
	if (found && portal_login_locked(r->p->ps, op.name, now, &locked, &err)) {
		log_error("portal: %s", err.msg);
		locked = true; /* fail closed */
	}
	/* an unknown name or a locked account costs one full derivation too */
	ok = password_check(found ? &op : password_dummy(), pw ? pw : "") && found && !locked;
	if (!ok) {
		const char *why = locked ? "account locked" : "";

		if (found && !locked) {
			if (portal_login_failed(r->p->ps, op.name, now, LOGIN_MAX_FAILURES, LOGIN_LOCK_SECONDS, &locked,
						&err))
				log_error("portal: %s", err.msg);
			else if (locked)
				why = "wrong password; account now locked";
		}
		portal_audit(r->p, "anonymous", r->client, "operator-login-failed", found ? op.name : UNKNOWN_NAME, why);
		login_page(r, out, true);
		return;
	}
	portal_login_succeeded(r->p->ps, op.name, NULL);
	if (!session_start(r, out, "operator", op.name, &s)) {
		resp_error(r, out, 500, "Server error", "The portal could not start a session.");
		return;
	}
	portal_audit(r->p, session_actor(r, &s), r->client, "operator-login", op.name, "");
	resp_redirect(r, out, "/operator");
}

void page_logout(struct http_req *r, struct http_resp *out)
{
	struct portal_session s;

	if (session_get(r, &s))
		portal_audit(r->p, session_actor(r, &s), r->client, "logout", "", "");
	session_end(r, out);
	resp_redirect(r, out, "/");
}

/* The operator's session; otherwise a redirect to the login. */
static bool operator(struct http_req *r, struct http_resp *out, struct portal_session *s)
{
	if (session_get(r, s) && strcmp(s->kind, "operator") == 0)
		return true;
	resp_redirect(r, out, "/operator/login");
	return false;
}

struct src_rows {
	struct buf *b;
	struct leak_index *ix;
	bool running;
};

static bool source_row(void *ctx, const struct store_leak_source *src)
{
	struct src_rows *sr = ctx;
	uint32_t d = sr->ix ? leak_index_source_date(sr->ix, src->id) : 0;
	char date[16] = "";
	const char *state = src->state;

	if (strcmp(state, "ingesting") == 0 && !sr->running)
		state = "interrupted";
	if (d)
		snprintf(date, sizeof(date), "%04u-%02u-%02u", d / 10000, d / 100 % 100, d % 100);
	buf_appendf(sr->b, "<tr class=\"source\">");
	html_cell(sr->b, "source-name", src->name);
	html_cell(sr->b, "source-date", date);
	html_cell(sr->b, "source-status", state);
	html_cell_num(sr->b, "source-files", (unsigned long long)src->files);
	html_cell_num(sr->b, "source-records", (unsigned long long)src->records);
	html_cell_num(sr->b, "source-unreadable", (unsigned long long)src->errors);
	buf_appendf(sr->b, "</tr>\n");
	return true;
}

void page_operator(struct http_req *r, struct http_resp *out)
{
	struct portal_session s;
	struct buf rows;
	struct src_rows sr;

	if (!operator(r, out, &s))
		return;
	buf_init(&rows);
	sr.b = &rows;
	sr.ix = r->p->ix;
	pthread_rwlock_wrlock(&r->p->index_lock);
	sr.running = leak_ingest_running(r->p->store);
	if (r->p->ix)
		store_leak_sources(r->p->store, source_row, &sr, NULL);
	pthread_rwlock_unlock(&r->p->index_lock);
	portal_audit(r->p, session_actor(r, &s), r->client, "sources-view", "", "");
	{
		struct html_var v[] = {{"name", s.name}, {"rows", rows.data ? rows.data : ""}, {"csrf", session_csrf(r, out)}};

		resp_page(r, out, 200, "Operator", "operator.html", v, 3);
	}
	buf_cleanup(&rows);
}

static bool audit_row(void *ctx, const struct portal_audit_row *a)
{
	struct buf *b = ctx;
	char at[32];
	time_t t = (time_t)a->at;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_appendf(b, "<tr class=\"audit\">");
	html_cell(b, "audit-at", at);
	html_cell(b, "audit-actor", a->actor);
	html_cell(b, "audit-client", a->client);
	html_cell(b, "audit-action", a->action);
	html_cell(b, "audit-subject", a->subject);
	buf_appendf(b, "</tr>\n");
	return true;
}

void page_audit(struct http_req *r, struct http_resp *out)
{
	struct portal_session s;
	struct buf rows;

	if (!operator(r, out, &s))
		return;
	/* logged first, so the operator's own look shows in what they see */
	portal_audit(r->p, session_actor(r, &s), r->client, "audit-view", "", "");
	buf_init(&rows);
	portal_audit_each(r->p->ps, 500, audit_row, &rows, NULL);
	{
		struct html_var v[] = {{"rows", rows.data ? rows.data : ""}};

		resp_page(r, out, 200, "Audit log", "audit.html", v, 1);
	}
	buf_cleanup(&rows);
}
