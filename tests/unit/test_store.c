/* test_store.c: store URLs — which backend a URL names, which it refuses
 * and how (store_check_url, store_open without a server), and the local
 * copy a shared store keeps (store_local_path). */
#include "testutil.h"

#include <unistd.h>

#include <glib.h>

#include "store/store.h"

static void test_urls(void **state)
{
	static const struct {
		const char *url;
		enum lg_status rc;
		bool shared;
	} cases[] = {
		{"/var/lib/leakguard/leakguard.db", LG_OK, false},
		{"relative/dir/x.db", LG_OK, false},
		{"sqlite:/tmp/x.db", LG_OK, false},
		{"C:x.db", LG_OK, false}, /* "SCHEME:" without "//" stays a file name */
		{"redis://127.0.0.1:6379/0", LG_OK, true},
		{"redis+sentinel://a:26379,b:26379/mymaster", LG_OK, true},
		{"redis+cluster://a:7000", LG_OK, true}, /* known; refused when opened */
		{"postgres://db/x", LG_ECONFIG, false},
		{"rediss://127.0.0.1:6379/0", LG_ECONFIG, false},
		{"REDIS-typo://h/0", LG_ECONFIG, false},
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct errbuf err = {""};
		bool shared = !cases[i].shared;

		assert_int_equal(store_check_url(cases[i].url, &shared, &err), cases[i].rc);
		if (cases[i].rc == LG_OK)
			assert_int_equal(shared, cases[i].shared);
		else
			assert_non_null(strstr(err.msg, "unknown scheme"));
	}
}

static void test_open_refusals(void **state)
{
	static const struct {
		const char *url, *says;
	} cases[] = {
		{"redis+cluster://127.0.0.1:1", "not supported yet"},
		{"redis://127.0.0.1:1/0", "cannot reach Redis at 127.0.0.1:1"},
		{"redis://127.0.0.1:1/zero", "bad database number"},
		{"redis://127.0.0.1:99999/0", "bad port"},
		{"redis://127.0.0.1:1/0?timeout_ms=0", "timeout_ms"},
		{"redis://127.0.0.1:1/0?color=red", "unknown option"},
		{"redis:127.0.0.1", "expected redis://HOST:PORT/DB"},
		{"redis+sentinel://127.0.0.1:1", "no master name"},
		{"redis://:hunter2@127.0.0.1:1/0", "***@127.0.0.1:1"},
		{"nosuch://x", "unknown scheme 'nosuch'"},
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct store *s = NULL;
		struct errbuf err = {""};

		assert_int_not_equal(store_open(cases[i].url, true, &s, &err), LG_OK);
		assert_null(s);
		if (!strstr(err.msg, cases[i].says))
			fail_msg("%s: '%s' does not say '%s'", cases[i].url, err.msg, cases[i].says);
		assert_null(strstr(err.msg, "hunter2"));
	}
}

static void test_local_path(void **state)
{
	char *p;

	setenv("LEAKGUARD_DB", "/tmp/lg-test-store/leakguard.db", 1);
	p = store_local_path("sqlite:/x/y.db");
	assert_string_equal(p, "/x/y.db");
	g_free(p);
	p = store_local_path("/x/y.db");
	assert_string_equal(p, "/x/y.db");
	g_free(p);
	p = store_local_path("redis://10.0.0.5:6379/0");
	assert_string_equal(p, "/tmp/lg-test-store/redis___10.0.0.5_6379_0.db");
	g_free(p);
	rmdir("/tmp/lg-test-store");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_open_refusals),
		cmocka_unit_test(test_local_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
