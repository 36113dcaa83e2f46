/* people.c: see people.h. */
#include <string.h>

#include <glib.h>

#include "context/extract.h"
#include "context/people.h"
#include "mail/domain.h"

#define MAX_QUOTE_LINE 998 /* RFC 5322 line limit; longer lines are not header quotes */

bool ctx_is_own(const char *domain, const char *const *own, size_t nown)
{
	for (size_t i = 0; i < nown; i++)
		if (*domain && domain_within(domain, own[i]))
			return true;
	return false;
}

/* The address part of a quoted "From:" value: Outlook writes
 * "Name [mailto:a@b]" and "Name <a@b>"; the rest is RFC 5322. */
static size_t quoted_from(struct arena *a, const char *v, size_t n, struct mail_address *out, size_t max)
{
	char line[MAX_QUOTE_LINE + 1];
	char *mailto;

	memcpy(line, v, n);
	line[n] = '\0';
	mailto = strstr(line, "[mailto:");
	if (mailto) {
		char *end;

		mailto[0] = '<';
		memmove(mailto + 1, mailto + 8, strlen(mailto + 8) + 1);
		end = strchr(mailto, ']');
		if (end)
			*end = '>';
	}
	return mail_address_list(a, line, out, max);
}

/* "On Mon, 3 Oct 2022, Jane Doe <jane@x.com> wrote:" */
static size_t wrote_line(struct arena *a, const char *l, size_t n, struct mail_address *out, size_t max)
{
	const char *lt = memchr(l, '<', n), *gt = lt ? memchr(lt, '>', (size_t)(l + n - lt)) : NULL;
	char addr[256];

	if (n < 10 || g_ascii_strncasecmp(l, "On ", 3) != 0 || !lt || !gt || (size_t)(gt - lt) + 2 > sizeof(addr))
		return 0;
	if (!g_strstr_len(gt, (gssize)(l + n - gt), "wrote"))
		return 0;
	memcpy(addr, lt, (size_t)(gt - lt) + 1);
	addr[gt - lt + 1] = '\0';
	return mail_address_list(a, addr, out, max);
}

size_t ctx_quoted_people(struct arena *a, const char *text, size_t n, struct mail_address *out, size_t max,
			 bool *quoted)
{
	size_t k = 0, i = 0;

	*quoted = false;
	if (n > CTX_MAX_SCAN)
		n = CTX_MAX_SCAN;
	while (i < n && k < max) {
		const char *nl = memchr(text + i, '\n', n - i), *l = text + i;
		size_t len = nl ? (size_t)(nl - l) : n - i;

		i += len + 1;
		while (len && (*l == '>' || *l == ' ' || *l == '\t')) {
			*quoted |= *l == '>';
			l++;
			len--;
		}
		if (len > 5 && len <= MAX_QUOTE_LINE && (g_ascii_strncasecmp(l, "From:", 5) == 0 ||
							 g_ascii_strncasecmp(l, "Von:", 4) == 0)) {
			size_t skip = l[0] == 'V' || l[0] == 'v' ? 4 : 5;
			size_t got = quoted_from(a, l + skip, len - skip, out + k, max - k);

			k += got;
			*quoted |= got > 0;
		} else if (len <= MAX_QUOTE_LINE) {
			size_t got = wrote_line(a, l, len, out + k, max - k);

			k += got;
			*quoted |= got > 0;
		}
	}
	return k;
}

static enum lg_status note_person(struct history *h, const struct mail_address *p, int64_t now, struct errbuf *err)
{
	struct arena *a = arena_new();
	const char *reg = domain_registrable(a, p->domain);
	char name[CTX_MAX_NORM + 1];
	enum lg_status rc = history_note(h, HIST_ADDR, p->addr, 0, NULL, now, err);

	if (!rc)
		rc = history_note(h, HIST_DOMAIN, reg ? reg : p->domain, 0, reg ? reg : p->domain, now, err);
	if (!rc && *p->display && ctx_words_norm(p->display, strlen(p->display), name) >= 3 &&
	    !strchr(p->display, '@'))
		rc = history_note(h, HIST_NAME, name, history_hash(h, HIST_ADDR, p->addr), NULL, now, err);
	arena_free(&a);
	return rc;
}

/* Outside To and Cc of an archived message from an own domain. */
static enum lg_status note_header_recipients(struct history *h, const struct mail_message *msg,
					     const char *const *own, size_t nown, int64_t now, struct errbuf *err)
{
	static const char *const fields[] = {"To", "Cc"};
	struct mail_address people[CTX_MAX_PEOPLE];
	enum lg_status rc = LG_OK;

	for (size_t f = 0; f < G_N_ELEMENTS(fields) && !rc; f++) {
		size_t n = mail_address_list(msg->arena, mail_header_get(msg, fields[f]), people, CTX_MAX_PEOPLE);

		for (size_t i = 0; i < n && !rc; i++)
			if (*people[i].domain && !ctx_is_own(people[i].domain, own, nown))
				rc = note_person(h, &people[i], now, err);
	}
	return rc;
}

/* Outside envelope recipients the MTA recorded: address and domain only
 * (the display name in To is the sender's text). */
static enum lg_status note_envelope_recipients(struct history *h, const struct mail_message *msg,
					       const struct hist_facts *f, const char *const *own, size_t nown,
					       int64_t now, struct errbuf *err)
{
	enum lg_status rc = LG_OK;

	for (size_t i = 0; f && i < f->nrcpts && !rc; i++) {
		struct mail_address a;

		if (!f->rcpts[i] || mail_address_list(msg->arena, f->rcpts[i], &a, 1) != 1 || !*a.domain ||
		    ctx_is_own(a.domain, own, nown))
			continue;
		a.display = "";
		rc = note_person(h, &a, now, err);
	}
	return rc;
}

/* Counts today for the outside sender's domain; true when the domain is
 * known (the organisation wrote to it before, or this is its
 * HIST_VOUCHED_DAYS-th separate day). */
static bool vouched_enough(struct history *h, const char *domain, int64_t now, enum lg_status *rc,
			   struct errbuf *err)
{
	struct hist_entry e;
	int64_t today = now - now % 86400, days = 0;

	*rc = LG_OK;
	if (history_get(h, HIST_DOMAIN, domain, &e))
		return true;
	if (history_get(h, HIST_VOUCHED, domain, &e)) {
		days = e.count;
		if (e.last >= today)
			return false; /* today counted already */
	}
	*rc = history_note(h, HIST_VOUCHED, domain, 0, NULL, today, err);
	return !*rc && days + 1 >= HIST_VOUCHED_DAYS;
}

enum lg_status history_learn(struct history *h, const struct mail_message *msg, const struct hist_facts *facts,
			     const char *const *own, size_t nown, int64_t now, struct errbuf *err)
{
	char subject[CTX_MAX_NORM + 1];
	bool reply, archive = facts && facts->archive;
	enum lg_status rc = LG_OK;

	if (!msg->has_from || !*msg->from.domain)
		return LG_OK;
	if (ctx_is_own(msg->from.domain, own, nown)) {
		rc = archive ? note_header_recipients(h, msg, own, nown, now, err)
			     : note_envelope_recipients(h, msg, facts, own, nown, now, err);
		/* Only staff's own Message-ID and subject are learnt from an
		 * outgoing message whose envelope says who it went to. */
		if (!archive && (!facts || !facts->nrcpts))
			return rc;
	} else {
		struct arena *a = arena_new();
		const char *reg = domain_registrable(a, msg->from.domain);
		bool known = archive || vouched_enough(h, reg ? reg : msg->from.domain, now, &rc, err);

		arena_free(&a);
		if (rc || !known)
			return rc;
		rc = note_person(h, &msg->from, now, err);
	}
	if (!rc && msg->message_id && *msg->message_id)
		rc = history_note(h, HIST_MSGID, msg->message_id, 0, NULL, now, err);
	if (!rc && ctx_subject_norm(msg->subject, &reply, subject) >= 6)
		rc = history_note(h, HIST_THREAD, subject, 0, NULL, now, err);
	return rc;
}
