/* ascii.h: locale-free ASCII case and hex-digit helpers for parsers of
 * mail, HTML, URLs and HTTP requests, whose keywords are ASCII whatever
 * the text around them. */
#ifndef LG_UTIL_ASCII_H
#define LG_UTIL_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static inline unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The value of a hex digit (either case), -1 for any other byte. */
static inline int ascii_hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The n bytes at s equal lower (lowercase already) but for ASCII case. */
static inline bool ascii_same_ci(const char *s, const char *lower, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower((unsigned char)s[i]) != (unsigned char)lower[i])
			return false;
	return true;
}

/* The string s starts with lower_prefix but for ASCII case. */
static inline bool ascii_starts_ci(const char *s, const char *lower_prefix)
{
	size_t n = strlen(lower_prefix);

	return strnlen(s, n) == n && ascii_same_ci(s, lower_prefix, n);
}

#endif
