/* test_report.c: campaign fingerprints (similar survives names, greetings
 * and tracking parameters; unrelated mail does not match), finding the
 * phish inside a staff member's report, who counts as staff (report/vouch.h),
 * which IP a report may block, the signed alert mark and the alert's fixed
 * subject, and the incremental index. */
#include "testutil.h"
#include "mailtest.h"

#include <unistd.h>

#include <glib.h>

#include "mail/message.h"
#include "report/fingerprint.h"
#include "report/index.h"
#include "report/mailer.h"
#include "report/original.h"
#include "report/record.h"
#include "report/stamp.h"
#include "report/vouch.h"
#include "store/reports.h"
#include "util/alloc.h"

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


/* ---- who counts as staff ------------------------------------------------- */

static struct engine *staff_engine(struct config *cfg)
{
	struct engine *e = NULL;
	struct errbuf err = {""};

	config_defaults(cfg);
	config_list_set(&cfg->protect_domains, "example.com");
	config_list_set(&cfg->trusted_relays, "10.0.0.0/8");
	config_list_set(&cfg->submission_relays, "10.9.0.0/16");
	lg_free(cfg->trusted_authserv_id);
	cfg->trusted_authserv_id = lg_strdup("mx.example.com");
	assert_int_equal(engine_new(cfg, &e, &err), LG_OK);
	return e;
}

struct vouch_case {
	const char *name;
	const char *auth, *ip, *envelope;
	const char *headers; /* prepended to a plain message from From */
	const char *from;
	enum report_vouch_kind kind;
	const char *identity;
	bool history;
};

#define AR "Authentication-Results: mx.example.com; "

static const struct vouch_case vouch_cases[] = {
	{"SASL login at an own domain", "Maria+Box@Example.COM", "127.0.0.1", "<maria@example.com>", "",
	 "maria@example.com", REPORT_VOUCH_AUTH, "maria@example.com", true},
	{"SASL local name: the first protected domain is its realm", "robert", "198.51.100.1", "<x@elsewhere.test>",
	 "", "x@elsewhere.test", REPORT_VOUCH_AUTH, "robert@example.com", false},
	/* F14: another tenant's account on the same MTA is not staff. */
	{"SASL login at another domain", "Maria@SASL.test", "127.0.0.1", "<maria@example.com>", "",
	 "maria@example.com", REPORT_VOUCH_NONE, "", false},
	{"submission host, own-domain envelope", NULL, "10.9.1.2", "<Maria+x@Example.com.>", "", "maria@example.com",
	 REPORT_VOUCH_RELAY, "maria@example.com", true},
	/* F4: [relays] trusted holds inbound hops (the border MX, amavis). */
	{"trusted relay, own-domain envelope", NULL, "10.1.2.3", "<Maria@Example.com>", "", "maria@example.com",
	 REPORT_VOUCH_NONE, "", false},
	{"submission host, outside envelope", NULL, "10.9.1.2", "<x@outside.test>", "", "x@outside.test",
	 REPORT_VOUCH_NONE, "", false},
	{"outside client, own-domain envelope", NULL, "127.0.0.1", "<maria@example.com>", "", "maria@example.com",
	 REPORT_VOUCH_NONE, "", false},
	{"outside client, crafted internal Received", NULL, "127.0.0.1", "<maria@example.com>",
	 "Received: from relay (relay [10.9.0.7]) by mx.example.com\n", "maria@example.com", REPORT_VOUCH_NONE, "", false},
	{"own From with a trusted DMARC pass", NULL, "198.51.100.1", "<bounce@example.com>",
	 AR "dmarc=pass header.from=example.com\n", "Ann+1@example.com", REPORT_VOUCH_DMARC, "ann@example.com", true},
	{"own From, pass from another authserv-id", NULL, "198.51.100.1", "<ann@example.com>",
	 "Authentication-Results: evil.test; dmarc=pass header.from=example.com\n", "ann@example.com",
	 REPORT_VOUCH_NONE, "", false},
	{"own From, topmost trusted header says fail", NULL, "198.51.100.1", "<ann@example.com>",
	 AR "dmarc=fail header.from=example.com\n" AR "dmarc=pass header.from=example.com\n",
	 "ann@example.com", REPORT_VOUCH_NONE, "", false},
	/* F3: sender text our MTA copied into its own header. */
	{"own From, dmarc=pass inside a quoted smtp.mailfrom", NULL, "203.0.113.5", "<\"x;dmarc=pass x\"@attacker.test>",
	 AR "spf=pass smtp.mailfrom=\"x;dmarc=pass x\"@attacker.test; dmarc=fail header.from=example.com\n",
	 "ceo@example.com", REPORT_VOUCH_NONE, "", false},
	{"own From, dmarc=pass inside a comment", NULL, "203.0.113.5", "<x@attacker.test>",
	 AR "spf=pass (mx.example.com: domain of \"a)b;dmarc=pass (c\"@attacker.test designates 192.0.2.1) "
	 "smtp.mailfrom=attacker.test; dmarc=fail header.from=example.com\n",
	 "ceo@example.com", REPORT_VOUCH_NONE, "", false},
	{"own From, a broken topmost header hides a pass below", NULL, "203.0.113.5", "<x@attacker.test>",
	 AR "spf=pass (unclosed ; dmarc=pass\n" AR "dmarc=pass header.from=example.com\n", "ceo@example.com",
	 REPORT_VOUCH_NONE, "", false},
	/* F8 of the review (brief's F6): the pass must be for the one From. */
	{"two From fields, DMARC pass for the second", NULL, "203.0.113.5", "<me@attacker.test>",
	 AR "dmarc=pass header.from=attacker.test\nFrom: <boss@example.com>\n", "me@attacker.test",
	 REPORT_VOUCH_NONE, "", false},
	{"one From with two addresses", NULL, "203.0.113.5", "<me@attacker.test>",
	 AR "dmarc=pass header.from=example.com\n", "boss@example.com>, <me@attacker.test", REPORT_VOUCH_NONE, "",
	 false},
	{"DMARC pass for another domain than the From", NULL, "203.0.113.5", "<me@attacker.test>",
	 AR "dmarc=pass header.from=attacker.test\n", "boss@example.com", REPORT_VOUCH_NONE, "", false},
	{"outside From with a DMARC pass: no staff, but a correspondent", NULL, "198.51.100.1", "<a@partner.test>",
	 AR "dmarc=pass header.from=partner.test\n", "a@partner.test", REPORT_VOUCH_NONE, "", true},
	{"outside From, nothing vouches", NULL, "198.51.100.1", "<a@partner.test>", "", "a@partner.test",
	 REPORT_VOUCH_NONE, "", false},
	{"no facts at all", NULL, NULL, NULL, "", "maria@example.com", REPORT_VOUCH_NONE, "", false},
};

static void test_vouch(void **state)
{
	struct config cfg;
	struct engine *e;

	(void)state;
	e = staff_engine(&cfg);
	for (size_t i = 0; i < ARRAY_LEN(vouch_cases); i++) {
		const struct vouch_case *c = &vouch_cases[i];
		char *raw = g_strdup_printf("%sFrom: <%s>\nTo: phish-report@example.com\nSubject: Fwd\n\nhi\n", c->headers,
					    c->from);
		struct mail_message *m = mail_message_parse(raw, strlen(raw));
		struct vouch_facts f = {c->auth, c->ip, c->envelope};
		struct report_vouch v;

		report_vouch_staff(e, &cfg, &f, m, &v);
		if (v.kind != c->kind || strcmp(v.identity, c->identity) != 0)
			fail_msg("%s: kind %s identity '%s', want %s '%s'", c->name, report_vouch_kind_name(v.kind),
				 v.identity, report_vouch_kind_name(c->kind), c->identity);
		/* A thank-you goes to the vouched identity, never the envelope. */
		if (strcmp(v.reply_to, v.identity) != 0)
			fail_msg("%s: reply_to '%s'", c->name, v.reply_to);
		if (report_vouch_history(e, &cfg, &f, m) != c->history)
			fail_msg("%s: history %d, want %d", c->name, !c->history, c->history);
		mail_message_free(&m);
		g_free(raw);
	}
	engine_free(&e);
	config_cleanup(&cfg);
}

static void test_canonical_identity(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"<Alice+Phish@Example.COM>", "alice@example.com"},
		{"alice@example.com.", "alice@example.com"},
		{"\"alice\"@example.com", "alice@example.com"},
		{"\"al\\\"ice\"@example.com", "al\"ice@example.com"},
		{"+tag@example.com", "+tag@example.com"}, /* nothing before '+': not a tag */
		{"Robert", "robert"},
		{"\"a@b\"@example.com", "a@b@example.com"},
	};
	char out[320];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		report_vouch_canonical(cases[i].in, out, sizeof(out));
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("%s: got '%s', want '%s'", cases[i].in, out, cases[i].out);
	}
	report_vouch_canonical(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

/* F11: a signed mark goes only to own addresses (alerts, thanks). */
static void test_own_address(void **state)
{
	struct config cfg;
	struct engine *e;

	(void)state;
	e = staff_engine(&cfg);
	assert_true(report_vouch_own_address(&cfg, "<Maria+x@Example.COM>"));
	assert_true(report_vouch_own_address(&cfg, "soc@lists.example.com"));
	assert_false(report_vouch_own_address(&cfg, "soc@mssp.test"));
	assert_false(report_vouch_own_address(&cfg, "soc@example.com.mssp.test"));
	assert_false(report_vouch_own_address(&cfg, "example.com"));
	assert_false(report_vouch_own_address(&cfg, "@example.com"));
	engine_free(&e);
	config_cleanup(&cfg);
}

/* ---- which IP a report may block ------------------------------------------ */

static void test_recorded_ip(void **state)
{
	static const unsigned char key[REPORT_KEY_LEN] = "0123456789abcdef0123456789abcde";
	static const struct {
		const char *received, *want; /* want NULL: none */
		bool stamped;
	} cases[] = {
		{"Received: from evil (evil [203.0.113.5]) by mx.example.com\n"
		 "Received: from innocent (innocent [192.0.2.9]) by evil\n", "203.0.113.5", false},
		{"Received: from mx1 (mx1 [10.0.0.5]) by store.example.com\n"
		 "Received: from evil (evil [203.0.113.5]) by mx1\n"
		 "Received: from innocent (innocent [192.0.2.9]) by evil\n", "203.0.113.5", false},
		/* Our hop names no address: nothing below it was written by us. */
		{"Received: by mx.example.com (Postfix, from userid 1000) id 1\n"
		 "Received: from innocent (innocent [192.0.2.9]) by evil\n", NULL, false},
		{"Received: from mx1 (mx1 [10.0.0.5]) by store.example.com\n"
		 "Received: from localhost by mx1 (Postfix)\n"
		 "Received: from innocent (innocent [192.0.2.9]) by evil\n", NULL, false},
		{"", NULL, false},
		{"Received: from mx1 (mx1 [10.0.0.5]) by store\nReceived: from mx2 (mx2 [10.0.0.6]) by mx1\n", NULL, false},
		/* F1: the HELO literal is the client's word. */
		{"Received: from [198.51.100.77] (unknown [203.0.113.5]) by mx.example.com\n", "203.0.113.5", false},
		{"Received: from [10.0.0.9] (unknown [203.0.113.5]) by mx.example.com\n"
		 "Received: from x (x [192.0.2.44]) by y\n", "203.0.113.5", false},
		/* A signed stamp wins over every Received line. */
		{"X-Leakguard-Client: STAMP\nReceived: from [198.51.100.77] (unknown [203.0.113.5]) by mx.example.com\n",
		 "192.0.2.200", true},
		/* A stamp signed for another message (replayed) means nothing. */
		{"X-Leakguard-Client: OTHER\nReceived: from a (a [203.0.113.5]) by mx.example.com\n", "203.0.113.5",
		 false},
		{"X-Leakguard-Client: v1 192.0.2.1 00\n", NULL, false},
	};
	struct config cfg;
	struct engine *e;
	char *stamp = report_stamp_sign(key, sizeof(key), "192.0.2.200", "<p1@evil.test>", "Mon, 30 Nov 2026 09:00:00 +0000");
	char *other = report_stamp_sign(key, sizeof(key), "192.0.2.201", "<p0@evil.test>", "Mon, 30 Nov 2026 09:00:00 +0000");
	char ip[64];

	(void)state;
	assert_null(report_stamp_sign(key, sizeof(key), "mx.example.com", "<x>", "d"));
	assert_true(report_stamp_read(key, sizeof(key), stamp, " <p1@evil.test>", "Mon, 30 Nov 2026\r\n 09:00:00 +0000",
				      ip, sizeof(ip)));
	assert_string_equal(ip, "192.0.2.200");
	assert_false(report_stamp_read(key, sizeof(key), stamp, "<p1@evil.test>", "Tue, 1 Dec 2026 09:00:00 +0000", ip,
				       sizeof(ip)));
	e = staff_engine(&cfg);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *received = g_strdup(cases[i].received), *raw;
		struct mail_message *m;
		struct recorded_ip got;
		char *at;

		if ((at = strstr(received, "STAMP")) || (at = strstr(received, "OTHER"))) {
			char *tmp = g_strdup_printf("%.*s%s%s", (int)(at - received), received,
						    strncmp(at, "STAMP", 5) == 0 ? stamp : other, at + 5);

			g_free(received);
			received = tmp;
		}
		raw = g_strdup_printf("%sFrom: a@evil.test\nSubject: x\nMessage-ID: <p1@evil.test>\n"
				      "Date: Mon, 30 Nov 2026 09:00:00 +0000\n\nhi\n", received);
		m = mail_message_parse(raw, strlen(raw));
		report_recorded_ip(e, m, key, sizeof(key), &got);
		if (cases[i].want ? strcmp(got.ip, cases[i].want) != 0 : *got.ip != '\0')
			fail_msg("case %zu: got %s, want %s", i, *got.ip ? got.ip : "none", cases[i].want ? cases[i].want : "none");
		if (got.stamped != cases[i].stamped)
			fail_msg("case %zu: stamped %d", i, got.stamped);
		mail_message_free(&m);
		g_free(raw);
		g_free(received);
	}
	g_free(stamp);
	g_free(other);
	engine_free(&e);
	config_cleanup(&cfg);
}

/* ---- the alert's mark and subject --------------------------------------- */

static void test_alert_mark_and_subject(void **state)
{
	static const unsigned char key[REPORT_KEY_LEN] = "0123456789abcdef0123456789abcde";
	static const unsigned char other[REPORT_KEY_LEN] = "fedcba9876543210fedcba987654321";
	static const char evil[] =
		"From: IT <it@rnicrosoft.test>\nSubject: =?utf-8?b?UGF5IG5vdyDigK4gaHR0cHM6Ly9ldmlsLnRlc3QvIGJjYzogYUBi?="
		" aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"\n\nhttps://evil.test/login\n";
	const char *to[] = {"colleagues@example.com"};
	static const char d1[] = "Mon, 30 Nov 2026 09:00:00 +0000", d2[] = "Tue, 01 Dec 2026 09:00:00 +0000";
	char *mark = mailer_mark_sign(key, sizeof(key), "<a.1@leakguard>", d1, 42), *forged;
	struct mail_message *m = mail_message_parse(evil, strlen(evil)), *alert;
	struct verdict v = {0};
	struct buf out;
	const char *subject, *got_mark;

	(void)state;
	assert_true(mailer_mark_valid(key, sizeof(key), "<a.1@leakguard>", d1, mark));
	assert_true(mailer_mark_valid(key, sizeof(key), " <a.1@leakguard> ", d1, mark));
	assert_false(mailer_mark_valid(other, sizeof(other), "<a.1@leakguard>", d1, mark));
	assert_false(mailer_mark_valid(key, sizeof(key), "<a.2@leakguard>", d1, mark));
	assert_false(mailer_mark_valid(key, sizeof(key), "", d1, mark));
	assert_false(mailer_mark_valid(key, sizeof(key), NULL, d1, mark));
	/* F11: a leaked mark cannot be moved to mail of another date or campaign. */
	assert_false(mailer_mark_valid(key, sizeof(key), "<a.1@leakguard>", d2, mark));
	assert_false(mailer_mark_valid(key, sizeof(key), "<a.1@leakguard>", NULL, mark));
	forged = g_strdup_printf("v2 7 %s", strchr(mark + 3, ' ') + 1);
	assert_false(mailer_mark_valid(key, sizeof(key), "<a.1@leakguard>", d1, forged));
	g_free(forged);
	assert_false(mailer_mark_valid(key, sizeof(key), "<a.1@leakguard>", d1, "1"));
	mark[strlen(mark) - 1] ^= 1;
	assert_false(mailer_mark_valid(key, sizeof(key), "<a.1@leakguard>", d1, mark));
	g_free(mark);

	buf_init(&out);
	mailer_compose_alert(&out, "leakguard@example.com", to, 1, m, &v, 2, 42, key, sizeof(key));
	alert = mail_message_parse(out.data, out.len);
	subject = mail_header_get(alert, "Subject");
	assert_string_equal(subject, "[Phishing alert] Campaign 42: mail from rnicrosoft[.]test");
	got_mark = mail_header_get(alert, MAILER_MARK);
	assert_true(mailer_mark_valid(key, sizeof(key), mail_header_get(alert, "Message-ID"),
				      mail_header_get(alert, "Date"), got_mark));
	/* The phish's subject is in the body only: cut, bidi escaped, defanged. */
	assert_null(strstr(out.data, "\xe2\x80\xae"));
	assert_null(strstr(out.data, "https://evil.test"));
	assert_null(mail_header_get(alert, "bcc"));
	assert_non_null(strstr(out.data, "\\u{202E}"));
	assert_non_null(strstr(out.data, "..."));
	mail_message_free(&alert);
	mail_message_free(&m);
	buf_cleanup(&out);
}

/* ---- the incremental index ------------------------------------------------ */

static void test_index_catch_up(void **state)
{
	char *dir = g_dir_make_tmp("lg-report-XXXXXX", NULL), *path = g_build_filename(dir, "state.db", NULL);
	struct report_store *rs = NULL;
	struct report_index *idx = NULL;
	struct errbuf err = {""};
	struct fingerprint a, b;
	struct report_match m;
	int64_t id;

	(void)state;
	fp_phish("Maria", 1, &a);
	fp_of("From: x@y.example\nSubject: build failure\n\nThe nightly build of the kernel module failed on the "
	      "arm64 runner because the toolchain image was updated; pinning the previous image fixes it for "
	      "now and I will open a ticket with the infrastructure team tomorrow morning.\n", &b);
	assert_int_equal(report_store_open(path, &rs, &err), LG_OK);
	assert_int_equal(report_store_add(rs, &(struct report_row){.at = 1, .reporter = "a", .fingerprint = &a,
								  .fingerprint_len = sizeof(a)}, &id, &err), LG_OK);
	assert_int_equal(report_index_load(path, &idx, &err), LG_OK);
	assert_int_equal(report_index_last_id(idx), id);
	assert_false(report_index_best(idx, &b, 0.6, &m));
	assert_int_equal(report_store_add(rs, &(struct report_row){.at = 2, .reporter = "b", .fingerprint = &b,
								  .fingerprint_len = sizeof(b)}, &id, &err), LG_OK);
	assert_int_equal(report_index_catch_up(idx, rs, &err), LG_OK);
	assert_int_equal(report_index_last_id(idx), id);
	assert_int_equal(report_index_size(idx), 2);
	assert_true(report_index_best(idx, &b, 0.6, &m));
	assert_int_equal(m.id, id);
	assert_int_equal(report_index_catch_up(idx, rs, &err), LG_OK); /* nothing new: nothing added */
	assert_int_equal(report_index_size(idx), 2);
	report_index_free(&idx);
	report_store_close(&rs);
	unlink(path);
	g_free(path);
	rmdir(dir);
	g_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_similarity),
		cmocka_unit_test(test_index_finds_by_band),
		cmocka_unit_test(test_find_original),
		cmocka_unit_test(test_vouch),
		cmocka_unit_test(test_canonical_identity),
		cmocka_unit_test(test_own_address),
		cmocka_unit_test(test_recorded_ip),
		cmocka_unit_test(test_alert_mark_and_subject),
		cmocka_unit_test(test_index_catch_up),
	};
	return cmocka_run_group_tests(tests, mail_group_setup, mail_group_teardown);
}
