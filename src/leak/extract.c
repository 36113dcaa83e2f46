/* extract.c: see extract.h. Address syntax is the practical subset of
 * RFC 5322's dot-atom that leaks contain (letters, digits, . _ % + - ');
 * quoted local parts are not worth the false positives in free text.
 * Phone numbers follow ITU-T E.164 (at most 15 digits after "+"). */
#include <string.h>

#include <glib.h>

#include "leak/extract.h"

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_local(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'';
}

static bool is_host(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c >= 0x80;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Checks host s[0..n) has at least two labels, none empty or over 63
 * bytes, and a top-level label of 2+ letters (or IDN bytes). */
static bool valid_host(const char *s, size_t n)
{
	size_t label = 0, dots = 0, tld_start = 0;

	if (n < 4 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			dots++;
			label = 0;
			tld_start = i + 1;
		} else if (++label > 63 || (label == 1 && s[i] == '-')) {
			return false;
		}
	}
	if (!dots || n - tld_start < 2)
		return false;
	for (size_t i = tld_start; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c | 32) >= 'a' && (c | 32) <= 'z') && c < 0x80 && !(n - tld_start > 4 && s[tld_start] == 'x'))
			return false;
	}
	return true;
}

bool leak_email_find(const char *s, size_t n, size_t from, size_t *start, size_t *end)
{
	while (from < n) {
		const char *p = memchr(s + from, '@', n - from);
		size_t at, l, r;

		if (!p)
			return false;
		at = (size_t)(p - s);
		l = at;
		while (l > from && is_local((unsigned char)s[l - 1]) && at - l < 64)
			l--;
		while (l < at && (s[l] == '.' || s[l] == '\'' || s[l] == '-'))
			l++; /* "'jane@x" in quotes, "..jane" */
		r = at + 1;
		while (r < n && is_host((unsigned char)s[r]) && r - at < 254)
			r++;
		while (r > at + 1 && (s[r - 1] == '.' || s[r - 1] == '-'))
			r--;
		if (l < at && s[at - 1] != '.' && valid_host(s + at + 1, r - at - 1)) {
			bool dotdot = false;

			for (size_t i = l; i + 1 < at; i++)
				dotdot |= s[i] == '.' && s[i + 1] == '.';
			if (!dotdot) {
				*start = l;
				*end = r;
				return true;
			}
		}
		from = at + 1;
	}
	return false;
}

size_t leak_email_norm(const char *s, size_t n, char *out, size_t *at)
{
	size_t b, e, len;

	if (n > 7 && g_ascii_strncasecmp(s, "mailto:", 7) == 0) {
		s += 7;
		n -= 7;
	}
	if (!leak_email_find(s, n, 0, &b, &e))
		return 0;
	len = e - b;
	if (len > LEAK_MAX_EMAIL)
		return 0;
	for (size_t i = 0; i < len; i++) {
		out[i] = (char)lower((unsigned char)s[b + i]);
		if (out[i] == '@')
			*at = i;
	}
	out[len] = '\0';
	return len;
}

struct cc_row {
	const char *tld, *iso3, *name;
	int cc;
};

static const struct cc_row cc_table[] = {
	{"de", "deu", "germany", 49}, {"at", "aut", "austria", 43}, {"ch", "che", "switzerland", 41},
	{"fr", "fra", "france", 33}, {"uk", "gbr", "united kingdom", 44}, {"gb", "gbr", "great britain", 44},
	{"ie", "irl", "ireland", 353}, {"nl", "nld", "netherlands", 31}, {"be", "bel", "belgium", 32},
	{"lu", "lux", "luxembourg", 352}, {"dk", "dnk", "denmark", 45}, {"se", "swe", "sweden", 46},
	{"no", "nor", "norway", 47}, {"fi", "fin", "finland", 358}, {"pl", "pol", "poland", 48},
	{"cz", "cze", "czechia", 420}, {"it", "ita", "italy", 39}, {"es", "esp", "spain", 34},
	{"pt", "prt", "portugal", 351}, {"gr", "grc", "greece", 30}, {"tr", "tur", "turkey", 90},
	{"ru", "rus", "russia", 7}, {"ua", "ukr", "ukraine", 380}, {"in", "ind", "india", 91},
	{"cn", "chn", "china", 86}, {"jp", "jpn", "japan", 81}, {"kr", "kor", "south korea", 82},
	{"au", "aus", "australia", 61}, {"nz", "nzl", "new zealand", 64}, {"br", "bra", "brazil", 55},
	{"mx", "mex", "mexico", 52}, {"ar", "arg", "argentina", 54}, {"za", "zaf", "south africa", 27},
	{"us", "usa", "united states", 1}, {"ca", "can", "canada", 1}, {"sg", "sgp", "singapore", 65},
	{"hk", "hkg", "hong kong", 852}, {"il", "isr", "israel", 972}, {"ae", "are", "united arab emirates", 971},
	{"sa", "sau", "saudi arabia", 966}, {"eg", "egy", "egypt", 20}, {"ng", "nga", "nigeria", 234},
	{"ke", "ken", "kenya", 254}, {"tw", "twn", "taiwan", 886}, {"th", "tha", "thailand", 66},
	{"my", "mys", "malaysia", 60}, {"id", "idn", "indonesia", 62}, {"ph", "phl", "philippines", 63},
	{"vn", "vnm", "vietnam", 84}, {"hu", "hun", "hungary", 36}, {"ro", "rou", "romania", 40},
	{"bg", "bgr", "bulgaria", 359}, {"hr", "hrv", "croatia", 385}, {"si", "svn", "slovenia", 386},
	{"sk", "svk", "slovakia", 421}, {"ee", "est", "estonia", 372}, {"lv", "lva", "latvia", 371},
	{"lt", "ltu", "lithuania", 370}, {"is", "isl", "iceland", 354}, {"cl", "chl", "chile", 56},
	{"co", "col", "colombia", 57}, {"pe", "per", "peru", 51},
};

int leak_cc_of_tld(const char *domain)
{
	const char *dot = strrchr(domain, '.');
	const char *tld = dot ? dot + 1 : domain;

	for (size_t i = 0; i < G_N_ELEMENTS(cc_table); i++)
		if (g_ascii_strcasecmp(tld, cc_table[i].tld) == 0)
			return cc_table[i].cc;
	return 0;
}

int leak_cc_of_country(const char *s, size_t n)
{
	char buf[32];
	size_t b = 0, e = n;

	while (b < e && g_ascii_isspace(s[b]))
		b++;
	while (e > b && g_ascii_isspace(s[e - 1]))
		e--;
	if (e - b == 0 || e - b >= sizeof(buf))
		return 0;
	for (size_t i = b; i < e; i++)
		buf[i - b] = (char)lower((unsigned char)s[i]);
	buf[e - b] = '\0';
	if (strcmp(buf, "uk") == 0 || strcmp(buf, "england") == 0)
		return 44;
	for (size_t i = 0; i < G_N_ELEMENTS(cc_table); i++)
		if (strcmp(buf, cc_table[i].tld) == 0 || strcmp(buf, cc_table[i].iso3) == 0 ||
		    strcmp(buf, cc_table[i].name) == 0)
			return cc_table[i].cc;
	return 0;
}

size_t leak_phone_norm(const char *s, size_t n, int cc, char *out)
{
	char digits[LEAK_MAX_PHONE];
	size_t nd = 0, i = 0, len = 0;
	bool intl = false;

	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '"'))
		i++;
	if (i < n && s[i] == '+') {
		intl = true;
		i++;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= '0' && c <= '9') {
			if (nd >= 16)
				return 0;
			digits[nd++] = (char)c;
		} else if (c == '(' && i + 2 < n && s[i + 1] == '0' && s[i + 2] == ')' && (intl || nd >= 2)) {
			i += 2; /* "+49 (0)30": the trunk prefix of the national form */
		} else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t') {
			continue;
		} else if (c == '"' && i + 1 == n) {
			break;
		} else {
			return 0;
		}
	}
	if (!intl && nd > 2 && digits[0] == '0' && digits[1] == '0') {
		intl = true;
		memmove(digits, digits + 2, nd - 2);
		nd -= 2;
	}
	if (nd < 7 || nd > 15)
		return 0;
	if (intl) {
		out[len++] = '+';
	} else if (cc && digits[0] == '0') {
		len = (size_t)g_snprintf(out, LEAK_MAX_PHONE, "+%d", cc);
		memmove(digits, digits + 1, --nd);
	} else if (cc == 1 && nd == 11 && digits[0] == '1') {
		out[len++] = '+';
	} else if (cc == 1 && nd == 10) {
		len = (size_t)g_snprintf(out, LEAK_MAX_PHONE, "+1");
	}
	if (len + nd > LEAK_MAX_PHONE)
		return 0;
	memcpy(out + len, digits, nd);
	len += nd;
	out[len] = '\0';
	return len;
}

size_t leak_name_norm(const char *s, size_t n, bool person, char *out)
{
	char tmp[LEAK_MAX_NAME + 1];
	size_t len = 0, b = 0, e = n;
	bool letter = false, space = false;
	const char *comma;
	char *low;

	while (b < e && (g_ascii_isspace(s[b]) || s[b] == '"' || s[b] == '\''))
		b++;
	while (e > b && (g_ascii_isspace(s[e - 1]) || s[e - 1] == '"' || s[e - 1] == '\''))
		e--;
	if (e == b || e - b > LEAK_MAX_NAME || !g_utf8_validate(s + b, (gssize)(e - b), NULL))
		return 0;
	comma = person ? memchr(s + b, ',', e - b) : NULL;
	for (int part = 0; part < 2; part++) {
		/* "Doe, Jane": copy what follows the comma first */
		size_t pb = comma ? (part == 0 ? (size_t)(comma - s) + 1 : b) : (part == 0 ? b : e);
		size_t pe = comma ? (part == 0 ? e : (size_t)(comma - s)) : e;

		for (size_t i = pb; i < pe; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c < 0x20 || c == '@' || c == '<' || c == '>' || (person && c >= '0' && c <= '9') ||
			    (person && c == ','))
				return 0;
			if (c == ' ' || c == '\t') {
				space = len > 0;
				continue;
			}
			if (space && len < LEAK_MAX_NAME)
				tmp[len++] = ' ';
			space = false;
			if (len >= LEAK_MAX_NAME)
				return 0;
			letter |= g_ascii_isalpha(c) || c >= 0x80;
			tmp[len++] = (char)c;
		}
		space = len > 0;
	}
	if (!letter || len == 0)
		return 0;
	tmp[len] = '\0';
	low = g_utf8_strdown(tmp, (gssize)len);
	len = strlen(low);
	if (len > LEAK_MAX_NAME) {
		g_free(low);
		return 0;
	}
	memcpy(out, low, len + 1);
	g_free(low);
	return len;
}

bool leak_looks_like_name(const char *s, size_t n)
{
	static const char *const not_names[] = {"best", "kind", "warm", "thanks", "thank", "regards",
						"sent", "get", "sincerely", "cheers", "yours", "the",
						"dear", "hi", "hello", "on", "from", "to", "subject"};
	size_t words = 0, i = 0;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\t'))
		n--;
	while (i < n && s[i] == ' ')
		i++;
	if (n - i < 5 || n - i > 60)
		return false;
	while (i < n) {
		size_t w = i;

		if (!(s[i] >= 'A' && s[i] <= 'Z') && (unsigned char)s[i] < 0x80)
			return false;
		while (i < n && s[i] != ' ') {
			unsigned char c = (unsigned char)s[i];

			if (!g_ascii_isalpha(c) && c < 0x80 && c != '-' && c != '.' && c != '\'')
				return false;
			i++;
		}
		if (words == 0)
			for (size_t k = 0; k < G_N_ELEMENTS(not_names); k++)
				if (i - w == strlen(not_names[k]) && g_ascii_strncasecmp(s + w, not_names[k], i - w) == 0)
					return false;
		words++;
		while (i < n && s[i] == ' ')
			i++;
	}
	return words >= 2 && words <= 4;
}

/* Appends bytes, replacing control characters by spaces and bytes that are
 * not part of valid UTF-8 by '?'. */
static void append_clean(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *end;
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			buf_putc(out, c < 0x20 || c == 0x7f ? ' ' : (char)c);
			i++;
			continue;
		}
		if (g_utf8_validate(s + i, (gssize)(n - i), &end)) {
			buf_append(out, s + i, n - i);
			return;
		}
		if (end == s + i) {
			buf_putc(out, '?');
			i++;
		} else {
			/* copy the valid prefix up to the next ASCII byte at most */
			size_t k = (size_t)(end - s);

			buf_append(out, s + i, k - i);
			i = k;
		}
	}
}

static bool is_secret_sep(char c)
{
	return c == ':' || c == ';' || c == '|';
}

/* Appends s[b..e) with every run of 4+ digits masked but its last two. */
static void append_masked(struct buf *out, const char *s, size_t b, size_t e)
{
	size_t i = b;

	while (i < e) {
		size_t r = i, k;

		while (r < e && s[r] >= '0' && s[r] <= '9')
			r++;
		if (r - i >= 4) {
			for (size_t d = i; d < r - 2; d++)
				buf_putc(out, 'x');
			buf_append(out, s + r - 2, 2);
			i = r;
			continue;
		}
		k = r;
		while (k < e && !(s[k] >= '0' && s[k] <= '9'))
			k++;
		append_clean(out, s + i, k - i);
		i = k;
	}
}

void leak_redact(const char *s, size_t n, size_t hit, bool password, struct buf *out)
{
	size_t ls, le, b, e, i, ms, me;

	if (hit > n)
		hit = n;
	ls = hit;
	while (ls > 0 && s[ls - 1] != '\n')
		ls--;
	le = hit;
	while (le < n && s[le] != '\n' && s[le] != '\r')
		le++;
	b = hit - ls > 40 ? hit - 40 : ls;
	e = le - b > LEAK_SNIPPET_MAX ? b + LEAK_SNIPPET_MAX : le;
	if (password) {
		b = hit;
		e = hit;
		while (e < le && e - b < 80 &&
		       (is_local((unsigned char)s[e]) || s[e] == '@' || s[e] == ' ' || (unsigned char)s[e] >= 0x80))
			e++;
		while (e > b && s[e - 1] == ' ')
			e--;
	}
	/* never start inside a UTF-8 sequence */
	while (b > ls && ((unsigned char)s[b] & 0xc0) == 0x80)
		b--;
	if (b > ls && !password)
		buf_append(out, "...", 3);
	i = b;
	while (i < e && leak_email_find(s, e, i, &ms, &me)) {
		const char *at = memchr(s + ms, '@', me - ms);

		append_masked(out, s, i, ms);
		buf_putc(out, s[ms]);
		buf_append(out, "***", 3);
		append_clean(out, at, (size_t)(s + me - at));
		i = me;
		if (i + 1 < e && is_secret_sep(s[i]) && s[i + 1] != ' ') {
			buf_putc(out, s[i]);
			buf_append(out, "[password]", 10);
			i++;
			while (i < e && s[i] != ' ' && s[i] != '\t' && s[i] != ',')
				i++;
		}
	}
	append_masked(out, s, i, e);
	if (e < le && !password)
		buf_append(out, "...", 3);
	if (password)
		buf_append(out, " [password present]", 19);
}
