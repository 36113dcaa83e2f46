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

bool received_from_ip(const char *value, char *out, size_t size)
{
	const char *end, *p;

	while (isspace((unsigned char)*value))
		value++;
	if (strncasecmp(value, "from", 4) != 0)
		return false;
	end = clause_end(value);
	for (p = value; p < end; p++)
		if (*p == '[' && take(p + 1, end, out, size))
			return true;
	for (p = value; p < end; p++)
		if (*p == '(' && take(p + 1, end, out, size))
			return true;
	/* "from 192.0.2.1 by ..." */
	p = value + 4;
	while (p < end && isspace((unsigned char)*p))
		p++;
	return take(p, end, out, size);
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
