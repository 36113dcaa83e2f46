/* notice.h: the words of the warning banner. From a verdict it writes, in
 * plain text and in HTML, what kind of mail this seems to be, the signs
 * found (each signal's own sentence, defanged so nothing in it is a live
 * link or domain), what not to do, and how to report the message. Pure: no
 * I/O; everything lives in the caller's arena. */
#ifndef LG_MILTER_NOTICE_H
#define LG_MILTER_NOTICE_H

#include "detect/engine.h"
#include "milter/banner.h"
#include "util/arena.h"

#define NOTICE_MAX_SIGNS 5       /* signs listed; the strongest first */
#define NOTICE_MAX_REASON 160    /* bytes of one sign's sentence shown */
#define NOTICE_WIDTH 72          /* plain-text lines wrap here */

/* Fills out->text and out->html (arena-owned, UTF-8, lines separated by
 * '\n') for verdict v. report_address may be NULL: the banner then tells
 * the reader to ask their IT or security team. Signals that only explain
 * (class INFO) or lower the score are not listed. */
void notice_build(struct arena *a, const struct verdict *v, const char *report_address, struct banner *out);

#endif
