/* log.h: one logging module for every part of leakguard (as Redis serverLog).
 * Lines go to stderr (never stdout, which carries results) as
 * "leakguard: LEVEL: text". The macros test the level before evaluating their
 * arguments, so a disabled debug line costs one comparison. */
#ifndef LG_LOG_H
#define LG_LOG_H

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

extern enum log_level log_threshold;

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
