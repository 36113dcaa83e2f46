/* domain.c: see domain.h. Registrable domains and public suffixes follow the
 * Public Suffix List (publicsuffix.org) as compiled into libpsl; Unicode and
 * ASCII forms follow IDNA 2008 (RFC 5890-5893) via libidn2, with UTS #46
 * transitional processing as a fallback for names IDNA 2008 rejects but
 * browsers still resolve. IP literals follow RFC 4291 / RFC 5321 section 4.1.3
 * ("[IPv6:...]") and the WHATWG URL Standard's IPv4 parser, which is what a
 * browser does with "http://3232235777/" or "http://0x7f.1/".
 *
 * Everything here is a pure function of its arguments: libpsl's built-in
 * list is static read-only data and libidn2 keeps no state, so any thread may
 * call any function at any time. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* GLib first: libidn2 defines G_GNUC_DEPRECATED otherwise. */
#include <glib.h>
#include <idn2.h>
#include <libpsl.h>

#include "mail/domain.h"
#include "util/arena.h"

/* RFC 1035 section 2.3.4: 255 octets on the wire, 253 as dotted text. */
#define NAME_MAX_LEN 253
#define LABEL_MAX_LEN 63
/* Unicode input may be longer than its ASCII form; past this it cannot fit. */
#define INPUT_MAX_LEN 1024

static bool is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* Length of s without one trailing dot: "example.com." is the same name. */
static size_t trimmed_len(const char *s)
{
	size_t n = strlen(s);

	if (n && s[n - 1] == '.')
		n--;
	return n;
}

/* Host name characters. '_' is not in RFC 952 but is real DNS (SRV records,
 * DKIM selectors) and appears in mail, so it is accepted. */
static bool is_host_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_';
}

/* Checks label and name lengths and characters of a lower-case ASCII name. */
static bool valid_ascii_name(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (!is_host_char((unsigned char)s[i]) || ++label > LABEL_MAX_LEN) {
			return false;
		}
	}
	return label > 0;
}

/* True when some label starts with the ACE prefix "xn--" (any case). */
static bool has_ace_label(const char *s)
{
	const char *p = s;

	for (;;) {
		if (strncasecmp(p, "xn--", 4) == 0)
			return true;
		p = strchr(p, '.');
		if (!p)
			return false;
		p++;
	}
}

static char *lower_copy(struct arena *a, const char *s, size_t n)
{
	char *d = arena_strndup(a, s, n);
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	return d;
}

/* ACE labels must decode, or "xn--" is just a costume. */
static bool ace_labels_decode(const char *ascii)
{
	char *u = NULL;
	int rc;

	if (!has_ace_label(ascii))
		return true;
	rc = idn2_to_unicode_8z8z(ascii, &u, 0);
	idn2_free(u);
	return rc == IDN2_OK;
}

/* IDNA 2008 first; UTS #46 transitional for names it refuses (symbols, some
 * old-style spellings) because mail clients and browsers still resolve them
 * and a phisher is glad to use what we would otherwise not look at. */
static char *idna_encode(struct arena *a, const char *s, size_t n)
{
	char *in = arena_strndup(a, s, n), *out = NULL, *res = NULL;

	if (idn2_to_ascii_8z(in, &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) != IDN2_OK) {
		idn2_free(out);
		out = NULL;
		if (idn2_to_ascii_8z(in, &out, IDN2_TRANSITIONAL) != IDN2_OK)
			goto out;
	}
	res = lower_copy(a, out, strlen(out));
out:
	idn2_free(out);
	return res;
}

const char *domain_to_ascii(struct arena *a, const char *host)
{
	size_t n;
	char *res;

	if (!host)
		return NULL;
	n = trimmed_len(host);
	if (n == 0 || n > INPUT_MAX_LEN)
		return NULL;
	res = is_ascii(host, n) ? lower_copy(a, host, n) : idna_encode(a, host, n);
	if (!res)
		return NULL;
	n = strlen(res);
	if (n && res[n - 1] == '.')
		res[--n] = '\0';
	if (!valid_ascii_name(res, n) || !ace_labels_decode(res))
		return NULL;
	return res;
}

const char *domain_to_unicode(struct arena *a, const char *host)
{
	char *in, *out = NULL;
	const char *res = host;
	size_t n;

	if (!host || !has_ace_label(host))
		return host;
	n = strlen(host);
	if (n > INPUT_MAX_LEN)
		return host;
	/* Punycode is case-insensitive and libidn2 only knows "xn--". */
	in = lower_copy(a, host, n);
	if (idn2_to_unicode_8z8z(in, &out, 0) == IDN2_OK)
		res = arena_strdup(a, out);
	idn2_free(out);
	return res;
}

/* host in the ASCII form libpsl reads; NULL for IP literals and invalid names. */
static const char *psl_input(struct arena *a, const char *host)
{
	if (!host || domain_is_ip(host))
		return NULL;
	return domain_to_ascii(a, host);
}

const char *domain_registrable(struct arena *a, const char *host)
{
	const char *ascii = psl_input(a, host);

	/* Points into ascii, which the arena owns. */
	return ascii ? psl_registrable_domain(psl_builtin(), ascii) : NULL;
}

const char *domain_suffix(struct arena *a, const char *host)
{
	const char *ascii = psl_input(a, host);

	return ascii ? psl_unregistrable_domain(psl_builtin(), ascii) : NULL;
}

const char *domain_in_set(GHashTable *set, const char *domain)
{
	const char *p = domain;

	while (p && *p) {
		if (g_hash_table_contains(set, p))
			return p;
		p = strchr(p, '.');
		if (p)
			p++;
	}
	return NULL;
}

bool domain_within(const char *host, const char *parent)
{
	size_t hn, pn;

	if (!host || !parent)
		return false;
	/* ".example.com" in a configuration file means the same zone. */
	if (parent[0] == '.')
		parent++;
	hn = trimmed_len(host);
	pn = trimmed_len(parent);
	if (pn == 0 || hn < pn)
		return false;
	if (strncasecmp(host + hn - pn, parent, pn) != 0)
		return false;
	return hn == pn || host[hn - pn - 1] == '.';
}

/* One part of a WHATWG IPv4 address: decimal, 0x-hex or 0-octal. Returns
 * false when the part is not a number at all. */
static bool ipv4_part(const char *s, size_t n, uint64_t *val)
{
	unsigned base = 10;
	uint64_t v = 0;
	size_t i = 0;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (n >= 2 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	if (n == 0 || n > 32)
		return false;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned d;

		if (isdigit(c))
			d = c - '0';
		else if (base == 16 && isxdigit(c))
			d = (unsigned)(tolower(c) - 'a' + 10);
		else
			return false;
		if (d >= base)
			return false;
		v = v * base + d;
		if (v > UINT32_MAX)
			return false;
	}
	*val = v;
	return true;
}

/* The WHATWG IPv4 parser: one to four numeric parts, the last one filling
 * the remaining bytes ("127.1" is 127.0.0.1, "3232235777" is 192.168.1.1). */
static bool is_whatwg_ipv4(const char *s, size_t n)
{
	uint64_t v = 0;
	size_t parts = 0, start = 0, i;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (++parts > 4 || !ipv4_part(s + start, i - start, &v))
			return false;
		if (i < n && v > 255)
			return false;
		start = i + 1;
	}
	return v < (UINT64_C(1) << (8 * (5 - parts)));
}

static bool is_ipv6(const char *s, size_t n)
{
	struct in6_addr addr;
	char buf[INET6_ADDRSTRLEN + 8];
	const char *zone = memchr(s, '%', n);

	/* A zone id ("fe80::1%eth0") says which link, not which address. */
	if (zone)
		n = (size_t)(zone - s);
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, &addr) == 1;
}

bool domain_is_ip(const char *host)
{
	size_t n;

	if (!host)
		return false;
	n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
		/* RFC 5321 address literal: "[IPv6:2001:db8::1]". */
		if (n >= 5 && strncasecmp(host, "IPv6:", 5) == 0) {
			host += 5;
			n -= 5;
		}
		return is_ipv6(host, n) || is_whatwg_ipv4(host, n);
	}
	if (n && host[n - 1] == '.')
		n--;
	return n > 0 && (is_ipv6(host, n) || is_whatwg_ipv4(host, n));
}
