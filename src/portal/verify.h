/* verify.h: the checks that prove control of a domain — a DNS TXT record
 * (RFC 1035 TXT, asked of the configured resolver with glibc's res_nquery)
 * and a file on the domain's web server (libcurl GET, no redirects, a few
 * hundred bytes at most). Each returns true when the token is found and
 * otherwise fills why with one sentence for the page. They do network I/O
 * and block the calling request thread for at most a few seconds. */
#ifndef LG_PORTAL_VERIFY_H
#define LG_PORTAL_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#define VERIFY_TXT_PREFIX "leakguard-verification="
#define VERIFY_TIMEOUT 5 /* seconds per network check */

/* A TXT record "leakguard-verification=TOKEN" at _leakguard.DOMAIN or at
 * DOMAIN. resolver: "IP:PORT", or NULL for the system's. */
bool verify_dns(const char *resolver, const char *domain, const char *token, char *why, size_t whylen);

/* The file at url_template ({domain} replaced) holds token (surrounding
 * white space ignored). */
bool verify_web(const char *url_template, const char *domain, const char *token, char *why, size_t whylen);

/* Whether a verification fetch may connect to sa: never to loopback,
 * private, link-local, shared, reserved, documentation, benchmarking,
 * multicast or unspecified addresses, nor to an IPv6 address carrying one
 * of those IPv4 addresses (IPv4-mapped or -compatible, NAT64 64:ff9b::/96,
 * 6to4 2002::/16) or a tunnel's (Teredo), so that naming a domain that
 * resolves inward cannot make the portal probe its own network
 * (server-side request forgery). */
struct sockaddr;
bool verify_web_public(const struct sockaddr *sa);
/* The URL verify_web fetches (g_free). */
char *verify_web_url(const char *url_template, const char *domain);

/* True when a TXT record's text is the token's record (pure; tested). */
bool verify_txt_matches(const char *txt, size_t n, const char *token);

#endif
