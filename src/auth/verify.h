/* verify.h: leakguard verifies SPF (RFC 7208), DKIM (RFC 6376) and DMARC
 * (RFC 7489) itself, scores the message with the results and writes them
 * as an Authentication-Results value (RFC 8601). Used by `check
 * --verify-auth` and meant for the milter, which has the SMTP envelope. */
#ifndef LG_AUTH_VERIFY_H
#define LG_AUTH_VERIFY_H

#include <stddef.h>

#include "detect/engine.h"
#include "mail/message.h"
#include "util/config.h"
#include "util/errbuf.h"

struct auth_verifier;

/* Builds the verifier from [auth]: dns (IP:PORT, else the system's
 * resolver), authserv_id (ours, in what we write), and a per-lookup DNS
 * budget of timeout_ms (0: 2000). Returns LG_OK, or LG_ECONFIG naming a bad
 * setting, or LG_EINTERNAL when a library cannot start. Thread-safe once
 * built; auth_verifier_free(NULL) is a no-op. */
enum lg_status auth_verifier_new(const struct config *cfg, int timeout_ms, struct auth_verifier **out,
				 struct errbuf *err);
void auth_verifier_free(struct auth_verifier **v);

/* The SMTP envelope of one message, as the MTA saw it. */
struct auth_smtp {
	const char *client_ip; /* the connecting client ({client_addr}); NULL: unknown, SPF and DMARC skipped */
	const char *helo;      /* HELO/EHLO name, NULL when unknown */
	const char *mail_from; /* MAIL FROM address, "" for the null sender <> */
	const char *auth_user; /* {auth_authen}: the client logged in; NULL when not */
};

/* Verifies msg (parsed from raw, len bytes: DKIM needs the bytes as sent),
 * then scores it like engine_check() plus the verified results, the SMTP
 * AUTH login and the signals they give (AUTH_*, OWN_DOMAIN_SPOOFED...).
 * *ar_value gets the Authentication-Results header value to add,
 * "leakguard; spf=pass smtp.mailfrom=...; dkim=...; dmarc=...", in msg's
 * arena. Never fails: a DNS timeout is reported as temperror and
 * AUTH_UNVERIFIED, the other signals still count. */
void auth_check_message(const struct auth_verifier *v, const struct engine *e, const struct mail_message *msg,
			const char *raw, size_t len, const struct auth_smtp *smtp, struct verdict *out,
			const char **ar_value);

/* The envelope `check` can rebuild from a stored message: the first hop
 * from outside our relays (its IP and HELO name) and Return-Path. Strings
 * in msg's arena. */
void auth_smtp_from_headers(const struct engine *e, const struct mail_message *msg, struct auth_smtp *out);

#endif
