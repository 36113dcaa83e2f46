/* test_domain.c: registrable domains (Public Suffix List), IDNA forms,
 * zone membership and IP literals. */
#include "testutil.h"

#include <stdbool.h>

#include "mail/domain.h"

/* want NULL means "no answer". */
struct str_case {
	const char *in;
	const char *want;
};

struct bool_case {
	const char *a, *b;
	bool want;
};

static void check_str(const char *fn, const char *in, const char *got, const char *want)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(got, want) != 0)
		fail_msg("%s(\"%s\"): got \"%s\", want \"%s\"", fn, in ? in : "(null)",
			 got ? got : "(null)", want ? want : "(null)");
}

static void test_registrable(void **state)
{
	static const struct str_case cases[] = {
		{ "a.b.example.co.uk", "example.co.uk" },
		{ "example.com", "example.com" },
		{ "WWW.Example.COM.", "example.com" },
		{ "x.blogspot.com", "x.blogspot.com" },        /* private suffix */
		{ "under_score.example.org", "example.org" },
		{ "mail.\xd0\xb0pple.com", "xn--pple-43d.com" }, /* Cyrillic a */
		{ "xn--pple-43d.com", "xn--pple-43d.com" },
		{ "foo.\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84",
		  "xn--e1afmkfd.xn--p1ai" },                    /* foo.пример.рф */
		{ "com", NULL },
		{ "co.uk", NULL },
		{ "", NULL },
		{ "localhost", NULL },
		{ "1.2.3.4", NULL },
		{ "[::1]", NULL },
		{ "[IPv6:2001:db8::1]", NULL },
		{ "3232235777", NULL },
		{ "bad..name.com", NULL },
		{ "exa mple.com", NULL },
		{ "xn--zz.com", NULL },                         /* undecodable punycode */
	};
	struct arena *a = arena_new();
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		check_str("domain_registrable", cases[i].in,
			  domain_registrable(a, cases[i].in), cases[i].want);
	assert_null(domain_registrable(a, NULL));
	arena_free(&a);
}

static void test_suffix(void **state)
{
	static const struct str_case cases[] = {
		{ "a.b.example.co.uk", "co.uk" },
		{ "example.com", "com" },
		{ "Example.COM", "com" },
		{ "com", "com" },
		{ "foo.xn--p1ai", "xn--p1ai" },
		{ "x.blogspot.com", "blogspot.com" },
		{ "1.2.3.4", NULL },
		{ "", NULL },
	};
	struct arena *a = arena_new();
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		check_str("domain_suffix", cases[i].in, domain_suffix(a, cases[i].in), cases[i].want);
	arena_free(&a);
}

static void test_to_unicode(void **state)
{
	static const struct str_case cases[] = {
		{ "xn--pple-43d.com", "\xd0\xb0pple.com" },
		{ "XN--PPLE-43D.COM", "\xd0\xb0pple.com" },
		{ "mail.xn--e1afmkfd.xn--p1ai",
		  "mail.\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84" },
		{ "example.com", "example.com" },
		{ "xn--zz.com", "xn--zz.com" },                 /* cannot decode: as is */
	};
	struct arena *a = arena_new();
	const char *plain = "Example.COM";
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		check_str("domain_to_unicode", cases[i].in,
			  domain_to_unicode(a, cases[i].in), cases[i].want);
	/* No punycode: the very same string comes back, untouched. */
	assert_ptr_equal(domain_to_unicode(a, plain), plain);
	arena_free(&a);
}

static void test_to_ascii(void **state)
{
	static const struct str_case cases[] = {
		{ "\xd0\xb0pple.com", "xn--pple-43d.com" },
		{ "\xd0\x9f\xd0\xa0\xd0\x98\xd0\x9c\xd0\x95\xd0\xa0.\xd1\x80\xd1\x84",
		  "xn--e1afmkfd.xn--p1ai" },                    /* ПРИМЕР.рф */
		{ "Stra\xc3\x9f" "e.de", "xn--strae-oqa.de" },  /* IDNA 2008 keeps ß */
		{ "\xe2\x98\x83.com", "xn--n3h.com" },          /* snowman: UTS #46 fallback */
		{ "Example.COM.", "example.com" },
		{ "xn--pple-43d.com", "xn--pple-43d.com" },
		{ "xn--zz.com", NULL },
		{ "", NULL },
		{ ".", NULL },
		{ "a..b", NULL },
		{ ".example.com", NULL },
		{ "exa mple.com", NULL },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", NULL },
	};
	struct arena *a = arena_new();
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		check_str("domain_to_ascii", cases[i].in, domain_to_ascii(a, cases[i].in), cases[i].want);
	assert_null(domain_to_ascii(a, NULL));
	arena_free(&a);
}

static void test_within(void **state)
{
	static const struct bool_case cases[] = {
		{ "example.com", "example.com", true },
		{ "mail.example.com", "example.com", true },
		{ "a.b.mail.example.com", "example.com", true },
		{ "MAIL.Example.COM", "example.com", true },
		{ "mail.example.com.", "example.com", true },
		{ "example.com", "example.com.", true },
		{ "mail.example.com", ".example.com", true },
		{ "badexample.com", "example.com", false },
		{ "example.com", "mail.example.com", false },
		{ "example.com.evil.net", "example.com", false },
		{ "com", "example.com", false },
		{ "example.com", "", false },
		{ "", "example.com", false },
		{ "xample.com", "example.com", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		if (domain_within(cases[i].a, cases[i].b) != cases[i].want)
			fail_msg("domain_within(\"%s\", \"%s\") should be %d", cases[i].a,
				 cases[i].b, cases[i].want);
	assert_false(domain_within(NULL, "example.com"));
	assert_false(domain_within("example.com", NULL));
}

static void test_is_ip(void **state)
{
	static const struct bool_case cases[] = {
		{ "1.2.3.4", NULL, true },
		{ "1.2.3.4.", NULL, true },
		{ "[1.2.3.4]", NULL, true },
		{ "::1", NULL, true },
		{ "[::1]", NULL, true },
		{ "[IPv6:2001:db8::1]", NULL, true },
		{ "fe80::1%eth0", NULL, true },
		{ "3232235777", NULL, true },       /* WHATWG: 192.168.1.1 */
		{ "0x7f.1", NULL, true },
		{ "127.1", NULL, true },
		{ "0177.0.0.1", NULL, true },
		{ "255.255.255.255", NULL, true },
		{ "example.com", NULL, false },
		{ "1e100.net", NULL, false },
		{ "1.2.3.4.5", NULL, false },
		{ "256.1.1.1", NULL, false },
		{ "1.2.3.256", NULL, false },
		{ "08.1.1.1", NULL, false },        /* 8 is no octal digit */
		{ "4294967296", NULL, false },      /* 2^32 */
		{ "1..2", NULL, false },
		{ "[example.com]", NULL, false },
		{ "[]", NULL, false },
		{ "", NULL, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		if (domain_is_ip(cases[i].a) != cases[i].want)
			fail_msg("domain_is_ip(\"%s\") should be %d", cases[i].a, cases[i].want);
	assert_false(domain_is_ip(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registrable),
		cmocka_unit_test(test_suffix),
		cmocka_unit_test(test_to_unicode),
		cmocka_unit_test(test_to_ascii),
		cmocka_unit_test(test_within),
		cmocka_unit_test(test_is_ip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
