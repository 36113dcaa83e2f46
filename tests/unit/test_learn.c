/* test_learn.c: the classifier's tokens, training (idempotent, reversible,
 * class moves) on a real SQLite store, and classification. */
#include "testutil.h"
#include "mailtest.h"

#include <unistd.h>

#include <glib.h>

#include "learn/model.h"
#include "learn/tokens.h"
#include "learn/train.h"
#include "mail/message.h"
#include "store/store.h"

static char *message_text(const char *subject, const char *body, int n)
{
	return g_strdup_printf("From: sender%d@%s.example\nSubject: %s %d\nX-Mailer: %s\n\n%s number %d\n",
			       n, subject, subject, n, subject, body, n);
}

static struct store *fresh_store(char *path)
{
	struct store *s = NULL;
	struct errbuf err;

	strcpy(path, "/tmp/lg-learn-XXXXXX");
	close(mkstemp(path));
	unlink(path);
	assert_int_equal(store_open(path, true, &s, &err), LG_OK);
	return s;
}

static void remove_store(const char *path)
{
	char *wal = g_strdup_printf("%s-wal", path), *shm = g_strdup_printf("%s-shm", path);

	unlink(path);
	unlink(wal);
	unlink(shm);
	g_free(wal);
	g_free(shm);
}

static enum train_outcome learn_text(struct trainer *t, const char *text, enum store_class cls, bool forget)
{
	struct mail_message *m = mail_message_parse(text, strlen(text));
	struct token_set tokens;
	enum train_outcome outcome;
	struct errbuf err;

	tokens_of_message(m, &tokens);
	assert_int_equal(trainer_add(t, text, strlen(text), &tokens, cls, forget, &outcome, &err), LG_OK);
	mail_message_free(&m);
	return outcome;
}

static void test_tokens_unique_and_stable(void **state)
{
	const char *text = "From: a@b.example\nSubject: cheap cheap pills\n\ncheap pills cheap pills now\n";
	struct mail_message *m = mail_message_parse(text, strlen(text));
	struct token_set t1, t2;

	(void)state;
	tokens_of_message(m, &t1);
	tokens_of_message(m, &t2);
	assert_true(t1.n > 5);
	assert_int_equal(t1.n, t2.n);
	for (size_t i = 0; i < t1.n; i++)
		for (size_t j = i + 1; j < t1.n; j++)
			assert_true(t1.h[i] != t1.h[j]);
	/* the same word in the subject and the body are different features */
	assert_true(tokens_hash("s", 1) != tokens_hash("b", 1));
	mail_message_free(&m);
}

static void test_learn_forget_move(void **state)
{
	char path[64];
	struct store *s = fresh_store(path);
	struct trainer *t = trainer_new(s);
	struct store_stats st;
	struct errbuf err;
	char *spam = message_text("viagra", "buy cheap pills online", 1);

	(void)state;
	assert_int_equal(learn_text(t, spam, STORE_SPAM, false), TRAIN_LEARNT);
	assert_int_equal(learn_text(t, spam, STORE_SPAM, false), TRAIN_KNOWN);   /* same batch */
	assert_int_equal(trainer_flush(t, &err), LG_OK);
	assert_int_equal(learn_text(t, spam, STORE_SPAM, false), TRAIN_KNOWN);   /* from the store */
	assert_int_equal(learn_text(t, spam, STORE_HAM, false), TRAIN_MOVED);
	assert_int_equal(trainer_flush(t, &err), LG_OK);
	assert_int_equal(store_stats(s, &st, &err), LG_OK);
	assert_int_equal(st.spam_messages, 0);
	assert_int_equal(st.ham_messages, 1);
	assert_int_equal(learn_text(t, spam, STORE_SPAM, true), TRAIN_FORGOTTEN); /* forgets as ham */
	assert_int_equal(trainer_flush(t, &err), LG_OK);
	assert_int_equal(learn_text(t, spam, STORE_SPAM, true), TRAIN_UNKNOWN);
	assert_int_equal(store_stats(s, &st, &err), LG_OK);
	assert_int_equal(st.ham_messages, 0);
	assert_int_equal(st.spam_messages, 0);
	{
		int64_t removed;

		assert_int_equal(store_tokens_prune(s, 0, 0, &removed, &err), LG_OK);
		assert_int_equal(store_stats(s, &st, &err), LG_OK);
		assert_int_equal(st.tokens, 0); /* forgetting left nothing behind */
	}
	g_free(spam);
	trainer_free(&t);
	store_close(&s);
	remove_store(path);
}

static void test_classify(void **state)
{
	char path[64];
	struct store *s = fresh_store(path);
	struct trainer *t = trainer_new(s);
	struct model *m = NULL;
	struct model_result r;
	struct errbuf err;

	(void)state;
	for (int i = 0; i < 20; i++) {
		char *spam = message_text("lottery", "claim your prize money winner transfer fee", i);
		char *ham = message_text("meeting", "agenda for the project review on thursday", i);

		learn_text(t, spam, STORE_SPAM, false);
		learn_text(t, ham, STORE_HAM, false);
		g_free(spam);
		g_free(ham);
	}
	assert_int_equal(trainer_flush(t, &err), LG_OK);
	assert_int_equal(model_load(s, &m, &err), LG_OK);
	assert_true(model_tokens(m) > 0);
	{
		char *probe = message_text("lottery", "you are a winner claim your prize", 99);
		struct mail_message *msg = mail_message_parse(probe, strlen(probe));
		struct token_set ts;

		tokens_of_message(msg, &ts);
		assert_true(model_classify(m, &ts, &r));
		assert_true(r.spam_probability > 0.9);
		assert_int_equal(r.spam_messages, 20);
		mail_message_free(&msg);
		g_free(probe);
		probe = message_text("meeting", "the project review agenda", 99);
		msg = mail_message_parse(probe, strlen(probe));
		tokens_of_message(msg, &ts);
		assert_true(model_classify(m, &ts, &r));
		assert_true(r.spam_probability < 0.1);
		mail_message_free(&msg);
		g_free(probe);
	}
	model_free(&m);
	trainer_free(&t);
	store_close(&s);
	remove_store(path);
}

static bool count_vector(void *ctx, enum store_class cls, const char *v)
{
	(void)cls;
	assert_string_equal(v, "LEARNED_SPAM=0.5");
	(*(int *)ctx)++;
	return true;
}

/* Leave-one-out is exact: classifying a learnt message without its own
 * counts equals classifying it with a model that never learnt it. And a
 * vector kept beside the digest goes when the message is forgotten. */
static void test_leave_one_out_and_vectors(void **state)
{
	char with_path[64], without_path[64];
	struct store *with = fresh_store(with_path), *without = fresh_store(without_path);
	struct trainer *tw = trainer_new(with), *to = trainer_new(without);
	char *probe = message_text("lottery", "you are a winner claim your prize now", 77);
	struct mail_message *msg = mail_message_parse(probe, strlen(probe));
	struct model *mw = NULL, *mo = NULL;
	struct model_result rw, ro;
	struct token_set ts;
	enum train_outcome outcome;
	struct errbuf err;
	int vectors = 0;

	(void)state;
	for (int i = 0; i < 15; i++) {
		char *spam = message_text("lottery", i % 3 ? "claim your prize money" : "winner transfer fee now", i);
		char *ham = message_text("meeting", i % 2 ? "agenda for the review" : "prize for the winner of the build", i);

		learn_text(tw, spam, STORE_SPAM, false);
		learn_text(to, spam, STORE_SPAM, false);
		learn_text(tw, ham, STORE_HAM, false);
		learn_text(to, ham, STORE_HAM, false);
		g_free(spam);
		g_free(ham);
	}
	tokens_of_message(msg, &ts);
	assert_int_equal(trainer_add_vector(tw, probe, strlen(probe), &ts, "LEARNED_SPAM=0.5", STORE_SPAM, false, &outcome,
					    &err),
			 LG_OK);
	assert_int_equal(trainer_flush(tw, &err), LG_OK);
	assert_int_equal(trainer_flush(to, &err), LG_OK);
	assert_int_equal(model_load(with, &mw, &err), LG_OK);
	assert_int_equal(model_load(without, &mo, &err), LG_OK);
	assert_true(model_classify_without(mw, &ts, STORE_SPAM, &rw));
	assert_true(model_classify(mo, &ts, &ro));
	assert_true(rw.spam_probability == ro.spam_probability);
	assert_int_equal(rw.spam_messages, ro.spam_messages);
	assert_true(model_classify(mw, &ts, &rw));
	assert_true(rw.spam_probability > ro.spam_probability); /* in-sample is surer */
	assert_int_equal(store_vectors_each(with, count_vector, &vectors, &err), LG_OK);
	assert_int_equal(vectors, 1);
	assert_int_equal(trainer_add_vector(tw, probe, strlen(probe), &ts, NULL, STORE_SPAM, true, &outcome, &err), LG_OK);
	assert_int_equal(outcome, TRAIN_FORGOTTEN);
	assert_int_equal(trainer_flush(tw, &err), LG_OK);
	vectors = 0;
	assert_int_equal(store_vectors_each(with, count_vector, &vectors, &err), LG_OK);
	assert_int_equal(vectors, 0);
	mail_message_free(&msg);
	g_free(probe);
	model_free(&mw);
	model_free(&mo);
	trainer_free(&tw);
	trainer_free(&to);
	store_close(&with);
	store_close(&without);
	remove_store(with_path);
	remove_store(without_path);
}

static void test_not_a_store(void **state)
{
	char path[] = "/tmp/lg-notstore-XXXXXX";
	int fd = mkstemp(path);
	struct store *s = NULL;
	struct errbuf err;

	(void)state;
	assert_int_equal(write(fd, "this is not a database, just some text that is long enough to matter\n", 70), 70);
	close(fd);
	assert_int_equal(store_open(path, true, &s, &err), LG_EPARSE);
	assert_non_null(strstr(err.msg, "rebuild"));
	assert_null(s);
	assert_int_equal(store_open("/nonexistent/x.db", false, &s, &err), LG_ENOTFOUND);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens_unique_and_stable),
		cmocka_unit_test(test_learn_forget_move),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_leave_one_out_and_vectors),
		cmocka_unit_test(test_not_a_store),
	};
	return cmocka_run_group_tests(tests, mail_group_setup, mail_group_teardown);
}
