/* mailer.c: see mailer.h. */
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <glib.h>

#include "mail/url.h"
#include "report/mailer.h"
#include "util/alloc.h"
#include "util/escape.h"
#include "util/random.h"

#define MARK_VERSION "v2"

/* s without blanks (and angle brackets when brackets), as it is signed. */
static void squeeze(GString *out, const char *s, bool brackets)
{
	for (const char *p = s ? s : ""; *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && (!brackets || (*p != '<' && *p != '>')))
			g_string_append_c(out, *p);
}

/* The MAC over "alert\n" Message-ID "\n" Date "\n" campaign. */
static char *mark_mac(const unsigned char *key, size_t keylen, const char *msgid, const char *date,
		      long long campaign)
{
	GString *s = g_string_new("alert\n");
	char *mac;

	squeeze(s, msgid, true);
	g_string_append_c(s, '\n');
	squeeze(s, date, false);
	g_string_append_printf(s, "\n%lld", campaign);
	mac = g_compute_hmac_for_data(G_CHECKSUM_SHA256, key, keylen, (const guchar *)s->str, s->len);
	g_string_free(s, TRUE);
	return mac;
}

char *mailer_mark_sign(const unsigned char *key, size_t keylen, const char *msgid, const char *date,
		       int64_t campaign)
{
	char *mac = mark_mac(key, keylen, msgid, date, (long long)campaign);
	char *v = g_strdup_printf(MARK_VERSION " %lld %s", (long long)campaign, mac);

	g_free(mac);
	return v;
}

bool mailer_mark_valid(const unsigned char *key, size_t keylen, const char *msgid, const char *date,
		       const char *value)
{
	GString *core;
	char *want, *end = NULL;
	const char *mac;
	long long campaign;
	size_t n;
	unsigned diff = 0;
	bool empty;

	if (!key || !msgid || !date || !value)
		return false;
	core = g_string_new(NULL);
	squeeze(core, msgid, true);
	empty = core->len == 0;
	g_string_free(core, TRUE);
	if (empty)
		return false; /* nothing was signed */
	while (*value == ' ' || *value == '\t')
		value++;
	if (strncmp(value, MARK_VERSION " ", 3) != 0 || !g_ascii_isdigit(value[3]))
		return false;
	campaign = g_ascii_strtoll(value + 3, &end, 10);
	if (!end || *end != ' ')
		return false;
	mac = end + 1;
	n = strlen(mac);
	while (n > 0 && (mac[n - 1] == ' ' || mac[n - 1] == '\t' || mac[n - 1] == '\r' || mac[n - 1] == '\n'))
		n--;
	want = mark_mac(key, keylen, msgid, date, campaign);
	/* Constant time in the bytes compared: the mark is a secret's MAC. */
	for (size_t i = 0; want[i]; i++)
		diff |= (unsigned)(want[i] ^ (i < n ? mac[i] : 0));
	diff |= strlen(want) != n;
	g_free(want);
	return diff == 0;
}

static void headers(struct buf *out, const char *from, const char *const *to, size_t nto, const char *subject,
		    const unsigned char *key, size_t keylen, int64_t campaign)
{
	char date[64], msgid[96];
	time_t now = time(NULL);
	struct tm tm;
	char *mark;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(msgid, sizeof(msgid), "<%lld.%016llx@leakguard>", (long long)now,
		 (unsigned long long)lg_random_u64());
	/* Unsigned (no key: the portal's mails) the mark proves nothing, and
	 * the milter strips it like any outsider's copy. */
	mark = key ? mailer_mark_sign(key, keylen, msgid, date, campaign) : g_strdup("1");
	buf_appendf(out, "From: %s\r\nTo: ", from);
	for (size_t i = 0; i < nto; i++)
		buf_appendf(out, "%s%s", i ? ", " : "", to[i]);
	buf_appendf(out, "\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: %s\r\n"
			 "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
			 "Content-Transfer-Encoding: 8bit\r\n" MAILER_MARK ": %s\r\nAuto-Submitted: auto-generated\r\n\r\n",
		    subject, date, msgid, mark);
	g_free(mark);
}

/* A header value fit for one line: no CR/LF, so nothing can be injected. */
static char *one_line(const char *s)
{
	char *d = g_strdup(s ? s : "");

	for (char *p = d; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	return d;
}

/* Outside text made safe to show: cut to max bytes (at a character
 * boundary), controls and bidi overrides escaped, links defanged. */
static const char *shown(struct arena *a, const char *s, size_t max)
{
	size_t n = strlen(s ? s : "");
	char *cut, *esc;
	const char *d;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	cut = g_strndup(s ? s : "", n);
	esc = escape_controls_dup(cut);
	d = url_defang(a, esc);
	lg_free(esc);
	g_free(cut);
	return n < strlen(s ? s : "") ? arena_printf(a, "%s...", d) : d;
}

void mailer_compose_alert(struct buf *out, const char *from, const char *const *to, size_t nto,
			  const struct mail_message *msg, const struct verdict *v, int64_t reporters,
			  int64_t campaign, const unsigned char *key, size_t keylen)
{
	const char *subject = shown(msg->arena, msg->subject, MAILER_MAX_SHOWN);
	/* The subject line is leakguard's own words: the campaign and its
	 * sender's domain, never the phisher's subject verbatim. */
	char *title = g_strdup_printf("[Phishing alert] Campaign %lld: mail from %s", (long long)campaign,
				      *msg->from.domain ? shown(msg->arena, msg->from.domain, MAILER_MAX_DOMAIN)
							: "an unknown sender");

	headers(out, from, to, nto, title, key, keylen, campaign);
	buf_appendf(out, "A phishing mail is reaching our organisation. %s reported it.\r\n\r\n",
		    reporters > 1 ? "Several colleagues have" : "A colleague has");
	buf_appendf(out, "  Sender:  %s\r\n  Subject: %s\r\n\r\nThe signs:\r\n",
		    *msg->from.addr ? shown(msg->arena, msg->from.addr, MAILER_MAX_SHOWN) : "(unknown)", subject);
	for (size_t i = 0; i < v->signals.n && i < 8; i++)
		if (v->signals.items[i].score > 0)
			buf_appendf(out, "  - %s\r\n", url_defang(msg->arena, v->signals.items[i].reason));
	if (msg->nlinks) {
		buf_appendf(out, "\r\nIts links (made unclickable):\r\n");
		for (size_t i = 0; i < msg->nlinks && i < 10; i++)
			buf_appendf(out, "  %s\r\n", url_defang(msg->arena, msg->links[i].url));
	}
	buf_appendf(out, "\r\nIf you received it: do not click its links, open its attachments or reply.\r\n"
			 "Delete it, or forward it as an attachment to the report address.\r\n\r\n"
			 "If you already clicked or typed a password: change that password now, from the\r\n"
			 "real site (type its address yourself), and tell the IT service desk at once.\r\n");
	g_free(title);
}

void mailer_compose_thanks(struct buf *out, const char *from, const char *reporter, bool found,
			   const char *problem, const unsigned char *key, size_t keylen)
{
	headers(out, from, &reporter, 1, found ? "Thank you for reporting" : "We could not read your report", key,
		keylen, 0);
	if (found)
		buf_appendf(out, "Thank you. We received the message you reported and are checking it.\r\n"
				 "If it is phishing, colleagues will be warned and the sender blocked.\r\n");
	else
		buf_appendf(out, "Thank you for reporting. %s\r\n\r\nPlease forward the suspicious mail as an "
				 "attachment (in most mail programs: More > Forward as attachment).\r\n",
			    problem ? problem : "We could not find the original message in your report.");
}

void mailer_compose_plain(struct buf *out, const char *from, const char *to, const char *subject, const char *body)
{
	char *subj = one_line(subject);

	headers(out, from, &to, 1, subj, NULL, 0, 0);
	for (const char *p = body; *p; p++) {
		if (*p == '\n')
			buf_append(out, "\r\n", 2);
		else
			buf_putc(out, *p);
	}
	g_free(subj);
}

struct upload {
	const struct buf *text;
	size_t sent;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct upload *u = userdata;
	size_t room = size * nmemb, left = u->text->len - u->sent, n = left < room ? left : room;

	memcpy(ptr, u->text->data + u->sent, n);
	u->sent += n;
	return n;
}

enum lg_status mailer_send(const char *relay, const char *from, const char *const *to, size_t nto,
			   const struct buf *text, struct errbuf *err)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *rcpt = NULL;
	struct upload up = {text, 0};
	char *url = g_strdup_printf("smtp://%s", relay);
	char *sender = g_strdup_printf("<%s>", from);
	CURLcode rc;

	if (!curl) {
		g_free(url);
		g_free(sender);
		return errbuf_set(err, LG_EINTERNAL, "cannot start an SMTP client");
	}
	for (size_t i = 0; i < nto; i++)
		rcpt = curl_slist_append(rcpt, to[i]);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, sender);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(curl, CURLOPT_READDATA, &up);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 15L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(curl);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl);
	g_free(url);
	g_free(sender);
	if (rc != CURLE_OK)
		return errbuf_set(err, LG_EIO, "sending mail through %s: %s", relay, curl_easy_strerror(rc));
	return LG_OK;
}
