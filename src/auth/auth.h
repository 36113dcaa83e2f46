/* auth.h: the three verifiers behind verify.h, one file each — SPF (RFC
 * 7208, libspf2), DKIM (RFC 6376, libopendkim) and DMARC (RFC 7489,
 * libopendmarc) — all asking DNS through resolver.h. Internal to
 * src/auth/. */
#ifndef LG_AUTH_AUTH_H
#define LG_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/resolver.h"
#include "mail/authres.h"
#include "util/errbuf.h"

/* ---- SPF (spf.c) */
struct auth_spf;
enum lg_status auth_spf_new(struct auth_resolver *r, struct auth_spf **out, struct errbuf *err);
void auth_spf_free(struct auth_spf **s);
/* Checks ip against the SPF record of mail_from's domain (or of helo when
 * mail_from is empty, the null sender). Writes the domain checked into
 * domain (size bytes) and returns the result; AUTHRES_TEMPERROR on a DNS
 * timeout. Thread-safe. */
enum authres_result auth_spf_check(struct auth_spf *s, const char *ip, const char *helo, const char *mail_from,
				   char *domain, size_t size);

/* ---- DKIM (dkim.c) */
struct auth_dkim;
struct auth_dkim_result {
	enum authres_result result;  /* pass when any signature verifies */
	char domain[256];            /* d= of the passing signature, else of the first */
	char selector[128];
	bool body_changed;           /* a body hash mismatch (RFC 6376 3.7) */
	bool dns_timeout;
	char why[160];               /* for a failure: what did not verify */
};
enum lg_status auth_dkim_new(struct auth_resolver *r, struct auth_dkim **out, struct errbuf *err);
void auth_dkim_free(struct auth_dkim **d);
/* Verifies the signatures of the raw message (len bytes, LF or CRLF line
 * ends). Thread-safe. */
void auth_dkim_verify(struct auth_dkim *d, const char *raw, size_t len, struct auth_dkim_result *out);

/* ---- DMARC (dmarc.c) */
struct auth_dmarc_result {
	enum authres_result result;  /* pass, fail, none (no record), temperror */
	char policy;                 /* 'r', 'q', 'n'; 0 without a record */
	char record_domain[256];     /* where the record was found */
};
/* Evaluates the DMARC policy of from_domain given the SPF and DKIM
 * outcomes (relaxed or strict alignment as the record says). */
void auth_dmarc_check(struct auth_resolver *r, const char *ip, const char *from_domain, enum authres_result spf,
		      const char *spf_domain, const struct auth_dkim_result *dkim, struct auth_dmarc_result *out);

#endif
