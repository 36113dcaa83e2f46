/* index.c: ingest (index.h has the protocol). This is the I/O edge of
 * src/leak/ on the way in: it walks directories, maps files, prepares what
 * lookups will show (places, snippets, per-domain addresses), writes segment
 * files and talks to the store; the readers it drives are pure. Lookups are
 * in lookup.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "leak/index.h"
#include "leak/index_int.h"
#include "leak/doc.h"
#include "leak/range.h"
#include "leak/reader.h"
#include "leak/record.h"
#include "mail/domain.h"
#include "util/alloc.h"
#include "util/random.h"

#define WALK_MAX_DEPTH 32
#define PLACES_PER_CHUNK 256          /* places per leak_places row */
#define PLACES_FLUSH (64u << 20)      /* pending place bytes written early (one huge file) */

struct batch_error {
	size_t file; /* index into files */
	uint64_t line;
	char *why;
};

struct pending {
	char *name;
	uint64_t entries, bytes;
};

/* A chunk of prepared places of one file (a leak_places row to be). */
struct place_chunk {
	int64_t file;
	uint64_t first, last;
	unsigned char *data;
	size_t len;
};

/* The addresses of one exact domain in one written segment. */
struct addr_row {
	char *domain, *text;
	size_t len;
};

struct ingest;
static void flush_chunks_early(struct ingest *in);
struct archive_walk;
static bool on_member(void *ctx, const char *name, const char *data, size_t n);
static void on_member_error(void *ctx, const char *name, const char *why);

struct ingest {
	struct store *s;
	int64_t source_id;
	uint32_t date;     /* YYYYMMDD written into every segment, 0 for none */
	bool dated;        /* a segment carrying the date was written */
	char *dir;
	const struct leak_ingest_hooks *hooks;
	struct leak_ingest_stats *st;
	struct errbuf *err;
	enum lg_status rc; /* first store or write failure */

	struct leak_collector col;
	struct store_leak_file *files;
	size_t nfiles, files_cap;
	struct batch_error *errs;
	size_t nerrs, errs_cap;
	struct pending *pend;
	size_t npend, pend_cap;
	int64_t next_id;

	const char *cur_path; /* the file being read */
	const char *cur_text; /* its text as read (converted), NULL between files */
	size_t cur_tn;
	bool cur_pdf;
	uint64_t cur_errors;
	size_t placed;        /* entries [0, placed) have their places prepared */

	struct place_chunk *chunks;
	size_t nchunks, chunks_cap, chunk_bytes;
	struct addr_row *addrs;
	size_t naddrs, addrs_cap;
};

struct archive_walk {
	struct ingest *in;
	const char *path;
	int64_t mtime;
	int depth;
};

static void hook_error(const struct ingest *in, const char *path, uint64_t line, const char *why)
{
	if (in->hooks && in->hooks->error)
		in->hooks->error(in->hooks->ctx, path, line, why);
}

static void on_record_error(void *ctx, uint64_t pos, uint64_t line, const char *why)
{
	struct ingest *in = ctx;

	(void)pos;
	in->cur_errors++;
	hook_error(in, in->cur_path, line, why);
	if (in->cur_errors > LEAK_ERRORS_KEPT)
		return;
	if (in->nerrs == in->errs_cap)
		in->errs = lg_grow(in->errs, &in->errs_cap, in->nerrs + 1, sizeof(*in->errs));
	in->errs[in->nerrs].file = in->nfiles;
	in->errs[in->nerrs].line = line;
	in->errs[in->nerrs].why = lg_strdup(why);
	in->nerrs++;
}

/* Sorts and writes the collected entries as a segment not yet registered. */
static void add_pending(struct ingest *in, const char *name, uint64_t entries, uint64_t bytes)
{
	struct pending *p;

	if (in->npend == in->pend_cap)
		in->pend = lg_grow(in->pend, &in->pend_cap, in->npend + 1, sizeof(*in->pend));
	p = &in->pend[in->npend++];
	p->name = lg_strdup(name);
	p->entries = entries;
	p->bytes = bytes;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

struct place_pos {
	uint64_t pos;
	bool password;
};

static int place_pos_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct place_pos *)a)->pos, y = ((const struct place_pos *)b)->pos;

	return (x > y) - (x < y);
}

void leak_pack(const void *p, size_t n, unsigned char **out, size_t *outn)
{
	uLongf zn = compressBound((uLong)n);
	unsigned char *z = lg_malloc(4 + zn);

	put_le(z, n, 4);
	if (compress2(z + 4, &zn, p, (uLong)n, 1) != Z_OK)
		abort(); /* only on a bad level or too small a buffer: a broken invariant */
	*out = z;
	*outn = 4 + zn;
}

static void add_chunk(struct ingest *in, int64_t file, uint64_t first, uint64_t last, struct buf *b)
{
	struct place_chunk *c;

	if (in->nchunks == in->chunks_cap)
		in->chunks = lg_grow(in->chunks, &in->chunks_cap, in->nchunks + 1, sizeof(*in->chunks));
	c = &in->chunks[in->nchunks++];
	c->file = file;
	c->first = first;
	c->last = last;
	leak_pack(b->data, b->len, &c->data, &c->len);
	in->chunk_bytes += c->len;
	buf_reset(b);
}

/* What lookup will show of the places of the entries collected since the
 * last call (all of the file being read): line, page and redacted
 * snippet, from the text while it is at hand, so that no request reads a
 * dump again. One row per PLACES_PER_CHUNK places, in byte order:
 * u64 pos, u32 line, u32 page (0 unless PDF), u16 n, n bytes of snippet. */
static void prepare_places(struct ingest *in)
{
	size_t n = in->col.nentries - in->placed, k = 0;
	struct place_pos *pp;
	struct buf b, snip;
	uint64_t line = 1, first = 0, last = 0, at = 0;
	unsigned page = 1, inchunk = 0;

	if (n == 0 || !in->cur_text) {
		in->placed = in->col.nentries;
		return;
	}
	pp = lg_malloc(n * sizeof(*pp));
	for (size_t i = in->placed; i < in->col.nentries; i++) {
		const struct leak_entry *e = &in->col.entries[i];

		pp[k].pos = e->pos & LEAK_POS_MASK;
		pp[k].password = (leak_entry_flags(e) & LEAK_FLAG_PASSWORD) != 0;
		k++;
	}
	for (size_t i = 1; i < k; i++) /* readers mostly go in file order: sort only when not */
		if (pp[i].pos < pp[i - 1].pos) {
			qsort(pp, k, sizeof(*pp), place_pos_cmp);
			break;
		}
	buf_init(&b);
	buf_init(&snip);
	for (size_t i = 0; i < k; i++) {
		uint64_t pos = pp[i].pos;
		unsigned char head[PLACE_HEAD];
		size_t start;

		if (i > 0 && pos == pp[i - 1].pos)
			continue;
		if (pos > in->cur_tn)
			continue;
		for (; at < pos; at++) { /* lines (within the page for a PDF) up to pos */
			if (in->cur_text[at] == '\n')
				line++;
			else if (in->cur_pdf && in->cur_text[at] == '\f') {
				page++;
				line = 1;
			}
		}
		start = pos > 200 ? (size_t)pos - 200 : 0;
		buf_reset(&snip);
		leak_redact(in->cur_text + start, in->cur_tn - start < 512 ? in->cur_tn - start : 512, (size_t)pos - start,
			    pp[i].password, &snip);
		if (snip.len > 0xffff)
			snip.len = 0xffff;
		if (inchunk == 0)
			first = pos;
		last = pos;
		put_le(head, pos, 8);
		put_le(head + 8, line, 4);
		put_le(head + 12, in->cur_pdf ? page : 0, 4);
		put_le(head + 16, snip.len, 2);
		buf_append(&b, head, sizeof(head));
		buf_append(&b, snip.data ? snip.data : "", snip.len);
		if (++inchunk == PLACES_PER_CHUNK) {
			add_chunk(in, in->col.file_no, first, last, &b);
			inchunk = 0;
		}
	}
	if (inchunk)
		add_chunk(in, in->col.file_no, first, last, &b);
	buf_cleanup(&b);
	buf_cleanup(&snip);
	lg_free(pp);
	in->placed = in->col.nentries;
	flush_chunks_early(in);
}

/* The batch's addresses per exact domain as rows to commit with the
 * segment (in file order; a reader sorts and drops repeats). */
static void take_addresses(struct ingest *in)
{
	for (size_t i = 0; i < in->col.ndomains; i++) {
		struct leak_batch_domain *d = &in->col.domains[i];
		struct addr_row *r;

		if (!d->len)
			continue;
		if (in->naddrs == in->addrs_cap)
			in->addrs = lg_grow(in->addrs, &in->addrs_cap, in->naddrs + 1, sizeof(*in->addrs));
		r = &in->addrs[in->naddrs++];
		r->domain = lg_strdup(d->name);
		leak_pack(d->addrs, d->len, (unsigned char **)&r->text, &r->len);
		lg_free(d->addrs);
		d->addrs = NULL;
		d->len = d->cap = 0;
	}
}

/* Sorts and writes the collected entries as a segment, and their
 * addresses' digests as its range file, neither registered yet. With
 * force, writes even an empty segment (to carry the date). */
static void write_segment(struct ingest *in, bool force)
{
	uint64_t tag = lg_random_u64();
	char *name, *path;
	size_t nsha = in->col.nsha1;
	const char **doms;

	if (in->rc || (in->col.nentries == 0 && !force))
		return;
	prepare_places(in);
	doms = lg_calloc(in->col.ndomains + 1, sizeof(*doms));
	for (size_t i = 0; i < in->col.ndomains; i++)
		doms[i] = in->col.domains[i].name;
	name = g_strdup_printf("seg-%lld-%016llx.lgs", (long long)in->source_id, (unsigned long long)tag);
	path = g_build_filename(in->dir, name, NULL);
	in->rc = leak_segment_write(path, (uint64_t)in->source_id, in->date, doms, in->col.ndomains, in->col.entries,
				    in->col.nentries, in->err);
	lg_free(doms);
	if (!in->rc) {
		struct stat sb;

		add_pending(in, name, in->col.nentries,
			    stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 64 + in->col.nentries * sizeof(struct leak_entry));
		in->dated |= in->date != 0;
		take_addresses(in);
	}
	g_free(path);
	g_free(name);
	if (!in->rc && nsha) {
		name = g_strdup_printf("rng-%lld-%016llx.lgr", (long long)in->source_id, (unsigned long long)tag);
		path = g_build_filename(in->dir, name, NULL);
		in->rc = leak_range_write(path, (uint64_t)in->source_id, in->col.sha1, nsha, in->err);
		g_free(path);
		if (!in->rc)
			add_pending(in, name, nsha, 64 + nsha * LEAK_SHA1_LEN);
		g_free(name);
	}
	leak_collector_reset(&in->col);
	in->placed = 0;
}

static void write_pending(void *ctx)
{
	write_segment(ctx, false);
}

static void free_batch(struct ingest *in)
{
	for (size_t i = 0; i < in->nfiles; i++) {
		lg_free((char *)in->files[i].path);
		lg_free((void *)in->files[i].lines);
	}
	for (size_t i = 0; i < in->nerrs; i++)
		lg_free(in->errs[i].why);
	for (size_t i = 0; i < in->npend; i++)
		lg_free(in->pend[i].name);
	for (size_t i = 0; i < in->naddrs; i++) {
		lg_free(in->addrs[i].domain);
		lg_free(in->addrs[i].text);
	}
	in->nfiles = in->nerrs = in->npend = in->naddrs = 0;
}

static void free_chunks(struct ingest *in)
{
	for (size_t i = 0; i < in->nchunks; i++)
		lg_free(in->chunks[i].data);
	in->nchunks = 0;
	in->chunk_bytes = 0;
}

/* Inserts the pending place chunks (inside the caller's transaction). */
static enum lg_status insert_chunks(struct ingest *in)
{
	enum lg_status rc = LG_OK;

	for (size_t i = 0; !rc && i < in->nchunks; i++)
		rc = store_leak_place_add(in->s, in->chunks[i].file, in->chunks[i].first, in->chunks[i].last,
					  in->chunks[i].data, in->chunks[i].len, in->err);
	return rc;
}

/* One file too big for its places to wait in memory for its batch: they
 * are written now in their own transaction. Until the file row commits no
 * lookup reaches them, and a killed ingest's are pruned by the next. */
static void flush_chunks_early(struct ingest *in)
{
	enum lg_status rc;

	if (in->rc || in->chunk_bytes < PLACES_FLUSH)
		return;
	rc = store_begin(in->s, in->err);
	if (!rc)
		rc = insert_chunks(in);
	if (!rc)
		rc = store_commit(in->s, in->err);
	if (rc) {
		store_rollback(in->s);
		in->rc = rc;
		return;
	}
	free_chunks(in);
}

/* One transaction: the batch's files, their read errors, its segments. */
static enum lg_status commit_batch(struct ingest *in, bool last)
{
	enum lg_status rc;

	write_pending(in);
	if (last && in->date && !in->dated)
		write_segment(in, true);
	if (in->rc)
		return in->rc;
	if (in->nfiles == 0 && in->npend == 0)
		return LG_OK;
	rc = store_begin(in->s, in->err);
	for (size_t i = 0; !rc && i < in->nfiles; i++)
		rc = store_leak_file_add(in->s, &in->files[i], in->err);
	for (size_t i = 0; !rc && i < in->nerrs; i++)
		rc = store_leak_error_add(in->s, in->files[in->errs[i].file].id, (int64_t)in->errs[i].line,
					  in->errs[i].why, in->err);
	for (size_t i = 0; !rc && i < in->npend; i++) {
		struct store_leak_segment seg = {.source_id = in->source_id,
						 .name = in->pend[i].name,
						 .entries = (int64_t)in->pend[i].entries,
						 .bytes = (int64_t)in->pend[i].bytes};

		rc = store_leak_segment_add(in->s, &seg, in->err);
	}
	for (size_t i = 0; !rc && i < in->naddrs; i++)
		rc = store_leak_addresses_add(in->s, in->addrs[i].domain, in->source_id, in->addrs[i].text,
					      in->addrs[i].len, in->err);
	if (!rc)
		rc = insert_chunks(in);
	if (!rc)
		rc = store_commit(in->s, in->err);
	if (rc) {
		store_rollback(in->s);
		in->rc = rc;
		return rc;
	}
	in->next_id += (int64_t)in->nfiles;
	in->st->batches++;
	free_batch(in);
	free_chunks(in);
	return LG_OK;
}

void leak_sha256(const void *p, size_t n, uint8_t out[32])
{
	unsigned int len = 32;

	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

/* Offsets of lines 1, 1 + LEAK_LINE_STEP, ... as little-endian u64s. */
static void line_index(const char *d, size_t n, void **out, size_t *len)
{
	size_t cap = 0, count = 0;
	uint64_t *v = NULL, line = 0;

	for (size_t i = 0; i < n;) {
		const char *nl;

		if (line % LEAK_LINE_STEP == 0) {
			if (count == cap)
				v = lg_grow(v, &cap, count + 1, sizeof(*v));
			v[count++] = i;
		}
		line++;
		nl = memchr(d + i, '\n', n - i);
		if (!nl)
			break;
		i = (size_t)(nl - d) + 1;
	}
	*out = v;
	*len = count * sizeof(*v);
}

static bool batch_has_sha(const struct ingest *in, const uint8_t sha[32])
{
	for (size_t i = 0; i < in->nfiles; i++)
		if (memcmp(in->files[i].sha256, sha, 32) == 0)
			return true;
	return false;
}

/* Reads the store's range key (creating it on first use with random
 * bytes): the secret behind the range answers' decoys (range.h). key may
 * be NULL to only make sure it exists. */
enum lg_status leak_range_key(const char *dir, uint8_t key[LEAK_RANGE_KEY_LEN], struct errbuf *err)
{
	char *p = g_build_filename(dir, "range.key", NULL);
	uint8_t k[LEAK_RANGE_KEY_LEN];
	enum lg_status rc = LG_OK;
	int fd = open(p, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		char *tmp = g_strdup_printf("%s.%016llx", p, (unsigned long long)lg_random_u64());

		rc = lg_random_bytes(k, sizeof(k), err);
		fd = rc ? -1 : open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			bool ok = write(fd, k, sizeof(k)) == (ssize_t)sizeof(k) && fsync(fd) == 0;

			close(fd);
			/* link, not rename: a concurrent creator's key wins and both read it */
			if (ok)
				(void)link(tmp, p);
			unlink(tmp);
		}
		g_free(tmp);
		fd = open(p, O_RDONLY | O_CLOEXEC);
	}
	if (!rc && (fd < 0 || read(fd, k, sizeof(k)) != (ssize_t)sizeof(k)))
		rc = errbuf_set(err, LG_EIO, "%s: cannot read the range key", p);
	else if (!rc && key)
		memcpy(key, k, sizeof(k));
	if (fd >= 0)
		close(fd);
	g_free(p);
	return rc;
}

/* Indexes one file's bytes (a real file, stdin, or an archive member)
 * under path; size and mtime are what the file row records. */
static void ingest_bytes(struct ingest *in, const char *path, const char *data, size_t n, int64_t size, int64_t mtime,
			 int depth)
{
	struct store_leak_file *f;
	uint8_t sha[32];
	bool found = false;
	uint64_t rec0, ent0, err0, nent0;
	struct leak_doc doc;
	enum leak_format fmt;
	const char *text;
	size_t tn;

	leak_sha256(data, n, sha);
	if (store_leak_file_find(in->s, in->source_id, NULL, 0, 0, sha, &found, in->err)) {
		in->rc = LG_EIO;
		return;
	}
	if (found || batch_has_sha(in, sha)) {
		in->st->already++;
		return;
	}
	if (in->next_id + (int64_t)in->nfiles >= (int64_t)LEAK_FILE_MAX) {
		in->rc = errbuf_set(in->err, LG_ELIMIT, "the leak index holds %u files, its limit", LEAK_FILE_MAX);
		return;
	}
	leak_doc_init(&doc);
	if (leak_doc_open(&doc, path, data, n)) {
		in->st->unreadable++;
		hook_error(in, path, 0, doc.why);
		leak_doc_cleanup(&doc);
		return;
	}
	if (doc.kind == LEAK_DOC_ARCHIVE) {
		struct archive_walk w = {in, path, mtime, depth};

		if (depth >= LEAK_MAX_ARCHIVE_DEPTH) {
			in->st->unreadable++;
			hook_error(in, path, 0, "archive nested too deep; not opened");
			leak_doc_cleanup(&doc);
			return;
		}
		if (leak_archive_each(data, n, on_member, on_member_error, &w)) {
			/* what was read before the damage is kept; the archive row is
			 * not written, so a repaired archive is read again */
			in->st->unreadable++;
			leak_doc_cleanup(&doc);
			return;
		}
		text = "";
		tn = 0;
		fmt = LEAK_FMT_TEXT;
	} else {
		text = doc.text ? doc.text : data;
		tn = doc.text ? doc.len : n;
		fmt = leak_format_sniff(path, text, tn);
	}
	in->cur_path = path;
	in->cur_errors = 0;
	in->col.file_no = (uint32_t)(in->next_id + (int64_t)in->nfiles);
	rec0 = in->col.records;
	ent0 = in->col.entities;
	err0 = in->col.errors;
	nent0 = in->col.pushed;
	in->cur_text = text;
	in->cur_tn = tn;
	in->cur_pdf = doc.kind == LEAK_DOC_PDF;
	if (doc.kind != LEAK_DOC_ARCHIVE)
		leak_read(fmt, text, tn, &in->col);
	prepare_places(in);
	in->cur_text = NULL;
	nent0 = in->col.pushed - nent0;
	if (in->nfiles == in->files_cap)
		in->files = lg_grow(in->files, &in->files_cap, in->nfiles + 1, sizeof(*in->files));
	f = &in->files[in->nfiles];
	memset(f, 0, sizeof(*f));
	f->id = in->next_id + (int64_t)in->nfiles;
	f->source_id = in->source_id;
	f->path = lg_strdup(path);
	f->format = leak_doc_format_name(doc.kind, fmt);
	f->size = size;
	f->mtime = mtime;
	memcpy(f->sha256, sha, 32);
	f->records = (int64_t)(in->col.records - rec0);
	f->entries = (int64_t)nent0;
	f->errors = (int64_t)(in->col.errors - err0);
	{
		void *lines;
		size_t len;

		line_index(text, tn, &lines, &len);
		f->lines = lines;
		f->lines_len = len;
	}
	in->nfiles++;
	in->st->ingested++;
	in->st->bytes += n;
	in->st->records += (uint64_t)f->records;
	in->st->entities += in->col.entities - ent0;
	in->st->entries += (uint64_t)f->entries;
	in->st->errors += (uint64_t)f->errors;
	leak_doc_cleanup(&doc);
	if (!in->rc && (in->nfiles >= LEAK_BATCH_FILES || in->npend > 0 || in->col.nentries >= LEAK_COMMIT_ENTRIES))
		commit_batch(in, false);
	if (!in->rc && in->hooks && in->hooks->progress)
		in->hooks->progress(in->hooks->ctx, in->st, path);
}

static bool on_member(void *ctx, const char *name, const char *data, size_t n)
{
	struct archive_walk *w = ctx;
	char *path = g_strdup_printf("%s!%s", w->path, name);

	w->in->st->files++;
	ingest_bytes(w->in, path, data, n, (int64_t)n, w->mtime, w->depth + 1);
	g_free(path);
	return !w->in->rc;
}

static void on_member_error(void *ctx, const char *name, const char *why)
{
	struct archive_walk *w = ctx;
	char *path = name ? g_strdup_printf("%s!%s", w->path, name) : g_strdup(w->path);

	hook_error(w->in, path, 0, why);
	g_free(path);
}

static void ingest_file(struct ingest *in, const char *path, const struct stat *sb)
{
	bool found = false;
	const char *data = "";
	void *map = NULL;
	size_t n = (size_t)sb->st_size;
	struct stat now;
	int fd;

	in->st->files++;
	if (store_leak_file_find(in->s, in->source_id, path, (int64_t)sb->st_size, (int64_t)sb->st_mtime, NULL,
				 &found, in->err)) {
		in->rc = LG_EIO;
		return;
	}
	if (found) {
		in->st->already++;
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | (in->hooks && in->hooks->follow_links ? 0 : O_NOFOLLOW));
	if (fd < 0) {
		in->st->unreadable++;
		hook_error(in, path, 0,
			   errno == ELOOP ? "a symbolic link; not followed (--follow-symlinks follows it)" : strerror(errno));
		return;
	}
	if (fstat(fd, &now) != 0 || !S_ISREG(now.st_mode) || now.st_dev != sb->st_dev || now.st_ino != sb->st_ino) {
		/* swapped between the walk's stat and this open */
		in->st->unreadable++;
		hook_error(in, path, 0, "replaced while being read; not read");
		close(fd);
		return;
	}
	if (n) {
		map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			in->st->unreadable++;
			hook_error(in, path, 0, strerror(errno));
			close(fd);
			return;
		}
		madvise(map, n, MADV_SEQUENTIAL);
		data = map;
	}
	close(fd);
	ingest_bytes(in, path, data, n, (int64_t)sb->st_size, (int64_t)sb->st_mtime, 0);
	if (map)
		munmap(map, n);
}

/* Standard input, read whole (up to LEAK_MAX_STDIN), under the path "-". */
static void ingest_stdin(struct ingest *in)
{
	struct buf b;
	char chunk[65536];
	ssize_t got;

	buf_init(&b);
	in->st->files++;
	while ((got = read(0, chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			in->st->unreadable++;
			hook_error(in, "-", 0, strerror(errno));
			buf_cleanup(&b);
			return;
		}
		if (b.len + (size_t)got > LEAK_MAX_STDIN) {
			in->st->unreadable++;
			hook_error(in, "-", 0, "standard input larger than 4 GiB; save it to a file");
			buf_cleanup(&b);
			return;
		}
		buf_append(&b, chunk, (size_t)got);
	}
	ingest_bytes(in, "-", b.len ? b.data : "", b.len, (int64_t)b.len, 0, 0);
	buf_cleanup(&b);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(struct ingest *in, const char *path, int depth)
{
	struct stat sb;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (in->rc)
		return;
	if (stat(path, &sb) != 0) {
		in->st->unreadable++;
		hook_error(in, path, 0, strerror(errno));
		return;
	}
	if (S_ISREG(sb.st_mode)) {
		ingest_file(in, path, &sb);
		return;
	}
	if (!S_ISDIR(sb.st_mode))
		return;
	if (depth >= WALK_MAX_DEPTH) {
		hook_error(in, path, 0, "directories nested too deep; not followed");
		return;
	}
	d = opendir(path);
	if (!d) {
		in->st->unreadable++;
		hook_error(in, path, 0, strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap)
			names = lg_grow(names, &cap, n + 1, sizeof(*names));
		names[n++] = lg_strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char *child = g_build_filename(path, names[i], NULL);

		walk(in, child, depth + 1);
		g_free(child);
		lg_free(names[i]);
	}
	lg_free(names);
}

static bool add_live(void *ctx, const struct store_leak_segment *seg)
{
	g_hash_table_add(ctx, g_strdup(seg->name));
	return true;
}

/* Deletes segment files no committed row references (left by a kill). */
static enum lg_status remove_orphans(struct store *s, const char *dir, struct errbuf *err)
{
	GHashTable *live = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	enum lg_status rc = store_leak_segments(s, 0, add_live, live, err);
	DIR *d = rc ? NULL : opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		if ((g_str_has_prefix(de->d_name, "seg-") || g_str_has_prefix(de->d_name, "rng-")) &&
		    !g_hash_table_contains(live, de->d_name)) {
			char *p = g_build_filename(dir, de->d_name, NULL);

			unlink(p);
			g_free(p);
		}
	}
	if (d)
		closedir(d);
	g_hash_table_destroy(live);
	return rc;
}

static int lock_dir(const char *dir, bool wait)
{
	char *p = g_build_filename(dir, "ingest.lock", NULL);
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	g_free(p);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

bool leak_ingest_running(struct store *s)
{
	char *dir = store_leak_dir(s);
	int fd = dir ? lock_dir(dir, false) : -1;

	g_free(dir);
	if (fd < 0)
		return true;
	close(fd);
	return false;
}

enum lg_status leak_ingest(struct store *s, const char *source, char *const *paths, int npaths,
			   const struct leak_ingest_hooks *hooks, struct leak_ingest_stats *st, struct errbuf *err)
{
	return leak_ingest_dated(s, source, 0, paths, npaths, hooks, st, err);
}

enum lg_status leak_ingest_dated(struct store *s, const char *source, uint32_t date, char *const *paths, int npaths,
				 const struct leak_ingest_hooks *hooks, struct leak_ingest_stats *st, struct errbuf *err)
{
	struct ingest in = {.s = s, .date = date, .hooks = hooks, .st = st, .err = err};
	struct errbuf old = {""};
	enum lg_status rc;
	int lock = -1;

	memset(st, 0, sizeof(*st));
	if (store_leak_attach(s, false, &old) == LG_EPARSE) /* an index of the first format: rebuilt */
		hook_error(&in, old.msg, 0,
			   "dropped; the leak index is rebuilt from what is ingested now (ingest the other leaks again)");
	rc = store_leak_attach(s, true, err);
	if (rc)
		return rc;
	in.dir = store_leak_dir(s);
	if (!in.dir)
		return errbuf_set(err, LG_EINTERNAL, "this store has no place for leak segments");
	lock = lock_dir(in.dir, true);
	if (lock < 0) {
		rc = errbuf_set(err, LG_EIO, "%s: cannot take the ingest lock: %s", in.dir, strerror(errno));
		goto out;
	}
	rc = remove_orphans(s, in.dir, err);
	if (!rc)
		rc = leak_range_key(in.dir, NULL, err);
	if (!rc)
		rc = store_begin(s, err);
	if (!rc)
		rc = store_leak_places_prune(s, err);
	if (!rc)
		rc = store_leak_source_get(s, source, true, &in.source_id, err);
	if (!rc)
		rc = store_leak_source_state(s, in.source_id, "ingesting", err);
	if (!rc)
		rc = store_leak_file_max_id(s, &in.next_id, err);
	if (!rc)
		rc = store_commit(s, err);
	else
		store_rollback(s);
	if (rc)
		goto out;
	in.next_id++;
	leak_collector_init(&in.col);
	in.col.error = on_record_error;
	in.col.error_ctx = &in;
	in.col.full = write_pending;
	in.col.full_at = LEAK_BATCH_ENTRIES;
	for (int i = 0; i < npaths && !in.rc; i++) {
		/* absolute, so places resolve from any working directory */
		char *abs;

		if (strcmp(paths[i], "-") == 0) {
			ingest_stdin(&in);
			continue;
		}
		abs = g_canonicalize_filename(paths[i], NULL);

		walk(&in, abs, 0);
		g_free(abs);
	}
	if (!in.rc)
		commit_batch(&in, true);
	rc = in.rc;
	if (!rc)
		rc = store_leak_source_state(s, in.source_id, "complete", err);
	free_batch(&in);
	free_chunks(&in);
	lg_free(in.chunks);
	lg_free(in.addrs);
	lg_free(in.files);
	lg_free(in.errs);
	lg_free(in.pend);
	leak_collector_cleanup(&in.col);
out:
	if (lock >= 0)
		close(lock);
	g_free(in.dir);
	return rc;
}
