/* attachment.h: records one non-body MIME part as a struct mail_attachment:
 * its name, declared type, the type its bytes really have (libmagic), its
 * decoded size and SHA-256. Used by message.c while walking the MIME tree. */
#ifndef LG_MAIL_ATTACHMENT_H
#define LG_MAIL_ATTACHMENT_H

#include <gmime/gmime.h>

#include "mail/message.h"

/* Bytes of content handed to libmagic: type signatures sit at the start. */
#define ATTACHMENT_SNIFF_BYTES (64 * 1024)

/* Process-wide set-up and release of libmagic (called by mail_init and
 * mail_shutdown). Each thread loads its own magic database on first use,
 * because a libmagic handle must not be shared between threads. */
void attachment_init(void);
void attachment_shutdown(void);

/* Appends part to msg->attachments (heap array grown with lg_grow; *cap is
 * its capacity). declared_type is lower-case "type/subtype". */
void attachment_add(struct mail_message *msg, GMimePart *part, const char *declared_type, size_t *cap);

/* Returns the MIME type libmagic sees in len bytes ("application/x-dosexec"),
 * "application/octet-stream" when unknown. The string is static or owned by
 * the thread's magic handle until its next call. */
const char *attachment_sniff(const void *data, size_t len);

#endif
