/* html.c: escaping and templates (html.h). */
#include <stdbool.h>
#include <string.h>

#include "portal/assets.h"
#include "portal/html.h"

const struct asset *asset_find(const char *name)
{
	for (size_t i = 0; i < portal_nassets; i++)
		if (strcmp(portal_assets[i].name, name) == 0)
			return &portal_assets[i];
	return NULL;
}

const char *asset_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".css", "text/css; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
		{".html", "text/html; charset=utf-8"}, {".svg", "image/svg+xml"}, {".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

void html_escape(struct buf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': buf_append(out, "&amp;", 5); break;
		case '<': buf_append(out, "&lt;", 4); break;
		case '>': buf_append(out, "&gt;", 4); break;
		case '"': buf_append(out, "&quot;", 6); break;
		case '\'': buf_append(out, "&#39;", 5); break;
		default: buf_putc(out, *s);
		}
	}
}

void html_cell(struct buf *out, const char *cls, const char *text)
{
	buf_appendf(out, "<td class=\"%s\">", cls);
	html_escape(out, text);
	buf_append(out, "</td>", 5);
}

void html_cell_num(struct buf *out, const char *cls, unsigned long long n)
{
	buf_appendf(out, "<td class=\"%s num\">%llu</td>", cls, n);
}

static const char *lookup(const struct html_var *vars, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
			return vars[i].value;
	return "";
}

void html_render(struct buf *out, const char *name, const struct html_var *vars, size_t n)
{
	const struct asset *t = asset_find(name);
	const char *p, *end;

	if (!t) {
		buf_appendf(out, "<p>[missing template %s]</p>", name);
		return;
	}
	p = t->data;
	end = t->data + t->len;
	while (p < end) {
		const char *open = strstr(p, "{{");
		bool raw;
		const char *close;

		if (!open || open >= end) {
			buf_append(out, p, (size_t)(end - p));
			break;
		}
		buf_append(out, p, (size_t)(open - p));
		raw = open[2] == '{';
		open += raw ? 3 : 2;
		close = strstr(open, raw ? "}}}" : "}}");
		if (!close) {
			buf_append(out, open, (size_t)(end - open));
			break;
		}
		if (raw)
			buf_appendf(out, "%s", lookup(vars, n, open, (size_t)(close - open)));
		else
			html_escape(out, lookup(vars, n, open, (size_t)(close - open)));
		p = close + (raw ? 3 : 2);
	}
}

void html_page(struct buf *out, const char *title, const char *name, const struct html_var *vars, size_t n)
{
	struct buf main;
	struct html_var lv[2];

	buf_init(&main);
	html_render(&main, name, vars, n);
	lv[0] = (struct html_var){"title", title};
	lv[1] = (struct html_var){"main", main.data ? main.data : ""};
	html_render(out, "layout.html", lv, 2);
	buf_cleanup(&main);
}
