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

/* Blocks kind/value, or queues it for review when policy forbids. */
static enum lg_status block_or_review(struct report_context *ctx, const char *kind, const char *value,
				      bool allowed, int64_t reporters, int slot, struct report_outcome *out,
				      struct errbuf *err)
{
	char why[160];
	struct block_row b = {kind, value, allowed ? "active" : "review", "auto", why, (int64_t)time(NULL)};

	snprintf(why, sizeof(why), "reported as phishing by %lld colleagues", (long long)reporters);
	snprintf(allowed ? out->blocked[slot] : out->review[slot], sizeof(out->blocked[slot]), "%s %s", kind, value);
	return report_store_block(ctx->store, &b, err);
}

static enum lg_status apply_policy(struct report_context *ctx, const struct mail_message *msg, const char *ip,
				   struct report_outcome *out, struct errbuf *err)
{
	const char *domain = msg->from.domain;
	int64_t need = (int64_t)ctx->cfg->report_auto_block;
	/* The servers of a protected or free-mail domain serve everyone
	 * else at that domain too: their IP goes to review with the domain. */
	bool domain_ok = *domain && !engine_never_block_domain(ctx->engine, domain);
	enum lg_status rc = LG_OK;

	if (need <= 0 || out->reporters < need)
		return LG_OK;
	if (*domain)
		rc = block_or_review(ctx, "domain", domain, domain_ok, out->reporters, 0, out, err);
	if (!rc && ip)
		rc = block_or_review(ctx, "ip", ip, domain_ok && !engine_is_trusted_relay(ctx->engine, ip),
				     out->reporters, 1, out, err);
	return rc;
}

static void alert(struct report_context *ctx, const struct mail_message *msg, const struct verdict *v,
		  struct report_outcome *out, struct errbuf *err)
{
	const struct config_list *to = &ctx->cfg->report_alert_to;
	struct buf text;
	bool first = false;
	struct errbuf send_err = {""};

	unsigned char key[REPORT_KEY_LEN];

	if (!to->n || report_store_mark_alerted(ctx->store, out->campaign, &first, err) || !first)
		return;
	out->alerted = true;
	if (!ctx->send_mail)
		return;
	if (report_store_alert_key(ctx->store, key, &send_err)) {
		g_strlcpy(out->alert_error, send_err.msg, sizeof(out->alert_error));
		return;
	}
	buf_init(&text);
	mailer_compose_alert(&text, ctx->cfg->report_from, (const char *const *)to->items, to->n, msg, v,
			     out->reporters, out->campaign, key, sizeof(key));
	if (mailer_send(ctx->cfg->report_smtp, ctx->cfg->report_from, (const char *const *)to->items, to->n,
			&text, &send_err))
		g_strlcpy(out->alert_error, send_err.msg, sizeof(out->alert_error));
	buf_cleanup(&text);
}

static enum lg_status file_report(struct report_context *ctx, const struct mail_message *msg,
				  const struct verdict *v, const char *reporter, const char *ip,
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
		.sender_domain = msg->from.domain, .sender_ip = ip, .subject = msg->subject, .summary = summary,
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

const char *report_recorded_ip(const struct engine *e, const struct mail_message *msg)
{
	char ip[64];

	for (size_t i = 0; i < msg->nheaders; i++) {
		if (g_ascii_strcasecmp(msg->headers[i].name, "Received") != 0)
			continue;
		/* A hop that names no address breaks the chain: whoever wrote
		 * the headers below it is unknown, so none of them counts. */
		if (!received_from_ip(msg->headers[i].value, ip, sizeof(ip)))
			return NULL;
		if (!engine_is_trusted_relay(e, ip))
			return arena_strdup(msg->arena, ip);
	}
	return NULL;
}

/* True when msg carries a mark signed with the store's key: one of
 * leakguard's own alerts. An unsigned or wrongly signed mark is an
 * outsider's and means nothing. */
static bool own_alert(struct report_context *ctx, const struct mail_message *msg)
{
	const char *mark = mail_header_get(msg, MAILER_MARK);
	unsigned char key[REPORT_KEY_LEN];
	struct errbuf ignored = {""};

	if (!mark || report_store_alert_key(ctx->store, key, &ignored))
		return false;
	return mailer_mark_valid(key, sizeof(key), mail_header_get(msg, "Message-ID"), mark);
}

enum lg_status report_record(struct report_context *ctx, const char *raw, size_t len, const char *reporter,
			     struct report_outcome *out, struct errbuf *err)
{
	struct mail_message *msg = mail_message_parse(raw, len);
	struct verdict v;
	const char *ip;
	enum lg_status rc;

	memset(out, 0, sizeof(*out));
	if (msg->defects & MAIL_DEFECT_NO_HEADERS) {
		mail_message_free(&msg);
		return errbuf_set(err, LG_EPARSE, "the reported content is not a mail message");
	}
	if (own_alert(ctx, msg)) {
		mail_message_free(&msg);
		return errbuf_set(err, LG_EPARSE, "the reported message is one of leakguard's own alerts (a report of a report)");
	}
	engine_check(ctx->engine, msg, &v);
	g_strlcpy(out->verdict, verdict_kind_name(v.kind), sizeof(out->verdict));
	ip = report_recorded_ip(ctx->engine, msg);
	rc = file_report(ctx, msg, &v, reporter, ip, out, err);
	if (!rc)
		rc = apply_policy(ctx, msg, ip, out, err);
	if (!rc)
		alert(ctx, msg, &v, out, err);
	mail_message_free(&msg);
	return rc;
}
