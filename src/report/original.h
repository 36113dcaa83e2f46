/* original.h: the phish inside a staff member's report — forwarded as an
 * attachment (message/rfc822, RFC 2046 5.2.1) or inline below a "Forwarded
 * message" / "Original Message" marker, as the common mail programs write. */
#ifndef LG_REPORT_ORIGINAL_H
#define LG_REPORT_ORIGINAL_H

#include <stdbool.h>
#include <stddef.h>

/* Finds the original in the report's raw bytes. Returns true and a
 * g_malloc'd copy in *out (length *len), or false when there is none. */
bool report_find_original(const char *raw, size_t len, char **out, size_t *len_out);

#endif
