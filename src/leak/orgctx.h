/* orgctx.h: building an organisation's leak context (context/store.h) from
 * the leak index: every file that holds an entry of the organisation's
 * domains is read again (as lookup re-reads a place), and from it come
 *   partners  the other organisations in leaked mail the organisation took
 *             part in (From/To/Cc/Reply-To), and in leaked documents that
 *             name at most LEAK_CTX_DOC_PARTNERS outside domains (a longer
 *             list is a directory, not correspondence); free-mail excluded
 *   items     anchored business identifiers and project names (context/
 *             extract.h) in those messages and documents, the titles of
 *             leaked documents and of files attached to leaked mail
 *   people    the organisation's own addresses found there
 * Only keyed hashes of items and people reach the store; the text read is
 * dropped file by file. */
#ifndef LG_LEAK_ORGCTX_H
#define LG_LEAK_ORGCTX_H

#include <stddef.h>
#include <stdint.h>

#include "context/extract.h"
#include "store/store.h"
#include "util/errbuf.h"

#define LEAK_CTX_DOC_PARTNERS 20 /* outside domains a document may name and still show partners */
#define LEAK_CTX_MAX_FILES 1000000

struct leak_ctx_stats {
	uint64_t files, unreadable, messages, documents;
	uint64_t partners, items, people; /* as written */
};

struct leak_ctx_hooks {
	/* a file that could not be read again */
	void (*warn)(void *ctx, const char *path, const char *why);
	void *ctx;
};

/* Builds the context of the organisation with domains orgs[0..norgs) from
 * the leak index in s and writes it beside the store at db_path
 * (DB.context), replacing any earlier one. freemail[0..nfree) are never
 * partners. LG_ENOTFOUND when no leak was ingested; LG_EIO on a write
 * failure; unreadable files are reported through hooks and counted. */
enum lg_status leak_context_build(struct store *s, const char *db_path, const char *const *orgs, size_t norgs,
				  const char *const *freemail, size_t nfree, const struct leak_ctx_hooks *hooks,
				  struct leak_ctx_stats *st, struct errbuf *err);

#endif
