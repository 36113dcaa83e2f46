/* mailbox.h: every message under a path — one .eml file, an mbox file
 * (messages split on "From " lines, RFC 4155), a Maildir (cur/ and new/), a
 * directory tree of any of these, or "-" for standard input. This is the
 * I/O edge of the mail module: it reads files and hands bytes to a callback. */
#ifndef LG_MAIL_MAILBOX_H
#define LG_MAIL_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "util/errbuf.h"

struct mailbox_visitor {
	/* One message: label names it ("dir/file", "box.mbox#3"); raw is
	 * borrowed until the call returns. Return false to stop the walk. */
	bool (*message)(void *ctx, const char *label, const char *raw, size_t len);
	/* Something under the path could not be read; the walk goes on. */
	void (*error)(void *ctx, const char *label, const char *why);
	void *ctx;
};

/* Walks path, calling v for each message and each unreadable entry, in a
 * stable order (names sorted). Entries starting with '.' inside a directory
 * are skipped (Maildir++ subfolders, editor files). Returns LG_OK, or
 * LG_ENOTFOUND / LG_EIO with err naming path when path itself cannot be read. */
enum lg_status mailbox_walk(const char *path, const struct mailbox_visitor *v, struct errbuf *err);

#endif
