/* lookup.c: the leak index's read side (index.h): opening the live
 * segments, address, phone and domain lookups, the range answer, places
 * served from the store, per-source counts, and leak_file_text for offline
 * commands. Nothing here runs on ingest. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <zlib.h>

#include "leak/index.h"
#include "leak/index_int.h"
#include "leak/doc.h"
#include "leak/range.h"
#include "leak/record.h"
#include "util/alloc.h"

#define PROBE_WINDOW 8 /* entries read after every probe point */

static uint64_t get_le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* ---- lookups ---- */

struct ix_seg {
	struct leak_segment *seg;
	size_t src; /* index into sources */
};

struct ix_source {
	int64_t id;
	char *name;
	uint32_t date; /* of the newest dated segment, 0 when none */
};

struct leak_index {
	struct ix_seg *segs;
	size_t nsegs, segs_cap;
	struct ix_source *sources;
	size_t nsources, sources_cap;
	uint64_t entries;
	struct leak_range **ranges;
	size_t nranges, ranges_cap;
	char *dir;
	int64_t only; /* source id when restricted, else 0 */
	uint8_t key[LEAK_RANGE_KEY_LEN]; /* the range key, read once at open */
	bool have_key;
	enum lg_status rc;
	struct errbuf *err;
};

static bool add_source(void *ctx, const struct store_leak_source *src)
{
	struct leak_index *ix = ctx;

	if (ix->nsources == ix->sources_cap)
		ix->sources = lg_grow(ix->sources, &ix->sources_cap, ix->nsources + 1, sizeof(*ix->sources));
	ix->sources[ix->nsources].id = src->id;
	ix->sources[ix->nsources].name = lg_strdup(src->name);
	ix->sources[ix->nsources].date = 0; /* until a dated segment says (lg_grow does not zero) */
	ix->nsources++;
	return true;
}

static bool add_segment(void *ctx, const struct store_leak_segment *seg)
{
	struct leak_index *ix = ctx;
	char *path = g_build_filename(ix->dir, seg->name, NULL);
	struct leak_segment *ls = NULL;
	size_t src = 0;

	if (g_str_has_prefix(seg->name, "rng-")) {
		struct leak_range *r = NULL;

		ix->rc = leak_range_open(path, &r, ix->err);
		g_free(path);
		if (ix->rc)
			return false;
		if (ix->nranges == ix->ranges_cap)
			ix->ranges = lg_grow(ix->ranges, &ix->ranges_cap, ix->nranges + 1, sizeof(*ix->ranges));
		ix->ranges[ix->nranges++] = r;
		return true;
	}
	ix->rc = leak_segment_open(path, &ls, ix->err);
	g_free(path);
	if (ix->rc)
		return false;
	while (src < ix->nsources && ix->sources[src].id != seg->source_id)
		src++;
	if (ix->nsegs == ix->segs_cap)
		ix->segs = lg_grow(ix->segs, &ix->segs_cap, ix->nsegs + 1, sizeof(*ix->segs));
	ix->segs[ix->nsegs].seg = ls;
	ix->segs[ix->nsegs].src = src;
	ix->nsegs++;
	if (src < ix->nsources && leak_segment_date(ls)) /* segments come in id order: the newest wins */
		ix->sources[src].date = leak_segment_date(ls);
	ix->entries += leak_segment_count(ls);
	return true;
}

enum lg_status leak_index_open(struct store *s, const char *source, struct leak_index **out, struct errbuf *err)
{
	struct leak_index *ix = lg_calloc(1, sizeof(*ix));
	enum lg_status rc = store_leak_attach(s, false, err);

	ix->err = err;
	if (!rc)
		rc = store_read_begin(s, err);
	if (rc) {
		leak_index_close(&ix);
		return rc;
	}
	if (source)
		rc = store_leak_source_get(s, source, false, &ix->only, err);
	if (!rc)
		rc = store_leak_sources(s, add_source, ix, err);
	ix->dir = store_leak_dir(s);
	if (!rc)
		rc = store_leak_segments(s, ix->only, add_segment, ix, err);
	if (!rc)
		rc = ix->rc;
	if (!rc) /* a server answers many range questions: read the key once */
		ix->have_key = leak_range_key(ix->dir, ix->key, NULL) == LG_OK;
	store_read_end(s);
	if (rc) {
		leak_index_close(&ix);
		return rc;
	}
	*out = ix;
	return LG_OK;
}

void leak_index_close(struct leak_index **ixp)
{
	struct leak_index *ix;

	if (!ixp || !*ixp)
		return;
	ix = *ixp;
	for (size_t i = 0; i < ix->nsegs; i++)
		leak_segment_close(&ix->segs[i].seg);
	for (size_t i = 0; i < ix->nranges; i++)
		leak_range_close(&ix->ranges[i]);
	lg_free(ix->ranges);
	for (size_t i = 0; i < ix->nsources; i++)
		lg_free(ix->sources[i].name);
	lg_free(ix->segs);
	lg_free(ix->sources);
	g_free(ix->dir);
	lg_free(ix);
	*ixp = NULL;
}

uint32_t leak_index_source_date(const struct leak_index *ix, int64_t source_id)
{
	for (size_t i = 0; i < ix->nsources; i++)
		if (ix->sources[i].id == source_id)
			return ix->sources[i].date;
	return 0;
}

enum lg_status leak_range_lookup(struct leak_index *ix, uint32_t prefix, char (**out)[36], size_t *n,
				 struct errbuf *err)
{
	uint8_t key[LEAK_RANGE_KEY_LEN];
	uint8_t (*real)[LEAK_SHA1_LEN] = NULL;
	size_t nreal = 0, cap = 0;
	enum lg_status rc = LG_OK;

	if (ix->have_key)
		memcpy(key, ix->key, sizeof(key));
	else
		rc = leak_range_key(ix->dir, key, err);

	if (rc)
		return rc;
	for (size_t i = 0; i < ix->nranges; i++) {
		const uint8_t (*first)[LEAK_SHA1_LEN];
		size_t k = leak_range_find(ix->ranges[i], prefix, &first);

		if (!k)
			continue;
		real = lg_grow(real, &cap, nreal + k, sizeof(*real));
		memcpy(real + nreal, first, k * sizeof(*real));
		nreal += k;
	}
	*n = leak_range_answer(prefix, (const uint8_t(*)[LEAK_SHA1_LEN])real, nreal, key, out);
	lg_free(real);
	return LG_OK;
}

size_t leak_index_segments(const struct leak_index *ix)
{
	return ix->nsegs;
}

uint64_t leak_index_entries(const struct leak_index *ix)
{
	return ix->entries;
}

bool leak_query_key(enum leak_query_kind kind, const char *q, struct leak_key *key, char *norm)
{
	size_t n = strlen(q), len, at;

	memset(key, 0, sizeof(*key));
	key->kind = kind;
	switch (kind) {
	case LEAK_Q_EMAIL:
		len = leak_email_norm(q, n, norm, &at);
		if (!len)
			return false;
		key->dlen = leak_domain_of_host(norm + at + 1, key->domain);
		key->value = leak_value_key(LEAK_EMAIL, norm, len);
		return key->dlen > 0;
	case LEAK_Q_PHONE:
		len = leak_phone_norm(q, n, 0, norm);
		if (!len)
			return false;
		key->value = leak_value_key(LEAK_PHONE, norm, len);
		return true;
	case LEAK_Q_DOMAIN:
		while (*q == '@' || *q == ' ')
			q++;
		n = strlen(q);
		while (n && (q[n - 1] == '.' || q[n - 1] == ' '))
			n--;
		if (n == 0 || n > LEAK_MAX_EMAIL || memchr(q, '@', n))
			return false;
		for (size_t i = 0; i < n; i++)
			norm[i] = (char)g_ascii_tolower(q[i]);
		norm[n] = '\0';
		key->dlen = leak_domain_of_host(norm, key->domain);
		return key->dlen > 0;
	}
	return false;
}

static struct leak_source_hits *hits_for(struct leak_index *ix, struct leak_result *r, size_t src)
{
	for (size_t i = 0; i < r->nsrc; i++)
		if (r->src[i].source_id == ix->sources[src].id)
			return &r->src[i];
	r->src = lg_realloc(r->src, (r->nsrc + 1) * sizeof(*r->src));
	memset(&r->src[r->nsrc], 0, sizeof(*r->src));
	r->src[r->nsrc].source_id = ix->sources[src].id;
	r->src[r->nsrc].name = ix->sources[src].name;
	return &r->src[r->nsrc++];
}

static void record_hit(struct leak_source_hits *h, const struct leak_entry *e)
{
	h->occurrences++;
	if (leak_entry_flags(e) & LEAK_FLAG_PASSWORD)
		h->with_password++;
	if (h->nplaces < LEAK_MAX_PLACES) {
		struct leak_place *p = &h->places[h->nplaces++];

		p->file_id = leak_entry_file(e);
		p->pos = e->pos & LEAK_POS_MASK;
		p->kind = leak_entry_kind(e);
		p->password = leak_entry_flags(e) & LEAK_FLAG_PASSWORD;
		p->with_name = leak_entry_flags(e) & LEAK_FLAG_WITH_NAME;
		p->with_phone = leak_entry_flags(e) & LEAK_FLAG_WITH_PHONE;
	}
}

/* The group of the key's domain in segment sg; a group no entry has (in
 * the same number of probes) when the segment holds nothing of it. */
static uint32_t segment_group(const struct leak_segment *sg, const struct leak_key *key)
{
	uint32_t g;

	if (key->kind == LEAK_Q_PHONE)
		return LEAK_GROUP_PHONE;
	g = leak_segment_domain(sg, key->domain, key->dlen);
	return g ? g : LEAK_GROUP_PHONE - 1;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void leak_lookup(struct leak_index *ix, const struct leak_key *key, struct leak_result *r)
{
	uint64_t value = key->value;

	memset(r, 0, sizeof(*r));
	if (key->kind != LEAK_Q_DOMAIN) {
		for (size_t i = 0; i < ix->nsegs; i++) {
			const struct leak_segment *sg = ix->segs[i].seg;
			const struct leak_entry *e = leak_segment_entries(sg);
			uint32_t group = segment_group(sg, key);
			size_t n = leak_segment_count(sg), lb = leak_segment_lower_bound(sg, group, value), k;
			unsigned matched = 0;
			struct leak_source_hits *h = NULL;

			if (n == 0)
				continue;
			/* the same window for hits and misses */
			for (k = 0; k < PROBE_WINDOW; k++) {
				size_t idx = lb + k < n ? lb + k : n - 1;
				bool m = lb + k < n && e[idx].group == group && e[idx].value == value;

				if (m) {
					if (!h)
						h = hits_for(ix, r, ix->segs[i].src);
					record_hit(h, &e[idx]);
					h->distinct[leak_entry_kind(&e[idx])] = 1;
					matched++;
				}
			}
			for (k = lb + PROBE_WINDOW; matched == PROBE_WINDOW && k < n && e[k].group == group &&
						    e[k].value == value;
			     k++)
				record_hit(h, &e[k]);
		}
	} else {
		/* per source: (kind << 61 | value >> 3) pairs, sorted and counted */
		uint64_t **vals = lg_calloc(ix->nsources + 1, sizeof(*vals));
		size_t *nv = lg_calloc(ix->nsources + 1, sizeof(*nv)), *cv = lg_calloc(ix->nsources + 1, sizeof(*cv));

		for (size_t i = 0; i < ix->nsegs; i++) {
			const struct leak_segment *sg = ix->segs[i].seg;
			const struct leak_entry *e = leak_segment_entries(sg);
			uint32_t group = leak_segment_domain(sg, key->domain, key->dlen);
			size_t lo = group ? leak_segment_lower_bound(sg, group, 0) : 0;
			size_t hi = group ? leak_segment_lower_bound(sg, group + 1, 0) : 0;
			size_t src = ix->segs[i].src;

			for (size_t k = lo; k < hi; k++) {
				struct leak_source_hits *h = hits_for(ix, r, src);

				record_hit(h, &e[k]);
				if (nv[src] == cv[src])
					vals[src] = lg_grow(vals[src], &cv[src], nv[src] + 1, sizeof(**vals));
				vals[src][nv[src]++] = ((uint64_t)leak_entry_kind(&e[k]) << 61) | (e[k].value >> 3);
			}
		}
		for (size_t s = 0; s <= ix->nsources; s++) {
			if (!nv[s])
				continue;
			struct leak_source_hits *h = hits_for(ix, r, s);

			qsort(vals[s], nv[s], sizeof(**vals), u64_cmp);
			for (size_t k = 0; k < nv[s]; k++)
				if (k == 0 || vals[s][k] != vals[s][k - 1])
					h->distinct[vals[s][k] >> 61]++;
			lg_free(vals[s]);
		}
		lg_free(vals);
		lg_free(nv);
		lg_free(cv);
	}
	r->found = r->nsrc > 0;
}

void leak_result_cleanup(struct leak_result *r)
{
	lg_free(r->src);
	memset(r, 0, sizeof(*r));
}

struct member_find {
	const char *rest; /* "b.csv" or "inner.zip!b.csv" */
	char *data;       /* the member found (lg_malloc'd) */
	size_t n;
	const char *next; /* after "inner.zip!" when the member is an archive on the way */
};

static bool find_member(void *ctx, const char *name, const char *data, size_t n)
{
	struct member_find *m = ctx;
	size_t k = strlen(name);

	if (strcmp(name, m->rest) == 0 || (strncmp(m->rest, name, k) == 0 && m->rest[k] == '!')) {
		m->data = lg_malloc(n + 1);
		memcpy(m->data, data, n);
		m->n = n;
		m->next = m->rest[k] == '!' ? m->rest + k + 1 : NULL;
		return false;
	}
	return true;
}

static void ignore_error(void *ctx, const char *name, const char *why)
{
	(void)ctx, (void)name, (void)why;
}

/* The bytes a file row was read from, as they are now: the file itself
 * (mapped; *map set) when its size and mtime are unchanged, or a member
 * of an archive ("a.zip!dir/b.csv", nested "a.zip!b.tar.gz!c.txt";
 * *owned set, lg_free) when the archive's mtime and the member's SHA-256
 * are unchanged. False when the place can no longer be read. */
static bool place_bytes(const struct store_leak_file *f, const char **data, size_t *n, void **map, size_t *map_len,
			char **owned)
{
	char *outer = lg_strdup(f->path), *bang = NULL;
	struct stat sb;
	int fd = -1;
	bool ok = false;

	*map = NULL;
	*owned = NULL;
	if (stat(outer, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		for (bang = strchr(outer, '!'); bang; bang = strchr(bang + 1, '!')) {
			*bang = '\0';
			if (stat(outer, &sb) == 0 && S_ISREG(sb.st_mode))
				break;
			*bang = '!';
		}
		if (!bang)
			goto out;
	}
	if (sb.st_mtime != f->mtime || (!bang && sb.st_size != f->size) || sb.st_size == 0)
		goto out;
	fd = open(outer, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	*map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (*map == MAP_FAILED) {
		*map = NULL;
		goto out;
	}
	*map_len = (size_t)sb.st_size;
	*data = *map;
	*n = *map_len;
	if (bang) {
		struct member_find m = {.rest = f->path + (bang - outer) + 1};
		struct leak_budget bg;
		uint8_t sha[32];

		leak_budget_init(&bg, *n);
		for (int depth = 0; m.rest && depth <= LEAK_MAX_ARCHIVE_DEPTH; depth++) {
			char *prev = m.data;

			m.data = NULL;
			leak_archive_each(*data, *n, &bg, find_member, ignore_error, &m);
			lg_free(prev);
			if (!m.data)
				goto out;
			*data = m.data;
			*n = m.n;
			*owned = m.data;
			m.rest = m.next;
		}
		if (m.rest)
			goto out;
		leak_sha256(*data, *n, sha);
		if (memcmp(sha, f->sha256, 32) != 0)
			goto out;
	}
	ok = true;
out:
	lg_free(outer);
	return ok;
}

struct place_find {
	uint64_t pos;
	uint64_t line;
	unsigned page;
	struct buf *snippet;
	bool found;
};

bool leak_unpack(const void *p, size_t n, char **out, size_t *outn)
{
	uLongf len;
	char *b;

	*out = NULL;
	*outn = 0;
	if (n < 4)
		return false;
	len = (uLongf)get_le(p, 4);
	if (len > LEAK_PACKED_MAX)
		return false;
	b = lg_malloc((size_t)len + 1);
	if (uncompress((Bytef *)b, &len, (const Bytef *)p + 4, (uLong)(n - 4)) != Z_OK ||
	    len != (uLongf)get_le(p, 4)) {
		lg_free(b);
		return false;
	}
	b[len] = '\0';
	*out = b;
	*outn = (size_t)len;
	return true;
}

/* Finds the place at pos in one chunk (leak_places; prepare_places wrote it). */
static bool find_place(void *ctx, const void *packed, size_t plen)
{
	struct place_find *pf = ctx;
	char *data;
	size_t len;
	const unsigned char *p, *end;
	bool more = true;

	if (!leak_unpack(packed, plen, &data, &len))
		return true;
	p = (const unsigned char *)data;
	end = p + len;

	while (end - p >= PLACE_HEAD) {
		uint64_t pos = get_le(p, 8);
		size_t sn = (size_t)get_le(p + 16, 2);

		if ((size_t)(end - p - PLACE_HEAD) < sn)
			break;
		if (pos == pf->pos) {
			pf->line = get_le(p + 8, 4);
			pf->page = (unsigned)get_le(p + 12, 4);
			buf_append(pf->snippet, p + PLACE_HEAD, sn);
			pf->found = true;
			more = false;
			break;
		}
		p += PLACE_HEAD + sn;
	}
	lg_free(data);
	return more;
}

struct addr_each {
	bool (*fn)(void *ctx, int64_t source_id, const char *text, size_t len);
	void *ctx;
};

static bool unpack_row(void *ctx, int64_t source_id, const char *packed, size_t plen)
{
	struct addr_each *a = ctx;
	char *text;
	size_t len;
	bool more = true;

	if (leak_unpack(packed, plen, &text, &len)) {
		more = a->fn(a->ctx, source_id, text, len);
		lg_free(text);
	}
	return more;
}

enum lg_status leak_addresses_each(struct store *s, const char *domain,
				   bool (*fn)(void *ctx, int64_t source_id, const char *text, size_t len), void *ctx,
				   struct errbuf *err)
{
	struct addr_each a = {fn, ctx};

	return store_leak_addresses(s, domain, unpack_row, &a, err);
}

struct confirm {
	const char *text;
	size_t len;
	const struct leak_result *r;
	bool *ok; /* per source of r: the text is among its stored addresses */
	size_t left;
};

static bool confirm_row(void *ctx, int64_t source_id, const char *text, size_t len)
{
	struct confirm *c = ctx;
	const char *p = text, *end = text + len;
	size_t i;

	for (i = 0; i < c->r->nsrc && c->r->src[i].source_id != source_id; i++)
		;
	if (i == c->r->nsrc || c->ok[i])
		return true;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (n == c->len && memcmp(p, c->text, n) == 0) {
			c->ok[i] = true;
			return --c->left > 0;
		}
		p += n + 1;
	}
	return true;
}

enum lg_status leak_result_confirm(struct store *s, const struct leak_key *key, const char *norm,
				   struct leak_result *r, struct errbuf *err)
{
	struct confirm c = {norm, strlen(norm), r, NULL, r->nsrc};
	enum lg_status rc = LG_OK;
	size_t kept = 0;

	if (key->kind != LEAK_Q_EMAIL || r->nsrc == 0)
		return LG_OK;
	c.ok = lg_calloc(r->nsrc, sizeof(*c.ok));
	rc = leak_addresses_each(s, key->domain, confirm_row, &c, err);
	for (size_t i = 0; i < r->nsrc; i++)
		if (!rc && c.ok[i])
			r->src[kept++] = r->src[i];
	r->nsrc = kept;
	r->found = kept > 0;
	lg_free(c.ok);
	return rc;
}

enum lg_status leak_place_resolve(struct store *s, const struct leak_place *p, struct buf *path, uint64_t *line,
				  unsigned *page, struct buf *snippet, bool *changed, struct errbuf *err)
{
	struct store_leak_file f;
	enum lg_status rc = store_leak_file_get(s, p->file_id, &f, err);
	struct place_find pf = {.pos = p->pos, .snippet = snippet};

	buf_reset(path);
	buf_reset(snippet);
	*line = 0;
	*page = 0;
	*changed = true;
	if (rc)
		return rc;
	buf_append(path, f.path, strlen(f.path));
	rc = store_leak_places(s, p->file_id, p->pos, find_place, &pf, err);
	if (rc || !pf.found)
		return rc;
	*line = pf.line;
	*page = pf.page;
	*changed = false;
	return LG_OK;
}

const char *leak_index_source_name(const struct leak_index *ix, int64_t source_id)
{
	for (size_t i = 0; i < ix->nsources; i++)
		if (ix->sources[i].id == source_id)
			return ix->sources[i].name;
	return NULL;
}

void leak_place_decoy(struct leak_index *ix, struct store *s)
{
	struct buf path, snip;
	uint64_t line;
	unsigned page;
	bool changed;
	struct leak_place p = {0};

	for (size_t i = 0; i < ix->nsegs; i++)
		if (leak_segment_count(ix->segs[i].seg)) {
			const struct leak_entry *e = leak_segment_entries(ix->segs[i].seg);

			p.file_id = leak_entry_file(e);
			p.pos = e->pos & LEAK_POS_MASK;
			break;
		}
	if (!p.file_id)
		return;
	buf_init(&path);
	buf_init(&snip);
	leak_place_resolve(s, &p, &path, &line, &page, &snip, &changed, NULL);
	buf_cleanup(&path);
	buf_cleanup(&snip);
}

/* A merge cursor's key: entries of every segment come in (domain class,
 * domain hash, domain text, value) order, the same in every segment. */
struct cursor {
	const struct leak_segment *sg;
	const struct leak_entry *e;
	size_t at, n;
	uint32_t group; /* of the cached domain below */
	int cls;        /* 0 no domain, 1 a domain, 2 the phone numbers */
	uint64_t hash;
	const char *text;
	size_t tlen;
};

static void cursor_key(struct cursor *c)
{
	uint32_t g = c->e[c->at].group;

	if (g == c->group && c->text)
		return;
	c->group = g;
	c->cls = g == 0 ? 0 : g == LEAK_GROUP_PHONE ? 2 : 1;
	c->text = leak_segment_domain_text(c->sg, g, &c->tlen);
	if (!c->text) {
		c->text = "";
		c->tlen = 0;
	}
	c->hash = c->cls == 1 ? leak_domain_hash(c->text, c->tlen) : 0;
}

static int cursor_cmp(const struct cursor *a, const struct cursor *b)
{
	size_t n = a->tlen < b->tlen ? a->tlen : b->tlen;
	int c;

	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	c = memcmp(a->text, b->text, n);
	if (c || a->tlen != b->tlen)
		return c ? c : (a->tlen < b->tlen ? -1 : 1);
	return (a->e[a->at].value > b->e[b->at].value) - (a->e[a->at].value < b->e[b->at].value);
}

enum lg_status leak_source_distinct(struct leak_index *ix, int64_t source_id, uint64_t distinct[LEAK_KINDS])
{
	struct cursor *cs = lg_calloc(ix->nsegs + 1, sizeof(*cs)), prev = {0};
	size_t k = 0;
	bool have = false;

	memset(distinct, 0, LEAK_KINDS * sizeof(*distinct));
	for (size_t i = 0; i < ix->nsegs; i++)
		if (ix->segs[i].src < ix->nsources && ix->sources[ix->segs[i].src].id == source_id &&
		    leak_segment_count(ix->segs[i].seg)) {
			cs[k].sg = ix->segs[i].seg;
			cs[k].e = leak_segment_entries(cs[k].sg);
			cs[k].n = leak_segment_count(cs[k].sg);
			cursor_key(&cs[k]);
			k++;
		}
	/* k-way merge by (domain, value); each distinct key counts once */
	for (;;) {
		size_t best = k;

		for (size_t i = 0; i < k; i++)
			if (cs[i].at < cs[i].n && (best == k || cursor_cmp(&cs[i], &cs[best]) < 0))
				best = i;
		if (best == k)
			break;
		{
			const struct leak_entry *e = &cs[best].e[cs[best].at];

			if (!have || cursor_cmp(&cs[best], &prev) != 0) {
				/* a phone counts by its by-number copy only */
				if (leak_entry_kind(e) != LEAK_PHONE || e->group == LEAK_GROUP_PHONE)
					distinct[leak_entry_kind(e)] += 1;
				have = true;
				prev = cs[best];
				prev.e = e;
				prev.at = 0;
			}
		}
		if (++cs[best].at < cs[best].n)
			cursor_key(&cs[best]);
	}
	lg_free(cs);
	return LG_OK;
}

void leak_group_each(struct leak_index *ix, const char *domain,
		     bool (*fn)(void *ctx, int64_t source_id, const struct leak_entry *e), void *ctx)
{
	size_t dlen = strlen(domain);

	for (size_t i = 0; i < ix->nsegs; i++) {
		const struct leak_segment *sg = ix->segs[i].seg;
		const struct leak_entry *e = leak_segment_entries(sg);
		uint32_t group = leak_segment_domain(sg, domain, dlen);
		size_t lo = group ? leak_segment_lower_bound(sg, group, 0) : 0;
		size_t hi = group ? leak_segment_lower_bound(sg, group + 1, 0) : 0;
		int64_t id = ix->segs[i].src < ix->nsources ? ix->sources[ix->segs[i].src].id : 0;

		for (size_t k = lo; k < hi; k++)
			if (!fn(ctx, id, &e[k]))
				return;
	}
}

enum lg_status leak_file_text(struct store *s, uint32_t file_id,
			      void (*fn)(void *ctx, const char *text, size_t n, const char *format), void *ctx,
			      struct errbuf *err)
{
	struct store_leak_file f;
	enum lg_status rc = store_leak_file_get(s, file_id, &f, err);
	const char *data = NULL, *text = NULL;
	size_t dn = 0, tn = 0, map_len = 0;
	void *map = NULL;
	char *owned = NULL, *format;
	struct leak_doc doc;
	enum leak_doc_kind kind;

	if (rc)
		return rc;
	format = lg_strdup(f.format); /* f's strings live until the next store call */
	leak_doc_init(&doc);
	if (place_bytes(&f, &data, &dn, &map, &map_len, &owned)) {
		kind = leak_doc_kind_of(f.format);
		if (kind == LEAK_DOC_PLAIN || kind == LEAK_DOC_ARCHIVE || !leak_doc_convert(&doc, kind, data, dn)) {
			text = doc.text ? doc.text : data;
			tn = doc.text ? doc.len : dn;
		}
	}
	fn(ctx, text, tn, format);
	leak_doc_cleanup(&doc);
	lg_free(owned);
	lg_free(format);
	if (map)
		munmap(map, map_len);
	return LG_OK;
}
