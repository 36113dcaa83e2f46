/* reporting.c: see reporting.h. The report index used to file reports
 * under campaigns is kept for the whole process and brought up to date
 * incrementally: loaded once when a runtime is built (at start-up and on
 * reload, on the signal thread, never in a libmilter callback), then each
 * report reads only the rows added since (report_index_catch_up), under a
 * lock that serialises reports (they are rare; ordinary mail never waits
 * on it). Only when the index could not be loaded at reload (the store
 * unreadable then), or a message still runs under the rules of a store
 * just renamed, does one report read every row. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "milter/reporting.h"
#include "report/index.h"
#include "report/mailer.h"
#include "report/original.h"
#include "report/record.h"
#include "store/store.h"
#include "util/log.h"

static struct {
	pthread_mutex_t lock;
	char *path;               /* the store the index was loaded from */
	struct report_index *idx; /* NULL until prepared */
} shared = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL};

/* "<Jane.Doe@Example.com>" -> "jane.doe@example.com" in out. */
static void bare_address(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s && n + 1 < size; s++)
		if (*s != '<' && *s != '>' && *s != ' ')
			out[n++] = g_ascii_tolower(*s);
	out[n] = '\0';
}

bool reporting_is_report_address(const struct runtime *rt, const char *rcpt)
{
	const char *addr = runtime_settings(rt)->report_address;
	char a[320], b[320];

	if (!addr || !rcpt)
		return false;
	bare_address(addr, a, sizeof(a));
	bare_address(rcpt, b, sizeof(b));
	return *a && strcmp(a, b) == 0;
}

void reporting_prepare(const struct config *cfg)
{
	char *path = store_path(cfg);
	struct report_index *idx = NULL, *old = NULL;
	struct errbuf err = {""};
	bool current;

	pthread_mutex_lock(&shared.lock);
	current = shared.idx && shared.path && strcmp(shared.path, path) == 0;
	pthread_mutex_unlock(&shared.lock);
	if (current) {
		g_free(path);
		return; /* each report catches up by itself */
	}
	if (report_index_load(path, &idx, &err)) {
		log_warn("milter: report index not loaded (reports start a new one): %s", err.msg);
		idx = report_index_new();
	}
	pthread_mutex_lock(&shared.lock);
	old = shared.idx;
	g_free(shared.path);
	shared.idx = idx;
	shared.path = path;
	pthread_mutex_unlock(&shared.lock);
	report_index_free(&old);
}

void reporting_cleanup(void)
{
	pthread_mutex_lock(&shared.lock);
	report_index_free(&shared.idx);
	g_free(shared.path);
	shared.path = NULL;
	pthread_mutex_unlock(&shared.lock);
}

static void thank(const struct config *cfg, const char *to, bool found, const char *problem,
		  const unsigned char *key)
{
	struct buf text;
	struct errbuf err = {""};

	if (!*to)
		return; /* nobody to answer */
	/* The reply goes to the vouched identity, an own address
	 * (report/vouch.h); a signed mark never leaves the organisation. */
	if (!report_vouch_own_address(cfg, to))
		key = NULL;
	buf_init(&text);
	mailer_compose_thanks(&text, cfg->report_from, to, found, problem, key, key ? REPORT_KEY_LEN : 0);
	if (mailer_send(cfg->report_smtp, cfg->report_from, &to, 1, &text, &err))
		log_warn("milter: reply to reporter %s not sent: %s", to, err.msg);
	buf_cleanup(&text);
}

/* Records orig under the shared index, brought up to date first. */
static enum lg_status record_locked(struct report_context *ctx, const char *path, const char *orig, size_t olen,
				    const char *reporter, struct report_outcome *o, struct errbuf *err)
{
	enum lg_status rc;

	if (!shared.idx || !shared.path || strcmp(shared.path, path) != 0) {
		/* Not prepared for this store (it could not be read at reload):
		 * start from an empty index and catch up below. */
		report_index_free(&shared.idx);
		g_free(shared.path);
		shared.idx = report_index_new();
		shared.path = g_strdup(path);
	}
	rc = report_index_catch_up(shared.idx, ctx->store, err);
	ctx->index = shared.idx;
	if (!rc)
		rc = report_record(ctx, orig, olen, reporter, o, err);
	ctx->index = NULL;
	return rc;
}

static enum reporting_result record(const struct runtime *rt, const struct report_vouch *who, const char *orig,
				    size_t olen, char *note, size_t note_size)
{
	const struct config *cfg = runtime_config(rt);
	char *path = store_path(cfg);
	struct report_context ctx = {.engine = runtime_engine(rt), .cfg = cfg, .send_mail = true};
	struct report_outcome o;
	struct errbuf err = {""};
	unsigned char key[REPORT_KEY_LEN];
	bool have_key = false;
	enum lg_status rc = report_store_open(path, &ctx.store, &err);
	enum reporting_result result = REPORTING_RECORDED;

	if (!rc) {
		pthread_mutex_lock(&shared.lock);
		rc = record_locked(&ctx, path, orig, olen, who->identity, &o, &err);
		pthread_mutex_unlock(&shared.lock);
		have_key = report_store_alert_key(ctx.store, key, &(struct errbuf){""}) == LG_OK;
	}
	if (rc == LG_EPARSE) {
		snprintf(note, note_size, "report by %s (%s) refused: %s", who->identity,
			 report_vouch_kind_name(who->kind), err.msg);
		thank(cfg, who->reply_to, false, err.msg, have_key ? key : NULL);
		result = REPORTING_REFUSED;
	} else if (rc) {
		snprintf(note, note_size, "report not recorded, delivered instead: %s", err.msg);
		result = REPORTING_FAILED;
	} else {
		snprintf(note, note_size, "report %lld by %s (%s), campaign %lld, %lld reporter%s%s%s%s%s",
			 (long long)o.id, who->identity, report_vouch_kind_name(who->kind), (long long)o.campaign,
			 (long long)o.reporters, o.reporters == 1 ? "" : "s", *o.blocked[0] ? ", blocked " : "",
			 o.blocked[0], o.alerted ? ", alert sent" : "", *o.alert_error ? " (alert failed)" : "");
		thank(cfg, who->reply_to, true, NULL, have_key ? key : NULL);
	}
	report_store_close(&ctx.store);
	g_free(path);
	return result;
}

enum reporting_result reporting_take(const struct runtime *rt, const struct vouch_facts *facts, const char *raw,
				     size_t len, char *note, size_t note_size)
{
	struct mail_message *msg = mail_message_parse(raw, len);
	struct report_vouch who;
	char *orig = NULL;
	size_t olen = 0;
	enum reporting_result result;

	report_vouch_staff(runtime_engine(rt), runtime_config(rt), facts, msg, &who);
	mail_message_free(&msg);
	if (who.kind == REPORT_VOUCH_NONE) {
		/* Anyone can write to the report address: without a staff proof
		 * it is ordinary mail, scored and delivered, and nobody is
		 * written to (the sender may be forged). */
		snprintf(note, note_size, "to the report address, not from staff: ordinary mail");
		return REPORTING_NOT_STAFF;
	}
	if (!report_find_original(raw, len, &orig, &olen)) {
		snprintf(note, note_size, "report by %s refused: no original message inside", who.identity);
		thank(runtime_config(rt), who.reply_to, false, NULL, NULL);
		return REPORTING_REFUSED;
	}
	result = record(rt, &who, orig, olen, note, note_size);
	g_free(orig);
	return result;
}
