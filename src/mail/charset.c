/* charset.c: see charset.h. Conversion is GLib's (iconv underneath) with
 * GMime's table of charset aliases (g_mime_charset_iconv_name). */
#include <string.h>

#include "mail/charset.h"

static bool is_utf8_compatible(const char *charset)
{
	return !charset || g_ascii_strcasecmp(charset, "utf-8") == 0 ||
	       g_ascii_strcasecmp(charset, "utf8") == 0 ||
	       g_ascii_strcasecmp(charset, "us-ascii") == 0 ||
	       g_ascii_strcasecmp(charset, "ascii") == 0;
}

static char *convert(const char *data, size_t n, const char *charset, bool *bad_charset)
{
	gsize out_len = 0;
	char *out = NULL;

	if (n == 0)
		return g_strdup("");
	if (!is_utf8_compatible(charset)) {
		const char *name = g_mime_charset_iconv_name(charset);

		out = g_convert_with_fallback(data, (gssize)n, "UTF-8", name, "\xef\xbf\xbd", NULL, &out_len, NULL);
		if (!out) {
			*bad_charset = true;
			out = g_convert_with_fallback(data, (gssize)n, "UTF-8", "WINDOWS-1252", "?", NULL, &out_len, NULL);
		}
	}
	if (out && g_utf8_validate(out, (gssize)out_len, NULL))
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
