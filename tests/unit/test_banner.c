/* test_banner.c: banner insertion (src/milter/banner.c) and the transfer
 * encodings under it (src/milter/codec.c). Table-driven: a raw message and
 * a banner in, the exact new body (or a status) out; then properties that
 * must hold for any message: the result still parses as the same MIME
 * structure, and what the reader sees is the banner followed by the
 * original text. */
#include "testutil.h"

#include "mail/message.h"
#include "milter/banner.h"
#include "milter/codec.h"
#include "util/buf.h"

static const struct banner small = {"B\n", "<b>B</b>\n", false};

static const struct banner unicode = {"\xc3\x9c" "ber caf\xc3\xa9\n", "<b>caf\xc3\xa9</b>\n", false};

struct banner_case {
	const char *name;
	const char *msg;
	const struct banner *b;
	enum lg_status rc;
	const char *body; /* expected new body when rc is LG_OK */
	unsigned text_parts, html_parts;
};

static const struct banner_case cases[] = {
	{"plain, LF", "Subject: x\n\nhello\n", &small, LG_OK, "B\nhello\n", 1, 0},
	{"plain, CRLF", "Subject: x\r\n\r\nhello\r\n", &small, LG_OK, "B\r\nhello\r\n", 1, 0},
	{"plain, empty body", "Subject: x\r\n\r\n", &small, LG_OK, "B\r\n", 1, 0},
	{"no header/body separator", "Subject: x\r\n", &small, LG_EPARSE, NULL, 0, 0},
	{"folded content-type",
	 "Content-Type: text/plain;\r\n\tcharset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nhi\r\n",
	 &unicode, LG_OK, "\xc3\x9c" "ber caf\xc3\xa9\r\nhi\r\n", 1, 0},
	{"7bit utf-8 part gets ASCII only",
	 "Content-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n", &unicode, LG_OK, "?ber caf?\r\nhi\r\n", 1, 0},
	{"latin-1 part gets ASCII only",
	 "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nhi\r\n",
	 &unicode, LG_OK, "?ber caf?\r\nhi\r\n", 1, 0},
	{"byte-order mark stays first",
	 "Content-Type: text/plain; charset=utf-8\r\n\r\n\xef\xbb\xbfhi\r\n", &small, LG_OK,
	 "\xef\xbb\xbf" "B\r\nhi\r\n", 1, 0},
	{"quoted-printable plain",
	 "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
	 "caf=C3=A9 =\r\nsoft\r\n",
	 &unicode, LG_OK, "=C3=9Cber caf=C3=A9\r\ncaf=C3=A9 =\r\nsoft\r\n", 1, 0},
	{"base64 plain, same line length",
	 "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVs\r\nbG8K\r\n", &small, LG_OK,
	 "Qgpo\r\nZWxs\r\nbwo=\r\n", 1, 0},
	{"base64 with data after padding: decoded as two encodings, as readers do",
	 "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=aGk=\r\n", &small, LG_OK,
	 "Qg0KaGlo\r\naQ==\r\n", 1, 0},
	{"base64 with characters outside the alphabet: skipped, as readers do (review F7)",
	 "Content-Type: multipart/alternative; boundary=\"xx\"\r\n\r\n--xx\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
	 "--xx\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPHA+aGVsbG8*8L3A+DQo=\r\n--xx--\r\n",
	 &small, LG_OK,
	 "--xx\r\nContent-Type: text/plain\r\n\r\nB\r\nhi\r\n"
	 "--xx\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+QjwvYj4NCjxwPmhl\r\nbGxvPC9wPg0K\r\n--xx--\r\n",
	 1, 1},
	{"unknown transfer encoding is left alone",
	 "Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n", &small,
	 LG_ENOTFOUND, NULL, 0, 0},
	{"invalid content-type is left alone", "Content-Type: garbage\r\n\r\nhi\r\n", &small, LG_ENOTFOUND, NULL, 0, 0},
	{"attachment is left alone",
	 "Content-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nhi\r\n", &small,
	 LG_ENOTFOUND, NULL, 0, 0},
	{"html before all of the sender's markup",
	 "Content-Type: text/html\r\n\r\n<html><head><title>t</title></head><body class=\"a>b\">hi</body></html>\r\n",
	 &small, LG_OK, "<b>B</b>\r\n<html><head><title>t</title></head><body class=\"a>b\">hi</body></html>\r\n", 0, 1},
	{"html without body",
	 "Content-Type: text/html\r\n\r\n<HTML><HEAD></HEAD>hi\r\n", &small, LG_OK,
	 "<b>B</b>\r\n<HTML><HEAD></HEAD>hi\r\n", 0, 1},
	{"html after a leading doctype", "Content-Type: text/html\r\n\r\n<!DOCTYPE html>\r\n<p>hi\r\n", &small, LG_OK,
	 "<!DOCTYPE html><b>B</b>\r\n\r\n<p>hi\r\n", 0, 1},
	{"html doctype ends at its first '>', quotes or not",
	 "Content-Type: text/html\r\n\r\n<!DOCTYPE html \"x><!--\">-->hi\r\n", &small, LG_OK,
	 "<!DOCTYPE html \"x><b>B</b>\r\n<!--\">-->hi\r\n", 0, 1},
	{"html fragment at the top", "Content-Type: text/html\r\n\r\n<p>hi\r\n", &small, LG_OK,
	 "<b>B</b>\r\n<p>hi\r\n", 0, 1},
	{"html <body> inside a comment hides nothing",
	 "Content-Type: text/html\r\n\r\n<!--<body>--><html><body>hi\r\n", &small, LG_OK,
	 "<b>B</b>\r\n<!--<body>--><html><body>hi\r\n", 0, 1},
	{"html display:none wrapper does not contain it",
	 "Content-Type: text/html\r\n\r\n<html><body><div style=\"display:none\"><body>x</div>hi\r\n", &small, LG_OK,
	 "<b>B</b>\r\n<html><body><div style=\"display:none\"><body>x</div>hi\r\n", 0, 1},
	{"html unclosed comment before the body",
	 "Content-Type: text/html\r\n\r\n<html><!-- <body>hi\r\n", &small, LG_OK,
	 "<b>B</b>\r\n<html><!-- <body>hi\r\n", 0, 1},
	{"html byte-order mark stays first", "Content-Type: text/html\r\n\r\n\xef\xbb\xbf<p>hi\r\n", &small, LG_OK,
	 "\xef\xbb\xbf<b>B</b>\r\n<p>hi\r\n", 0, 1},
	{"html non-ASCII as character references", "Content-Type: text/html; charset=utf-8\r\n\r\n<body>hi\r\n",
	 &unicode, LG_OK, "<b>caf&#xE9;</b>\r\n<body>hi\r\n", 0, 1},
	{"html quoted-printable",
	 "Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<body style=3D\"x\">hi=\r\n!\r\n",
	 &small, LG_OK, "<b>B</b>\r\n<body style=3D\"x\">hi=\r\n!\r\n", 0, 1},
	{"html quoted-printable after a doctype mid-line",
	 "Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<!doctype html><body>\r\nhi\r\n",
	 &small, LG_OK, "<!doctype html>=\r\n<b>B</b>\r\n<body>\r\nhi\r\n", 0, 1},
	{"text body with a name= parameter gets it",
	 "Content-Type: text/plain; name=\"message.txt\"\r\n\r\nhi\r\n", &small, LG_OK, "B\r\nhi\r\n", 1, 0},
	{"first mixed part with filename= but inline gets it",
	 "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; name=a.txt\r\n"
	 "Content-Disposition: inline; filename=a.txt\r\n\r\nbody\r\n--b1--\r\n",
	 &small, LG_OK,
	 "--b1\r\nContent-Type: text/plain; name=a.txt\r\nContent-Disposition: inline; filename=a.txt\r\n\r\nB\r\nbody\r\n--b1--\r\n",
	 1, 0},
	{"named alternative parts get it",
	 "Content-Type: multipart/alternative; boundary=\"xx\"\r\n\r\n--xx\r\nContent-Type: text/plain; name=x\r\n\r\nhi\r\n"
	 "--xx\r\nContent-Type: text/html; name=y\r\n\r\n<p>hi\r\n--xx--\r\n",
	 &small, LG_OK,
	 "--xx\r\nContent-Type: text/plain; name=x\r\n\r\nB\r\nhi\r\n"
	 "--xx\r\nContent-Type: text/html; name=y\r\n\r\n<b>B</b>\r\n<p>hi\r\n--xx--\r\n", 1, 1},
	{"multipart/alternative: both parts",
	 "Content-Type: multipart/alternative; boundary=\"xx\"\r\n\r\npreamble\r\n--xx\r\n"
	 "Content-Type: text/plain\r\n\r\nhi\r\n--xx\r\nContent-Type: text/html\r\n\r\n<body>hi</body>\r\n--xx--\r\nepilogue\r\n",
	 &small, LG_OK,
	 "preamble\r\n--xx\r\nContent-Type: text/plain\r\n\r\nB\r\nhi\r\n--xx\r\nContent-Type: text/html\r\n\r\n"
	 "<b>B</b>\r\n<body>hi</body>\r\n--xx--\r\nepilogue\r\n", 1, 1},
	{"multipart/alternative: every alternative, so no decoy takes it",
	 "Content-Type: multipart/alternative; boundary=\"xx\"\r\n\r\n--xx\r\nContent-Type: text/html\r\n\r\ndecoy\r\n"
	 "--xx\r\nContent-Type: text/html\r\n\r\nreal\r\n--xx--\r\n",
	 &small, LG_OK,
	 "--xx\r\nContent-Type: text/html\r\n\r\n<b>B</b>\r\ndecoy\r\n--xx\r\nContent-Type: text/html\r\n\r\n<b>B</b>\r\nreal\r\n--xx--\r\n",
	 0, 2},
	{"multipart/related: the start= root and the first part (review F7)",
	 "Content-Type: multipart/related; boundary=r; start=\"<real@x>\"\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\ndecoy\r\n"
	 "--r\r\nContent-Type: image/gif\r\nContent-ID: <img@x>\r\n\r\nGIF\r\n"
	 "--r\r\nContent-Type: text/html\r\nContent-ID: < real@x >\r\n\r\nreal\r\n--r--\r\n",
	 &small, LG_OK,
	 "--r\r\nContent-Type: text/html\r\n\r\n<b>B</b>\r\ndecoy\r\n--r\r\nContent-Type: image/gif\r\nContent-ID: <img@x>\r\n\r\nGIF\r\n"
	 "--r\r\nContent-Type: text/html\r\nContent-ID: < real@x >\r\n\r\n<b>B</b>\r\nreal\r\n--r--\r\n",
	 0, 2},
	{"inline HTML with filename= after an image gets it (review F7)",
	 "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: image/gif\r\n\r\nGIF\r\n"
	 "--m\r\nContent-Type: text/html; name=invoice.html\r\nContent-Disposition: inline; filename=invoice.html\r\n\r\n"
	 "<p>pay\r\n--m--\r\n",
	 &small, LG_OK,
	 "--m\r\nContent-Type: image/gif\r\n\r\nGIF\r\n"
	 "--m\r\nContent-Type: text/html; name=invoice.html\r\nContent-Disposition: inline; filename=invoice.html\r\n\r\n"
	 "<b>B</b>\r\n<p>pay\r\n--m--\r\n",
	 0, 1},
	{"top-level message/rfc822: the inner message's text (review F7)",
	 "Content-Type: message/rfc822\r\n\r\nFrom: a@b.example\r\nSubject: inner\r\n\r\ninner text\r\n", &small, LG_OK,
	 "From: a@b.example\r\nSubject: inner\r\n\r\nB\r\ninner text\r\n", 1, 0},
	{"multipart/mixed: body, not the text attachment",
	 "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\n\r\nbody\r\n--b1\r\n"
	 "Content-Type: text/plain; name=notes.txt\r\n\r\nnotes\r\n--b1--\r\n",
	 &small, LG_OK,
	 "--b1\r\n\r\nB\r\nbody\r\n--b1\r\nContent-Type: text/plain; name=notes.txt\r\n\r\nnotes\r\n--b1--\r\n", 1, 0},
	{"attached message is not looked into",
	 "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: message/rfc822\r\n"
	 "Content-Disposition: attachment\r\n\r\n"
	 "Subject: inner\r\n\r\ninner text\r\n--b1--\r\n",
	 &small, LG_OK, NULL, 0, 0}, /* a banner part of our own: test_fallback */
	{"digest parts default to messages",
	 "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: a\r\n\r\ntext\r\n--d--\r\n", &small,
	 LG_ENOTFOUND, NULL, 0, 0},
	{"nested boundary that extends the outer one",
	 "Content-Type: multipart/mixed; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: multipart/alternative; boundary=\"ab\"\r\n\r\n"
	 "--ab\r\nContent-Type: text/plain\r\n\r\nhi\r\n--ab--\r\n--a--\r\n",
	 &small, LG_OK,
	 "--a\r\nContent-Type: multipart/alternative; boundary=\"ab\"\r\n\r\n--ab\r\nContent-Type: text/plain\r\n\r\nB\r\nhi\r\n"
	 "--ab--\r\n--a--\r\n", 1, 0},
	{"unterminated multipart runs to the end",
	 "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nhi\r\n", &small, LG_OK,
	 "--z\r\nContent-Type: text/plain\r\n\r\nB\r\nhi\r\n", 1, 0},
	{"multipart without boundary parameter", "Content-Type: multipart/mixed\r\n\r\n--z\r\n\r\nhi\r\n", &small,
	 LG_ENOTFOUND, NULL, 0, 0},
	{"image only", "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\n", &small,
	 LG_ENOTFOUND, NULL, 0, 0},
	{"part without headers that starts with text",
	 "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nno headers here\r\n--q--\r\n", &small, LG_OK,
	 "--q\r\nB\r\nno headers here\r\n--q--\r\n", 1, 0},
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct banner_case *c = &cases[i];
		size_t len = strlen(c->msg);
		struct banner_result res;
		struct buf out;
		enum lg_status rc;

		/* The utf-16 case holds NULs: measure it to its last "\0". */
		if (strstr(c->name, "utf-16"))
			len += 4;
		buf_init(&out);
		rc = banner_insert(c->msg, len, c->b, &out, &res);
		if (rc != c->rc || (c->body && (!out.data || strcmp(out.data, c->body) != 0)) ||
		    (!rc && (res.text_parts != c->text_parts || res.html_parts != c->html_parts))) {
			fprintf(stderr, "case '%s': rc %d (want %d), text %u html %u, body:\n[%s]\nwant:\n[%s]\n", c->name,
				rc, c->rc, res.text_parts, res.html_parts, out.data ? out.data : "(none)",
				c->body ? c->body : "(none)");
			fail();
		}
		if (rc)
			assert_int_equal(out.len, 0);
		buf_cleanup(&out);
	}
}

/* A realistic message: the result must parse with GMime into the same
 * structure, and each body must read as banner + original. */
static const char realistic[] =
	"From: Sender <s@example.org>\r\nTo: r@example.com\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
	"Content-Type: multipart/mixed; boundary=\"==outer==\"\r\n\r\n"
	"This is a multi-part message in MIME format.\r\n"
	"--==outer==\r\nContent-Type: multipart/alternative; boundary=\"==inner==\"\r\n\r\n"
	"--==inner==\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
	"Hello Ren=C3=A9e, the quarterly report is attached. It is a long line that =\r\nwraps softly.\r\n"
	"--==inner==\r\nContent-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	"PGh0bWw+PGJvZHk+PHA+SGVsbG8gUmVuw6llLCB0aGUgcXVhcnRlcmx5IHJlcG9ydCBpcyBhdHRh\r\n"
	"Y2hlZC48L3A+PC9ib2R5PjwvaHRtbD4=\r\n"
	"--==inner==--\r\n\r\n"
	"--==outer==\r\nContent-Type: application/pdf; name=\"q3.pdf\"\r\nContent-Disposition: attachment; filename=\"q3.pdf\"\r\n"
	"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoK\r\n"
	"--==outer==--\r\n";

static void test_result_parses_the_same(void **state)
{
	static const struct banner b = {"CAUTION (leakguard): signs of phishing.\nDo not click.\n\n",
					"<div style=\"border:1px solid red\">CAUTION: signs of phishing. &#x2014; Do not click.</div>\n",
					false};
	struct mail_message *before, *after;
	struct banner_result res;
	struct buf out, whole;
	size_t body_at = banner_body_offset(realistic, strlen(realistic));

	(void)state;
	buf_init(&out);
	buf_init(&whole);
	assert_int_equal(banner_insert(realistic, strlen(realistic), &b, &out, &res), LG_OK);
	assert_int_equal(res.text_parts, 1);
	assert_int_equal(res.html_parts, 1);
	buf_append(&whole, realistic, body_at);
	buf_append(&whole, out.data, out.len);
	before = mail_message_parse(realistic, strlen(realistic));
	after = mail_message_parse(whole.data, whole.len);
	assert_int_equal(after->defects, 0);
	assert_int_equal(after->nattachments, before->nattachments);
	assert_string_equal(after->attachments[0].sha256, before->attachments[0].sha256);
	/* Text: the banner, then the original, decoded exactly as before. */
	/* (The banner's line ends are the part's: CRLF, kept by the decoder.) */
	assert_non_null(strstr(after->text, "CAUTION (leakguard): signs of phishing.\r\nDo not click."));
	assert_non_null(strstr(after->text, before->text));
	assert_true(strstr(after->text, "CAUTION") < strstr(after->text, before->text));
	/* HTML: visible banner text before the original visible text. */
	assert_non_null(strstr(after->html_text, "CAUTION: signs of phishing."));
	assert_non_null(strstr(after->html_text, "Hello Ren\xc3\xa9" "e, the quarterly report is attached."));
	assert_true(strstr(after->html_text, "CAUTION") < strstr(after->html_text, "Hello"));
	/* Everything outside the two text parts is byte for byte the same. */
	assert_non_null(strstr(out.data, "--==outer==\r\nContent-Type: application/pdf; name=\"q3.pdf\"\r\n"
					  "Content-Disposition: attachment; filename=\"q3.pdf\"\r\n"
					  "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoK\r\n"
					  "--==outer==--\r\n"));
	assert_non_null(strstr(out.data, "Hello Ren=C3=A9e, the quarterly report is attached. It is a long line that =\r\nwraps softly.\r\n"));
	mail_message_free(&before);
	mail_message_free(&after);
	buf_cleanup(&out);
	buf_cleanup(&whole);
}

static void test_limits(void **state)
{
	struct buf msg, out;
	struct banner_result res;
	enum lg_status rc;

	(void)state;
	/* Nesting far past BANNER_MAX_DEPTH, text at the bottom: not looked
	 * into, no crash, no stack blow-up; a banner part of our own instead. */
	buf_init(&msg);
	buf_init(&out);
	buf_appendf(&msg, "Content-Type: multipart/mixed; boundary=b0\r\n\r\n");
	for (int i = 1; i < 200; i++)
		buf_appendf(&msg, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i - 1, i);
	buf_appendf(&msg, "--b199\r\nContent-Type: text/plain\r\n\r\ndeep\r\n");
	rc = banner_insert(msg.data, msg.len, &small, &out, &res);
	assert_int_equal(rc, LG_OK);
	assert_true(res.banner_part);
	assert_int_equal(res.text_parts, 0);
	assert_memory_equal(out.data, "--b0\r\nContent-Type: multipart/alternative", 41);
	/* More parts than BANNER_MAX_PARTS before the text one. */
	buf_reset(&msg);
	buf_reset(&out);
	buf_appendf(&msg, "Content-Type: multipart/mixed; boundary=p\r\n\r\n");
	for (int i = 0; i < BANNER_MAX_PARTS + 10; i++)
		buf_appendf(&msg, "--p\r\nContent-Type: image/gif\r\n\r\nx\r\n");
	buf_appendf(&msg, "--p\r\nContent-Type: text/plain\r\n\r\nlate\r\n--p--\r\n");
	rc = banner_insert(msg.data, msg.len, &small, &out, &res);
	assert_int_equal(rc, LG_OK);
	assert_true(res.banner_part);
	buf_cleanup(&msg);
	buf_cleanup(&out);
}

/* ---- codec ---------------------------------------------------------------- */

static void test_qp(void **state)
{
	static const char enc[] = "a=3Db =\r\nc=\n= d=ZZ\r\ne \r\n";
	struct buf out;
	unsigned seed = 7;

	(void)state;
	buf_init(&out);
	/* "=3D" is '=', soft breaks vanish (CRLF or LF), a bad escape is literal. */
	assert_int_equal(codec_qp_decode(enc, strlen(enc), &out), strlen("a=b c= d=ZZ\r\ne \r\n"));
	assert_string_equal(out.data, "a=b c= d=ZZ\r\ne \r\n");
	/* Offsets: decoded byte 2 ('b') is at 4; byte 4 ('c', after the soft
	 * break) at 9; past the end is the length. */
	assert_int_equal(codec_qp_offset(enc, strlen(enc), 2), 4);
	assert_int_equal(codec_qp_offset(enc, strlen(enc), 4), 9);
	assert_int_equal(codec_qp_offset(enc, strlen(enc), 1000), strlen(enc));
	/* Round trip of arbitrary bytes, with lines never over 76. */
	for (int round = 0; round < 200; round++) {
		char src[300];
		struct buf e, d;
		size_t n = (size_t)(round * 7 % 300), line = 0;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			src[i] = (char)(seed >> 16);
			if (src[i] == '\r' || src[i] == '\n')
				src[i] = 'x'; /* line ends are text structure, tested above */
		}
		buf_init(&e);
		buf_init(&d);
		codec_qp_encode(src, n, "\r\n", 0, &e);
		for (size_t i = 0; i < e.len; i++) {
			if (e.data[i] == '\n') {
				line = 0;
				continue;
			}
			if (e.data[i] != '\r')
				assert_true(++line <= 76);
		}
		codec_qp_decode(e.data ? e.data : "", e.len, &d);
		assert_int_equal(d.len, n);
		assert_memory_equal(d.data ? d.data : "", src, n);
		buf_cleanup(&e);
		buf_cleanup(&d);
	}
	/* A blank before a line end is encoded, so no relay can strip it. */
	buf_reset(&out);
	codec_qp_encode("a \nb\t", 5, "\r\n", 0, &out);
	assert_string_equal(out.data, "a=20\r\nb=09");
	buf_cleanup(&out);
}

static void test_base64(void **state)
{
	struct buf e, d;

	(void)state;
	buf_init(&e);
	buf_init(&d);
	codec_base64_encode("Many hands make light work.", 27, 8, "\n", &e);
	assert_string_equal(e.data, "TWFueSBo\nYW5kcyBt\nYWtlIGxp\nZ2h0IHdv\ncmsu");
	assert_true(codec_base64_decode(e.data, e.len, &d));
	assert_string_equal(d.data, "Many hands make light work.");
	buf_reset(&e);
	codec_base64_encode("ab", 2, 0, "\n", &e); /* 0: the default 76 */
	assert_string_equal(e.data, "YWI=");
	buf_reset(&d);
	assert_true(codec_base64_decode("YW*I", 4, &d)); /* RFC 2045 6.8: ignored */
	assert_string_equal(d.data, "ab");
	buf_reset(&d);
	assert_true(codec_base64_decode(" YW\r\nI= =\n", 10, &d));
	assert_string_equal(d.data, "ab");
	buf_cleanup(&e);
	buf_cleanup(&d);
}

/* ---- what the reader shows (review F7) ------------------------------------- */

static const struct banner warn = {"LGWARN\n", "<b>LGWARN</b>\n", false};
static const struct banner warn_wrap = {"LGWARN\n", "<b>LGWARN</b>\n", true};

/* Inserts b into raw and parses the result with GMime, as a reader would:
 * with the original header block, or with content_type when the result
 * asks for one. Caller frees. */
static struct mail_message *shown_after(const char *raw, size_t len, const struct banner *b,
					struct banner_result *res)
{
	struct buf out, whole;
	struct mail_message *m;

	buf_init(&out);
	buf_init(&whole);
	assert_int_equal(banner_insert(raw, len, b, &out, res), LG_OK);
	if (*res->content_type)
		buf_appendf(&whole, "From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: %s\r\n\r\n", res->content_type);
	else
		buf_append(&whole, raw, banner_body_offset(raw, len));
	buf_append(&whole, out.data, out.len);
	m = mail_message_parse(whole.data, whole.len);
	assert_int_equal(m->defects, 0);
	buf_cleanup(&out);
	buf_cleanup(&whole);
	return m;
}

static void test_wide_charsets(void **state)
{
	/* UTF-16LE with a byte-order mark, base64: "<p>hi</p>". */
	static const char html16[] =
		"From: a@example.org\r\nContent-Type: multipart/alternative; boundary=\"xx\"\r\n\r\n--xx\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
		"--xx\r\nContent-Type: text/html; charset=utf-16\r\nContent-Transfer-Encoding: base64\r\n\r\n"
		"//48AHAAPgBoAGkAPAAvAHAAPgA=\r\n--xx--\r\n";
	static const char plain16[] = "Content-Type: text/plain; charset=UTF-16\r\nContent-Transfer-Encoding: binary\r\n\r\n"
				      "\xff\xfeh\0i\0";
	static const char want16[] = "\xff\xfe" "B\0\r\0\n\0h\0i\0";
	struct banner_result res;
	struct mail_message *m;
	struct buf out;
	const char *at;

	(void)state;
	m = shown_after(html16, strlen(html16), &warn, &res);
	assert_int_equal(res.html_parts, 1);
	assert_int_equal(res.text_parts, 1);
	assert_non_null(at = strstr(m->html_text, "LGWARN"));
	assert_true(at < strstr(m->html_text, "hi"));
	mail_message_free(&m);
	buf_init(&out);
	assert_int_equal(banner_insert(plain16, sizeof(plain16) - 1, &small, &out, &res), LG_OK);
	assert_int_equal(out.len, sizeof(want16) - 1);
	assert_memory_equal(out.data, want16, sizeof(want16) - 1);
	/* Microsoft's "unicode" is UTF-16: the banner in its units, no second BOM. */
	buf_reset(&out);
	assert_int_equal(banner_insert("Content-Type: text/plain; charset=unicode\r\nContent-Transfer-Encoding: binary\r\n\r\n"
				       "\xff\xfeh\0i\0",
				       86, &small, &out, &res),
			 LG_OK);
	assert_int_equal(out.len, sizeof(want16) - 1);
	assert_memory_equal(out.data, want16, sizeof(want16) - 1);
	/* An EBCDIC part gets the banner in EBCDIC ("B" is 0xC2, CR LF 0x0D 0x25). */
	buf_reset(&out);
	assert_int_equal(banner_insert("Content-Type: text/plain; charset=ibm037\r\nContent-Transfer-Encoding: binary\r\n\r\n"
				       "\x88\x89",
				       81, &small, &out, &res),
			 LG_OK);
	assert_int_equal(out.len, 5);
	assert_memory_equal(out.data, "\xc2\x0d\x25\x88\x89", 5);
	buf_cleanup(&out);
}

static void test_fallback(void **state)
{
	/* The displayed (last) alternative is in an encoding nobody can write. */
	static const char alt[] =
		"From: a@example.org\r\nContent-Type: multipart/alternative; boundary=\"xx\"\r\n\r\n--xx\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
		"--xx\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: x-gzip64\r\n\r\nH4sIAAAA\r\n--xx--\r\n";
	static const char mixed[] = "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\npre\r\n--m\r\n"
				    "Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n--m--\r\n";
	static const char single[] = "From: a@example.org\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n"
				     "Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 a\r\n";
	struct banner_result res;
	struct mail_message *m;
	struct buf out;

	(void)state;
	m = shown_after(alt, strlen(alt), &warn, &res);
	assert_true(res.banner_part);
	assert_int_equal(res.text_parts, 1); /* the plain alternative too */
	assert_non_null(strstr(m->html_text, "LGWARN"));
	mail_message_free(&m);
	m = shown_after(mixed, strlen(mixed), &warn, &res);
	assert_true(res.banner_part);
	assert_non_null(strstr(m->text, "LGWARN"));
	mail_message_free(&m);
	/* A single part: wrapped when the caller can set Content-Type. */
	buf_init(&out);
	assert_int_equal(banner_insert(single, strlen(single), &warn, &out, &res), LG_ENOTFOUND);
	assert_int_equal(out.len, 0);
	buf_cleanup(&out);
	m = shown_after(single, strlen(single), &warn_wrap, &res);
	assert_true(res.banner_part);
	assert_non_null(strstr(res.content_type, "multipart/mixed; boundary="));
	assert_non_null(strstr(m->html_text, "LGWARN"));
	assert_non_null(strstr(m->text, "LGWARN"));
	mail_message_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_result_parses_the_same),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_wide_charsets),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_qp),
		cmocka_unit_test(test_base64),
	};

	mail_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
