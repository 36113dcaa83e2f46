/* settings.h: the milter's own settings, checked and converted from the
 * [milter] section of the configuration (util/config.c holds the table and
 * the defaults; leakguard.conf documents them). */
#ifndef LG_MILTER_SETTINGS_H
#define LG_MILTER_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/verify.h"
#include "util/config.h"
#include "util/errbuf.h"

/* What happens to a message the analysis could not finish. */
enum milter_fail_mode {
	MILTER_FAIL_ACCEPT,   /* pass it on unmodified but for a header saying so */
	MILTER_FAIL_TEMPFAIL, /* answer 451 so the sender tries again later */
};

struct milter_settings {
	char *listen;              /* libmilter socket: inet:PORT@HOST, unix:PATH */
	enum milter_fail_mode fail_mode;
	unsigned timeout_ms;       /* budget for one message's analysis */
	size_t max_size;           /* larger messages pass unscanned */
	bool banner;               /* add the warning banner to tagged mail */
	char *subject_tag;         /* prefix for tagged subjects, "" for none */
	char *report_address;      /* where staff forward phish, NULL when unset */
	/* [auth] verify: the milter checks SPF, DKIM and DMARC itself (NULL
	 * when off) and writes Authentication-Results as authserv_id. */
	struct auth_verifier *verifier;
	char *authserv_id;         /* [auth] authserv_id, lower case */
};

/* Fills s from cfg's [milter] settings (and [auth] verify: unset, it is on
 * exactly when [auth] trusted_authserv_id is not, since then nobody else
 * authenticates the mail). Returns LG_OK, or LG_ECONFIG with a
 * sentence naming the key and the accepted values; s then owns nothing. */
enum lg_status milter_settings_from_config(const struct config *cfg, struct milter_settings *s,
					   struct errbuf *err);
void milter_settings_cleanup(struct milter_settings *s);

#endif
