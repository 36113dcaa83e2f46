/* test_leak.c: leak extraction (addresses, phones, names, redaction), the
 * readers (text/combo, CSV, JSON, mail) on good and corrupt bytes, and the
 * segment format (sorting, constant-work search, write and reopen). */
#include "testutil.h"

#include <stdbool.h>
#include <unistd.h>

#include "leak/extract.h"
#include "leak/reader.h"
#include "leak/record.h"
#include "leak/segment.h"
#include "mail/message.h"
#include "util/buf.h"

static void test_email(void **state)
{
	static const struct {
		const char *in, *want; /* want NULL: no address */
	} cases[] = {
		{"Jane.Doe@Example.COM", "jane.doe@example.com"},
		{"mailto:bob@x.org", "bob@x.org"},
		{"<carol+tag@sub.example.co.uk>", "carol+tag@sub.example.co.uk"},
		{"contact: dave@example.com.", "dave@example.com"},
		{"o'corrain@cmg.com", "o'corrain@cmg.com"},
		{"no address here", NULL},
		{"a@b", NULL},
		{"x@localhost", NULL},
		{"x..y@example.com", NULL},
		{"@example.com", NULL},
		{"user@-bad.com", NULL},
		{"user@example.c0m", NULL},
	};
	char out[LEAK_MAX_EMAIL + 1];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t at = 0, n = leak_email_norm(cases[i].in, strlen(cases[i].in), out, &at);

		if (!cases[i].want) {
			if (n)
				fail_msg("\"%s\": got \"%s\", want none", cases[i].in, out);
			continue;
		}
		if (!n || strcmp(out, cases[i].want) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", cases[i].in, n ? out : "(none)", cases[i].want);
		assert_int_equal(out[at], '@');
	}
}

static void test_phone(void **state)
{
	static const struct {
		const char *in;
		int cc;
		const char *want;
	} cases[] = {
		{"+49 30 1234567", 0, "+49301234567"},
		{"+49 (0)30 1234-567", 0, "+49301234567"},
		{"0049 30 1234567", 0, "+49301234567"},
		{"030 1234567", 49, "+49301234567"},
		{"030 1234567", 0, "0301234567"},
		{"(555) 123-4567", 1, "+15551234567"},
		{"+1 555 123 4567", 0, "+15551234567"},
		{"12345", 0, NULL},
		{"call me", 0, NULL},
		{"+123456789012345678", 0, NULL},
	};
	char out[LEAK_MAX_PHONE + 1];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t n = leak_phone_norm(cases[i].in, strlen(cases[i].in), cases[i].cc, out);

		if (!cases[i].want ? n != 0 : (!n || strcmp(out, cases[i].want) != 0))
			fail_msg("\"%s\" cc %d: got \"%s\", want \"%s\"", cases[i].in, cases[i].cc, n ? out : "(none)",
				 cases[i].want ? cases[i].want : "(none)");
	}
	assert_int_equal(leak_cc_of_tld("example.de"), 49);
	assert_int_equal(leak_cc_of_country("Germany", 7), 49);
	assert_int_equal(leak_cc_of_country("UK", 2), 44);
}

static void test_names(void **state)
{
	static const struct {
		const char *in;
		bool person;
		const char *want;
	} cases[] = {
		{"  Jane   Doe ", true, "jane doe"},
		{"Doe, Jane", true, "jane doe"},
		{"\"Ren\xc3\xa9 Dupont\"", true, "ren\xc3\xa9 dupont"},
		{"R2D2", true, NULL},
		{"a@b.c", true, NULL},
		{"Partner, Ltd", false, "partner, ltd"},
		{"\xff\xfe", true, NULL},
	};
	char out[LEAK_MAX_NAME + 1];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t n = leak_name_norm(cases[i].in, strlen(cases[i].in), cases[i].person, out);

		if (!cases[i].want ? n != 0 : (!n || strcmp(out, cases[i].want) != 0))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", cases[i].in, n ? out : "(none)",
				 cases[i].want ? cases[i].want : "(none)");
	}
	assert_true(leak_looks_like_name("Irene Adler", 11));
	assert_false(leak_looks_like_name("Best regards", 12));
	assert_false(leak_looks_like_name("see you", 7));
}

static void test_redact(void **state)
{
	static const struct {
		const char *line;
		const char *hit;
		bool password;
		const char *want_in, *never;
	} cases[] = {
		{"alice@example.com:Secret123", "alice", false, "a***@example.com:[password]", "Secret123"},
		{"alice@example.com:Secret123", "alice", true, "a***@example.com [password present]", "Secret"},
		{"Jane,jane@example.com,+49 30 1234567", "jane@", false, "j***@example.com", "1234567"},
		{"bad \xff\xfe bytes bob@x.org", "bob", false, "b***@x.org", "\xff"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf b;
		const char *l = cases[i].line;

		buf_init(&b);
		leak_redact(l, strlen(l), (size_t)(strstr(l, cases[i].hit) - l), cases[i].password, &b);
		if (!strstr(b.data, cases[i].want_in) || strstr(b.data, cases[i].never))
			fail_msg("redact \"%s\": got \"%s\"", l, b.data);
		assert_true(b.len <= LEAK_SNIPPET_MAX + 40);
		buf_cleanup(&b);
	}
}

struct errs {
	int n;
	uint64_t lines[8];
};

static void on_err(void *ctx, uint64_t pos, uint64_t line, const char *why)
{
	struct errs *e = ctx;

	(void)pos, (void)why;
	if (e->n < 8)
		e->lines[e->n] = line;
	e->n++;
}

static size_t count_kind(const struct leak_collector *c, enum leak_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nentries; i++)
		n += leak_entry_kind(&c->entries[i]) == k && c->entries[i].group != LEAK_GROUP_PHONE;
	return n;
}

static void test_readers(void **state)
{
	static const struct {
		const char *name;
		const char *data;
		size_t emails, phones, names, orgs;
		int errors;
		uint64_t err_line;
		size_t passwords; /* entries flagged */
	} cases[] = {
		{"c.txt", "a@example.com:pw\nb@example.org;x\nnothing\n+49 30 1234567 c@example.de\n", 3, 1, 0, 0, 0, 0, 2},
		{"p.csv", "Name,Email,Phone,Company\n\"Doe, Jane\",jane@example.com,030 1234,Acme\n"
			  "\"multi\nline\",m@example.com,,\n", 2, 1, 1, 1, 0, 0, 0},
		{"q.csv", "email,name\n\"oops@example.com,Open\nok@example.com,Ok\n", 1, 0, 1, 0, 1, 2, 0},
		{"n.csv", "x@example.com;+49 30 1234567;whatever\n", 1, 1, 0, 0, 0, 0, 0},
		{"u.jsonl", "{\"email\":\"a@example.com\",\"first_name\":\"Ann\",\"last_name\":\"Lee\"}\n{\"email\": \n"
			    "{\"contacts\":[{\"email\":\"b@example.com\"},{\"email\":\"c@example.com\",\"company\":\"Acme\"}]}\n",
		 3, 0, 1, 1, 1, 2, 0},
		{"t.json", "[{\"email\":\"a@example.com\"}, {\"email\":\"b@exam", 1, 0, 0, 0, 1, 1, 0},
		{"d.json", "{\n \"users\": [\n  {\"mail\": \"z@example.com\", \"password\": \"x\"}\n ]\n}\n", 1, 0, 0, 0, 0, 0, 1},
		{"m.eml", "From: \"Ann Lee\" <ann@example.com>\nTo: Bob <bob@example.org>\nSubject: x\n\nhi\n\n-- \nAnn Lee\nTel: +1 555 123 4567\n",
		 2, 1, 3, 0, 0, 0, 0}, /* Ann Lee twice: header and signature (one distinct) */
		{"x.mbox", "From a@b Mon Jan 1 00:00:00 2024\nFrom: a@example.com\n\nx\n\nFrom b@c Mon Jan 1 00:00:00 2024\nFrom: b@example.com\n\ny\n",
		 2, 0, 0, 0, 0, 0, 0},
		{"bin.dat", "\0\0\xff\xfe\0 a@example.com\0", 1, 0, 0, 0, 0, 0, 0},
	};

	(void)state;
	mail_init();
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct leak_collector c;
		struct errs e = {0};
		size_t len = strlen(cases[i].data), pw = 0;

		if (strcmp(cases[i].name, "bin.dat") == 0)
			len = 20;
		leak_collector_init(&c);
		c.error = on_err;
		c.error_ctx = &e;
		leak_read(leak_format_sniff(cases[i].name, cases[i].data, len), cases[i].data, len, &c);
		for (size_t k = 0; k < c.nentries; k++)
			pw += (leak_entry_flags(&c.entries[k]) & LEAK_FLAG_PASSWORD) != 0;
		if (count_kind(&c, LEAK_EMAIL) != cases[i].emails || count_kind(&c, LEAK_PHONE) != cases[i].phones ||
		    count_kind(&c, LEAK_NAME) != cases[i].names || count_kind(&c, LEAK_ORG) != cases[i].orgs ||
		    e.n != cases[i].errors || (e.n && e.lines[0] != cases[i].err_line) || pw != cases[i].passwords)
			fail_msg("%s: emails %zu phones %zu names %zu orgs %zu errors %d (line %llu) passwords %zu",
				 cases[i].name, count_kind(&c, LEAK_EMAIL), count_kind(&c, LEAK_PHONE),
				 count_kind(&c, LEAK_NAME), count_kind(&c, LEAK_ORG), e.n,
				 (unsigned long long)(e.n ? e.lines[0] : 0), pw);
		leak_collector_cleanup(&c);
	}
	mail_shutdown();
}

static void test_segment(void **state)
{
	enum { N = 5000 };
	struct leak_entry *e = calloc(N, sizeof(*e));
	char path[] = "/tmp/leakguard-test-seg-XXXXXX";
	struct leak_segment *s = NULL;
	struct errbuf err;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < N; i++) {
		e[i].group = (uint32_t)(i * 2654435761u) % 97;
		e[i].value = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
		e[i].meta = leak_meta(LEAK_EMAIL, 0, (uint32_t)i);
	}
	leak_entries_sort(e, N);
	for (size_t i = 1; i < N; i++)
		assert_true(e[i - 1].group < e[i].group || (e[i - 1].group == e[i].group && e[i - 1].value <= e[i].value));
	assert_int_equal(leak_segment_write(path, 1, 0, e, N, &err), LG_OK);
	assert_int_equal(leak_segment_open(path, &s, &err), LG_OK);
	assert_int_equal(leak_segment_count(s), N);
	assert_true(leak_segment_verify(s));
	for (size_t i = 0; i < N; i += 37) {
		size_t lb = leak_segment_lower_bound(s, e[i].group, e[i].value);

		assert_int_equal(leak_segment_entries(s)[lb].value, e[i].value);
	}
	assert_int_equal(leak_segment_lower_bound(s, 1000, 0), N);
	assert_int_equal(leak_segment_lower_bound(s, 0, 0), 0);
	leak_segment_close(&s);
	/* a damaged (truncated) segment is refused */
	assert_int_equal(truncate(path, 64 + 24 * 10 + 5), 0);
	assert_int_equal(leak_segment_open(path, &s, &err), LG_EPARSE);
	unlink(path);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email),  cmocka_unit_test(test_phone),   cmocka_unit_test(test_names),
		cmocka_unit_test(test_redact), cmocka_unit_test(test_readers), cmocka_unit_test(test_segment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
