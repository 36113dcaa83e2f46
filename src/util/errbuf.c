/* errbuf.c: see errbuf.h. */
#include <stdarg.h>
#include <stdio.h>

#include "util/errbuf.h"

enum lg_status errbuf_set(struct errbuf *err, enum lg_status rc, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return rc;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return rc;
}
