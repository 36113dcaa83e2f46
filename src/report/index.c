/* index.c: see index.h. */
#include <string.h>

#include <glib.h>

#include "mail/domain.h"
#include "report/index.h"
#include "store/reports.h"
#include "util/alloc.h"

struct entry {
	int64_t id, campaign, at;
	struct fingerprint fp;
};

/* Band keys in an open-addressing multimap (key, entry index): one slot per
 * (report, band), no allocation per key; a GHashTable of GArrays made
 * loading 100,000 reports take seconds. */
struct band_slot {
	uint64_t key; /* 0: empty (a real 0 key is stored as 1) */
	uint32_t entry;
};

struct report_index {
	struct entry *entries;
	size_t n, cap;
	struct band_slot *bands;
	size_t bmask, bused;
	GHashTable *campaign_reporters; /* campaign (boxed) -> count */
	GHashTable *domains, *ips;      /* value -> why */
	int64_t last_id;                /* the highest report id seen */
};

struct report_index *report_index_new(void)
{
	struct report_index *idx = lg_calloc(1, sizeof(*idx));

	idx->bmask = 1023;
	idx->bands = lg_calloc(idx->bmask + 1, sizeof(*idx->bands));
	idx->campaign_reporters = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	idx->domains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	idx->ips = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return idx;
}

void report_index_free(struct report_index **idx)
{
	if (!idx || !*idx)
		return;
	lg_free((*idx)->bands);
	g_hash_table_destroy((*idx)->campaign_reporters);
	g_hash_table_destroy((*idx)->domains);
	g_hash_table_destroy((*idx)->ips);
	lg_free((*idx)->entries);
	lg_free(*idx);
	*idx = NULL;
}

static uint64_t band_key(const struct fingerprint *fp, unsigned b)
{
	uint64_t k = fingerprint_band_key(fp, b);

	return k ? k : 1;
}

static size_t band_home(const struct report_index *idx, uint64_t key)
{
	return (size_t)(key * 0x9e3779b97f4a7c15ULL >> 20) & idx->bmask;
}

static void band_put(struct report_index *idx, uint64_t key, uint32_t entry)
{
	size_t i = band_home(idx, key);

	while (idx->bands[i].key)
		i = (i + 1) & idx->bmask;
	idx->bands[i] = (struct band_slot){key, entry};
	idx->bused++;
}

static void bands_grow(struct report_index *idx)
{
	struct band_slot *old = idx->bands;
	size_t old_size = idx->bmask + 1;

	idx->bmask = old_size * 2 - 1;
	idx->bands = lg_calloc(old_size * 2, sizeof(*idx->bands));
	idx->bused = 0;
	for (size_t i = 0; i < old_size; i++)
		if (old[i].key)
			band_put(idx, old[i].key, old[i].entry);
	lg_free(old);
}

/* The key of the k-th (entry, band) pair, k = entry * FP_BANDS + band. */
static uint64_t pair_key(const struct report_index *idx, size_t k)
{
	return band_key(&idx->entries[k / FP_BANDS].fp, (unsigned)(k % FP_BANDS));
}

/* Files the band keys of entries [from, to). In a table of tens of
 * megabytes each key's slot is a cache and TLB miss; computing keys AHEAD
 * pairs early and prefetching their slots overlaps those misses. */
static void file_bands(struct report_index *idx, size_t from, size_t to)
{
	enum { AHEAD = 16 };
	uint64_t ring[AHEAD];
	size_t first = from * FP_BANDS, end = to * FP_BANDS;

	for (size_t k = first; k < end && k < first + AHEAD; k++) {
		ring[k % AHEAD] = pair_key(idx, k);
		__builtin_prefetch(&idx->bands[band_home(idx, ring[k % AHEAD])], 1);
	}
	for (size_t k = first; k < end; k++) {
		uint64_t key = ring[k % AHEAD];

		if (k + AHEAD < end) {
			ring[k % AHEAD] = pair_key(idx, k + AHEAD);
			__builtin_prefetch(&idx->bands[band_home(idx, ring[k % AHEAD])], 1);
		}
		band_put(idx, key, (uint32_t)(k / FP_BANDS));
	}
}

/* Appends one report without filing its bands; false when its fingerprint
 * is unusable (too little text). */
static bool entry_append(struct report_index *idx, int64_t id, int64_t campaign, int64_t at,
			 const struct fingerprint *fp)
{
	if (!fingerprint_usable(fp))
		return false;
	idx->entries = lg_grow(idx->entries, &idx->cap, idx->n + 1, sizeof(*idx->entries));
	idx->entries[idx->n++] = (struct entry){id, campaign, at, *fp};
	return true;
}

void report_index_add(struct report_index *idx, int64_t id, int64_t campaign, int64_t at, const struct fingerprint *fp)
{
	if (id > idx->last_id)
		idx->last_id = id;
	if (!entry_append(idx, id, campaign, at, fp))
		return;
	while ((idx->bused + FP_BANDS) * 2 > idx->bmask + 1)
		bands_grow(idx);
	file_bands(idx, idx->n - 1, idx->n);
}

bool report_index_best(const struct report_index *idx, const struct fingerprint *fp, double threshold,
		       struct report_match *out)
{
	double best = -1;
	const struct entry *hit = NULL;

	if (!fingerprint_usable(fp))
		return false;
	for (unsigned b = 0; b < FP_BANDS; b++) {
		uint64_t key = band_key(fp, b);

		for (size_t i = band_home(idx, key); idx->bands[i].key; i = (i + 1) & idx->bmask) {
			const struct entry *e;
			double s;

			if (idx->bands[i].key != key)
				continue;
			e = &idx->entries[idx->bands[i].entry];
			s = fingerprint_similarity(fp, &e->fp);
			if (s > best || (s == best && hit && e->at > hit->at)) {
				best = s;
				hit = e;
			}
		}
	}
	if (!hit || best < threshold)
		return false;
	out->id = hit->id;
	out->campaign = hit->campaign;
	out->at = hit->at;
	out->similarity = best;
	{
		gint64 c = hit->campaign;
		int64_t *n = g_hash_table_lookup(idx->campaign_reporters, &c);

		out->reporters = n ? *n : 1;
	}
	return true;
}

bool report_index_domain_blocked(const struct report_index *idx, const char *domain, const char **why)
{
	const char *hit = domain_in_set(idx->domains, domain);

	if (hit)
		*why = g_hash_table_lookup(idx->domains, hit);
	return hit != NULL;
}

bool report_index_ip_blocked(const struct report_index *idx, const char *ip, const char **why)
{
	const char *w = g_hash_table_lookup(idx->ips, ip);

	if (w)
		*why = w;
	return w != NULL;
}

size_t report_index_size(const struct report_index *idx)
{
	return idx->n;
}

int64_t report_index_last_id(const struct report_index *idx)
{
	return idx->last_id;
}

static bool catch_one(void *ctx, const struct report_row *r)
{
	struct report_index *idx = ctx;
	struct fingerprint fp;

	if (r->fingerprint_len == sizeof(fp)) {
		memcpy(&fp, r->fingerprint, sizeof(fp));
		report_index_add(idx, r->id, r->campaign, r->at, &fp);
	} else if (r->id > idx->last_id) {
		idx->last_id = r->id;
	}
	return true;
}

enum lg_status report_index_catch_up(struct report_index *idx, struct report_store *rs, struct errbuf *err)
{
	return report_store_each_after(rs, idx->last_id, catch_one, idx, err);
}

/* ---- loading ----------------------------------------------------------- */

struct loader {
	struct report_index *idx;
	GHashTable *reporters; /* "campaign\nreporter" set, to count distinct ones */
};

static bool load_report(void *ctx, const struct report_row *r)
{
	struct loader *l = ctx;
	struct fingerprint fp;
	char *key = g_strdup_printf("%lld\n%s", (long long)r->campaign, r->reporter ? r->reporter : "");

	if (r->id > l->idx->last_id)
		l->idx->last_id = r->id;
	if (r->fingerprint_len == sizeof(fp)) {
		memcpy(&fp, r->fingerprint, sizeof(fp));
		entry_append(l->idx, r->id, r->campaign, r->at, &fp); /* bands filed once all are in */
	}
	if (g_hash_table_add(l->reporters, key)) {
		gint64 c = r->campaign;
		int64_t *n = g_hash_table_lookup(l->idx->campaign_reporters, &c);

		if (!n) {
			gint64 *k = g_new(gint64, 1);

			*k = c;
			n = g_new0(int64_t, 1);
			g_hash_table_insert(l->idx->campaign_reporters, k, n);
		}
		(*n)++;
	}
	return true;
}

static bool load_block(void *ctx, const struct block_row *b)
{
	struct report_index *idx = ctx;

	if (!b->status || strcmp(b->status, "active") != 0)
		return true;
	g_hash_table_insert(strcmp(b->kind, "ip") == 0 ? idx->ips : idx->domains, g_ascii_strdown(b->value, -1),
			    g_strdup(b->why ? b->why : "blocked by an administrator"));
	return true;
}

enum lg_status report_index_load(const char *path, struct report_index **out, struct errbuf *err)
{
	struct report_store *rs = NULL;
	struct loader l = {report_index_new(), g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
	enum lg_status rc = report_store_open(path, &rs, err);
	int64_t n = 0;

	if (!rc)
		rc = report_store_count(rs, &n, err);
	if (!rc) {
		/* Sized once: growing a table of millions of slots re-touches them all. */
		while ((size_t)(n + 1) * FP_BANDS * 2 > l.idx->bmask + 1)
			l.idx->bmask = l.idx->bmask * 2 + 1;
		lg_free(l.idx->bands);
		l.idx->bands = lg_calloc(l.idx->bmask + 1, sizeof(*l.idx->bands));
		l.idx->entries = lg_grow(l.idx->entries, &l.idx->cap, (size_t)n, sizeof(*l.idx->entries));
		rc = report_store_each(rs, load_report, &l, err);
	}
	if (!rc)
		file_bands(l.idx, 0, l.idx->n);
	if (!rc)
		rc = report_store_blocks(rs, load_block, l.idx, err);
	report_store_close(&rs);
	g_hash_table_destroy(l.reporters);
	if (rc) {
		report_index_free(&l.idx);
		return rc;
	}
	*out = l.idx;
	return LG_OK;
}
