/* log.c: see log.h. JSON lines follow RFC 8259; times are RFC 3339 UTC. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "util/buf.h"
#include "util/log.h"

enum log_level log_threshold = LOG_LEVEL_WARN;
static enum log_format format = LOG_FORMAT_TEXT;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

bool log_set_format(const char *name)
{
	if (!name || strcmp(name, "text") == 0)
		format = LOG_FORMAT_TEXT;
	else if (strcmp(name, "json") == 0)
		format = LOG_FORMAT_JSON;
	else
		return false;
	return true;
}

/* A JSON string's contents: quotes, backslashes and controls escaped, UTF-8
 * copied, any other byte as \u00XX. */
static void json_chars(struct buf *b, const char *s, size_t n)
{
	const char *end = s + n;

	while (s < end) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
			s++;
		} else if (c == '\n') {
			buf_append(b, "\\n", 2);
			s++;
		} else if (c == '\t') {
			buf_append(b, "\\t", 2);
			s++;
		} else if (c < 0x20 || c == 0x7f) {
			buf_appendf(b, "\\u%04x", c);
			s++;
		} else if (c < 0x80) {
			buf_putc(b, (char)c);
			s++;
		} else {
			gunichar u = g_utf8_get_char_validated(s, end - s);

			if (u == (gunichar)-1 || u == (gunichar)-2) {
				buf_appendf(b, "\\u%04x", c);
				s++;
			} else {
				const char *next = g_utf8_next_char(s);

				buf_append(b, s, (size_t)(next - s));
				s = next;
			}
		}
	}
}

static void json_string(struct buf *b, const char *s, size_t n)
{
	buf_putc(b, '"');
	json_chars(b, s, n);
	buf_putc(b, '"');
}

/* A JSON number exactly as written: -?digits[.digits] (no leading zeros
 * but "0" itself, as RFC 8259 section 6 wants). */
static bool is_number(const char *s, size_t n)
{
	size_t i = 0, digits;

	if (i < n && s[i] == '-')
		i++;
	digits = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == digits || (s[digits] == '0' && i - digits > 1))
		return false;
	if (i < n && s[i] == '.') {
		size_t frac = ++i;

		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == frac)
			return false;
	}
	return i == n;
}

static bool reserved(const char *k, size_t n)
{
	static const char *const names[] = {"time", "level", "program", "module", "msg"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && memcmp(names[i], k, n) == 0)
			return true;
	return false;
}

/* Every word KEY=VALUE of text, KEY [a-z_]+, as a field; the first of a
 * repeated key wins (a JSON object's names should be unique). */
static void json_fields(struct buf *b, const char *text)
{
	char seen[16][32];
	size_t nseen = 0;

	for (const char *w = text; *w;) {
		const char *end = w, *eq;
		size_t klen;
		bool dup = false;

		while (*end && *end != ' ')
			end++;
		for (eq = w; eq < end && ((*eq >= 'a' && *eq <= 'z') || *eq == '_'); eq++)
			;
		klen = (size_t)(eq - w);
		if (eq < end && *eq == '=' && klen > 0 && klen < sizeof(seen[0]) && !reserved(w, klen)) {
			for (size_t i = 0; i < nseen; i++)
				dup = dup || (strlen(seen[i]) == klen && memcmp(seen[i], w, klen) == 0);
			if (!dup && nseen < sizeof(seen) / sizeof(seen[0])) {
				const char *v = eq + 1;
				size_t vlen = (size_t)(end - v);

				memcpy(seen[nseen], w, klen);
				seen[nseen++][klen] = '\0';
				buf_putc(b, ',');
				json_string(b, w, klen);
				buf_putc(b, ':');
				if (is_number(v, vlen))
					buf_append(b, v, vlen);
				else
					json_string(b, v, vlen);
			}
		}
		w = *end ? end + 1 : end;
	}
}

static void json_line(struct buf *b, enum log_level level, const char *text)
{
	struct timespec ts;
	struct tm tm;
	char when[32];
	const char *colon = strstr(text, ": ");
	const char *msg = text;
	size_t i;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_appendf(b, "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\",\"program\":\"leakguard\"", when,
		    ts.tv_nsec / 1000000, level_names[level]);
	/* "milter: ..." names its module: a lowercase word before ": " */
	for (i = 0; colon && text + i < colon; i++)
		if (!((text[i] >= 'a' && text[i] <= 'z') || text[i] == '_'))
			break;
	if (colon && i > 0 && text + i == colon) {
		buf_append(b, ",\"module\":", 10);
		json_string(b, text, i);
		msg = colon + 2;
	}
	buf_append(b, ",\"msg\":", 7);
	json_string(b, msg, strlen(msg));
	json_fields(b, msg);
	buf_append(b, "}\n", 2);
}

void log_write(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line so concurrent writers do not interleave mid-line. */
	if (format == LOG_FORMAT_JSON) {
		struct buf b;

		buf_init(&b);
		json_line(&b, level, line);
		fwrite(b.data, 1, b.len, stderr);
		buf_cleanup(&b);
	} else {
		fprintf(stderr, "leakguard: %s: %s\n", level_names[level], line);
	}
}
