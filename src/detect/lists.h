/* lists.h: local lists read from files — blocked domains, IPs and URLs, and
 * the staff list — one entry per line, '#' starts a comment, blank lines are
 * ignored. A NULL path gives an empty list. */
#ifndef LG_DETECT_LISTS_H
#define LG_DETECT_LISTS_H

#include <glib.h>

#include "detect/env.h"
#include "detect/iplist.h"
#include "util/config.h"
#include "util/errbuf.h"

/* Domain set (lower case, trailing dot removed) from a config list. */
GHashTable *lists_domain_set(const struct config_list *l);
/* Each loader returns LG_OK, LG_EIO naming the file, or LG_EPARSE naming
 * file:line. The caller owns the result. */
enum lg_status lists_load_domains(const char *path, GHashTable **out, struct errbuf *err);
enum lg_status lists_load_urls(const char *path, GHashTable **out, struct errbuf *err);
enum lg_status lists_load_ips(const char *path, struct iplist **out, struct errbuf *err);
enum lg_status lists_ip_list(const struct config_list *l, struct iplist **out, struct errbuf *err);
/* Staff file: "Display Name <address>" per line. */
enum lg_status lists_load_staff(const char *path, struct colleague **out, size_t *n, struct errbuf *err);
void lists_free_staff(struct colleague *staff, size_t n);

/* The form URLs are compared in: lower-case host, no scheme, no trailing
 * slash, query kept ("evil.example/login?x=1"). Arena-owned; NULL when url
 * has no host. */
const char *lists_url_key(struct arena *a, const char *url);

/* Case-folds a display name for comparison: lower case, runs of
 * space/punctuation collapsed to one space, trimmed. g_free() the result. */
char *lists_fold_name(const char *name);

#endif
