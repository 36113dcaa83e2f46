/* mailer.c: see mailer.h. */
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <glib.h>

#include "mail/url.h"
#include "report/mailer.h"

static void headers(struct buf *out, const char *from, const char *const *to, size_t nto, const char *subject)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_appendf(out, "From: %s\r\nTo: ", from);
	for (size_t i = 0; i < nto; i++)
		buf_appendf(out, "%s%s", i ? ", " : "", to[i]);
	buf_appendf(out, "\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%lld.%d@leakguard>\r\n"
			 "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
			 "Content-Transfer-Encoding: 8bit\r\n" MAILER_MARK ": 1\r\nAuto-Submitted: auto-generated\r\n\r\n",
		    subject, date, (long long)now, g_random_int_range(0, 1 << 30));
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

void mailer_compose_alert(struct buf *out, const char *from, const char *const *to, size_t nto,
			  const struct mail_message *msg, const struct verdict *v, int64_t reporters)
{
	char *subject = one_line(msg->subject);
	char *title = g_strdup_printf("[Phishing alert] Do not act on: %s", subject);

	headers(out, from, to, nto, title);
	buf_appendf(out, "A phishing mail is reaching our organisation. %s reported it.\r\n\r\n",
		    reporters > 1 ? "Several colleagues have" : "A colleague has");
	buf_appendf(out, "  Sender:  %s\r\n  Subject: %s\r\n\r\nThe signs:\r\n",
		    url_defang(msg->arena, *msg->from.addr ? msg->from.addr : "(unknown)"), subject);
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
	g_free(subject);
}

void mailer_compose_thanks(struct buf *out, const char *from, const char *reporter, bool found,
			   const char *problem)
{
	headers(out, from, &reporter, 1, found ? "Thank you for reporting" : "We could not read your report");
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

	headers(out, from, &to, 1, subj);
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
