/* test_html.c: the HTML tokenizer (src/mail/html.c): visible text, character
 * references, links, forms, limits, and hostile markup. */
#include "testutil.h"

#include "mail/html.h"
#include "util/alloc.h"

/* Runs html_extract over an exact-size heap copy, so that ASan catches any
 * read past the end even when the input is a string literal. */
static void extract(struct arena *a, const char *html, size_t len, size_t max,
		    struct html_result *out)
{
	char *copy = lg_malloc(len ? len : 1);

	memcpy(copy, html, len);
	html_extract(a, copy, len, max, out);
	lg_free(copy);
}

struct text_case {
	const char *html;
	const char *text;
};

static const struct text_case text_cases[] = {
	{ "", "" },
	{ "plain words", "plain words" },
	{ "  lots \t of\n\n   space  ", "lots of space" },
	{ "<p>one</p><p>two</p>", "one\ntwo" },
	{ "a<br>b<br/>c<BR />d", "a\nb\nc\nd" },
	{ "<div><div><p>deep</p></div></div>tail", "deep\ntail" },
	{ "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc" },
	{ "<ul><li>x</li><li>y</li></ul>", "x\ny" },
	{ "<h1>Title</h1>body", "Title\nbody" },
	{ "<b>bo</b><i>ld</i>", "bold" },
	/* hidden content */
	{ "<html><head><title>T</title><style>p{x:y}</style></head><body>Hi</body></html>", "Hi" },
	{ "a<script>document.write('<p>no</p>')</script>b", "ab" },
	{ "a<SCRIPT type=x>evil</ScRiPt >b", "ab" },
	{ "a<script>x</scriptx>y</script>b", "ab" },
	{ "a<!-- hidden -->b", "ab" },
	{ "a<!-- x -- y -->b", "ab" },
	{ "a<!-->b", "ab" },
	{ "a<!--->b", "ab" },
	{ "a<!-- x --!>b", "ab" },
	{ "a<![CDATA[hidden]]>b", "ab" },
	{ "<!DOCTYPE html>a<?xml version=1?>b", "ab" },
	{ "a<!--[if mso]>outlook only<![endif]-->b", "ab" },
	{ "a<template>t</template>b<iframe>f</iframe>c", "abc" },
	/* character references */
	{ "&lt;b&gt; &amp; &quot;q&quot; &apos;", "<b> & \"q\" '" },
	{ "&AMP;&LT;&GT;", "&<>" },
	{ "&copy; &reg; &euro; &eacute;", "\xc2\xa9 \xc2\xae \xe2\x82\xac \xc3\xa9" },
	{ "&#65;&#x42;&#X43;&#068", "ABCD" },
	{ "&#0;|&#x110000;|&#xD800;|&#99999999999999;", "\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd" },
	{ "&#128;&#150;", "\xe2\x82\xac\xe2\x80\x93" },
	{ "&#x1F600;", "\xf0\x9f\x98\x80" },
	{ "&copy2024 &amp", "\xc2\xa9" "2024 &" },
	{ "&unknown; & &; &#; &#x;", "&unknown; & &; &#; &#x;" },
	{ "a&nbsp;&nbsp;b", "a b" },
	{ "pay&zwnj;pal pa&#x200B;y&shy;pal", "paypal paypal" },
	{ "x\xe2\x80\x8by \xef\xbb\xbfz", "xy z" },
	/* stray markup characters are text */
	{ "1 < 2 and 3 > 2", "1 < 2 and 3 > 2" },
	{ "a <3 b", "a <3 b" },
	{ "a</>b</ 3>c", "abc" },
	{ "</", "</" },
	{ "<", "<" },
	{ "x<", "x<" },
	/* quotes inside attributes do not end tags */
	{ "<a title='x > y' href=\"a'b>c\">T</a>", "T" },
	{ "<img alt=\"<p>not text</p>\">ok", "ok" },
	/* invalid UTF-8 becomes U+FFFD; NUL and controls vanish */
	{ "a\xff" "b\xc3", "a\xef\xbf\xbd" "b\xef\xbf\xbd" },
	{ "a\x01\x7f" "b", "ab" },
};

static void test_text(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(text_cases); i++) {
		struct arena *a = arena_new();
		struct html_result r;

		extract(a, text_cases[i].html, strlen(text_cases[i].html), MAIL_MAX_TEXT, &r);
		if (strcmp(r.text, text_cases[i].text))
			fail_msg("case %zu: %s\n  got  [%s]\n  want [%s]", i, text_cases[i].html,
				 r.text, text_cases[i].text);
		assert_int_equal(r.text_len, strlen(r.text));
		assert_false(r.truncated);
		arena_free(&a);
	}
}

struct link_case {
	const char *html;
	size_t nlinks;
	struct {
		const char *url;
		const char *text; /* NULL: expect NULL */
		enum mail_link_origin origin;
	} links[3];
	bool has_form, has_password;
};

static const struct link_case link_cases[] = {
	{ "<a href=\"http://evil.example/\">https://bank.com</a>", 1,
	  { { "http://evil.example/", "https://bank.com", MAIL_LINK_HTML_A } }, false, false },
	{ "<A HREF='http://x.test/?a=1&amp;b=2&copy=3'> Click <b>here</b> </A>", 1,
	  { { "http://x.test/?a=1&b=2&copy=3", "Click here", MAIL_LINK_HTML_A } }, false, false },
	{ "<a href=http://u.test/p?q=1>unquoted</a>", 1,
	  { { "http://u.test/p?q=1", "unquoted", MAIL_LINK_HTML_A } }, false, false },
	{ "<a href=\"  ht\ttp://tab.test/\n\">t</a>", 1,
	  { { "http://tab.test/", "t", MAIL_LINK_HTML_A } }, false, false },
	{ "<a href=\"&#104;ttp://ent.test\">e</a>", 1,
	  { { "http://ent.test", "e", MAIL_LINK_HTML_A } }, false, false },
	/* first duplicate attribute wins, as in browsers */
	{ "<a href=\"http://first.test\" href=\"http://second.test\">d</a>", 1,
	  { { "http://first.test", "d", MAIL_LINK_HTML_A } }, false, false },
	/* an <a> inside an <a> closes the first; unclosed <a> ends at EOF */
	{ "<a href=\"http://one.test\">one<a href=\"http://two.test\">two", 2,
	  { { "http://one.test", "one", MAIL_LINK_HTML_A },
	    { "http://two.test", "two", MAIL_LINK_HTML_A } }, false, false },
	{ "<a name=top>anchor</a><a href=\"\">empty</a>", 0, { { NULL, NULL, 0 } }, false, false },
	{ "<a href=\"http://img.test\"><img src=\"cid:logo\"></a>", 1,
	  { { "http://img.test", "", MAIL_LINK_HTML_A } }, false, false },
	{ "<form method=post action=\"https://phish.test/login\"><input type=\"text\">"
	  "<INPUT TYPE=PASSWORD name=pw></form>", 1,
	  { { "https://phish.test/login", NULL, MAIL_LINK_HTML_FORM } }, true, true },
	{ "<form><input type=password></form>", 0, { { NULL, NULL, 0 } }, true, true },
	{ "<input type=\"passwords\">", 0, { { NULL, NULL, 0 } }, false, false },
	{ "<img src=\"https://track.test/p.gif\"><img src=\"data:image/png;base64,AA\">"
	  "<img src=cid:x><map><area href=\"http://area.test/\"></map>", 2,
	  { { "https://track.test/p.gif", NULL, MAIL_LINK_HTML_OTHER },
	    { "http://area.test/", NULL, MAIL_LINK_HTML_OTHER } }, false, false },
	/* links inside comments and scripts are not links */
	{ "<!-- <a href=\"http://c.test\">c</a> --><script><a href=\"http://s.test\">s</a></script>", 0,
	  { { NULL, NULL, 0 } }, false, false },
	/* a link whose tag never ends is dropped */
	{ "<a href=\"http://cut.test\"", 0, { { NULL, NULL, 0 } }, false, false },
	{ "<a href=\"http://cut.test>text", 0, { { NULL, NULL, 0 } }, false, false },
	{ "<p><a href=\"http://b.test\"><p>block</p></a>", 1,
	  { { "http://b.test", "block", MAIL_LINK_HTML_A } }, false, false },
};

static void check_link_case(size_t i, const struct link_case *c)
{
	struct arena *a = arena_new();
	struct html_result r;
	size_t k;

	extract(a, c->html, strlen(c->html), MAIL_MAX_TEXT, &r);
	if (r.nlinks != c->nlinks)
		fail_msg("case %zu: %zu links, want %zu", i, r.nlinks, c->nlinks);
	for (k = 0; k < c->nlinks; k++) {
		assert_string_equal(r.links[k].url, c->links[k].url);
		assert_int_equal(r.links[k].origin, c->links[k].origin);
		if (c->links[k].text)
			assert_string_equal(r.links[k].text, c->links[k].text);
		else
			assert_null(r.links[k].text);
	}
	assert_int_equal(r.has_form, c->has_form);
	assert_int_equal(r.has_password_field, c->has_password);
	arena_free(&a);
}

static void test_links(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(link_cases); i++)
		check_link_case(i, &link_cases[i]);
}

/* Inputs with NUL bytes need explicit lengths. */
static void test_nul_bytes(void **state)
{
	static const char html[] = "a\0b<a hr\0ef=x>c</a><a href=\"http://n\0ul.test\">d\0e</a>"
				   "</p\0ink></br\0>f";
	struct arena *a = arena_new();
	struct html_result r;

	(void)state;
	extract(a, html, sizeof(html) - 1, MAIL_MAX_TEXT, &r);
	assert_string_equal(r.text, "abcdef");
	assert_int_equal(r.nlinks, 1);
	assert_string_equal(r.links[0].url, "http://nul.test");
	assert_string_equal(r.links[0].text, "de");
	arena_free(&a);
}

static void test_text_limit(void **state)
{
	static const struct {
		const char *html;
		size_t max;
		const char *text;
		bool truncated;
	} cases[] = {
		{ "abcdef", 3, "abc", true },
		{ "abc", 3, "abc", false },
		{ "abc<p>", 3, "abc", false },
		{ "ab \xc3\xa9", 4, "ab", true },     /* never half a character */
		{ "ab&eacute;", 3, "ab", true },
		{ "anything", 0, "", true },
		{ "<p></p>", 0, "", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct arena *a = arena_new();
		struct html_result r;

		extract(a, cases[i].html, strlen(cases[i].html), cases[i].max, &r);
		assert_string_equal(r.text, cases[i].text);
		assert_int_equal(r.truncated, cases[i].truncated);
		arena_free(&a);
	}
}

/* A long body grows the text buffer several times; links found after the
 * text limit are still reported. */
static void test_growth_and_link_limit(void **state)
{
	struct arena *a = arena_new();
	struct html_result r;
	size_t n = MAIL_MAX_LINKS + 10, i, len = 0;
	char *html = lg_malloc(n * 64);

	(void)state;
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(html + len, n * 64 - len,
					"<a href=\"http://h%zu.test/\">word %zu</a> ", i, i);
	extract(a, html, len, MAIL_MAX_TEXT, &r);
	assert_int_equal(r.nlinks, MAIL_MAX_LINKS);
	assert_true(r.truncated);
	assert_string_equal(r.links[MAIL_MAX_LINKS - 1].url, "http://h1023.test/");
	assert_string_equal(r.links[MAIL_MAX_LINKS - 1].text, "word 1023");
	assert_true(r.text_len > 8 * n);
	assert_non_null(strstr(r.text, "word 1033"));

	html_extract(a, html, len, 20, &r);
	assert_string_equal(r.text, "word 0 word 1 word 2");
	assert_int_equal(r.nlinks, MAIL_MAX_LINKS);
	assert_string_equal(r.links[5].text, "");
	lg_free(html);
	arena_free(&a);
}

/* Every prefix of a document full of constructs must parse without reading
 * past its end: this is where unterminated tags, comments, attribute values
 * and references are exercised. */
static void test_every_prefix(void **state)
{
	static const char doc[] =
		"<!DOCTYPE html><html><head><title>t</title><style>a{}</style></head>"
		"<body><!-- c --><![CDATA[x]]><p class=\"a\" id='b' x=y>Hello &amp; "
		"&#x41;&#66;&eacute &copy</p><a href=\"http://a.test/?x=1&amp;y\">link</a>"
		"<form action=/post><input type=password></form><script>s</script>"
		"<img src=http://i.test/x.png><area href=http://ar.test>\xe2\x82\xac</body>";
	size_t n;

	(void)state;
	for (n = 0; n <= sizeof(doc) - 1; n++) {
		struct arena *a = arena_new();
		struct html_result r;

		extract(a, doc, n, MAIL_MAX_TEXT, &r);
		assert_int_equal(strlen(r.text), r.text_len);
		arena_free(&a);
	}
}

static void test_null_input(void **state)
{
	struct arena *a = arena_new();
	struct html_result r;

	(void)state;
	html_extract(a, NULL, 0, 100, &r);
	assert_string_equal(r.text, "");
	assert_int_equal(r.nlinks, 0);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_text_limit),
		cmocka_unit_test(test_growth_and_link_limit),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_null_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
