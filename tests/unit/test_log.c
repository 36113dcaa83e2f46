/* test_log.c: util/log — the text line, and [general] log_format = json:
 * one valid JSON object per line (parsed back with jansson) carrying the
 * text line's content, each key=value as a field, numbers as numbers, and
 * hostile bytes (quotes, controls, invalid UTF-8) escaped. */
#include "testutil.h"

#include <unistd.h>

#include <jansson.h>

#include "util/log.h"

/* Runs one log_write with stderr sent to a file and returns what it wrote. */
static char *captured(enum log_level level, const char *text)
{
	FILE *f = tmpfile();
	int saved = dup(2);
	char *out = calloc(1, 8192);
	size_t n;

	assert_non_null(f);
	fflush(stderr);
	dup2(fileno(f), 2);
	log_write(level, "%s", text);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(out, 1, 8191, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

static void test_text(void **state)
{
	char *line;

	(void)state;
	assert_true(log_set_format("text"));
	line = captured(LOG_LEVEL_WARN, "portal: mail: refused");
	assert_string_equal(line, "leakguard: warning: portal: mail: refused\n");
	free(line);
	assert_false(log_set_format("yaml"));
	assert_false(log_set_format("JSON"));
}

static const struct {
	enum log_level level;
	const char *text;
	const char *module, *msg;                   /* NULL: no module field */
	const char *keys[8], *strings[8];           /* string fields */
	const char *nkeys[4];                       /* number fields... */
	double numbers[4];                          /* ...and their values */
} cases[] = {
	{LOG_LEVEL_INFO,
	 "milter: 4XyZ1 from=a@example.com size=2048 verdict=phishing score=11.70 action=quarantine "
	 "signals=LOOKALIKE_SENDER,PAYMENT_REQUEST ms=3.25",
	 "milter",
	 "4XyZ1 from=a@example.com size=2048 verdict=phishing score=11.70 action=quarantine "
	 "signals=LOOKALIKE_SENDER,PAYMENT_REQUEST ms=3.25",
	 {"from", "verdict", "action", "signals"},
	 {"a@example.com", "phishing", "quarantine", "LOOKALIKE_SENDER,PAYMENT_REQUEST"},
	 {"size", "score", "ms"},
	 {2048, 11.7, 3.25}},
	/* a sender with quotes, a newline and a byte that is not UTF-8 */
	{LOG_LEVEL_INFO, "milter: q from=\"x\"\n\xff@\xc3\xa9.com verdict=clean", "milter",
	 "q from=\"x\"\n\xc3\xbf@\xc3\xa9.com verdict=clean", {"from", "verdict"}, {"\"x\"\n\xc3\xbf@\xc3\xa9.com", "clean"},
	 {NULL}, {0}},
	/* no module prefix; a reserved name and a repeated key are not fields;
	 * 007 and 1. are not JSON numbers */
	{LOG_LEVEL_ERROR, "no dictionary xx (a.dic): level=debug n=1 n=2 z=007 w=1.", NULL,
	 "no dictionary xx (a.dic): level=debug n=1 n=2 z=007 w=1.", {"z", "w"}, {"007", "1."}, {"n"}, {1}},
};

static void test_json(void **state)
{
	static const char *const levels[] = {"error", "warning", "info", "debug"};

	(void)state;
	assert_true(log_set_format("json"));
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *line = captured(cases[i].level, cases[i].text);
		json_error_t jerr;
		json_t *o;
		size_t len = strlen(line);

		assert_true(len > 0 && line[len - 1] == '\n');
		assert_null(memchr(line, '\n', len - 1)); /* one line */
		o = json_loads(line, 0, &jerr);
		if (!o)
			fail_msg("case %zu: not JSON (%s): %s", i, jerr.text, line);
		assert_string_equal(json_string_value(json_object_get(o, "level")), levels[cases[i].level]);
		assert_string_equal(json_string_value(json_object_get(o, "program")), "leakguard");
		assert_non_null(json_string_value(json_object_get(o, "time")));
		assert_int_equal(strlen(json_string_value(json_object_get(o, "time"))), 24); /* ...T..:..:..mmmZ */
		if (cases[i].module)
			assert_string_equal(json_string_value(json_object_get(o, "module")), cases[i].module);
		else
			assert_null(json_object_get(o, "module"));
		assert_string_equal(json_string_value(json_object_get(o, "msg")), cases[i].msg);
		for (size_t k = 0; cases[i].keys[k]; k++) {
			const char *v = json_string_value(json_object_get(o, cases[i].keys[k]));

			if (!v || strcmp(v, cases[i].strings[k]) != 0)
				fail_msg("case %zu: %s = %s, expected %s", i, cases[i].keys[k], v ? v : "(none)",
					 cases[i].strings[k]);
		}
		for (size_t k = 0; cases[i].nkeys[k]; k++) {
			json_t *v = json_object_get(o, cases[i].nkeys[k]);

			assert_true(json_is_number(v));
			assert_true(json_number_value(v) == cases[i].numbers[k]);
		}
		assert_true(json_is_string(json_object_get(o, "level")));
		json_decref(o);
		free(line);
	}
	assert_true(log_set_format(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
