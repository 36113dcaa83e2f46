/* test_metrics.c: util/metrics — counters, gauges and histograms and their
 * Prometheus text (exposition format 0.0.4), label escaping, the series cap,
 * and concurrent updates adding up. */
#include "testutil.h"

#include <pthread.h>

#include <glib.h>

#include "util/metrics.h"

static char *render(struct metrics *m)
{
	struct buf b;

	buf_init(&b);
	metrics_render(m, &b);
	return b.data; /* caller frees */
}

static void test_text(void **state)
{
	static const double buckets[] = {0.01, 0.1, 1};
	static const struct {
		const char *line; /* each must be a line of the output */
	} want[] = {
		{"# HELP lg_msgs_total Messages by verdict."},
		{"# TYPE lg_msgs_total counter"},
		{"lg_msgs_total{verdict=\"phishing\",action=\"quarantine\"} 2"},
		{"lg_msgs_total{verdict=\"clean\",action=\"none\"} 1"},
		{"# TYPE lg_up gauge"},
		{"lg_up 1"},
		{"lg_idle_total 0"},
		{"lg_odd_total{v=\"a\\\\b\\\"c\\nd\"} 1"},
		{"# HELP lg_help_total line\\none \\\\ two"},
		{"# TYPE lg_seconds histogram"},
		{"lg_seconds_bucket{le=\"0.01\"} 1"},
		{"lg_seconds_bucket{le=\"0.1\"} 1"},
		{"lg_seconds_bucket{le=\"1\"} 2"},
		{"lg_seconds_bucket{le=\"+Inf\"} 3"},
		{"lg_seconds_sum 5.505"},
		{"lg_seconds_count 3"},
	};
	struct metrics *m = metrics_new();
	struct metric *msgs = metrics_counter(m, "lg_msgs_total", "Messages by verdict.", "verdict,action");
	struct metric *up = metrics_gauge(m, "lg_up", "Store up.", NULL);
	struct metric *hist = metrics_histogram(m, "lg_seconds", "Analysis time.", NULL, buckets, 3);
	struct metric *odd = metrics_counter(m, "lg_odd_total", "Escapes.", "v");
	char *text;

	(void)state;
	metrics_counter(m, "lg_idle_total", "Never touched.", "");
	metrics_counter(m, "lg_help_total", "line\none \\ two", NULL);
	metric_inc(msgs, "phishing", "quarantine");
	metric_inc(msgs, "clean", "none");
	metric_inc(msgs, "phishing", "quarantine");
	metric_add(msgs, (const char *const[]){"clean", "none"}, -5); /* counters never go down */
	metric_set(up, NULL, 1);
	metric_inc(odd, "a\\b\"c\nd");
	metric_observe(hist, NULL, 0.005);
	metric_observe(hist, NULL, 0.5);
	metric_observe(hist, NULL, 5);
	text = render(m);
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		char *line = g_strdup_printf("\n%s\n", want[i].line);
		char *with_nl = g_strdup_printf("\n%s", text);

		if (!strstr(with_nl, line))
			fail_msg("missing line %s in:\n%s", want[i].line, text);
		g_free(line);
		g_free(with_nl);
	}
	assert_int_equal((int)metric_value(msgs, (const char *const[]){"phishing", "quarantine"}), 2);
	assert_int_equal((int)metric_value(msgs, (const char *const[]){"spam", "tag"}), 0);
	assert_int_equal((int)metric_value(hist, NULL), 3);
	free(text);
	metrics_free(&m);
	assert_null(m);
	metrics_free(&m); /* NULL: no-op */
}

/* More label sets than METRICS_MAX_SERIES fold into "other"; long values are cut. */
static void test_cap(void **state)
{
	struct metrics *m = metrics_new();
	struct metric *f = metrics_counter(m, "lg_capped_total", "Capped.", "k");
	char big[METRICS_MAX_VALUE * 2 + 1];
	char *text;
	size_t lines = 0;

	(void)state;
	for (int i = 0; i < METRICS_MAX_SERIES + 100; i++) {
		char v[16];

		snprintf(v, sizeof(v), "v%d", i);
		metric_inc(f, v);
	}
	assert_int_equal((int)metric_value(f, (const char *const[]){"other"}), 101);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	metric_inc(f, big); /* folds too: the family is full */
	text = render(m);
	for (char *p = text; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, METRICS_MAX_SERIES + 2); /* HELP, TYPE, the series */
	assert_int_equal((int)metric_value(f, (const char *const[]){"other"}), 102);
	free(text);
	metrics_free(&m);

	m = metrics_new();
	f = metrics_counter(m, "lg_long_total", "Long values.", "k");
	metric_inc(f, big);
	metric_inc(f, big);
	text = render(m);
	big[METRICS_MAX_VALUE] = '\0';
	assert_non_null(strstr(text, big));
	assert_null(strstr(text, "xx\"} 1"));
	assert_non_null(strstr(text, "\"} 2"));
	free(text);
	metrics_free(&m);
}

static struct metric *shared;

static void *hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10000; i++)
		metric_inc(shared, i % 2 ? "odd" : "even");
	return NULL;
}

static void test_threads(void **state)
{
	struct metrics *m = metrics_new();
	pthread_t t[4];

	(void)state;
	shared = metrics_counter(m, "lg_race_total", "Concurrent.", "parity");
	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		pthread_create(&t[i], NULL, hammer, NULL);
	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		pthread_join(t[i], NULL);
	assert_int_equal((int)metric_value(shared, (const char *const[]){"odd"}), 20000);
	assert_int_equal((int)metric_value(shared, (const char *const[]){"even"}), 20000);
	metrics_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
