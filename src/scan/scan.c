/* scan.c: targets and their state machines over the http.h engine
 * (scan.h). Each target walks LIST (pages) -> PROBE (object names, when
 * not listable) -> SAMPLE (Range GETs) -> done, one request at a time. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan/http.h"
#include "scan/listing.h"
#include "scan/names.h"
#include "scan/scan.h"
#include "util/alloc.h"
#include "util/buf.h"

enum step { STEP_LIST, STEP_PROBE, STEP_SAMPLE };

struct cand {
	char *name;
	int score;
};

struct account;

struct target {
	struct scan *s;
	const struct scan_provider *p;
	struct account *acct;
	char *display, *root, *parent;
	bool expanded;
	enum scan_state state;
	bool done;
	struct buf evidence;
	enum step step;
	unsigned pages;
	char *marker;
	uint64_t objects, bytes;
	bool truncated;
	bool redirected; /* a 301 PermanentRedirect was followed (once only) */
	struct cand *cand; /* kcap entries, allocated with the first candidate */
	size_t ncand, kcap;
	size_t probe_i;
	bool read_allowed;
	char *readable;
	size_t sample_i;
	struct buf sample;
	uint64_t sample_want;
	uint64_t sampled, sample_bytes;
	uint64_t requests, bytes_received;
	int retries;
	uint64_t last_req_ms;
	struct scan_pii pii;
	struct scan_listing *listing;
	struct buf url;
	struct scan_req req;
};

struct account {
	const struct scan_provider *p;
	char *name, *endpoint;
	char **containers;
	size_t ncontainers;
	enum scan_state dns; /* SCAN_PRIVATE: exists; SCAN_ABSENT; SCAN_UNKNOWN */
	bool checked;
	enum scan_state best;
	uint64_t objects, bytes, requests, bytes_received, sampled, sample_bytes;
	bool truncated;
	struct scan_pii pii;
};

struct scan {
	struct scan_opts o;
	struct scan_http *http;
	struct target **t;
	size_t nt, capt;
	struct account **a;
	size_t na, capa;
	uint64_t done, open, started_ms, sample_seq;
	uint64_t samples_failed;
	char sample_error[4400]; /* the first sample that could not be written */
	void (*report)(void *ctx, const struct scan_report *r);
	void *ctx;
};

const char *scan_state_name(enum scan_state s)
{
	static const char *const names[] = {"absent", "private", "public-blob", "public-list", "blocked", "unknown"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

static int rank(enum scan_state s)
{
	static const int r[] = {0, 2, 4, 5, 3, 1};

	return r[s];
}

void scan_opts_default(struct scan_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->rate = 0;
	o->target_rate = 50;
	o->timeout_ms = 10000;
	o->max_inflight = 256;
	o->max_bytes = 64 * 1024;
	o->sample_bytes = 4096;
	o->max_pages = 20;
	o->page_size = 5000;
	o->probe_objects = true;
}

enum lg_status scan_new(const struct scan_opts *o, struct scan **out, struct errbuf *err)
{
	struct scan_http_opts ho = {o->rate, o->timeout_ms, o->max_inflight, 0};
	struct scan *s = lg_calloc(1, sizeof(*s));
	enum lg_status rc = scan_http_new(&ho, &s->http);

	if (rc) {
		lg_free(s);
		return errbuf_set(err, rc, "cannot start the HTTP engine (libcurl)");
	}
	s->o = *o;
	if (s->o.sample_bytes == 0)
		s->o.sample_bytes = 4096;
	if (s->o.page_size == 0)
		s->o.page_size = 5000;
	*out = s;
	return LG_OK;
}

static void target_free(struct target *t)
{
	lg_free(t->display);
	lg_free(t->root);
	lg_free(t->parent);
	lg_free(t->marker);
	lg_free(t->readable);
	for (size_t i = 0; i < t->ncand; i++)
		lg_free(t->cand[i].name);
	lg_free(t->cand);
	buf_cleanup(&t->evidence);
	buf_cleanup(&t->sample);
	buf_cleanup(&t->url);
	scan_pii_cleanup(&t->pii);
	scan_listing_free(&t->listing);
	lg_free(t);
}

void scan_free(struct scan **ps)
{
	struct scan *s = ps ? *ps : NULL;

	if (!s)
		return;
	for (size_t i = 0; i < s->nt; i++)
		target_free(s->t[i]);
	lg_free(s->t);
	for (size_t i = 0; i < s->na; i++) {
		struct account *a = s->a[i];

		for (size_t k = 0; k < a->ncontainers; k++)
			lg_free(a->containers[k]);
		lg_free(a->containers);
		lg_free(a->name);
		lg_free(a->endpoint);
		scan_pii_cleanup(&a->pii);
		lg_free(a);
	}
	lg_free(s->a);
	scan_http_free(&s->http);
	lg_free(s);
	*ps = NULL;
}

static struct target *add_target(struct scan *s, const struct scan_provider *p, const char *display, const char *root,
				 const char *parent, bool expanded)
{
	struct target *t = lg_calloc(1, sizeof(*t));

	t->s = s;
	t->p = p;
	t->display = lg_strdup(display);
	t->root = lg_strdup(root);
	t->parent = parent ? lg_strdup(parent) : NULL;
	t->expanded = expanded;
	t->state = SCAN_UNKNOWN;
	buf_init(&t->evidence);
	buf_init(&t->sample);
	buf_init(&t->url);
	scan_pii_init(&t->pii);
	t->kcap = (size_t)((s->o.max_bytes + s->o.sample_bytes - 1) / s->o.sample_bytes);
	if (t->kcap > SCAN_MAX_SAMPLES)
		t->kcap = SCAN_MAX_SAMPLES;
	s->t = lg_grow(s->t, &s->capt, s->nt + 1, sizeof(*s->t));
	s->t[s->nt++] = t;
	return t;
}

void scan_add_container(struct scan *s, const struct scan_provider *p, const char *display, const char *root,
			const char *parent, bool expanded)
{
	add_target(s, p, display, root, parent, expanded);
}

void scan_add_azure_account(struct scan *s, const char *account, const char *endpoint, const char *const *containers,
			    size_t ncontainers)
{
	struct account *a = lg_calloc(1, sizeof(*a));

	a->p = &scan_provider_azure;
	a->name = lg_strdup(account);
	a->endpoint = endpoint ? lg_strdup(endpoint) : NULL;
	a->containers = lg_calloc(ncontainers ? ncontainers : 1, sizeof(char *));
	for (size_t i = 0; i < ncontainers; i++)
		a->containers[i] = lg_strdup(containers[i]);
	a->ncontainers = ncontainers;
	a->dns = SCAN_UNKNOWN;
	a->best = SCAN_ABSENT;
	scan_pii_init(&a->pii);
	s->a = lg_grow(s->a, &s->capa, s->na + 1, sizeof(*s->a));
	s->a[s->na++] = a;
}

/* ---------------------------------------------------------------- finishing */


static void finish(struct target *t, enum scan_state st)
{
	struct scan *s = t->s;
	struct scan_report r;

	if (t->done)
		return;
	t->state = st;
	t->done = true;
	s->done++;
	if (st == SCAN_PUBLIC_LIST || st == SCAN_PUBLIC_BLOB)
		s->open++;
	scan_listing_free(&t->listing);
	if (t->acct) {
		struct account *a = t->acct;

		if (rank(st) > rank(a->best))
			a->best = st;
		a->objects += t->objects;
		a->truncated |= t->truncated;
		a->bytes += t->bytes;
		a->requests += t->requests;
		a->bytes_received += t->bytes_received;
		a->sampled += t->sampled;
		a->sample_bytes += t->sample_bytes;
		scan_pii_merge(&a->pii, &t->pii);
	}
	if (t->expanded && st == SCAN_ABSENT)
		return;
	memset(&r, 0, sizeof(r));
	r.target = t->display;
	r.provider = t->p->scheme;
	r.url = t->root;
	r.parent = t->parent;
	r.expanded = t->expanded;
	r.state = st;
	r.evidence = t->evidence.data ? t->evidence.data : "";
	r.objects = t->objects;
	r.bytes = t->bytes;
	r.pages = t->pages;
	r.truncated = t->truncated;
	r.sampled = t->sampled;
	r.sample_bytes = t->sample_bytes;
	r.requests = t->requests;
	r.bytes_received = t->bytes_received;
	r.pii = &t->pii;
	r.readable = t->readable;
	if (s->report)
		s->report(s->ctx, &r);
	/* free the bulky parts early: a long run keeps only the small struct */
	buf_cleanup(&t->sample);
	scan_pii_cleanup(&t->pii);
	buf_cleanup(&t->url);
}

static void evidence(struct target *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void evidence(struct target *t, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	buf_reset(&t->evidence);
	buf_append(&t->evidence, line, strlen(line));
}

/* ---------------------------------------------------------------- requests */

static void on_done(struct scan_req *r, const struct scan_resp *resp);
static bool on_body(struct scan_req *r, const char *p, size_t n);

static void submit(struct target *t, enum scan_method m, uint64_t range, uint64_t extra_delay)
{
	uint64_t now = scan_now_ms(), delay = extra_delay;

	if (t->s->o.target_rate > 0 && t->last_req_ms) {
		uint64_t gap = (uint64_t)(1000.0 / t->s->o.target_rate);

		if (t->last_req_ms + gap > now + delay)
			delay = t->last_req_ms + gap - now;
	}
	t->last_req_ms = now + delay;
	memset(&t->req, 0, sizeof(t->req));
	t->req.method = m;
	t->req.url = t->url.data;
	t->req.range_len = range;
	t->req.on_body = m == SCAN_GET ? on_body : NULL;
	t->req.on_done = on_done;
	t->req.owner = t;
	t->requests++;
	if (scan_http_submit(t->s->http, &t->req, delay)) {
		evidence(t, "%s: the request could not be queued", t->url.data);
		finish(t, SCAN_UNKNOWN);
	}
}

static void list_next(struct target *t)
{
	buf_reset(&t->url);
	t->p->list_url(&t->url, t->root, t->marker ? t->marker : "", t->s->o.page_size);
	scan_listing_free(&t->listing);
	t->step = STEP_LIST;
	submit(t, SCAN_GET, 0, 0);
}

static void probe_next(struct target *t)
{
	if (t->probe_i >= scan_common_nobjects || !t->s->o.probe_objects) {
		if (t->readable || t->read_allowed) {
			t->state = SCAN_PUBLIC_BLOB;
			t->step = STEP_SAMPLE;
			t->sample_i = 0;
			/* falls through to sampling by the caller */
			return;
		}
		finish(t, SCAN_PRIVATE);
		return;
	}
	buf_reset(&t->url);
	t->p->object_url(&t->url, t->root, scan_common_objects[t->probe_i]);
	t->step = STEP_PROBE;
	submit(t, SCAN_HEAD, 0, 0);
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return y->score - x->score;
}

static void sample_next(struct target *t)
{
	uint64_t left = t->s->o.max_bytes > t->sample_bytes ? t->s->o.max_bytes - t->sample_bytes : 0;

	if (t->sample_i == 0 && t->ncand > 1)
		qsort(t->cand, t->ncand, sizeof(t->cand[0]), cand_cmp);
	if (t->sample_i >= t->ncand || left == 0) {
		finish(t, t->state);
		return;
	}
	t->sample_want = left < t->s->o.sample_bytes ? left : t->s->o.sample_bytes;
	buf_reset(&t->sample);
	buf_reset(&t->url);
	t->p->object_url(&t->url, t->root, t->cand[t->sample_i].name);
	t->step = STEP_SAMPLE;
	submit(t, SCAN_GET, t->sample_want, 0);
}

static void add_cand(struct target *t, const char *name, int score)
{
	size_t min = 0;

	if (score <= 0 || t->kcap == 0)
		return;
	if (!t->cand)
		t->cand = lg_calloc(t->kcap, sizeof(*t->cand));
	if (t->ncand < t->kcap) {
		t->cand[t->ncand].name = lg_strdup(name);
		t->cand[t->ncand++].score = score;
		return;
	}
	for (size_t i = 1; i < t->ncand; i++)
		if (t->cand[i].score < t->cand[min].score)
			min = i;
	if (t->cand[min].score >= score)
		return;
	lg_free(t->cand[min].name);
	t->cand[min].name = lg_strdup(name);
	t->cand[min].score = score;
}

static void on_object(void *ctx, const struct scan_object *o)
{
	struct target *t = ctx;

	if (!o->prefix)
		add_cand(t, o->name, scan_sample_score(o->name, o->content_type, o->size));
}

static bool on_body(struct scan_req *r, const char *p, size_t n)
{
	struct target *t = r->owner;

	t->bytes_received += n;
	if (t->step == STEP_LIST) {
		if (!t->listing)
			t->listing = scan_listing_new(on_object, t);
		return t->listing && scan_listing_push(t->listing, p, n);
	}
	if (t->step == STEP_SAMPLE)
		return buf_append_max(&t->sample, p, n, t->sample_want) && t->sample.len < t->sample_want;
	return true;
}

static uint64_t backoff_ms(struct target *t, const struct scan_resp *resp)
{
	uint64_t d = 250ull << t->retries;

	if (resp->retry_after > 0 && (uint64_t)resp->retry_after * 1000 > d)
		d = (uint64_t)resp->retry_after * 1000;
	return d > 30000 ? 30000 : d;
}

/* The transport failed: no answer to judge. */
static bool transport_failed(struct target *t, const struct scan_resp *resp)
{
	if (resp->status != 0)
		return false;
	if (resp->timed_out)
		evidence(t, "%s: no answer within the timeout", t->url.data);
	else if (resp->resolve_failed)
		evidence(t, "%s: the host name did not resolve", t->url.data);
	else
		evidence(t, "%s: connection failed", t->url.data);
	finish(t, SCAN_UNKNOWN);
	return true;
}

static void write_sample(struct target *t)
{
	char path[4096];
	int fd;

	if (!t->s->o.sample_dir || !t->sample.len)
		return;
	snprintf(path, sizeof(path), "%s/sample-%06llu.txt", t->s->o.sample_dir,
		 (unsigned long long)++t->s->sample_seq);
	/* a new file only: a link or file planted under the name is refused,
	 * never written through */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, t->sample.data, t->sample.len) != (ssize_t)t->sample.len) {
		if (!t->s->samples_failed++)
			snprintf(t->s->sample_error, sizeof(t->s->sample_error), "%s: %s", path, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
}

/* A listing answer that sends the target elsewhere, followed once (the
 * provider decides where, and what it refuses). Returns true when the
 * answer was a redirect, followed or refused. */
static bool follow_redirect(struct target *t, const struct scan_resp *resp, enum scan_doc doc, const char *code)
{
	const char *ep = t->listing ? scan_listing_endpoint(t->listing) : "";
	const char *container = strstr(t->display, "://");
	struct buf root, why;
	enum scan_redirect r;

	if (!t->p->redirect || t->redirected)
		return false;
	buf_init(&root);
	buf_init(&why);
	r = t->p->redirect(t->root, container ? container + 3 : t->display, resp->status, doc, code, ep, &root, &why);
	if (r == SCAN_REDIRECT_REFUSED) {
		evidence(t, "%s", why.data);
		finish(t, SCAN_UNKNOWN);
	} else if (r == SCAN_REDIRECT_FOLLOW) {
		lg_free(t->root);
		t->root = lg_strdup(root.data);
		t->redirected = true;
		list_next(t);
	}
	buf_cleanup(&root);
	buf_cleanup(&why);
	return r != SCAN_REDIRECT_NONE;
}

static void done_list(struct target *t, const struct scan_resp *resp)
{
	enum scan_doc doc = SCAN_DOC_NONE;
	const char *code = "";
	enum scan_verdict v;

	if (t->listing) {
		scan_listing_finish(t->listing);
		doc = scan_listing_doc(t->listing);
		code = scan_listing_error_code(t->listing);
	}
	if (follow_redirect(t, resp, doc, code))
		return;
	v = t->p->classify_list(resp->status, doc, code, resp->error_code);
	switch (v) {
	case SCAN_V_LISTABLE:
		t->retries = 0;
		t->pages++;
		t->objects += scan_listing_objects(t->listing);
		t->bytes += scan_listing_bytes(t->listing);
		t->state = SCAN_PUBLIC_LIST;
		evidence(t, "HTTP %ld with a parsed %s listing: anyone can list the objects", resp->status,
			 doc == SCAN_DOC_AZURE_LIST ? "EnumerationResults" : "ListBucketResult");
		lg_free(t->marker);
		t->marker = NULL;
		if (*scan_listing_next(t->listing)) {
			if (t->pages < t->s->o.max_pages) {
				t->marker = lg_strdup(scan_listing_next(t->listing));
				list_next(t);
				return;
			}
			/* the NextMarker proves more objects; how many is unknown
			 * (Azure markers are opaque), so the report says "at least" */
			t->truncated = true;
			evidence(t, "HTTP %ld with a parsed %s listing: anyone can list the objects; the page cap "
				 "stopped the listing after %u pages: at least %llu objects",
				 resp->status, doc == SCAN_DOC_AZURE_LIST ? "EnumerationResults" : "ListBucketResult",
				 t->pages, (unsigned long long)t->objects + 1);
		}
		scan_listing_free(&t->listing);
		t->sample_i = 0;
		sample_next(t);
		return;
	case SCAN_V_CLOSED:
		t->state = SCAN_PRIVATE;
		evidence(t, "listing refused (%s, HTTP %ld)", *code ? code : resp->error_code, resp->status);
		scan_listing_free(&t->listing);
		t->probe_i = 0;
		probe_next(t);
		if (t->step == STEP_SAMPLE && !t->done)
			sample_next(t);
		return;
	case SCAN_V_ABSENT:
		evidence(t, "the service says it does not exist (%s, HTTP %ld)", *code ? code : resp->error_code,
			 resp->status);
		finish(t, SCAN_ABSENT);
		return;
	case SCAN_V_BLOCKED:
		evidence(t, "public access is disabled (%s, HTTP %ld)", *code ? code : resp->error_code, resp->status);
		finish(t, SCAN_BLOCKED);
		return;
	case SCAN_V_RETRY:
		if (t->retries < SCAN_MAX_RETRIES) {
			uint64_t d = backoff_ms(t, resp);

			t->retries++;
			scan_listing_free(&t->listing);
			submit(t, SCAN_GET, 0, d);
			return;
		}
		evidence(t, "throttled (%s, HTTP %ld) after every retry", *code ? code : resp->error_code, resp->status);
		finish(t, t->state == SCAN_PUBLIC_LIST ? SCAN_PUBLIC_LIST : SCAN_UNKNOWN);
		return;
	case SCAN_V_UNKNOWN:
		if (transport_failed(t, resp))
			return;
		evidence(t, "an answer that proves nothing (%s, HTTP %ld)",
			 *code ? code : *resp->error_code ? resp->error_code : doc == SCAN_DOC_NONE ? "no well-formed body" : "unexpected body",
			 resp->status);
		finish(t, t->state == SCAN_PUBLIC_LIST ? SCAN_PUBLIC_LIST : SCAN_UNKNOWN);
		return;
	}
}

static void done_probe(struct target *t, const struct scan_resp *resp)
{
	const char *name = scan_common_objects[t->probe_i];

	switch (t->p->classify_object(resp->status, resp->error_code)) {
	case SCAN_O_READABLE:
		if (!t->readable) {
			t->readable = lg_strdup(name);
			evidence(t, "listing refused but %s can be read by anyone (HTTP %ld)", name, resp->status);
		}
		add_cand(t, name, scan_sample_score(name, "", 1) + 1);
		break;
	case SCAN_O_READ_ALLOWED:
		if (!t->readable && !t->read_allowed)
			evidence(t, "listing refused but anonymous reads are allowed (%s for %s)", resp->error_code, name);
		t->read_allowed = true;
		break;
	case SCAN_O_RETRY:
		if (t->retries < SCAN_MAX_RETRIES) {
			t->retries++;
			submit(t, SCAN_HEAD, 0, backoff_ms(t, resp));
			return;
		}
		break;
	case SCAN_O_DENIED:
		break;
	case SCAN_O_UNKNOWN:
		if (transport_failed(t, resp))
			return;
		break;
	}
	t->retries = 0;
	t->probe_i++;
	probe_next(t);
	if (t->step == STEP_SAMPLE && !t->done)
		sample_next(t);
}

static void done_sample(struct target *t, const struct scan_resp *resp)
{
	if ((resp->status == 200 || resp->status == 206) && t->sample.len) {
		t->sampled++;
		t->sample_bytes += t->sample.len;
		scan_pii_scan(&t->pii, t->s->o.salt, t->sample.data, t->sample.len);
		write_sample(t);
	} else if (resp->status == 0 && resp->timed_out) {
		finish(t, t->state);
		return;
	}
	t->sample_i++;
	sample_next(t);
}

static void on_done(struct scan_req *r, const struct scan_resp *resp)
{
	struct target *t = r->owner;

	if (t->done)
		return;
	switch (t->step) {
	case STEP_LIST: done_list(t, resp); break;
	case STEP_PROBE: done_probe(t, resp); break;
	case STEP_SAMPLE: done_sample(t, resp); break;
	}
}

/* ---------------------------------------------------------------- accounts */

static enum scan_state dns_state(enum scan_dns d)
{
	return d == SCAN_DNS_EXISTS ? SCAN_PRIVATE : d == SCAN_DNS_ABSENT ? SCAN_ABSENT : SCAN_UNKNOWN;
}

/* Asks each account's provider, once for all its accounts, whether they
 * exist; an account given by --endpoint is taken to. */
static void check_dns(struct scan *s)
{
	size_t cap = s->na ? s->na : 1;
	const char **names = lg_calloc(cap, sizeof(*names));
	enum scan_dns *dns = lg_calloc(cap, sizeof(*dns));
	size_t *idx = lg_calloc(cap, sizeof(*idx));
	bool *asked = lg_calloc(cap, sizeof(*asked));

	for (size_t i = 0; i < s->na; i++) {
		const struct scan_provider *p = s->a[i]->p;
		size_t n = 0;

		if (asked[i])
			continue;
		for (size_t k = i; k < s->na; k++) {
			if (s->a[k]->p != p || asked[k])
				continue;
			asked[k] = true;
			if (!s->a[k]->endpoint) {
				idx[n] = k;
				names[n++] = s->a[k]->name;
			}
		}
		p->resolve_accounts(names, n, s->o.timeout_ms, dns);
		for (size_t k = 0; k < n; k++)
			s->a[idx[k]]->dns = dns_state(dns[k]);
	}
	lg_free(names);
	lg_free(dns);
	lg_free(idx);
	lg_free(asked);
}

static void expand_accounts(struct scan *s)
{
	struct buf root, disp;

	buf_init(&root);
	buf_init(&disp);
	check_dns(s);
	for (size_t i = 0; i < s->na; i++) {
		struct account *a = s->a[i];

		if (a->endpoint)
			a->dns = SCAN_PRIVATE;
		if (a->dns != SCAN_PRIVATE)
			continue;
		for (size_t k = 0; k < a->ncontainers; k++) {
			struct target *t;

			buf_reset(&root);
			buf_reset(&disp);
			if (a->endpoint) {
				buf_appendf(&root, "%s/", a->endpoint);
			} else {
				a->p->account_root(&root, a->name);
			}
			scan_url_escape(&root, a->containers[k], false);
			buf_appendf(&disp, "%s://%s/%s", a->p->scheme, a->name, a->containers[k]);
			t = add_target(s, a->p, disp.data, root.data, a->name, true);
			t->acct = a;
		}
	}
	buf_cleanup(&root);
	buf_cleanup(&disp);
}

static void report_accounts(struct scan *s)
{
	struct buf disp;

	buf_init(&disp);
	for (size_t i = 0; i < s->na; i++) {
		struct account *a = s->a[i];
		struct scan_report r;
		enum scan_state st = a->dns;

		if (a->dns == SCAN_PRIVATE)
			st = a->best == SCAN_ABSENT || a->best == SCAN_UNKNOWN ? SCAN_PRIVATE : a->best;
		buf_reset(&disp);
		buf_appendf(&disp, "%s://%s", a->p->scheme, a->name);
		memset(&r, 0, sizeof(r));
		r.target = disp.data;
		r.provider = a->p->scheme;
		r.url = a->endpoint ? a->endpoint : "";
		r.account = true;
		r.state = st;
		r.evidence = a->dns == SCAN_ABSENT	 ? "the account's host name does not exist (DNS)"
			     : a->dns == SCAN_UNKNOWN ? "DNS gave no answer for the account's host name"
			     : a->endpoint	      ? "account given by --endpoint; state is the most open of its containers"
						      : "the account exists (DNS); state is the most open of its containers";
		r.objects = a->objects;
		r.bytes = a->bytes;
		r.truncated = a->truncated;
		r.sampled = a->sampled;
		r.sample_bytes = a->sample_bytes;
		r.requests = a->requests;
		r.bytes_received = a->bytes_received;
		r.pii = &a->pii;
		if (s->report)
			s->report(s->ctx, &r);
	}
	buf_cleanup(&disp);
}

void scan_run(struct scan *s, void (*report)(void *ctx, const struct scan_report *r), void (*tick)(void *ctx),
	      void *ctx)
{
	s->report = report;
	s->ctx = ctx;
	s->started_ms = scan_now_ms();
	expand_accounts(s);
	for (size_t i = 0; i < s->nt; i++)
		if (!s->t[i]->done)
			list_next(s->t[i]);
	scan_http_run(s->http, tick, ctx);
	for (size_t i = 0; i < s->nt; i++)
		if (!s->t[i]->done) {
			evidence(s->t[i], "%s: the run ended without an answer", s->t[i]->root);
			finish(s->t[i], SCAN_UNKNOWN);
		}
	report_accounts(s);
}

void scan_progress(const struct scan *s, struct scan_progress *p)
{
	p->targets = s->nt;
	p->done = s->done;
	p->open = s->open;
	p->requests = scan_http_started(s->http);
	p->elapsed_s = (double)(scan_now_ms() - s->started_ms) / 1000.0;
	p->samples_failed = s->samples_failed;
	p->sample_error = s->sample_error;
}
