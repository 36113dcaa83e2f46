/* test_notify.c: leak notices (src/notify/compose.c, src/store/notify_sqlite.c):
 * the words of a notice (counts, digests, advice, only the portal's links,
 * a hostile source name kept on one line), the unsubscribe token, and the
 * queue's exactly-once key. */
#include "testutil.h"

#include <unistd.h>

#include "notify/compose.h"
#include "portal/token.h"
#include "store/notify.h"
#include <glib.h>

#include "util/alloc.h"

static struct facts_source acme = {.name = "crm", .date = "2026-11-02",
				   .distinct = {0, 12, 3, 5, 1}, .occurrences = 40, .with_password = 7, .documents = 2};
static struct facts_source beta = {.name = "crm", .distinct = {0, 1, 0, 0, 0}, .occurrences = 1};
static struct facts_source mine = {.name = "crm", .k_password = true, .k_phone = true};

struct compose_case {
	enum notify_mode mode;
	struct notify_item items[3];
	size_t n;
	const char *source, *subject;
	const char *has[4];   /* in the body */
	const char *hasnt[2]; /* never in the body */
};

static const struct compose_case cases[] = {
	{NOTIFY_SUBSCRIBER, {{"acme.test", &acme}}, 1, "crm", "Data of acme.test is in a data leak (crm)",
	 {"  acme.test: 12 addresses, 3 phone numbers, 5 people's names, 1 organisation name, 2 documents or files\n",
	  "    7 of its mentions in records that also held a password\n", "https://p.test/dashboard/acme.test\n",
	  "Expect phishing that quotes what leaked"},
	 {"Your address", "/domain\n"}},
	{NOTIFY_SUBSCRIBER, {{"acme.test", &acme}, {"beta.test", &beta}}, 2, "crm",
	 "Data of 2 of your domains is in a data leak (crm)",
	 {"  beta.test: 1 address\n", "https://p.test/dashboard/beta.test\n", "https://p.test/dashboard/acme.test\n",
	  "Block the senders"},
	 {"password\n    ", NULL}},
	{NOTIFY_SUBSCRIBER, {{NULL, &mine}}, 1, "crm", "Your address is in a data leak (crm)",
	 {"Your address is in it, together with a password and a phone number.\n", "https://p.test/\n",
	  "Report every such mail", NULL},
	 {"dashboard", NULL}},
	{NOTIFY_OWNER, {{"acme.test", &acme}}, 1, "crm", "Data of acme.test is in a data leak (crm)",
	 {"data that we held was exposed", "https://p.test/domain\n", ", and to us", NULL},
	 {"dashboard", NULL}},
	/* a source name with a line break stays one header line */
	{NOTIFY_SUBSCRIBER, {{"beta.test", &beta}}, 1, "a\r\nBcc: x@evil.test", NULL, {NULL}, {"\nBcc:", NULL}},
};

static void test_compose(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct compose_case *c = &cases[i];
		struct buf subject, body;

		buf_init(&subject);
		buf_init(&body);
		notify_compose(c->mode, c->source, c->items[0].f->date, c->items, c->n, "https://p.test", &subject, &body);
		if (c->subject)
			assert_string_equal(subject.data, c->subject);
		assert_null(strpbrk(subject.data, "\r\n"));
		for (size_t k = 0; k < 4 && c->has[k]; k++)
			if (!strstr(body.data, c->has[k]))
				fail_msg("case %zu: body lacks \"%s\":\n%s", i, c->has[k], body.data);
		for (size_t k = 0; k < 2 && c->hasnt[k]; k++)
			if (strstr(body.data, c->hasnt[k]) || strstr(subject.data, c->hasnt[k]))
				fail_msg("case %zu: notice holds \"%s\"", i, c->hasnt[k]);
		/* every link is the portal's */
		for (const char *p = body.data; (p = strstr(p, "://")) != NULL; p += 3)
			assert_true(p - body.data >= 5 && strncmp(p - 5, "https://p.test", 14) == 0);
		if (!strchr(c->source, '@'))
			assert_null(strchr(body.data, '@')); /* no address of the leak */
		buf_cleanup(&subject);
		buf_cleanup(&body);
	}
}

static void test_unsub_token(void **state)
{
	uint8_t k1[32] = {1}, k2[32] = {2};
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1], c[TOKEN_LEN + 1], d[TOKEN_LEN + 1];

	(void)state;
	notify_unsub_token(k1, 32, "a@x.test", a);
	notify_unsub_token(k1, 32, "a@x.test", b);
	notify_unsub_token(k1, 32, "b@x.test", c);
	notify_unsub_token(k2, 32, "a@x.test", d);
	assert_true(token_valid(a));
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
}

static void test_queue_once(void **state)
{
	char path[] = "/tmp/lg-notify-XXXXXX";
	int fd = mkstemp(path);
	struct notify_store *ns = NULL;
	struct notify_notice *v = NULL;
	struct errbuf err;
	int64_t counts[NOTIFY_STATES], n = 0;
	size_t nv = 0;
	bool added = false, yes = false;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(notify_store_open(path, &ns, &err), LG_OK);
	assert_int_equal(notify_notice_add(ns, "r@x.test", "s1", "subscriber", "S", "B", 1, &added, &err), LG_OK);
	assert_true(added);
	assert_int_equal(notify_notice_add(ns, "r@x.test", "s1", "subscriber", "S2", "B2", 2, &added, &err), LG_OK);
	assert_false(added);
	assert_int_equal(notify_notice_add(ns, "r@x.test", "s1", "owner", "S", "B", 1, &added, &err), LG_OK);
	assert_true(added);
	assert_int_equal(notify_due(ns, "s1", 10, 100, &v, &nv, &err), LG_OK);
	assert_int_equal(nv, 2);
	assert_string_equal(v[0].body, "B");
	assert_int_equal(notify_mark(ns, v[0].id, NOTIFY_SENT, 1, 0, "", 5, &err), LG_OK);
	assert_int_equal(notify_mark(ns, v[1].id, NOTIFY_QUEUED, 1, 100, "451 try later", 5, &err), LG_OK);
	notify_notices_free(&v, nv);
	assert_int_equal(notify_due(ns, NULL, 10, 100, &v, &nv, &err), LG_OK);
	assert_int_equal(nv, 0); /* the retry is not due before 100 */
	assert_int_equal(notify_counts(ns, "s1", counts, &err), LG_OK);
	assert_int_equal(counts[NOTIFY_SENT], 1);
	assert_int_equal(counts[NOTIFY_QUEUED], 1);
	assert_int_equal(notify_sent_since(ns, 5, &n, &err), LG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(notify_sub_add(ns, "address", "r@x.test", "r@x.test", "h1", &err), LG_OK);
	assert_int_equal(notify_sub_has(ns, "r@x.test", &yes, &err), LG_OK);
	assert_true(yes);
	assert_int_equal(notify_sub_del(ns, "nope", &n, &err), LG_OK);
	assert_int_equal(n, 0);
	assert_int_equal(notify_sub_del(ns, "h1", &n, &err), LG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(notify_sub_has(ns, "r@x.test", &yes, &err), LG_OK);
	assert_false(yes);
	notify_store_close(&ns);
	notify_store_close(&ns); /* NULL: a no-op */
	unlink(path);
	{
		char *wal = g_strconcat(path, "-wal", NULL), *shm = g_strconcat(path, "-shm", NULL);

		unlink(wal);
		unlink(shm);
		g_free(wal);
		g_free(shm);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compose),
		cmocka_unit_test(test_unsub_token),
		cmocka_unit_test(test_queue_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
