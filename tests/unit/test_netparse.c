/* test_netparse.c: small parsers of network facts in headers — Received
 * relay addresses, Authentication-Results, and IP/CIDR lists. */
#include "testutil.h"

#include "detect/iplist.h"
#include "mail/authres.h"
#include "mail/received.h"

static void test_received(void **state)
{
	static const struct {
		const char *value, *ip; /* ip NULL: none */
	} cases[] = {
		{"from mail.example.net (mail.example.net [203.0.113.5]) by mx.example.com with ESMTP id 1", "203.0.113.5"},
		{"from unknown (HELO x) (198.51.100.7) by mx with SMTP", "198.51.100.7"},
		{"from [IPv6:2001:db8::1] by mx", "2001:db8::1"},
		{"from localhost by phobos with IMAP (fetchmail)", NULL},
		{"by mx.example.com with LMTP", NULL},
		{"from a (b [999.1.1.1]) by c", NULL},
		{"from x by y (mx [192.0.2.1])", NULL}, /* address after "by" is the receiver */
	};
	char ip[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		bool found = received_from_ip(cases[i].value, ip, sizeof(ip));

		if (!cases[i].ip)
			assert_false(found);
		else if (!found || strcmp(ip, cases[i].ip) != 0)
			fail_msg("case %zu: got %s", i, found ? ip : "(none)");
	}
}

static void test_received_auth(void **state)
{
	static const struct {
		const char *value;
		bool auth;
	} cases[] = {
		{"from pc (pc [198.51.100.23]) by mx.example.com (Postfix) with ESMTPSA id 4W1", true},
		{"from pc (pc [198.51.100.23])\r\n\tby mx with esmtpa id 1", true},
		{"from pc by mx (Postfix) with ESMTPS id 1 (Authenticated sender: jane)", true},
		{"from x ([203.0.113.9]) by mx.example.com (Postfix) with ESMTP id 4W1", false},
		{"from x ([203.0.113.9]) by mx.example.com with ESMTPS id 4W1", false},
		{"from esmtpsa.example ([203.0.113.9]) by mx with SMTP", false}, /* the word, not the protocol */
		{"from x by mx with LMTPSA; Tue, 11 Jun 2024", true},
	};

	char helo[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (received_authenticated(cases[i].value) != cases[i].auth)
			fail_msg("case %zu: want %d", i, cases[i].auth);
	assert_true(received_from_helo("from mail.sender.example (mail.sender.example [192.0.2.1]) by mx", helo,
				       sizeof(helo)));
	assert_string_equal(helo, "mail.sender.example");
	assert_true(received_from_helo("from [192.0.2.1] (unknown [192.0.2.1]) by mx", helo, sizeof(helo)));
	assert_string_equal(helo, "[192.0.2.1]");
	assert_false(received_from_helo("by mx.example.com with LMTP", helo, sizeof(helo)));
	assert_false(received_from_helo("from (x [192.0.2.1]) by mx", helo, sizeof(helo)));
}

static void test_authres(void **state)
{
	struct authres ar;

	(void)state;
	assert_true(authres_parse("mx.Example.com 1; spf=fail (sender IP is 203.0.113.5) smtp.mailfrom=x.example;"
				  " dkim=pass header.d=x.example; dkim=fail header.d=y; dmarc=fail (p=reject) header.from=x.example",
				  &ar));
	assert_string_equal(ar.authserv_id, "mx.example.com");
	assert_int_equal(ar.spf, AUTHRES_FAIL);
	assert_int_equal(ar.dkim, AUTHRES_PASS);
	assert_true(ar.dkim_any_pass);
	assert_string_equal(ar.dkim_pass_domain, "x.example");
	assert_int_equal(ar.dmarc, AUTHRES_FAIL);
	assert_true(authres_parse("mx.example.com; none", &ar));
	assert_int_equal(ar.spf, AUTHRES_ABSENT);
	assert_true(authres_parse("mx (comment; spf=pass) ; spf=softfail", &ar));
	assert_int_equal(ar.spf, AUTHRES_SOFTFAIL);
	assert_false(authres_parse("   ", &ar));
}

static void test_iplist(void **state)
{
	static const char *entries[] = {"10.0.0.0/8", "203.0.113.7", "2001:db8::/32", "192.0.2.128/25"};
	static const struct {
		const char *ip;
		bool in;
	} cases[] = {
		{"10.1.2.3", true}, {"11.0.0.1", false}, {"203.0.113.7", true}, {"203.0.113.8", false},
		{"2001:db8:1::5", true}, {"2001:db9::1", false}, {"192.0.2.200", true}, {"192.0.2.100", false},
		{"not-an-ip", false},
	};
	struct iplist *l = iplist_new();
	struct errbuf err;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(entries); i++)
		assert_int_equal(iplist_add(l, entries[i], &err), LG_OK);
	assert_int_equal(iplist_add(l, "10.0.0.0/33", &err), LG_EPARSE);
	assert_int_equal(iplist_add(l, "example.com", &err), LG_EPARSE);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (iplist_contains(l, cases[i].ip) != cases[i].in)
			fail_msg("%s: want %d", cases[i].ip, cases[i].in);
	iplist_free(&l);
	assert_null(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_received),
		cmocka_unit_test(test_received_auth),
		cmocka_unit_test(test_authres),
		cmocka_unit_test(test_iplist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
