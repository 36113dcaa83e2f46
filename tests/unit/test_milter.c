/* test_milter.c: the milter's parts that run without libmilter or a mail
 * server: the banner's words (notice.c), the plan for a message under each
 * policy (plan.c), the [milter] settings (settings.c), the reloadable
 * runtime (runtime.c) and the deadline pool (pool.c). Banner insertion
 * itself is tested in test_banner.c; the whole milter with Postfix in
 * tests/milter/run.sh. */
#include "testutil.h"

#include <stdatomic.h>
#include <unistd.h>

#include "milter/notice.h"
#include "milter/plan.h"
#include "milter/pool.h"
#include "milter/runtime.h"
#include "milter/settings.h"
#include "util/alloc.h"

/* ---- notice ---------------------------------------------------------------- */

static void verdict_with(struct arena *a, struct signal_weights *w, struct verdict *v, enum verdict_kind kind)
{
	signal_weights_default(w);
	memset(v, 0, sizeof(*v));
	signal_list_init(&v->signals, a, w);
	v->kind = kind;
}

static void test_notice_words(void **state)
{
	struct arena *a = arena_new();
	struct signal_weights w;
	struct verdict v;
	struct banner b;
	char long_reason[400];

	(void)state;
	verdict_with(a, &w, &v, VERDICT_SUSPICIOUS);
	signal_add(&v.signals, SIG_LOOKALIKE_SENDER, 1.0,
		   "The sender's address looks like microsoft.com but is rnicrosoft.com.");
	signal_add(&v.signals, SIG_URGENT_DEADLINE, 1.0, "It asks you to act within 24 hours <now>.");
	signal_add(&v.signals, SIG_AUTH_PASS, 1.0, "The mail is verified to come from rnicrosoft.com.");
	notice_build(a, &v, "security@example.com", &b);
	/* Plain words, defanged: nothing in the banner is a live domain. */
	assert_non_null(strstr(b.text, "CAUTION: this message shows signs of phishing."));
	assert_non_null(strstr(b.html, "looks like microsoft[.]com but is rnicrosoft[.]com"));
	assert_non_null(strstr(b.text, "rnicrosoft[.]com")); /* wrapped at 72 in text */
	assert_null(strstr(b.text, "rnicrosoft.com"));
	assert_non_null(strstr(b.text, "It asks you to act within 24 hours <now>."));
	assert_null(strstr(b.text, "verified")); /* INFO signals explain, not warn */
	assert_non_null(strstr(b.text, "To report it, forward it to security@example.com."));
	/* HTML: the same, escaped. */
	assert_non_null(strstr(b.html, "\">The sender&#39;s address looks like microsoft[.]com"));
	assert_non_null(strstr(b.html, "within 24 hours &lt;now&gt;.</li>"));
	assert_non_null(strstr(b.html, "\" href=\"mailto:security@example.com\">"));
	/* Every element of the banner shows itself with inline !important
	 * styles, which no style sheet of the sender's outranks. */
	assert_true(strncmp(b.html, "<div style=\"display:block!important;visibility:visible!important;", 64) == 0);
	for (const char *t = b.html; (t = strchr(t, '<')); t++)
		if (t[1] != '/')
			assert_true(strstr(t, " style=\"") && strstr(t, " style=\"") < strchr(t, '>') &&
				    strstr(t, "!important") < strchr(t, '>'));
	/* Without a report address it says whom to ask. */
	notice_build(a, &v, NULL, &b);
	assert_non_null(strstr(b.text, "ask your IT or security team"));
	/* Long reasons are cut; lines stay far below SMTP's 998. */
	memset(long_reason, 'x', sizeof(long_reason) - 1);
	long_reason[sizeof(long_reason) - 1] = '\0';
	for (size_t i = 50; i < sizeof(long_reason) - 1; i += 60)
		long_reason[i] = ' ';
	signal_add(&v.signals, SIG_BAD_SPELLING, 1.0, "%s", long_reason);
	notice_build(a, &v, NULL, &b);
	assert_non_null(strstr(b.html, "...</li>"));
	for (const char *s = b.html, *nl; (nl = strchr(s, '\n')); s = nl + 1)
		assert_true(nl - s < 998);
	for (const char *s = b.text, *nl; (nl = strchr(s, '\n')); s = nl + 1)
		assert_true(nl - s <= NOTICE_WIDTH || !memchr(s, ' ', (size_t)(nl - s)));
	arena_free(&a);
}

static void test_notice_lists_at_most_five(void **state)
{
	static const enum signal_id ids[] = {SIG_LOOKALIKE_SENDER, SIG_LOOKALIKE_LINK, SIG_URGENT_DEADLINE,
					     SIG_THREAT_SUSPENSION, SIG_PAYMENT_REQUEST, SIG_GIFT_CARD_REQUEST,
					     SIG_CREDENTIAL_REQUEST};
	struct arena *a = arena_new();
	struct signal_weights w;
	struct verdict v;
	struct banner b;
	size_t items = 0;

	(void)state;
	verdict_with(a, &w, &v, VERDICT_PHISHING);
	for (size_t i = 0; i < ARRAY_LEN(ids); i++)
		signal_add(&v.signals, ids[i], 1.0, "Sign number %zu.", i);
	notice_build(a, &v, NULL, &b);
	assert_non_null(strstr(b.text, "WARNING: this message is very likely a phishing attempt."));
	for (const char *s = b.html; (s = strstr(s, "<li ")); s++)
		items++;
	assert_int_equal(items, NOTICE_MAX_SIGNS);
	arena_free(&a);
}

/* ---- settings -------------------------------------------------------------- */

static void test_settings(void **state)
{
	struct config cfg;
	struct milter_settings s;
	struct errbuf err = {""};

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(milter_settings_from_config(&cfg, &s, &err), LG_OK);
	assert_string_equal(s.listen, "inet:8891@127.0.0.1");
	assert_int_equal(s.fail_mode, MILTER_FAIL_ACCEPT);
	assert_int_equal(s.timeout_ms, 2000);
	assert_int_equal(s.max_size, 10485760);
	assert_true(s.banner);
	assert_string_equal(s.subject_tag, "[SUSPICIOUS]");
	assert_null(s.report_address);
	milter_settings_cleanup(&s);

	lg_free(cfg.milter_fail_mode);
	cfg.milter_fail_mode = lg_strdup("drop");
	assert_int_equal(milter_settings_from_config(&cfg, &s, &err), LG_ECONFIG);
	assert_non_null(strstr(err.msg, "fail_mode"));
	lg_free(cfg.milter_fail_mode);
	cfg.milter_fail_mode = lg_strdup("tempfail");
	lg_free(cfg.milter_banner);
	cfg.milter_banner = lg_strdup("maybe");
	assert_int_equal(milter_settings_from_config(&cfg, &s, &err), LG_ECONFIG);
	lg_free(cfg.milter_banner);
	cfg.milter_banner = lg_strdup("off");
	lg_free(cfg.milter_subject_tag);
	cfg.milter_subject_tag = lg_strdup("[X]\r\nBcc: a@b");
	assert_int_equal(milter_settings_from_config(&cfg, &s, &err), LG_ECONFIG);
	lg_free(cfg.milter_subject_tag);
	cfg.milter_subject_tag = lg_strdup("");
	cfg.milter_timeout_ms = 0;
	assert_int_equal(milter_settings_from_config(&cfg, &s, &err), LG_ECONFIG);
	cfg.milter_timeout_ms = 150;
	assert_int_equal(milter_settings_from_config(&cfg, &s, &err), LG_OK);
	assert_int_equal(s.fail_mode, MILTER_FAIL_TEMPFAIL);
	assert_false(s.banner);
	assert_string_equal(s.subject_tag, "");
	milter_settings_cleanup(&s);
	config_cleanup(&cfg);
}

/* ---- plan ------------------------------------------------------------------ */

/* Heuristics only: no learned model or reports from whatever store the
 * machine has. */
#define NO_STORE "/nonexistent/leakguard-test-milter.db"

static char blocklist_path[64];

static const char phish[] =
	"From: Billing <billing@blocked-sender.test>\r\nTo: a@example.com\r\nSubject: Invoice\r\n"
	"Content-Type: text/plain\r\n\r\nPlease pay the attached invoice.\r\n";
static const char ham[] =
	"From: Colleague <c@example.com>\r\nTo: a@example.com\r\nSubject: Lunch\r\n\r\nLunch at noon?\r\n";

static enum lg_status load_test_config(void *ctx, struct config *cfg, struct errbuf *err)
{
	const char *phishing_action = ctx;

	(void)err;
	config_defaults(cfg);
	cfg->db = lg_strdup(NO_STORE);
	config_list_set(&cfg->protect_domains, "example.com");
	cfg->blocked_domains_file = lg_strdup(blocklist_path);
	lg_free(cfg->action_phishing);
	cfg->action_phishing = lg_strdup(phishing_action);
	lg_free(cfg->milter_report_address);
	cfg->milter_report_address = lg_strdup("phish@example.com");
	return LG_OK;
}

static int setup_blocklist(void **state)
{
	int fd;

	(void)state;
	snprintf(blocklist_path, sizeof(blocklist_path), "/tmp/lg-test-milter-XXXXXX");
	fd = mkstemp(blocklist_path);
	if (fd < 0 || write(fd, "blocked-sender.test\n", 20) != 20)
		return -1;
	close(fd);
	return 0;
}

static int remove_blocklist(void **state)
{
	(void)state;
	unlink(blocklist_path);
	return 0;
}

static void test_plan_quarantine_tags_and_banners(void **state)
{
	struct runtime_holder *h;
	struct runtime *rt;
	struct errbuf err = {""};
	struct plan p;

	(void)state;
	assert_int_equal(runtime_holder_new(load_test_config, "quarantine", &h, &err), LG_OK);
	rt = runtime_acquire(h);
	assert_int_equal(plan_build(runtime_engine(rt), runtime_settings(rt), phish, strlen(phish), "Invoice", &p), LG_OK);
	assert_int_equal(p.disposition, PLAN_QUARANTINE);
	assert_string_equal(p.verdict_header, "phishing");
	assert_non_null(strstr(p.signals_header, "BLOCKED_SENDER_DOMAIN="));
	assert_string_equal(p.subject, "[SUSPICIOUS] Invoice");
	assert_true(p.replace_body);
	assert_non_null(strstr(p.body.data, "forward it to phish@example.com"));
	assert_non_null(strstr(p.body.data, "\r\nPlease pay the attached invoice.\r\n"));
	assert_non_null(strstr(p.reason, "BLOCKED_SENDER_DOMAIN"));
	plan_cleanup(&p);
	/* Tagged already (an earlier hop): the subject stays. */
	assert_int_equal(plan_build(runtime_engine(rt), runtime_settings(rt), phish, strlen(phish),
				    "[suspicious] Invoice", &p), LG_OK);
	assert_null(p.subject);
	plan_cleanup(&p);
	/* Ham: headers only. */
	assert_int_equal(plan_build(runtime_engine(rt), runtime_settings(rt), ham, strlen(ham), "Lunch", &p), LG_OK);
	assert_int_equal(p.disposition, PLAN_ACCEPT);
	assert_string_equal(p.verdict_header, "clean");
	assert_string_equal(p.signals_header, "none");
	assert_null(p.subject);
	assert_false(p.replace_body);
	assert_null(p.reason);
	plan_cleanup(&p);
	runtime_release(&rt);
	runtime_holder_free(&h);
}

static void test_plan_reject(void **state)
{
	struct runtime_holder *h;
	struct runtime *rt;
	struct errbuf err = {""};
	struct plan p;

	(void)state;
	assert_int_equal(runtime_holder_new(load_test_config, "reject", &h, &err), LG_OK);
	rt = runtime_acquire(h);
	assert_int_equal(plan_build(runtime_engine(rt), runtime_settings(rt), phish, strlen(phish), "Invoice", &p), LG_OK);
	assert_int_equal(p.disposition, PLAN_REJECT);
	assert_string_equal(p.reason, "Message refused as phishing by leakguard: sender domain is on the local blocklist");
	assert_false(p.replace_body);
	assert_null(p.subject);
	plan_cleanup(&p);
	/* No header at all: the fail mode decides, not the engine. */
	assert_int_equal(plan_build(runtime_engine(rt), runtime_settings(rt), "\r\n", 2, NULL, &p), LG_EPARSE);
	plan_cleanup(&p);
	runtime_release(&rt);
	runtime_holder_free(&h);
}

/* ---- runtime --------------------------------------------------------------- */

static int loads;

static enum lg_status counting_load(void *ctx, struct config *cfg, struct errbuf *err)
{
	loads++;
	config_defaults(cfg);
	cfg->db = lg_strdup(NO_STORE);
	if (ctx && loads > 1) {
		config_cleanup(cfg);
		return errbuf_set(err, LG_ECONFIG, "broken on purpose");
	}
	return LG_OK;
}

static void test_runtime_reload(void **state)
{
	struct runtime_holder *h;
	struct runtime *before, *after;
	struct errbuf err = {""};

	(void)state;
	loads = 0;
	assert_int_equal(runtime_holder_new(counting_load, NULL, &h, &err), LG_OK);
	before = runtime_acquire(h);
	assert_int_equal(runtime_reload(h, &err), LG_OK);
	assert_int_equal(runtime_generation(h), 1);
	after = runtime_acquire(h);
	/* A message that started before the reload keeps its rules. */
	assert_ptr_not_equal(before, after);
	assert_non_null(runtime_engine(before));
	runtime_release(&before);
	assert_null(before);
	runtime_release(&after);
	runtime_holder_free(&h);
	assert_null(h);

	/* A failed reload keeps the running runtime. */
	loads = 0;
	assert_int_equal(runtime_holder_new(counting_load, "fail later", &h, &err), LG_OK);
	before = runtime_acquire(h);
	assert_int_equal(runtime_reload(h, &err), LG_ECONFIG);
	assert_string_equal(err.msg, "broken on purpose");
	after = runtime_acquire(h);
	assert_ptr_equal(before, after);
	runtime_release(&before);
	runtime_release(&after);
	runtime_holder_free(&h);
}

/* ---- pool ------------------------------------------------------------------ */

struct sleeper {
	unsigned ms;
	atomic_int ran, discarded;
};

static void sleep_work(void *arg)
{
	struct sleeper *s = arg;

	usleep(s->ms * 1000);
	atomic_fetch_add(&s->ran, 1);
}

static void count_discard(void *arg)
{
	struct sleeper *s = arg;

	atomic_fetch_add(&s->discarded, 1);
}

static struct timespec in_ms(unsigned ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static void test_pool_deadline(void **state)
{
	struct sleeper fast = {.ms = 1}, slow = {.ms = 300}, queued = {.ms = 1};
	struct timespec d;
	struct pool *p;
	struct errbuf err = {""};

	(void)state;
	assert_int_equal(pool_new(1, &p, &err), LG_OK);
	d = in_ms(2000);
	assert_int_equal(pool_run(p, sleep_work, count_discard, &fast, &d), LG_OK);
	assert_int_equal(atomic_load(&fast.ran), 1);
	assert_int_equal(atomic_load(&fast.discarded), 0);
	/* The deadline passes while the job runs: abandoned, and discarded by
	 * the pool once it ends. A replacement worker keeps the pool serving. */
	d = in_ms(30);
	assert_int_equal(pool_run(p, sleep_work, count_discard, &slow, &d), LG_ELIMIT);
	d = in_ms(2000);
	assert_int_equal(pool_run(p, sleep_work, count_discard, &queued, &d), LG_OK);
	assert_int_equal(atomic_load(&queued.ran), 1);
	assert_int_equal(pool_abandoned(p), 1);
	for (int i = 0; i < 100 && !atomic_load(&slow.discarded); i++)
		usleep(10 * 1000);
	assert_int_equal(atomic_load(&slow.ran), 1);
	assert_int_equal(atomic_load(&slow.discarded), 1);
	pool_free(&p, 2000);
	assert_null(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notice_words),
		cmocka_unit_test(test_notice_lists_at_most_five),
		cmocka_unit_test(test_settings),
		cmocka_unit_test_setup_teardown(test_plan_quarantine_tags_and_banners, setup_blocklist, remove_blocklist),
		cmocka_unit_test_setup_teardown(test_plan_reject, setup_blocklist, remove_blocklist),
		cmocka_unit_test(test_runtime_reload),
		cmocka_unit_test(test_pool_deadline),
	};

	mail_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
