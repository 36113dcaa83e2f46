/* banner.h: puts a warning banner at the top of a message's text and HTML
 * bodies while keeping everything else as it was: the MIME structure
 * (RFC 2046 boundaries, preambles, epilogues), every part's headers and
 * transfer encoding (RFC 2045), and every byte of the original content.
 *
 * A pure function on bytes (no GMime: a parser that re-serialises would
 * change what it does not understand). It reads the raw message and puts the
 * banner into each part a mail reader may show as the message: the first
 * text/plain and text/html part depth first, every alternative of a
 * multipart/alternative (RFC 2046 5.1.4: readers show the last one they
 * can, so no decoy in front or behind may take it), the start= root of a
 * multipart/related (RFC 2387) and its first part, and the body of a
 * message/rfc822 shown inline; never an attachment (Content-Disposition:
 * attachment, or a named part away from where the body stands unless it
 * says Content-Disposition: inline). It returns the new body:
 *   - 7bit/8bit/binary parts: the banner's bytes are inserted;
 *   - quoted-printable parts: the banner is inserted quoted-printable encoded;
 *   - base64 parts: the part is decoded as readers decode it (codec.h), the
 *     banner put in front, and the part re-encoded with the same line
 *     length and line ends.
 * Text goes at the very top (after a byte-order mark); HTML too, before
 * any of the sender's markup (only a leading <!DOCTYPE> stays in front),
 * so no comment, hidden wrapper or unclosed tag of the sender's can
 * contain it; its own inline !important styles (milter/notice.c) beat the
 * sender's style sheets.
 * The banner is written in the part's charset's terms: UTF-8 only into
 * UTF-8 parts that may carry 8-bit text, HTML non-ASCII as character
 * references, converted (iconv) into charsets where ASCII reads otherwise
 * (UTF-16/32, UTF-7, EBCDIC); elsewhere non-ASCII characters become '?'.
 * Where a part a reader shows cannot take it (an unknown transfer encoding,
 * a charset iconv lacks, nesting past the limits), a banner part of our own
 * (multipart/alternative of the text and HTML banner, quoted-printable)
 * goes in front of a top-level multipart/mixed, or with a copy of the last
 * alternative into a new last alternative of a top-level
 * multipart/alternative; anything else is wrapped in a new multipart/mixed
 * when the caller can change the Content-Type (banner.may_wrap). */
#ifndef LG_MILTER_BANNER_H
#define LG_MILTER_BANNER_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/status.h"

/* Explicit limits: beyond them parts are not looked into, never a crash. */
#define BANNER_MAX_DEPTH 32            /* multipart nesting walked */
#define BANNER_MAX_PARTS 512           /* parts looked at */
#define BANNER_MAX_HEADER (256 * 1024) /* bytes of one part's header block */

struct banner {
	const char *text; /* UTF-8 plain text, lines separated by '\n' */
	const char *html; /* UTF-8 HTML fragment, lines separated by '\n' */
	/* The caller can set the message's Content-Type to
	 * banner_result.content_type when that is not empty (and then drops the
	 * message's other Content-* fields, which move into the body, and says
	 * MIME-Version: 1.0 and Content-Transfer-Encoding: 8bit). */
	bool may_wrap;
};

struct banner_result {
	unsigned text_parts; /* text/plain parts that received the banner */
	unsigned html_parts; /* text/html parts that received it */
	unsigned skipped;    /* text parts that could not: encoding, charset */
	bool banner_part;    /* a banner part of our own was added (the fallback) */
	char content_type[128]; /* the message's new Content-Type, "" to keep it */
};

/* msg is a whole raw message: header block, empty line, body (CRLF or LF
 * line ends). On LG_OK, appends to body_out the complete new body (what
 * follows the header block's empty line) and fills *res. Returns
 * LG_ENOTFOUND when no part could take the banner and no banner part could
 * be added (see above), or LG_EPARSE when msg has
 * no empty line ending its header block; body_out is then unchanged. */
enum lg_status banner_insert(const char *msg, size_t len, const struct banner *b, struct buf *body_out,
			     struct banner_result *res);

/* Offset of the body in msg: just past the empty line ending the header
 * block, or len when there is none. */
size_t banner_body_offset(const char *msg, size_t len);

#endif
