/* reader_mail.c: mail as a leak — one RFC 5322 message, or an mbox (RFC 4155:
 * messages start at "From " lines that follow an empty line). Each
 * correspondent (From, To, Cc, Bcc, Reply-To, Sender) is a record of its
 * address and display name; the body is a record of the addresses and
 * phone numbers it mentions and the name that signs it, filed under the
 * sender's organisation. Parsing is GMime's (mail/message.h), which never
 * fails: a message without any header is reported and read as text. */
#include <string.h>

#include <glib.h>

#include "leak/reader.h"
#include "mail/message.h"

#define MAX_HEADER_ADDRS 256

static const char *const addr_fields[] = {"From", "To", "Cc", "Bcc", "Reply-To", "Sender", "Resent-From",
					  "Resent-To"};

/* Case-insensitive search; returns the offset or (size_t)-1. */
static size_t ci_find(const char *h, size_t n, const char *needle, size_t k)
{
	if (k == 0 || k > n)
		return (size_t)-1;
	for (size_t i = 0; i + k <= n; i++)
		if (g_ascii_tolower(h[i]) == g_ascii_tolower(needle[0]) && g_ascii_strncasecmp(h + i, needle, k) == 0)
			return i;
	return (size_t)-1;
}

static uint64_t pos_of(const char *raw, size_t len, uint64_t base, const char *s, size_t n)
{
	size_t off = ci_find(raw, len, s, n);

	return base + (off == (size_t)-1 ? 0 : off);
}

/* One "Name <addr>" / "addr (Name)" / "addr" item of an address list. */
static void header_item(struct leak_collector *c, const char *s, size_t n, const char *raw, size_t len,
			uint64_t base)
{
	size_t b, e, nb = 0, ne = 0;

	if (!leak_email_find(s, n, 0, &b, &e))
		return;
	leak_rec_begin(c);
	leak_rec_email(c, s + b, e - b, pos_of(raw, len, base, s + b, e - b));
	if (b > 0) {
		nb = 0;
		ne = b;
		while (ne > nb && (s[ne - 1] == '<' || s[ne - 1] == ' ' || s[ne - 1] == '"'))
			ne--;
	} else {
		const char *lp = memchr(s + e, '(', n - e), *rp = lp ? memchr(lp, ')', (size_t)(s + n - lp)) : NULL;

		if (lp && rp) {
			nb = (size_t)(lp - s) + 1;
			ne = (size_t)(rp - s);
		}
	}
	if (ne > nb && !memchr(s + nb, '@', ne - nb))
		leak_rec_name(c, s + nb, ne - nb, pos_of(raw, len, base, s + b, e - b));
	leak_rec_end(c);
}

static void header_list(struct leak_collector *c, const char *v, const char *raw, size_t len, uint64_t base)
{
	size_t n = strlen(v), start = 0, items = 0;
	bool q = false;
	int angle = 0;

	for (size_t i = 0; i <= n && items < MAX_HEADER_ADDRS; i++) {
		if (i < n && v[i] == '"')
			q = !q;
		else if (i < n && !q && v[i] == '<')
			angle++;
		else if (i < n && !q && v[i] == '>' && angle)
			angle--;
		else if (i == n || (!q && !angle && (v[i] == ',' || v[i] == ';'))) {
			header_item(c, v + start, i - start, raw, len, base);
			items++;
			start = i + 1;
		}
	}
}

static bool is_phone_label(const char *s, size_t n)
{
	static const char *const labels[] = {"tel", "phone", "mobile", "cell", "fax", "mob", "handy", "telefon", "t:",
					     "m:", "p:"};

	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(labels); i++) {
		size_t k = strlen(labels[i]);

		if (n > k && g_ascii_strncasecmp(s, labels[i], k) == 0)
			return true;
	}
	return false;
}

static void body(struct leak_collector *c, const struct mail_message *m, const char *raw, size_t len,
		 uint64_t base)
{
	const char *t = m->text_len ? m->text : m->html_text;
	size_t n = m->text_len ? m->text_len : m->html_text_len, i = 0, b, e;
	int sig = -1; /* lines left to look for a signature name in */

	if (!t || !n)
		return;
	leak_rec_begin(c);
	if (m->has_from && *m->from.addr)
		leak_rec_context_email(c, m->from.addr, strlen(m->from.addr));
	while (leak_email_find(t, n, i, &b, &e)) {
		leak_rec_email(c, t + b, e - b, pos_of(raw, len, base, t + b, e - b));
		i = e;
	}
	for (i = 0; i < n;) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t le = nl ? (size_t)(nl - t) : n, ll = le - i;
		const char *line = t + i;

		if (ll && line[ll - 1] == '\r')
			ll--;
		if (is_phone_label(line, ll)) {
			size_t k = 0;

			while (k < ll && !(line[k] >= '0' && line[k] <= '9') && line[k] != '+')
				k++;
			if (k < ll)
				leak_rec_phone(c, line + k, ll - k, pos_of(raw, len, base, line + k, ll - k < 8 ? ll - k : 8));
		} else if (memchr(line, '+', ll)) {
			size_t before = c->nitems;

			leak_rec_text(c, line, ll, 0);
			/* leak_rec_text found emails again; keep only its phones, and
			 * place them in the raw message, not the decoded text */
			for (size_t k = before; k < c->nitems; k++) {
				if (c->items[k].kind == LEAK_EMAIL)
					c->items[k].context = true;
				c->items[k].pos = pos_of(raw, len, base, c->items[k].value, c->items[k].len);
			}
		}
		if ((ll == 3 && memcmp(line, "-- ", 3) == 0) || (ll == 2 && memcmp(line, "--", 2) == 0))
			sig = 3;
		else if (ll > 4 && ll < 30 && line[ll - 1] == ',' &&
			 (g_ascii_strncasecmp(line, "best", 4) == 0 || g_ascii_strncasecmp(line, "regards", 7) == 0 ||
			  g_ascii_strncasecmp(line, "kind regards", 12) == 0 || g_ascii_strncasecmp(line, "thanks", 6) == 0 ||
			  g_ascii_strncasecmp(line, "cheers", 6) == 0 || g_ascii_strncasecmp(line, "sincerely", 9) == 0))
			sig = 3;
		else if (sig > 0 && ll) {
			if (leak_looks_like_name(line, ll)) {
				leak_rec_name(c, line, ll, pos_of(raw, len, base, line, ll));
				sig = 0;
			} else {
				sig--;
			}
		}
		i = le + 1;
	}
	leak_rec_end(c);
}

static void message(struct leak_collector *c, const char *raw, size_t len, uint64_t base, uint64_t line)
{
	struct mail_message *m = mail_message_parse(raw, len);

	if (m->defects & MAIL_DEFECT_NO_HEADERS) {
		leak_rec_error(c, base, line, "not a mail message (no headers); its addresses are read as text");
		mail_message_free(&m);
		leak_read_text(raw, len, c);
		return;
	}
	for (size_t h = 0; h < m->nheaders; h++) {
		const struct mail_header *hd = &m->headers[h];

		for (size_t f = 0; f < G_N_ELEMENTS(addr_fields); f++)
			if (g_ascii_strcasecmp(hd->name, addr_fields[f]) == 0)
				header_list(c, hd->value, raw, len, base);
		if (g_ascii_strcasecmp(hd->name, "Organization") == 0 ||
		    g_ascii_strcasecmp(hd->name, "Organisation") == 0) {
			leak_rec_begin(c);
			if (m->has_from && *m->from.addr)
				leak_rec_context_email(c, m->from.addr, strlen(m->from.addr));
			leak_rec_org(c, hd->value, strlen(hd->value), pos_of(raw, len, base, "Organi", 6));
			leak_rec_end(c);
		}
	}
	body(c, m, raw, len, base);
	mail_message_free(&m);
}

void leak_mail_each(const char *d, size_t n,
		    void (*fn)(void *ctx, const char *raw, size_t len, uint64_t base, uint64_t line), void *ctx)
{
	size_t i = 0;
	uint64_t line = 1;

	if (n >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	if (!(n - i >= 5 && memcmp(d + i, "From ", 5) == 0)) {
		fn(ctx, d + i, n - i, i, 1);
		return;
	}
	while (i < n) {
		/* skip the "From " line, then find the next separator */
		const char *nl = memchr(d + i, '\n', n - i);
		size_t mb = nl ? (size_t)(nl - d) + 1 : n, me = mb;
		uint64_t lines = 1;

		while (me < n) {
			const char *p = memchr(d + me, '\n', n - me);

			if (!p) {
				me = n;
				break;
			}
			lines++;
			if ((size_t)(p - d) + 6 <= n && memcmp(p + 1, "From ", 5) == 0 && p > d && p[-1] == '\n') {
				me = (size_t)(p - d) + 1;
				break;
			}
			me = (size_t)(p - d) + 1;
		}
		if (me > mb)
			fn(ctx, d + mb, me - mb, mb, line + 1);
		line += lines;
		i = me;
	}
}

static void each_message(void *ctx, const char *raw, size_t len, uint64_t base, uint64_t line)
{
	message(ctx, raw, len, base, line);
}

void leak_read_mail(const char *d, size_t n, struct leak_collector *c)
{
	leak_mail_each(d, n, each_message, c);
}
