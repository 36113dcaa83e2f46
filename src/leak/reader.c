/* reader.c: format sniffing, dispatch, and the text and CSV readers (see
 * reader.h for the limits each follows). */
#include <string.h>

#include <glib.h>

#include "leak/reader.h"
#include "util/alloc.h"
#include "util/buf.h"

const char *leak_format_name(enum leak_format f)
{
	static const char *const names[] = {"text", "csv", "json", "mail"};

	return names[f];
}

static bool ends_with(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n >= e && g_ascii_strcasecmp(name + n - e, ext) == 0;
}

/* True when the data starts like a mail header block: "Name: value" lines
 * with a field every message has among the first ones. */
static bool looks_like_mail(const char *d, size_t n)
{
	static const char *const fields[] = {"From:", "Received:", "Return-Path:", "Message-ID:", "Date:",
					     "Delivered-To:", "X-", "Subject:", "To:", "MIME-Version:"};
	size_t lines = 0, i = 0;

	while (i < n && lines < 4) {
		size_t k = 0;
		bool ok = false;

		for (size_t f = 0; f < G_N_ELEMENTS(fields) && !ok; f++) {
			k = strlen(fields[f]);
			ok = n - i >= k && g_ascii_strncasecmp(d + i, fields[f], k) == 0;
		}
		if (!ok)
			return false;
		lines++;
		while (i < n && d[i] != '\n')
			i++;
		i++;
		while (i < n && (d[i] == ' ' || d[i] == '\t')) { /* folded */
			while (i < n && d[i] != '\n')
				i++;
			i++;
		}
		if (lines >= 2)
			return true;
	}
	return lines >= 1 && i >= n;
}

enum leak_format leak_format_sniff(const char *name, const char *d, size_t n)
{
	size_t i = 0;

	if (ends_with(name, ".csv") || ends_with(name, ".tsv"))
		return LEAK_FMT_CSV;
	if (ends_with(name, ".json") || ends_with(name, ".jsonl") || ends_with(name, ".ndjson"))
		return LEAK_FMT_JSON;
	if (ends_with(name, ".eml") || ends_with(name, ".mbox") || ends_with(name, ".msg"))
		return LEAK_FMT_MAIL;
	if (n >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	if (n - i >= 5 && memcmp(d + i, "From ", 5) == 0)
		return LEAK_FMT_MAIL;
	if (looks_like_mail(d + i, n - i))
		return LEAK_FMT_MAIL;
	while (i < n && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t'))
		i++;
	if (i < n && (d[i] == '{' || d[i] == '['))
		return LEAK_FMT_JSON;
	return LEAK_FMT_TEXT;
}

void leak_read(enum leak_format f, const char *data, size_t n, struct leak_collector *c)
{
	switch (f) {
	case LEAK_FMT_CSV: leak_read_csv(data, n, c); break;
	case LEAK_FMT_JSON: leak_read_json(data, n, c); break;
	case LEAK_FMT_MAIL: leak_read_mail(data, n, c); break;
	default: leak_read_text(data, n, c); break;
	}
}

/* ---- text ---- */

static bool is_combo_sep(char ch)
{
	return ch == ':' || ch == ';' || ch == '|' || ch == '\t' || ch == ',';
}

static void text_line(struct leak_collector *c, const char *s, size_t n, uint64_t pos)
{
	size_t b, e, i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	leak_rec_begin(c);
	if (leak_email_find(s, n, i, &b, &e) && b == i && e < n && is_combo_sep(s[e])) {
		size_t pe = n;

		while (pe > e + 1 && (s[pe - 1] == ' ' || s[pe - 1] == '\r'))
			pe--;
		leak_rec_email(c, s + b, e - b, pos + b);
		leak_rec_password(c, s + e + 1, pe - e - 1);
		if (memchr(s + e + 1, '@', pe - e - 1) || memchr(s + e + 1, '+', pe - e - 1))
			leak_rec_text(c, s + e + 1, pe - e - 1, pos + e + 1);
	} else if (memchr(s, '@', n) || memchr(s, '+', n)) {
		leak_rec_text(c, s, n, pos);
	}
	leak_rec_end(c);
}

void leak_read_text(const char *d, size_t n, struct leak_collector *c)
{
	size_t i = 0;
	uint64_t line = 0;

	while (i < n) {
		const char *nl = memchr(d + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - d) : n, len = e - i;

		line++;
		if (len && d[e - 1] == '\r')
			len--;
		if (len > LEAK_MAX_LINE)
			leak_rec_error(c, i, line, "line longer than 1 MiB; skipped");
		else if (len)
			text_line(c, d + i, len, i);
		i = e + 1;
	}
}

/* ---- roles shared by CSV and JSON ---- */

struct role_name {
	const char *name;
	enum leak_role role;
};

static const struct role_name role_names[] = {
	{"email", LEAK_ROLE_EMAIL}, {"e-mail", LEAK_ROLE_EMAIL}, {"mail", LEAK_ROLE_EMAIL},
	{"email_address", LEAK_ROLE_EMAIL}, {"emailaddress", LEAK_ROLE_EMAIL}, {"login", LEAK_ROLE_EMAIL},
	{"username", LEAK_ROLE_EMAIL}, {"user", LEAK_ROLE_EMAIL}, {"from", LEAK_ROLE_EMAIL},
	{"to", LEAK_ROLE_EMAIL}, {"cc", LEAK_ROLE_EMAIL}, {"sender", LEAK_ROLE_EMAIL},
	{"name", LEAK_ROLE_NAME}, {"full_name", LEAK_ROLE_NAME}, {"fullname", LEAK_ROLE_NAME},
	{"full name", LEAK_ROLE_NAME}, {"contact", LEAK_ROLE_NAME}, {"contact_name", LEAK_ROLE_NAME},
	{"display_name", LEAK_ROLE_NAME}, {"displayname", LEAK_ROLE_NAME}, {"person", LEAK_ROLE_NAME},
	{"first_name", LEAK_ROLE_FIRST}, {"firstname", LEAK_ROLE_FIRST}, {"first name", LEAK_ROLE_FIRST},
	{"given_name", LEAK_ROLE_FIRST}, {"givenname", LEAK_ROLE_FIRST}, {"forename", LEAK_ROLE_FIRST},
	{"last_name", LEAK_ROLE_LAST}, {"lastname", LEAK_ROLE_LAST}, {"last name", LEAK_ROLE_LAST},
	{"surname", LEAK_ROLE_LAST}, {"family_name", LEAK_ROLE_LAST}, {"familyname", LEAK_ROLE_LAST},
	{"phone", LEAK_ROLE_PHONE}, {"phone_number", LEAK_ROLE_PHONE}, {"phonenumber", LEAK_ROLE_PHONE},
	{"telephone", LEAK_ROLE_PHONE}, {"tel", LEAK_ROLE_PHONE}, {"mobile", LEAK_ROLE_PHONE},
	{"mobile_phone", LEAK_ROLE_PHONE}, {"cell", LEAK_ROLE_PHONE}, {"fax", LEAK_ROLE_PHONE},
	{"company", LEAK_ROLE_ORG}, {"company_name", LEAK_ROLE_ORG}, {"organisation", LEAK_ROLE_ORG},
	{"organization", LEAK_ROLE_ORG}, {"org", LEAK_ROLE_ORG}, {"employer", LEAK_ROLE_ORG},
	{"business", LEAK_ROLE_ORG}, {"account_name", LEAK_ROLE_ORG}, {"customer", LEAK_ROLE_ORG},
	{"password", LEAK_ROLE_PASSWORD}, {"pass", LEAK_ROLE_PASSWORD}, {"passwd", LEAK_ROLE_PASSWORD},
	{"pwd", LEAK_ROLE_PASSWORD}, {"password_hash", LEAK_ROLE_PASSWORD}, {"hash", LEAK_ROLE_PASSWORD},
	{"secret", LEAK_ROLE_PASSWORD}, {"country", LEAK_ROLE_COUNTRY}, {"country_code", LEAK_ROLE_COUNTRY},
	{"nationality", LEAK_ROLE_COUNTRY},
};

enum leak_role leak_role_of(const char *name, size_t n)
{
	char low[40];
	size_t b = 0, e = n;

	while (b < e && (name[b] == ' ' || name[b] == '"' || name[b] == '\xef' || name[b] == '\xbb' ||
			 name[b] == '\xbf'))
		b++;
	while (e > b && (name[e - 1] == ' ' || name[e - 1] == '"' || name[e - 1] == '\r'))
		e--;
	if (e - b == 0 || e - b >= sizeof(low))
		return LEAK_ROLE_OTHER;
	for (size_t i = b; i < e; i++)
		low[i - b] = name[i] == '-' && e - b != 6 ? '_' : (char)g_ascii_tolower(name[i]);
	low[e - b] = '\0';
	for (size_t i = 0; i < G_N_ELEMENTS(role_names); i++)
		if (strcmp(low, role_names[i].name) == 0)
			return role_names[i].role;
	return LEAK_ROLE_OTHER;
}

void leak_rec_field(struct leak_collector *c, enum leak_role role, const char *s, size_t n, uint64_t pos)
{
	switch (role) {
	case LEAK_ROLE_EMAIL: leak_rec_text(c, s, n, pos); break;
	case LEAK_ROLE_NAME:
	case LEAK_ROLE_FIRST:
	case LEAK_ROLE_LAST: leak_rec_name(c, s, n, pos); break;
	case LEAK_ROLE_PHONE: leak_rec_phone(c, s, n, pos); break;
	case LEAK_ROLE_ORG: leak_rec_org(c, s, n, pos); break;
	case LEAK_ROLE_PASSWORD: leak_rec_password(c, s, n); break;
	case LEAK_ROLE_COUNTRY: leak_rec_country(c, s, n); break;
	case LEAK_ROLE_SKIP: break;
	default:
		if (memchr(s, '@', n) || memchr(s, '+', n))
			leak_rec_text(c, s, n, pos);
		break;
	}
}

/* ---- CSV ---- */

struct csv_field {
	size_t off, len; /* in the row buffer */
	uint64_t pos;    /* in the file */
};

struct csv {
	const char *d;
	size_t n;
	char delim;
	struct buf row; /* unescaped field bytes */
	struct csv_field f[LEAK_MAX_CSV_FIELDS];
	size_t nf;
	bool too_many;
};

static char sniff_delim(const char *d, size_t n)
{
	static const char cands[] = {',', ';', '\t', '|'};
	size_t best = 0, count[4] = {0};
	bool q = false;

	for (size_t i = 0; i < n && d[i] != '\n'; i++) {
		if (d[i] == '"')
			q = !q;
		for (size_t k = 0; !q && k < 4; k++)
			count[k] += d[i] == cands[k];
	}
	for (size_t k = 1; k < 4; k++)
		if (count[k] > count[best])
			best = k;
	return cands[best];
}

/* Reads one record starting at *i. Returns 1 with fields, 0 at the end,
 * -1 when a quoted field stays open too long (then *i is left unchanged). */
static int csv_record(struct csv *p, size_t *i, uint64_t *lines)
{
	size_t k = *i, nl = 0;

	buf_reset(&p->row);
	p->nf = 0;
	p->too_many = false;
	if (k >= p->n)
		return 0;
	for (;;) {
		struct csv_field *f = p->nf < LEAK_MAX_CSV_FIELDS ? &p->f[p->nf] : NULL;
		size_t start = p->row.len;

		if (!f)
			p->too_many = true;
		if (f)
			f->pos = k;
		if (k < p->n && p->d[k] == '"') {
			k++;
			for (;;) {
				const char *q;

				if (k >= p->n || nl > LEAK_MAX_CSV_LINES || p->row.len > LEAK_MAX_LINE)
					return -1;
				q = memchr(p->d + k, '"', p->n - k);
				if (!q)
					return -1;
				for (const char *x = p->d + k; x < q; x++)
					nl += *x == '\n';
				if (f)
					buf_append(&p->row, p->d + k, (size_t)(q - p->d) - k);
				k = (size_t)(q - p->d) + 1;
				if (k < p->n && p->d[k] == '"') {
					if (f)
						buf_putc(&p->row, '"');
					k++;
					continue;
				}
				break;
			}
			/* tolerate junk after the closing quote up to the delimiter */
			while (k < p->n && p->d[k] != p->delim && p->d[k] != '\n') {
				if (f && p->d[k] != '\r')
					buf_putc(&p->row, p->d[k]);
				k++;
			}
		} else {
			size_t b = k;

			while (k < p->n && p->d[k] != p->delim && p->d[k] != '\n')
				k++;
			if (k - b > LEAK_MAX_LINE)
				return -1;
			if (f)
				buf_append(&p->row, p->d + b, k - b);
		}
		if (f) {
			f->off = start;
			f->len = p->row.len - start;
			if (f->len && p->row.data[start + f->len - 1] == '\r')
				f->len--;
			p->nf++;
		}
		if (k >= p->n || p->d[k] == '\n') {
			*lines += nl + 1;
			*i = k + 1;
			return 1;
		}
		k++; /* delimiter */
	}
}

void leak_read_csv(const char *d, size_t n, struct leak_collector *c)
{
	struct csv p = {.d = d, .n = n};
	enum leak_role roles[LEAK_MAX_CSV_FIELDS];
	bool header = false;
	size_t i = 0, ncols = 0;
	uint64_t line = 1;
	struct buf name;

	buf_init(&p.row);
	buf_init(&name);
	if (n >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	p.delim = sniff_delim(d + i, n - i);
	/* A header names at least one role we know. */
	{
		size_t k = i;
		uint64_t l = 0;

		if (csv_record(&p, &k, &l) == 1) {
			for (size_t f = 0; f < p.nf; f++) {
				roles[f] = leak_role_of(p.row.data + p.f[f].off, p.f[f].len);
				header |= roles[f] != LEAK_ROLE_OTHER;
			}
			if (header) {
				ncols = p.nf;
				i = k;
				line += l;
			}
		}
	}
	for (;;) {
		uint64_t start_line = line, l = 0;
		size_t start = i;
		int r = csv_record(&p, &i, &l);

		if (r == 0)
			break;
		if (r < 0) {
			const char *nl = memchr(d + start, '\n', n - start);

			leak_rec_error(c, start, start_line, "unterminated quoted field; skipped this line");
			i = nl ? (size_t)(nl - d) + 1 : n;
			line++;
			continue;
		}
		line += l;
		if (p.nf == 1 && p.f[0].len == 0)
			continue; /* empty line */
		if (p.too_many)
			leak_rec_error(c, start, start_line, "more than 256 fields; the rest ignored");
		leak_rec_begin(c);
		buf_reset(&name);
		for (size_t f = 0; f < p.nf; f++) {
			enum leak_role role = f < ncols ? roles[f] : LEAK_ROLE_OTHER;
			const char *s = p.row.data + p.f[f].off;
			size_t len = p.f[f].len;

			if (!len)
				continue;
			if (role == LEAK_ROLE_FIRST || role == LEAK_ROLE_LAST) {
				if (name.len)
					buf_putc(&name, ' ');
				buf_append(&name, s, len);
				continue;
			}
			leak_rec_field(c, role, s, len, p.f[f].pos);
		}
		if (name.len)
			leak_rec_name(c, name.data, name.len, start);
		leak_rec_end(c);
	}
	buf_cleanup(&p.row);
	buf_cleanup(&name);
}
