/* test_config.c: the INI reader — defaults, typed values, relative paths,
 * and clear errors for what is wrong. */
#include "testutil.h"

#include <unistd.h>

#include "util/config.h"

static char *write_tmp(const char *text)
{
	static char path[64];
	int fd;
	FILE *f;

	strcpy(path, "/tmp/lg-config-XXXXXX");
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_defaults(void **state)
{
	struct config cfg;

	(void)state;
	config_defaults(&cfg);
	assert_true(cfg.brands.n > 10);
	assert_string_equal(cfg.action_phishing, "quarantine");
	assert_true(cfg.threshold_suspicious > 0);
	assert_int_equal(cfg.trusted_relays.n, 2);
	config_cleanup(&cfg);
}

static void test_values_and_relative_paths(void **state)
{
	char *path = write_tmp("[protect]\ndomains = example.com , fabrikam.com,\n"
			       "[thresholds]\nsuspicious = 3.5\n[lists]\nblocked_ips = ips.txt\n"
			       "[weights]\nLOOKALIKE_SENDER = 9\n");
	struct config cfg;
	struct errbuf err = {""};

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(config_load(&cfg, path, &err), LG_OK);
	assert_int_equal(cfg.protect_domains.n, 2);
	assert_string_equal(cfg.protect_domains.items[1], "fabrikam.com");
	assert_true(cfg.threshold_suspicious == 3.5);
	assert_string_equal(cfg.blocked_ips_file, "/tmp/ips.txt");
	assert_int_equal(cfg.nweights, 1);
	assert_string_equal(cfg.weights[0].value, "9");
	config_cleanup(&cfg);
	unlink(path);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text, *needle;
		enum lg_status rc;
	} cases[] = {
		{"[thresholds]\nspam = lots\n", "not a number", LG_ECONFIG},
		{"[protect]\ndomain = typo.example\n", "unknown key 'domain'", LG_ECONFIG},
		{"[nonsense]\na = b\n", "unknown section", LG_ECONFIG},
		{"this is not ini\n", "", LG_ECONFIG},
	};
	struct config cfg;
	struct errbuf err;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *path = write_tmp(cases[i].text);

		config_defaults(&cfg);
		assert_int_equal(config_load(&cfg, path, &err), cases[i].rc);
		assert_non_null(strstr(err.msg, path));
		assert_non_null(strstr(err.msg, cases[i].needle));
		config_cleanup(&cfg);
		unlink(path);
	}
	config_defaults(&cfg);
	assert_int_equal(config_load(&cfg, "/nonexistent/leakguard.conf", &err), LG_EIO);
	config_cleanup(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values_and_relative_paths),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
