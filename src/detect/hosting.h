/* hosting.h: the list of services where anyone can publish a page or send
 * mail (data/hosting.tsv: SUFFIX <TAB> description, e.g.
 * "blob.core.windows.net	a page stored on a public Azure storage account"),
 * looked up by host or any parent of it. Read-only once loaded. */
#ifndef LG_DETECT_HOSTING_H
#define LG_DETECT_HOSTING_H

#include <stdbool.h>
#include <stddef.h>

#include "util/errbuf.h"

struct hosting_list;

/* Reads path. Returns LG_OK and the list (caller frees with hosting_free),
 * LG_EIO naming the file or LG_EPARSE naming file:line. */
enum lg_status hosting_load(const char *path, struct hosting_list **out, struct errbuf *err);
void hosting_free(struct hosting_list **h);

/* The description of the service host is on (host or a parent of it is
 * listed), borrowed from h, or NULL. *page_alone (may be NULL) is set when
 * the entry is marked "page": public storage, where a web page is a sign
 * by itself. */
const char *hosting_lookup(const struct hosting_list *h, const char *host, bool *page_alone);
size_t hosting_count(const struct hosting_list *h);

#endif
