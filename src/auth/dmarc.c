/* dmarc.c: DMARC (RFC 7489) evaluated by libopendmarc. We fetch the
 * policy record ourselves — _dmarc.<From domain>, else _dmarc.<its
 * organisational domain> (RFC 7489 6.6.3) — through our resolver and hand
 * it to the library with the SPF and DKIM outcomes; libopendmarc does the
 * parsing, the identifier alignment (relaxed or strict, adkim/aspf) and
 * picks the policy to apply. Organisational domains come from the public
 * suffix list when the system has it. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <glib.h>
#include <opendmarc/dmarc.h>

#include "auth/auth.h"
#include "mail/domain.h"
#include "util/arena.h"

#define PSL_FILE "/usr/share/publicsuffix/effective_tld_names.dat"

static void library_init(void)
{
	static OPENDMARC_LIB_T lib;

	memset(&lib, 0, sizeof(lib));
	lib.tld_type = OPENDMARC_TLD_TYPE_NONE;
	if (g_file_test(PSL_FILE, G_FILE_TEST_IS_REGULAR)) {
		lib.tld_type = OPENDMARC_TLD_TYPE_MOZILLA;
		snprintf((char *)lib.tld_source_file, sizeof(lib.tld_source_file), "%s", PSL_FILE);
	}
	opendmarc_policy_library_init(&lib);
}

/* The first "v=DMARC1" TXT record at _dmarc.domain into *record (g_free). */
static enum auth_dns_status fetch_record(struct auth_resolver *r, const char *domain, char **record)
{
	char *name = g_strdup_printf("_dmarc.%s", domain), **txt = NULL;
	enum auth_dns_status st = auth_resolver_txt(r, name, &txt);

	*record = NULL;
	for (int i = 0; !st && txt[i]; i++)
		if (g_ascii_strncasecmp(txt[i], "v=DMARC1", 8) == 0) {
			*record = g_strdup(txt[i]);
			break;
		}
	if (!st && !*record)
		st = AUTH_DNS_NONE;
	g_strfreev(txt);
	g_free(name);
	return st;
}

static int spf_outcome(enum authres_result r)
{
	switch (r) {
	case AUTHRES_PASS: return DMARC_POLICY_SPF_OUTCOME_PASS;
	case AUTHRES_FAIL:
	case AUTHRES_SOFTFAIL: return DMARC_POLICY_SPF_OUTCOME_FAIL;
	case AUTHRES_TEMPERROR: return DMARC_POLICY_SPF_OUTCOME_TMPFAIL;
	default: return DMARC_POLICY_SPF_OUTCOME_NONE;
	}
}

static int dkim_outcome(enum authres_result r)
{
	switch (r) {
	case AUTHRES_PASS: return DMARC_POLICY_DKIM_OUTCOME_PASS;
	case AUTHRES_TEMPERROR: return DMARC_POLICY_DKIM_OUTCOME_TMPFAIL;
	case AUTHRES_NONE:
	case AUTHRES_ABSENT: return DMARC_POLICY_DKIM_OUTCOME_NONE;
	default: return DMARC_POLICY_DKIM_OUTCOME_FAIL;
	}
}

void auth_dmarc_check(struct auth_resolver *r, const char *ip, const char *from_domain, enum authres_result spf,
		      const char *spf_domain, const struct auth_dkim_result *dkim, struct auth_dmarc_result *out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct arena *a = arena_new();
	const char *org = domain_registrable(a, from_domain);
	enum auth_dns_status st;
	DMARC_POLICY_T *pctx = NULL;
	char *record = NULL;
	int policy;

	memset(out, 0, sizeof(*out));
	out->result = AUTHRES_NONE;
	pthread_once(&once, library_init);
	if (!from_domain || !*from_domain || !ip || !*ip)
		goto out;
	snprintf(out->record_domain, sizeof(out->record_domain), "%s", from_domain);
	st = fetch_record(r, from_domain, &record);
	if (st == AUTH_DNS_NONE && org && strcmp(org, from_domain) != 0) {
		snprintf(out->record_domain, sizeof(out->record_domain), "%s", org);
		st = fetch_record(r, org, &record);
	}
	if (st) {
		out->result = st == AUTH_DNS_NONE ? AUTHRES_NONE : AUTHRES_TEMPERROR;
		goto out;
	}
	pctx = opendmarc_policy_connect_init((u_char *)ip, strchr(ip, ':') ? DMARC_POLICY_IP_TYPE_IPV6
									      : DMARC_POLICY_IP_TYPE_IPV4);
	if (!pctx || opendmarc_policy_store_from_domain(pctx, (u_char *)from_domain) != DMARC_PARSE_OKAY ||
	    opendmarc_policy_store_dmarc(pctx, (u_char *)record, (u_char *)from_domain,
					 (u_char *)(org ? org : from_domain)) != DMARC_PARSE_OKAY) {
		out->result = AUTHRES_PERMERROR;
		goto out;
	}
	if (spf_domain && *spf_domain)
		opendmarc_policy_store_spf(pctx, (u_char *)spf_domain, spf_outcome(spf),
					   DMARC_POLICY_SPF_ORIGIN_MAILFROM, NULL);
	if (*dkim->domain)
		opendmarc_policy_store_dkim(pctx, (u_char *)dkim->domain, (u_char *)dkim->selector,
					    dkim_outcome(dkim->result), NULL);
	policy = opendmarc_get_policy_to_enforce(pctx);
	switch (policy) {
	case DMARC_POLICY_PASS:
		out->result = AUTHRES_PASS;
		break;
	case DMARC_POLICY_REJECT:
		out->result = AUTHRES_FAIL;
		out->policy = 'r';
		break;
	case DMARC_POLICY_QUARANTINE:
		out->result = AUTHRES_FAIL;
		out->policy = 'q';
		break;
	case DMARC_POLICY_NONE:
		out->result = AUTHRES_FAIL;
		out->policy = 'n';
		break;
	default:
		out->result = AUTHRES_NONE;
		break;
	}
	if (out->result == AUTHRES_PASS) {
		int p = 0;

		if (opendmarc_policy_fetch_p(pctx, &p) == DMARC_PARSE_OKAY)
			out->policy = p == DMARC_RECORD_P_REJECT ? 'r' : p == DMARC_RECORD_P_QUARANTINE ? 'q' : 'n';
	}
out:
	if (pctx)
		opendmarc_policy_connect_shutdown(pctx);
	g_free(record);
	arena_free(&a);
}
