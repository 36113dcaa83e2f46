/* test_portal.c: the portal's pure parts — request parsing, escaping and
 * templates, tokens, rate limits (time injected), the DNS TXT match,
 * domain normalisation, passwords, the portal store's expiry, audit log,
 * single-use links, session rotation and login lockout, the mail cap that
 * never evicts a live bucket, and client keys (IPv6 per /64). */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portal/facts.h"
#include "portal/html.h"
#include "portal/parse.h"
#include "portal/password.h"
#include "portal/ratelimit.h"
#include "portal/token.h"
#include "portal/verify.h"
#include "store/portal.h"
#include "util/arena.h"
#include "util/buf.h"

static void test_target(void **state)
{
	static const struct {
		const char *in;
		enum lg_status rc;
		size_t nsegs;
		const char *seg1; /* second segment when nsegs > 1 */
		const char *qkey, *qval;
	} cases[] = {
		{"/", LG_OK, 0, NULL, NULL, NULL},
		{"/verify/abc/dns", LG_OK, 3, "abc", NULL, NULL},
		{"/r/a%41b?x=1&y=%20z", LG_OK, 2, "aAb", "y", " z"},
		{"/static/%2e%2e", LG_EPARSE, 0, NULL, NULL, NULL},   /* ".." decoded */
		{"/static/../x", LG_EPARSE, 0, NULL, NULL, NULL},
		{"/static/a%2fb", LG_EPARSE, 0, NULL, NULL, NULL},    /* encoded "/" */
		{"/static/a%5cb", LG_EPARSE, 0, NULL, NULL, NULL},    /* encoded "\" */
		{"/r/%00", LG_EPARSE, 0, NULL, NULL, NULL},           /* NUL */
		{"/r/%0d%0aSet-Cookie:x", LG_EPARSE, 0, NULL, NULL, NULL},
		{"/r/%zz", LG_EPARSE, 0, NULL, NULL, NULL},
		{"/r/%4", LG_EPARSE, 0, NULL, NULL, NULL},
		{"//x", LG_EPARSE, 0, NULL, NULL, NULL},
		{"x/y", LG_EPARSE, 0, NULL, NULL, NULL},
		{"", LG_EPARSE, 0, NULL, NULL, NULL},
		{"/a/b/c/d/e/f/g/h/i", LG_ELIMIT, 0, NULL, NULL, NULL},
		{"/a#frag", LG_EPARSE, 0, NULL, NULL, NULL},
	};
	struct arena *a = arena_new();

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct http_target t;
		enum lg_status rc = http_parse_target(a, cases[i].in, strlen(cases[i].in), &t);

		if (rc != cases[i].rc)
			fail_msg("case %zu (%s): status %d, expected %d", i, cases[i].in, rc, cases[i].rc);
		if (rc)
			continue;
		assert_int_equal(t.nsegs, cases[i].nsegs);
		if (cases[i].seg1)
			assert_string_equal(t.segs[1], cases[i].seg1);
		if (cases[i].qkey)
			assert_string_equal(http_param(&t.query, cases[i].qkey), cases[i].qval);
	}
	{
		char big[HTTP_MAX_TARGET + 10];
		struct http_target t;

		memset(big, 'a', sizeof(big));
		big[0] = '/';
		assert_int_equal(http_parse_target(a, big, sizeof(big), &t), LG_ELIMIT);
	}
	arena_free(&a);
}

static void test_form_and_cookies(void **state)
{
	struct arena *a = arena_new();
	struct http_params ps;
	const char *form = "csrf=abc&email=jane.doe%40example.com&flag&name=J+D&empty=";
	const char *cookie = "lg_csrf=abc; bad; =x; q=\"quoted\"; lg_session=def";
	char many[HTTP_MAX_PARAMS * 4 + 8] = "";

	(void)state;
	assert_int_equal(http_parse_form(a, form, strlen(form), &ps), LG_OK);
	assert_int_equal(ps.n, 5);
	assert_string_equal(http_param(&ps, "email"), "jane.doe@example.com");
	assert_string_equal(http_param(&ps, "flag"), "");
	assert_string_equal(http_param(&ps, "name"), "J D");
	assert_null(http_param(&ps, "missing"));
	assert_int_equal(http_parse_form(a, "a=%0a", 5, &ps), LG_EPARSE);
	for (int i = 0; i <= HTTP_MAX_PARAMS; i++)
		strcat(many, "a=1&");
	assert_int_equal(http_parse_form(a, many, strlen(many), &ps), LG_ELIMIT);

	assert_int_equal(http_parse_cookies(a, cookie, strlen(cookie), &ps), LG_OK);
	assert_int_equal(ps.n, 2); /* malformed pairs are skipped */
	assert_string_equal(http_param(&ps, "lg_csrf"), "abc");
	assert_string_equal(http_param(&ps, "lg_session"), "def");
	arena_free(&a);
}

static void test_escape_and_render(void **state)
{
	struct buf b;
	struct html_var v[] = {{"heading", "<b>\"x\" & 'y'</b>"}, {"text", "plain"}};

	(void)state;
	buf_init(&b);
	html_escape(&b, "<script>alert('x')</script>&\"");
	assert_string_equal(b.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
	buf_reset(&b);
	html_render(&b, "error.html", v, ARRAY_LEN(v));
	assert_non_null(strstr(b.data, "<h1 id=\"error-title\">&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;</h1>"));
	assert_null(strstr(b.data, "{{"));
	buf_reset(&b);
	html_page(&b, "T<", "error.html", v, ARRAY_LEN(v));
	assert_non_null(strstr(b.data, "<title>T&lt; · leakguard</title>"));
	/* no inline script or style anywhere: the CSP would block it */
	assert_null(strstr(b.data, "<script>"));
	assert_null(strstr(b.data, "style="));
	buf_cleanup(&b);
}

static void test_tokens(void **state)
{
	char t1[TOKEN_LEN + 1], t2[TOKEN_LEN + 1], h[TOKEN_HEX], m1[TOKEN_LEN + 1], m2[TOKEN_LEN + 1];
	const uint8_t key[32] = {1, 2, 3};

	(void)state;
	assert_true(token_new(t1));
	assert_true(token_new(t2));
	assert_true(token_valid(t1));
	assert_string_not_equal(t1, t2);
	assert_false(token_valid("short"));
	assert_false(token_valid("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/"));
	token_hash("abc", h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	token_hmac(key, sizeof(key), "csrf:a", m1);
	token_hmac(key, sizeof(key), "csrf:b", m2);
	assert_string_not_equal(m1, m2);
	assert_true(token_equal(m1, m1));
	assert_false(token_equal(m1, m2));
	assert_false(token_equal("abc", "abcd"));
	assert_false(token_equal("abcd", "abc"));
	assert_false(token_equal("", "a"));
}

static void test_ratelimit(void **state)
{
	struct ratelimit *rl = ratelimit_new(3, 60, false), *off = ratelimit_new(0, 60, false);
	int retry;

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_take(rl, "10.0.0.1", 1000, &retry));
	assert_false(ratelimit_take(rl, "10.0.0.1", 1000, &retry));
	assert_int_equal(retry, 20); /* one token per 20 s */
	assert_true(ratelimit_take(rl, "10.0.0.2", 1000, &retry)); /* others unaffected */
	assert_false(ratelimit_take(rl, "10.0.0.1", 1010, &retry));
	assert_int_equal(retry, 10);
	assert_true(ratelimit_take(rl, "10.0.0.1", 1020, &retry));
	/* many clients: memory stays bounded, and a returning client starts fresh */
	for (int i = 0; i < 100000; i++) {
		char k[32];

		snprintf(k, sizeof(k), "c%d", i);
		ratelimit_take(rl, k, 2000, &retry);
	}
	for (int i = 0; i < 1000; i++)
		assert_true(ratelimit_take(off, "x", 0, &retry));
	ratelimit_free(&rl);
	ratelimit_free(&off);
	assert_null(rl);
}

/* The per-recipient cap (keep_live): a flood of other keys, more than the
 * table holds, never frees a recipient whose cap is used up; new keys are
 * refused instead until buckets refill, and then are served again. */
static void test_ratelimit_keep_live(void **state)
{
	struct ratelimit *cap = ratelimit_new(3, 3600, true), *lru = ratelimit_new(3, 3600, false);
	int retry, refused = 0;
	bool lru_freed;

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_true(ratelimit_take(cap, "victim@example.com", 1000, &retry));
		assert_true(ratelimit_take(lru, "victim@example.com", 1000, &retry));
	}
	for (int i = 0; i < 40000; i++) {
		char k[32];

		snprintf(k, sizeof(k), "r%d@example.com", i);
		refused += !ratelimit_take(cap, k, 1001, &retry);
		ratelimit_take(lru, k, 1001, &retry);
	}
	assert_true(refused > 0); /* 40,000 keys, 16,384 buckets */
	assert_false(ratelimit_take(cap, "victim@example.com", 1002, &retry));
	assert_true(retry > 0);
	lru_freed = ratelimit_take(lru, "victim@example.com", 1002, &retry);
	assert_true(lru_freed); /* what the cap must not do: an LRU table forgets the victim */
	/* an hour later every bucket has refilled: new keys are served */
	assert_true(ratelimit_take(cap, "late@example.com", 1000 + 3600 + 2, &retry));
	ratelimit_free(&cap);
	ratelimit_free(&lru);
}

static void test_client_key(void **state)
{
	static const struct {
		const char *ip, *key;
	} cases[] = {
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"::1", "::/64"},
		{"unknown", "unknown"},
	};
	char k[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		ratelimit_client_key(cases[i].ip, k, sizeof(k));
		if (strcmp(k, cases[i].key) != 0)
			fail_msg("client key of %s: %s, expected %s", cases[i].ip, k, cases[i].key);
	}
}

static void test_txt_and_domains(void **state)
{
	static const struct {
		const char *in, *out; /* out NULL: refused */
	} domains[] = {
		{"example.com", "example.com"},       {"Mail.Example.COM.", "example.com"},
		{"  example.co.uk ", "example.co.uk"}, {"co.uk", NULL},
		{"127.0.0.1", NULL},                   {"localhost", NULL},
		{"exa mple.com", NULL},                {"<script>.com", NULL},
		{"", NULL},                            {"bücher.de", "xn--bcher-kva.de"},
	};
	char out[PORTAL_TEXT_MAX];

	(void)state;
	assert_true(verify_txt_matches("leakguard-verification=TOK", 26, "TOK"));
	assert_true(verify_txt_matches(" leakguard-verification=TOK ", 28, "TOK"));
	assert_false(verify_txt_matches("leakguard-verification=TOKX", 27, "TOK"));
	assert_false(verify_txt_matches("leakguard-verification=", 23, "TOK"));
	assert_false(verify_txt_matches("TOK", 3, "TOK"));
	for (size_t i = 0; i < ARRAY_LEN(domains); i++) {
		bool ok = facts_domain_norm(domains[i].in, out);

		if (ok != (domains[i].out != NULL) || (ok && strcmp(out, domains[i].out) != 0))
			fail_msg("case %zu (%s): got %s", i, domains[i].in, ok ? out : "(refused)");
	}
	{
		char *u = verify_web_url("http://127.0.0.1:1/{domain}/x?d={domain}", "example.com");

		assert_string_equal(u, "http://127.0.0.1:1/example.com/x?d=example.com");
		free(u);
	}
}

/* A domain that resolves inward is never fetched: with a server listening
 * on loopback, the default-style URL (host = the domain) still refuses. */
static void test_web_private(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char url[64], why[512] = "";

	(void)state;
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	snprintf(url, sizeof(url), "http://{domain}:%u/x", ntohs(sa.sin_port));
	assert_false(verify_web(url, "127.0.0.1", "tok", why, sizeof(why)));
	assert_non_null(strstr(why, "private networks"));
	close(fd);
}

/* The address filter of the web check, table-driven: every inward or
 * special range, also inside an IPv6 address that carries an IPv4 one
 * (review F17: NAT64 and 6to4 around a private address went through). */
static void test_web_public(void **state)
{
	static const struct {
		const char *ip;
		bool public;
	} cases[] = {
		{"93.184.216.34", true},      {"8.8.8.8", true},           {"127.0.0.1", false},
		{"10.1.2.3", false},          {"172.16.0.1", false},       {"192.168.1.1", false},
		{"169.254.169.254", false},   {"100.64.0.1", false},       {"0.0.0.0", false},
		{"224.0.0.1", false},         {"198.18.0.1", false},       {"198.19.255.1", false},
		{"192.0.0.8", false},         {"192.0.2.1", false},        {"203.0.113.9", false},
		{"2606:2800:220:1::1", true}, {"::1", false},              {"::", false},
		{"fe80::1", false},           {"fc00::1", false},          {"fd12::1", false},
		{"fec0::1", false},           {"ff02::1", false},          {"::ffff:127.0.0.1", false},
		{"::ffff:8.8.8.8", true},     {"::127.0.0.1", false},      {"64:ff9b::7f00:1", false},
		{"64:ff9b::a9fe:a9fe", false}, {"64:ff9b::808:808", true}, {"64:ff9b:1::1", false},
		{"2002:7f00:1::1", false},    {"2002:c0a8:101::1", false}, {"2002:808:808::1", true},
		{"2001:0:4136:e378::1", false}, {"2001:db8::1", false},    {"100::1", false},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct sockaddr_in v4 = {.sin_family = AF_INET};
		struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
		const struct sockaddr *sa = NULL;

		if (inet_pton(AF_INET, cases[i].ip, &v4.sin_addr) == 1)
			sa = (const struct sockaddr *)&v4;
		else if (inet_pton(AF_INET6, cases[i].ip, &v6.sin6_addr) == 1)
			sa = (const struct sockaddr *)&v6;
		else
			fail_msg("case %zu: %s is no address", i, cases[i].ip);
		assert_non_null(sa);
		if (verify_web_public(sa) != cases[i].public)
			fail_msg("case %zu: %s taken as %s", i, cases[i].ip, cases[i].public ? "inward" : "public");
	}
}

static void test_password(void **state)
{
	struct portal_operator op = {.name = "alice"};

	(void)state;
	assert_true(password_set(&op, "correct horse"));
	assert_int_equal(op.iterations, PASSWORD_ITERATIONS);
	assert_true(password_check(&op, "correct horse"));
	assert_false(password_check(&op, "correct horsf"));
	assert_false(password_check(password_dummy(), ""));
	op.iterations = 0; /* a damaged row never matches */
	assert_false(password_check(&op, "correct horse"));
}

static bool count_rows(void *ctx, const struct portal_audit_row *r)
{
	int *n = ctx;

	if (*n == 0)
		assert_string_equal(r->action, "second"); /* newest first */
	(*n)++;
	return true;
}

static void test_store(void **state)
{
	char path[] = "/tmp/lg-portal-test-XXXXXX";
	int fd = mkstemp(path);
	struct portal_store *ps = NULL;
	char subject[PORTAL_TEXT_MAX], ref[PORTAL_TEXT_MAX];
	uint8_t s1[PORTAL_SECRET_LEN], s2[PORTAL_SECRET_LEN];
	struct portal_audit_row a1 = {1, "anonymous", "127.0.0.1", "first", "x", ""};
	struct portal_audit_row a2 = {2, "link", "127.0.0.1", "second", "y", ""};
	bool found;
	int n = 0;

	(void)state;
	close(fd);
	assert_int_equal(portal_store_open(path, &ps, NULL), LG_OK);
	assert_int_equal(portal_secret(ps, s1, NULL), LG_OK);
	assert_int_equal(portal_secret(ps, s2, NULL), LG_OK);
	assert_memory_equal(s1, s2, sizeof(s1)); /* created once, then kept */
	assert_int_equal(portal_link_add(ps, "h1", "address", "a@example.com", "", 100, NULL), LG_OK);
	assert_int_equal(portal_link_get(ps, "h1", "address", 99, subject, ref, &found, NULL), LG_OK);
	assert_true(found);
	assert_string_equal(subject, "a@example.com");
	portal_link_get(ps, "h1", "address", 100, subject, ref, &found, NULL); /* expired */
	assert_false(found);
	portal_link_get(ps, "h1", "confirm", 99, subject, ref, &found, NULL); /* other kind */
	assert_false(found);
	assert_int_equal(portal_store_expire(ps, 101, NULL), LG_OK);
	portal_link_get(ps, "h1", "address", 0, subject, ref, &found, NULL); /* deleted */
	assert_false(found);
	/* single use */
	assert_int_equal(portal_link_add(ps, "h2", "confirm", "example.com", "c1", 100, NULL), LG_OK);
	portal_link_take(ps, "h2", "address", 99, subject, ref, &found, NULL); /* other kind: kept */
	assert_false(found);
	assert_int_equal(portal_link_take(ps, "h2", "confirm", 99, subject, ref, &found, NULL), LG_OK);
	assert_true(found);
	assert_string_equal(ref, "c1");
	portal_link_take(ps, "h2", "confirm", 99, subject, ref, &found, NULL);
	assert_false(found);
	/* a rotated session keeps its domains and challenges under the new id only */
	{
		struct portal_session se = {.hash = "old", .kind = "org", .expires = 500}, got;
		struct portal_challenge c = {.id = "c1", .session = "old", .domain = "example.com", .token = "t", .expires = 500};
		bool yes;

		assert_int_equal(portal_session_add(ps, &se, NULL), LG_OK);
		assert_int_equal(portal_session_domain_add(ps, "old", "example.com", "dns", NULL), LG_OK);
		assert_int_equal(portal_challenge_add(ps, &c, NULL), LG_OK);
		assert_int_equal(portal_session_rotate(ps, "old", "new", 600, NULL), LG_OK);
		portal_session_get(ps, "old", 0, &got, &found, NULL);
		assert_false(found);
		portal_session_get(ps, "new", 0, &got, &found, NULL);
		assert_true(found);
		assert_int_equal(got.expires, 600);
		portal_session_has_domain(ps, "old", "example.com", &yes, NULL);
		assert_false(yes);
		portal_session_has_domain(ps, "new", "example.com", &yes, NULL);
		assert_true(yes);
		portal_challenge_get(ps, "c1", 0, &c, &found, NULL);
		assert_string_equal(c.session, "new");
	}
	/* lockout: the third failure in a row locks for 60 s; success clears */
	{
		bool locked;

		for (int i = 0; i < 2; i++) {
			assert_int_equal(portal_login_failed(ps, "alice", 1000, 3, 60, &locked, NULL), LG_OK);
			assert_false(locked);
		}
		portal_login_failed(ps, "alice", 1000, 3, 60, &locked, NULL);
		assert_true(locked);
		portal_login_locked(ps, "alice", 1059, &locked, NULL);
		assert_true(locked);
		portal_login_locked(ps, "bob", 1059, &locked, NULL);
		assert_false(locked);
		portal_login_locked(ps, "alice", 1060, &locked, NULL);
		assert_false(locked);
		portal_login_failed(ps, "alice", 1061, 3, 60, &locked, NULL); /* counting starts again */
		assert_false(locked);
		portal_login_failed(ps, "alice", 1061, 3, 60, &locked, NULL);
		assert_int_equal(portal_login_succeeded(ps, "alice", NULL), LG_OK);
		portal_login_failed(ps, "alice", 1061, 3, 60, &locked, NULL);
		assert_false(locked);
	}
	assert_int_equal(portal_audit_add(ps, &a1, NULL), LG_OK);
	assert_int_equal(portal_audit_add(ps, &a2, NULL), LG_OK);
	assert_int_equal(portal_audit_each(ps, 10, count_rows, &n, NULL), LG_OK);
	assert_int_equal(n, 2);
	portal_store_close(&ps);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target),       cmocka_unit_test(test_form_and_cookies),
		cmocka_unit_test(test_escape_and_render), cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_ratelimit),    cmocka_unit_test(test_txt_and_domains),
		cmocka_unit_test(test_password),     cmocka_unit_test(test_store),
		cmocka_unit_test(test_web_private), cmocka_unit_test(test_web_public), cmocka_unit_test(test_ratelimit_keep_live),
		cmocka_unit_test(test_client_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
