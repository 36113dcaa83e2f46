/* test_leak.c: leak extraction (addresses, phones, names, redaction), the
 * readers (text/combo, CSV, JSON, mail) on good and corrupt bytes, and the
 * segment format (sorting, constant-work search, write and reopen), SHA-1
 * and the k-anonymity range answers, and the document converters (UTF-16,
 * Latin-1, damaged PDF/DOCX/archives). */
#include "testutil.h"

#include <stdbool.h>
#include <unistd.h>

#include <glib.h>

#include "leak/doc.h"
#include "leak/extract.h"
#include "leak/index.h"
#include "leak/index_int.h"
#include "leak/range.h"
#include "leak/sha1.h"
#include "leak/reader.h"
#include "leak/record.h"
#include "leak/segment.h"
#include "mail/message.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"

static void test_email(void **state)
{
	static const struct {
		const char *in, *want; /* want NULL: no address */
	} cases[] = {
		{"Jane.Doe@Example.COM", "jane.doe@example.com"},
		{"mailto:bob@x.org", "bob@x.org"},
		{"<carol+tag@sub.example.co.uk>", "carol+tag@sub.example.co.uk"},
		{"contact: dave@example.com.", "dave@example.com"},
		{"o'corrain@cmg.com", "o'corrain@cmg.com"},
		{"no address here", NULL},
		{"a@b", NULL},
		{"x@localhost", NULL},
		{"x..y@example.com", NULL},
		{"@example.com", NULL},
		{"user@-bad.com", NULL},
		{"user@example.c0m", NULL},
	};
	char out[LEAK_MAX_EMAIL + 1];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t at = 0, n = leak_email_norm(cases[i].in, strlen(cases[i].in), out, &at);

		if (!cases[i].want) {
			if (n)
				fail_msg("\"%s\": got \"%s\", want none", cases[i].in, out);
			continue;
		}
		if (!n || strcmp(out, cases[i].want) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", cases[i].in, n ? out : "(none)", cases[i].want);
		assert_int_equal(out[at], '@');
	}
}

static void test_phone(void **state)
{
	static const struct {
		const char *in;
		int cc;
		const char *want;
	} cases[] = {
		{"+49 30 1234567", 0, "+49301234567"},
		{"+49 (0)30 1234-567", 0, "+49301234567"},
		{"0049 30 1234567", 0, "+49301234567"},
		{"030 1234567", 49, "+49301234567"},
		{"030 1234567", 0, "0301234567"},
		{"(555) 123-4567", 1, "+15551234567"},
		{"+1 555 123 4567", 0, "+15551234567"},
		{"12345", 0, NULL},
		{"call me", 0, NULL},
		{"+123456789012345678", 0, NULL},
	};
	char out[LEAK_MAX_PHONE + 1];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t n = leak_phone_norm(cases[i].in, strlen(cases[i].in), cases[i].cc, out);

		if (!cases[i].want ? n != 0 : (!n || strcmp(out, cases[i].want) != 0))
			fail_msg("\"%s\" cc %d: got \"%s\", want \"%s\"", cases[i].in, cases[i].cc, n ? out : "(none)",
				 cases[i].want ? cases[i].want : "(none)");
	}
	assert_int_equal(leak_cc_of_tld("example.de"), 49);
	assert_int_equal(leak_cc_of_country("Germany", 7), 49);
	assert_int_equal(leak_cc_of_country("UK", 2), 44);
}

static void test_names(void **state)
{
	static const struct {
		const char *in;
		bool person;
		const char *want;
	} cases[] = {
		{"  Jane   Doe ", true, "jane doe"},
		{"Doe, Jane", true, "jane doe"},
		{"\"Ren\xc3\xa9 Dupont\"", true, "ren\xc3\xa9 dupont"},
		{"R2D2", true, NULL},
		{"a@b.c", true, NULL},
		{"Partner, Ltd", false, "partner, ltd"},
		{"\xff\xfe", true, NULL},
	};
	char out[LEAK_MAX_NAME + 1];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t n = leak_name_norm(cases[i].in, strlen(cases[i].in), cases[i].person, out);

		if (!cases[i].want ? n != 0 : (!n || strcmp(out, cases[i].want) != 0))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", cases[i].in, n ? out : "(none)",
				 cases[i].want ? cases[i].want : "(none)");
	}
	assert_true(leak_looks_like_name("Irene Adler", 11));
	assert_false(leak_looks_like_name("Best regards", 12));
	assert_false(leak_looks_like_name("see you", 7));
}

static void test_redact(void **state)
{
	static const struct {
		const char *line;
		const char *hit;
		bool password;
		const char *want_in, *never;
	} cases[] = {
		{"alice@example.com:Secret123", "alice", false, "a***@example.com:[password]", "Secret123"},
		{"alice@example.com:Secret123", "alice", true, "a***@example.com [password present]", "Secret"},
		{"Jane,jane@example.com,+49 30 1234567", "jane@", false, "j***@example.com", "1234567"},
		{"bad \xff\xfe bytes bob@x.org", "bob", false, "b***@x.org", "\xff"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf b;
		const char *l = cases[i].line;

		buf_init(&b);
		leak_redact(l, strlen(l), (size_t)(strstr(l, cases[i].hit) - l), cases[i].password, &b);
		if (!strstr(b.data, cases[i].want_in) || strstr(b.data, cases[i].never))
			fail_msg("redact \"%s\": got \"%s\"", l, b.data);
		assert_true(b.len <= LEAK_SNIPPET_MAX + 40);
		buf_cleanup(&b);
	}
}

struct errs {
	int n;
	uint64_t lines[8];
};

static void on_err(void *ctx, uint64_t pos, uint64_t line, const char *why)
{
	struct errs *e = ctx;

	(void)pos, (void)why;
	if (e->n < 8)
		e->lines[e->n] = line;
	e->n++;
}

static size_t count_kind(const struct leak_collector *c, enum leak_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nentries; i++)
		n += leak_entry_kind(&c->entries[i]) == k && c->entries[i].group != LEAK_GROUP_PHONE;
	return n;
}

static void test_readers(void **state)
{
	static const struct {
		const char *name;
		const char *data;
		size_t emails, phones, names, orgs;
		int errors;
		uint64_t err_line;
		size_t passwords; /* entries flagged */
	} cases[] = {
		{"c.txt", "a@example.com:pw\nb@example.org;x\nnothing\n+49 30 1234567 c@example.de\n", 3, 1, 0, 0, 0, 0, 2},
		{"p.csv", "Name,Email,Phone,Company\n\"Doe, Jane\",jane@example.com,030 1234,Acme\n"
			  "\"multi\nline\",m@example.com,,\n", 2, 1, 1, 1, 0, 0, 0},
		{"q.csv", "email,name\n\"oops@example.com,Open\nok@example.com,Ok\n", 1, 0, 1, 0, 1, 2, 0},
		{"n.csv", "x@example.com;+49 30 1234567;whatever\n", 1, 1, 0, 0, 0, 0, 0},
		{"u.jsonl", "{\"email\":\"a@example.com\",\"first_name\":\"Ann\",\"last_name\":\"Lee\"}\n{\"email\": \n"
			    "{\"contacts\":[{\"email\":\"b@example.com\"},{\"email\":\"c@example.com\",\"company\":\"Acme\"}]}\n",
		 3, 0, 1, 1, 1, 2, 0},
		{"t.json", "[{\"email\":\"a@example.com\"}, {\"email\":\"b@exam", 1, 0, 0, 0, 1, 1, 0},
		{"d.json", "{\n \"users\": [\n  {\"mail\": \"z@example.com\", \"password\": \"x\"}\n ]\n}\n", 1, 0, 0, 0, 0, 0, 1},
		{"m.eml", "From: \"Ann Lee\" <ann@example.com>\nTo: Bob <bob@example.org>\nSubject: x\n\nhi\n\n-- \nAnn Lee\nTel: +1 555 123 4567\n",
		 2, 1, 3, 0, 0, 0, 0}, /* Ann Lee twice: header and signature (one distinct) */
		{"x.mbox", "From a@b Mon Jan 1 00:00:00 2024\nFrom: a@example.com\n\nx\n\nFrom b@c Mon Jan 1 00:00:00 2024\nFrom: b@example.com\n\ny\n",
		 2, 0, 0, 0, 0, 0, 0},
		{"bin.dat", "\0\0\xff\xfe\0 a@example.com\0", 1, 0, 0, 0, 0, 0, 0},
	};

	(void)state;
	mail_init();
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct leak_collector c;
		struct errs e = {0};
		size_t len = strlen(cases[i].data), pw = 0;

		if (strcmp(cases[i].name, "bin.dat") == 0)
			len = 20;
		leak_collector_init(&c);
		c.error = on_err;
		c.error_ctx = &e;
		leak_read(leak_format_sniff(cases[i].name, cases[i].data, len), cases[i].data, len, &c);
		for (size_t k = 0; k < c.nentries; k++)
			pw += (leak_entry_flags(&c.entries[k]) & LEAK_FLAG_PASSWORD) != 0;
		if (count_kind(&c, LEAK_EMAIL) != cases[i].emails || count_kind(&c, LEAK_PHONE) != cases[i].phones ||
		    count_kind(&c, LEAK_NAME) != cases[i].names || count_kind(&c, LEAK_ORG) != cases[i].orgs ||
		    e.n != cases[i].errors || (e.n && e.lines[0] != cases[i].err_line) || pw != cases[i].passwords)
			fail_msg("%s: emails %zu phones %zu names %zu orgs %zu errors %d (line %llu) passwords %zu",
				 cases[i].name, count_kind(&c, LEAK_EMAIL), count_kind(&c, LEAK_PHONE),
				 count_kind(&c, LEAK_NAME), count_kind(&c, LEAK_ORG), e.n,
				 (unsigned long long)(e.n ? e.lines[0] : 0), pw);
		leak_collector_cleanup(&c);
	}
	mail_shutdown();
}

static void test_segment(void **state)
{
	enum { N = 5000, D = 96 };
	struct leak_entry *e = calloc(N, sizeof(*e));
	uint32_t *was = calloc(N, sizeof(*was));
	char path[] = "/tmp/leakguard-test-seg-XXXXXX";
	char names[D][24];
	const char *doms[D];
	struct leak_segment *s = NULL;
	struct errbuf err;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < D; i++) {
		snprintf(names[i], sizeof(names[i]), "d%02zu.example", i);
		doms[i] = names[i];
	}
	for (size_t i = 0; i < N; i++) {
		e[i].group = (uint32_t)(i * 2654435761u) % (D + 1); /* 0: no domain, g: doms[g - 1] */
		e[i].value = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
		e[i].meta = leak_meta(LEAK_EMAIL, 0, (uint32_t)i);
		was[i] = e[i].group;
	}
	/* written with the batch's groups; the file has its own, sorted */
	assert_int_equal(leak_segment_write(path, 1, 0, doms, D, e, N, &err), LG_OK);
	for (size_t i = 1; i < N; i++)
		assert_true(e[i - 1].group < e[i].group || (e[i - 1].group == e[i].group && e[i - 1].value <= e[i].value));
	assert_int_equal(leak_segment_open(path, &s, &err), LG_OK);
	assert_int_equal(leak_segment_count(s), N);
	assert_true(leak_segment_verify(s));
	for (size_t i = 0; i < N; i += 37) {
		size_t lb = leak_segment_lower_bound(s, e[i].group, e[i].value), tl = 0;
		uint32_t orig = was[leak_entry_file(&e[i])];
		const char *t = leak_segment_domain_text(s, e[i].group, &tl);

		assert_int_equal(leak_segment_entries(s)[lb].value, e[i].value);
		/* each entry is still under the domain it was written under */
		if (orig == 0) {
			assert_null(t);
		} else {
			assert_non_null(t);
			assert_int_equal(tl, strlen(doms[orig - 1]));
			assert_memory_equal(t, doms[orig - 1], tl);
			assert_int_equal(leak_segment_domain(s, doms[orig - 1], tl), e[i].group);
		}
	}
	assert_int_equal(leak_segment_domain(s, "d01.exampl", 10), 0);
	assert_int_equal(leak_segment_domain(s, "d01.examplf", 11), 0);
	assert_int_equal(leak_segment_lower_bound(s, 1000, 0), N);
	assert_int_equal(leak_segment_lower_bound(s, 0, 0), 0);
	leak_segment_close(&s);
	/* a damaged (truncated) segment is refused */
	assert_int_equal(truncate(path, 64 + 24 * 10 + 5), 0);
	assert_int_equal(leak_segment_open(path, &s, &err), LG_EPARSE);
	unlink(path);
	free(e);
	free(was);
}

/* Two domains of one record stay apart: each address under its own exact
 * domain, the record's name under the first one's; and what leaked with
 * an address is flagged on it. */
static void test_batch_domains(void **state)
{
	struct leak_collector c;
	const char *csv = "email,name\nann@mail.org186716.com,Ann Lee\nbob@org194771.com\n";

	(void)state;
	leak_collector_init(&c);
	leak_read(leak_format_sniff("x.csv", csv, strlen(csv)), csv, strlen(csv), &c);
	assert_int_equal(c.ndomains, 2);
	assert_string_equal(c.domains[0].name, "org186716.com");
	assert_string_equal(c.domains[1].name, "org194771.com");
	assert_int_equal(c.domains[0].len, strlen("ann@mail.org186716.com\n"));
	for (size_t i = 0; i < c.nentries; i++) {
		const struct leak_entry *e = &c.entries[i];

		if (leak_entry_kind(e) == LEAK_NAME)
			assert_int_equal(e->group, 1);
		if (leak_entry_kind(e) == LEAK_EMAIL && e->group == 1)
			assert_true(leak_entry_flags(e) & LEAK_FLAG_WITH_NAME);
		if (leak_entry_kind(e) == LEAK_EMAIL && e->group == 2)
			assert_false(leak_entry_flags(e) & LEAK_FLAG_WITH_NAME);
	}
	leak_collector_reset(&c);
	assert_int_equal(c.ndomains, 0);
	leak_collector_cleanup(&c);
}


/* Packed store rows come back byte for byte; damaged ones are refused. */
static void test_pack(void **state)
{
	const char *text = "alice@example.com\nbob@example.com\nalice@example.com\n";
	unsigned char *z;
	size_t zn, n;
	char *back;

	(void)state;
	leak_pack(text, strlen(text), &z, &zn);
	assert_true(leak_unpack(z, zn, &back, &n));
	assert_int_equal(n, strlen(text));
	assert_string_equal(back, text);
	lg_free(back);
	assert_false(leak_unpack(z, zn - 3, &back, &n)); /* truncated */
	z[0] ^= 1;                                       /* a wrong length */
	assert_false(leak_unpack(z, zn, &back, &n));
	assert_false(leak_unpack(z, 3, &back, &n));
	lg_free(z);
}

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_sha1(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = { /* FIPS 180-2 appendix A, and a 64-byte boundary */
		{"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
		{"alice@example.com", "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976"},
	};
	char out[41];
	uint8_t d[LEAK_SHA1_LEN];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		leak_sha1(cases[i].in, strlen(cases[i].in), d);
		hex(d, sizeof(d), out);
		assert_string_equal(out, cases[i].want);
	}
	{
		char m[1000];

		memset(m, 'a', sizeof(m));
		leak_sha1(m, 64, d); /* padding spills into a second block */
		hex(d, sizeof(d), out);
		assert_string_equal(out, "0098ba824b5c16427bd7a1122a5a442a25ec644d");
		leak_sha1(m, 56, d);
		hex(d, sizeof(d), out);
		assert_string_equal(out, "c2db330f6083854c99d4b5bfb6e8f29f201be699");
	}
}

static void test_range(void **state)
{
	uint8_t key[LEAK_RANGE_KEY_LEN] = {1, 2, 3}, real[3][LEAK_SHA1_LEN];
	char (*a)[36] = NULL, (*b)[36] = NULL, full[41];
	uint32_t prefix = 0;
	size_t n, m, hits = 0;

	(void)state;
	assert_true(leak_range_prefix("3f2a1", &prefix));
	assert_int_equal(prefix, 0x3f2a1);
	assert_false(leak_range_prefix("3F2A", &prefix));
	assert_false(leak_range_prefix("3F2A1B", &prefix));
	assert_false(leak_range_prefix("3G2A1", &prefix));
	leak_sha1("alice@example.com", 17, real[0]);
	memcpy(real[1], real[0], LEAK_SHA1_LEN); /* the same address in two sources */
	leak_sha1("bob@example.com", 15, real[2]);
	real[2][0] = real[0][0], real[2][1] = real[0][1], real[2][2] = (uint8_t)((real[0][2] & 0xf0) | 0x0f);
	hex(real[0], LEAK_SHA1_LEN, full);
	assert_true(leak_range_prefix((full[5] = '\0', full), &prefix));
	n = leak_range_answer(prefix, (const uint8_t(*)[LEAK_SHA1_LEN])real, 3, key, &a);
	m = leak_range_answer(prefix, (const uint8_t(*)[LEAK_SHA1_LEN])real, 3, key, &b);
	assert_int_equal(n, 2 + LEAK_RANGE_DECOYS); /* the two reals under the prefix, and every decoy */
	assert_int_equal(m, n);
	hex(real[0], LEAK_SHA1_LEN, full);
	for (char *c = full; *c; c++)
		*c = (char)g_ascii_toupper(*c);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(strlen(a[i]), 35);
		assert_string_equal(a[i], b[i]); /* same question, same answer */
		if (i)
			assert_true(strcmp(a[i - 1], a[i]) < 0); /* sorted, distinct */
		hits += strcmp(a[i], full + 5) == 0;
	}
	assert_int_equal(hits, 1);
	lg_free(b);
	key[0] = 9; /* another store's key: other decoys */
	m = leak_range_answer(prefix, NULL, 0, key, &b);
	assert_int_equal(m, LEAK_RANGE_DECOYS);
	assert_true(memcmp(a, b, 36 * 8) != 0);
	lg_free(a);
	lg_free(b);
}

static void test_docs(void **state)
{
	static const char u16le[] = "\xff\xfe" "a\0@\0b\0.\0d\0e\0:\0p\0\n\0=\xd8\x00\xde"; /* ... U+1F600 */
	static const char u16nobom[] = "x\0y\0@\0e\0x\0a\0m\0p\0l\0e\0.\0c\0o\0m\0\n\0z\0z\0";
	static const char latin1[] = "name,email\nJos\xe9,jose@example.es\n";
	struct leak_doc d;

	(void)state;
	leak_doc_init(&d);
	assert_int_equal(leak_doc_sniff("f.txt", u16le, sizeof(u16le) - 1), LEAK_DOC_UTF16LE);
	assert_int_equal(leak_doc_open(&d, "f.txt", u16le, sizeof(u16le) - 1), LG_OK);
	assert_string_equal(d.text, "a@b.de:p\n\xf0\x9f\x98\x80");
	assert_int_equal(leak_doc_sniff("f", u16nobom, sizeof(u16nobom) - 1), LEAK_DOC_UTF16LE);
	assert_int_equal(leak_doc_open(&d, "f.csv", latin1, sizeof(latin1) - 1), LG_OK);
	assert_int_equal(d.kind, LEAK_DOC_LATIN1);
	assert_string_equal(d.text, "name,email\nJos\xc3\xa9,jose@example.es\n");
	assert_string_equal(leak_doc_format_name(d.kind, LEAK_FMT_CSV), "latin1+csv");
	assert_int_equal(leak_doc_kind_of("latin1+csv"), LEAK_DOC_LATIN1);
	assert_int_equal(leak_doc_kind_of("pdf"), LEAK_DOC_PDF);
	assert_int_equal(leak_doc_kind_of("csv"), LEAK_DOC_PLAIN);
	/* JSON stays UTF-8 (RFC 8259): its bad bytes are the reader's to report */
	assert_int_equal(leak_doc_sniff("x.json", "{\"a\":\"\xff\"}", 10), LEAK_DOC_PLAIN);
	/* damaged documents are errors with a sentence, not crashes */
	assert_int_equal(leak_doc_open(&d, "x", "%PDF-1.4\n1 0 obj", 16), LG_EPARSE);
	assert_non_null(strstr(d.why, "broken PDF"));
	assert_int_equal(leak_doc_convert(&d, LEAK_DOC_DOCX, "PK\3\4garbage", 11), LG_EPARSE);
	assert_int_equal(leak_doc_convert(&d, LEAK_DOC_XLSX, "", 0), LG_EPARSE);
	assert_int_equal(leak_doc_sniff("x", "PK\3\4trunc", 9), LEAK_DOC_ARCHIVE);
	{
		size_t start;

		assert_int_equal(leak_doc_page("p1\fp2\nx\fp3", 11, 6, &start), 2);
		assert_int_equal(start, 3);
	}
	leak_doc_cleanup(&d);
}

static bool count_member(void *ctx, const char *name, const char *data, size_t n)
{
	(void)name, (void)data, (void)n;
	(*(int *)ctx)++;
	return true;
}

static void note_error(void *ctx, const char *name, const char *why)
{
	(void)ctx, (void)name, (void)why;
}

static void test_archive(void **state)
{
	/* a ustar archive of one member, made by hand */
	char tar[3 * 512] = {0};
	unsigned sum = 0;
	int members = 0;

	(void)state;
	memcpy(tar, "a.txt", 5);
	memcpy(tar + 100, "0000644", 7);
	memcpy(tar + 108, "0000000", 7);
	memcpy(tar + 116, "0000000", 7);
	memcpy(tar + 124, "00000000022", 11); /* 18 bytes */
	memcpy(tar + 136, "00000000000", 11);
	memset(tar + 148, ' ', 8);
	tar[156] = '0';
	memcpy(tar + 257, "ustar\0" "00", 8);
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)tar[i];
	snprintf(tar + 148, 8, "%06o", sum);
	memcpy(tar + 512, "t@example.com:pw\n\n", 18);
	assert_int_equal(leak_doc_sniff("x", tar, sizeof(tar)), LEAK_DOC_ARCHIVE);
	assert_int_equal(leak_archive_each(tar, sizeof(tar), count_member, note_error, &members), LG_OK);
	assert_int_equal(members, 1);
	members = 0;
	assert_int_not_equal(leak_archive_each(tar, 700, count_member, note_error, &members), LG_OK);
	assert_int_equal(leak_archive_each("\x1f\x8b\x08\0garbage", 11, count_member, note_error, &members), LG_EPARSE);
}

struct link_errors {
	int links;
};

static void count_link_error(void *ctx, const char *path, uint64_t line, const char *why)
{
	struct link_errors *e = ctx;

	e->links += strstr(why, "symbolic link") != NULL;
}

/* A link that reaches the ingest itself (planted after the caller vetted
 * the paths) is refused unless the caller asked to follow links. */
static void test_ingest_refuses_links(void **state)
{
	char dir[] = "/tmp/lg-links-XXXXXX";
	char *target, *link, *db, *rm;
	struct store *s = NULL;
	struct errbuf err;
	struct link_errors e = {0};
	struct leak_ingest_hooks hooks = {count_link_error, NULL, &e, false};
	struct leak_ingest_stats st = {0};
	FILE *f;

	assert_non_null(mkdtemp(dir));
	target = g_build_filename(dir, "secret.txt", NULL);
	link = g_build_filename(dir, "dump.txt", NULL);
	db = g_build_filename(dir, "store.db", NULL);
	f = fopen(target, "w");
	assert_non_null(f);
	fputs("secret.person@victim.example\n", f);
	fclose(f);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(store_open(db, true, &s, &err), LG_OK);
	assert_int_equal(leak_ingest(s, "planted", &link, 1, &hooks, &st, &err), LG_OK);
	assert_int_equal(e.links, 1);
	assert_int_equal(st.unreadable, 1);
	assert_int_equal(st.ingested, 0);
	hooks.follow_links = true;
	memset(&st, 0, sizeof(st));
	assert_int_equal(leak_ingest(s, "followed", &link, 1, &hooks, &st, &err), LG_OK);
	assert_int_equal(st.unreadable, 0);
	assert_int_equal(st.ingested, 1);
	store_close(&s);
	g_free(target);
	g_free(link);
	g_free(db);
	rm = g_strdup_printf("rm -rf %s", dir);
	assert_int_equal(system(rm), 0);
	g_free(rm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email),  cmocka_unit_test(test_phone),   cmocka_unit_test(test_names),
		cmocka_unit_test(test_redact), cmocka_unit_test(test_readers), cmocka_unit_test(test_segment),
		cmocka_unit_test(test_batch_domains), cmocka_unit_test(test_pack),
		cmocka_unit_test(test_sha1),   cmocka_unit_test(test_range),   cmocka_unit_test(test_docs),
		cmocka_unit_test(test_archive), cmocka_unit_test(test_ingest_refuses_links),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
