/* authres.c: see authres.h. Comments (RFC 5322 CFWS) are removed first;
 * then the value is "authserv-id [version] ; resinfo ; resinfo ...", each
 * resinfo starting with "method[/version]=result". */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "mail/authres.h"

static const char *const names[] = {
	"absent", "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy", "other",
};

const char *authres_result_name(enum authres_result r)
{
	return names[r];
}

static enum authres_result result_of(const char *s, size_t n)
{
	for (int r = AUTHRES_PASS; r < AUTHRES_OTHER; r++)
		if (strlen(names[r]) == n && strncasecmp(s, names[r], n) == 0)
			return (enum authres_result)r;
	return AUTHRES_OTHER;
}

/* Copies value without (nested) comments into out (size bytes). */
static void strip_comments(const char *value, char *out, size_t size)
{
	size_t n = 0;
	int depth = 0;
	bool quoted = false;

	for (const char *p = value; *p && n + 1 < size; p++) {
		if (*p == '"' && depth == 0)
			quoted = !quoted;
		if (!quoted && *p == '(') {
			depth++;
			continue;
		}
		if (!quoted && *p == ')' && depth > 0) {
			depth--;
			continue;
		}
		if (depth == 0)
			out[n++] = *p;
	}
	out[n] = '\0';
}

/* Copies the value of property name ("header.d") from the rest of a
 * resinfo, lower case, into out; leaves out alone when it is not there. */
static void take_property(const char *s, const char *name, char *out, size_t size)
{
	size_t n = strlen(name), len;

	for (const char *p = s; *p; p++) {
		if (strncasecmp(p, name, n) != 0 || p[n] != '=' || (p > s && !isspace((unsigned char)p[-1])))
			continue;
		p += n + 1;
		len = strcspn(p, " \t\r\n;");
		if (len == 0 || len >= size)
			return;
		for (size_t i = 0; i < len; i++)
			out[i] = (char)tolower((unsigned char)p[i]);
		out[len] = '\0';
		return;
	}
}

static void take_method(struct authres *ar, const char *s)
{
	const char *eq, *method = s, *res;
	size_t mlen, rlen;
	enum authres_result r;

	while (isspace((unsigned char)*method))
		method++;
	eq = strchr(method, '=');
	if (!eq)
		return;
	mlen = strcspn(method, "/= \t");
	res = eq + 1;
	while (isspace((unsigned char)*res))
		res++;
	rlen = strcspn(res, " \t\r\n;");
	r = result_of(res, rlen);
	if (mlen == 3 && strncasecmp(method, "spf", 3) == 0 && !ar->spf)
		ar->spf = r;
	else if (mlen == 5 && strncasecmp(method, "dmarc", 5) == 0 && !ar->dmarc)
		ar->dmarc = r;
	else if (mlen == 4 && strncasecmp(method, "dkim", 4) == 0) {
		if (!ar->dkim)
			ar->dkim = r;
		ar->dkim_any_pass |= r == AUTHRES_PASS;
		if (r == AUTHRES_PASS && !*ar->dkim_pass_domain)
			take_property(res + rlen, "header.d", ar->dkim_pass_domain, sizeof(ar->dkim_pass_domain));
	}
}

bool authres_parse(const char *value, struct authres *out)
{
	char buf[4096];
	char *save = NULL, *part, *id;
	size_t n;

	memset(out, 0, sizeof(*out));
	strip_comments(value, buf, sizeof(buf));
	part = strtok_r(buf, ";", &save);
	if (!part)
		return false;
	id = part;
	while (isspace((unsigned char)*id))
		id++;
	n = strcspn(id, " \t\r\n");
	if (n == 0 || n >= sizeof(out->authserv_id))
		return false;
	for (size_t i = 0; i < n; i++)
		out->authserv_id[i] = (char)tolower((unsigned char)id[i]);
	out->authserv_id[n] = '\0';
	while ((part = strtok_r(NULL, ";", &save)))
		take_method(out, part);
	return true;
}
