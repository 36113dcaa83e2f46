/* resolver.h: the DNS resolver of the SPF, DKIM and DMARC verifiers — one
 * c-ares channel (RFC 1035 queries over UDP, TCP on truncation) shared by
 * all threads behind a mutex, pointed at a configurable server ([auth] dns
 * = IP:PORT, so tests use a dnsmasq on loopback) or the system's. Every
 * query has a time budget; a timeout is reported as such, never as "no
 * record". Internal to src/auth/. */
#ifndef LG_AUTH_RESOLVER_H
#define LG_AUTH_RESOLVER_H

#include <stddef.h>

#include "util/errbuf.h"

struct auth_resolver;

enum auth_dns_status {
	AUTH_DNS_OK,       /* answer in *ans */
	AUTH_DNS_NONE,     /* NXDOMAIN or no record of that type */
	AUTH_DNS_TIMEOUT,  /* no answer within the budget */
	AUTH_DNS_ERROR,    /* server failure or a malformed answer */
};

/* Opens a resolver. server is "IP:PORT" (IPv4 or [IPv6]:PORT) or NULL for
 * /etc/resolv.conf; timeout_ms is each query's budget. Returns LG_OK, or
 * LG_ECONFIG naming the bad server, or LG_EINTERNAL. */
enum lg_status auth_resolver_new(const char *server, int timeout_ms, struct auth_resolver **out, struct errbuf *err);
void auth_resolver_free(struct auth_resolver **r);

/* Asks for records of type (ns_t_txt, ns_t_a, ...) at name. On AUTH_DNS_OK,
 * *ans is the raw answer message (caller g_free()s it) of *len bytes. */
enum auth_dns_status auth_resolver_query(struct auth_resolver *r, const char *name, int type, unsigned char **ans,
					 int *len);

/* The TXT records at name, each one's character-strings joined (RFC 7208
 * 3.3, RFC 6376 3.6.2.2), NUL-terminated, in *out (a NULL-terminated
 * vector, g_strfreev()). */
enum auth_dns_status auth_resolver_txt(struct auth_resolver *r, const char *name, char ***out);

#endif
