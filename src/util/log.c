/* log.c: see log.h. */
#include <stdarg.h>
#include <stdio.h>

#include "util/log.h"

enum log_level log_threshold = LOG_LEVEL_WARN;

void log_write(enum log_level level, const char *fmt, ...)
{
	static const char *names[] = {"error", "warning", "info", "debug"};
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fputs per line so concurrent writers do not interleave mid-line. */
	fprintf(stderr, "leakguard: %s: %s\n", names[level], line);
}
