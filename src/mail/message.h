/* message.h: the parsed form of one email, as every detector sees it.
 *
 * mail_message_parse() turns raw RFC 5322 / MIME bytes (GMime underneath)
 * into this read-only model: decoded headers (RFC 2047), the sender
 * addresses, text and HTML bodies as UTF-8, HTML reduced to visible text and
 * links, every URL, and every attachment with its sniffed type and SHA-256.
 *
 * The struct is deliberately transparent: a dozen detectors read its fields
 * and nothing mutates it after parsing, so accessors would only add noise.
 * Everything it points to lives in msg->arena and dies with mail_message_free().
 *
 * Parsing never fails on bad mail: whatever could be read is filled in and
 * each problem is recorded in `defects` (a bit set) with a sentence in
 * `defect_text`, so the message is still scored and the result says what
 * failed. Only out-of-memory-like conditions abort. */
#ifndef LG_MAIL_MESSAGE_H
#define LG_MAIL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

/* Explicit limits: input beyond them is cut and flagged, never a crash. */
#define MAIL_MAX_DEPTH 32             /* MIME nesting levels walked */
#define MAIL_MAX_PARTS 512            /* leaf parts examined */
#define MAIL_MAX_TEXT (1024 * 1024)   /* bytes of body text analysed */
#define MAIL_MAX_LINKS 1024           /* links kept */
#define MAIL_MAX_HEADERS 1024         /* header fields kept */

enum mail_defect {
	MAIL_DEFECT_NO_HEADERS = 1 << 0,   /* no header block could be found */
	MAIL_DEFECT_TOO_DEEP = 1 << 1,     /* MIME nesting beyond MAIL_MAX_DEPTH */
	MAIL_DEFECT_TOO_MANY_PARTS = 1 << 2,
	MAIL_DEFECT_TEXT_TRUNCATED = 1 << 3, /* body text beyond MAIL_MAX_TEXT */
	MAIL_DEFECT_BAD_CHARSET = 1 << 4,  /* a part's charset was unknown or invalid */
	MAIL_DEFECT_NUL_BYTES = 1 << 5,    /* NUL bytes in the raw message */
	MAIL_DEFECT_BROKEN_MULTIPART = 1 << 6, /* boundary missing or never closed */
	MAIL_DEFECT_BAD_ENCODING = 1 << 7, /* undecodable transfer encoding */
	MAIL_DEFECT_TOO_MANY_LINKS = 1 << 8,
	MAIL_DEFECT_BAD_ADDRESS = 1 << 9,  /* From could not be parsed */
};

struct mail_address {
	const char *display; /* decoded display name, "" when none */
	const char *addr;    /* lower-cased addr-spec, "" when none */
	const char *local;   /* part before the last '@' */
	const char *domain;  /* lower-cased part after it, "" when none */
};

struct mail_header {
	const char *name;  /* as written */
	const char *value; /* unfolded, RFC 2047-decoded UTF-8 */
};

enum mail_link_origin {
	MAIL_LINK_TEXT,      /* found in plain text */
	MAIL_LINK_HTML_A,    /* <a href>, with the visible text */
	MAIL_LINK_HTML_FORM, /* <form action> */
	MAIL_LINK_HTML_OTHER, /* <img src>, <area href>, ... */
	MAIL_LINK_QR          /* decoded from a QR code in an image part (qr.h) */
};

struct mail_link {
	const char *url;  /* as found (entities decoded) */
	const char *text; /* visible text of an <a>, NULL otherwise */
	enum mail_link_origin origin;
};

struct mail_attachment {
	const char *filename;      /* decoded name, "" when none */
	const char *declared_type; /* "type/subtype" from Content-Type, lower case */
	const char *sniffed_type;  /* MIME type libmagic sees in the content */
	size_t size;               /* decoded bytes */
	char sha256[65];           /* lower-case hex */
	const char *qr_text;       /* text of a QR code in an image, NULL when none */
	const char *active;        /* HTML/SVG part: the script or redirect it holds ("<script"), NULL */
};

struct mail_message {
	struct arena *arena;

	struct mail_header *headers;
	size_t nheaders;

	const char *subject; /* decoded, "" when none */
	const char *message_id;
	struct mail_address from, reply_to, return_path, sender;
	bool has_from, has_reply_to, has_return_path, has_sender;

	const char *text;      /* plain-text bodies, UTF-8, joined by "\n" */
	size_t text_len;
	const char *html_text; /* visible text of HTML bodies */
	size_t html_text_len;
	bool has_html;
	bool has_form;         /* an HTML <form> */
	bool has_password_field;

	struct mail_link *links;
	size_t nlinks;

	struct mail_attachment *attachments;
	size_t nattachments;

	size_t raw_size;
	unsigned defects;      /* enum mail_defect bits */
	const char *defect_text; /* sentences for defects, "" when none */
};

/* Process-wide start-up of the MIME library; call once before parsing, from
 * one thread. mail_shutdown() releases it at exit. */
void mail_init(void);
void mail_shutdown(void);

/* Parses len bytes of raw message. Always returns a message (never NULL);
 * the caller frees it with mail_message_free(). The bytes are not retained. */
struct mail_message *mail_message_parse(const char *raw, size_t len);
void mail_message_free(struct mail_message **msg);

/* Returns the first header named `name` (case-insensitive), or NULL. */
const char *mail_header_get(const struct mail_message *msg, const char *name);

/* Parses an address-list header value (RFC 5322 mailboxes; groups
 * are skipped) into out[0..max), strings in arena a; returns how many. */
size_t mail_address_list(struct arena *a, const char *value, struct mail_address *out, size_t max);

#endif
