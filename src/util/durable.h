/* durable.h: writing a file so that readers see either the old one or the
 * whole new one, never half: write a temporary beside it, fsync, rename
 * (POSIX rename(2) is atomic within a file system). Used for every derived
 * file leakguard maps: index segments, range files, model snapshots. */
#ifndef LG_DURABLE_H
#define LG_DURABLE_H

#include <stddef.h>

#include "util/errbuf.h"

/* Writes head (head_len bytes) then body (body_len bytes; body may be NULL
 * when body_len is 0) to path via path.tmp. Returns LG_OK, LG_ELIMIT for a
 * path too long, or LG_EIO naming the file and the failing step; the
 * temporary is removed on failure. */
enum lg_status durable_write(const char *path, const void *head, size_t head_len, const void *body,
			     size_t body_len, struct errbuf *err);

#endif
