/* settings.c: see settings.h. */
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "detect/iplist.h"
#include "milter/settings.h"
#include "util/alloc.h"

/* A day is far beyond any analysis; beyond it the number is a typo. */
#define TIMEOUT_MAX_MS (24.0 * 3600 * 1000)
#define SIZE_MAX_BYTES (1024.0 * 1024 * 1024)

static int parse_switch(const char *v)
{
	if (!v)
		return -1;
	if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true"))
		return 1;
	if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false"))
		return 0;
	return -1;
}

/* Values that end up in headers and banners: no control characters. */
static bool printable(const char *v)
{
	for (; v && *v; v++)
		if ((unsigned char)*v < ' ' || *v == 0x7f)
			return false;
	return true;
}

enum lg_status milter_settings_from_config(const struct config *cfg, struct milter_settings *s,
					   struct errbuf *err)
{
	int banner = parse_switch(cfg->milter_banner);
	int verify = cfg->auth_verify ? parse_switch(cfg->auth_verify)
				      : !(cfg->trusted_authserv_id && *cfg->trusted_authserv_id);
	enum lg_status rc;

	memset(s, 0, sizeof(*s));
	if (!cfg->milter_listen || !*cfg->milter_listen)
		return errbuf_set(err, LG_ECONFIG, "[milter] listen: give a socket such as "
				  "inet:8891@127.0.0.1 or unix:/run/leakguard/milter.sock");
	if (cfg->milter_fail_mode && !strcmp(cfg->milter_fail_mode, "accept"))
		s->fail_mode = MILTER_FAIL_ACCEPT;
	else if (cfg->milter_fail_mode && !strcmp(cfg->milter_fail_mode, "tempfail"))
		s->fail_mode = MILTER_FAIL_TEMPFAIL;
	else
		return errbuf_set(err, LG_ECONFIG, "[milter] fail_mode: '%s' is not accept or tempfail",
				  cfg->milter_fail_mode ? cfg->milter_fail_mode : "");
	if (!(cfg->milter_timeout_ms >= 1 && cfg->milter_timeout_ms <= TIMEOUT_MAX_MS))
		return errbuf_set(err, LG_ECONFIG, "[milter] timeout_ms: %g is not between 1 and %.0f",
				  cfg->milter_timeout_ms, TIMEOUT_MAX_MS);
	if (!(cfg->milter_max_size >= 1024 && cfg->milter_max_size <= SIZE_MAX_BYTES))
		return errbuf_set(err, LG_ECONFIG, "[milter] max_size: %g is not between 1024 and %.0f bytes",
				  cfg->milter_max_size, SIZE_MAX_BYTES);
	if (banner < 0)
		return errbuf_set(err, LG_ECONFIG, "[milter] banner: '%s' is not on or off",
				  cfg->milter_banner ? cfg->milter_banner : "");
	if (!printable(cfg->milter_subject_tag) || !printable(cfg->milter_report_address))
		return errbuf_set(err, LG_ECONFIG, "[milter] subject_tag and report_address may not hold "
				  "control characters such as line breaks");
	if (!printable(cfg->auth_authserv_id) || (cfg->auth_authserv_id && strpbrk(cfg->auth_authserv_id, " ;()\"")))
		return errbuf_set(err, LG_ECONFIG, "[auth] authserv_id: '%s' is not one word (RFC 8601 authserv-id)",
				  cfg->auth_authserv_id);
	for (size_t i = 0; i < cfg->submission_relays.n; i++) {
		struct iplist *l = iplist_new();
		struct errbuf why = {""};
		enum lg_status bad = iplist_add(l, cfg->submission_relays.items[i], &why);

		iplist_free(&l);
		if (bad)
			return errbuf_set(err, LG_ECONFIG, "[relays] submission: '%s' is not an address or network: %s",
					  cfg->submission_relays.items[i], why.msg);
	}
	if (verify < 0)
		return errbuf_set(err, LG_ECONFIG, "[auth] verify: '%s' is not on or off", cfg->auth_verify);
	/* A quarter of the message's budget for each DNS lookup: SPF, the DKIM
	 * key and the DMARC record still fit in it. */
	if (verify == 1 && (rc = auth_verifier_new(cfg, (int)(cfg->milter_timeout_ms / 4) + 1, &s->verifier, err)))
		return rc;
	s->authserv_id = g_ascii_strdown(cfg->auth_authserv_id ? cfg->auth_authserv_id : "leakguard", -1);
	s->timeout_ms = (unsigned)cfg->milter_timeout_ms;
	s->max_size = (size_t)cfg->milter_max_size;
	s->banner = banner == 1;
	s->listen = lg_strdup(cfg->milter_listen);
	s->subject_tag = lg_strdup(cfg->milter_subject_tag ? cfg->milter_subject_tag : "");
	s->report_address = cfg->milter_report_address && *cfg->milter_report_address
				    ? lg_strdup(cfg->milter_report_address) : NULL;
	return LG_OK;
}

void milter_settings_cleanup(struct milter_settings *s)
{
	lg_free(s->listen);
	lg_free(s->subject_tag);
	lg_free(s->report_address);
	auth_verifier_free(&s->verifier);
	g_free(s->authserv_id);
	memset(s, 0, sizeof(*s));
}
