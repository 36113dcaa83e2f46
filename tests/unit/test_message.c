/* test_message.c: the parsed message model, including hostile input. */
#include "testutil.h"
#include "mailtest.h"

#include <glib.h>

#include "mail/message.h"

static struct mail_message *parse(const char *raw)
{
	return mail_message_parse(raw, strlen(raw));
}

static void test_headers_and_addresses(void **state)
{
	struct mail_message *m = parse(
		"From: =?UTF-8?B?TWljcm9zb2Z0IFN1cHBvcnQ=?= <alert@Mail-MS-Support.XYZ>\r\n"
		"Reply-To: \"Billing\" <billing@other.example>\r\n"
		"Return-Path: <bounce@bounces.example.net>\r\n"
		"Subject: =?ISO-8859-1?Q?Caf=E9_invoice?=\r\n"
		"Message-ID: <abc@x>\r\n"
		"\r\n"
		"Hello, see https://example.org/path?x=1.\r\n");

	(void)state;
	assert_true(m->has_from);
	assert_string_equal(m->from.display, "Microsoft Support");
	assert_string_equal(m->from.addr, "alert@mail-ms-support.xyz");
	assert_string_equal(m->from.local, "alert");
	assert_string_equal(m->from.domain, "mail-ms-support.xyz");
	assert_string_equal(m->reply_to.domain, "other.example");
	assert_string_equal(m->return_path.addr, "bounce@bounces.example.net");
	assert_string_equal(m->subject, "Caf\xc3\xa9 invoice");
	assert_int_equal(m->nlinks, 1);
	assert_string_equal(m->links[0].url, "https://example.org/path?x=1");
	assert_int_equal(m->defects, 0);
	mail_message_free(&m);
	assert_null(m);
}

static void test_multipart_html_and_attachment(void **state)
{
	struct mail_message *m = parse(
		"From: a@b.example\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"B1\"\r\n\r\n"
		"--B1\r\nContent-Type: multipart/alternative; boundary=\"B2\"\r\n\r\n"
		"--B2\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
		"Gr=FC=DFe\r\n"
		"--B2\r\nContent-Type: text/html\r\n\r\n"
		"<p>Log in at <a href=\"http://evil.example/login\">https://bank.example</a></p><form action=\"http://evil.example/post\"><input type=password></form>\r\n"
		"--B2--\r\n"
		"--B1\r\nContent-Type: application/pdf; name=\"invoice.pdf.exe\"\r\n"
		"Content-Disposition: attachment; filename=\"invoice.pdf.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
		"TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA4fug4AtAnNIbgBTM0hVGhpcyBwcm9ncmFtIGNhbm5vdCBiZSBydW4gaW4gRE9TIG1vZGUuDQ0KJAAAAAAAAABQRQAATAEDAA==\r\n"
		"--B1--\r\n");

	(void)state;
	assert_string_equal(m->text, "Gr\xc3\xbc\xc3\x9f" "e");
	assert_true(m->has_html);
	assert_true(m->has_form);
	assert_true(m->has_password_field);
	assert_non_null(strstr(m->html_text, "Log in at"));
	assert_true(m->nlinks >= 2);
	assert_string_equal(m->links[0].url, "http://evil.example/login");
	assert_string_equal(m->links[0].text, "https://bank.example");
	assert_int_equal(m->nattachments, 1);
	assert_string_equal(m->attachments[0].filename, "invoice.pdf.exe");
	assert_string_equal(m->attachments[0].declared_type, "application/pdf");
	assert_string_equal(m->attachments[0].sniffed_type, "application/vnd.microsoft.portable-executable");
	assert_int_equal(strlen(m->attachments[0].sha256), 64);
	mail_message_free(&m);
}

static void test_hostile_inputs_never_crash(void **state)
{
	static const struct {
		const char *raw;
		size_t len;
		unsigned defect;
	} cases[] = {
		{"", 0, MAIL_DEFECT_NO_HEADERS},
		{"\x7f" "ELF\x02\x01\x01\0\0\0\0", 12, MAIL_DEFECT_NUL_BYTES},
		{"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nunclosed", 0, 0},
		{"From: a@b.example\r\nContent-Type: text/plain; charset=x-nonsense\r\n\r\n\xff\xfe text", 0, MAIL_DEFECT_BAD_CHARSET},
		{"Subject: trunc", 0, 0},
		{"From: a@b\0.example\r\n\r\nbody\0with nul", 36, MAIL_DEFECT_NUL_BYTES},
		/* binary whose first colon GMime would read as a header name */
		{"-\xb6\xd0\xb8\xa8\x93\xf5\x62:\x9e\xe6-\xad\x74", 0, MAIL_DEFECT_NO_HEADERS},
		{"\x01\x02:\x03 x\r\n\r\nbody", 0, MAIL_DEFECT_NO_HEADERS},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].raw);
		struct mail_message *m = mail_message_parse(cases[i].raw, len);

		if (cases[i].defect)
			assert_true(m->defects & cases[i].defect);
		assert_non_null(m->text);
		assert_non_null(m->defect_text);
		mail_message_free(&m);
	}
}

static void test_deep_nesting(void **state)
{
	GString *s = g_string_new("From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n");
	struct mail_message *m;
	int depth = 1000;

	(void)state;
	for (int i = 0; i < depth; i++)
		g_string_append_printf(s, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i, i + 1);
	g_string_append_printf(s, "--b%d\r\nContent-Type: text/plain\r\n\r\ndeep text\r\n", depth);
	for (int i = depth; i >= 0; i--)
		g_string_append_printf(s, "--b%d--\r\n", i);
	m = mail_message_parse(s->str, s->len);
	assert_true(m->defects & MAIL_DEFECT_TOO_DEEP);
	mail_message_free(&m);
	g_string_free(s, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers_and_addresses),
		cmocka_unit_test(test_multipart_html_and_attachment),
		cmocka_unit_test(test_hostile_inputs_never_crash),
		cmocka_unit_test(test_deep_nesting),
	};
	return cmocka_run_group_tests(tests, mail_group_setup, mail_group_teardown);
}
