/* test_urgency.c: pressure phrases match on word boundaries, case-folded;
 * the one folding (normal.h) brings styled, full-width, accented, hidden and
 * look-alike letters to the same phrases; the shipped language files load. */
#include "testutil.h"

#include <unistd.h>

#include "detect/normal.h"
#include "detect/urgency.h"
#include "util/alloc.h"

static void test_phrases(void **state)
{
	static const struct {
		const char *text;
		enum urgency_category cat;
		unsigned count; /* 0: must not match */
	} cases[] = {
		{"Please respond within 24 hours or else", URGENCY_DEADLINE, 1},
		{"Your account WILL BE SUSPENDED today", URGENCY_SUSPENSION, 2}, /* two phrases */
		{"Could you buy some Gift Cards for the team?", URGENCY_GIFTCARD, 1},
		{"confirm your password\nbelow", URGENCY_CREDENTIAL, 1},
		{"please keep this   between us", URGENCY_SECRECY, 1},
		{"We have new bank details for the invoice", URGENCY_PAYMENT, 1},
		{"the regift cardinal", URGENCY_GIFTCARD, 0},           /* inside words */
		{"within 24 hoursly", URGENCY_DEADLINE, 0},
		{"a wire transferred", URGENCY_PAYMENT, 0},
		{"Don\xe2\x80\x99t tell anyone", URGENCY_SECRECY, 1},  /* typographic apostrophe */
	};
	struct urgency *u = NULL;
	struct errbuf err;

	(void)state;
	assert_int_equal(urgency_new(NULL, &u, &err), LG_OK);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t n = strlen(cases[i].text);
		char *folded = malloc(n + 1);
		struct urgency_hits hits;

		urgency_scan(u, folded, urgency_fold(cases[i].text, n, folded), &hits);
		if (hits.count[cases[i].cat] != cases[i].count)
			fail_msg("case %zu '%s': %u hits, want %u", i, cases[i].text, hits.count[cases[i].cat], cases[i].count);
		free(folded);
	}
	urgency_free(&u);
	assert_null(u);
}

static void test_phrase_file(void **state)
{
	char path[] = "/tmp/lg-urgency-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct urgency *u = NULL;
	struct errbuf err = {""};
	struct urgency_hits hits;
	char folded[64];

	(void)state;
	fputs("# extra\npayment: settle today\n", f);
	fclose(f);
	assert_int_equal(urgency_new(path, &u, &err), LG_OK);
	urgency_scan(u, folded, urgency_fold("Please SETTLE TODAY", 19, folded), &hits);
	assert_int_equal(hits.count[URGENCY_PAYMENT], 1);
	urgency_free(&u);

	f = fopen(path, "w");
	fputs("bogus: words\n", f);
	fclose(f);
	assert_int_equal(urgency_new(path, &u, &err), LG_EPARSE);
	assert_non_null(strstr(err.msg, ":1:"));
	unlink(path);
}

static void test_fold(void **state)
{
	static const struct {
		const char *text, *want;
		unsigned styled, invisible, bidi, homoglyphs;
	} cases[] = {
		{"Plain  ASCII\ttext", "plain ascii text", 0, 0, 0, 0},
		/* mathematical sans-serif bold */
		{"\xf0\x9d\x97\xac\xf0\x9d\x97\xbc\xf0\x9d\x98\x82\xf0\x9d\x97\xbf", "your", 4, 0, 0, 0},
		/* full-width */
		{"\xef\xbc\xb0\xef\xbd\x81\xef\xbd\x99", "pay", 3, 0, 0, 0},
		/* accents dropped, sharp s folded */
		{"Voc\xc3\xaa est\xc3\xa1 Stra\xc3\x9f" "e", "voce esta strasse", 0, 0, 0, 0},
		/* zero-width space and soft hyphen inside words; the soft hyphen is not counted */
		{"acc\xe2\x80\x8bount ver\xc2\xadify", "account verify", 0, 1, 0, 0},
		/* right-to-left override */
		{"invoice\xe2\x80\xaetxt.exe", "invoicetxt.exe", 0, 1, 1, 0},
		/* Cyrillic o and A inside Latin words */
		{"Y\xd0\xbeur \xd0\x90pple", "your apple", 0, 0, 0, 2},
		/* a Cyrillic word is not a disguise */
		{"\xd0\xbe\xd1\x82\xd1\x87\xd1\x91\xd1\x82", NULL, 0, 0, 0, 0},
		/* emoji with variation selector and joiner: not hidden text */
		{"\xe2\x9d\xa4\xef\xb8\x8f \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x92\xbb", NULL, 0, 0, 0, 0},
		/* typographic apostrophe */
		{"Don\xe2\x80\x99t", "don't", 0, 0, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct normal_stats st = {0};
		size_t n;
		char *f = normal_fold(cases[i].text, strlen(cases[i].text), &n, &st);

		assert_int_equal(n, strlen(f));
		if (cases[i].want && strcmp(f, cases[i].want) != 0)
			fail_msg("case %zu: folded to '%s', want '%s'", i, f, cases[i].want);
		if (st.styled != cases[i].styled || st.invisible != cases[i].invisible || st.bidi != cases[i].bidi ||
		    st.homoglyphs != cases[i].homoglyphs)
			fail_msg("case %zu: styled %u invisible %u bidi %u homoglyphs %u", i, st.styled, st.invisible,
				 st.bidi, st.homoglyphs);
		lg_free(f);
	}
}

/* The shipped phrase files (data/phrases) load, and each language's lure
 * meets its category once folded; plain mail in those languages does not. */
static void test_languages(void **state)
{
	static const char *const langs[] = {"de", "en", "es", "fr", "it", "nl", "pt"};
	static const struct {
		const char *text;
		enum urgency_category cat;
		bool hit;
	} cases[] = {
		{"Sua encomenda est\xc3\xa1 retida: pague a taxa de importa\xc3\xa7\xc3\xa3o", URGENCY_DELIVERY, true},
		{"Voce possui saldo disponivel para resgate", URGENCY_PRIZE, true},
		{"Ihr Konto wird gesperrt", URGENCY_SUSPENSION, true},
		{"Bevestig uw gegevens", URGENCY_CREDENTIAL, true},
		{"Il tuo pacco \xc3\xa8 in giacenza", URGENCY_DELIVERY, true},
		{"Confirmez vos coordonn\xc3\xa9" "es bancaires", URGENCY_CREDENTIAL, true},
		{"Su cuenta ser\xc3\xa1 suspendida", URGENCY_SUSPENSION, true},
		{"\xf0\x9d\x97\xac\xf0\x9d\x97\xbc\xf0\x9d\x98\x82 have won", URGENCY_PRIZE, true},
		{"Die Besprechung ist am Montag im Raum 4", URGENCY_SUSPENSION, false},
		{"Segue o relat\xc3\xb3rio do projeto", URGENCY_PRIZE, false},
		{"The direct route is shorter", URGENCY_DEADLINE, false},
	};
	const char *paths[ARRAY_LEN(langs)];
	char buf[ARRAY_LEN(langs)][256];
	struct urgency *u = NULL;
	struct errbuf err = {""};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(langs); i++) {
		snprintf(buf[i], sizeof(buf[i]), "%s/phrases/%s.txt", LG_SOURCE_DATA_DIR, langs[i]);
		paths[i] = buf[i];
	}
	if (urgency_new_files(paths, ARRAY_LEN(paths), &u, &err))
		fail_msg("loading the phrase files: %s", err.msg);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct urgency_hits hits;
		size_t n;
		char *f = normal_fold(cases[i].text, strlen(cases[i].text), &n, NULL);

		urgency_scan(u, f, n, &hits);
		if ((hits.count[cases[i].cat] > 0) != cases[i].hit)
			fail_msg("case %zu '%s': %u hits", i, cases[i].text, hits.count[cases[i].cat]);
		lg_free(f);
	}
	urgency_free(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phrases),
		cmocka_unit_test(test_phrase_file),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_languages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
