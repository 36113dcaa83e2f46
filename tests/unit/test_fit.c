/* test_fit.c: the verdict's fit (learn/fit.h) — the prior keeps the hand-set
 * weights on little mail and gives way on much, phishing-class weights never
 * turn negative, the fit is a pure function of its rows (so forgetting a
 * message and fitting again equals never having seen it), and its
 * probabilities are calibrated on mail drawn from a known model. */
#include "testutil.h"

#include <math.h>

#include "learn/fit.h"

#define NF 3

/* A deterministic generator, so every run sees the same rows. */
static uint64_t rng_state;

static double uniform(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* n rows drawn from the logistic model truth (offset off): each feature
 * present half the time with a strength in 0..1. */
static struct fit_data *draw(size_t n, const double *truth, double off, uint64_t seed)
{
	struct fit_data *d = fit_data_new(NF);

	rng_state = seed;
	for (size_t r = 0; r < n; r++) {
		uint32_t idx[NF];
		double val[NF], z = -off;
		size_t k = 0;

		for (uint32_t j = 0; j < NF; j++)
			if (uniform() < 0.5) {
				idx[k] = j;
				val[k] = 0.2 + 0.8 * uniform();
				z += truth[j] * val[k];
				k++;
			}
		fit_data_add(d, uniform() < fit_logistic(z), idx, val, k);
	}
	return d;
}

static const double prior[NF] = {4.0, 2.0, -1.0};
static const double lower[NF] = {0, -INFINITY, -INFINITY};

static void test_prior_keeps_defaults_on_little_mail(void **state)
{
	static const double truth[NF] = {0.5, 6.0, 3.0};
	static const struct {
		size_t rows;
		double tolerance; /* |w - prior| at most, per weight */
	} cases[] = {
		{0, 0},
		/* strong convexity: |w - prior| <= rows * max|x| / lambda */
		{2, 2 / FIT_LAMBDA},
		{6, 6 / FIT_LAMBDA},
	};
	struct fit_params p = {prior, lower, 1.0, FIT_LAMBDA};
	double w[NF];
	struct errbuf err;

	(void)state;
	for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
		struct fit_data *d = draw(cases[c].rows, truth, 1.0, 7 + c);

		assert_int_equal(fit_solve(d, &p, w, NULL, &err), LG_OK);
		for (int j = 0; j < NF; j++)
			assert_true(fabs(w[j] - prior[j]) <= cases[c].tolerance + 1e-12);
		fit_data_free(&d);
	}
	/* Much mail: the organisation's own weights, near the truth. */
	{
		struct fit_data *d = draw(20000, truth, 1.0, 99);

		assert_int_equal(fit_solve(d, &p, w, NULL, &err), LG_OK);
		for (int j = 0; j < NF; j++)
			assert_true(fabs(w[j] - truth[j]) < 0.4);
		fit_data_free(&d);
	}
}

static void test_phishing_weights_never_negative(void **state)
{
	/* Feature 0 is evidence of ham: unbounded it goes negative; bounded at
	 * 0 it stops there exactly. */
	static const double truth[NF] = {-5.0, 2.0, 1.0};
	struct fit_data *d = draw(5000, truth, 1.0, 3);
	struct fit_params bounded = {prior, lower, 1.0, FIT_LAMBDA}, free = {prior, NULL, 1.0, FIT_LAMBDA};
	double w[NF];
	struct errbuf err;

	(void)state;
	assert_int_equal(fit_solve(d, &free, w, NULL, &err), LG_OK);
	assert_true(w[0] < -2);
	assert_int_equal(fit_solve(d, &bounded, w, NULL, &err), LG_OK);
	assert_true(w[0] == 0);
	assert_true(w[1] > 0.5); /* the others are still fitted */
	fit_data_free(&d);
}

/* The fit is a function of its rows alone: the same rows give the same
 * bits, so removing a message's row (--forget) and fitting again equals a
 * fit that never saw it. */
static void test_deterministic(void **state)
{
	static const double truth[NF] = {1.0, 2.0, -1.0};
	struct fit_data *a = draw(3000, truth, 1.0, 11), *b = draw(3000, truth, 1.0, 11);
	struct fit_params p = {prior, lower, 1.0, FIT_LAMBDA};
	double wa[NF], wb[NF];
	struct errbuf err;

	(void)state;
	assert_int_equal(fit_solve(a, &p, wa, NULL, &err), LG_OK);
	assert_int_equal(fit_solve(b, &p, wb, NULL, &err), LG_OK);
	assert_memory_equal(wa, wb, sizeof(wa));
	assert_int_equal(fit_data_rows(a), 3000);
	assert_true(fit_data_support(a, 0) > 1000 && fit_data_support(a, 0) < 2000);
	fit_data_free(&a);
	fit_data_free(&b);
}

/* On mail drawn from a known logistic model, predicted probabilities match
 * observed frequencies, bin by bin. */
static void test_calibrated(void **state)
{
	static const double truth[NF] = {3.0, 1.5, -2.0};
	const size_t n = 40000;
	struct fit_data *d = draw(n, truth, 1.0, 5);
	struct fit_params p = {prior, NULL, 1.0, FIT_LAMBDA};
	double w[NF], pred[10] = {0}, seen[10] = {0}, count[10] = {0};
	struct errbuf err;

	(void)state;
	assert_int_equal(fit_solve(d, &p, w, NULL, &err), LG_OK);
	/* the same draw again, scored with the fitted weights */
	rng_state = 5;
	for (size_t r = 0; r < n; r++) {
		double zt = -1.0, zf = -1.0, pr;
		int bin;

		for (int j = 0; j < NF; j++)
			if (uniform() < 0.5) {
				double v = 0.2 + 0.8 * uniform();

				zt += truth[j] * v;
				zf += w[j] * v;
			}
		pr = fit_logistic(zf);
		bin = pr >= 1 ? 9 : (int)(pr * 10);
		pred[bin] += pr;
		seen[bin] += uniform() < fit_logistic(zt);
		count[bin]++;
	}
	for (int b = 0; b < 10; b++)
		if (count[b] >= 1000)
			assert_true(fabs(pred[b] / count[b] - seen[b] / count[b]) < 0.03);
	fit_data_free(&d);
}

static double got[8];
static int ngot;

static void collect(void *ctx, const char *name, double v)
{
	(void)ctx;
	(void)name;
	if (ngot < 8)
		got[ngot++] = v;
}

static void test_vector_text(void **state)
{
	static const char *bad[] = {"LEARNED_SPAM", "=1", "A=x", "A=1e999", "A=1 B"};
	char buf[FIT_VECTOR_MAX] = "";
	struct errbuf err;

	(void)state;
	assert_true(fit_vector_add(buf, "LEARNED_SPAM", 0.1 + 0.2));
	assert_true(fit_vector_add(buf, FIT_LOGODDS, -1.0 / 3));
	assert_int_equal(fit_vector_parse(buf, collect, NULL, &err), LG_OK);
	assert_int_equal(ngot, 2);
	assert_true(got[0] == 0.1 + 0.2 && got[1] == -1.0 / 3); /* exact round trip */
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_int_equal(fit_vector_parse(bad[i], collect, NULL, &err), LG_EPARSE);
	assert_true(fit_logodds(1) == FIT_LOGODDS_MAX && fit_logodds(0) == -FIT_LOGODDS_MAX);
	assert_true(fit_leaning(0.5) == 0 && fit_leaning(0.500001) == 1 && fit_leaning(0.2) == -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prior_keeps_defaults_on_little_mail),
		cmocka_unit_test(test_phishing_weights_never_negative),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_calibrated),
		cmocka_unit_test(test_vector_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
