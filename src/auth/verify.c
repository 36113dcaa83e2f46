/* verify.c: see verify.h. Order of RFC 7489 section 6.6: SPF for the
 * MAIL FROM (or HELO) identity, DKIM for every signature, then DMARC on
 * the From domain with both; the Authentication-Results value follows RFC
 * 8601 section 2.2 (authserv-id; method=result ptype.property=value). */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "auth/auth.h"
#include "auth/verify.h"
#include "mail/received.h"
#include "util/alloc.h"

struct auth_verifier {
	struct auth_resolver *resolver;
	struct auth_spf *spf;
	struct auth_dkim *dkim;
	char *authserv_id;
};

enum lg_status auth_verifier_new(const struct config *cfg, int timeout_ms, struct auth_verifier **out,
				 struct errbuf *err)
{
	struct auth_verifier *v = lg_calloc(1, sizeof(*v));
	enum lg_status rc;

	*out = NULL;
	rc = auth_resolver_new(cfg->auth_dns, timeout_ms, &v->resolver, err);
	if (!rc)
		rc = auth_spf_new(v->resolver, &v->spf, err);
	if (!rc)
		rc = auth_dkim_new(v->resolver, &v->dkim, err);
	if (rc) {
		auth_verifier_free(&v);
		return rc;
	}
	v->authserv_id = lg_strdup(cfg->auth_authserv_id && *cfg->auth_authserv_id ? cfg->auth_authserv_id
										     : "leakguard");
	*out = v;
	return LG_OK;
}

void auth_verifier_free(struct auth_verifier **v)
{
	if (!v || !*v)
		return;
	auth_dkim_free(&(*v)->dkim);
	auth_spf_free(&(*v)->spf);
	auth_resolver_free(&(*v)->resolver);
	lg_free((*v)->authserv_id);
	lg_free(*v);
	*v = NULL;
}

void auth_smtp_from_headers(const struct engine *e, const struct mail_message *msg, struct auth_smtp *out)
{
	const char *ip = engine_sender_ip(e, msg);
	char got[64], helo[256];

	memset(out, 0, sizeof(*out));
	out->client_ip = ip;
	out->mail_from = msg->has_return_path ? msg->return_path.addr : NULL;
	for (size_t i = 0; ip && i < msg->nheaders; i++) {
		if (g_ascii_strcasecmp(msg->headers[i].name, "Received") != 0 ||
		    !received_from_ip(msg->headers[i].value, got, sizeof(got)) || strcmp(got, ip) != 0)
			continue;
		if (received_from_helo(msg->headers[i].value, helo, sizeof(helo)))
			out->helo = arena_strdup(msg->arena, helo);
		break;
	}
}

/* "dmarc=fail (p=reject) header.from=x" and friends, into b. */
static void write_ar(GString *b, const char *id, const struct auth_smtp *smtp, enum authres_result spf,
		     const char *spf_domain, const struct auth_dkim_result *dkim, const struct auth_dmarc_result *dmarc,
		     const char *from_domain)
{
	g_string_append_printf(b, "%s; spf=%s", id, authres_result_name(spf ? spf : AUTHRES_NONE));
	if (smtp->mail_from && *smtp->mail_from)
		g_string_append_printf(b, " smtp.mailfrom=%s", smtp->mail_from);
	else if (*spf_domain)
		g_string_append_printf(b, " smtp.helo=%s", spf_domain);
	g_string_append_printf(b, "; dkim=%s", authres_result_name(dkim->result));
	if (*dkim->why)
		g_string_append_printf(b, " (%s)", dkim->why);
	if (*dkim->domain)
		g_string_append_printf(b, " header.d=%s header.s=%s", dkim->domain, dkim->selector);
	g_string_append_printf(b, "; dmarc=%s", authres_result_name(dmarc->result));
	if (dmarc->policy)
		g_string_append_printf(b, " (p=%s)", dmarc->policy == 'r' ? "reject"
						     : dmarc->policy == 'q' ? "quarantine" : "none");
	if (from_domain && *from_domain)
		g_string_append_printf(b, " header.from=%s", from_domain);
}

void auth_check_message(const struct auth_verifier *v, const struct engine *e, const struct mail_message *msg,
			const char *raw, size_t len, const struct auth_smtp *smtp, struct verdict *out,
			const char **ar_value)
{
	const char *from_domain = msg->has_from ? msg->from.domain : "";
	struct auth_dkim_result dkim;
	struct auth_dmarc_result dmarc;
	struct authres res;
	struct engine_smtp es;
	char spf_domain[256] = "";
	enum authres_result spf = AUTHRES_NONE;
	GString *b = g_string_new(NULL);

	if (smtp->client_ip)
		spf = auth_spf_check(v->spf, smtp->client_ip, smtp->helo, smtp->mail_from, spf_domain,
				     sizeof(spf_domain));
	auth_dkim_verify(v->dkim, raw, len, &dkim);
	auth_dmarc_check(v->resolver, smtp->client_ip, from_domain, spf, spf_domain, &dkim, &dmarc);

	memset(&res, 0, sizeof(res));
	snprintf(res.authserv_id, sizeof(res.authserv_id), "%s", v->authserv_id);
	res.spf = spf;
	res.dkim = dkim.result;
	res.dkim_any_pass = dkim.result == AUTHRES_PASS;
	if (dkim.result == AUTHRES_PASS)
		snprintf(res.dkim_pass_domain, sizeof(res.dkim_pass_domain), "%s", dkim.domain);
	res.dkim_body_changed = dkim.body_changed;
	res.dmarc = dmarc.result;
	res.dmarc_policy = dmarc.policy;
	res.dns_timeout = dkim.dns_timeout || spf == AUTHRES_TEMPERROR || dmarc.result == AUTHRES_TEMPERROR;

	es.client_ip = smtp->client_ip;
	es.auth_user = smtp->auth_user;
	es.verified = &res;
	engine_check_smtp(e, msg, &es, out);

	write_ar(b, v->authserv_id, smtp, spf, spf_domain, &dkim, &dmarc, from_domain);
	*ar_value = arena_strndup(msg->arena, b->str, b->len);
	g_string_free(b, TRUE);
}
