/* http.c: the multi-interface engine of http.h (libcurl "multi_socket"
 * API: curl_multi_socket_action driven by epoll, so each network event
 * costs the same however many transfers are open — curl_multi_perform
 * walks every transfer on every wake-up, which made slow servers and
 * stalled targets expensive; RFC 9110 GET/HEAD, RFC 7233 Range). */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "scan/http.h"
#include "util/alloc.h"

struct scan_http {
	struct scan_http_opts o;
	CURLM *multi;
	struct scan_req *ready, *ready_tail; /* FIFO, startable now */
	struct scan_req *delayed;             /* sorted by not_before_ms */
	CURL **pool;                          /* idle easy handles */
	size_t npool, cappool;
	int inflight;                         /* all started transfers */
	int young;                            /* of those, not slow */
	int max_total;                        /* cap on inflight, slow ones included */
	uint64_t slow_ms;                     /* age at which a transfer turns slow */
	int ep;                               /* epoll set of curl's sockets */
	uint64_t timer_at;                    /* curl's timeout, UINT64_MAX for none */
	struct scan_req *young_head, *young_tail;
	double tokens;
	uint64_t last_refill;
	uint64_t started;
	struct curl_slist *headers_plain;
};

uint64_t scan_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* How many transfers may be open at once: SCAN_SLOW_FACTOR times the
 * young ones, within the open-file limit (raised to its hard maximum when
 * the soft one is lower) less a reserve for everything else. */
static int total_cap(int max_inflight)
{
	long want = (long)max_inflight * SCAN_SLOW_FACTOR + 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < want) {
			rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || (long)rl.rlim_max > want ? (rlim_t)want : rl.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
				getrlimit(RLIMIT_NOFILE, &rl);
		}
		if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < want)
			want = (long)rl.rlim_cur;
	}
	want -= 64;
	return want < max_inflight ? max_inflight : (int)want;
}

static void young_unlink(struct scan_http *h, struct scan_req *r)
{
	if (r->young_prev)
		r->young_prev->young_next = r->young_next;
	else
		h->young_head = r->young_next;
	if (r->young_next)
		r->young_next->young_prev = r->young_prev;
	else
		h->young_tail = r->young_prev;
	r->young_prev = r->young_next = NULL;
	h->young--;
}

/* Transfers started slow_ms ago or more stop counting as young. */
static void age(struct scan_http *h, uint64_t now)
{
	while (h->young_head && now - h->young_head->started_ms >= h->slow_ms) {
		struct scan_req *r = h->young_head;

		young_unlink(h, r);
		r->slow = true;
	}
}

/* CURLMOPT_SOCKETFUNCTION: keep the epoll set in step with what curl waits for. */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *ud, void *sockp)
{
	struct scan_http *h = ud;
	struct epoll_event ev = {0};

	(void)e;
	(void)sockp;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(h->ep, EPOLL_CTL_DEL, fd, NULL); /* may be closed already: no matter */
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	ev.data.fd = fd;
	if (epoll_ctl(h->ep, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT)
		epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: when curl wants socket_action(CURL_SOCKET_TIMEOUT). */
static int on_timer(CURLM *m, long ms, void *ud)
{
	struct scan_http *h = ud;

	(void)m;
	h->timer_at = ms < 0 ? UINT64_MAX : scan_now_ms() + (uint64_t)ms;
	return 0;
}

enum lg_status scan_http_new(const struct scan_http_opts *o, struct scan_http **out)
{
	static bool global_done;
	struct scan_http *h;

	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT))
			return LG_EINTERNAL;
		global_done = true;
	}
	h = lg_calloc(1, sizeof(*h));
	h->o = *o;
	if (h->o.max_inflight < 1)
		h->o.max_inflight = 1;
	if (h->o.timeout_ms < 1)
		h->o.timeout_ms = 1;
	h->multi = curl_multi_init();
	h->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!h->multi || h->ep < 0) {
		if (h->multi)
			curl_multi_cleanup(h->multi);
	close(h->ep);
		if (h->ep >= 0)
			close(h->ep);
		lg_free(h);
		return LG_EINTERNAL;
	}
	h->timer_at = UINT64_MAX;
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	h->max_total = total_cap(h->o.max_inflight);
	h->slow_ms = (uint64_t)h->o.timeout_ms / 4;
	if (h->slow_ms < SCAN_SLOW_MIN_MS)
		h->slow_ms = SCAN_SLOW_MIN_MS;
	if (h->slow_ms > SCAN_SLOW_MAX_MS)
		h->slow_ms = SCAN_SLOW_MAX_MS;
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)h->o.max_inflight);
	if (h->o.max_host_conns > 0)
		curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)h->o.max_host_conns);
	/* no Accept/Expect surprises; a plain identifying request */
	h->headers_plain = curl_slist_append(NULL, "Accept: */*");
	h->tokens = h->o.rate > 0 ? 1 : 0;
	h->last_refill = scan_now_ms();
	*out = h;
	return LG_OK;
}

void scan_http_free(struct scan_http **ph)
{
	struct scan_http *h = ph ? *ph : NULL;

	if (!h)
		return;
	for (size_t i = 0; i < h->npool; i++)
		curl_easy_cleanup(h->pool[i]);
	lg_free(h->pool);
	curl_multi_cleanup(h->multi);
	close(h->ep);
	curl_slist_free_all(h->headers_plain);
	lg_free(h);
	*ph = NULL;
}

uint64_t scan_http_started(const struct scan_http *h)
{
	return h->started;
}

enum lg_status scan_http_submit(struct scan_http *h, struct scan_req *r, uint64_t delay_ms)
{
	if (r->method != SCAN_GET && r->method != SCAN_HEAD)
		return LG_EUSAGE;
	if (!r->url || (strncmp(r->url, "http://", 7) != 0 && strncmp(r->url, "https://", 8) != 0))
		return LG_EUSAGE;
	r->next = NULL;
	r->easy = NULL;
	if (delay_ms == 0) {
		r->not_before_ms = 0;
		if (h->ready_tail)
			h->ready_tail->next = r;
		else
			h->ready = r;
		h->ready_tail = r;
		return LG_OK;
	}
	r->not_before_ms = scan_now_ms() + delay_ms;
	struct scan_req **pp = &h->delayed;
	while (*pp && (*pp)->not_before_ms <= r->not_before_ms)
		pp = &(*pp)->next;
	r->next = *pp;
	*pp = r;
	return LG_OK;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct scan_req *r = ud;
	size_t n = size * nmemb;

	r->resp.body_bytes += n;
	if (r->on_body && !r->on_body(r, p, n)) {
		r->resp.stopped = true;
		return 0;
	}
	return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct scan_req *r = ud;
	size_t n = size * nmemb, k;
	const char *v;

	if (n > 15 && strncasecmp(p, "x-ms-error-code:", 16) == 0) {
		v = p + 16;
		k = n - 16;
	} else if (n > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
		long s = 0;

		for (size_t i = 12; i < n && i < 40; i++)
			if (isdigit((unsigned char)p[i]))
				s = s * 10 + (p[i] - '0');
		r->resp.retry_after = s;
		return n;
	} else {
		return n;
	}
	while (k && (*v == ' ' || *v == '\t')) {
		v++;
		k--;
	}
	while (k && (v[k - 1] == '\r' || v[k - 1] == '\n' || v[k - 1] == ' '))
		k--;
	if (k >= sizeof(r->resp.error_code))
		k = sizeof(r->resp.error_code) - 1;
	memcpy(r->resp.error_code, v, k);
	r->resp.error_code[k] = '\0';
	return n;
}

static CURL *take_easy(struct scan_http *h)
{
	if (h->npool)
		return h->pool[--h->npool];
	return curl_easy_init();
}

static void give_easy(struct scan_http *h, CURL *e)
{
	h->pool = lg_grow(h->pool, &h->cappool, h->npool + 1, sizeof(*h->pool));
	h->pool[h->npool++] = e;
}

static bool start(struct scan_http *h, struct scan_req *r)
{
	CURL *e = take_easy(h);
	char range[64];

	if (!e)
		return false;
	memset(&r->resp, 0, sizeof(r->resp));
	r->resp.retry_after = -1;
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	/* The method: GET or HEAD, nothing else is ever set. */
	if (r->method == SCAN_HEAD) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	if (r->method == SCAN_GET && r->range_len) {
		snprintf(range, sizeof(range), "0-%llu", (unsigned long long)(r->range_len - 1));
		curl_easy_setopt(e, CURLOPT_RANGE, range);
	} else {
		curl_easy_setopt(e, CURLOPT_RANGE, NULL);
	}
	curl_easy_setopt(e, CURLOPT_USERAGENT, SCAN_USER_AGENT);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers_plain);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->o.timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->o.timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, NULL);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 0L);
	r->easy = e;
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
		give_easy(h, e);
		r->easy = NULL;
		return false;
	}
	h->inflight++;
	h->started++;
	r->started_ms = scan_now_ms();
	r->slow = false;
	r->young_next = NULL;
	r->young_prev = h->young_tail;
	if (h->young_tail)
		h->young_tail->young_next = r;
	else
		h->young_head = r;
	h->young_tail = r;
	h->young++;
	return true;
}

static void finish(struct scan_http *h, CURL *e, CURLcode cc)
{
	struct scan_req *r = NULL;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
	curl_multi_remove_handle(h->multi, e);
	h->inflight--;
	if (!r->slow)
		young_unlink(h, r);
	r->resp.curl_code = (int)cc;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->resp.status);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		r->resp.timed_out = true;
	else if (cc == CURLE_COULDNT_RESOLVE_HOST)
		r->resp.resolve_failed = true;
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && r->resp.stopped) && cc != CURLE_PARTIAL_FILE)
		r->resp.status = r->resp.status && !r->resp.timed_out ? r->resp.status : 0;
	r->easy = NULL;
	give_easy(h, e);
	r->on_done(r, &r->resp);
}

static void refill(struct scan_http *h, uint64_t now)
{
	double burst = h->o.rate / 10 > 1 ? h->o.rate / 10 : 1;

	h->tokens += (double)(now - h->last_refill) * h->o.rate / 1000.0;
	if (h->tokens > burst)
		h->tokens = burst;
	h->last_refill = now;
}

static void drain(struct scan_http *h)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left)))
		if (m->msg == CURLMSG_DONE)
			finish(h, m->easy_handle, m->data.result);
}

void scan_http_run(struct scan_http *h, void (*tick)(void *ctx), void *ctx)
{
	uint64_t last_tick = scan_now_ms();
	struct epoll_event evs[256];

	for (;;) {
		uint64_t now = scan_now_ms();
		int running = 0, wait_ms = 200, n;

		while (h->delayed && h->delayed->not_before_ms <= now) {
			struct scan_req *r = h->delayed;

			h->delayed = r->next;
			r->next = NULL;
			if (h->ready_tail)
				h->ready_tail->next = r;
			else
				h->ready = r;
			h->ready_tail = r;
		}
		if (h->o.rate > 0)
			refill(h, now);
		age(h, now);
		while (h->ready && h->young < h->o.max_inflight && h->inflight < h->max_total &&
		       (h->o.rate <= 0 || h->tokens >= 1)) {
			struct scan_req *r = h->ready;

			h->ready = r->next;
			if (!h->ready)
				h->ready_tail = NULL;
			r->next = NULL;
			if (h->o.rate > 0)
				h->tokens -= 1;
			if (!start(h, r)) {
				memset(&r->resp, 0, sizeof(r->resp));
				r->resp.retry_after = -1;
				r->resp.curl_code = CURLE_OUT_OF_MEMORY;
				r->on_done(r, &r->resp);
			}
		}
		if (h->timer_at <= scan_now_ms()) {
			h->timer_at = UINT64_MAX;
			curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
			drain(h);
		}
		if (tick && now - last_tick >= 200) {
			tick(ctx);
			last_tick = now;
		}
		if (!h->inflight && !h->ready && !h->delayed)
			break;
		if (h->ready && h->young < h->o.max_inflight && h->inflight < h->max_total) {
			/* waiting only for a rate token */
			double need = 1 - h->tokens;
			int ms = h->o.rate > 0 ? (int)(need * 1000.0 / h->o.rate) + 1 : 0;

			wait_ms = ms < wait_ms ? ms : wait_ms;
		}
		if (h->delayed) {
			uint64_t d = h->delayed->not_before_ms > now ? h->delayed->not_before_ms - now : 0;

			if ((int)d < wait_ms)
				wait_ms = (int)d;
		}
		if (h->ready && h->young_head && h->inflight < h->max_total) {
			/* slots are full of young transfers: wake when the oldest turns slow */
			uint64_t at = h->young_head->started_ms + h->slow_ms;
			int ms = at > now ? (int)(at - now) : 0;

			wait_ms = ms < wait_ms ? ms : wait_ms;
		}
		if (h->timer_at != UINT64_MAX) {
			uint64_t t = scan_now_ms();
			int ms = h->timer_at > t ? (int)(h->timer_at - t) : 0;

			wait_ms = ms < wait_ms ? ms : wait_ms;
		}
		n = epoll_wait(h->ep, evs, (int)(sizeof(evs) / sizeof(evs[0])), wait_ms);
		for (int i = 0; i < n; i++) {
			int mask = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
				   (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
				   (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);

			curl_multi_socket_action(h->multi, evs[i].data.fd, mask, &running);
		}
		if (n > 0)
			drain(h);
	}
	if (tick)
		tick(ctx);
}
