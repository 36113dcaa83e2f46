/* test_auth.c: what the MTA tells the engine (engine_check_smtp): the
 * client address stands in for a Received header the MTA did not show, and
 * an SMTP AUTH login clears own-domain spoofing. Table-driven. */
#include "testutil.h"

#include "detect/engine.h"
#include "mail/message.h"
#include "util/config.h"

static const char *const no_trace =
	"From: Jane Doe <jane.doe@example.com>\r\n"
	"To: ap@example.com\r\n"
	"Subject: Payment today\r\n"
	"Message-ID: <1@x>\r\n"
	"\r\n"
	"Please send the wire transfer today.\r\n";

static void test_engine_smtp(void **state)
{
	static const struct {
		const char *client_ip, *auth_user;
		bool spoofed;
	} cases[] = {
		{NULL, NULL, false},            /* nothing known about the route */
		{"203.0.113.9", NULL, true},    /* outside, no login */
		{"203.0.113.9", "jane", false}, /* outside, logged in */
		{"127.0.0.1", NULL, false},     /* one of our relays */
	};
	struct config cfg;
	struct engine *e = NULL;
	struct errbuf err;

	(void)state;
	mail_init();
	config_defaults(&cfg);
	config_list_set(&cfg.protect_domains, "example.com");
	assert_int_equal(engine_new(&cfg, &e, &err), LG_OK);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct mail_message *msg = mail_message_parse(no_trace, strlen(no_trace));
		struct engine_smtp smtp = {.client_ip = cases[i].client_ip, .auth_user = cases[i].auth_user};
		struct verdict v;

		engine_check_smtp(e, msg, &smtp, &v);
		if ((signal_has(&v.signals, SIG_OWN_DOMAIN_SPOOFED) != 0) != cases[i].spoofed)
			fail_msg("case %zu: OWN_DOMAIN_SPOOFED want %d", i, cases[i].spoofed);
		mail_message_free(&msg);
	}
	engine_free(&e);
	config_cleanup(&cfg);
	mail_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_smtp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
