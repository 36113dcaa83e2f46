/* test_lookalike.c: every lookalike technique firing, the look-alikes that
 * must not fire, the protected check, mixed scripts and bad configuration. */
#include "testutil.h"

#include <math.h>
#include <stdbool.h>

#include "detect/lookalike.h"

static const char *const protected_domains[] = {
	"example.com", "microsoft.com", "paypal.com", "apple.com", "google.com",
	"fabrikam.com", "ibm.com", "login.contoso.com", "b\xc3\xbc" "cher.de", "scope.com",
};

struct check_case {
	const char *domain;
	enum lookalike_technique want;   /* LOOKALIKE_NONE: must not fire */
	const char *imitates;
	double score;
};

static const struct check_case fire_cases[] = {
	/* confusable: glyph-identical */
	{ "paypaI.com", LOOKALIKE_CONFUSABLE, "paypal.com", 1.0 },
	{ "xn--pple-43d.com", LOOKALIKE_CONFUSABLE, "apple.com", 1.0 },
	{ "\xd0\xb0pple.com", LOOKALIKE_CONFUSABLE, "apple.com", 1.0 },        /* Cyrillic a */
	{ "login.\xd0\xb0pple.com", LOOKALIKE_CONFUSABLE, "apple.com", 1.0 },
	{ "xn--pple-43d.net", LOOKALIKE_CONFUSABLE, "apple.com", 0.9 },       /* and another suffix */
	{ "\xd1\x95\xd1\x81\xd0\xbe\xd1\x80\xd0\xb5.com", LOOKALIKE_CONFUSABLE, "scope.com", 1.0 }, /* all Cyrillic */
	/* character-trick: ASCII stand-ins */
	{ "rnicrosoft.com", LOOKALIKE_CHARACTER_TRICK, "microsoft.com", 0.95 },
	{ "micros0ft.com", LOOKALIKE_CHARACTER_TRICK, "microsoft.com", 0.95 },
	{ "examp1e.com", LOOKALIKE_CHARACTER_TRICK, "example.com", 0.95 },
	{ "exarnple.com", LOOKALIKE_CHARACTER_TRICK, "example.com", 0.95 },
	{ "paypa1.com", LOOKALIKE_CHARACTER_TRICK, "paypal.com", 0.95 },
	{ "PAYPAI.COM", LOOKALIKE_CHARACTER_TRICK, "paypal.com", 0.95 },      /* all capitals: I reads as I */
	{ "fabrikarn.com", LOOKALIKE_CHARACTER_TRICK, "fabrikam.com", 0.95 },
	{ "goog1e.net", LOOKALIKE_CHARACTER_TRICK, "google.com", 0.85 },
	{ "micr\xd0\xbes0ft.com", LOOKALIKE_CHARACTER_TRICK, "microsoft.com", 0.95 }, /* Cyrillic o + zero */
	/* whole-script Cyrillic "аррӏе": UTS #39 maps the palochka to i, not l,
	 * so the skeletons differ and the i->l trick catches it */
	{ "\xd0\xb0\xd1\x80\xd1\x80\xd3\x8f\xd0\xb5.com", LOOKALIKE_CHARACTER_TRICK, "apple.com", 0.95 },
	/* edit-distance */
	{ "exmaple.com", LOOKALIKE_EDIT_DISTANCE, "example.com", 0.9 },        /* transposition */
	{ "goggle.com", LOOKALIKE_EDIT_DISTANCE, "google.com", 0.9 },
	{ "mail.exmaple.com", LOOKALIKE_EDIT_DISTANCE, "example.com", 0.9 },
	{ "pay-pal.com", LOOKALIKE_EDIT_DISTANCE, "paypal.com", 0.9 },
	{ "exmaple.net", LOOKALIKE_EDIT_DISTANCE, "example.com", 0.8 },
	{ "mikrosofft.com", LOOKALIKE_EDIT_DISTANCE, "microsoft.com", 0.75 },  /* 9 letters: two edits */
	/* tld-swap */
	{ "example.net", LOOKALIKE_TLD_SWAP, "example.com", 0.85 },
	{ "example.co", LOOKALIKE_TLD_SWAP, "example.com", 0.85 },
	{ "example.com.br", LOOKALIKE_TLD_SWAP, "example.com", 0.85 },
	{ "www.example.co.uk", LOOKALIKE_TLD_SWAP, "example.com", 0.85 },
	{ "ibm.net", LOOKALIKE_TLD_SWAP, "ibm.com", 0.85 },                    /* short labels too */
	{ "b\xc3\xbc" "cher.com", LOOKALIKE_TLD_SWAP, "xn--bcher-kva.de", 0.85 },
	/* brand-embedded */
	{ "microsoft-support.xyz", LOOKALIKE_BRAND_EMBEDDED, "microsoft.com", 0.7 },
	{ "paypal.com.secure-login.net", LOOKALIKE_BRAND_EMBEDDED, "paypal.com", 0.7 },
	{ "login.paypal.com-verify.info", LOOKALIKE_BRAND_EMBEDDED, "paypal.com", 0.7 },
	{ "paypal-secure-login.com", LOOKALIKE_BRAND_EMBEDDED, "paypal.com", 0.7 },
	{ "paypa1-secure.com", LOOKALIKE_BRAND_EMBEDDED, "paypal.com", 0.7 },
	{ "example.evil.net", LOOKALIKE_BRAND_EMBEDDED, "example.com", 0.5 },  /* bare name as a subdomain */
	{ "example.com.evil.net", LOOKALIKE_BRAND_EMBEDDED, "example.com", 0.7 }, /* whole domain */
	{ "ibm-shop.com", LOOKALIKE_BRAND_EMBEDDED, "ibm.com", 0.7 },            /* short labels as whole tokens */
	{ "securepaypal.com", LOOKALIKE_BRAND_EMBEDDED, "paypal.com", 0.6 },
	{ "paypalsecure.com", LOOKALIKE_BRAND_EMBEDDED, "paypal.com", 0.6 },
	/* Documented choices: a brand glued to a lure word fires weakly, even
	 * when the domain is the brand's own. A deployment lists its owners'
	 * other domains as protected (see below). */
	{ "microsoftonline.com", LOOKALIKE_BRAND_EMBEDDED, "microsoft.com", 0.6 },
	{ "examplesecure.com", LOOKALIKE_BRAND_EMBEDDED, "example.com", 0.6 },
};

static const char *const quiet_cases[] = {
	/* protected domains and their subdomains, in any spelling */
	"example.com", "mail.example.com", "EXAMPLE.COM.", "deep.mail.example.com",
	"fabrikam.com", "sso.fabrikam.com", "b\xc3\xbc" "cher.de", "xn--bcher-kva.de",
	/* a protected subdomain makes the whole registrable domain the owner's */
	"login.contoso.com", "www.contoso.com",
	/* unrelated */
	"wikipedia.org", "debian.org", "github.com", "amazon.com", "bing.com",
	/* protected label shorter than four: no edits, no glued brand */
	"ibn.com", "ibmx.com",
	/* brand glued to a word that is no lure: another business */
	"examplesupplies.com", "appleton-office.com",
	/* brand buried inside a word, not at a token edge */
	"xpaypalx.com",
	/* brand words in the public suffix belong to the brand */
	"update.microsoft",
	/* not domains at all */
	"1.2.3.4", "[::1]", "3232235777", "com", "co.uk", "", "localhost", "exa mple.com",
};

static struct lookalike_set *new_set(void)
{
	struct lookalike_set *set = NULL;
	struct errbuf err = { "" };

	if (lookalike_set_new(protected_domains, ARRAY_LEN(protected_domains), &set, &err))
		fail_msg("lookalike_set_new: %s", err.msg);
	return set;
}

static void test_fires(void **state)
{
	struct lookalike_set *set = new_set();
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(fire_cases); i++) {
		const struct check_case *c = &fire_cases[i];
		struct lookalike_match m;

		if (!lookalike_check(set, c->domain, &m))
			fail_msg("%s: no match, want %s", c->domain, lookalike_technique_name(c->want));
		if (m.technique != c->want || strcmp(m.protected_domain, c->imitates) != 0 ||
		    fabs(m.score - c->score) > 1e-9)
			fail_msg("%s: got %s of %s at %.2f, want %s of %s at %.2f", c->domain,
				 lookalike_technique_name(m.technique), m.protected_domain, m.score,
				 lookalike_technique_name(c->want), c->imitates, c->score);
	}
	lookalike_set_free(&set);
	assert_null(set);
}

static void test_quiet(void **state)
{
	struct lookalike_set *set = new_set();
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(quiet_cases); i++) {
		struct lookalike_match m;

		if (lookalike_check(set, quiet_cases[i], &m))
			fail_msg("%s: flagged as %s of %s", quiet_cases[i],
				 lookalike_technique_name(m.technique), m.protected_domain);
		assert_int_equal(m.technique, LOOKALIKE_NONE);
	}
	assert_false(lookalike_check(set, NULL, NULL));
	assert_true(lookalike_check(set, "exmaple.com", NULL));
	lookalike_set_free(&set);
}

/* Listing the brand's other domain silences the glued-word match. */
static void test_owner_lists_its_domains(void **state)
{
	static const char *const own[] = { "microsoft.com", "microsoftonline.com" };
	struct lookalike_set *set = NULL;

	(void)state;
	assert_int_equal(lookalike_set_new(own, ARRAY_LEN(own), &set, NULL), LG_OK);
	assert_false(lookalike_check(set, "login.microsoftonline.com", NULL));
	assert_true(lookalike_check(set, "microsoftonline-login.com", NULL));
	lookalike_set_free(&set);
}

static void test_is_protected(void **state)
{
	static const struct {
		const char *domain;
		bool want;
	} cases[] = {
		{ "example.com", true },
		{ "mail.example.com", true },
		{ "MAIL.EXAMPLE.COM.", true },
		{ "badexample.com", false },
		{ "example.com.evil.net", false },
		{ "xn--pple-43d.com", false },
		{ "login.contoso.com", true },
		{ "a.login.contoso.com", true },
		{ "www.contoso.com", false },
		{ "xn--bcher-kva.de", true },
		{ "B\xc3\x9c" "CHER.de", true },
		{ "", false },
	};
	struct lookalike_set *set = new_set();
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		if (lookalike_is_protected(set, cases[i].domain) != cases[i].want)
			fail_msg("lookalike_is_protected(\"%s\") should be %d", cases[i].domain,
				 cases[i].want);
	assert_false(lookalike_is_protected(set, NULL));
	lookalike_set_free(&set);
}

static void test_mixed_script(void **state)
{
	static const struct {
		const char *domain;
		bool want;
	} cases[] = {
		{ "\xd0\xb0pple.com", true },                 /* Latin + Cyrillic a */
		{ "xn--pple-43d.com", true },
		{ "paypal\xce\xb1.com", true },               /* Latin + Greek alpha */
		{ "\xe2\x98\x83.com", true },                 /* a symbol UTS #39 restricts */
		{ "example.com", false },
		{ "EXAMPLE.com", false },
		/* one script per label is ordinary, even when it imitates Latin:
		 * whole-script "аррӏе" is the confusable check's to catch */
		{ "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84", false },
		{ "xn--e1afmkfd.xn--p1ai", false },
		{ "\xd0\xb0\xd1\x80\xd1\x80\xd3\x8f\xd0\xb5.com", false },
		{ "\xd1\x95\xd1\x81\xd0\xbe\xd1\x80\xd0\xb5.com", false },
		{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.jp", false }, /* 日本語.jp */
		{ "abc\xe6\x97\xa5\xe6\x9c\xac.jp", false },          /* Latin + Han is allowed */
		{ "b\xc3\xbc" "cher.de", false },
		{ "", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		if (lookalike_mixed_script(cases[i].domain) != cases[i].want)
			fail_msg("lookalike_mixed_script(\"%s\") should be %d", cases[i].domain,
				 cases[i].want);
	assert_false(lookalike_mixed_script(NULL));
}

static void test_bad_config(void **state)
{
	static const char *const bad[] = { "com", "co.uk", "1.2.3.4", "bad..domain", "", "xn--zz.com" };
	struct lookalike_set *set = NULL;
	struct errbuf err = { "" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		const char *one[] = { "example.com", bad[i] };

		err.msg[0] = '\0';
		assert_int_equal(lookalike_set_new(one, 2, &set, &err), LG_ECONFIG);
		assert_null(set);
		if (!strstr(err.msg, "protected domain"))
			fail_msg("error for \"%s\" does not name it: %s", bad[i], err.msg);
	}
	assert_int_equal(lookalike_set_new(NULL, 0, &set, &err), LG_OK);
	assert_false(lookalike_check(set, "exmaple.com", NULL));
	assert_false(lookalike_is_protected(set, "example.com"));
	lookalike_set_free(&set);
	lookalike_set_free(&set); /* NULL is a no-op */
}

static void test_technique_names(void **state)
{
	(void)state;
	assert_string_equal(lookalike_technique_name(LOOKALIKE_NONE), "none");
	assert_string_equal(lookalike_technique_name(LOOKALIKE_CONFUSABLE), "confusable");
	assert_string_equal(lookalike_technique_name(LOOKALIKE_CHARACTER_TRICK), "character-trick");
	assert_string_equal(lookalike_technique_name(LOOKALIKE_EDIT_DISTANCE), "edit-distance");
	assert_string_equal(lookalike_technique_name(LOOKALIKE_TLD_SWAP), "tld-swap");
	assert_string_equal(lookalike_technique_name(LOOKALIKE_BRAND_EMBEDDED), "brand-embedded");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fires),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_owner_lists_its_domains),
		cmocka_unit_test(test_is_protected),
		cmocka_unit_test(test_mixed_script),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_technique_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
