/* test_scan.c: the scanner's pure parts — name rules and generation, the
 * streaming listing reader, Azure/S3 answer classification on responses
 * constructed from the services' documented formats (NOT recorded from real
 * Azure or AWS), candidate scoring, PII counting, the config audit, and the
 * engine's refusal of any method but GET and HEAD. */
#include "testutil.h"

#include <jansson.h>

#include "scan/audit.h"
#include "scan/http.h"
#include "scan/listing.h"
#include "scan/names.h"
#include "scan/provider.h"
#include "scan/sample.h"

static void test_names_valid(void **state)
{
	static const struct {
		enum scan_name_kind k;
		const char *s;
		bool ok;
	} cases[] = {
		{SCAN_NAME_AZ_ACCOUNT, "contosobackup", true}, {SCAN_NAME_AZ_ACCOUNT, "ab", false},
		{SCAN_NAME_AZ_ACCOUNT, "Contoso", false}, {SCAN_NAME_AZ_ACCOUNT, "contoso-backup", false},
		{SCAN_NAME_AZ_ACCOUNT, "abcdefghijklmnopqrstuvwx", true}, {SCAN_NAME_AZ_ACCOUNT, "abcdefghijklmnopqrstuvwxy", false},
		{SCAN_NAME_AZ_CONTAINER, "invoices", true}, {SCAN_NAME_AZ_CONTAINER, "$web", true},
		{SCAN_NAME_AZ_CONTAINER, "a--b", false}, {SCAN_NAME_AZ_CONTAINER, "-abc", false},
		{SCAN_NAME_AZ_CONTAINER, "abc-", false}, {SCAN_NAME_AZ_CONTAINER, "ab", false},
		{SCAN_NAME_AZ_CONTAINER, "a.b.c", false}, {SCAN_NAME_AZ_CONTAINER, "my-files-2024", true},
		{SCAN_NAME_S3_BUCKET, "contoso-files", true}, {SCAN_NAME_S3_BUCKET, "contoso.files", true},
		{SCAN_NAME_S3_BUCKET, "contoso..files", false}, {SCAN_NAME_S3_BUCKET, "contoso.-files", false},
		{SCAN_NAME_S3_BUCKET, "192.168.1.1", false}, {SCAN_NAME_S3_BUCKET, "xn--abc", false},
		{SCAN_NAME_S3_BUCKET, "abc-s3alias", false}, {SCAN_NAME_S3_BUCKET, "Abc", false},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (scan_name_valid(cases[i].k, cases[i].s) != cases[i].ok)
			fail_msg("case %zu: %s", i, cases[i].s);
}

struct collected {
	enum scan_name_kind k;
	size_t n;
	bool saw_plain, saw_joined;
};

static bool collect(void *ctx, const char *name)
{
	struct collected *c = ctx;

	if (!scan_name_valid(c->k, name))
		fail_msg("invalid name generated: %s", name);
	if (strcmp(name, "contoso") == 0)
		c->saw_plain = true;
	if (strcmp(name, "contoso-backup") == 0 || strcmp(name, "contosobackup") == 0)
		c->saw_joined = true;
	c->n++;
	return true;
}

static void test_names_generate(void **state)
{
	const char *kw[] = {"Contoso", "ctso", "Contoso", "x"};

	(void)state;
	for (int k = 0; k < 3; k++) {
		struct collected c = {(enum scan_name_kind)k, 0, false, false};
		size_t n = scan_names_generate(c.k, kw, ARRAY_LEN(kw), NULL, 0, collect, &c);

		assert_int_equal(n, c.n);
		assert_true(c.saw_plain && c.saw_joined);
		assert_true(n > 40);
	}
}

struct objs {
	size_t n, prefixes;
	uint64_t bytes;
	char first[64];
};

static void on_obj(void *ctx, const struct scan_object *o)
{
	struct objs *b = ctx;

	if (o->prefix) {
		b->prefixes++;
		return;
	}
	if (!b->n)
		snprintf(b->first, sizeof(b->first), "%s", o->name);
	b->n++;
	b->bytes += o->size;
}

/* Constructed from the documented "List Blobs" response body. */
static const char azure_list[] =
	"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	"<EnumerationResults ServiceEndpoint=\"https://contoso.blob.core.windows.net/\" ContainerName=\"invoices\">"
	"<Prefix/><Marker/><MaxResults>2</MaxResults><Blobs>"
	"<Blob><Name>2024/a&amp;b.csv</Name><Properties><Content-Length>1200</Content-Length>"
	"<Content-Type>text/csv</Content-Type></Properties><Metadata/></Blob>"
	"<BlobPrefix><Name>2023/</Name></BlobPrefix>"
	"<Blob><Name><![CDATA[x.docx]]></Name><Properties><Content-Length>34</Content-Length></Properties></Blob>"
	"</Blobs><NextMarker>2!72!MDAwMDE5</NextMarker></EnumerationResults>";

/* Constructed from the documented ListObjectsV2 response. */
static const char s3_list[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	"<Name>contoso-files</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>"
	"<Contents><Key>users.csv</Key><Size>500</Size></Contents><Contents><Key>b.txt</Key><Size>5</Size></Contents>"
	"<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken></ListBucketResult>";

static void test_listing(void **state)
{
	static const struct {
		const char *body;
		enum scan_doc doc;
		const char *code, *next;
		size_t objects;
		uint64_t bytes;
	} cases[] = {
		{azure_list, SCAN_DOC_AZURE_LIST, "", "2!72!MDAwMDE5", 2, 1234},
		{s3_list, SCAN_DOC_S3_LIST, "", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=", 2, 505},
		{"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ContainerNotFound</Code><Message>The specified "
		 "container does not exist.\nRequestId:x</Message></Error>",
		 SCAN_DOC_ERROR, "ContainerNotFound", "", 0, 0},
		{"<Error><Code>AllAccessDisabled</Code><Message>All access to this object has been disabled</Message></Error>",
		 SCAN_DOC_ERROR, "AllAccessDisabled", "", 0, 0},
		{"<html><body>403 Forbidden</body></html>", SCAN_DOC_OTHER, "", "", 0, 0},
		{"<EnumerationResults><Blobs><Blob><Name>a</Name>", SCAN_DOC_NONE, "", "", 1, 0}, /* truncated: not well-formed */
		{"", SCAN_DOC_NONE, "", "", 0, 0},
		{"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><EnumerationResults>&a;</EnumerationResults>",
		 SCAN_DOC_NONE, "", "", 0, 0},
		{"EnumerationResults", SCAN_DOC_NONE, "", "", 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		for (size_t step = 1; step <= 7; step += 6) { /* whole, and in 7-byte chunks */
			struct objs o = {0};
			struct scan_listing *l = scan_listing_new(on_obj, &o);
			size_t n = strlen(cases[i].body);

			for (size_t p = 0; p < n; p += step == 1 ? n : step)
				scan_listing_push(l, cases[i].body + p, step == 1 ? n : (n - p < step ? n - p : step));
			scan_listing_finish(l);
			if (scan_listing_doc(l) != cases[i].doc)
				fail_msg("case %zu step %zu: doc %d", i, step, scan_listing_doc(l));
			assert_string_equal(scan_listing_error_code(l), cases[i].code);
			assert_string_equal(scan_listing_next(l), cases[i].next);
			if (cases[i].doc != SCAN_DOC_NONE) {
				assert_int_equal(o.n, cases[i].objects);
				assert_int_equal(scan_listing_bytes(l), cases[i].bytes);
			}
			if (i == 0) {
				assert_string_equal(o.first, "2024/a&b.csv");
				assert_int_equal(o.prefixes, 1);
			}
			scan_listing_free(&l);
			assert_null(l);
		}
	}
}

static void test_listing_deep(void **state)
{
	char body[4096];
	size_t n = 0;
	struct scan_listing *l = scan_listing_new(NULL, NULL);

	(void)state;
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "<a>");
	scan_listing_push(l, body, n);
	assert_false(scan_listing_finish(l));
	scan_listing_free(&l);
}

/* Answers constructed from Azure's and S3's documented error codes. */
static void test_classify(void **state)
{
	static const struct {
		const struct scan_provider *p;
		long status;
		enum scan_doc doc;
		const char *body, *hdr;
		enum scan_verdict v;
	} cases[] = {
		{&scan_provider_azure, 200, SCAN_DOC_AZURE_LIST, "", "", SCAN_V_LISTABLE},
		{&scan_provider_azure, 200, SCAN_DOC_OTHER, "", "", SCAN_V_UNKNOWN},   /* a portal page, not a listing */
		{&scan_provider_azure, 200, SCAN_DOC_NONE, "", "", SCAN_V_UNKNOWN},    /* malformed */
		{&scan_provider_azure, 404, SCAN_DOC_ERROR, "ContainerNotFound", "ContainerNotFound", SCAN_V_ABSENT},
		{&scan_provider_azure, 404, SCAN_DOC_ERROR, "ResourceNotFound", "ResourceNotFound", SCAN_V_CLOSED},
		{&scan_provider_azure, 404, SCAN_DOC_NONE, "", "", SCAN_V_UNKNOWN},    /* status alone: no verdict */
		{&scan_provider_azure, 409, SCAN_DOC_ERROR, "PublicAccessNotPermitted", "", SCAN_V_BLOCKED},
		{&scan_provider_azure, 403, SCAN_DOC_ERROR, "AuthorizationFailure", "", SCAN_V_CLOSED},
		{&scan_provider_azure, 403, SCAN_DOC_NONE, "", "NoAuthenticationInformation", SCAN_V_CLOSED},
		{&scan_provider_azure, 503, SCAN_DOC_ERROR, "ServerBusy", "", SCAN_V_RETRY},
		{&scan_provider_azure, 429, SCAN_DOC_NONE, "", "TooManyRequests", SCAN_V_RETRY},
		{&scan_provider_azure, 400, SCAN_DOC_ERROR, "InvalidQueryParameterValue", "", SCAN_V_UNKNOWN},
		{&scan_provider_s3, 200, SCAN_DOC_S3_LIST, "", "", SCAN_V_LISTABLE},
		{&scan_provider_s3, 200, SCAN_DOC_AZURE_LIST, "", "", SCAN_V_UNKNOWN},
		{&scan_provider_s3, 404, SCAN_DOC_ERROR, "NoSuchBucket", "", SCAN_V_ABSENT},
		{&scan_provider_s3, 404, SCAN_DOC_NONE, "", "", SCAN_V_UNKNOWN},
		{&scan_provider_s3, 403, SCAN_DOC_ERROR, "AccessDenied", "", SCAN_V_CLOSED},
		{&scan_provider_s3, 403, SCAN_DOC_ERROR, "AllAccessDisabled", "", SCAN_V_BLOCKED},
		{&scan_provider_s3, 503, SCAN_DOC_ERROR, "SlowDown", "", SCAN_V_RETRY},
		{&scan_provider_s3, 301, SCAN_DOC_ERROR, "PermanentRedirect", "", SCAN_V_UNKNOWN},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		enum scan_verdict v = cases[i].p->classify_list(cases[i].status, cases[i].doc, cases[i].body, cases[i].hdr);

		if (v != cases[i].v)
			fail_msg("case %zu: verdict %d, expected %d", i, v, cases[i].v);
	}
	assert_int_equal(scan_provider_azure.classify_object(200, ""), SCAN_O_READABLE);
	assert_int_equal(scan_provider_azure.classify_object(404, "BlobNotFound"), SCAN_O_READ_ALLOWED);
	assert_int_equal(scan_provider_azure.classify_object(404, "ResourceNotFound"), SCAN_O_DENIED);
	assert_int_equal(scan_provider_azure.classify_object(403, "AuthorizationFailure"), SCAN_O_DENIED);
	assert_int_equal(scan_provider_s3.classify_object(403, ""), SCAN_O_DENIED);
}

static void test_urls(void **state)
{
	struct buf u;

	(void)state;
	buf_init(&u);
	scan_provider_azure.list_url(&u, "https://a.blob.core.windows.net/c", "2!72!M/A=", 100);
	assert_string_equal(u.data, "https://a.blob.core.windows.net/c?restype=container&comp=list&maxresults=100&marker=2%2172%21M%2FA%3D");
	buf_reset(&u);
	scan_provider_s3.list_url(&u, "https://b.s3.amazonaws.com", "", 5000);
	assert_string_equal(u.data, "https://b.s3.amazonaws.com/?list-type=2&max-keys=1000");
	buf_reset(&u);
	scan_provider_azure.object_url(&u, "http://h/acct/c", "dir/a b#.csv");
	assert_string_equal(u.data, "http://h/acct/c/dir/a%20b%23.csv");
	buf_cleanup(&u);
}

/* S3's PermanentRedirect: followed within the provider's domain only. */
static void test_redirect(void **state)
{
	static const struct {
		const char *root, *endpoint;
		long status;
		const char *code;
		enum scan_redirect want;
		const char *new_root; /* FOLLOW: where; REFUSED: a word of the sentence */
	} cases[] = {
		{"https://b1.s3.amazonaws.com", "b1.s3.eu-west-1.amazonaws.com", 301, "PermanentRedirect",
		 SCAN_REDIRECT_FOLLOW, "https://b1.s3.eu-west-1.amazonaws.com"},
		{"https://s3.amazonaws.com/my.bucket", "s3.eu-west-1.amazonaws.com", 301, "PermanentRedirect",
		 SCAN_REDIRECT_FOLLOW, "https://s3.eu-west-1.amazonaws.com/my.bucket"},
		{"https://s3.cn-north-1.amazonaws.com.cn/b1", "s3.cn-northwest-1.amazonaws.com.cn", 301, "PermanentRedirect",
		 SCAN_REDIRECT_FOLLOW, "https://s3.cn-northwest-1.amazonaws.com.cn/b1"},
		{"http://127.0.0.1:9000/b1", "127.0.0.1:9001", 301, "PermanentRedirect", SCAN_REDIRECT_FOLLOW,
		 "http://127.0.0.1:9001/b1"},
		{"https://s3.wasabisys.com/b1", "s3.eu-central-1.wasabisys.com", 301, "PermanentRedirect",
		 SCAN_REDIRECT_FOLLOW, "https://s3.eu-central-1.wasabisys.com/b1"},
		{"https://b1.s3.amazonaws.com", "attacker.example", 301, "PermanentRedirect", SCAN_REDIRECT_REFUSED,
		 "attacker.example"},
		{"https://b1.s3.amazonaws.com", "amazonaws.com.attacker.example", 301, "PermanentRedirect",
		 SCAN_REDIRECT_REFUSED, "amazonaws.com"},
		{"https://b1.s3.amazonaws.com", "notamazonaws.com", 301, "PermanentRedirect", SCAN_REDIRECT_REFUSED,
		 "notamazonaws.com"},
		{"http://127.0.0.1:9000/b1", "localhost:9001", 301, "PermanentRedirect", SCAN_REDIRECT_REFUSED,
		 "127.0.0.1"},
		{"http://127.0.0.1:9000/b1", "127.0.0.2:9001", 301, "PermanentRedirect", SCAN_REDIRECT_REFUSED, ""},
		{"http://127.0.0.1:9000/b1", "127.0.0.1:1:2", 301, "PermanentRedirect", SCAN_REDIRECT_REFUSED, ""},
		{"https://b1.s3.amazonaws.com", "b1.s3.eu-west-1.amazonaws.com", 403, "PermanentRedirect",
		 SCAN_REDIRECT_NONE, ""},
		{"https://b1.s3.amazonaws.com", "b1.s3.eu-west-1.amazonaws.com", 301, "AccessDenied", SCAN_REDIRECT_NONE,
		 ""},
		{"https://b1.s3.amazonaws.com", "x.amazonaws.com/path", 301, "PermanentRedirect", SCAN_REDIRECT_NONE, ""},
	};
	struct buf root, why;

	(void)state;
	assert_null(scan_provider_azure.redirect);
	buf_init(&root);
	buf_init(&why);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const char *bucket = strstr(cases[i].root, "b1") ? "b1" : "my.bucket";
		enum scan_redirect r;

		buf_reset(&root);
		buf_reset(&why);
		r = scan_provider_s3.redirect(cases[i].root, bucket, cases[i].status, SCAN_DOC_ERROR, cases[i].code,
					      cases[i].endpoint, &root, &why);
		if (r != cases[i].want)
			fail_msg("case %zu (%s): %d, expected %d", i, cases[i].endpoint, r, cases[i].want);
		if (r == SCAN_REDIRECT_FOLLOW)
			assert_string_equal(root.data, cases[i].new_root);
		if (r == SCAN_REDIRECT_REFUSED && !strstr(why.data, cases[i].new_root))
			fail_msg("case %zu: \"%s\" does not name %s", i, why.data, cases[i].new_root);
	}
	buf_cleanup(&root);
	buf_cleanup(&why);
}

static void test_sample(void **state)
{
	static const unsigned char salt[16] = {1, 2, 3};
	static const char text[] = "name,email,phone,company\n"
				   "Alice Archer,alice@contoso.example,+49 30 5550001,Contoso Trading GmbH\n"
				   "Bruno Brandt,bruno@contoso.example,+49 30 5550002,Contoso Trading GmbH\n"
				   "Alice Archer,ALICE@contoso.example,+49 30 5550001,Fabrikam Inc\n";
	struct scan_pii p;

	(void)state;
	assert_true(scan_sample_score("exports/customers.csv", "", 5000) > scan_sample_score("notes.txt", "", 5000));
	assert_int_equal(scan_sample_score("logo.png", "image/png", 5000), 0);
	assert_int_equal(scan_sample_score("empty.csv", "", 0), 0);
	scan_pii_init(&p);
	scan_pii_scan(&p, salt, text, strlen(text));
	assert_int_equal(p.count[SCAN_PII_EMAIL], 2);
	assert_int_equal(p.count[SCAN_PII_PHONE], 2);
	assert_int_equal(p.count[SCAN_PII_NAME], 2);
	assert_int_equal(p.count[SCAN_PII_ORG], 2);
	scan_pii_cleanup(&p);
}

/* Account totals: the union of its containers' values, not the sum. */
static void test_pii_merge(void **state)
{
	static const unsigned char salt[16] = {9};
	static const char a[] = "Alice Archer,alice@contoso.example,+49 30 5550001\n"
				"Bruno Brandt,bruno@contoso.example,+49 30 5550002\n";
	static const char b[] = "Alice Archer,alice@contoso.example,+49 30 5550001\n"
				"Chloe Castillo,chloe@fabrikam.example,+49 30 5550003\n";
	struct scan_pii x, y, acct;

	(void)state;
	scan_pii_init(&x);
	scan_pii_init(&y);
	scan_pii_init(&acct);
	scan_pii_scan(&x, salt, a, strlen(a));
	scan_pii_scan(&y, salt, b, strlen(b));
	scan_pii_merge(&acct, &x);
	scan_pii_merge(&acct, &y);
	scan_pii_merge(&acct, &x); /* merging twice adds nothing */
	assert_int_equal(x.count[SCAN_PII_EMAIL] + y.count[SCAN_PII_EMAIL], 4);
	assert_int_equal(acct.count[SCAN_PII_EMAIL], 3);
	assert_int_equal(acct.count[SCAN_PII_PHONE], 3);
	assert_int_equal(acct.count[SCAN_PII_NAME], 3);
	assert_false(acct.full);
	scan_pii_cleanup(&x);
	scan_pii_cleanup(&y);
	scan_pii_cleanup(&acct);
}

static void count_finding(void *ctx, const struct scan_finding *f)
{
	(*(size_t *)ctx)++;
	assert_non_null(f->path);
	assert_true(f->path[0] == '$');
}

static void test_audit(void **state)
{
	static const struct {
		const char *json;
		size_t findings;
	} cases[] = {
		{"[{\"name\":\"a\",\"allowBlobPublicAccess\":true},{\"name\":\"b\",\"allowBlobPublicAccess\":false}]", 1},
		{"[{\"name\":\"c\",\"properties\":{\"publicAccess\":\"container\"}},{\"name\":\"d\",\"properties\":{\"publicAccess\":null}}]", 1},
		{"{\"resources\":[{\"type\":\"Microsoft.Storage/storageAccounts/blobServices/containers\",\"name\":\"x\",\"properties\":{\"publicAccess\":\"Blob\"}}]}", 1},
		{"{\"resources\":[{\"type\":\"aws_s3_bucket\",\"address\":\"aws_s3_bucket.b\",\"values\":{\"bucket\":\"b\"}}]}", 1},
		{"{\"resources\":[{\"type\":\"aws_s3_bucket\",\"values\":{\"bucket\":\"b\"}},{\"type\":\"aws_s3_bucket_public_access_block\",\"values\":{\"bucket\":\"b\",\"block_public_acls\":true,\"block_public_policy\":true,\"ignore_public_acls\":true,\"restrict_public_buckets\":true}}]}", 0},
		{"{\"resources\":[{\"type\":\"aws_s3_bucket\",\"values\":{\"bucket\":\"b\"}},{\"type\":\"aws_s3_bucket_public_access_block\",\"values\":{\"bucket\":\"b\",\"block_public_acls\":false}}]}", 1},
		{"{\"x\":[1,2,{\"y\":\"z\"}]}", 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		json_error_t je;
		json_t *doc = json_loads(cases[i].json, 0, &je);
		size_t n = 0, r;

		assert_non_null(doc);
		r = scan_audit_json("t.json", doc, count_finding, &n);
		json_decref(doc);
		if (n != cases[i].findings || r != n)
			fail_msg("case %zu: %zu findings, expected %zu", i, n, cases[i].findings);
	}
}

static void never_done(struct scan_req *r, const struct scan_resp *resp)
{
	(void)r;
	(void)resp;
	fail_msg("a refused request completed");
}

/* Only GET and HEAD exist: every other method value, and any non-HTTP URL,
 * is refused before anything touches the network. */
static void test_methods(void **state)
{
	struct scan_http_opts o = {0, 1000, 4, 0};
	struct scan_http *h = NULL;
	struct scan_req r;

	(void)state;
	assert_int_equal(scan_http_new(&o, &h), LG_OK);
	for (int m = -3; m < 64; m++) {
		memset(&r, 0, sizeof(r));
		r.method = (enum scan_method)m;
		r.url = (char *)"http://127.0.0.1:9/x";
		r.on_done = never_done;
		if (m == SCAN_GET || m == SCAN_HEAD)
			continue;
		assert_int_equal(scan_http_submit(h, &r, 0), LG_EUSAGE);
	}
	memset(&r, 0, sizeof(r));
	r.method = SCAN_GET;
	r.url = (char *)"ftp://127.0.0.1/x";
	r.on_done = never_done;
	assert_int_equal(scan_http_submit(h, &r, 0), LG_EUSAGE);
	r.url = (char *)"file:///etc/passwd";
	assert_int_equal(scan_http_submit(h, &r, 0), LG_EUSAGE);
	scan_http_run(h, NULL, NULL); /* nothing queued: returns at once */
	scan_http_free(&h);
	assert_null(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_valid), cmocka_unit_test(test_names_generate),
		cmocka_unit_test(test_listing),     cmocka_unit_test(test_listing_deep),
		cmocka_unit_test(test_classify),    cmocka_unit_test(test_urls),
		cmocka_unit_test(test_redirect),
		cmocka_unit_test(test_sample),      cmocka_unit_test(test_pii_merge),
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_methods),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
