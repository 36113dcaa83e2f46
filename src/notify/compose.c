/* compose.c: the words of a notice (compose.h). Counts only: this file
 * never sees an address, password or document of the leak — facts_source
 * holds numbers and the leak's name and date. */
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "notify/compose.h"
#include "portal/token.h"
#include "util/alloc.h"
#include "util/escape.h"

static void count(struct buf *b, bool *first, uint64_t n, const char *one, const char *many)
{
	if (!n)
		return;
	buf_appendf(b, "%s%llu %s", *first ? "" : ", ", (unsigned long long)n, n == 1 ? one : many);
	*first = false;
}

static void domain_line(struct buf *b, const struct notify_item *it)
{
	const struct facts_source *f = it->f;
	bool first = true;

	buf_appendf(b, "  %s: ", it->domain);
	count(b, &first, f->distinct[LEAK_EMAIL], "address", "addresses");
	count(b, &first, f->distinct[LEAK_PHONE], "phone number", "phone numbers");
	count(b, &first, f->distinct[LEAK_NAME], "person's name", "people's names");
	count(b, &first, f->distinct[LEAK_ORG], "organisation name", "organisation names");
	count(b, &first, f->documents, "document or file", "documents or files");
	if (first)
		buf_appendf(b, "%llu mentions", (unsigned long long)f->occurrences);
	buf_putc(b, '\n');
	if (f->with_password)
		buf_appendf(b, "    %llu of its mentions in records that also held a password\n",
			    (unsigned long long)f->with_password);
}

static void address_line(struct buf *b, const struct facts_source *f)
{
	const char *kinds[5];
	size_t k = 0;

	if (f->k_password)
		kinds[k++] = "a password";
	if (f->k_name)
		kinds[k++] = "a name";
	if (f->k_phone)
		kinds[k++] = "a phone number";
	if (f->k_mail)
		kinds[k++] = "mail messages";
	if (f->k_document)
		kinds[k++] = "documents";
	buf_appendf(b, "Your address is in it");
	for (size_t i = 0; i < k; i++)
		buf_appendf(b, "%s%s", i == 0 ? ", together with " : i + 1 == k ? " and " : ", ", kinds[i]);
	buf_appendf(b, ".\n");
}

void notify_compose(enum notify_mode mode, const char *source, const char *date, const struct notify_item *items,
		    size_t n, const char *base, struct buf *subject, struct buf *body)
{
	char *name = escape_controls_dup(source); /* the operator's name for it; still one line */
	size_t ndomains = 0;
	bool address = false;

	for (size_t i = 0; i < n; i++) {
		ndomains += items[i].domain != NULL;
		address |= items[i].domain == NULL;
	}
	if (!ndomains)
		buf_appendf(subject, "Your address is in a data leak (%s)", name);
	else if (ndomains == 1 && !address)
		buf_appendf(subject, "Data of %s is in a data leak (%s)", items[0].domain, name);
	else
		buf_appendf(subject, "Data of %zu of your domains%s is in a data leak (%s)", ndomains,
			    address ? " and your address" : "", name);
	buf_appendf(body, "Hello,\n\n");
	if (mode == NOTIFY_OWNER)
		buf_appendf(body, "data that we held was exposed: the leak \"%s\"%s%s. You are told because it holds\n"
				  "data of your organisation:\n\n",
			    name, *date ? ", of " : "", date);
	else
		buf_appendf(body, "leakguard has indexed the data leak \"%s\"%s%s.%s\n\n", name, *date ? ", of " : "",
			    date, ndomains ? " It holds data of:" : "");
	for (size_t i = 0; i < n; i++)
		if (items[i].domain)
			domain_line(body, &items[i]);
	for (size_t i = 0; i < n; i++)
		if (!items[i].domain)
			address_line(body, items[i].f);
	buf_appendf(body, "\nWhat to do now:\n"
			  "  1. Expect phishing that quotes what leaked: mails that name real colleagues,\n"
			  "     partners, invoices or projects, and ask for a payment, a password or a file.\n"
			  "  2. Warn your colleagues%s, so that they check such requests by phone.\n"
			  "  3. Block the senders of such mails and of lookalike domains.\n"
			  "  4. Report every such mail to your IT or security team%s.\n"
			  "  5. Where a password leaked, change it everywhere it was used, and turn on\n"
			  "     two-step sign-in.\n\n",
		    ndomains ? " whose data leaked" : " and those you work with", mode == NOTIFY_OWNER ? ", and to us" : "");
	if (mode == NOTIFY_OWNER) {
		buf_appendf(body, "The details, once you prove control of your domain:\n  %s/domain\n", base);
	} else {
		for (size_t i = 0, k = 0; i < n; i++)
			if (items[i].domain)
				buf_appendf(body, "%s  %s/dashboard/%s\n",
					    k++ ? "" : "The details (on the portal, after you prove control of the domain):\n",
					    base, items[i].domain);
		if (address)
			buf_appendf(body, "Which leaks hold your address, and what leaked with it (the portal mails\n"
					  "you a private link):\n  %s/\n", base);
	}
	lg_free(name);
}

void notify_compose_json(const char *recipient, const char *source, const char *date,
			 const struct notify_item *items, size_t n, const char *base, struct buf *body,
			 char event_id[NOTIFY_EVENT_ID_LEN + 1])
{
	char *key = g_strconcat(recipient, "\n", source, "\nwebhook", NULL), h[TOKEN_HEX], *text;
	json_t *o, *domains = json_array();

	token_hash(key, h);
	g_strlcpy(event_id, h, NOTIFY_EVENT_ID_LEN + 1);
	for (size_t i = 0; i < n; i++) {
		const struct facts_source *f = items[i].f;
		char *url;

		if (!items[i].domain)
			continue;
		url = g_strdup_printf("%s/dashboard/%s", base, items[i].domain);
		json_array_append_new(
			domains, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "domain", items[i].domain, "addresses",
					   (json_int_t)f->distinct[LEAK_EMAIL], "phones", (json_int_t)f->distinct[LEAK_PHONE],
					   "names", (json_int_t)f->distinct[LEAK_NAME], "organisations",
					   (json_int_t)f->distinct[LEAK_ORG], "documents", (json_int_t)f->documents,
					   "with_password", (json_int_t)f->with_password, "details", url));
		g_free(url);
	}
	o = json_pack("{s:s, s:s, s:s?, s:s?, s:o}", "event", event_id, "type", "leak.notice", "source",
		      g_utf8_validate(source, -1, NULL) ? source : NULL, "date", *date ? date : NULL, "domains", domains);
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	buf_append(body, text, strlen(text));
	free(text);
	json_decref(o);
	g_free(key);
}

void notify_compose_footer(enum notify_mode mode, const char *unsub_url, struct buf *body)
{
	if (mode == NOTIFY_OWNER || !unsub_url) {
		buf_appendf(body, "\nThis is a one-time notice about this leak; no list was joined.\n");
		return;
	}
	buf_appendf(body, "\nYou get this because this mailbox subscribed to leak notices on the portal.\n"
			  "To stop them (one click, no login): %s\n",
		    unsub_url);
}

void notify_unsub_token(const uint8_t *secret, size_t slen, const char *recipient, char *out)
{
	char *msg = g_strconcat("unsub:", recipient, NULL);

	token_hmac(secret, slen, msg, out);
	g_free(msg);
}
