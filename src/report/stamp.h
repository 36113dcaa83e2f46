/* stamp.h: the client stamp — the milter's signed word on which IP address
 * connected to it to deliver a message. The milter knows that address from
 * the connection (it is not anything the sender wrote), so it adds
 *     X-Leakguard-Client: v1 <ip> <hex HMAC-SHA256>
 * to inbound mail, the HMAC under the store's alert key (store/reports.h)
 * over the IP, the Message-ID and the Date. A copy that came with the
 * message is stripped with the other X-Leakguard-* fields. When staff later
 * forward that message as a phish, the report trusts the IP in a validly
 * signed stamp only; the Received headers give at most a candidate for an
 * administrator's review. Pure. */
#ifndef LG_REPORT_STAMP_H
#define LG_REPORT_STAMP_H

#include <stdbool.h>
#include <stddef.h>

#define REPORT_STAMP "X-Leakguard-Client"

/* The stamp's value for a message from ip with these Message-ID and Date
 * values (either may be NULL: signed as empty). NULL when ip is not an IP
 * address. Caller g_free()s. */
char *report_stamp_sign(const unsigned char *key, size_t keylen, const char *ip, const char *msgid,
			const char *date);

/* True when value is a stamp key signed for this Message-ID and Date;
 * then the IP is written into ip (size >= 46). False without a key or
 * value, or when the signature does not match. */
bool report_stamp_read(const unsigned char *key, size_t keylen, const char *value, const char *msgid,
		       const char *date, char *ip, size_t size);

#endif
