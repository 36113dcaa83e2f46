/* test_mailbox.c: walking files, mboxes, Maildirs and trees. */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "mail/mailbox.h"

struct seen {
	GPtrArray *labels;
	unsigned errors;
};

static bool on_message(void *ctx, const char *label, const char *raw, size_t len)
{
	struct seen *s = ctx;

	(void)raw;
	(void)len;
	g_ptr_array_add(s->labels, g_strdup(label));
	return true;
}

static void on_error(void *ctx, const char *label, const char *why)
{
	(void)label;
	(void)why;
	((struct seen *)ctx)->errors++;
}

static void put(const char *dir, const char *name, const char *text)
{
	char *path = g_build_filename(dir, name, NULL);

	g_file_set_contents(path, text, -1, NULL);
	g_free(path);
}

static void test_tree(void **state)
{
	char *dir = g_dir_make_tmp("lg-mailbox-XXXXXX", NULL);
	char *sub, *label;
	struct seen s = {g_ptr_array_new_with_free_func(g_free), 0};
	struct mailbox_visitor v = {on_message, on_error, &s};
	struct errbuf err;

	(void)state;
	put(dir, "a.eml", "Subject: one\n\nbody\n");
	put(dir, "box.mbox", "From a@b Mon Jan 1 00:00:00 2024\nSubject: 1\n\nbody\nFrom here on, text\n\n"
			     "From c@d Mon Jan 1 00:00:00 2024\nSubject: 2\n\nx\n\n"
			     "From e@f Mon Jan 1 00:00:00 2024\nSubject: 3\n\ny\n");
	put(dir, ".hidden", "Subject: skipped\n\n");
	sub = g_build_filename(dir, "Maildir", "cur", NULL);
	g_mkdir_with_parents(sub, 0700);
	put(sub, "1.host:2,S", "Subject: md\n\n");
	g_free(sub);
	sub = g_build_filename(dir, "Maildir", "tmp", NULL);
	g_mkdir_with_parents(sub, 0700);
	put(sub, "partial", "Subject: being delivered\n\n");

	assert_int_equal(mailbox_walk(dir, &v, &err), LG_OK);
	assert_int_equal(s.labels->len, 5); /* a.eml, 3 in the mbox, Maildir/cur */
	assert_int_equal(s.errors, 0);
	label = g_strdup_printf("%s/box.mbox#3", dir);
	assert_string_equal(g_ptr_array_index(s.labels, 4), label); /* Maildir, a.eml, then the mbox */
	g_free(label);
	assert_int_equal(mailbox_walk("/nonexistent/x", &v, &err), LG_ENOTFOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/x"));

	g_ptr_array_free(s.labels, TRUE);
	g_free(sub);
	label = g_strdup_printf("rm -rf '%s'", dir);
	assert_int_equal(system(label), 0);
	g_free(label);
	g_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
