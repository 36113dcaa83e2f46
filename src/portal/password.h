/* password.h: operator passwords, stretched with PBKDF2-HMAC-SHA256
 * (RFC 8018 section 5.2; OWASP's 2023 floor for it is 600,000 iterations
 * for SHA-256, we default lower because logins are rare but tests run
 * many; the count is stored per account, so raising it later is safe). */
#ifndef LG_PORTAL_PASSWORD_H
#define LG_PORTAL_PASSWORD_H

#include <stdbool.h>

#include "store/portal.h"

#define PASSWORD_ITERATIONS 100000
#define PASSWORD_MIN 8
#define PASSWORD_MAX 256

/* Fills op's salt, iterations and hash for password (name untouched);
 * false when no random salt could be drawn. */
bool password_set(struct portal_operator *op, const char *password);
/* True when password matches op. Unknown accounts should be checked too,
 * against password_dummy(), so that a login takes as long either way. */
bool password_check(const struct portal_operator *op, const char *password);
const struct portal_operator *password_dummy(void);

#endif
