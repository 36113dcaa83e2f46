/* test_authres.c: Authentication-Results parsing (RFC 8601) against sender
 * text that an MTA copies into its own header: a quoted local part in
 * smtp.mailfrom, a comment holding ";dmarc=pass", unbalanced or nested
 * comments, and a method given twice. */
#include "testutil.h"

#include "mail/authres.h"

static void test_wellformed(void **state)
{
	struct authres ar;

	(void)state;
	assert_true(authres_parse("mx.Example.com 1; spf=pass smtp.mailfrom=Bounce@Mail.Partner.example;"
				  " dkim=pass header.d=partner.example header.s=s1; dmarc=pass (p=reject)"
				  " header.from=Partner.example",
				  &ar));
	assert_string_equal(ar.authserv_id, "mx.example.com");
	assert_int_equal(ar.spf, AUTHRES_PASS);
	assert_string_equal(ar.spf_domain, "mail.partner.example");
	assert_int_equal(ar.dkim, AUTHRES_PASS);
	assert_string_equal(ar.dkim_pass_domain, "partner.example");
	assert_int_equal(ar.dmarc, AUTHRES_PASS);
	assert_string_equal(ar.dmarc_from, "partner.example");
	assert_false(ar.ambiguous);
	assert_false(ar.malformed);
	/* Several DKIM signatures are normal: any pass counts. */
	assert_true(authres_parse("mx; dkim=fail header.d=a.example; dkim=pass header.d=b.example", &ar));
	assert_int_equal(ar.dkim, AUTHRES_FAIL);
	assert_true(ar.dkim_any_pass);
	assert_string_equal(ar.dkim_pass_domain, "b.example");
	assert_false(ar.ambiguous);
	/* A quoted authserv-id and a quoted property value. */
	assert_true(authres_parse("\"mx.example.com\"; spf=none smtp.mailfrom=\"a b\"@x.example", &ar));
	assert_string_equal(ar.authserv_id, "mx.example.com");
	assert_int_equal(ar.spf, AUTHRES_NONE);
	assert_string_equal(ar.spf_domain, "x.example");
}

/* The review's F3 attacks: each header really says dmarc=fail. */
static void test_injection(void **state)
{
	static const char *const headers[] = {
		/* a quoted local part in the envelope sender, copied into smtp.mailfrom */
		"mx.example.com; spf=pass smtp.mailfrom=\"x;dmarc=pass x\"@attacker.example; dmarc=fail "
		"header.from=example.com",
		/* a comment that closes early, from the sender's address: inside a
		 * comment '"' is ordinary text (RFC 5322 ctext), so strictly read
		 * this header names dmarc twice, and is ambiguous */
		"mx.example.com; spf=pass (mx.example.com: domain of \"a)b;dmarc=pass (c\"@attacker.example "
		"designates 192.0.2.1 as permitted sender) smtp.mailfrom=attacker.example; dmarc=fail "
		"header.from=example.com",
		/* quoted-pairs inside a comment */
		"mx.example.com; spf=pass (sender \\) ; dmarc=pass \\( said) smtp.mailfrom=a.example; dmarc=fail "
		"header.from=example.com",
		/* nested comments */
		"mx.example.com; spf=pass (outer (inner) ; dmarc=pass) smtp.mailfrom=a.example; dmarc=fail "
		"header.from=example.com",
		/* dmarc=pass as a property value, not a method */
		"mx.example.com; spf=pass smtp.mailfrom=dmarc=pass; dmarc=fail header.from=example.com",
	};
	struct authres ar;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(headers); i++) {
		assert_true(authres_parse(headers[i], &ar));
		if (ar.dmarc == AUTHRES_PASS || (ar.dmarc != AUTHRES_FAIL && !ar.ambiguous))
			fail_msg("header %zu: dmarc=%s", i, authres_result_name(ar.dmarc));
		assert_string_equal(ar.dmarc_from, ar.ambiguous ? "" : "example.com");
	}
}

static void test_ambiguous_and_broken(void **state)
{
	struct authres ar;

	(void)state;
	/* Two results for one method: neither counts. */
	assert_true(authres_parse("mx.example.com; dmarc=pass header.from=example.com; dmarc=fail header.from=x", &ar));
	assert_true(ar.ambiguous);
	assert_int_equal(ar.dmarc, AUTHRES_OTHER);
	assert_string_equal(ar.dmarc_from, "");
	assert_true(authres_parse("mx.example.com; dmarc=fail; dmarc=pass", &ar));
	assert_int_equal(ar.dmarc, AUTHRES_OTHER);
	assert_true(authres_parse("mx.example.com; spf=pass smtp.mailfrom=a.example; spf=fail", &ar));
	assert_int_equal(ar.spf, AUTHRES_OTHER);
	assert_string_equal(ar.spf_domain, "");
	/* An unterminated quoted string or comment: the id is kept, nothing else. */
	assert_true(authres_parse("mx.example.com; spf=pass smtp.mailfrom=\"x; dmarc=pass", &ar));
	assert_true(ar.malformed);
	assert_string_equal(ar.authserv_id, "mx.example.com");
	assert_int_equal(ar.dmarc, AUTHRES_OTHER);
	assert_int_equal(ar.spf, AUTHRES_OTHER);
	assert_true(authres_parse("mx.example.com; spf=pass (x ; dmarc=pass", &ar));
	assert_true(ar.malformed);
	assert_int_equal(ar.dmarc, AUTHRES_OTHER);
	assert_true(authres_parse("mx.example.com; spf=pass x) ; dmarc=pass", &ar));
	assert_true(ar.malformed);
	assert_int_equal(ar.dmarc, AUTHRES_OTHER);
	/* A method token that is quoted is not a method. */
	assert_true(authres_parse("mx.example.com; \"dmarc\"=pass", &ar));
	assert_int_equal(ar.dmarc, AUTHRES_ABSENT);
	assert_false(authres_parse("  ; dmarc=pass", &ar));
	assert_false(authres_parse("", &ar));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wellformed),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_ambiguous_and_broken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
