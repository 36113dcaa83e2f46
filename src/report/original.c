/* original.c: see original.h. */
#include <string.h>

#include <gmime/gmime.h>

#include "report/original.h"

/* The first message/rfc822 part, depth first. */
static GMimeMessage *attached(GMimeObject *obj, int depth)
{
	if (!obj || depth > 8)
		return NULL;
	if (GMIME_IS_MESSAGE_PART(obj))
		return g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);

		for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
			GMimeMessage *m = attached(g_mime_multipart_get_part(mp, i), depth + 1);

			if (m)
				return m;
		}
	}
	return NULL;
}

static bool attached_original(GMimeMessage *report, char **out, size_t *len)
{
	GMimeMessage *orig = attached(g_mime_message_get_mime_part(report), 0);
	GMimeStream *mem;
	GByteArray *bytes;

	if (!orig)
		return false;
	mem = g_mime_stream_mem_new();
	g_mime_object_write_to_stream(GMIME_OBJECT(orig), NULL, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	*out = g_strndup((const char *)bytes->data, bytes->len);
	*len = bytes->len;
	g_object_unref(mem);
	return *len > 0;
}

static const char *const markers[] = {
	"---------- Forwarded message ---------", "-----Original Message-----",
	"Begin forwarded message:", "-------- Forwarded Message --------", NULL,
};

/* Below an inline marker: header lines ("From: x", "Subject: y") up to
 * the first empty line, then the body; rebuilt as a message. */
static bool inline_original(const char *text, char **out, size_t *len)
{
	const char *at = NULL, *p;
	GString *s;

	for (int i = 0; markers[i] && !at; i++) {
		at = strstr(text, markers[i]);
		if (at)
			at += strlen(markers[i]);
	}
	if (!at)
		return false;
	while (*at == '\r' || *at == '\n' || *at == ' ')
		at++;
	if (strncmp(at, "From:", 5) != 0)
		return false;
	s = g_string_new(NULL);
	for (p = at; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		if (n == 0) {
			p = nl ? nl + 1 : p + strlen(p);
			break;
		}
		g_string_append_len(s, p, (gssize)n);
		g_string_append_c(s, '\n');
		p = nl ? nl + 1 : p + strlen(p);
	}
	g_string_append_c(s, '\n');
	g_string_append(s, p);
	*len = s->len;
	*out = g_string_free(s, FALSE);
	return true;
}

bool report_find_original(const char *raw, size_t len, char **out, size_t *len_out)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	bool found = false;

	if (msg) {
		found = attached_original(msg, out, len_out);
		if (!found) {
			GMimeObject *body = g_mime_message_get_body(msg);
			char *text = body && GMIME_IS_TEXT_PART(body) ? g_mime_text_part_get_text(GMIME_TEXT_PART(body)) : NULL;

			found = text && inline_original(text, out, len_out);
			g_free(text);
		}
		g_object_unref(msg);
	}
	g_object_unref(parser);
	g_object_unref(stream);
	return found;
}
