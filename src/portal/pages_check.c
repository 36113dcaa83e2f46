/* pages_check.c: the address check — the form, the answer that is the same
 * whatever the address, and the page the mailed link opens (ROUTES.md). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "leak/extract.h"
#include "portal/facts.h"
#include "portal/mailq.h"
#include "portal/router.h"
#include "portal/session.h"
#include "portal/token.h"

void page_home(struct http_req *r, struct http_resp *out)
{
	struct html_var v[] = {{"csrf", session_csrf(r, out)}};

	resp_page(r, out, 200, "Check an address", "home.html", v, 1);
}

/* The same work and the same page for every address, valid or not, in a
 * leak or not: normalise, log, queue. The look-up happens in the mail
 * thread (mailq.h), so nothing here depends on the data. */
void page_check(struct http_req *r, struct http_resp *out)
{
	const char *email = http_param(&r->form, "email");
	struct mailq_job j = {.kind = MAILQ_ADDRESS};
	char norm[LEAK_MAX_EMAIL + 1] = "", h[TOKEN_HEX], hours[24];
	size_t at;
	struct html_var v[] = {{"hours", hours}};

	if (email)
		leak_email_norm(email, strlen(email), norm, &at);
	token_hash(norm, h);
	h[16] = '\0';
	portal_audit(r->p, "anonymous", r->client, "check", h, *norm ? "" : "not an address");
	if (*norm) {
		g_strlcpy(j.to, norm, sizeof(j.to));
		if (!mailq_push(r->p->mq, &j)) {
			resp_error(r, out, 503, "Busy", "The portal is busy. Please try again in a few minutes.");
			return;
		}
	}
	snprintf(hours, sizeof(hours), "%lld", (long long)(r->p->set.link_ttl / 3600));
	resp_page(r, out, 200, "Check your inbox", "sent.html", v, 1);
}

static void kinds_cell(struct buf *b, const struct facts_source *s)
{
	const char *k[8];
	int n = 0;

	k[n++] = "email addresses";
	if (s->k_name)
		k[n++] = "names";
	if (s->k_phone)
		k[n++] = "phone numbers";
	if (s->k_mail)
		k[n++] = "email content";
	if (s->k_document)
		k[n++] = "documents";
	if (s->k_password)
		k[n++] = "passwords";
	for (int i = 0; i < n; i++) {
		if (i)
			buf_append(b, ", ", 2);
		html_escape(b, k[i]);
	}
}

/* The address of the path's result token, if valid; take uses it up
 * (single-use: whoever replays a forwarded or logged link sees nothing).
 * Otherwise answers the 404 of an unknown link and returns false. */
static bool result_link(struct http_req *r, struct http_resp *out, char *address, bool take)
{
	const char *tok = r->target.segs[1];
	char th[TOKEN_HEX], ref[PORTAL_TEXT_MAX];
	bool found = false;

	if (token_valid(tok)) {
		token_hash(tok, th);
		if (take)
			portal_link_take(r->p->ps, th, "address", (int64_t)time(NULL), address, ref, &found, NULL);
		else
			portal_link_get(r->p->ps, th, "address", (int64_t)time(NULL), address, ref, &found, NULL);
	}
	if (!found) {
		portal_audit(r->p, "anonymous", r->client, "denied", "/r/", "unknown, used or expired result link");
		resp_error(r, out, 404, "Link not valid",
			   "This link is not valid, was used already or has expired. Check your address again to get a new one.");
	}
	return found;
}

/* GET /r/TOKEN: a button, nothing used up. Mail security gateways (Safe
 * Links, Mimecast, Proofpoint) fetch every link in a mail before the
 * person does; only the POST the button sends takes the link (page_result). */
void page_result_form(struct http_req *r, struct http_resp *out)
{
	char address[PORTAL_TEXT_MAX];

	if (result_link(r, out, address, false)) {
		struct html_var v[] = {{"token", r->target.segs[1]}, {"csrf", session_csrf(r, out)}};

		resp_page(r, out, 200, "Open your result", "result_open.html", v, 2);
	}
}

void page_result(struct http_req *r, struct http_resp *out)
{
	char address[PORTAL_TEXT_MAX], hs[TOKEN_HEX];
	struct facts f;
	struct buf rows, summary;

	if (!result_link(r, out, address, true))
		return;
	pthread_rwlock_wrlock(&r->p->index_lock);
	facts_address(r->p->ix, r->p->store, address, &f);
	pthread_rwlock_unlock(&r->p->index_lock);
	token_hash(address, hs);
	hs[16] = '\0';
	portal_audit(r->p, "link", r->client, "address-view", hs, "");
	buf_init(&rows);
	buf_init(&summary);
	buf_appendf(&summary, "<p id=\"result-summary\">This address appears in %zu leak%s.</p>", f.n, f.n == 1 ? "" : "s");
	for (size_t i = 0; i < f.n; i++) {
		buf_appendf(&rows, "<tr class=\"source\">");
		html_cell(&rows, "source-name", f.src[i].name);
		html_cell(&rows, "source-date", f.src[i].date);
		buf_appendf(&rows, "<td class=\"source-kinds\">");
		kinds_cell(&rows, &f.src[i]);
		buf_append(&rows, "</td></tr>\n", 11);
	}
	{
		struct html_var v[] = {{"address", address}, {"rows", rows.data ? rows.data : ""}, {"summary", summary.data}};

		resp_page(r, out, 200, "Your result", "result.html", v, 3);
	}
	buf_cleanup(&rows);
	buf_cleanup(&summary);
	facts_free(&f);
}
