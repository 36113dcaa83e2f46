/* responder.c: a minimal loopback HTTP/1.1 server for bench/scan.sh — the
 * ceiling against which `leakguard scan` is measured. One thread, epoll,
 * keep-alive (and pipelining), no allocation per request beyond the
 * connection's buffers. Answers follow the Azure Blob REST formats ("List
 * Blobs" EnumerationResults; "Blob service error codes").
 *
 *   responder MODE PORTFILE [OBJECTS]
 *     absent  every request: 404 ContainerNotFound (XML body and
 *             x-ms-error-code header), as for a container that does not exist
 *     denied  every request: 403 AuthorizationFailure (Azurite's answer to
 *             anonymous requests for private containers)
 *     list    every request: 200 with a one-blob EnumerationResults
 *     paged   GET ...comp=list: a listing of OBJECTS blobs (default 100000)
 *             named obj/NNNNNNNN.dat, maxresults per page, NextMarker =
 *             the next name; other requests: 404 BlobNotFound
 *     stall   accept connections and never answer (nor read)
 *
 * Listens on 127.0.0.1, an ephemeral port written to PORTFILE. Runs until
 * killed. Not a general HTTP server: requests have no body; a request head
 * over 16 KiB closes the connection. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_HEAD 16384

enum mode { M_ABSENT, M_DENIED, M_LIST, M_PAGED, M_STALL };

struct conn {
	int fd;
	char in[MAX_HEAD];
	size_t nin;
	char *out;
	size_t nout, offout, capout;
};

static enum mode mode;
static unsigned long objects = 100000;

static const char absent_body[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ContainerNotFound</Code>"
	"<Message>The specified container does not exist.</Message></Error>";
static const char denied_body[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthorizationFailure</Code>"
	"<Message>Server failed to authorize the request.</Message></Error>";
static const char blobnf_body[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code>"
	"<Message>The specified blob does not exist.</Message></Error>";
static const char list_body[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ContainerName=\"c\"><Blobs><Blob>"
	"<Name>a.txt</Name><Properties><Content-Length>10</Content-Length></Properties></Blob></Blobs>"
	"<NextMarker/></EnumerationResults>";

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void out_append(struct conn *c, const char *p, size_t n)
{
	if (c->nout + n > c->capout) {
		size_t cap = c->capout ? c->capout : 4096;

		while (cap < c->nout + n)
			cap *= 2;
		c->out = realloc(c->out, cap);
		if (!c->out)
			die("realloc");
		c->capout = cap;
	}
	memcpy(c->out + c->nout, p, n);
	c->nout += n;
}

static void out_printf(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(struct conn *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		out_append(c, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void respond(struct conn *c, bool head, int status, const char *reason, const char *code,
		    const char *body, size_t blen)
{
	out_printf(c, "HTTP/1.1 %d %s\r\nContent-Type: application/xml\r\nContent-Length: %zu\r\n", status, reason,
		   blen);
	if (code)
		out_printf(c, "x-ms-error-code: %s\r\n", code);
	out_append(c, "\r\n", 2);
	if (!head)
		out_append(c, body, blen);
}

/* The number in query parameter key of the request target (n bytes), or -1.
 * A marker is one of our names: obj/NNNNNNNN.dat, the slash maybe escaped. */
static long query_num(const char *target, size_t n, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i + kl + 1 < n; i++) {
		if ((target[i] == '?' || target[i] == '&') && strncmp(target + i + 1, key, kl) == 0 &&
		    target[i + 1 + kl] == '=') {
			const char *v = target + i + 2 + kl, *end = target + n;

			if (end - v > 3 && memcmp(v, "obj", 3) == 0)
				v += 3;
			if (end - v > 3 && memcmp(v, "%2F", 3) == 0)
				v += 3;
			else if (end - v > 1 && *v == '/')
				v++;
			return v < end && *v >= '0' && *v <= '9' ? strtol(v, NULL, 10) : -1;
		}
	}
	return -1;
}

static void paged(struct conn *c, bool head, const char *target, size_t n)
{
	static char *body;
	static size_t cap;
	size_t len = 0;
	long max = query_num(target, n, "maxresults"), from = query_num(target, n, "marker");
	unsigned long end;

	if (!memmem(target, n, "comp=list", 9)) {
		respond(c, head, 404, "The specified blob does not exist.", "BlobNotFound", blobnf_body,
			sizeof(blobnf_body) - 1);
		return;
	}
	if (max <= 0 || max > 5000)
		max = 5000;
	if (from < 0)
		from = 0;
	end = (unsigned long)from + (unsigned long)max;
	if (end > objects)
		end = objects;
	if (cap < (size_t)max * 200 + 1024) {
		cap = (size_t)max * 200 + 1024;
		body = realloc(body, cap);
		if (!body)
			die("realloc");
	}
	len += (size_t)snprintf(body + len, cap - len,
				"<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ContainerName=\"many\">"
				"<MaxResults>%ld</MaxResults><Blobs>", max);
	for (unsigned long i = (unsigned long)from; i < end; i++)
		len += (size_t)snprintf(body + len, cap - len,
					"<Blob><Name>obj/%08lu.dat</Name><Properties><Content-Length>10</Content-Length>"
					"<Content-Type>application/octet-stream</Content-Type></Properties></Blob>", i);
	if (end < objects)
		len += (size_t)snprintf(body + len, cap - len, "</Blobs><NextMarker>obj/%08lu.dat</NextMarker></EnumerationResults>", end);
	else
		len += (size_t)snprintf(body + len, cap - len, "</Blobs><NextMarker/></EnumerationResults>");
	respond(c, head, 200, "OK", NULL, body, len);
}

static void handle(struct conn *c, const char *req, size_t n)
{
	bool head = n > 5 && memcmp(req, "HEAD ", 5) == 0;
	const char *target = memchr(req, ' ', n);
	const char *tend = target ? memchr(target + 1, ' ', n - (size_t)(target + 1 - req)) : NULL;

	switch (mode) {
	case M_ABSENT:
		respond(c, head, 404, "The specified container does not exist.", "ContainerNotFound", absent_body,
			sizeof(absent_body) - 1);
		break;
	case M_DENIED:
		respond(c, head, 403, "Server failed to authorize the request.", "AuthorizationFailure", denied_body,
			sizeof(denied_body) - 1);
		break;
	case M_LIST:
		respond(c, head, 200, "OK", NULL, list_body, sizeof(list_body) - 1);
		break;
	case M_PAGED:
		if (target && tend)
			paged(c, head, target + 1, (size_t)(tend - target - 1));
		else
			respond(c, head, 404, "Not found", "BlobNotFound", blobnf_body, sizeof(blobnf_body) - 1);
		break;
	case M_STALL:
		break;
	}
}

static void conn_close(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	free(c);
}

/* Writes what is pending; returns false when the connection died. */
static bool flush_out(int ep, struct conn *c)
{
	while (c->offout < c->nout) {
		ssize_t w = write(c->fd, c->out + c->offout, c->nout - c->offout);

		if (w < 0) {
			if (errno == EAGAIN) {
				struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};

				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				return true;
			}
			return false;
		}
		c->offout += (size_t)w;
	}
	if (c->nout) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};

		c->nout = c->offout = 0;
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	}
	return true;
}

static bool on_readable(int ep, struct conn *c)
{
	for (;;) {
		ssize_t r = read(c->fd, c->in + c->nin, sizeof(c->in) - c->nin);
		char *end;

		if (r == 0)
			return false;
		if (r < 0)
			return errno == EAGAIN;
		c->nin += (size_t)r;
		while ((end = memmem(c->in, c->nin, "\r\n\r\n", 4))) {
			size_t len = (size_t)(end + 4 - c->in);

			handle(c, c->in, len);
			memmove(c->in, c->in + len, c->nin - len);
			c->nin -= len;
		}
		if (c->nin == sizeof(c->in))
			return false;
		if (!flush_out(ep, c))
			return false;
	}
}

int main(int argc, char **argv)
{
	static const char *const names[] = {"absent", "denied", "list", "paged", "stall"};
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int ls, ep, one = 1;
	bool found = false;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: %s absent|denied|list|paged|stall PORTFILE [OBJECTS]\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(argv[1], names[i]) == 0) {
			mode = (enum mode)i;
			found = true;
		}
	if (!found)
		return 2;
	if (argc > 3)
		objects = strtoul(argv[3], NULL, 10);
	signal(SIGPIPE, SIG_IGN);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ls < 0)
		die("socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 4096) || getsockname(ls, (struct sockaddr *)&sa, &sl))
		die("bind/listen");
	ep = epoll_create1(EPOLL_CLOEXEC);
	{
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};

		epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	}
	f = fopen(argv[2], "w");
	if (!f)
		die(argv[2]);
	fprintf(f, "%d\n", ntohs(sa.sin_port));
	fclose(f);
	for (;;) {
		struct epoll_event evs[256];
		int n = epoll_wait(ep, evs, 256, -1);

		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (!c) {
				int fd;

				while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					struct epoll_event ev = {.events = EPOLLIN};

					if (mode == M_STALL)
						continue; /* held open, never read: the fd leaks on purpose */
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					c = calloc(1, sizeof(*c));
					if (!c)
						die("calloc");
					c->fd = fd;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			if ((evs[i].events & EPOLLOUT) && !flush_out(ep, c)) {
				conn_close(ep, c);
				continue;
			}
			if ((evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !on_readable(ep, c))
				conn_close(ep, c);
		}
	}
}
