/* http.c: libmicrohttpd glue (http.h). The raw request target comes from
 * MHD's URI log callback, before MHD decodes anything, so that all parsing
 * of untrusted bytes is ours (parse.c) and fuzzed. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <microhttpd.h>

#include "portal/http.h"
#include "portal/metrics.h"
#include "portal/ratelimit.h"
#include "portal/request.h"
#include "portal/router.h"
#include "util/alloc.h"
#include "util/log.h"

struct http_server {
	struct MHD_Daemon *d;
	char *cert, *key; /* PEM contents, alive as long as the daemon */
};

/* One request's state, from the URI callback to the completion callback. */
struct conn {
	struct arena *arena;
	char *target;
	struct buf body;
	bool started, too_big;
};

static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
			  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct conn *c = lg_calloc(1, sizeof(*c));

	(void)cls, (void)con;
	c->arena = arena_new();
	c->target = arena_strdup(c->arena, uri ? uri : "");
	buf_init(&c->body);
	return c;
}

static void on_done(void *cls, struct MHD_Connection *con, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn *c = *con_cls;

	(void)cls, (void)con, (void)toe;
	if (!c)
		return;
	buf_cleanup(&c->body);
	arena_free(&c->arena);
	lg_free(c);
	*con_cls = NULL;
}

static enum MHD_Result send_resp(struct MHD_Connection *con, struct http_resp *out, bool close)
{
	struct MHD_Response *mr;
	enum MHD_Result rc;

	/* the body is handed over, not copied (lg_malloc is malloc): a range
	 * answer is 9 KB */
	if (out->body.data) {
		mr = MHD_create_response_from_buffer(out->body.len, out->body.data, MHD_RESPMEM_MUST_FREE);
		if (mr)
			buf_init(&out->body);
	} else {
		mr = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (!mr)
		return MHD_NO;
	MHD_add_response_header(mr, "Content-Type", out->type ? out->type : "text/plain; charset=utf-8");
	MHD_add_response_header(mr, "Content-Security-Policy", csp);
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(mr, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(mr, "X-Frame-Options", "DENY");
	MHD_add_response_header(mr, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(mr, "Cache-Control", out->cacheable ? "public, max-age=3600" : "no-store");
	for (int i = 0; i < out->nheaders; i++)
		MHD_add_response_header(mr, out->hname[i], out->hvalue[i]);
	if (close)
		MHD_add_response_header(mr, "Connection", "close");
	rc = MHD_queue_response(con, (unsigned)out->status, mr);
	MHD_destroy_response(mr);
	return rc;
}

static enum MHD_Result xff_line(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct buf *b = cls;

	(void)kind;
	if (key && value && g_ascii_strcasecmp(key, "X-Forwarded-For") == 0) {
		if (b->len)
			buf_putc(b, ',');
		buf_append(b, value, strlen(value));
	}
	return MHD_YES;
}

/* The client's address; behind the trusted proxy, the right-most entry of
 * X-Forwarded-For that is not the proxy, over ALL the header's lines in
 * order (RFC 9110 section 5.3: several lines are one comma-separated
 * list), since what stands left of the proxy's own entry is whatever the
 * client sent. An unusable entry there: the peer's address. */
static const char *client_of(struct portal *p, struct MHD_Connection *con, struct arena *a)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char ip[INET6_ADDRSTRLEN] = "unknown";
	const char *found = NULL;
	struct buf xff;

	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;

		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip, sizeof(ip));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip, sizeof(ip));
	}
	if (!p->set.trusted_proxy || strcmp(ip, p->set.trusted_proxy) != 0)
		return arena_strdup(a, ip);
	buf_init(&xff);
	MHD_get_connection_values(con, MHD_HEADER_KIND, xff_line, &xff);
	if (xff.len) {
		char *list = arena_strndup(a, xff.data, xff.len), *end = list + strlen(list);

		while (end > list && !found) {
			char *start = end;
			struct in6_addr tmp;
			char *v;

			while (start > list && start[-1] != ',')
				start--;
			v = g_strstrip(arena_strndup(a, start, (size_t)(end - start)));
			end = start > list ? start - 1 : list;
			if (strcmp(v, p->set.trusted_proxy) == 0)
				continue;
			if (inet_pton(AF_INET, v, &tmp) == 1 || inet_pton(AF_INET6, v, &tmp) == 1)
				found = v;
			break;
		}
	}
	buf_cleanup(&xff);
	return found ? found : arena_strdup(a, ip);
}

/* Parses what MHD read into r; a parse failure answers 400/414 itself. */
static bool build(struct http_req *r, struct http_resp *out, struct MHD_Connection *con, struct conn *c,
		  const char *method, const char *version)
{
	const char *cookie = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
	const char *ctype = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	enum lg_status rc;

	r->method = strcmp(method, "HEAD") == 0 ? "GET" : method;
	if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 && !MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)) {
		resp_error(r, out, 400, "Bad request", "HTTP/1.1 requests must name the host (RFC 9112 section 3.2).");
		return false;
	}
	r->client = client_of(r->p, con, r->arena);
	{
		char *k = arena_alloc(r->arena, INET6_ADDRSTRLEN + 8);

		ratelimit_client_key(r->client, k, INET6_ADDRSTRLEN + 8);
		r->client_key = k;
	}
	r->authorization = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	rc = http_parse_target(r->arena, c->target, strlen(c->target), &r->target);
	if (rc) {
		resp_error(r, out, rc == LG_ELIMIT ? 414 : 400, "Bad request", "The address of this page is not valid.");
		return false;
	}
	if (cookie && http_parse_cookies(r->arena, cookie, strlen(cookie), &r->cookies))
		r->cookies.n = 0; /* unusable cookies count as none */
	if (c->body.len && (!ctype || g_ascii_strncasecmp(ctype, "application/x-www-form-urlencoded", 33) != 0)) {
		resp_error(r, out, 415, "Bad request", "Forms must be sent as application/x-www-form-urlencoded.");
		return false;
	}
	if (c->body.len && http_parse_form(r->arena, c->body.data, c->body.len, &r->form)) {
		resp_error(r, out, 400, "Bad request", "The form could not be read.");
		return false;
	}
	return true;
}

static enum MHD_Result too_big(struct portal *p, struct MHD_Connection *con, struct conn *c)
{
	struct http_req r = {.p = p, .arena = c->arena, .method = "POST"};
	struct http_resp out = {0};
	enum MHD_Result rc;

	buf_init(&out.body);
	resp_error(&r, &out, 413, "Too large", "The form sent is larger than this portal accepts.");
	portal_metrics_request(p, "POST", NULL, out.status, 0);
	rc = send_resp(con, &out, true);
	buf_cleanup(&out.body);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct portal *p = cls;
	struct conn *c = *con_cls;
	struct http_req r = {0};
	struct http_resp out = {0};
	struct timespec t0, t1;
	enum MHD_Result rc;

	(void)url;
	if (!c)
		return MHD_NO;
	if (!c->started) {
		const char *len = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

		c->started = true;
		/* refuse before reading: a declared size over the cap is enough */
		if (len && strtoull(len, NULL, 10) > HTTP_MAX_BODY)
			return too_big(p, con, c);
		return MHD_YES;
	}
	if (*upload_size) {
		if (!buf_append_max(&c->body, upload, *upload_size, HTTP_MAX_BODY))
			c->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	if (c->too_big)
		return too_big(p, con, c);
	r.p = p;
	r.arena = c->arena;
	buf_init(&out.body);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (build(&r, &out, con, c, method, version))
		router_dispatch(&r, &out);
	rc = send_resp(con, &out, false);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	portal_metrics_request(p, r.method ? r.method : method, r.route, out.status,
			       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	buf_cleanup(&out.body);
	return rc;
}

static void on_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	g_strchomp(line);
	log_warn("portal: http: %s", line);
}

static bool read_pem(const char *path, char **out, struct errbuf *err)
{
	gsize n;

	if (!g_file_get_contents(path, out, &n, NULL)) {
		errbuf_set(err, LG_ECONFIG, "[portal] cannot read %s", path);
		return false;
	}
	return true;
}

enum lg_status http_start(struct portal *p, struct http_server **out, unsigned *bound, struct errbuf *err)
{
	struct http_server *s = lg_calloc(1, sizeof(*s));
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE, .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai = NULL;
	char port[8];
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;

	snprintf(port, sizeof(port), "%u", p->set.port);
	if (getaddrinfo(p->set.host, port, &hints, &ai) != 0) {
		lg_free(s);
		return errbuf_set(err, LG_ECONFIG, "[portal] listen: '%s' is not an IP address", p->set.host);
	}
	if (p->set.tls && (!read_pem(p->cfg->portal_tls_cert, &s->cert, err) || !read_pem(p->cfg->portal_tls_key, &s->key, err))) {
		freeaddrinfo(ai);
		g_free(s->cert);
		g_free(s->key);
		lg_free(s);
		return LG_ECONFIG;
	}
	if (p->set.tls)
		flags |= MHD_USE_TLS;
	if (ai->ai_family == AF_INET6) /* MHD opens an IPv4 socket otherwise, and fails */
		flags |= MHD_USE_IPv6;
	{
		/* one array so that the TLS options are passed only with TLS
		 * (MHD refuses them otherwise) */
		struct MHD_OptionItem o[16] = {
			{MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_log, NULL}, /* first, or MHD warns */
			{MHD_OPTION_SOCK_ADDR, 0, ai->ai_addr},
			{MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, NULL},
			{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_done, NULL},
			{MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)p->set.threads, NULL},
			{MHD_OPTION_CONNECTION_TIMEOUT, HTTP_TIMEOUT, NULL},
			{MHD_OPTION_CONNECTION_LIMIT, HTTP_MAX_CONNS, NULL},
			{MHD_OPTION_PER_IP_CONNECTION_LIMIT, HTTP_MAX_CONNS_PER_IP, NULL},
			{MHD_OPTION_CONNECTION_MEMORY_LIMIT, 32768, NULL},
		};
		int n = 9;

		if (p->set.tls) {
			o[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert};
			o[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->key};
		}
		o[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
		s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, p, MHD_OPTION_ARRAY, o, MHD_OPTION_END);
	}
	freeaddrinfo(ai);
	if (!s->d) {
		g_free(s->cert);
		g_free(s->key);
		lg_free(s);
		return errbuf_set(err, LG_EIO, "cannot listen on %s:%u (in use, or TLS files unusable)", p->set.host,
				  p->set.port);
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	*bound = di ? di->port : p->set.port;
	*out = s;
	return LG_OK;
}

void http_stop(struct http_server **s)
{
	if (!s || !*s)
		return;
	MHD_stop_daemon((*s)->d);
	g_free((*s)->cert);
	g_free((*s)->key);
	lg_free(*s);
	*s = NULL;
}
