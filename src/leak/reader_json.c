/* reader_json.c: JSON leak dumps (RFC 8259; JSON Lines; a top-level array
 * streamed one element at a time with jansson's JSON_DISABLE_EOF_CHECK, so
 * a 10 GB array needs memory for one element only). A record is an object;
 * its string fields are mapped by key name like CSV columns, nested objects
 * add to the same record, arrays of objects are records of their own. The
 * position of a value is found by searching its text forward from the
 * record's start, so places point into the file. */
#include <string.h>

#include <jansson.h>

#include "leak/reader.h"
#include "util/buf.h"

struct jwalk {
	struct leak_collector *c;
	const char *d;
	size_t cursor, end; /* search window for positions */
	struct buf name;
	json_t *deferred[64];
	size_t ndeferred;
};

static uint64_t where(struct jwalk *w, const char *s, size_t n)
{
	const char *p;

	if (n && w->cursor < w->end && (p = memmem(w->d + w->cursor, w->end - w->cursor, s, n))) {
		w->cursor = (size_t)(p - w->d);
		return w->cursor;
	}
	return w->cursor;
}

static void walk_record(struct jwalk *w, json_t *obj, int depth);

static void add_value(struct jwalk *w, enum leak_role role, json_t *v, int depth)
{
	char num[32];
	const char *s;
	size_t n;

	if (depth > LEAK_MAX_JSON_DEPTH)
		return;
	if (json_is_string(v)) {
		s = json_string_value(v);
		n = json_string_length(v);
	} else if (json_is_integer(v) && role == LEAK_ROLE_PHONE) {
		n = (size_t)snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		s = num;
	} else if (json_is_object(v)) {
		const char *key;
		json_t *val;

		json_object_foreach(v, key, val)
			add_value(w, leak_role_of(key, strlen(key)), val, depth + 1);
		return;
	} else if (json_is_array(v)) {
		size_t i;
		json_t *val;

		json_array_foreach(v, i, val) {
			if (json_is_object(val) && w->ndeferred < 64)
				w->deferred[w->ndeferred++] = val;
			else if (!json_is_object(val))
				add_value(w, role, val, depth + 1);
		}
		return;
	} else {
		return;
	}
	if (role == LEAK_ROLE_FIRST || role == LEAK_ROLE_LAST) {
		if (w->name.len)
			buf_putc(&w->name, ' ');
		buf_append(&w->name, s, n);
		return;
	}
	leak_rec_field(w->c, role, s, n, where(w, s, n));
}

static void walk_record(struct jwalk *w, json_t *v, int depth)
{
	size_t first, last;

	if (depth > LEAK_MAX_JSON_DEPTH)
		return;
	if (json_is_array(v)) {
		size_t i;
		json_t *val;

		json_array_foreach(v, i, val)
			walk_record(w, val, depth + 1);
		return;
	}
	first = w->ndeferred;
	leak_rec_begin(w->c);
	buf_reset(&w->name);
	add_value(w, LEAK_ROLE_OTHER, v, depth);
	if (w->name.len)
		leak_rec_name(w->c, w->name.data, w->name.len, w->cursor);
	leak_rec_end(w->c);
	last = w->ndeferred;
	for (size_t i = first; i < last; i++)
		walk_record(w, w->deferred[i], depth + 1);
	w->ndeferred = first;
}

static uint64_t line_of(const char *d, size_t off)
{
	uint64_t line = 1;

	for (const char *p = d; (p = memchr(p, '\n', (size_t)(d + off - p))); p++)
		line++;
	return line;
}

static void salvage(struct leak_collector *c, const char *d, size_t b, size_t e)
{
	/* what cannot be parsed as JSON may still name addresses */
	while (b < e) {
		const char *nl = memchr(d + b, '\n', e - b);
		size_t le = nl ? (size_t)(nl - d) : e;

		if (le - b <= LEAK_MAX_LINE && memchr(d + b, '@', le - b)) {
			leak_rec_begin(c);
			leak_rec_text(c, d + b, le - b, b);
			leak_rec_end(c);
		}
		b = le + 1;
	}
}

static void report(struct leak_collector *c, const char *d, size_t off, const json_error_t *je, const char *what)
{
	char why[300];

	snprintf(why, sizeof(why), "%s: %s", what, je->text);
	leak_rec_error(c, off, line_of(d, off) + (je->line > 1 ? (uint64_t)je->line - 1 : 0), why);
}

static void skip_ws(const char *d, size_t n, size_t *i)
{
	while (*i < n && (d[*i] == ' ' || d[*i] == '\n' || d[*i] == '\r' || d[*i] == '\t'))
		(*i)++;
}

/* A top-level array, element by element. */
static void read_array(struct jwalk *w, const char *d, size_t n, size_t i)
{
	i++; /* '[' */
	for (;;) {
		json_error_t je;
		json_t *v;

		skip_ws(d, n, &i);
		if (i >= n) {
			json_error_t e = {.line = 1, .text = "array not closed (truncated file?)"};

			report(w->c, d, n, &e, "truncated JSON");
			return;
		}
		if (d[i] == ']')
			return;
		v = json_loadb(d + i, n - i, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
		if (!v) {
			report(w->c, d, i, &je, "unreadable JSON element; the rest of the file is read as text");
			salvage(w->c, d, i, n);
			return;
		}
		w->cursor = i;
		w->end = i + (size_t)je.position;
		walk_record(w, v, 0);
		json_decref(v);
		i = w->end;
		skip_ws(d, n, &i);
		if (i < n && d[i] == ',')
			i++;
	}
}

void leak_read_json(const char *d, size_t n, struct leak_collector *c)
{
	struct jwalk w = {.c = c, .d = d};
	size_t i = 0;
	json_error_t je;
	json_t *v;

	buf_init(&w.name);
	if (n >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	skip_ws(d, n, &i);
	if (i < n && d[i] == '[') {
		read_array(&w, d, n, i);
		goto out;
	}
	/* JSON Lines when the first line is a whole value; else one document. */
	{
		const char *nl = memchr(d + i, '\n', n - i);
		size_t le = nl ? (size_t)(nl - d) : n;

		v = json_loadb(d + i, le - i, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
		if (!v && le < n) {
			if (n > LEAK_MAX_JSON_DOC) {
				leak_rec_error(c, i, 1, "JSON document over 256 MiB and not JSON Lines; read as text");
				salvage(c, d, i, n);
				goto out;
			}
			v = json_loadb(d + i, n - i, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
			if (!v) {
				report(c, d, i, &je, "unreadable JSON; read as text");
				salvage(c, d, i, n);
				goto out;
			}
			w.cursor = i;
			w.end = n;
			walk_record(&w, v, 0);
			json_decref(v);
			goto out;
		}
		json_decref(v);
	}
	for (uint64_t line = line_of(d, i); i < n; line++) {
		const char *nl = memchr(d + i, '\n', n - i);
		size_t le = nl ? (size_t)(nl - d) : n;
		size_t b = i;

		skip_ws(d, le, &b);
		if (b < le) {
			if (le - i > LEAK_MAX_LINE) {
				leak_rec_error(c, i, line, "line longer than 1 MiB; skipped");
			} else if (!(v = json_loadb(d + b, le - b, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je))) {
				char why[300];

				snprintf(why, sizeof(why), "unreadable JSON line (%s); its addresses are read as text",
					 je.text);
				leak_rec_error(c, i, line, why);
				salvage(c, d, i, le);
			} else {
				w.cursor = i;
				w.end = le;
				walk_record(&w, v, 0);
				json_decref(v);
			}
		}
		i = le + 1;
	}
out:
	buf_cleanup(&w.name);
}
