/* segment.c: see segment.h for the file layout and why it exists. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leak/hash.h"
#include "leak/segment.h"
#include "util/durable.h"
#include "util/alloc.h"

#define MAGIC "LGLEAKS1"
#define HEADER_SIZE 64
#define VERSION 2
#define DOMAIN_ROW 16

_Static_assert(sizeof(struct leak_entry) == 24, "entries are 24 bytes on disk");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "segments are little-endian; add byte swapping");

struct leak_segment {
	void *map;
	size_t map_len;
	const struct leak_entry *e;
	size_t n;
	uint64_t hash, dhash;
	uint32_t date;
	const unsigned char *dom; /* nd rows of DOMAIN_ROW bytes */
	size_t nd;
	const char *text;         /* the domains' text, tlen bytes */
	size_t tlen;
};

#define SEED_DOMAIN 0xd1

uint64_t leak_domain_hash(const char *d, size_t n)
{
	uint64_t h = leak_hash64(SEED_DOMAIN, d, n);

#ifdef LEAK_GROUP_TEST_BITS
	h &= (1ULL << LEAK_GROUP_TEST_BITS) - 1;
#endif
	return h;
}

const char *leak_kind_name(enum leak_kind k)
{
	switch (k) {
	case LEAK_EMAIL: return "email";
	case LEAK_PHONE: return "phone";
	case LEAK_NAME: return "name";
	case LEAK_ORG: return "organisation";
	default: return "unknown";
	}
}

/* One LSD pass on a 16-bit digit; returns false (and leaves the data
 * where it was) when every entry has the same digit. */
static bool radix_pass(const struct leak_entry *src, struct leak_entry *dst, size_t n, int word, int shift,
		       size_t *count)
{
	memset(count, 0, 65536 * sizeof(*count));
	for (size_t i = 0; i < n; i++) {
		uint64_t k = word ? src[i].value : src[i].group;

		count[(k >> shift) & 0xffff]++;
	}
	for (size_t d = 0; d < 65536; d++)
		if (count[d] == n)
			return false;
	for (size_t d = 0, sum = 0; d < 65536; d++) {
		size_t c = count[d];

		count[d] = sum;
		sum += c;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t k = word ? src[i].value : src[i].group;

		dst[count[(k >> shift) & 0xffff]++] = src[i];
	}
	return true;
}

void leak_entries_sort(struct leak_entry *e, size_t n)
{
	static const int passes[6][2] = {{1, 0}, {1, 16}, {1, 32}, {1, 48}, {0, 0}, {0, 16}};
	struct leak_entry *tmp, *src = e, *dst;
	size_t *count;

	if (n < 2)
		return;
	tmp = lg_malloc(n * sizeof(*tmp));
	count = lg_malloc(65536 * sizeof(*count));
	dst = tmp;
	for (int p = 0; p < 6; p++) {
		if (radix_pass(src, dst, n, passes[p][0], passes[p][1], count)) {
			struct leak_entry *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != e)
		memcpy(e, src, n * sizeof(*e));
	lg_free(count);
	lg_free(tmp);
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

struct dom_sort {
	uint64_t hash;
	const char *text;
	size_t len;
	uint32_t from; /* batch group */
};

static int dom_cmp(const void *a, const void *b)
{
	const struct dom_sort *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	c = memcmp(x->text, y->text, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

enum lg_status leak_segment_write(const char *path, uint64_t source_id, uint32_t date, const char *const *domains,
				  size_t nd, struct leak_entry *e, size_t n, struct errbuf *err)
{
	struct dom_sort *ds = lg_calloc(nd + 1, sizeof(*ds));
	uint32_t *remap = lg_calloc(nd + 1, sizeof(*remap));
	size_t tlen = 0, head_len, off = 0;
	unsigned char *h;
	enum lg_status rc;

	for (size_t i = 0; i < nd; i++) {
		ds[i].text = domains[i];
		ds[i].len = strlen(domains[i]);
		ds[i].hash = leak_domain_hash(ds[i].text, ds[i].len);
		ds[i].from = (uint32_t)i + 1;
		tlen += ds[i].len;
	}
	qsort(ds, nd, sizeof(*ds), dom_cmp);
	head_len = HEADER_SIZE + nd * DOMAIN_ROW + ((tlen + 7) & ~(size_t)7);
	h = lg_calloc(1, head_len);
	for (size_t i = 0; i < nd; i++) {
		unsigned char *row = h + HEADER_SIZE + i * DOMAIN_ROW;

		remap[ds[i].from] = (uint32_t)i + 1;
		put64(row, ds[i].hash);
		put32(row + 8, (uint32_t)off);
		put32(row + 12, (uint32_t)ds[i].len);
		memcpy(h + HEADER_SIZE + nd * DOMAIN_ROW + off, ds[i].text, ds[i].len);
		off += ds[i].len;
	}
	for (size_t i = 0; i < n; i++)
		if (e[i].group != 0 && e[i].group != LEAK_GROUP_PHONE)
			e[i].group = e[i].group <= nd ? remap[e[i].group] : 0;
	leak_entries_sort(e, n);
	memcpy(h, MAGIC, 8);
	put32(h + 8, VERSION);
	put32(h + 12, sizeof(struct leak_entry));
	put64(h + 16, n);
	put64(h + 24, source_id);
	put64(h + 32, leak_hash64(0, n ? (const void *)e : "", n * sizeof(*e)));
	put32(h + 40, date);
	put32(h + 44, (uint32_t)nd);
	put32(h + 48, (uint32_t)tlen);
	put64(h + 52, leak_hash64(0, h + HEADER_SIZE, head_len - HEADER_SIZE));
	rc = durable_write(path, h, head_len, e, n * sizeof(*e), err);
	lg_free(h);
	lg_free(ds);
	lg_free(remap);
	return rc;
}

enum lg_status leak_segment_open(const char *path, struct leak_segment **out, struct errbuf *err)
{
	struct leak_segment *s;
	struct stat st;
	const unsigned char *h;
	uint64_t n;
	uint32_t version, esize, nd, tlen;
	size_t head_len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errbuf_set(err, errno == ENOENT ? LG_ENOTFOUND : LG_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || st.st_size < HEADER_SIZE) {
		close(fd);
		return errbuf_set(err, LG_EPARSE, "%s: not a leak index segment (too short)", path);
	}
	s = lg_calloc(1, sizeof(*s));
	s->map_len = (size_t)st.st_size;
	s->map = mmap(NULL, s->map_len, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (s->map == MAP_FAILED) {
		lg_free(s);
		return errbuf_set(err, LG_EIO, "%s: mmap: %s", path, strerror(errno));
	}
	h = s->map;
	memcpy(&version, h + 8, 4);
	memcpy(&esize, h + 12, 4);
	memcpy(&n, h + 16, 8);
	memcpy(&s->hash, h + 32, 8);
	memcpy(&s->date, h + 40, 4);
	memcpy(&nd, h + 44, 4);
	memcpy(&tlen, h + 48, 4);
	memcpy(&s->dhash, h + 52, 8);
	if (memcmp(h, MAGIC, 8) == 0 && version == 1) {
		leak_segment_close(&s);
		return errbuf_set(err, LG_EPARSE,
				  "%s: a leak index segment of an older format, whose domain answers could mix"
				  " organisations; run `leakguard ingest` again for every leak to rebuild the index",
				  path);
	}
	head_len = HEADER_SIZE + (size_t)nd * DOMAIN_ROW + (((size_t)tlen + 7) & ~(size_t)7);
	if (memcmp(h, MAGIC, 8) != 0 || version != VERSION || esize != sizeof(struct leak_entry) ||
	    head_len > s->map_len || n != (s->map_len - head_len) / sizeof(struct leak_entry) ||
	    (s->map_len - head_len) % sizeof(struct leak_entry) != 0) {
		leak_segment_close(&s);
		return errbuf_set(err, LG_EPARSE, "%s: damaged leak index segment (bad header or size)", path);
	}
	s->dom = h + HEADER_SIZE;
	s->nd = nd;
	s->text = (const char *)h + HEADER_SIZE + (size_t)nd * DOMAIN_ROW;
	s->tlen = tlen;
	for (size_t i = 0; i < nd; i++) {
		uint32_t o, l;

		memcpy(&o, s->dom + i * DOMAIN_ROW + 8, 4);
		memcpy(&l, s->dom + i * DOMAIN_ROW + 12, 4);
		if ((uint64_t)o + l > tlen) {
			leak_segment_close(&s);
			return errbuf_set(err, LG_EPARSE, "%s: damaged leak index segment (domain table)", path);
		}
	}
	s->e = (const struct leak_entry *)(h + head_len);
	s->n = (size_t)n;
	madvise(s->map, s->map_len, MADV_RANDOM);
	*out = s;
	return LG_OK;
}

void leak_segment_close(struct leak_segment **s)
{
	if (!s || !*s)
		return;
	munmap((*s)->map, (*s)->map_len);
	lg_free(*s);
	*s = NULL;
}

size_t leak_segment_count(const struct leak_segment *s)
{
	return s->n;
}

const struct leak_entry *leak_segment_entries(const struct leak_segment *s)
{
	return s->e;
}

uint32_t leak_segment_date(const struct leak_segment *s)
{
	return s->date;
}

bool leak_segment_verify(const struct leak_segment *s)
{
	return leak_hash64(0, s->e, s->n * sizeof(*s->e)) == s->hash &&
	       leak_hash64(0, s->dom, (size_t)((const unsigned char *)s->e - s->dom)) == s->dhash;
}

static uint64_t row_hash(const struct leak_segment *s, size_t i)
{
	uint64_t h;

	memcpy(&h, s->dom + i * DOMAIN_ROW, 8);
	return h;
}

const char *leak_segment_domain_text(const struct leak_segment *s, uint32_t g, size_t *n)
{
	uint32_t o, l;

	if (g == 0 || g == LEAK_GROUP_PHONE || g > s->nd)
		return NULL;
	memcpy(&o, s->dom + (size_t)(g - 1) * DOMAIN_ROW + 8, 4);
	memcpy(&l, s->dom + (size_t)(g - 1) * DOMAIN_ROW + 12, 4);
	*n = l;
	return s->text + o;
}

uint32_t leak_segment_domain(const struct leak_segment *s, const char *d, size_t n)
{
	uint64_t h = leak_domain_hash(d, n);
	size_t lo = 0, len = s->nd;

	if (len == 0)
		return 0;
	/* branch-free halving as leak_segment_lower_bound: same probes for any d */
	while (len > 1) {
		size_t half = len / 2;

		lo = row_hash(s, lo + half) < h ? lo + half : lo;
		len -= half;
	}
	lo += row_hash(s, lo) < h;
	/* the hash only finds candidates: the text decides */
	for (size_t i = lo; i < s->nd && row_hash(s, i) == h; i++) {
		size_t tl = 0;
		const char *t = leak_segment_domain_text(s, (uint32_t)i + 1, &tl);

		if (tl == n && memcmp(t, d, n) == 0)
			return (uint32_t)i + 1;
	}
	return 0;
}

static inline bool less(const struct leak_entry *e, uint32_t group, uint64_t value)
{
	return e->group < group || (e->group == group && e->value < value);
}

size_t leak_segment_lower_bound(const struct leak_segment *s, uint32_t group, uint64_t value)
{
	const struct leak_entry *base = s->e;
	size_t n = s->n;

	if (n == 0)
		return 0;
	/* Branch-free halving: the loop runs ceil(log2 n) times for any key. */
	while (n > 1) {
		size_t half = n / 2;

		base = less(&base[half], group, value) ? base + half : base;
		n -= half;
	}
	return (size_t)(base - s->e) + less(base, group, value);
}

size_t leak_segment_group_start(const struct leak_segment *s, uint32_t group)
{
	return leak_segment_lower_bound(s, group, 0);
}
