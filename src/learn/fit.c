/* fit.c: see fit.h. Rows are kept sparse (a message carries a handful of
 * signals); the Hessian is dense over the features, which are few. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/fit.h"
#include "util/alloc.h"

#define MAX_ITERATIONS 100
#define MAX_HALVINGS 40
#define TOLERANCE 1e-7 /* on the largest projected gradient component, per row */

struct fit_data {
	size_t nfeat, rows, nnz, cap_rows, cap_nnz;
	size_t *start; /* rows + 1 */
	uint32_t *idx;
	double *val;
	unsigned char *spam;
	int64_t *support;
};

struct fit_data *fit_data_new(size_t nfeat)
{
	struct fit_data *d = lg_calloc(1, sizeof(*d));

	d->nfeat = nfeat;
	d->cap_rows = 1024;
	d->cap_nnz = 4096;
	d->start = lg_calloc(d->cap_rows + 1, sizeof(*d->start));
	d->idx = lg_malloc(d->cap_nnz * sizeof(*d->idx));
	d->val = lg_malloc(d->cap_nnz * sizeof(*d->val));
	d->spam = lg_malloc(d->cap_rows);
	d->support = lg_calloc(nfeat ? nfeat : 1, sizeof(*d->support));
	return d;
}

void fit_data_free(struct fit_data **d)
{
	if (!d || !*d)
		return;
	lg_free((*d)->start);
	lg_free((*d)->idx);
	lg_free((*d)->val);
	lg_free((*d)->spam);
	lg_free((*d)->support);
	lg_free(*d);
	*d = NULL;
}

void fit_data_add(struct fit_data *d, bool spam, const uint32_t *idx, const double *val, size_t n)
{
	if (d->rows == d->cap_rows) {
		d->cap_rows *= 2;
		d->start = lg_realloc(d->start, (d->cap_rows + 1) * sizeof(*d->start));
		d->spam = lg_realloc(d->spam, d->cap_rows);
	}
	while (d->nnz + n > d->cap_nnz) {
		d->cap_nnz *= 2;
		d->idx = lg_realloc(d->idx, d->cap_nnz * sizeof(*d->idx));
		d->val = lg_realloc(d->val, d->cap_nnz * sizeof(*d->val));
	}
	for (size_t i = 0; i < n; i++) {
		if (idx[i] >= d->nfeat || val[i] == 0)
			continue;
		d->idx[d->nnz] = idx[i];
		d->val[d->nnz] = val[i];
		d->nnz++;
		d->support[idx[i]]++;
	}
	d->spam[d->rows] = spam;
	d->rows++;
	d->start[d->rows] = d->nnz;
}

size_t fit_data_rows(const struct fit_data *d)
{
	return d->rows;
}

int64_t fit_data_support(const struct fit_data *d, size_t j)
{
	return j < d->nfeat ? d->support[j] : 0;
}

double fit_logistic(double z)
{
	if (z >= 0)
		return 1 / (1 + exp(-z));
	return exp(z) / (1 + exp(z));
}

double fit_logodds(double spam_probability)
{
	double z;

	if (spam_probability <= 0)
		return -FIT_LOGODDS_MAX;
	if (spam_probability >= 1)
		return FIT_LOGODDS_MAX;
	z = log(spam_probability / (1 - spam_probability));
	return fmax(-FIT_LOGODDS_MAX, fmin(FIT_LOGODDS_MAX, z));
}

double fit_leaning(double spam_probability)
{
	return spam_probability > 0.5 ? 1 : spam_probability < 0.5 ? -1 : 0;
}

/* log(1 + exp(x)) without overflow. */
static double softplus(double x)
{
	return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

static double lower_of(const struct fit_params *p, size_t j)
{
	return p->lower ? p->lower[j] : -INFINITY;
}

/* The objective at w; with g and h non-NULL also its gradient and Hessian. */
static double objective(const struct fit_data *d, const struct fit_params *p, const double *w, double *g, double *h)
{
	size_t n = d->nfeat;
	double f = 0;

	if (g)
		memset(g, 0, n * sizeof(*g));
	if (h)
		memset(h, 0, n * n * sizeof(*h));
	for (size_t r = 0; r < d->rows; r++) {
		double z = -p->offset, pr, c;

		for (size_t k = d->start[r]; k < d->start[r + 1]; k++)
			z += w[d->idx[k]] * d->val[k];
		f += d->spam[r] ? softplus(-z) : softplus(z);
		if (!g)
			continue;
		pr = fit_logistic(z);
		c = pr - d->spam[r];
		for (size_t k = d->start[r]; k < d->start[r + 1]; k++) {
			g[d->idx[k]] += c * d->val[k];
			if (!h)
				continue;
			for (size_t l = d->start[r]; l < d->start[r + 1]; l++)
				h[d->idx[k] * n + d->idx[l]] += pr * (1 - pr) * d->val[k] * d->val[l];
		}
	}
	for (size_t j = 0; j < n; j++) {
		double dw = w[j] - p->prior[j];

		f += p->lambda / 2 * dw * dw;
		if (g)
			g[j] += p->lambda * dw;
		if (h)
			h[j * n + j] += p->lambda;
	}
	return f;
}

/* Solves a x = b for the m x m symmetric positive definite a (overwritten
 * by its Cholesky factor); false when a is not positive definite. */
static bool cholesky_solve(double *a, double *b, size_t m)
{
	for (size_t j = 0; j < m; j++) {
		double s = a[j * m + j];

		for (size_t k = 0; k < j; k++)
			s -= a[j * m + k] * a[j * m + k];
		if (s <= 0)
			return false;
		a[j * m + j] = sqrt(s);
		for (size_t i = j + 1; i < m; i++) {
			double t = a[i * m + j];

			for (size_t k = 0; k < j; k++)
				t -= a[i * m + k] * a[j * m + k];
			a[i * m + j] = t / a[j * m + j];
		}
	}
	for (size_t i = 0; i < m; i++) {
		for (size_t k = 0; k < i; k++)
			b[i] -= a[i * m + k] * b[k];
		b[i] /= a[i * m + i];
	}
	for (size_t i = m; i-- > 0;) {
		for (size_t k = i + 1; k < m; k++)
			b[i] -= a[k * m + i] * b[k];
		b[i] /= a[i * m + i];
	}
	return true;
}

/* Held at its bound: there and the gradient pushes further out. */
static bool held(const struct fit_params *p, const double *w, const double *g, size_t j)
{
	return w[j] <= lower_of(p, j) && g[j] > 0;
}

enum lg_status fit_solve(const struct fit_data *d, const struct fit_params *p, double *w, unsigned *iterations,
			 struct errbuf *err)
{
	size_t n = d->nfeat;
	double *g = lg_malloc((n ? n : 1) * sizeof(*g)), *h = lg_malloc((n ? n * n : 1) * sizeof(*h));
	double *sub = lg_malloc((n ? n * n : 1) * sizeof(*sub)), *step = lg_calloc(n ? n : 1, sizeof(*step));
	double *trial = lg_malloc((n ? n : 1) * sizeof(*trial));
	size_t *free_idx = lg_malloc((n ? n : 1) * sizeof(*free_idx));
	double tol = TOLERANCE * (double)(d->rows + 1);
	enum lg_status rc = LG_OK;
	unsigned it = 0;
	bool done = false;

	for (size_t j = 0; j < n; j++)
		w[j] = fmax(p->prior[j], lower_of(p, j));
	if (n > FIT_MAX_FEATURES) {
		rc = errbuf_set(err, LG_ELIMIT, "fit: %zu features, at most %d", n, FIT_MAX_FEATURES);
		goto out;
	}
	while (!done && it < MAX_ITERATIONS) {
		double f = objective(d, p, w, g, h), worst = 0, alpha = 1, slope = 0;
		size_t m = 0;
		int halvings = 0;

		for (size_t j = 0; j < n; j++)
			if (!held(p, w, g, j)) {
				worst = fmax(worst, fabs(g[j]));
				free_idx[m++] = j;
			}
		if (worst <= tol) {
			done = true;
			break;
		}
		for (size_t a = 0; a < m; a++) {
			for (size_t b = 0; b < m; b++)
				sub[a * m + b] = h[free_idx[a] * n + free_idx[b]];
			step[a] = -g[free_idx[a]];
		}
		if (!cholesky_solve(sub, step, m)) {
			rc = errbuf_set(err, LG_EINTERNAL, "fit: the Hessian is not positive definite");
			goto out;
		}
		for (size_t a = 0; a < m; a++)
			slope += step[a] * g[free_idx[a]];
		/* Armijo backtracking along the projected path. */
		for (;;) {
			double ft;

			memcpy(trial, w, n * sizeof(*w));
			for (size_t a = 0; a < m; a++) {
				size_t j = free_idx[a];

				trial[j] = fmax(w[j] + alpha * step[a], lower_of(p, j));
			}
			ft = objective(d, p, trial, NULL, NULL);
			if (ft <= f + 1e-4 * alpha * slope || ft <= f)
				break;
			if (++halvings > MAX_HALVINGS)
				break;
			alpha /= 2;
		}
		if (halvings > MAX_HALVINGS) {
			done = true; /* no descent left at double precision */
			break;
		}
		memcpy(w, trial, n * sizeof(*w));
		it++;
	}
	if (!done)
		rc = errbuf_set(err, LG_EINTERNAL, "fit: no convergence in %d Newton steps", MAX_ITERATIONS);
out:
	if (rc)
		for (size_t j = 0; j < n; j++)
			w[j] = fmax(p->prior[j], lower_of(p, j));
	if (iterations)
		*iterations = it;
	lg_free(g);
	lg_free(h);
	lg_free(sub);
	lg_free(step);
	lg_free(trial);
	lg_free(free_idx);
	return rc;
}

bool fit_vector_add(char *buf, const char *name, double value)
{
	size_t len = strlen(buf);
	int n = snprintf(buf + len, FIT_VECTOR_MAX - len, "%s%s=%.17g", len ? " " : "", name, value);

	if (n < 0 || (size_t)n >= FIT_VECTOR_MAX - len) {
		buf[len] = '\0';
		return false;
	}
	return true;
}

enum lg_status fit_vector_parse(const char *text, void (*fn)(void *ctx, const char *name, double value), void *ctx,
				struct errbuf *err)
{
	const char *p = text;
	char name[64];

	while (*p) {
		const char *eq, *end;
		char *num_end;
		double v;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		end = strchr(p, ' ');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq || eq == p || (size_t)(eq - p) >= sizeof(name))
			return errbuf_set(err, LG_EPARSE, "signal vector '%.60s': '%.*s' is not NAME=VALUE", text,
					  (int)(end - p), p);
		memcpy(name, p, (size_t)(eq - p));
		name[eq - p] = '\0';
		errno = 0;
		v = strtod(eq + 1, &num_end);
		if (num_end != end || errno || !isfinite(v))
			return errbuf_set(err, LG_EPARSE, "signal vector '%.60s': %s has no finite number", text, name);
		fn(ctx, name, v);
		p = end;
	}
	return LG_OK;
}
