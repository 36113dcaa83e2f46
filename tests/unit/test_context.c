/* test_context.c: the leak context's pure parts — identifiers found and
 * normalised (context/extract.h), titles and subjects, the context store
 * written, read back and refused when damaged (context/store.h), quoted
 * participants (context/people.h), and the correspondent history's
 * bounds (context/history.h). */
#include "testutil.h"

#include <unistd.h>

#include <glib.h>

#include "context/extract.h"
#include "context/history.h"
#include "context/people.h"
#include "context/store.h"
#include "mail/message.h"

struct found {
	char items[16][128]; /* "kind:norm" */
	size_t n;
};

static void collect(void *ctx, enum ctx_kind kind, const char *norm, const char *orig, size_t olen)
{
	struct found *f = ctx;

	if (f->n < 16)
		snprintf(f->items[f->n++], sizeof(f->items[0]), "%d:%s", (int)kind, norm);
}

static void test_items(void **state)
{
	static const struct {
		const char *text;
		const char *want; /* items joined by " ", "" for none */
	} cases[] = {
		{"please pay invoice INV-2022-0413 today", "1:20220413"},
		{"Invoice no. 2022/0413", "1:20220413"},
		{"inv20220413 is overdue", "1:20220413"},
		{"our purchase order PO 4500018812", "2:4500018812"},
		{"Order #77120 shipped", "2:77120"},
		{"Contract No. FAB-EX-2022-118", "3:fabex2022118"},
		{"for Project Bluefin and Project Blue Harbor", "4:bluefin 4:blue harbor"},
		{"the Project Manager called", ""},            /* a role, not a project */
		{"the project bluefin", ""},                   /* not capitalised */
		{"call 0301234567 or see page 2022", ""},      /* numbers without an anchor */
		{"invoice\n\n12345", ""},                      /* a paragraph ends the anchor */
		{"order 12", ""},                              /* too short */
		{"invoice ABCDEF", ""},                        /* no digits */
		{"order 2022", ""},                            /* a year is no order number */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct found f = {.n = 0};
		char got[512] = "";

		ctx_items_scan(cases[i].text, strlen(cases[i].text), collect, &f);
		for (size_t k = 0; k < f.n; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", k ? " " : "", f.items[k]);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu '%s': got '%s', want '%s'", i, cases[i].text, got, cases[i].want);
	}
}

/* SipHash-2-4's published vector: key 00..0f, input 00..0e (15 bytes),
 * the family byte being the input's first. */
static void test_keyhash_vector(void **state)
{
	uint8_t key[CTX_KEY_LEN] = {0};
	char in[14];

	(void)state;
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 14; i++)
		in[i] = (char)(i + 1);
	assert_true(ctx_keyhash(key, 0, in, sizeof(in)) == 0xa129ca6149be45e5ULL);
	assert_true(ctx_keyhash(key, 1, in, sizeof(in)) != ctx_keyhash(key, 2, in, sizeof(in)));
}

static void test_titles(void **state)
{
	char out[CTX_MAX_NORM + 1];
	bool reply;

	(void)state;
	assert_int_not_equal(ctx_title_norm("dump/docs/Bluefin_Supply-Agreement 2022.docx", 45, true, out), 0);
	assert_string_equal(out, "bluefin supply agreement 2022");
	assert_int_not_equal(ctx_title_norm("a.zip!x/Q3 Plan.pdf", 19, true, out), 0);
	assert_string_equal(out, "q3 plan");
	assert_int_equal(ctx_title_norm("scan.pdf", 8, true, out), 0); /* too short to tell */
	assert_int_equal(ctx_title_norm("signature.asc", 13, true, out), 0); /* one word: a kind of file */
	assert_int_not_equal(ctx_title_norm("Re: Fwd: Bluefin Supply Agreement", 33, false, out), 0);
	assert_string_equal(out, "bluefin supply agreement");
	ctx_subject_norm("RE: [team] AW:  Q3   shipment schedule", &reply, out);
	assert_true(reply);
	assert_string_equal(out, "q3 shipment schedule");
	ctx_subject_norm("Fwd: Q3 plan", &reply, out);
	assert_false(reply);
}

static char *temp_db(void)
{
	char *dir = g_dir_make_tmp("lg-context-XXXXXX", NULL);
	char *db = g_build_filename(dir, "state.db", NULL);

	g_free(dir);
	return db;
}

/* Removes what a test left beside db, and db's directory. */
static void remove_dir(const char *db)
{
	char *dir = g_path_get_dirname(db);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, name, NULL);

		unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	rmdir(dir);
	g_free(dir);
}

static void test_store_roundtrip(void **state)
{
	uint8_t key[CTX_KEY_LEN];
	char *db = temp_db(), *path = ctx_store_path(db);
	struct ctx_builder *b;
	struct ctx_store *s = NULL;
	struct ctx_partner p;
	struct ctx_hit hit;
	struct errbuf err = {""};
	gchar *bytes = NULL;
	gsize len = 0;
	uint32_t src;

	(void)state;
	assert_int_equal(ctx_key_new(key, &err), LG_OK);
	b = ctx_builder_new(key);
	src = ctx_builder_source(b, "bluebleed-2022");
	assert_int_equal(ctx_builder_source(b, "bluebleed-2022"), src);
	ctx_builder_org(b, "Example.com");
	ctx_builder_partner(b, "fabrikam.com", src);
	ctx_builder_partner(b, "fabrikam.com", src);
	ctx_builder_item(b, CTX_INVOICE, "20220413", src);
	ctx_builder_item(b, CTX_ORDER, "20220413", src); /* same number: one item */
	ctx_builder_item(b, CTX_PROJECT, "bluefin", src);
	assert_int_equal(ctx_builder_write(b, db, &err), LG_OK);
	ctx_builder_free(&b);
	assert_null(b);

	assert_int_equal(ctx_store_open(db, &s, &err), LG_OK);
	assert_string_equal(ctx_store_org(s, 0), "example.com");
	assert_int_equal(ctx_store_partners(s), 1);
	ctx_store_partner(s, 0, &p);
	assert_string_equal(p.domain, "fabrikam.com");
	assert_int_equal(p.count, 2);
	assert_int_equal(ctx_store_items(s, 0), 2);
	assert_true(ctx_store_find(s, ctx_keyhash(ctx_store_key(s), CTX_FAM_NUMBER, "20220413", 8), &hit));
	assert_int_equal(hit.kind, CTX_INVOICE);
	assert_string_equal(hit.source, "bluebleed-2022");
	assert_false(ctx_store_find(s, ctx_keyhash(ctx_store_key(s), CTX_FAM_PROJECT, "20220413", 8), &hit));
	assert_true(ctx_store_find(s, ctx_keyhash(ctx_store_key(s), CTX_FAM_PROJECT, "bluefin", 7), &hit));
	ctx_store_free(&s);

	/* no identifier as text; the partner domain in clear */
	assert_true(g_file_get_contents(path, &bytes, &len, NULL));
	assert_null(memmem(bytes, len, "20220413", 8));
	assert_null(memmem(bytes, len, "bluefin", 7));
	assert_non_null(memmem(bytes, len, "fabrikam.com", 12));

	/* every truncation and a flipped count are refused, never read */
	for (gsize cut = 0; cut < len; cut += 7)
		assert_int_not_equal(ctx_store_parse(bytes, cut, &s, &err), LG_OK);
	bytes[24] ^= 0x7f; /* the item count */
	assert_int_equal(ctx_store_parse(bytes, len, &s, &err), LG_EPARSE);
	g_free(bytes);
	unlink(path);
	remove_dir(db);
	g_free(path);
	g_free(db);
}

static void test_quoted_people(void **state)
{
	static const char text[] =
		"Thanks!\n\n"
		"On Tue, 12 Jul 2022 at 09:14, Jonas Weber <jonas.weber@example.com> wrote:\n"
		"> fine\n"
		"> From: Anna Berg [mailto:anna.berg@fabrikam.com]\n"
		"> Sent: Monday\n";
	struct arena *a = arena_new();
	struct mail_address people[8];
	bool quoted;
	size_t n = ctx_quoted_people(a, text, sizeof(text) - 1, people, 8, &quoted);

	(void)state;
	assert_true(quoted);
	assert_int_equal(n, 2);
	assert_string_equal(people[0].addr, "jonas.weber@example.com");
	assert_string_equal(people[1].addr, "anna.berg@fabrikam.com");
	n = ctx_quoted_people(a, "no quote here\n", 14, people, 8, &quoted);
	assert_false(quoted);
	assert_int_equal(n, 0);
	assert_true(ctx_is_own("mail.example.com", (const char *const[]){"example.com"}, 1));
	assert_false(ctx_is_own("example.com.evil.net", (const char *const[]){"example.com"}, 1));
	arena_free(&a);
}

static void test_history_bounds(void **state)
{
	char *db = temp_db(), *path = g_strdup_printf("%s.history", db);
	struct history *h = NULL;
	struct hist_entry e;
	struct errbuf err = {""};
	int64_t removed = 0;
	gchar *bytes = NULL;
	gsize len = 0;

	(void)state;
	assert_int_equal(history_open(db, false, &h, &err), LG_ENOTFOUND);
	assert_int_equal(history_open(db, true, &h, &err), LG_OK);
	assert_int_equal(history_begin(h, &err), LG_OK);
	assert_int_equal(history_note(h, HIST_ADDR, "old@a.com", 0, NULL, 100, &err), LG_OK);
	assert_int_equal(history_note(h, HIST_DOMAIN, "a.com", 0, "a.com", 100, &err), LG_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(history_note(h, HIST_ADDR, "new@b.com", 42, NULL, 1000 + i, &err), LG_OK);
	assert_int_equal(history_commit(h, &err), LG_OK);
	assert_true(history_get(h, HIST_ADDR, "new@b.com", &e));
	assert_int_equal(e.count, 3);
	assert_int_equal(e.first, 1000);
	assert_int_equal(e.last, 1002);
	assert_int_equal(e.aux, 42);
	assert_false(history_get(h, HIST_DOMAIN, "new@b.com", &e)); /* kinds apart */
	assert_int_equal(history_domains(h), 1);
	/* aged: entries last seen before 500 go */
	assert_int_equal(history_prune(h, 100, 500, &removed, &err), LG_OK);
	assert_int_equal(removed, 2);
	assert_false(history_get(h, HIST_ADDR, "old@a.com", &e));
	assert_int_equal(history_domains(h), 0);
	/* bounded: beyond max_rows the least recently seen go */
	history_begin(h, &err);
	history_note(h, HIST_ADDR, "c@c.com", 0, NULL, 2000, &err);
	history_commit(h, &err);
	assert_int_equal(history_prune(h, 1, 0, &removed, &err), LG_OK);
	assert_int_equal(removed, 1);
	assert_true(history_get(h, HIST_ADDR, "c@c.com", &e));
	assert_false(history_get(h, HIST_ADDR, "new@b.com", &e));
	history_close(&h);
	assert_null(h);
	assert_true(g_file_get_contents(path, &bytes, &len, NULL));
	assert_null(memmem(bytes, len, "c@c.com", 7));
	g_free(bytes);
	unlink(path);
	remove_dir(db);
	g_free(path);
	g_free(db);
}

static void learn_raw(struct history *h, const char *raw, const struct hist_facts *f, int64_t now)
{
	static const char *const own[] = {"example.com"};
	struct mail_message *msg = mail_message_parse(raw, strlen(raw));
	struct errbuf err = {""};

	assert_int_equal(history_begin(h, &err), LG_OK);
	assert_int_equal(history_learn(h, msg, f, own, 1, now, &err), LG_OK);
	assert_int_equal(history_commit(h, &err), LG_OK);
	mail_message_free(&msg);
}

/* Review F10 (history warm-up): what passes a proof teaches only what the
 * proof vouches for. */
static void test_history_learning(void **state)
{
	static const char forged[] = "From: CEO <ceo@example.com>\nTo: Pay <pay@evil.example>\n"
				     "Message-ID: <warm-1@evil.example>\nSubject: Re: Invoice 4471 payment\n\nok\n";
	static const char sent[] = "From: Jonas <jonas@example.com>\nTo: Pay <pay@evil.example>\n"
				   "Message-ID: <sent-1@example.com>\nSubject: Delivery schedule update\n\nhi\n";
	static const char stranger[] = "From: Mallory <m@fresh.example>\nTo: jonas@example.com\n"
				       "Message-ID: <fresh-1@fresh.example>\nSubject: Invoice for March\n\nhi\n";
	static const char partner[] = "From: Bob <bob@partner.example>\nTo: jonas@example.com\n"
				      "Message-ID: <p-1@partner.example>\nSubject: Re: Delivery schedule update\n\nok\n";
	const char *rcpts[] = {"<bob@partner.example>"};
	const struct hist_facts outgoing = {rcpts, 1, false};
	char *db = temp_db(), *path = g_strdup_printf("%s.history", db);
	struct history *h = NULL;
	struct hist_entry e;
	struct errbuf err = {""};
	const int64_t day = 86400, t0 = 20000 * day + 3600;

	(void)state;
	assert_int_equal(history_open(db, true, &h, &err), LG_OK);
	/* A vouched message from an own domain without the MTA's envelope (the
	 * sender's To/Cc only) teaches nobody, no Message-ID, no thread. */
	learn_raw(h, forged, NULL, t0);
	assert_false(history_get(h, HIST_DOMAIN, "evil.example", &e));
	assert_false(history_get(h, HIST_ADDR, "pay@evil.example", &e));
	assert_false(history_get(h, HIST_MSGID, "<warm-1@evil.example>", &e));
	assert_false(history_get(h, HIST_MSGID, "warm-1@evil.example", &e));
	assert_int_equal(history_domains(h), 0);
	/* Staff's outgoing mail: the envelope recipients count, not To. */
	learn_raw(h, sent, &outgoing, t0);
	assert_true(history_get(h, HIST_DOMAIN, "partner.example", &e));
	assert_true(history_get(h, HIST_ADDR, "bob@partner.example", &e));
	assert_false(history_get(h, HIST_DOMAIN, "evil.example", &e));
	assert_int_equal(history_domains(h), 1);
	/* An outside domain written to: its vouched mail is learnt at once. */
	learn_raw(h, partner, NULL, t0 + 60);
	assert_true(history_get(h, HIST_MSGID, "p-1@partner.example", &e) ||
		    history_get(h, HIST_MSGID, "<p-1@partner.example>", &e));
	/* A stranger's DMARC-passing domain: known only on the third separate
	 * day; before that neither its address nor its Message-ID is kept. */
	learn_raw(h, stranger, NULL, t0);
	learn_raw(h, stranger, NULL, t0 + 600); /* same day: not a second one */
	learn_raw(h, stranger, NULL, t0 + day);
	assert_false(history_get(h, HIST_DOMAIN, "fresh.example", &e));
	assert_false(history_get(h, HIST_ADDR, "m@fresh.example", &e));
	assert_false(history_get(h, HIST_MSGID, "fresh-1@fresh.example", &e) ||
		     history_get(h, HIST_MSGID, "<fresh-1@fresh.example>", &e));
	learn_raw(h, stranger, NULL, t0 + 2 * day);
	assert_true(history_get(h, HIST_DOMAIN, "fresh.example", &e));
	assert_true(history_get(h, HIST_ADDR, "m@fresh.example", &e));
	assert_int_equal(history_domains(h), 2);
	history_close(&h);
	unlink(path);
	remove_dir(db);
	g_free(path);
	g_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_items),         cmocka_unit_test(test_keyhash_vector), cmocka_unit_test(test_titles),
		cmocka_unit_test(test_store_roundtrip), cmocka_unit_test(test_quoted_people),
		cmocka_unit_test(test_history_bounds), cmocka_unit_test(test_history_learning),
	};
	int rc;

	mail_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	mail_shutdown();
	return rc;
}
