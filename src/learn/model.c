/* model.c: see model.h. Tokens live in an open-addressing hash table keyed
 * by their 64-bit hash (0 is the empty slot, so a real 0 hash is stored as 1). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "learn/model.h"
#include "util/durable.h"
#include "util/alloc.h"

/* Robinson's parameters: the strength of the prior (s) and its value (x)
 * and how far from neutral a token must be to count are SpamBayes' tuned
 * defaults. How many of the most telling tokens are combined was chosen on
 * the training half alone (trained on its even files, measured on its odd
 * ones): 30 gave the best recall at 1% false positives of 20, 30, 45, 60,
 * 90 and 150, and combining every token was worst. */
#define ROBINSON_S 0.45
#define ROBINSON_X 0.5
#define MIN_DEVIATION 0.1
#define MAX_DISCRIMINATORS 30
#define PREFETCH_AHEAD 8

struct slot {
	uint64_t hash;
	int32_t spam, ham;
};

struct model {
	struct slot *slots;
	size_t mask, n;
	int64_t spam_messages, ham_messages;
	void *map;      /* the mapped snapshot the slots live in, or NULL */
	size_t map_len;
	struct model_weight *fit; /* the fitted weights, owned (copied out of a snapshot) */
	size_t nfit;
};

/* Version 2 adds the fitted weights (nfit records after the header, then
 * the slots); version 1 files are read as having none. */
#define SNAPSHOT_MAGIC "LGMODEL2"
#define SNAPSHOT_MAGIC_V1 "LGMODEL1"

struct snapshot_header {
	char magic[8];
	uint64_t slots, tokens;
	int64_t spam_messages, ham_messages;
};

struct snapshot_header2 {
	struct snapshot_header h;
	uint64_t nfit;
};

static uint64_t key(uint64_t h)
{
	return h ? h : 1;
}

static size_t home(const struct model *m, uint64_t h)
{
	return (size_t)(key(h) * 0x9e3779b97f4a7c15ULL >> 16) & m->mask;
}

static struct slot *find(const struct model *m, uint64_t h)
{
	size_t i = home(m, h);

	while (m->slots[i].hash && m->slots[i].hash != key(h))
		i = (i + 1) & m->mask;
	return &m->slots[i];
}

static void grow(struct model *m)
{
	struct slot *old = m->slots;
	size_t old_size = m->mask + 1, size = old_size * 2;

	m->slots = lg_calloc(size, sizeof(*m->slots));
	m->mask = size - 1;
	for (size_t i = 0; i < old_size; i++)
		if (old[i].hash)
			*find(m, old[i].hash) = old[i];
	lg_free(old);
}

static bool insert(void *ctx, const struct store_token *t)
{
	struct model *m = ctx;
	struct slot *s;

	if ((m->n + 1) * 2 > m->mask + 1)
		grow(m);
	s = find(m, t->hash);
	if (!s->hash)
		m->n++;
	s->hash = key(t->hash);
	s->spam = (int32_t)(t->spam > INT32_MAX ? INT32_MAX : t->spam);
	s->ham = (int32_t)(t->ham > INT32_MAX ? INT32_MAX : t->ham);
	return true;
}

static bool add_fit(void *ctx, const struct store_fit_weight *w)
{
	struct model *m = ctx;

	if (strlen(w->name) >= sizeof(m->fit->name))
		return true; /* not a name leakguard writes */
	m->fit = lg_realloc(m->fit, (m->nfit + 1) * sizeof(*m->fit));
	memset(&m->fit[m->nfit], 0, sizeof(*m->fit));
	g_strlcpy(m->fit[m->nfit].name, w->name, sizeof(m->fit->name));
	m->fit[m->nfit].weight = w->weight;
	m->nfit++;
	return true;
}

size_t model_fit(const struct model *m, const struct model_weight **w)
{
	*w = m->fit;
	return m->nfit;
}

void model_set_fit(struct model *m, const struct model_weight *w, size_t n)
{
	lg_free(m->fit);
	m->fit = NULL;
	m->nfit = n;
	if (n) {
		m->fit = lg_malloc(n * sizeof(*m->fit));
		memcpy(m->fit, w, n * sizeof(*m->fit));
	}
}

enum lg_status model_load(struct store *s, struct model **out, struct errbuf *err)
{
	struct model *m = lg_calloc(1, sizeof(*m));
	struct store_stats st;
	enum lg_status rc;

	rc = store_read_begin(s, err);
	if (rc) {
		lg_free(m);
		return rc;
	}
	rc = store_stats(s, &st, err);
	if (!rc) {
		/* Sized once for a load factor under 1/2: no rehashing. */
		size_t size = 1024;

		while (size < (size_t)st.tokens * 2)
			size *= 2;
		m->slots = lg_calloc(size, sizeof(*m->slots));
		m->mask = size - 1;
		rc = store_tokens_each(s, insert, m, err);
	}
	store_read_end(s);
	if (rc) {
		model_free(&m);
		return rc;
	}
	m->spam_messages = st.spam_messages;
	m->ham_messages = st.ham_messages;
	rc = store_fit_each(s, add_fit, m, err);
	if (rc) {
		model_free(&m);
		return rc;
	}
	*out = m;
	return LG_OK;
}

void model_free(struct model **m)
{
	if (!m || !*m)
		return;
	if ((*m)->map)
		munmap((*m)->map, (*m)->map_len);
	else
		lg_free((*m)->slots);
	lg_free((*m)->fit);
	lg_free(*m);
	*m = NULL;
}

int64_t model_tokens(const struct model *m)
{
	return (int64_t)m->n;
}

/* Robinson's f(w): the token's spam probability, pulled towards x when it
 * has been seen rarely. */
static double token_probability(int64_t spam_messages, int64_t ham_messages, const struct slot *s)
{
	double pb = (double)s->spam / (double)spam_messages;
	double pg = (double)s->ham / (double)ham_messages;
	double p = pb + pg > 0 ? pb / (pb + pg) : ROBINSON_X;
	double n = (double)s->spam + (double)s->ham;

	return (ROBINSON_S * ROBINSON_X + n * p) / (ROBINSON_S + n);
}

/* P(chi-square with 2k degrees of freedom >= x2), summed in log space so
 * that hundreds of tokens do not underflow. */
static double chi2q(double x2, size_t k)
{
	double m = x2 / 2, log_term = -m, log_sum = -m;

	if (m <= 0)
		return 1;
	for (size_t i = 1; i < k; i++) {
		log_term += log(m) - log((double)i);
		log_sum = log_sum > log_term ? log_sum + log1p(exp(log_term - log_sum))
					     : log_term + log1p(exp(log_sum - log_term));
	}
	return log_sum >= 0 ? 1 : exp(log_sum);
}

/* Moves the k probabilities farthest from 0.5 to the front of f[0..n)
 * (quickselect: linear on average, where a full sort was not). */
static void most_telling(double *f, size_t n, size_t k)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		double pivot = fabs(f[lo + (hi - lo) / 2] - 0.5), tmp;
		size_t i = lo, j = hi - 1;

		while (i <= j) {
			while (fabs(f[i] - 0.5) > pivot)
				i++;
			while (fabs(f[j] - 0.5) < pivot)
				j--;
			if (i <= j) {
				tmp = f[i];
				f[i] = f[j];
				f[j] = tmp;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j + 1;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

/* exclude: -1, or the class (STORE_HAM, STORE_SPAM) of a learnt message
 * whose own counts are taken out first. */
static bool classify(const struct model *m, const struct token_set *t, int exclude, struct model_result *out)
{
	double *f = lg_malloc((t->n ? t->n : 1) * sizeof(double));
	double ln_f = 0, ln_1f = 0, s, h;
	int64_t spam_messages = m->spam_messages - (exclude == STORE_SPAM);
	int64_t ham_messages = m->ham_messages - (exclude == STORE_HAM);
	size_t k = 0;

	memset(out, 0, sizeof(*out));
	out->spam_messages = spam_messages;
	out->ham_messages = ham_messages;
	if (spam_messages < MODEL_MIN_MESSAGES || ham_messages < MODEL_MIN_MESSAGES) {
		lg_free(f);
		return false;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct slot *sl;
		struct slot own;
		double p;

		/* Each lookup is a cache miss in a table of megabytes: ask for
		 * the slot of a token a few places ahead, so the misses overlap. */
		if (i + PREFETCH_AHEAD < t->n)
			__builtin_prefetch(&m->slots[home(m, t->h[i + PREFETCH_AHEAD])]);
		sl = find(m, t->h[i]);
		if (!sl->hash)
			continue;
		if (exclude >= 0) {
			own = *sl;
			if (exclude == STORE_SPAM && own.spam > 0)
				own.spam--;
			else if (exclude == STORE_HAM && own.ham > 0)
				own.ham--;
			if (!own.spam && !own.ham)
				continue; /* only this message had it */
			sl = &own;
		}
		p = token_probability(spam_messages, ham_messages, sl);
		if (fabs(p - 0.5) >= MIN_DEVIATION)
			f[k++] = p;
	}
	if (k > MAX_DISCRIMINATORS) {
		most_telling(f, k, MAX_DISCRIMINATORS);
		k = MAX_DISCRIMINATORS;
	}
	for (size_t i = 0; i < k; i++) {
		ln_f += log(f[i]);
		ln_1f += log1p(-f[i]);
	}
	s = k ? 1 - chi2q(-2 * ln_1f, k) : 0.5;
	h = k ? 1 - chi2q(-2 * ln_f, k) : 0.5;
	out->spam_probability = k ? (1 + s - h) / 2 : 0.5;
	out->tokens_used = (unsigned)k;
	lg_free(f);
	return true;
}

bool model_classify(const struct model *m, const struct token_set *t, struct model_result *out)
{
	return classify(m, t, -1, out);
}

bool model_classify_without(const struct model *m, const struct token_set *t, enum store_class cls,
			    struct model_result *out)
{
	return classify(m, t, (int)cls, out);
}

/* ---- snapshots ---------------------------------------------------------- */

char *model_snapshot_path(const char *store_path)
{
	return g_strdup_printf("%s.model", store_path);
}

void model_snapshot_remove(const char *store_path)
{
	char *path = model_snapshot_path(store_path);

	unlink(path);
	g_free(path);
}

enum lg_status model_snapshot_write(const struct model *m, const char *store_path, struct errbuf *err)
{
	char *path = model_snapshot_path(store_path);
	size_t head_len = sizeof(struct snapshot_header2) + m->nfit * sizeof(*m->fit);
	struct snapshot_header2 *h = lg_calloc(1, head_len);
	enum lg_status rc;

	h->h = (struct snapshot_header){SNAPSHOT_MAGIC, m->mask + 1, m->n, m->spam_messages, m->ham_messages};
	h->nfit = m->nfit;
	if (m->nfit)
		memcpy(h + 1, m->fit, m->nfit * sizeof(*m->fit));
	rc = durable_write(path, h, head_len, m->slots, (m->mask + 1) * sizeof(*m->slots), err);
	lg_free(h);
	g_free(path);
	return rc;
}

enum lg_status model_snapshot_open(const char *store_path, struct model **out, struct errbuf *err)
{
	char *path = model_snapshot_path(store_path);
	int fd = open(path, O_RDONLY);
	struct snapshot_header h;
	uint64_t nfit = 0;
	size_t head = sizeof(h);
	struct stat st;
	struct model *m;
	void *map;
	enum lg_status rc = LG_OK;

	if (fd < 0) {
		rc = errbuf_set(err, LG_ENOTFOUND, "%s: %s", path, strerror(errno));
		g_free(path);
		return rc;
	}
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(h) || pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		memset(&h, 0, sizeof(h));
	if (memcmp(h.magic, SNAPSHOT_MAGIC, 8) == 0) {
		if (pread(fd, &nfit, sizeof(nfit), sizeof(h)) != (ssize_t)sizeof(nfit) || nfit > 4096)
			nfit = UINT64_MAX;
		else
			head = sizeof(struct snapshot_header2) + nfit * sizeof(struct model_weight);
	} else if (memcmp(h.magic, SNAPSHOT_MAGIC_V1, 8) != 0) {
		nfit = UINT64_MAX;
	}
	if (nfit == UINT64_MAX || h.slots == 0 || (h.slots & (h.slots - 1)) || h.tokens >= h.slots ||
	    (uint64_t)st.st_size != head + h.slots * sizeof(struct slot))
		rc = errbuf_set(err, LG_EPARSE, "%s is damaged; remove it (the store still holds the model)", path);
	map = rc ? MAP_FAILED : mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (!rc && map == MAP_FAILED)
		rc = errbuf_set(err, LG_EIO, "%s: %s", path, strerror(errno));
	close(fd);
	g_free(path);
	if (rc)
		return rc;
	m = lg_calloc(1, sizeof(*m));
	m->map = map;
	m->map_len = (size_t)st.st_size;
	m->slots = (struct slot *)((char *)map + head);
	if (nfit)
		model_set_fit(m, (const struct model_weight *)((char *)map + sizeof(struct snapshot_header2)), nfit);
	for (size_t i = 0; i < m->nfit; i++)
		m->fit[i].name[sizeof(m->fit[i].name) - 1] = '\0';
	m->mask = h.slots - 1;
	m->n = h.tokens;
	m->spam_messages = h.spam_messages;
	m->ham_messages = h.ham_messages;
	*out = m;
	return LG_OK;
}
