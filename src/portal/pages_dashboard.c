/* pages_dashboard.c: what leaked about a verified domain — the per-leak
 * counts, the affected addresses as CSV, and API keys (ROUTES.md). Only a
 * session that proved control of the domain gets past allowed(); everyone
 * else gets the same 403 whether or not the domain is in any leak. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "portal/facts.h"
#include "portal/router.h"
#include "portal/session.h"
#include "portal/token.h"
#include "util/alloc.h"

/* The path's domain, when this session verified it. */
static bool allowed(struct http_req *r, struct http_resp *out, char *domain, struct portal_session *s)
{
	bool yes = false;

	if (facts_domain_norm(r->target.segs[1], domain) && strcmp(domain, r->target.segs[1]) == 0 && session_get(r, s))
		portal_session_has_domain(r->p->ps, s->hash, domain, &yes, NULL);
	if (!yes) {
		portal_audit(r->p, "anonymous", r->client, "denied", r->target.segs[1], "dashboard without verification");
		resp_error(r, out, 403, "Verification needed",
			   "Prove that you control this domain first; until then this portal shows nothing about it.");
	}
	return yes;
}

static void source_row(struct buf *b, const struct facts_source *s)
{
	buf_append(b, "<tr class=\"source\" data-source=\"", 32);
	html_escape(b, s->name);
	buf_append(b, "\">", 2);
	html_cell(b, "source-name", s->name);
	html_cell(b, "source-date", s->date);
	html_cell_num(b, "count-email", s->distinct[LEAK_EMAIL]);
	html_cell_num(b, "count-phone", s->distinct[LEAK_PHONE]);
	html_cell_num(b, "count-name", s->distinct[LEAK_NAME]);
	html_cell_num(b, "count-org", s->distinct[LEAK_ORG]);
	html_cell_num(b, "count-documents", s->documents);
	html_cell_num(b, "count-occurrences", s->occurrences);
	html_cell_num(b, "count-password", s->with_password);
	buf_append(b, "</tr>\n", 6);
}

void page_dashboard(struct http_req *r, struct http_resp *out)
{
	char domain[PORTAL_TEXT_MAX];
	struct portal_session s;
	struct facts f;
	struct buf rows, summary;

	if (!allowed(r, out, domain, &s))
		return;
	pthread_rwlock_rdlock(&r->p->index_lock);
	facts_domain(r->p->ix, domain, &f);
	pthread_rwlock_unlock(&r->p->index_lock);
	portal_audit(r->p, session_actor(r, &s), r->client, "dashboard-view", domain, "");
	buf_init(&rows);
	buf_init(&summary);
	for (size_t i = 0; i < f.n; i++)
		source_row(&rows, &f.src[i]);
	if (f.n)
		buf_appendf(&summary, "<p id=\"dashboard-summary\">%zu leak%s hold data of %s.</p>", f.n,
			    f.n == 1 ? "" : "s", domain);
	else
		buf_appendf(&summary, "<p id=\"dashboard-empty\">No leak we know of holds data of %s.</p>", domain);
	{
		struct html_var v[] = {{"domain", domain},
				       {"rows", rows.data ? rows.data : ""},
				       {"summary", summary.data},
				       {"csrf", session_csrf(r, out)}};

		resp_page(r, out, 200, domain, "dashboard.html", v, 4);
	}
	buf_cleanup(&rows);
	buf_cleanup(&summary);
	facts_free(&f);
}

/* One CSV cell (RFC 4180): quoted when needed; a leading = + - @ gets a
 * ' so that no spreadsheet runs it as a formula (OWASP CSV injection). */
static void csv_cell(struct buf *b, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		buf_putc(b, '"');
	if (*s && strchr("=+-@", *s))
		buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	if (quote)
		buf_putc(b, '"');
}

void page_dashboard_csv(struct http_req *r, struct http_resp *out)
{
	char domain[PORTAL_TEXT_MAX];
	struct portal_session s;
	struct facts f;
	struct facts_address *a = NULL;
	size_t n = 0;

	if (!allowed(r, out, domain, &s))
		return;
	pthread_rwlock_wrlock(&r->p->index_lock);
	facts_domain(r->p->ix, domain, &f);
	facts_addresses(r->p->ix, r->p->store, domain, &f, &a, &n, NULL);
	pthread_rwlock_unlock(&r->p->index_lock);
	portal_audit(r->p, session_actor(r, &s), r->client, "csv-download", domain,
		     arena_printf(r->arena, "%zu addresses", n));
	out->status = 200;
	out->type = "text/csv; charset=utf-8";
	resp_header(r, out, "Content-Disposition", arena_printf(r->arena, "attachment; filename=\"%s-addresses.csv\"", domain));
	buf_appendf(&out->body, "address,source,date\r\n");
	for (size_t i = 0; i < n; i++) {
		csv_cell(&out->body, a[i].address);
		buf_putc(&out->body, ',');
		csv_cell(&out->body, a[i].source);
		buf_putc(&out->body, ',');
		csv_cell(&out->body, a[i].date);
		buf_append(&out->body, "\r\n", 2);
	}
	lg_free(a);
	facts_free(&f);
}

void page_apikey(struct http_req *r, struct http_resp *out)
{
	char domain[PORTAL_TEXT_MAX], tok[TOKEN_LEN + 1], th[TOKEN_HEX];
	struct portal_session s;
	int64_t id = 0, have = 0;
	const char *key;

	if (!allowed(r, out, domain, &s))
		return;
	/* a cap per domain: the range endpoint is limited per domain anyway,
	 * and each key is one more secret to lose */
	if (portal_apikey_count(r->p->ps, domain, &have, NULL) || have >= PORTAL_KEYS_PER_DOMAIN) {
		resp_error(r, out, have >= PORTAL_KEYS_PER_DOMAIN ? 409 : 500, "Too many API keys",
			   arena_printf(r->arena,
					"%s has %lld API keys, the most a domain may have. Ask the portal's operator to "
					"revoke one you no longer use, then make a new one.",
					domain, (long long)have));
		return;
	}
	if (!token_new(tok)) {
		resp_error(r, out, 500, "Server error", "The portal could not make a key.");
		return;
	}
	key = arena_printf(r->arena, "lgk_%s", tok);
	token_hash(key, th);
	if (portal_apikey_add(r->p->ps, th, domain, s.hash, &id, NULL)) {
		resp_error(r, out, 500, "Server error", "The portal could not store the key.");
		return;
	}
	portal_audit(r->p, session_actor(r, &s), r->client, "apikey-created", domain, arena_printf(r->arena, "key %lld", (long long)id));
	{
		struct html_var v[] = {{"domain", domain}, {"key", key}, {"base", r->p->set.base_url}};

		resp_page(r, out, 200, "API key", "apikey.html", v, 3);
	}
}
