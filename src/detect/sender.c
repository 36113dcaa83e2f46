/* sender.c: odd sender handles — the display name claiming a brand, the
 * organisation, a colleague or another address; From, Reply-To and
 * Return-Path in different organisations; free-mail senders posing as a
 * company; machine-made local parts; and executive impersonation: a
 * colleague's name from outside, a colleague's mail whose replies go
 * elsewhere, and the openers CEO fraud starts with (FBI IC3 BEC
 * advisories: "are you at your desk?", a quick favour, gift cards, new
 * bank details). Addresses per RFC 5322 3.4. */
#include <ctype.h>
#include <string.h>

#include "detect/env.h"
#include "detect/lists.h"
#include "mail/domain.h"

/* Words that make a free-mail display name claim to be an organisation. */
static const char *const company_words[] = {
	"support", "helpdesk", "help desk", "service", "services", "team", "security",
	"billing", "payroll", "accounts", "account", "admin", "administrator", "it department",
	"hr", "human resources", "finance", "bank", "customer care", "notification",
	"ceo", "director", "management", "department", "inc", "ltd", "llc", "gmbh", NULL,
};

/* True when the name leads with word: "paypal", "the paypal team",
 * "microsoft account team" — not "lockergnome apple core", where the brand
 * is only part of another name. */
static bool leads_with(const char *name, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(name, "the ", 4) == 0)
		name += 4;
	return strncmp(name, word, n) == 0 && !isalnum((unsigned char)name[n]);
}

/* True when word occurs in s (both case-folded) between word boundaries. */
static bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = s; (p = strstr(p, word)); p++) {
		bool left = p == s || !isalnum((unsigned char)p[-1]);
		bool right = !isalnum((unsigned char)p[n]);

		if (left && right)
			return true;
	}
	return false;
}

static bool from_brand(const struct mail_message *msg, const struct brand *b)
{
	return domain_within(msg->from.domain, b->domain);
}

static void check_name_brand(const struct detect_env *env, const struct mail_message *msg,
			     const char *name, struct signal_list *out)
{
	for (size_t i = 0; i < env->nbrands; i++) {
		const struct brand *b = &env->brands[i];

		if (strlen(b->name) < 3 || !leads_with(name, b->name) || from_brand(msg, b))
			continue;
		/* Mail sent on the organisation's behalf from its own domains is fine. */
		if (env_is_own(env, msg->from.domain))
			continue;
		signal_add(out, SIG_SENDER_NAME_BRAND, 1.0,
			   "The sender's name says '%s' but the mail came from %s, which does not belong to %s.",
			   msg->from.display, msg->from.domain, b->domain);
		return;
	}
}

/* "PayPal <service@paypal.com>" <x@evil.net>: an address in the name. */
static void check_name_address(const struct mail_message *msg, const char *name, struct signal_list *out)
{
	const char *at = strchr(name, '@');
	const char *start, *end;
	char addr[256];

	if (!at)
		return;
	for (start = at; start > name && !isspace((unsigned char)start[-1]) && start[-1] != '<' &&
			 start[-1] != '(' && start[-1] != '"'; start--)
		;
	for (end = at; *end && !isspace((unsigned char)*end) && *end != '>' && *end != ')' && *end != '"'; end++)
		;
	if (end - start >= (long)sizeof(addr) || end - at < 4 || !strchr(at, '.'))
		return;
	memcpy(addr, start, (size_t)(end - start));
	addr[end - start] = '\0';
	if (strcmp(addr, msg->from.addr) == 0)
		return;
	signal_add(out, SIG_SENDER_NAME_ADDRESS, 1.0,
		   "The sender's name shows the address %s, but the mail really came from %s.", addr, msg->from.addr);
}

/* Openers of CEO-fraud scripts, lower case. */
static const char *const bec_openers[] = {
	"are you at your desk", "are you at the office", "are you in the office", "are you available",
	"are you around", "are you busy", "quick favour", "quick favor", "a favour", "a favor",
	"quick request", "quick task", "gift card", "gift cards", "itunes card", "google play card", "steam card",
	"new bank details", "new bank account", "changed banks", "change of bank", "updated bank details",
	"new account details", "direct deposit", "your cell number", "your mobile number", "text me", NULL,
};

const char *sender_bec_opener(const struct mail_message *msg)
{
	const char *body = msg->text_len ? msg->text : msg->html_text ? msg->html_text : "";
	size_t n = strlen(body) < 400 ? strlen(body) : 400;
	char *head, *lower;
	const char *found = NULL;

	/* 400 bytes may end inside a UTF-8 sequence: validate the cut. */
	head = g_strdup_printf("%s\n%.*s", msg->subject, (int)n, body);
	if (!g_utf8_validate(head, -1, NULL)) {
		const char *end;

		g_utf8_validate(head, -1, &end);
		head[end - head] = '\0';
	}
	lower = g_utf8_strdown(head, -1);
	for (int i = 0; bec_openers[i] && !found; i++)
		if (has_word(lower, bec_openers[i]))
			found = bec_openers[i];
	g_free(lower);
	g_free(head);
	return found;
}

/* "jane doe" or "doe jane" (from "Doe, Jane"): names as lists_fold_name
 * writes them. */
static bool same_name(const char *name, const char *staff)
{
	const char *sp = strchr(staff, ' ');
	size_t first, rest;

	if (strcmp(name, staff) == 0)
		return true;
	if (!sp || strchr(sp + 1, ' '))
		return false;
	first = (size_t)(sp - staff);
	rest = strlen(sp + 1);
	return strlen(name) == first + 1 + rest && strncmp(name, sp + 1, rest) == 0 && name[rest] == ' ' &&
	       strncmp(name + rest + 1, staff, first) == 0;
}

/* The colleague whose name (or address, written as the name) the sender
 * shows, or NULL. */
static const struct colleague *named_colleague(const struct detect_env *env, const struct mail_message *msg,
					       const char *name)
{
	char *lower = g_utf8_strdown(msg->from.display, -1);
	const struct colleague *c = NULL;

	for (size_t i = 0; i < env->nstaff && !c; i++)
		if (same_name(name, env->staff[i].name) || strstr(lower, env->staff[i].addr) ||
		    strcmp(msg->from.addr, env->staff[i].addr) == 0)
			c = &env->staff[i];
	g_free(lower);
	return c;
}

/* A colleague's name, or a colleague's address written as the name, on an
 * outside address. Returns true when it fired. */
static bool check_name_colleague(const struct detect_env *env, const struct mail_message *msg,
				 const struct colleague *c, struct signal_list *out)
{
	if (!c || env_is_own(env, msg->from.domain))
		return false;
	signal_add(out, SIG_SENDER_NAME_COLLEAGUE, 1.0,
		   "The sender uses your colleague's name '%s', but writes from %s instead of %s.",
		   msg->from.display, msg->from.addr, c->addr);
	return true;
}

/* From shows a colleague, but Reply-To sends the answer outside: the
 * forged-From variant of CEO fraud. Returns true when it fired. */
static bool check_colleague_replyto(const struct detect_env *env, const struct mail_message *msg,
				    const struct colleague *c, struct signal_list *out)
{
	bool list = mail_header_get(msg, "List-Id") || mail_header_get(msg, "List-Post");

	if (!c || list || !msg->has_reply_to || !*msg->reply_to.addr || env_is_own(env, msg->reply_to.domain) ||
	    strcmp(msg->reply_to.addr, c->addr) == 0)
		return false;
	signal_add(out, SIG_COLLEAGUE_REPLYTO_ELSEWHERE, 1.0,
		   "This mail shows your colleague %s, but your reply would go to %s instead of %s.",
		   *msg->from.display ? msg->from.display : c->addr, msg->reply_to.addr, c->addr);
	return true;
}

static void check_opener(const struct mail_message *msg, const struct colleague *c, struct signal_list *out)
{
	const char *opener = sender_bec_opener(msg);

	if (opener)
		signal_add(out, SIG_IMPERSONATION_OPENER, 1.0,
			   "Someone posing as your colleague %s starts with '%s', the way CEO fraud starts: "
			   "check with them in person or by phone before you do anything.",
			   *msg->from.display ? msg->from.display : c->addr, opener);
}

static void check_freemail(const struct detect_env *env, const struct mail_message *msg,
			   const char *name, struct signal_list *out)
{
	if (!g_hash_table_contains(env->freemail, msg->from.domain))
		return;
	for (int i = 0; company_words[i]; i++) {
		if (!has_word(name, company_words[i]))
			continue;
		signal_add(out, SIG_FREEMAIL_CLAIMS_COMPANY, 1.0,
			   "The sender presents itself as '%s' but writes from a free mail account (%s).",
			   msg->from.display, msg->from.domain);
		return;
	}
}

static void check_organisations(const struct mail_message *msg, const struct detect_facts *f,
				struct signal_list *out)
{
	struct arena *a = msg->arena;

	if (!f->from_registrable)
		return;
	/* Mailing lists point Reply-To at the list: normal, not a diversion. */
	bool list = mail_header_get(msg, "List-Id") || mail_header_get(msg, "List-Post");

	if (msg->has_reply_to && *msg->reply_to.domain && !list &&
	    strcmp(env_org_of(a, msg->reply_to.domain), f->from_registrable) != 0)
		signal_add(out, SIG_REPLYTO_OTHER_ORG, 1.0,
			   "Replies would go to %s, not to the sender's organisation %s.",
			   msg->reply_to.addr, f->from_registrable);
	if (msg->has_return_path && *msg->return_path.domain &&
	    strcmp(env_org_of(a, msg->return_path.domain), f->from_registrable) != 0)
		signal_add(out, SIG_RETURNPATH_OTHER_ORG, 1.0,
			   "The bounce address is at %s, another organisation than the sender's %s.",
			   msg->return_path.domain, f->from_registrable);
}

/* Machine-made local parts: long runs of consonants or letters mixed with
 * many digits ("xkqjzv8841", "a7f3k9q2m"). Human names and roles rarely are.
 * Local parts with separators are left alone: bounce-tracking (VERP)
 * addresses of real newsletters look random but are punctuated. */
static bool looks_random(const char *local)
{
	size_t n = strlen(local), digits = 0, run = 0, max_run = 0, letters = 0;

	if (n < 8 || n > 32 || local[strspn(local, "abcdefghijklmnopqrstuvwxyz0123456789")])
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = local[i];

		if (isdigit((unsigned char)c)) {
			digits++;
			run = 0;
		} else if (isalpha((unsigned char)c)) {
			letters++;
			run = strchr("aeiouy", c) ? 0 : run + 1;
			if (run > max_run)
				max_run = run;
		} else {
			run = 0;
		}
	}
	if (max_run >= 6)
		return true;
	/* six or more letters and not one vowel, mixed with digits: "qpzr77xkw3" */
	if (letters >= 6 && digits > 0 && strcspn(local, "aeiouy") == n)
		return true;
	/* letters and digits interleaved, e.g. "k3j9x2p7" */
	return letters >= 4 && digits >= 4 && digits * 4 >= n;
}

void detect_sender(const struct detect_env *env, const struct mail_message *msg,
		   const struct detect_facts *facts, struct signal_list *out)
{
	const struct colleague *colleague;
	bool posing;
	char *name;

	if (!msg->has_from)
		return;
	name = g_utf8_strdown(msg->from.display, -1);
	check_name_address(msg, name, out);
	g_free(name);
	name = lists_fold_name(msg->from.display);
	colleague = named_colleague(env, msg, name);
	posing = check_name_colleague(env, msg, colleague, out);
	posing |= check_colleague_replyto(env, msg, colleague, out);
	if (posing)
		check_opener(msg, colleague, out);
	if (*name) {
		check_name_brand(env, msg, name, out);
		check_freemail(env, msg, name, out);
	}
	g_free(name);
	check_organisations(msg, facts, out);
	if (looks_random(msg->from.local))
		signal_add(out, SIG_RANDOM_LOCALPART, 1.0,
			   "The sender's address (%s) looks machine-generated, not like a person or a team.",
			   msg->from.addr);
}
