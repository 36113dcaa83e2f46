/* test_brands.c: the brand catalogue (data/brands.tsv) knows every domain a
 * brand sends from and finds its names in folded text; the hosting list
 * (data/hosting.tsv) finds hosts under a listed service; bad files are
 * refused naming file:line. */
#include "testutil.h"

#include <unistd.h>

#include "detect/brands.h"
#include "detect/hosting.h"
#include "detect/normal.h"
#include "util/alloc.h"

static struct brand_catalogue *shipped(void)
{
	struct brand_catalogue *c = brands_new();
	struct errbuf err = {""};

	if (brands_load(c, LG_SOURCE_DATA_DIR "/brands.tsv", &err))
		fail_msg("loading the catalogue: %s", err.msg);
	return c;
}

static void test_owner(void **state)
{
	static const struct {
		const char *domain, *brand; /* NULL: nobody's */
	} cases[] = {
		{"dhl.de", "DHL"},          {"mail.dhl.com", "DHL"},       {"docusign.net", "DocuSign"},
		{"account.live.com", "Microsoft"}, {"correios.com.br", "Correios"}, {"ah.nl", "Albert Heijn"},
		{"metamask.io", "MetaMask"}, {"dhl-paket.info", NULL},      {"correiosb.com", NULL},
		{"notdhl.de", NULL},
	};
	struct brand_catalogue *c = shipped();

	(void)state;
	assert_true(brands_count(c) >= 300);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct brand_entry *b = brands_owner(c, cases[i].domain);

		if (!cases[i].brand ? b != NULL : !b || strcmp(b->name, cases[i].brand) != 0)
			fail_msg("%s: owner %s, want %s", cases[i].domain, b ? b->name : "none",
				 cases[i].brand ? cases[i].brand : "none");
	}
	assert_true(brands_owns(brands_owner(c, "dhl.com"), "dhl.de"));
	brands_free(&c);
	assert_null(c);
}

static void test_named(void **state)
{
	static const struct {
		const char *text, *brand;
		bool leading;
	} cases[] = {
		{"Pontos Bradesco", "Bradesco", false},
		{"\xf0\x9d\x97\x97\xf0\x9d\x97\x9b\xf0\x9d\x97\x9f Express", "DHL", true}, /* bold DHL */
		{"Importante - Correios", "Correios", false},
		{"Albert-Heijn Cadeaucentrum!. .ZYIVB", "Albert Heijn", true},
		{"Target Rewards", "Target", true},      /* lead-only alias at the start */
		{"Shooting at the target", NULL, false}, /* ... and not elsewhere */
		{"Tim Peters", NULL, false},             /* a first name is no brand */
		{"paypalmerchant", NULL, false},         /* inside a word */
	};
	struct brand_catalogue *c = shipped();

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t n;
		char *f = normal_fold(cases[i].text, strlen(cases[i].text), &n, NULL);
		bool leading;
		const struct brand_entry *b = brands_named(c, f, n, &leading);

		if (!cases[i].brand ? b != NULL : !b || strcmp(b->name, cases[i].brand) != 0 || leading != cases[i].leading)
			fail_msg("'%s': %s (leading %d)", cases[i].text, b ? b->name : "none", b ? leading : 0);
		lg_free(f);
	}
	/* [protect] brands: a domain nobody owns becomes a brand of its own. */
	brands_add_domain(c, "fabrikam-bank.example");
	assert_non_null(brands_owner(c, "www.fabrikam-bank.example"));
	brands_free(&c);
}

static void test_bad_files(void **state)
{
	char path[] = "/tmp/lg-brands-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct brand_catalogue *c = brands_new();
	struct hosting_list *h = NULL;
	struct errbuf err = {""};

	(void)state;
	fputs("# ok\nAcme\tretail\tacme.example\n\nBroken line without tabs\n", f);
	fclose(f);
	assert_int_equal(brands_load(c, path, &err), LG_EPARSE);
	assert_non_null(strstr(err.msg, ":4:"));
	assert_int_equal(hosting_load(path, &h, &err), LG_EPARSE);
	assert_null(h);
	unlink(path);
	assert_int_equal(brands_load(c, path, &err), LG_EIO);
	brands_free(&c);
}

static void test_hosting(void **state)
{
	static const struct {
		const char *host;
		const char *has; /* part of the description, NULL: not listed */
	} cases[] = {
		{"metamask-verify.firebaseapp.com", "Firebase"},
		{"mbx8841.blob.core.windows.net", "public Azure storage account"},
		{"ah-cadeau.pages.dev", "Cloudflare Pages"},
		{"sites.google.com", "Google Sites"},
		{"www.google.com", NULL},
		{"windows.net", NULL},
	};
	struct hosting_list *h = NULL;
	struct errbuf err = {""};

	(void)state;
	if (hosting_load(LG_SOURCE_DATA_DIR "/hosting.tsv", &h, &err))
		fail_msg("loading the hosting list: %s", err.msg);
	assert_true(hosting_count(h) >= 100);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const char *what = hosting_lookup(h, cases[i].host, NULL);

		if (!cases[i].has ? what != NULL : !what || !strstr(what, cases[i].has))
			fail_msg("%s: '%s'", cases[i].host, what ? what : "not listed");
	}
	hosting_free(&h);
	assert_null(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_named),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_hosting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
