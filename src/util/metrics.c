/* metrics.c: the metric registry and its Prometheus text rendering
 * (metrics.h; exposition format 0.0.4). */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/metrics.h"

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

struct series {
	char *values[METRICS_MAX_LABELS]; /* owned */
	double value;                     /* counter, gauge */
	uint64_t *counts;                 /* histogram: per bucket (+Inf last), not cumulative */
	uint64_t count;
	double sum;
};

struct metric {
	struct metrics *reg;
	char *name, *help;
	enum metric_type type;
	char *labels[METRICS_MAX_LABELS];
	size_t nlabels;
	double *buckets;
	size_t nbuckets;
	struct series *series;
	size_t n, cap;
	struct metric *next;
};

struct metrics {
	pthread_mutex_t lock;
	struct metric *first, *last;
};

static bool valid_name(const char *s, bool colon)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      (colon && *s == ':')))
			return false;
	return true;
}

static void broken(const char *what, const char *name)
{
	fprintf(stderr, "leakguard: metrics: %s '%s'\n", what, name ? name : "(null)");
	abort();
}

struct metrics *metrics_new(void)
{
	struct metrics *m = lg_calloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	return m;
}

static void series_cleanup(struct series *s, size_t nlabels)
{
	for (size_t i = 0; i < nlabels; i++)
		lg_free(s->values[i]);
	lg_free(s->counts);
}

void metrics_free(struct metrics **mp)
{
	struct metrics *m;

	if (!mp || !*mp)
		return;
	m = *mp;
	for (struct metric *f = m->first, *next; f; f = next) {
		next = f->next;
		for (size_t i = 0; i < f->n; i++)
			series_cleanup(&f->series[i], f->nlabels);
		for (size_t i = 0; i < f->nlabels; i++)
			lg_free(f->labels[i]);
		lg_free(f->series);
		lg_free(f->buckets);
		lg_free(f->name);
		lg_free(f->help);
		lg_free(f);
	}
	pthread_mutex_destroy(&m->lock);
	lg_free(m);
	*mp = NULL;
}

static struct metric *add_family(struct metrics *m, const char *name, const char *help, const char *labels,
				 enum metric_type type)
{
	struct metric *f;

	if (!valid_name(name, true))
		broken("invalid metric name", name);
	pthread_mutex_lock(&m->lock);
	for (f = m->first; f; f = f->next)
		if (strcmp(f->name, name) == 0)
			broken("metric registered twice", name);
	f = lg_calloc(1, sizeof(*f));
	f->reg = m;
	f->name = lg_strdup(name);
	f->help = lg_strdup(help ? help : "");
	f->type = type;
	while (labels && *labels) {
		const char *comma = strchr(labels, ',');
		size_t len = comma ? (size_t)(comma - labels) : strlen(labels);

		if (f->nlabels == METRICS_MAX_LABELS)
			broken("too many labels for", name);
		f->labels[f->nlabels] = lg_strndup(labels, len);
		if (!valid_name(f->labels[f->nlabels], false) || strcmp(f->labels[f->nlabels], "le") == 0)
			broken("invalid label name in", name);
		f->nlabels++;
		labels = comma ? comma + 1 : labels + len;
	}
	if (m->last)
		m->last->next = f;
	else
		m->first = f;
	m->last = f;
	pthread_mutex_unlock(&m->lock);
	return f;
}

static struct series *find(struct metric *f, const char *const *values);

/* A family without labels has its one series from the start, so a scrape
 * shows 0 rather than nothing before the first event. */
static struct metric *prime(struct metric *f)
{
	if (!f->nlabels) {
		pthread_mutex_lock(&f->reg->lock);
		find(f, NULL);
		pthread_mutex_unlock(&f->reg->lock);
	}
	return f;
}

struct metric *metrics_counter(struct metrics *m, const char *name, const char *help, const char *labels)
{
	return prime(add_family(m, name, help, labels, METRIC_COUNTER));
}

struct metric *metrics_gauge(struct metrics *m, const char *name, const char *help, const char *labels)
{
	return prime(add_family(m, name, help, labels, METRIC_GAUGE));
}

struct metric *metrics_histogram(struct metrics *m, const char *name, const char *help, const char *labels,
				 const double *buckets, size_t n)
{
	struct metric *f = add_family(m, name, help, labels, METRIC_HISTOGRAM);

	for (size_t i = 1; i < n; i++)
		if (!(buckets[i] > buckets[i - 1]))
			broken("histogram buckets not ascending in", name);
	f->buckets = lg_malloc((n ? n : 1) * sizeof(double));
	memcpy(f->buckets, buckets, n * sizeof(double));
	f->nbuckets = n;
	return prime(f);
}

static bool same(const struct metric *f, const struct series *s, const char *const *values)
{
	for (size_t i = 0; i < f->nlabels; i++) {
		const char *v = values && values[i] ? values[i] : "";
		size_t n = strnlen(v, METRICS_MAX_VALUE); /* as stored: cut */

		if (strlen(s->values[i]) != n || memcmp(s->values[i], v, n) != 0)
			return false;
	}
	return true;
}

/* The series for values, made when new; call with the lock held. */
static struct series *find(struct metric *f, const char *const *values)
{
	static const char *const other[METRICS_MAX_LABELS] = {"other", "other", "other", "other"};
	struct series *s;

	for (size_t i = 0; i < f->n; i++)
		if (same(f, &f->series[i], values))
			return &f->series[i];
	if (f->n == METRICS_MAX_SERIES - 1 && f->nlabels) /* the last slot is for "other" */
		values = other;
	if (f->n == METRICS_MAX_SERIES) {
		for (size_t i = 0; i < f->n; i++)
			if (same(f, &f->series[i], other))
				return &f->series[i];
	}
	f->series = lg_grow(f->series, &f->cap, f->n + 1, sizeof(*f->series));
	s = &f->series[f->n++];
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < f->nlabels; i++) {
		const char *v = values && values[i] ? values[i] : "";

		s->values[i] = lg_strndup(v, strnlen(v, METRICS_MAX_VALUE)); /* lg_strndup copies n bytes */
	}
	if (f->type == METRIC_HISTOGRAM)
		s->counts = lg_calloc(f->nbuckets + 1, sizeof(uint64_t));
	return s;
}

void metric_add(struct metric *f, const char *const *values, double v)
{
	if (f->type == METRIC_HISTOGRAM || (f->type == METRIC_COUNTER && !(v >= 0)))
		return;
	pthread_mutex_lock(&f->reg->lock);
	find(f, values)->value += v;
	pthread_mutex_unlock(&f->reg->lock);
}

void metric_set(struct metric *f, const char *const *values, double v)
{
	if (f->type != METRIC_GAUGE)
		return;
	pthread_mutex_lock(&f->reg->lock);
	find(f, values)->value = v;
	pthread_mutex_unlock(&f->reg->lock);
}

void metric_observe(struct metric *f, const char *const *values, double v)
{
	struct series *s;
	size_t b = 0;

	if (f->type != METRIC_HISTOGRAM || isnan(v))
		return;
	while (b < f->nbuckets && v > f->buckets[b])
		b++;
	pthread_mutex_lock(&f->reg->lock);
	s = find(f, values);
	s->counts[b]++;
	s->count++;
	s->sum += v;
	pthread_mutex_unlock(&f->reg->lock);
}

double metric_value(struct metric *f, const char *const *values)
{
	double v = 0;

	pthread_mutex_lock(&f->reg->lock);
	for (size_t i = 0; i < f->n; i++)
		if (same(f, &f->series[i], values)) {
			v = f->type == METRIC_HISTOGRAM ? (double)f->series[i].count : f->series[i].value;
			break;
		}
	pthread_mutex_unlock(&f->reg->lock);
	return v;
}

/* Label values escape \, " and newline; help text \ and newline. */
static void put_escaped(struct buf *out, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_append(out, "\\\\", 2);
		else if (*s == '\n')
			buf_append(out, "\\n", 2);
		else if (*s == '"' && quote)
			buf_append(out, "\\\"", 2);
		else
			buf_putc(out, *s);
	}
}

/* The shortest of %.15g and %.17g that reads back as v (0.1, not
 * 0.10000000000000001). */
static void format_number(char *dst, size_t n, double v)
{
	snprintf(dst, n, "%.15g", v);
	if (strtod(dst, NULL) != v)
		snprintf(dst, n, "%.17g", v);
}

static void put_number(struct buf *out, double v)
{
	char num[40];

	if (isinf(v))
		buf_appendf(out, v > 0 ? "+Inf" : "-Inf");
	else if (isnan(v))
		buf_appendf(out, "NaN");
	else {
		format_number(num, sizeof(num), v);
		buf_appendf(out, "%s", num);
	}
}

/* name{a="x",b="y"[,le="0.5"]} */
static void put_series_name(struct buf *out, const struct metric *f, const struct series *s, const char *suffix,
			    const char *le)
{
	bool any = f->nlabels || le;

	buf_appendf(out, "%s%s", f->name, suffix);
	if (!any)
		return;
	buf_putc(out, '{');
	for (size_t i = 0; i < f->nlabels; i++) {
		buf_appendf(out, "%s%s=\"", i ? "," : "", f->labels[i]);
		put_escaped(out, s->values[i], true);
		buf_putc(out, '"');
	}
	if (le)
		buf_appendf(out, "%sle=\"%s\"", f->nlabels ? "," : "", le);
	buf_putc(out, '}');
}

static void render_histogram(struct buf *out, const struct metric *f, const struct series *s)
{
	uint64_t cum = 0;
	char le[40];

	for (size_t b = 0; b <= f->nbuckets; b++) {
		cum += s->counts[b];
		if (b < f->nbuckets)
			format_number(le, sizeof(le), f->buckets[b]);
		else
			snprintf(le, sizeof(le), "+Inf");
		put_series_name(out, f, s, "_bucket", le);
		buf_appendf(out, " %llu\n", (unsigned long long)cum);
	}
	put_series_name(out, f, s, "_sum", NULL);
	buf_putc(out, ' ');
	put_number(out, s->sum);
	buf_putc(out, '\n');
	put_series_name(out, f, s, "_count", NULL);
	buf_appendf(out, " %llu\n", (unsigned long long)s->count);
}

void metrics_render(struct metrics *m, struct buf *out)
{
	static const char *const types[] = {"counter", "gauge", "histogram"};

	pthread_mutex_lock(&m->lock);
	for (const struct metric *f = m->first; f; f = f->next) {
		buf_appendf(out, "# HELP %s ", f->name);
		put_escaped(out, f->help, false);
		buf_appendf(out, "\n# TYPE %s %s\n", f->name, types[f->type]);
		for (size_t i = 0; i < f->n; i++) {
			const struct series *s = &f->series[i];

			if (f->type == METRIC_HISTOGRAM) {
				render_histogram(out, f, s);
				continue;
			}
			put_series_name(out, f, s, "", NULL);
			buf_putc(out, ' ');
			put_number(out, s->value);
			buf_putc(out, '\n');
		}
	}
	pthread_mutex_unlock(&m->lock);
}
