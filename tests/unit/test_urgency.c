/* test_urgency.c: pressure phrases match on word boundaries, case-folded. */
#include "testutil.h"

#include <unistd.h>

#include "detect/urgency.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phrases),
		cmocka_unit_test(test_phrase_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
