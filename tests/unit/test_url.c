/* test_url.c: finding, splitting, unwrapping and defanging URLs
 * (src/mail/url.c), with the tricks phishing mail plays on each. */
#include "testutil.h"

#include "mail/url.h"
#include "util/alloc.h"

/* ---- url_extract ---- */

struct collected {
	char buf[1024];
	size_t n, calls, stop_after;
};

/* Joins what was found with " | ". */
static bool collect(void *ctx, const char *url, size_t len)
{
	struct collected *c = ctx;
	int w = snprintf(c->buf + c->n, sizeof(c->buf) - c->n, "%s%.*s", c->calls ? " | " : "",
			 (int)len, url);

	c->n += (size_t)w;
	c->calls++;
	return c->calls != c->stop_after;
}

static const struct {
	const char *text;
	const char *found;
} extract_cases[] = {
	{ "", "" },
	{ "no links here", "" },
	{ "see http://example.com.", "http://example.com" },
	{ "two: http://a.test,http://b.test/x?y=1!", "http://a.test,http://b.test/x?y=1" },
	{ "two: http://a.test http://b.test/x?y=1!", "http://a.test | http://b.test/x?y=1" },
	{ "(see https://x.test/a_(b)) and", "https://x.test/a_(b)" },
	{ "[http://br.test/x]", "http://br.test/x" },
	{ "{http://cu.test/{a}}", "http://cu.test/{a}" },
	{ "Visit www.evil.test/login?x=1, now!", "www.evil.test/login?x=1" },
	{ "<http://angle.test/>", "http://angle.test/" },
	{ "href=\"http://q.test/x\" 'http://s.test'", "http://q.test/x | http://s.test" },
	{ "HTTPS://UP.TEST/X", "HTTPS://UP.TEST/X" },
	{ "get ftp://files.test/pub;", "ftp://files.test/pub" },
	{ "http://a.test/x?!...;:", "http://a.test/x" },
	{ "http://nbsp.test\xc2\xa0next", "http://nbsp.test" },
	{ "http://ideo.test\xe3\x80\x80next", "http://ideo.test" },
	{ "http://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84/x ok",
	  "http://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84/x" },
	{ "http://[::1]:8080/x", "http://[::1]:8080/x" },
	{ "tab\thttp://t.test\tend", "http://t.test" },
	{ "nul\x01http://c.test\x7f", "http://c.test" },
	/* what is not a URL */
	{ "http:// http:///x www. www.!", "" },
	{ "awww.test.com user@www.test.com x.www.test.com", "" },
	{ "mailto:x@y.test javascript:alert(1)", "" },
	/* a scheme glued to a word still counts: a reader may click it */
	{ "xhttp://glued.test", "http://glued.test" },
	{ "http://www.inner.test/ www.second.test", "http://www.inner.test/ | www.second.test" },
};

static void test_extract(void **state)
{
	size_t i, n;

	(void)state;
	for (i = 0; i < ARRAY_LEN(extract_cases); i++) {
		struct collected c = { .n = 0 };
		const char *t = extract_cases[i].text;
		char *copy = lg_strndup(t, strlen(t)); /* exact size, for ASan */

		n = url_extract(copy, strlen(t), collect, &c);
		if (strcmp(c.buf, extract_cases[i].found))
			fail_msg("case %zu: [%s]\n  got  [%s]\n  want [%s]", i, t, c.buf,
				 extract_cases[i].found);
		assert_int_equal(n, c.calls);
		lg_free(copy);
	}
}

static void test_extract_stop(void **state)
{
	struct collected c = { .n = 0, .stop_after = 1 };
	const char *t = "http://one.test http://two.test";

	(void)state;
	assert_int_equal(url_extract(t, strlen(t), collect, &c), 1);
	assert_string_equal(c.buf, "http://one.test");
	assert_int_equal(url_extract(NULL, 0, collect, &c), 0);
}

/* ---- url_parse ---- */

#define IP 1
#define PUNY 2
#define NONASCII 4

static const struct {
	const char *url;
	bool ok;
	const char *scheme, *userinfo, *host, *path, *query;
	int flags;
} parse_cases[] = {
	{ "http://example.com", true, "http", NULL, "example.com", "", NULL, 0 },
	{ "HTTPS://User:Pw@WWW.Example.COM.:8443/Path/A?q=1&b=2#frag", true, "https", "User:Pw",
	  "www.example.com", "/Path/A", "q=1&b=2", 0 },
	{ "http://example.com?x=1", true, "http", NULL, "example.com", "", "x=1", 0 },
	{ "http://example.com#x?y", true, "http", NULL, "example.com", "", NULL, 0 },
	/* userinfo ends at the last '@': the host is what follows it */
	{ "http://paypal.com@evil.net/", true, "http", "paypal.com", "evil.net", "/", NULL, 0 },
	{ "http://a@b@evil.net/x", true, "http", "a@b", "evil.net", "/x", NULL, 0 },
	{ "http://www.bank.test:login@evil.test", true, "http", "www.bank.test:login", "evil.test",
	  "", NULL, 0 },
	/* numeric hosts */
	{ "http://192.168.1.1:80/", true, "http", NULL, "192.168.1.1", "/", NULL, IP },
	{ "http://3232235777/", true, "http", NULL, "3232235777", "/", NULL, IP },
	{ "http://0xC0.0xA8.0x1.0x1/", true, "http", NULL, "0xc0.0xa8.0x1.0x1", "/", NULL, IP },
	{ "http://0300.0250.1.1/", true, "http", NULL, "0300.0250.1.1", "/", NULL, IP },
	{ "http://0xc0a80101", true, "http", NULL, "0xc0a80101", "", NULL, IP },
	{ "http://192.168.257/", true, "http", NULL, "192.168.257", "/", NULL, IP },
	{ "http://256.1.1.1/", true, "http", NULL, "256.1.1.1", "/", NULL, 0 },
	{ "http://1.2.3.4.5/", true, "http", NULL, "1.2.3.4.5", "/", NULL, 0 },
	{ "http://4294967296/", true, "http", NULL, "4294967296", "/", NULL, 0 },
	{ "http://08.1.1.1/", true, "http", NULL, "08.1.1.1", "/", NULL, 0 },
	{ "http://123.example/", true, "http", NULL, "123.example", "/", NULL, 0 },
	{ "http://[2001:DB8::1]:80/x", true, "http", NULL, "2001:db8::1", "/x", NULL, IP },
	/* internationalised hosts */
	{ "http://xn--pypal-4ve.com/", true, "http", NULL, "xn--pypal-4ve.com", "/", NULL, PUNY },
	{ "http://www.XN--80ak6aa92e.com", true, "http", NULL, "www.xn--80ak6aa92e.com", "", NULL,
	  PUNY },
	{ "http://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84/", true, "http",
	  NULL, "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84", "/", NULL,
	  NONASCII },
	{ "http://ex.test\xe3\x80\x82" "com/", true, "http", NULL, "ex.test.com", "/", NULL, 0 },
	{ "http://ex%61mple.COM/%41", true, "http", NULL, "example.com", "/%41", NULL, 0 },
	{ "http://%D0%B0pple.com/", true, "http", NULL, "\xd0\xb0pple.com", "/", NULL, NONASCII },
	/* what browsers tolerate */
	{ "http:\\\\evil.test\\path\\x?q", true, "http", NULL, "evil.test", "/path/x", "q", 0 },
	{ "http:evil.test", true, "http", NULL, "evil.test", "", NULL, 0 },
	{ "https:///triple.test/", true, "https", NULL, "triple.test", "/", NULL, 0 },
	{ "  ht\ntp://nl.te\tst/a\rb  ", true, "http", NULL, "nl.test", "/ab", NULL, 0 },
	{ "www.example.com/x", true, "http", NULL, "www.example.com", "/x", NULL, 0 },
	{ "WWW.Example.com:81", true, "http", NULL, "www.example.com", "", NULL, 0 },
	{ "//cdn.test/x.js", true, "", NULL, "cdn.test", "/x.js", NULL, 0 },
	{ "foo://host.test/p\\q", true, "foo", NULL, "host.test", "/p\\q", NULL, 0 },
	/* no host */
	{ "", false, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "mailto:a@b.test", false, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "javascript:alert(1)", false, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "/relative/path", false, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "logo.png", false, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "http://", false, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "http:///", false, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "http://user@/x", false, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "http://[::1", false, NULL, NULL, NULL, NULL, NULL, 0 },
	{ "http://...", false, NULL, NULL, NULL, NULL, NULL, 0 },
};

static void assert_str_or_null(size_t i, const char *field, const char *got, const char *want)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(got, want))
		fail_msg("case %zu %s: got [%s] want [%s]", i, field, got ? got : "(null)",
			 want ? want : "(null)");
}

static void test_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(parse_cases); i++) {
		struct arena *a = arena_new();
		struct url_parts u;
		bool ok = url_parse(a, parse_cases[i].url, &u);

		if (ok != parse_cases[i].ok)
			fail_msg("case %zu: %s parsed %d", i, parse_cases[i].url, ok);
		if (ok) {
			assert_str_or_null(i, "scheme", u.scheme, parse_cases[i].scheme);
			assert_str_or_null(i, "userinfo", u.userinfo, parse_cases[i].userinfo);
			assert_str_or_null(i, "host", u.host, parse_cases[i].host);
			assert_str_or_null(i, "path", u.path, parse_cases[i].path);
			assert_str_or_null(i, "query", u.query, parse_cases[i].query);
			assert_int_equal(u.host_is_ip, !!(parse_cases[i].flags & IP));
			assert_int_equal(u.host_is_punycode, !!(parse_cases[i].flags & PUNY));
			assert_int_equal(u.host_has_non_ascii, !!(parse_cases[i].flags & NONASCII));
		}
		arena_free(&a);
	}
	assert_false(url_parse(NULL, NULL, &(struct url_parts){ 0 }));
}

/* ---- url_unwrap_redirect ---- */

static const struct {
	const char *url;
	const char *target; /* NULL: not a wrapper */
} unwrap_cases[] = {
	{ "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil.test%2Flogin"
	  "%3Fa%3D1&data=05%7C01%7C&sdata=x&reserved=0",
	  "https://evil.test/login?a=1" },
	{ "https://www.google.com/url?q=https://evil.test/x&sa=D&ust=1", "https://evil.test/x" },
	{ "https://google.co.uk/url?sa=t&url=http%3A%2F%2Fevil.test%2F", "http://evil.test/" },
	{ "https://urldefense.proofpoint.com/v2/url?u=https-3A__evil.test_path-3Fa-3D1&d=DwMFaQ&c=x",
	  "https://evil.test/path?a=1" },
	{ "https://urldefense.proofpoint.com/v1/url?u=http%3A%2F%2Fevil.test%2Fx&k=abc",
	  "http://evil.test/x" },
	{ "https://urldefense.com/v3/__https://evil.test/path__;!!ORG!sig$", "https://evil.test/path" },
	{ "https://urldefense.com/v3/__https://evil.test/a*b__;Iw!!X!y$", "https://evil.test/a#b" },
	{ "https://urldefense.com/v3/__https://evil.test/**Ab__;Iz8!!X!y$", "https://evil.test/#?b" },
	/* wrapped twice: Safe Links around a Google redirect */
	{ "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.google.com%2Furl"
	  "%3Fq%3Dhttps%253A%252F%252Fevil.test%252F&data=x",
	  "https://evil.test/" },
	{ "https://click.test/track?id=5&redirect=https%3A%2F%2Fevil.test%2F", "https://evil.test/" },
	{ "https://t.test/r?target=HTTP://evil.test/", "HTTP://evil.test/" },
	/* at most four levels */
	{ "http://r.test/?u=http://r.test/?u=http://r.test/?u=http://r.test/?u=http://r.test/"
	  "?u=http://final.test/",
	  "http://r.test/?u=http://final.test/" },
	/* not wrappers */
	{ "https://example.com/", NULL },
	{ "https://t.test/r?u=notaurl", NULL },
	{ "https://example.com/a?url=javascript:alert(1)", NULL },
	{ "https://google.com/search?q=https://x.test/", NULL },
	{ "https://nam12.safelinks.protection.outlook.com/?data=x", NULL },
	{ "https://urldefense.com/v3/__https://evil.test/unterminated", NULL },
	{ "not a url", NULL },
};

static void test_unwrap(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(unwrap_cases); i++) {
		struct arena *a = arena_new();
		const char *t = url_unwrap_redirect(a, unwrap_cases[i].url);

		assert_str_or_null(i, "target", t, unwrap_cases[i].target);
		arena_free(&a);
	}
}

/* ---- url_defang ---- */

static const struct {
	const char *in, *out;
} defang_cases[] = {
	{ "", "" },
	{ "http://evil.com/a.b", "hxxp://evil[.]com/a.b" },
	{ "HTTPS://Evil.Com", "HXXPS://Evil[.]Com" },
	{ "ftp://files.test/x", "fxp://files[.]test/x" },
	{ "http://paypal.com@evil.net:80/x.y", "hxxp://paypal[.]com@evil[.]net:80/x.y" },
	{ "evil.com", "evil[.]com" },
	{ "Go to www.evil.co.uk/login.php now.", "Go to www[.]evil[.]co[.]uk/login.php now." },
	{ "mail user@evil.com.", "mail user@evil[.]com." },
	{ "ip 192.168.1.1 here", "ip 192[.]168[.]1[.]1 here" },
	{ "xn--pypal-4ve.xn--p1ai", "xn--pypal-4ve[.]xn--p1ai" },
	{ "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84",
	  "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80[.]\xd1\x80\xd1\x84" },
	/* not host names: left alone */
	{ "e.g. 3.14 v1.2 1.2.3 end...", "e.g. 3.14 v1.2 1.2.3 end..." },
	/* already defanged text does not change */
	{ "hxxp://evil[.]com", "hxxp://evil[.]com" },
	{ "http://", "hxxp://" },
	{ "http://a.test/r?u=https://evil.test/x.y", "hxxp://a[.]test/r?u=hxxps://evil[.]test/x.y" },
	{ "https://anglehttps://.example/", "hxxps://anglehxxps://.example/" },
	{ "see <https://a.test/p>, http://b.test", "see <hxxps://a[.]test/p>, hxxp://b[.]test" },
};

static void test_defang(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(defang_cases); i++) {
		struct arena *a = arena_new();

		assert_str_or_null(i, "defang", url_defang(a, defang_cases[i].in), defang_cases[i].out);
		arena_free(&a);
	}
}

/* Every prefix of some nasty strings through every function, under ASan. */
static void test_prefixes(void **state)
{
	static const char *const nasty[] = {
		"https://urldefense.com/v3/__https://e.test/**A*__;Iz8_-!!x",
		"http://u@[::1]:8%3/p\\q?u=http%3a%2F%2Fx.test&url=http://y",
		"www.x.test/(a)[b]{c}).,;: http://0x7f.1 ftp://\xe3\x80\x82.",
	};
	size_t k, n;

	(void)state;
	for (k = 0; k < ARRAY_LEN(nasty); k++) {
		for (n = 0; n <= strlen(nasty[k]); n++) {
			struct arena *a = arena_new();
			struct collected c = { .n = 0 };
			struct url_parts u;
			char *s = lg_strndup(nasty[k], n);

			url_extract(s, n, collect, &c);
			url_parse(a, s, &u);
			url_unwrap_redirect(a, s);
			url_defang(a, s);
			lg_free(s);
			arena_free(&a);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extract),
		cmocka_unit_test(test_extract_stop),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_unwrap),
		cmocka_unit_test(test_defang),
		cmocka_unit_test(test_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
