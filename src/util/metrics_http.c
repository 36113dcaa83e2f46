/* metrics_http.c: the /metrics listener over libmicrohttpd (metrics.h),
 * shared by `leakguard serve` ([portal] metrics_listen) and the milter.
 * Serves the Prometheus text exposition format 0.0.4. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "util/alloc.h"
#include "util/log.h"
#include "util/metrics.h"

#define METRICS_TIMEOUT 10 /* seconds a scrape connection may idle */
#define METRICS_MAX_CONNS 16

struct metrics_server {
	struct MHD_Daemon *d;
	struct metrics *m;
};

static enum MHD_Result answer(struct MHD_Connection *con, unsigned status, const char *type, char *body, size_t n,
			      bool owned)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(n, body, owned ? MHD_RESPMEM_MUST_FREE
									     : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (!r) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (status == 405)
		MHD_add_response_header(r, "Allow", "GET, HEAD");
	rc = MHD_queue_response(con, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct metrics_server *s = cls;
	static int first;
	struct buf b;

	(void)version, (void)upload;
	if (!*con_cls) { /* headers only so far: wait for the end of the request */
		*con_cls = &first;
		return MHD_YES;
	}
	if (*upload_size) { /* a body is not for us: drop it */
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/metrics") != 0)
		return answer(con, 404, "text/plain; charset=utf-8", (char *)"not found: try /metrics\n", 24, false);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer(con, 405, "text/plain; charset=utf-8", (char *)"GET or HEAD only\n", 17, false);
	buf_init(&b);
	metrics_render(s->m, &b);
	if (!b.data) /* an empty registry */
		return answer(con, 200, "text/plain; version=0.0.4; charset=utf-8", (char *)"", 0, false);
	/* buf data is lg_malloc'd, which is malloc: MHD frees it */
	return answer(con, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len, true);
}

static void on_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_warn("metrics: http: %s", line);
}

/* "127.0.0.1:9187" or "[::1]:9187" into host and port. */
static bool split_listen(const char *s, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *colon = strrchr(s, ':');
	const char *h = s;
	size_t hl;
	char *end;
	long pn;

	if (!colon || colon == s)
		return false;
	hl = (size_t)(colon - s);
	if (*h == '[') {
		if (hl < 3 || h[hl - 1] != ']')
			return false;
		h++;
		hl -= 2;
	}
	pn = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || pn < 0 || pn > 65535 || hl >= hostlen)
		return false;
	memcpy(host, h, hl);
	host[hl] = '\0';
	snprintf(port, portlen, "%ld", pn);
	return true;
}

enum lg_status metrics_serve_start(struct metrics *m, const char *listen, struct metrics_server **out,
				   unsigned *bound, struct errbuf *err)
{
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE, .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai = NULL;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	struct metrics_server *s;
	const union MHD_DaemonInfo *di;
	char host[64], port[8];

	*out = NULL;
	if (!listen || !split_listen(listen, host, sizeof(host), port, sizeof(port)) ||
	    getaddrinfo(host, port, &hints, &ai) != 0)
		return errbuf_set(err, LG_ECONFIG, "metrics_listen: '%s' is not IP:PORT", listen ? listen : "");
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s = lg_calloc(1, sizeof(*s));
	s->m = m;
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_log, NULL,
				MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned)METRICS_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_MAX_CONNS,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!s->d) {
		lg_free(s);
		return errbuf_set(err, LG_EIO, "metrics_listen: cannot listen on %s (in use?)", listen);
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	if (bound)
		*bound = di ? di->port : (unsigned)strtoul(port, NULL, 10);
	*out = s;
	return LG_OK;
}

void metrics_serve_stop(struct metrics_server **s)
{
	if (!s || !*s)
		return;
	MHD_stop_daemon((*s)->d);
	lg_free(*s);
	*s = NULL;
}
