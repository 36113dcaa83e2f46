/* iplist.h: a set of IPv4/IPv6 addresses and CIDR networks (RFC 4632),
 * for blocked sending servers and trusted relays. Read-only after building. */
#ifndef LG_DETECT_IPLIST_H
#define LG_DETECT_IPLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/errbuf.h"

struct iplist;

struct iplist *iplist_new(void);
void iplist_free(struct iplist **l);
/* Adds "192.0.2.1", "192.0.2.0/24", "2001:db8::/32". LG_EPARSE when invalid. */
enum lg_status iplist_add(struct iplist *l, const char *text, struct errbuf *err);
/* True when ip (text form) is inside any entry; false for invalid text. */
bool iplist_contains(const struct iplist *l, const char *ip);
size_t iplist_count(const struct iplist *l);

#endif
