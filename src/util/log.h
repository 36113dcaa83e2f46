/* log.h: one logging module for every part of leakguard (as Redis serverLog).
 * Lines go to stderr (never stdout, which carries results), one per event,
 * in one of two formats ([general] log_format):
 *   text  "leakguard: LEVEL: text"
 *   json  one JSON object per line (RFC 8259), for log shippers:
 *         {"time":"2026-12-04T19:20:00.123Z","level":"info","program":"leakguard",
 *          "module":"milter","msg":"TEXT", KEY:VALUE...}
 *         with the same content as the text line: msg is the text after its
 *         "module: " prefix, and every KEY=VALUE word in it (the milter's
 *         per-message from=, verdict=, score=, action=, signals=, ms=) is also
 *         a field of its own, a number when VALUE is one. Bytes that are not
 *         UTF-8 are written as \u00XX, so every line is valid JSON.
 * The macros test the level before evaluating their arguments, so a disabled
 * debug line costs one comparison. */
#ifndef LG_LOG_H
#define LG_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

extern enum log_level log_threshold;

/* Selects the format by name, "text" or "json"; returns false (and changes
 * nothing) for any other name. NULL selects text. */
bool log_set_format(const char *name);

void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define LOG_AT(level, ...) \
	do { \
		if ((level) <= log_threshold) \
			log_write((level), __VA_ARGS__); \
	} while (0)
#define log_error(...) LOG_AT(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) LOG_AT(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) LOG_AT(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) LOG_AT(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
