/* errbuf.h: a fixed-size buffer for one human sentence explaining a failure.
 * Functions that can fail take `struct errbuf *err` (may be NULL) and fill it
 * with errbuf_set() just before returning a non-zero status. */
#ifndef LG_ERRBUF_H
#define LG_ERRBUF_H

#include "util/status.h"

struct errbuf {
	char msg[512];
};

/* Formats a message into err (no-op when err is NULL) and returns rc, so a
 * failure path reads `return errbuf_set(err, LG_EIO, "read %s: %s", ...)`. */
enum lg_status errbuf_set(struct errbuf *err, enum lg_status rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
