/* reporting.c: see reporting.h. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "milter/reporting.h"
#include "report/mailer.h"
#include "report/original.h"
#include "report/record.h"
#include "store/store.h"
#include "util/log.h"

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

static void thank(const struct config *cfg, const char *reporter, bool found, const char *problem)
{
	struct buf text;
	struct errbuf err = {""};

	if (!*reporter)
		return; /* a bounce: nobody to answer */
	buf_init(&text);
	mailer_compose_thanks(&text, cfg->report_from, reporter, found, problem);
	if (mailer_send(cfg->report_smtp, cfg->report_from, &reporter, 1, &text, &err))
		log_warn("milter: reply to reporter %s not sent: %s", reporter, err.msg);
	buf_cleanup(&text);
}

static enum reporting_result record(const struct runtime *rt, const char *reporter, const char *orig, size_t olen,
				    char *note, size_t note_size)
{
	const struct config *cfg = runtime_config(rt);
	char *path = cfg->db ? g_strdup(cfg->db) : store_default_path();
	struct report_context ctx = {.engine = runtime_engine(rt), .cfg = cfg, .send_mail = true};
	struct report_outcome o;
	struct errbuf err = {""};
	enum lg_status rc = report_store_open(path, &ctx.store, &err);
	enum reporting_result result = REPORTING_RECORDED;

	if (!rc)
		rc = report_index_load(path, &ctx.index, &err);
	if (!rc)
		rc = report_record(&ctx, orig, olen, reporter, &o, &err);
	if (rc == LG_EPARSE) {
		snprintf(note, note_size, "report refused: %s", err.msg);
		thank(cfg, reporter, false, err.msg);
		result = REPORTING_REFUSED;
	} else if (rc) {
		snprintf(note, note_size, "report not recorded, delivered instead: %s", err.msg);
		result = REPORTING_FAILED;
	} else {
		snprintf(note, note_size, "report %lld, campaign %lld, %lld reporter%s%s%s%s%s", (long long)o.id,
			 (long long)o.campaign, (long long)o.reporters, o.reporters == 1 ? "" : "s",
			 *o.blocked[0] ? ", blocked " : "", o.blocked[0], o.alerted ? ", alert sent" : "",
			 *o.alert_error ? " (alert failed)" : "");
		thank(cfg, reporter, true, NULL);
	}
	report_index_free(&ctx.index);
	report_store_close(&ctx.store);
	g_free(path);
	return result;
}

enum reporting_result reporting_take(const struct runtime *rt, const char *sender, const char *raw, size_t len,
				     char *note, size_t note_size)
{
	char reporter[320];
	char *orig = NULL;
	size_t olen = 0;
	enum reporting_result result;

	bare_address(sender, reporter, sizeof(reporter));
	if (!report_find_original(raw, len, &orig, &olen)) {
		snprintf(note, note_size, "report refused: no original message inside");
		thank(runtime_config(rt), reporter, false, NULL);
		return REPORTING_REFUSED;
	}
	result = record(rt, reporter, orig, olen, note, note_size);
	g_free(orig);
	return result;
}
