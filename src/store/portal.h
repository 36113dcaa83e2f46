/* portal.h: the leak portal's state (`leakguard serve`) — its secret,
 * mailed links, domain challenges, sessions, verified domains, API keys,
 * operator accounts and the audit log — in the same store file as the
 * classifier and the leak index (own tables; layout in portal_sqlite.c).
 *
 * Tokens, session ids and API keys are never stored, only their SHA-256
 * (hex), so a copy of the store opens nothing. Every call takes the
 * store's lock: the portal's HTTP threads and its mail thread share it. */
#ifndef LG_STORE_PORTAL_H
#define LG_STORE_PORTAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/errbuf.h"

#define PORTAL_SECRET_LEN 32
#define PORTAL_HASH_HEX 65   /* SHA-256 in hex with its NUL */
#define PORTAL_TEXT_MAX 256  /* domains, addresses, names */

struct portal_store;

/* Opens the portal tables in the store file at path, creating them. */
enum lg_status portal_store_open(const char *path, struct portal_store **out, struct errbuf *err);
void portal_store_close(struct portal_store **ps);

/* The portal's secret (CSRF and decoy keys), created on first use. */
enum lg_status portal_secret(struct portal_store *ps, uint8_t out[PORTAL_SECRET_LEN], struct errbuf *err);

/* ---- mailed links: kind "address" (subject: the address) or "confirm"
 * (subject: the domain, ref: the challenge id) ---- */
enum lg_status portal_link_add(struct portal_store *ps, const char *token_hash, const char *kind,
			       const char *subject, const char *ref, int64_t expires, struct errbuf *err);
/* *found is false for unknown, expired or other-kind tokens; subject and
 * ref get PORTAL_TEXT_MAX bytes each. */
enum lg_status portal_link_get(struct portal_store *ps, const char *token_hash, const char *kind, int64_t now,
			       char *subject, char *ref, bool *found, struct errbuf *err);

/* The same, and the link is used up: a second take finds nothing (mailed
 * links are single-use). */
enum lg_status portal_link_take(struct portal_store *ps, const char *token_hash, const char *kind, int64_t now,
				char *subject, char *ref, bool *found, struct errbuf *err);

/* ---- domain challenges: prove control of domain with token ---- */
struct portal_challenge {
	char id[PORTAL_TEXT_MAX], session[PORTAL_HASH_HEX], domain[PORTAL_TEXT_MAX], token[PORTAL_TEXT_MAX];
	int64_t expires;
};
enum lg_status portal_challenge_add(struct portal_store *ps, const struct portal_challenge *c, struct errbuf *err);
enum lg_status portal_challenge_get(struct portal_store *ps, const char *id, int64_t now,
				    struct portal_challenge *out, bool *found, struct errbuf *err);

/* ---- sessions: kind "browser" (a visitor's CSRF secret), "org" (verified
 * domains) or "operator" (name) ---- */
struct portal_session {
	char hash[PORTAL_HASH_HEX], kind[16], name[PORTAL_TEXT_MAX];
	int64_t expires;
};
enum lg_status portal_session_add(struct portal_store *ps, const struct portal_session *s, struct errbuf *err);
enum lg_status portal_session_get(struct portal_store *ps, const char *hash, int64_t now, struct portal_session *out,
				  bool *found, struct errbuf *err);
enum lg_status portal_session_del(struct portal_store *ps, const char *hash, struct errbuf *err);
/* Gives session old_hash the id new_hash (and a new expiry), with its
 * verified domains and challenges: an id known before a login or a
 * verification is worthless after it. */
enum lg_status portal_session_rotate(struct portal_store *ps, const char *old_hash, const char *new_hash,
				     int64_t expires, struct errbuf *err);
/* Records that session hash proved control of domain by method. */
enum lg_status portal_session_domain_add(struct portal_store *ps, const char *hash, const char *domain,
					 const char *method, struct errbuf *err);
enum lg_status portal_session_has_domain(struct portal_store *ps, const char *hash, const char *domain, bool *yes,
					 struct errbuf *err);

/* ---- API keys, bound to one verified domain, or range-only keys the
 * operator made (domain "", session "operator:NAME") ---- */
enum lg_status portal_apikey_add(struct portal_store *ps, const char *key_hash, const char *domain,
				 const char *session, int64_t *id, struct errbuf *err);
/* domain gets PORTAL_TEXT_MAX bytes. */
enum lg_status portal_apikey_get(struct portal_store *ps, const char *key_hash, int64_t *id, char *domain,
				 bool *found, struct errbuf *err);

/* How many API keys domain has (the per-domain cap). */
enum lg_status portal_apikey_count(struct portal_store *ps, const char *domain, int64_t *n, struct errbuf *err);
/* Deletes API key id (either kind); *found false when there is none. */
enum lg_status portal_apikey_del(struct portal_store *ps, int64_t id, bool *found, struct errbuf *err);

/* ---- operator accounts (password: a KDF's output, never the password) ---- */
struct portal_operator {
	char name[PORTAL_TEXT_MAX];
	uint8_t salt[16], hash[32];
	int64_t iterations;
};
enum lg_status portal_operator_put(struct portal_store *ps, const struct portal_operator *op, struct errbuf *err);
enum lg_status portal_operator_get(struct portal_store *ps, const char *name, struct portal_operator *out,
				   bool *found, struct errbuf *err);

/* Per-account lockout (only for names that are accounts). *locked: the
 * account is locked at now. */
enum lg_status portal_login_locked(struct portal_store *ps, const char *name, int64_t now, bool *locked,
				   struct errbuf *err);
/* Counts a wrong password for name; the max_failures-th in a row locks it
 * for lock_seconds (*locked then true; also when it was locked already). */
enum lg_status portal_login_failed(struct portal_store *ps, const char *name, int64_t now, int max_failures,
				   int64_t lock_seconds, bool *locked, struct errbuf *err);
/* A right password (or a new one set): the count starts again. */
enum lg_status portal_login_succeeded(struct portal_store *ps, const char *name, struct errbuf *err);

/* ---- the audit log: who saw or tried what, when ---- */
struct portal_audit_row {
	int64_t at;
	const char *actor, *client, *action, *subject, *detail;
};
enum lg_status portal_audit_add(struct portal_store *ps, const struct portal_audit_row *r, struct errbuf *err);
/* The newest `limit` rows, newest first; stops when fn returns false. */
enum lg_status portal_audit_each(struct portal_store *ps, int limit,
				 bool (*fn)(void *ctx, const struct portal_audit_row *r), void *ctx, struct errbuf *err);

/* Deletes expired links, challenges and sessions. */
enum lg_status portal_store_expire(struct portal_store *ps, int64_t now, struct errbuf *err);

#endif
