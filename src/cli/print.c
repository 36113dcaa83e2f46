/* print.c: see print.h. */
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "cli/print.h"
#include "mail/url.h"

/* jansson takes only valid UTF-8; file names and headers need not be. */
static json_t *jstr(const char *s)
{
	gchar *valid;
	json_t *j;

	if (g_utf8_validate(s, -1, NULL))
		return json_string(s);
	valid = g_utf8_make_valid(s, -1);
	j = json_string(valid);
	g_free(valid);
	return j;
}

static json_t *defects_json(const struct mail_message *msg)
{
	json_t *arr = json_array();
	const char *s = msg->defect_text;

	/* defect_text holds one sentence per defect, each ending in ". " */
	while (s && *s) {
		const char *end = strstr(s, ". ");
		size_t n = end ? (size_t)(end - s) + 1 : strlen(s);

		json_array_append_new(arr, json_stringn_nocheck(s, n));
		s = end ? end + 2 : NULL;
	}
	return arr;
}

static void print_json(FILE *out, const char *path, const struct mail_message *msg, const struct verdict *v)
{
	json_t *o = json_object(), *signals = json_array();

	json_object_set_new(o, "path", jstr(path));
	json_object_set_new(o, "verdict", json_string(verdict_kind_name(v->kind)));
	json_object_set_new(o, "score", json_real((double)(long long)(v->score * 100 + (v->score < 0 ? -0.5 : 0.5)) / 100));
	json_object_set_new(o, "action", json_string(verdict_action_name(v->action)));
	if (v->spam_probability >= 0)
		json_object_set_new(o, "spam_probability", json_real(v->spam_probability));
	for (size_t i = 0; i < v->signals.n; i++) {
		const struct signal *s = &v->signals.items[i];
		json_t *js = json_object();

		json_object_set_new(js, "name", json_string(signal_name(s->id)));
		json_object_set_new(js, "score", json_real(s->score));
		json_object_set_new(js, "reason", jstr(url_defang(msg->arena, s->reason)));
		json_array_append_new(signals, js);
	}
	json_object_set_new(o, "signals", signals);
	json_object_set_new(o, "defects", defects_json(msg));
	json_dumpf(o, out, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
	fputc('\n', out);
	json_decref(o);
}

static void print_text(FILE *out, const char *path, const struct mail_message *msg, const struct verdict *v)
{
	char upper[16];
	const char *kind = verdict_kind_name(v->kind);
	size_t i;

	for (i = 0; kind[i] && i + 1 < sizeof(upper); i++)
		upper[i] = (char)(kind[i] >= 'a' && kind[i] <= 'z' ? kind[i] - 32 : kind[i]);
	upper[i] = '\0';
	fprintf(out, "%s: %s (score %.1f, action %s)\n", path, upper, v->score, verdict_action_name(v->action));
	for (i = 0; i < v->signals.n; i++) {
		const struct signal *s = &v->signals.items[i];

		fprintf(out, "  %+5.1f %-24s %s\n", s->score, signal_name(s->id), url_defang(msg->arena, s->reason));
	}
}

void print_verdict(FILE *out, bool json, const char *path, const struct mail_message *msg,
		    const struct verdict *v)
{
	if (json)
		print_json(out, path, msg, v);
	else
		print_text(out, path, msg, v);
}

void print_error(FILE *out, bool json, const char *path, const char *why)
{
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "path", jstr(path));
		json_object_set_new(o, "error", jstr(why));
		json_dumpf(o, out, JSON_COMPACT | JSON_ENSURE_ASCII);
		fputc('\n', out);
		json_decref(o);
	} else {
		fprintf(out, "%s: ERROR %s\n", path, why);
	}
}
