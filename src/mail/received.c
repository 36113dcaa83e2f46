/* received.c: see received.h. With-protocols after RFC 3848 and the IANA
 * "Mail Transmission Types" registry. */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "mail/received.h"

/* End of the from-clause: the " by " that starts the receiving host. */
static const char *clause_end(const char *s)
{
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)p[0]) && strncasecmp(p + 1, "by", 2) == 0 &&
		    (isspace((unsigned char)p[3]) || p[3] == '\0'))
			return p;
	return s + strlen(s);
}

static bool is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* Copies the address-literal characters starting at p into out. */
static bool take(const char *p, const char *end, char *out, size_t size)
{
	size_t n = 0;

	if (end - p >= 5 && strncasecmp(p, "IPv6:", 5) == 0)
		p += 5;
	while (p < end && (isxdigit((unsigned char)*p) || *p == '.' || *p == ':') && n + 1 < size)
		out[n++] = *p++;
	out[n] = '\0';
	return n > 0 && is_ip(out);
}

/* The address in one TCP-info comment (the text between p and end, the
 * parentheses excluded): the first "[literal]" before any "helo=" (in
 * Exim's "[ip] helo=[x]" what follows is the client's), or the whole comment when it is a bare
 * address (qmail's "(198.51.100.7)"). */
static bool comment_ip(const char *p, const char *end, char *out, size_t size)
{
	const char *q = p;

	while (q < end && isspace((unsigned char)*q))
		q++;
	if (take(q, end, out, size) && q + strlen(out) <= end) {
		const char *r = q + strlen(out);

		while (r < end && isspace((unsigned char)*r))
			r++;
		if (r == end)
			return true;
	}
	for (q = p; q < end; q++) {
		if (end - q >= 5 && strncasecmp(q, "helo=", 5) == 0)
			return false; /* what follows is the client's */
		if (*q == '[' && take(q + 1, end, out, size))
			return true;
	}
	return false;
}

/* True when the comment between p and end holds Exim's "helo=". */
static bool comment_has_helo(const char *p, const char *end)
{
	for (; p + 5 <= end; p++)
		if (strncasecmp(p, "helo=", 5) == 0)
			return true;
	return false;
}

bool received_from_ip(const char *value, char *out, size_t size)
{
	const char *end, *p, *word;
	size_t wlen;
	bool exim = false;

	while (isspace((unsigned char)*value))
		value++;
	if (strncasecmp(value, "from", 4) != 0 || !isspace((unsigned char)value[4]))
		return false;
	end = clause_end(value);
	p = value + 4;
	while (p < end && isspace((unsigned char)*p))
		p++;
	/* The first word is what the client said in HELO (Postfix, Sendmail)
	 * or the reverse name (Exim): never read as the address by itself. */
	word = p;
	wlen = strcspn(word, " \t\r\n(");
	p = word + wlen;
	/* The comments that follow hold the address the server saw. */
	while (p < end) {
		const char *open, *close;
		int depth = 0;

		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p != '(')
			break;
		open = p + 1;
		for (close = open, depth = 1; close < end; close++) {
			if (*close == '(')
				depth++;
			else if (*close == ')' && --depth == 0)
				break;
		}
		if (close >= end)
			return false; /* a comment that does not end: nothing is read */
		if (comment_ip(open, close, out, size))
			return true;
		exim |= comment_has_helo(open, close);
		p = close + 1;
	}
	/* Exim without a reverse name: "from [192.0.2.1] (helo=x)", the
	 * literal is the server's word, the HELO is in the comment. */
	if (exim && wlen > 2 && word[0] == '[' && word[wlen - 1] == ']')
		return take(word + 1, word + wlen - 1, out, size);
	return false;
}

/* RFC 3848 types with SMTP AUTH: the ones ending in "A" or "SA". */
static bool auth_protocol(const char *p, size_t n)
{
	static const char *const types[] = {
		"ESMTPA", "ESMTPSA", "LMTPA", "LMTPSA", "UTF8SMTPA", "UTF8SMTPSA", "UTF8LMTPA", "UTF8LMTPSA", NULL,
	};

	for (int i = 0; types[i]; i++)
		if (strlen(types[i]) == n && strncasecmp(p, types[i], n) == 0)
			return true;
	return false;
}

bool received_authenticated(const char *value)
{
	for (const char *p = value; *p; p++) {
		const char *proto;
		size_t n;

		if (strncasecmp(p, "(Authenticated sender:", 22) == 0)
			return true;
		if (!isspace((unsigned char)*p) || strncasecmp(p + 1, "with", 4) != 0 ||
		    !isspace((unsigned char)p[5]))
			continue;
		proto = p + 5;
		while (isspace((unsigned char)*proto))
			proto++;
		n = strcspn(proto, " \t\r\n;(");
		if (auth_protocol(proto, n))
			return true;
	}
	return false;
}

bool received_from_helo(const char *value, char *out, size_t size)
{
	size_t n;

	while (isspace((unsigned char)*value))
		value++;
	if (strncasecmp(value, "from", 4) != 0 || !isspace((unsigned char)value[4]))
		return false;
	value += 4;
	while (isspace((unsigned char)*value))
		value++;
	n = strcspn(value, " \t\r\n()");
	if (n == 0 || n >= size)
		return false;
	memcpy(out, value, n);
	out[n] = '\0';
	return true;
}
