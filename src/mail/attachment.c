/* attachment.c: see attachment.h. */
#include <pthread.h>
#include <string.h>

#include <magic.h>

#include "mail/attachment.h"
#include "mail/qr.h"
#include "util/alloc.h"
#include "util/log.h"

static pthread_key_t magic_key;
static pthread_once_t magic_once = PTHREAD_ONCE_INIT;

static void close_magic(void *cookie)
{
	magic_close(cookie);
}

static void make_key(void)
{
	pthread_key_create(&magic_key, close_magic);
}

void attachment_init(void)
{
	pthread_once(&magic_once, make_key);
}

void attachment_shutdown(void)
{
	magic_t cookie = pthread_getspecific(magic_key);

	if (cookie) {
		magic_close(cookie);
		pthread_setspecific(magic_key, NULL);
	}
}

static magic_t thread_magic(void)
{
	magic_t cookie;

	pthread_once(&magic_once, make_key);
	cookie = pthread_getspecific(magic_key);
	if (cookie)
		return cookie;
	cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS);
	if (cookie && magic_load(cookie, NULL) != 0) {
		log_warn("cannot load the libmagic database: %s; attachment types are not sniffed",
			 magic_error(cookie));
		magic_close(cookie);
		cookie = NULL;
	}
	pthread_setspecific(magic_key, cookie);
	return cookie;
}

const char *attachment_sniff(const void *data, size_t len)
{
	magic_t cookie = thread_magic();
	const char *type;

	if (!cookie || len == 0)
		return "application/octet-stream";
	type = magic_buffer(cookie, data, len < ATTACHMENT_SNIFF_BYTES ? len : ATTACHMENT_SNIFF_BYTES);
	return type ? type : "application/octet-stream";
}

static void sha256_hex(const guchar *data, size_t len, char hex[65])
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);

	g_checksum_update(sum, data, len);
	g_strlcpy(hex, g_checksum_get_string(sum), 65);
	g_checksum_free(sum);
}

/* Bytes of an HTML or SVG attachment searched for active content. */
#define ACTIVE_SCAN_BYTES (256 * 1024)

static bool web_document(const char *declared, const char *sniffed, const char *filename)
{
	static const char *const types[] = {"text/html", "image/svg+xml", "application/xhtml+xml", NULL};
	const char *dot = filename ? strrchr(filename, '.') : NULL;

	for (int i = 0; types[i]; i++)
		if (strcmp(declared, types[i]) == 0 || strcmp(sniffed, types[i]) == 0)
			return true;
	return dot && (g_ascii_strcasecmp(dot, ".htm") == 0 || g_ascii_strcasecmp(dot, ".html") == 0 ||
		       g_ascii_strcasecmp(dot, ".shtml") == 0 || g_ascii_strcasecmp(dot, ".svg") == 0);
}

/* What makes an attached page or image act on its own when opened: a
 * script, a meta refresh, a scripted redirect or decoder. */
static const char *active_content(const guchar *data, size_t len)
{
	static const char *const markers[] = {
		"<script", "http-equiv=\"refresh\"", "http-equiv=refresh", "http-equiv='refresh'", "window.location",
		"location.href", "location.replace", "document.write", "atob(", "eval(", "onload=", NULL,
	};
	size_t n = len < ACTIVE_SCAN_BYTES ? len : ACTIVE_SCAN_BYTES;
	char *lower = g_ascii_strdown((const char *)data, (gssize)n);
	const char *found = NULL;

	for (int i = 0; markers[i] && !found; i++)
		if (memmem(lower, strlen(lower), markers[i], strlen(markers[i])))
			found = markers[i];
	g_free(lower);
	return found;
}

void attachment_add(struct mail_message *msg, GMimePart *part, const char *declared_type, size_t *cap)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	const char *filename = g_mime_part_get_filename(part);
	GMimeStream *stream = g_mime_stream_mem_new();
	struct mail_attachment *a;
	GByteArray *bytes;

	if (content)
		g_mime_data_wrapper_write_to_stream(content, stream);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));

	msg->attachments = lg_grow(msg->attachments, cap, msg->nattachments + 1, sizeof(*msg->attachments));
	a = &msg->attachments[msg->nattachments++];
	a->filename = arena_strdup(msg->arena, filename ? filename : "");
	a->declared_type = arena_strdup(msg->arena, declared_type);
	a->sniffed_type = arena_strdup(msg->arena, attachment_sniff(bytes->data, bytes->len));
	a->size = bytes->len;
	sha256_hex(bytes->data, bytes->len, a->sha256);
	a->qr_text = qr_is_image_type(a->sniffed_type) ? qr_decode(msg->arena, bytes->data, bytes->len) : NULL;
	a->active = bytes->len && web_document(a->declared_type, a->sniffed_type, filename)
			    ? active_content(bytes->data, bytes->len)
			    : NULL;
	g_object_unref(stream);
}
