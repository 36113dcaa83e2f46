/* record.c: see record.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <jansson.h>

#include "mail/domain.h"
#include "mail/received.h"
#include "report/fingerprint.h"
#include "report/mailer.h"
#include "report/record.h"
#include "report/stamp.h"
#include "report/vouch.h"

static char *signals_json(const struct verdict *v)
{
	json_t *arr = json_array();
	char *s;

	for (size_t i = 0; i < v->signals.n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(signal_name(v->signals.items[i].id)));
		json_object_set_new(o, "score", json_real(v->signals.items[i].score));
		json_object_set_new(o, "reason", json_string(v->signals.items[i].reason));
		json_array_append_new(arr, o);
	}
	s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

/* Blocks kind/value, or queues it for review (why_not says why) when
 * why_not is not NULL. */
static enum lg_status block_or_review(struct report_context *ctx, const char *kind, const char *value,
				      const char *why_not, int64_t reporters, int slot, struct report_outcome *out,
				      struct errbuf *err)
{
	char why[512];
	struct block_row b = {kind, value, why_not ? "review" : "active", "auto", why, (int64_t)time(NULL)};

	snprintf(why, sizeof(why), "reported as phishing by %lld colleagues%s%s", (long long)reporters,
		 why_not ? "; not blocked automatically: " : "", why_not ? why_not : "");
	snprintf(why_not ? out->review[slot] : out->blocked[slot], sizeof(out->blocked[slot]), "%s %s", kind, value);
	return report_store_block(ctx->store, &b, err);
}

/* The domain is blocked only when the message provably came from it (a
 * forged From would block an innocent domain for the attacker), the IP
 * only when it is the milter's signed word and the sender is
 * authenticated; everything else goes to review with the reason. */
static enum lg_status apply_policy(struct report_context *ctx, const struct mail_message *msg,
				   const struct recorded_ip *ip, struct report_outcome *out, struct errbuf *err)
{
	const char *domain = msg->from.domain;
	int64_t need = (int64_t)ctx->cfg->report_auto_block;
	char auth_why[300], ip_why[400];
	const char *domain_no = NULL, *ip_no = NULL;
	enum lg_status rc = LG_OK;

	if (need <= 0 || out->reporters < need)
		return LG_OK;
	/* The servers of a protected or free-mail domain serve everyone
	 * else at that domain too: their IP goes to review with the domain. */
	if (*domain && engine_never_block_domain(ctx->engine, domain))
		domain_no = "a protected, own or free-mail domain";
	else if (!report_vouch_sender_authenticated(ctx->cfg, msg, auth_why, sizeof(auth_why)))
		domain_no = auth_why;
	if (*domain)
		rc = block_or_review(ctx, "domain", domain, domain_no, out->reporters, 0, out, err);
	if (rc || !*ip->ip)
		return rc;
	if (engine_is_trusted_relay(ctx->engine, ip->ip))
		ip_no = "one of [relays] trusted";
	else if (domain_no) {
		snprintf(ip_why, sizeof(ip_why), "the sender is not authenticated (%s)", domain_no);
		ip_no = ip_why;
	} else if (!ip->stamped)
		ip_no = "read from Received headers, not stamped by leakguard's milter when the message arrived";
	return block_or_review(ctx, "ip", ip->ip, ip_no, out->reporters, 1, out, err);
}

/* Sends the alert to the recipients in to (n of them); signed only when
 * key is not NULL. */
static void send_alert(struct report_context *ctx, const struct mail_message *msg, const struct verdict *v,
		       const char *const *to, size_t n, const unsigned char *key, struct report_outcome *out)
{
	struct buf text;
	struct errbuf send_err = {""};

	if (!n)
		return;
	buf_init(&text);
	mailer_compose_alert(&text, ctx->cfg->report_from, to, n, msg, v, out->reporters, out->campaign, key,
			     key ? REPORT_KEY_LEN : 0);
	if (mailer_send(ctx->cfg->report_smtp, ctx->cfg->report_from, to, n, &text, &send_err))
		g_strlcpy(out->alert_error, send_err.msg, sizeof(out->alert_error));
	buf_cleanup(&text);
}

/* Alerts [report] alert_to once per campaign. Colleagues at an own domain
 * get a signed mark (a report of the alert is then refused); outside
 * recipients (an MSSP, say) get the same words unsigned, so no mark that
 * could be replayed leaves the organisation. */
static void alert(struct report_context *ctx, const struct mail_message *msg, const struct verdict *v,
		  const unsigned char *key, struct report_outcome *out, struct errbuf *err)
{
	const struct config_list *to = &ctx->cfg->report_alert_to;
	const char **inside, **outside;
	size_t nin = 0, nout = 0;
	bool first = false;

	if (!to->n || report_store_mark_alerted(ctx->store, out->campaign, &first, err) || !first)
		return;
	out->alerted = true;
	if (!ctx->send_mail)
		return;
	if (!key) {
		g_strlcpy(out->alert_error, "the store has no alert key", sizeof(out->alert_error));
		return;
	}
	inside = g_new0(const char *, to->n);
	outside = g_new0(const char *, to->n);
	for (size_t i = 0; i < to->n; i++) {
		if (report_vouch_own_address(ctx->cfg, to->items[i]))
			inside[nin++] = to->items[i];
		else
			outside[nout++] = to->items[i];
	}
	send_alert(ctx, msg, v, inside, nin, key, out);
	send_alert(ctx, msg, v, outside, nout, NULL, out);
	g_free(inside);
	g_free(outside);
}

static enum lg_status file_report(struct report_context *ctx, const struct mail_message *msg,
				  const struct verdict *v, const char *reporter, const struct recorded_ip *ip,
				  struct report_outcome *out, struct errbuf *err)
{
	struct fingerprint fp;
	struct report_match m;
	char *summary = signals_json(v);
	struct report_row row = {0};
	int64_t reports;
	enum lg_status rc;

	fingerprint_of_message(msg, &fp);
	out->new_campaign = !report_index_best(ctx->index, &fp, ctx->cfg->report_similarity, &m);
	out->similarity = out->new_campaign ? 1.0 : m.similarity;
	row = (struct report_row){
		.at = (int64_t)time(NULL), .campaign = out->new_campaign ? 0 : m.campaign,
		.similarity = out->similarity, .reporter = reporter, .sender = msg->from.addr,
		.sender_domain = msg->from.domain, .sender_ip = *ip->ip ? ip->ip : NULL, .subject = msg->subject, .summary = summary,
		.fingerprint = &fp, .fingerprint_len = sizeof(fp),
	};
	rc = report_store_add(ctx->store, &row, &out->id, err);
	free(summary);
	if (rc)
		return rc;
	out->campaign = out->new_campaign ? out->id : m.campaign;
	report_index_add(ctx->index, out->id, out->campaign, row.at, &fp);
	return report_store_campaign(ctx->store, out->campaign, &out->reporters, &reports, err);
}

void report_recorded_ip(const struct engine *e, const struct mail_message *msg, const unsigned char *key,
			size_t keylen, struct recorded_ip *out)
{
	const char *msgid = mail_header_get(msg, "Message-ID"), *date = mail_header_get(msg, "Date");

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; key && i < msg->nheaders; i++)
		if (g_ascii_strcasecmp(msg->headers[i].name, REPORT_STAMP) == 0 &&
		    report_stamp_read(key, keylen, msg->headers[i].value, msgid, date, out->ip, sizeof(out->ip))) {
			out->stamped = true;
			return;
		}
	for (size_t i = 0; i < msg->nheaders; i++) {
		if (g_ascii_strcasecmp(msg->headers[i].name, "Received") != 0)
			continue;
		/* A hop that names no address breaks the chain: whoever wrote
		 * the headers below it is unknown, so none of them counts. */
		if (!received_from_ip(msg->headers[i].value, out->ip, sizeof(out->ip)))
			break;
		if (!engine_is_trusted_relay(e, out->ip))
			return;
	}
	out->ip[0] = '\0';
}

/* True when msg carries a mark signed with the store's key: one of
 * leakguard's own alerts. An unsigned or wrongly signed mark is an
 * outsider's and means nothing. */
static bool own_alert(const struct mail_message *msg, const unsigned char *key)
{
	const char *mark = mail_header_get(msg, MAILER_MARK);

	return mark && key &&
	       mailer_mark_valid(key, REPORT_KEY_LEN, mail_header_get(msg, "Message-ID"), mail_header_get(msg, "Date"),
				 mark);
}

enum lg_status report_record(struct report_context *ctx, const char *raw, size_t len, const char *reporter,
			     struct report_outcome *out, struct errbuf *err)
{
	struct mail_message *msg = mail_message_parse(raw, len);
	unsigned char keybuf[REPORT_KEY_LEN];
	const unsigned char *key = NULL;
	struct errbuf ignored = {""};
	struct verdict v;
	struct recorded_ip ip;
	char who[320];
	enum lg_status rc;

	memset(out, 0, sizeof(*out));
	/* One mailbox is one reporter, however its address is spelt. */
	report_vouch_canonical(reporter, who, sizeof(who));
	if (msg->defects & MAIL_DEFECT_NO_HEADERS) {
		mail_message_free(&msg);
		return errbuf_set(err, LG_EPARSE, "the reported content is not a mail message");
	}
	if (!report_store_alert_key(ctx->store, keybuf, &ignored))
		key = keybuf;
	if (own_alert(msg, key)) {
		mail_message_free(&msg);
		return errbuf_set(err, LG_EPARSE, "the reported message is one of leakguard's own alerts (a report of a report)");
	}
	engine_check(ctx->engine, msg, &v);
	g_strlcpy(out->verdict, verdict_kind_name(v.kind), sizeof(out->verdict));
	report_recorded_ip(ctx->engine, msg, key, REPORT_KEY_LEN, &ip);
	rc = file_report(ctx, msg, &v, *who ? who : reporter, &ip, out, err);
	if (!rc)
		rc = apply_policy(ctx, msg, &ip, out, err);
	if (!rc)
		alert(ctx, msg, &v, key, out, err);
	mail_message_free(&msg);
	return rc;
}
