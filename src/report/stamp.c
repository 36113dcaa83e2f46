/* stamp.c: see stamp.h. The signed text is "client\n" ip "\n" msgid "\n"
 * date, with the Message-ID's angle brackets and all blanks removed and
 * the Date's blanks collapsed away, so refolding by a relay changes
 * nothing. */
#include <arpa/inet.h>
#include <string.h>

#include <glib.h>

#include "report/stamp.h"

#define STAMP_VERSION "v1"

/* s without blanks, CR, LF and (when brackets) angle brackets. */
static void squeeze(GString *out, const char *s, bool brackets)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n' && (!brackets || (*s != '<' && *s != '>')))
			g_string_append_c(out, *s);
}

static bool is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static char *mac_of(const unsigned char *key, size_t keylen, const char *ip, const char *msgid, const char *date)
{
	GString *s = g_string_new("client\n");
	char *mac;

	g_string_append(s, ip);
	g_string_append_c(s, '\n');
	squeeze(s, msgid, true);
	g_string_append_c(s, '\n');
	squeeze(s, date, false);
	mac = g_compute_hmac_for_data(G_CHECKSUM_SHA256, key, keylen, (const guchar *)s->str, s->len);
	g_string_free(s, TRUE);
	return mac;
}

char *report_stamp_sign(const unsigned char *key, size_t keylen, const char *ip, const char *msgid,
			const char *date)
{
	char *mac, *v;

	if (!key || !ip || !is_ip(ip))
		return NULL;
	mac = mac_of(key, keylen, ip, msgid, date);
	v = g_strconcat(STAMP_VERSION " ", ip, " ", mac, NULL);
	g_free(mac);
	return v;
}

bool report_stamp_read(const unsigned char *key, size_t keylen, const char *value, const char *msgid,
		       const char *date, char *ip, size_t size)
{
	char *copy, *want = NULL;
	char **w;
	size_t n = 0;
	unsigned diff = 0;
	bool ok = false;

	if (!key || !value)
		return false;
	copy = g_strdup(value);
	w = g_strsplit_set(g_strstrip(copy), " \t\r\n", -1);
	g_free(copy);
	/* Drop the empty words that repeated blanks leave. */
	for (size_t i = 0; w[i]; i++) {
		if (*w[i])
			w[n++] = w[i];
		else
			g_free(w[i]);
	}
	w[n] = NULL;
	if (n != 3 || strcmp(w[0], STAMP_VERSION) != 0 || !is_ip(w[1]) || strlen(w[1]) >= size)
		goto out;
	want = mac_of(key, keylen, w[1], msgid, date);
	if (strlen(want) != strlen(w[2]))
		goto out;
	/* Constant time in the bytes compared: the stamp is a secret's MAC. */
	for (size_t i = 0; want[i]; i++)
		diff |= (unsigned)(want[i] ^ w[2][i]);
	if (diff == 0) {
		g_strlcpy(ip, w[1], size);
		ok = true;
	}
out:
	g_free(want);
	g_strfreev(w);
	return ok;
}
