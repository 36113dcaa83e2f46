/* test_report.c: campaign fingerprints (similar survives names, greetings
 * and tracking parameters; unrelated mail does not match) and finding the
 * phish inside a staff member's report. */
#include "testutil.h"
#include "mailtest.h"

#include <glib.h>

#include "mail/message.h"
#include "report/fingerprint.h"
#include "report/index.h"
#include "report/original.h"

static const char phish[] =
	"From: IT Helpdesk <it@examp1e-support.com>\nSubject: Your mailbox is almost full\n\n"
	"Dear %s,\n\nYour mailbox has reached 98%% of its storage quota. To keep receiving mail you must "
	"verify your account within 24 hours, otherwise incoming messages will be rejected and your "
	"account will be suspended. Click https://examp1e-support.com/verify?user=%s&t=%d to confirm "
	"your password now. Thank you for your cooperation, the IT service desk team.\n";

static void fp_of(const char *text, struct fingerprint *fp)
{
	struct mail_message *m = mail_message_parse(text, strlen(text));

	fingerprint_of_message(m, fp);
	mail_message_free(&m);
}

static void fp_phish(const char *name, int token, struct fingerprint *fp)
{
	char *text = g_strdup_printf(phish, name, name, token);

	fp_of(text, fp);
	g_free(text);
}

static void test_similarity(void **state)
{
	struct fingerprint a, b, ham;

	(void)state;
	fp_phish("Maria Garcia", 1234, &a);
	fp_phish("Robert", 98765, &b);
	fp_of("From: jane@example.com\nSubject: Lunch on Friday\n\nHi team, shall we try the new Thai place "
	      "near the station on Friday at noon? I booked a table for six people, tell me if you cannot come "
	      "so that I can change the booking before Thursday evening.\n", &ham);
	assert_true(fingerprint_usable(&a));
	assert_true(fingerprint_similarity(&a, &b) >= 0.75);
	assert_true(fingerprint_similarity(&a, &ham) < 0.2);
}

static void test_index_finds_by_band(void **state)
{
	struct report_index *idx = report_index_new();
	struct fingerprint a, b, ham;
	struct report_match m;

	(void)state;
	fp_phish("Maria", 1, &a);
	fp_phish("Robert", 2, &b);
	fp_of("From: x@y.example\nSubject: build failure\n\nThe nightly build of the kernel module failed on the "
	      "arm64 runner because the toolchain image was updated; pinning the previous image fixes it for "
	      "now and I will open a ticket with the infrastructure team tomorrow morning.\n", &ham);
	report_index_add(idx, 7, 7, 1000, &a);
	assert_true(report_index_best(idx, &b, 0.6, &m));
	assert_int_equal(m.id, 7);
	assert_false(report_index_best(idx, &ham, 0.6, &m));
	report_index_free(&idx);
	assert_null(idx);
}

static void test_find_original(void **state)
{
	static const char attached[] =
		"From: maria@example.com\nTo: phish-report@example.com\nSubject: Fwd: mailbox\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nThis looks fake.\n"
		"--B\nContent-Type: message/rfc822\n\nFrom: it@examp1e-support.com\nSubject: Your mailbox\n\nverify now\n--B--\n";
	static const char inline_fwd[] =
		"From: maria@example.com\nSubject: Fwd: mailbox\n\nPlease look at this.\n\n"
		"---------- Forwarded message ---------\nFrom: IT <it@examp1e-support.com>\nDate: Mon, 1 Jan 2024\n"
		"Subject: Your mailbox\nTo: maria@example.com\n\nverify now\n";
	static const char nothing[] = "From: maria@example.com\nSubject: help\n\nI got a weird mail but deleted it.\n";
	char *out = NULL;
	size_t len = 0;

	(void)state;
	assert_true(report_find_original(attached, strlen(attached), &out, &len));
	assert_non_null(strstr(out, "it@examp1e-support.com"));
	g_free(out);
	assert_true(report_find_original(inline_fwd, strlen(inline_fwd), &out, &len));
	assert_int_equal(strncmp(out, "From: IT <it@examp1e-support.com>", 33), 0);
	assert_non_null(strstr(out, "\n\nverify now"));
	g_free(out);
	assert_false(report_find_original(nothing, strlen(nothing), &out, &len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_similarity),
		cmocka_unit_test(test_index_finds_by_band),
		cmocka_unit_test(test_find_original),
	};
	return cmocka_run_group_tests(tests, mail_group_setup, mail_group_teardown);
}
