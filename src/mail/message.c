/* message.c: raw bytes to struct mail_message (message.h), with GMime 3 doing
 * RFC 5322 / MIME (RFC 2045-2049) and RFC 2047 decoding.
 *
 * GMime builds the MIME tree; we walk it once, bounded by MAIL_MAX_DEPTH and
 * MAIL_MAX_PARTS, turning text parts into UTF-8, HTML parts into visible text
 * and links (html.c), and everything else into attachment records. Parser
 * warnings become defects instead of errors, so bad mail is still scored. */
#include <ctype.h>
#include <string.h>

#include <gmime/gmime.h>

#include "mail/attachment.h"
#include "mail/charset.h"
#include "mail/html.h"
#include "mail/message.h"
#include "mail/url.h"
#include "util/alloc.h"
#include "util/buf.h"

struct walk {
	struct mail_message *msg;
	struct buf text, html_text;
	GHashTable *seen_urls; /* url -> 1, so each link is kept once */
	size_t links_cap, attachments_cap, parts;
};

void mail_init(void)
{
	g_mime_init();
	attachment_init();
}

void mail_shutdown(void)
{
	attachment_shutdown();
	g_mime_shutdown();
}

static void add_defect(struct mail_message *msg, enum mail_defect d, const char *sentence)
{
	if (msg->defects & d)
		return;
	msg->defects |= d;
	msg->defect_text = *msg->defect_text
		? arena_printf(msg->arena, "%s %s", msg->defect_text, sentence)
		: arena_strdup(msg->arena, sentence);
}

static void on_parser_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer data)
{
	struct mail_message *msg = data;

	switch (code) {
	case GMIME_CRIT_NESTING_OVERFLOW:
		add_defect(msg, MAIL_DEFECT_TOO_DEEP, "MIME parts are nested too deeply; the innermost were not read.");
		break;
	case GMIME_WARN_MALFORMED_MULTIPART:
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
	case GMIME_WARN_PART_WITHOUT_CONTENT:
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		add_defect(msg, MAIL_DEFECT_BROKEN_MULTIPART, "A multipart section has broken or missing boundaries.");
		break;
	case GMIME_WARN_TRUNCATED_MESSAGE:
	case GMIME_WARN_MALFORMED_MESSAGE:
	case GMIME_CRIT_INVALID_HEADER_NAME:
		add_defect(msg, MAIL_DEFECT_BROKEN_MULTIPART, "The message is truncated or malformed.");
		break;
	default:
		break; /* duplicated headers, 8-bit headers...: common and harmless */
	}
}

/* ---- links ---------------------------------------------------------- */

static void add_link(struct walk *w, const char *url, size_t len, const char *text,
		     enum mail_link_origin origin)
{
	struct mail_message *msg = w->msg;
	char *copy;

	if (msg->nlinks >= MAIL_MAX_LINKS) {
		add_defect(msg, MAIL_DEFECT_TOO_MANY_LINKS, "The message has too many links; only the first were checked.");
		return;
	}
	copy = arena_strndup(msg->arena, url, len);
	if (origin != MAIL_LINK_HTML_A && g_hash_table_contains(w->seen_urls, copy))
		return;
	g_hash_table_add(w->seen_urls, copy);
	msg->links = lg_grow(msg->links, &w->links_cap, msg->nlinks + 1, sizeof(*msg->links));
	msg->links[msg->nlinks++] = (struct mail_link){copy, text, origin};
}

static bool on_text_url(void *ctx, const char *url, size_t len)
{
	add_link(ctx, url, len, NULL, MAIL_LINK_TEXT);
	return true;
}

/* ---- text and HTML parts --------------------------------------------- */

/* Appends one body to b, a newline between bodies; false when cut short. */
static bool body_append(struct buf *b, const char *s, size_t n)
{
	if (b->len && b->len < MAIL_MAX_TEXT)
		buf_putc(b, '\n');
	return buf_append_max(b, s, n, MAIL_MAX_TEXT);
}

static const char *body_finish(struct buf *b, struct arena *a, size_t *len)
{
	const char *s = arena_strndup(a, b->data ? b->data : "", b->len);

	*len = b->len;
	buf_cleanup(b);
	return s;
}

/* Bytes that are not MIME at all, as valid UTF-8 text without NULs. */
static void raw_as_text(struct buf *b, const char *raw, size_t len)
{
	size_t n = len < MAIL_MAX_TEXT ? len : MAIL_MAX_TEXT;
	char *copy = lg_strndup(raw, n);
	gchar *valid;

	for (size_t i = 0; i < n; i++)
		if (copy[i] == '\0')
			copy[i] = ' ';
	valid = g_utf8_make_valid(copy, (gssize)n);
	buf_append(b, valid, strlen(valid));
	g_free(valid);
	lg_free(copy);
}

static void add_text_part(struct walk *w, GMimeTextPart *part, bool html)
{
	struct mail_message *msg = w->msg;
	bool bad_charset = false;
	size_t len;
	char *utf8 = charset_decode_part(part, &len, &bad_charset);

	if (bad_charset)
		add_defect(msg, MAIL_DEFECT_BAD_CHARSET, "A part declares an unknown character set; it was read as best as possible.");
	if (!utf8)
		return;
	if (html) {
		struct html_result r;
		size_t room = MAIL_MAX_TEXT - w->html_text.len;

		msg->has_html = true;
		html_extract(msg->arena, utf8, len, room, &r);
		body_append(&w->html_text, r.text, r.text_len);
		for (size_t i = 0; i < r.nlinks; i++)
			add_link(w, r.links[i].url, strlen(r.links[i].url), r.links[i].text, r.links[i].origin);
		msg->has_form |= r.has_form;
		msg->has_password_field |= r.has_password_field;
		url_extract(r.text, r.text_len, on_text_url, w);
		if (r.truncated)
			add_defect(msg, MAIL_DEFECT_TEXT_TRUNCATED, "The message text is very long; only the beginning was checked.");
	} else {
		if (!body_append(&w->text, utf8, len))
			add_defect(msg, MAIL_DEFECT_TEXT_TRUNCATED, "The message text is very long; only the beginning was checked.");
		url_extract(utf8, len < MAIL_MAX_TEXT ? len : MAIL_MAX_TEXT, on_text_url, w);
	}
	g_free(utf8);
}

/* The words of a calendar invitation (RFC 5545): SUMMARY, DESCRIPTION,
 * LOCATION, URL and X-ALT-DESC values, lines unfolded (3.1) and text
 * unescaped (3.3.11), joined to the plain text so lures and links in an
 * .ics are read like a body. */
static void add_calendar_text(struct walk *w, GMimeTextPart *part)
{
	static const char *const props[] = {"SUMMARY", "DESCRIPTION", "LOCATION", "URL", "X-ALT-DESC", NULL};
	bool bad_charset = false;
	size_t len;
	char *ics = charset_decode_part(part, &len, &bad_charset);
	GString *unfolded, *out;
	char **lines;

	if (!ics)
		return;
	unfolded = g_string_sized_new(len);
	for (size_t i = 0; i < len; i++) {
		if (ics[i] == '\r')
			continue;
		if (ics[i] == '\n' && i + 1 < len && (ics[i + 1] == ' ' || ics[i + 1] == '\t')) {
			i++;
			continue;
		}
		g_string_append_c(unfolded, ics[i]);
	}
	out = g_string_new(NULL);
	lines = g_strsplit(unfolded->str, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		const char *colon = strchr(lines[i], ':');

		for (int k = 0; colon && props[k]; k++) {
			size_t pn = strlen(props[k]);

			if (g_ascii_strncasecmp(lines[i], props[k], pn) != 0 || (lines[i][pn] != ':' && lines[i][pn] != ';'))
				continue;
			for (const char *s = colon + 1; *s; s++) {
				if (*s == '\\' && s[1]) {
					s++;
					g_string_append_c(out, (*s == 'n' || *s == 'N') ? '\n' : *s);
				} else {
					g_string_append_c(out, *s);
				}
			}
			g_string_append_c(out, '\n');
			break;
		}
	}
	if (out->len) {
		body_append(&w->text, out->str, out->len);
		url_extract(out->str, out->len, on_text_url, w);
	}
	g_strfreev(lines);
	g_string_free(out, TRUE);
	g_string_free(unfolded, TRUE);
	g_free(ics);
}

/* ---- the MIME tree ---------------------------------------------------- */

static bool is_body_text(GMimeObject *obj, const char *type)
{
	const char *disposition = g_mime_object_get_disposition(obj);
	const char *filename = g_mime_part_get_filename(GMIME_PART(obj));

	if (strcmp(type, "text/plain") != 0 && strcmp(type, "text/html") != 0)
		return false;
	if (disposition && g_ascii_strcasecmp(disposition, "attachment") == 0)
		return false;
	/* An inline text/html part with a file name is an attachment a phisher
	 * wants opened in a browser; a plain text one is just a body. */
	return !filename || strcmp(type, "text/plain") == 0;
}

static void walk_part(struct walk *w, GMimeObject *obj, int depth);

/* GMime decodes base64 leniently, skipping what is not base64; a part that
 * holds anything else was damaged or built to confuse filters. */
static bool base64_is_clean(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *raw = content ? g_mime_data_wrapper_get_stream(content) : NULL;
	char chunk[16384];
	ssize_t n;
	bool clean = true;

	if (!raw || g_mime_data_wrapper_get_encoding(content) != GMIME_CONTENT_ENCODING_BASE64)
		return true;
	g_mime_stream_reset(raw);
	for (n = g_mime_stream_read(raw, chunk, sizeof(chunk)); clean && n > 0;
	     n = g_mime_stream_read(raw, chunk, sizeof(chunk)))
		for (ssize_t i = 0; i < n && clean; i++)
			clean = g_ascii_isalnum(chunk[i]) || memchr("+/=\r\n\t ", chunk[i], 7);
	g_mime_stream_reset(raw);
	return clean;
}

/* An attachment, and the link its QR code carries (quishing): judged like
 * any other link. */
static void add_attachment(struct walk *w, GMimePart *part, const char *type)
{
	const char *qr;

	attachment_add(w->msg, part, type, &w->attachments_cap);
	qr = w->msg->attachments[w->msg->nattachments - 1].qr_text;
	if (qr && (g_ascii_strncasecmp(qr, "http://", 7) == 0 || g_ascii_strncasecmp(qr, "https://", 8) == 0))
		add_link(w, qr, strlen(qr), "QR code", MAIL_LINK_QR);
}

static void walk_leaf(struct walk *w, GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *type = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("text/plain");

	for (char *p = type; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!base64_is_clean(GMIME_PART(obj)))
		add_defect(w->msg, MAIL_DEFECT_BAD_ENCODING, "A part's base64 encoding is damaged; it was decoded as far as possible.");
	if (GMIME_IS_TEXT_PART(obj) && is_body_text(obj, type))
		add_text_part(w, GMIME_TEXT_PART(obj), strcmp(type, "text/html") == 0);
	else
		add_attachment(w, GMIME_PART(obj), type);
	if (GMIME_IS_TEXT_PART(obj) && strcmp(type, "text/calendar") == 0)
		add_calendar_text(w, GMIME_TEXT_PART(obj));
	g_free(type);
}

static void walk_part(struct walk *w, GMimeObject *obj, int depth)
{
	if (!obj)
		return;
	if (depth > MAIL_MAX_DEPTH) {
		add_defect(w->msg, MAIL_DEFECT_TOO_DEEP, "MIME parts are nested too deeply; the innermost were not read.");
		return;
	}
	if (++w->parts > MAIL_MAX_PARTS) {
		add_defect(w->msg, MAIL_DEFECT_TOO_MANY_PARTS, "The message has too many parts; only the first were read.");
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);

		for (int i = 0; i < n; i++)
			walk_part(w, g_mime_multipart_get_part(mp, i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (inner)
			walk_part(w, g_mime_message_get_mime_part(inner), depth + 1);
	} else if (GMIME_IS_PART(obj)) {
		walk_leaf(w, obj);
	}
}

/* ---- headers and addresses ------------------------------------------- */

static const char *lower_dup(struct arena *a, const char *s)
{
	char *d = arena_strdup(a, s ? s : "");

	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* Fills out[0..max) from the mailboxes in list (groups skipped); returns how many. */
static size_t take_addresses(struct arena *a, InternetAddressList *list, struct mail_address *out, size_t max)
{
	int n = list ? internet_address_list_length(list) : 0;
	size_t k = 0;

	for (int i = 0; i < n && k < max; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		const char *addr, *at, *name;
		struct mail_address *o = &out[k];

		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
		name = internet_address_get_name(ia);
		o->display = arena_strdup(a, name ? name : "");
		o->addr = lower_dup(a, addr);
		at = strrchr(o->addr, '@');
		o->local = at ? arena_strndup(a, o->addr, (size_t)(at - o->addr)) : o->addr;
		o->domain = at ? at + 1 : "";
		k++;
	}
	return k;
}

/* Fills *out from the first mailbox in list; returns false when none. */
static bool take_address(struct arena *a, InternetAddressList *list, struct mail_address *out)
{
	if (take_addresses(a, list, out, 1))
		return true;
	*out = (struct mail_address){"", "", "", ""};
	return false;
}

size_t mail_address_list(struct arena *a, const char *value, struct mail_address *out, size_t max)
{
	InternetAddressList *list = value ? internet_address_list_parse(NULL, value) : NULL;
	size_t n = take_addresses(a, list, out, max);

	if (list)
		g_object_unref(list);
	return n;
}

static bool parse_address_header(struct mail_message *msg, GMimeParserOptions *opts,
				 const char *name, struct mail_address *out)
{
	const char *value = mail_header_get(msg, name);
	InternetAddressList *list;
	bool ok;

	if (!value) {
		*out = (struct mail_address){"", "", "", ""};
		return false;
	}
	list = internet_address_list_parse(opts, value);
	ok = take_address(msg->arena, list, out);
	if (list)
		g_object_unref(list);
	return ok;
}

static void copy_headers(struct mail_message *msg, GMimeObject *top)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(top);
	int n = g_mime_header_list_get_count(hl);

	if (n > MAIL_MAX_HEADERS)
		n = MAIL_MAX_HEADERS;
	msg->headers = arena_alloc(msg->arena, (size_t)(n ? n : 1) * sizeof(*msg->headers));
	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *value = g_mime_header_get_value(h);

		msg->headers[i].name = arena_strdup(msg->arena, g_mime_header_get_name(h));
		msg->headers[i].value = arena_strdup(msg->arena, value ? value : "");
	}
	msg->nheaders = (size_t)n;
}

static void read_envelope(struct mail_message *msg, GMimeMessage *gm, GMimeParserOptions *opts)
{
	const char *subject = g_mime_message_get_subject(gm);
	const char *id = g_mime_message_get_message_id(gm);

	copy_headers(msg, GMIME_OBJECT(gm));
	msg->subject = arena_strdup(msg->arena, subject ? subject : "");
	msg->message_id = arena_strdup(msg->arena, id ? id : "");
	msg->has_from = take_address(msg->arena, g_mime_message_get_from(gm), &msg->from);
	if (!msg->has_from && mail_header_get(msg, "From"))
		add_defect(msg, MAIL_DEFECT_BAD_ADDRESS, "The From address could not be read.");
	msg->has_reply_to = take_address(msg->arena, g_mime_message_get_reply_to(gm), &msg->reply_to);
	msg->has_sender = take_address(msg->arena, g_mime_message_get_sender(gm), &msg->sender);
	msg->has_return_path = parse_address_header(msg, opts, "Return-Path", &msg->return_path);
}

/* ---- entry points ------------------------------------------------------ */

static struct mail_message *message_new(size_t raw_size)
{
	struct arena *a = arena_new();
	struct mail_message *msg = arena_alloc(a, sizeof(*msg));
	static const struct mail_address none = {"", "", "", ""};

	msg->arena = a;
	msg->raw_size = raw_size;
	msg->subject = msg->message_id = msg->defect_text = "";
	msg->text = msg->html_text = "";
	msg->from = msg->reply_to = msg->return_path = msg->sender = none;
	return msg;
}

/* An mbox "From " separator line before the headers is not a header: skip it. */
static size_t skip_mbox_line(const char *raw, size_t len)
{
	const char *nl;

	if (len < 5 || memcmp(raw, "From ", 5) != 0)
		return 0;
	nl = memchr(raw, '\n', len);
	return nl ? (size_t)(nl - raw) + 1 : len;
}

static GMimeMessage *run_parser(struct mail_message *msg, const char *raw, size_t len,
				GMimeParserOptions *opts)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *gm;

	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	gm = g_mime_parser_construct_message(parser, opts);
	g_object_unref(parser);
	g_object_unref(stream);
	(void)msg;
	return gm;
}

static void finish_bodies(struct walk *w)
{
	struct mail_message *msg = w->msg;

	msg->text = body_finish(&w->text, msg->arena, &msg->text_len);
	msg->html_text = body_finish(&w->html_text, msg->arena, &msg->html_text_len);
}

/* True when at least one header has a name RFC 5322 allows (printable
 * ASCII but ':'): GMime reads a header out of any bytes before a colon, so
 * random binary data would otherwise pass for mail now and then. */
static bool has_mail_header(GMimeMessage *gm)
{
	GMimeHeaderList *list = gm ? g_mime_object_get_header_list(GMIME_OBJECT(gm)) : NULL;
	int n = list ? g_mime_header_list_get_count(list) : 0;

	for (int i = 0; i < n; i++) {
		const char *name = g_mime_header_get_name(g_mime_header_list_get_header_at(list, i));
		const char *c = name;

		while (c && *c > ' ' && *c < 127 && *c != ':')
			c++;
		if (c && c != name && !*c)
			return true;
	}
	return false;
}

struct mail_message *mail_message_parse(const char *raw, size_t len)
{
	struct mail_message *msg = message_new(len);
	size_t skip = skip_mbox_line(raw, len);
	GMimeParserOptions *opts = g_mime_parser_options_new();
	struct walk w = {.msg = msg};
	GMimeMessage *gm;

	g_mime_parser_options_set_warning_callback(opts, on_parser_warning, msg);
	g_mime_parser_options_set_address_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_rfc2047_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	w.seen_urls = g_hash_table_new(g_str_hash, g_str_equal);
	buf_init(&w.text);
	buf_init(&w.html_text);
	if (memchr(raw, '\0', len))
		add_defect(msg, MAIL_DEFECT_NUL_BYTES, "The message contains NUL bytes, which mail never should.");

	gm = run_parser(msg, raw + skip, len - skip, opts);
	if (has_mail_header(gm)) {
		read_envelope(msg, gm, opts);
		walk_part(&w, g_mime_message_get_mime_part(gm), 0);
	} else {
		/* Not mail at all: judge the bytes as text so nothing escapes. */
		add_defect(msg, MAIL_DEFECT_NO_HEADERS, "No mail headers were found; the content was checked as plain text.");
		raw_as_text(&w.text, raw, len);
		url_extract(w.text.data, w.text.len, on_text_url, &w);
	}
	finish_bodies(&w);
	if (gm)
		g_object_unref(gm);
	g_mime_parser_options_free(opts);
	g_hash_table_destroy(w.seen_urls);
	/* Links and attachments grew on the heap; move them into the arena so
	 * the whole message is freed in one go. */
	msg->links = arena_move(msg->arena, msg->links, msg->nlinks * sizeof(*msg->links));
	msg->attachments = arena_move(msg->arena, msg->attachments,
				      msg->nattachments * sizeof(*msg->attachments));
	return msg;
}

void mail_message_free(struct mail_message **msg)
{
	struct arena *a;

	if (!msg || !*msg)
		return;
	a = (*msg)->arena;
	arena_free(&a);
	*msg = NULL;
}

const char *mail_header_get(const struct mail_message *msg, const char *name)
{
	for (size_t i = 0; i < msg->nheaders; i++)
		if (g_ascii_strcasecmp(msg->headers[i].name, name) == 0)
			return msg->headers[i].value;
	return NULL;
}
