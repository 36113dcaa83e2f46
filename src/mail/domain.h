/* domain.h: what a domain name really is — its registrable part (Public
 * Suffix List via libpsl), its Unicode form (IDNA 2008 via libidn2), and
 * whether one domain is inside another. Pure functions, thread-safe. */
#ifndef LG_MAIL_DOMAIN_H
#define LG_MAIL_DOMAIN_H

#include <stdbool.h>

#include <glib.h>

#include "util/arena.h"

/* Returns the registrable domain ("example.co.uk" for "a.b.example.co.uk"),
 * lower case, in ASCII (punycode) form; NULL for an IP literal, a bare
 * public suffix or an empty name. Unicode input is converted to ASCII. */
const char *domain_registrable(struct arena *a, const char *host);

/* Returns the public suffix of host ("co.uk"), or NULL. */
const char *domain_suffix(struct arena *a, const char *host);

/* Returns host in Unicode (xn-- labels decoded); host itself when it has
 * none or cannot be decoded. */
const char *domain_to_unicode(struct arena *a, const char *host);

/* Returns host in ASCII (labels punycode-encoded, lower case); NULL when it
 * is not a valid IDN. */
const char *domain_to_ascii(struct arena *a, const char *host);

/* True when host equals parent or ends with "." parent (case-insensitive). */
bool domain_within(const char *host, const char *parent);

/* The entry of set (string keys, lower case) that domain equals or lies
 * below ("b.example" for "a.b.example"), or NULL. Borrowed from domain. */
const char *domain_in_set(GHashTable *set, const char *domain);

/* True when host is an IPv4 or IPv6 literal (with or without brackets). */
bool domain_is_ip(const char *host);

#endif
