/* plan.c: see plan.h. */
#include <string.h>
#include <strings.h>

#include "milter/notice.h"
#include "milter/plan.h"

/* "NAME=7.00, NAME=1.50", or "none": names and weights only, ASCII by
 * construction. */
static const char *signals_header(struct arena *a, const struct verdict *v)
{
	struct buf b;
	const char *s;

	buf_init(&b);
	for (size_t i = 0; i < v->signals.n && i < PLAN_HEADER_SIGNALS; i++)
		buf_appendf(&b, "%s%s=%.2f", i ? ", " : "", signal_name(v->signals.items[i].id),
			    v->signals.items[i].score);
	s = b.len ? arena_strndup(a, b.data, b.len) : "none";
	buf_cleanup(&b);
	return s;
}

static const char *log_signals(struct arena *a, const struct verdict *v)
{
	const char *s = "";

	for (size_t i = 0; i < v->signals.n && i < PLAN_LOG_SIGNALS; i++)
		s = arena_printf(a, "%s%s%s", s, i ? "," : "", signal_name(v->signals.items[i].id));
	return *s ? s : "-";
}

/* The strongest signal that made the verdict: a phishing one for phishing. */
static const struct signal *main_signal(const struct verdict *v)
{
	for (size_t i = 0; i < v->signals.n; i++)
		if (v->kind != VERDICT_PHISHING || signal_class_of(v->signals.items[i].id) == SIGNAL_PHISH)
			return &v->signals.items[i];
	return v->signals.n ? &v->signals.items[0] : NULL;
}

/* Short enough for one SMTP reply line, and fixed text only: nothing from
 * the message is echoed back to its sender. */
static const char *reject_text(struct arena *a, const struct verdict *v)
{
	const struct signal *s = main_signal(v);

	return arena_printf(a, "Message refused as %s by leakguard%s%s", verdict_kind_name(v->kind),
			    s ? ": " : "", s ? signal_description(s->id) : "");
}

static const char *hold_reason(struct arena *a, const struct verdict *v, const char *names)
{
	return arena_printf(a, "leakguard: %s (score %.2f): %s", verdict_kind_name(v->kind), v->score, names);
}

static const char *tagged_subject(struct arena *a, const char *tag, const char *subject)
{
	size_t n = strlen(tag);

	if (!n)
		return NULL;
	if (!subject)
		return arena_strdup(a, tag);
	while (*subject == ' ' || *subject == '\t')
		subject++;
	if (strncasecmp(subject, tag, n) == 0)
		return NULL; /* tagged already, by us on an earlier hop */
	return arena_printf(a, "%s %s", tag, subject);
}

static void add_banner(const struct milter_settings *s, const char *raw, size_t len, struct plan *p)
{
	struct banner b;

	notice_build(p->msg->arena, &p->verdict, s->report_address, &b);
	p->banner_status = banner_insert(raw, len, &b, &p->body, &p->banner);
	p->replace_body = p->banner_status == LG_OK;
}

enum lg_status plan_build(const struct engine *e, const struct milter_settings *s, const char *raw, size_t len,
			  const char *subject, struct plan *out)
{
	return plan_build_verified(e, s, NULL, raw, len, subject, out);
}

enum lg_status plan_build_verified(const struct engine *e, const struct milter_settings *s,
				   const struct auth_smtp *smtp, const char *raw, size_t len, const char *subject,
				   struct plan *out)
{
	struct arena *a;
	struct verdict *v = &out->verdict;

	memset(out, 0, sizeof(*out));
	buf_init(&out->body);
	out->banner_status = LG_ENOTFOUND;
	out->msg = mail_message_parse(raw, len);
	if (out->msg->defects & MAIL_DEFECT_NO_HEADERS)
		return LG_EPARSE;
	if (s->verifier && smtp) {
		struct auth_smtp hop = *smtp;

		/* A client among [relays] trusted (a content filter re-injecting,
		 * an inner hop) is not the sender, and libspf2 passes 127.0.0.1
		 * whatever the record says: SPF is then checked for the first
		 * hop from outside, as our relays recorded it. */
		if (smtp->client_ip && engine_is_trusted_relay(e, smtp->client_ip)) {
			auth_smtp_from_headers(e, out->msg, &hop);
			hop.mail_from = smtp->mail_from;
			hop.auth_user = smtp->auth_user;
		}
		auth_check_message(s->verifier, e, out->msg, raw, len, &hop, v, &out->auth_results);
	} else
		engine_check(e, out->msg, v);
	a = out->msg->arena;
	out->verdict_header = verdict_kind_name(v->kind);
	out->score_header = arena_printf(a, "%.2f", v->score);
	out->signals_header = signals_header(a, v);
	out->log_signals = log_signals(a, v);
	switch (v->action) {
	case ACTION_REJECT:
		out->disposition = PLAN_REJECT;
		out->reason = reject_text(a, v);
		return LG_OK;
	case ACTION_QUARANTINE:
		out->disposition = PLAN_QUARANTINE;
		out->reason = hold_reason(a, v, out->log_signals);
		/* A held message that is released still warns. */
		/* fall through */
	case ACTION_TAG:
		out->subject = tagged_subject(a, s->subject_tag, subject);
		if (s->banner)
			add_banner(s, raw, len, out);
		break;
	case ACTION_NONE:
		break;
	}
	return LG_OK;
}

void plan_cleanup(struct plan *p)
{
	buf_cleanup(&p->body);
	mail_message_free(&p->msg);
}
