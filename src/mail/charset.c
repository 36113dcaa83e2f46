/* charset.c: see charset.h. Conversion is GLib's (iconv underneath) with
 * GMime's table of charset aliases (g_mime_charset_iconv_name). */
#include <iconv.h>
#include <pthread.h>
#include <string.h>

#include "mail/charset.h"

static bool is_utf8_compatible(const char *charset)
{
	return !charset || g_ascii_strcasecmp(charset, "utf-8") == 0 ||
	       g_ascii_strcasecmp(charset, "utf8") == 0 ||
	       g_ascii_strcasecmp(charset, "us-ascii") == 0 ||
	       g_ascii_strcasecmp(charset, "ascii") == 0;
}

/* Converters are kept per thread and per charset: opening and closing one
 * for every part loaded and unloaded a gconv module each time, a tenth of
 * check's time. An iconv_t must not be shared between threads. */
#define CONVERTERS 8

struct converter {
	char name[48];
	iconv_t cd;
};

struct converters {
	struct converter slot[CONVERTERS];
	unsigned next; /* the slot to reuse when all are taken */
};

static pthread_key_t converters_key;
static pthread_once_t converters_once = PTHREAD_ONCE_INIT;

static void close_converters(void *p)
{
	struct converters *c = p;

	for (int i = 0; i < CONVERTERS; i++)
		if (c->slot[i].name[0])
			iconv_close(c->slot[i].cd);
	g_free(c);
}

static void make_converters_key(void)
{
	pthread_key_create(&converters_key, close_converters);
}

/* The thread's converter from charset to UTF-8, or (iconv_t)-1. */
static iconv_t converter(const char *charset)
{
	struct converters *c;
	struct converter *slot;
	iconv_t cd;

	pthread_once(&converters_once, make_converters_key);
	c = pthread_getspecific(converters_key);
	if (!c) {
		c = g_new0(struct converters, 1);
		pthread_setspecific(converters_key, c);
	}
	for (int i = 0; i < CONVERTERS; i++)
		if (c->slot[i].name[0] && g_ascii_strcasecmp(c->slot[i].name, charset) == 0) {
			iconv(c->slot[i].cd, NULL, NULL, NULL, NULL); /* back to the initial state */
			return c->slot[i].cd;
		}
	cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1 || strlen(charset) >= sizeof(slot->name))
		return cd;
	slot = &c->slot[c->next++ % CONVERTERS];
	if (slot->name[0])
		iconv_close(slot->cd);
	g_strlcpy(slot->name, charset, sizeof(slot->name));
	slot->cd = cd;
	return cd;
}

/* Undecodable bytes are skipped by GMime's converter loop. */
static char *iconv_to_utf8(const char *data, size_t n, const char *charset)
{
	iconv_t cd = converter(charset);
	char *out;

	if (cd == (iconv_t)-1)
		return NULL;
	out = g_mime_iconv_strndup(cd, data, n);
	if (strlen(charset) >= sizeof(((struct converter *)0)->name))
		iconv_close(cd); /* too long a name to cache */
	return out;
}

static char *convert(const char *data, size_t n, const char *charset, bool *bad_charset)
{
	char *out = NULL;

	if (n == 0)
		return g_strdup("");
	if (!is_utf8_compatible(charset)) {
		out = iconv_to_utf8(data, n, g_mime_charset_iconv_name(charset));
		if (!out) {
			*bad_charset = true;
			out = iconv_to_utf8(data, n, "WINDOWS-1252");
		}
	}
	if (out && g_utf8_validate(out, -1, NULL))
		return out;
	g_free(out);
	return g_utf8_make_valid(data, (gssize)n);
}

/* Wide charsets have NUL bytes in every other character; others never should. */
static void blank_nuls(GByteArray *bytes, size_t n, const char *charset)
{
	if (charset && (g_ascii_strncasecmp(charset, "utf-16", 6) == 0 ||
			g_ascii_strncasecmp(charset, "utf-32", 6) == 0 ||
			g_ascii_strncasecmp(charset, "ucs", 3) == 0))
		return;
	for (size_t i = 0; i < n; i++)
		if (bytes->data[i] == 0)
			bytes->data[i] = ' ';
}

char *charset_decode_part(GMimeTextPart *part, size_t *len, bool *bad_charset)
{
	GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(part));
	GMimeStream *stream;
	GByteArray *bytes;
	const char *charset;
	char *out;
	size_t n;

	*len = 0;
	if (!content)
		return NULL;
	stream = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(content, stream);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
	n = bytes->len < CHARSET_MAX_INPUT ? bytes->len : CHARSET_MAX_INPUT;
	charset = g_mime_text_part_get_charset(part);
	blank_nuls(bytes, n, charset);
	out = convert((const char *)bytes->data, n, charset, bad_charset);
	g_object_unref(stream);
	*len = strlen(out);
	return out;
}
