/* settings.c: see settings.h. */
#include <stdbool.h>
#include <string.h>

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
	for (size_t i = 0; i < cfg->submission_relays.n; i++) {
		struct iplist *l = iplist_new();
		struct errbuf why = {""};
		enum lg_status rc = iplist_add(l, cfg->submission_relays.items[i], &why);

		iplist_free(&l);
		if (rc)
			return errbuf_set(err, LG_ECONFIG, "[relays] submission: '%s' is not an address or network: %s",
					  cfg->submission_relays.items[i], why.msg);
	}
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
	memset(s, 0, sizeof(*s));
}
