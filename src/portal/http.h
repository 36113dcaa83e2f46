/* http.h: the libmicrohttpd glue — one daemon per portal, requests read
 * (body capped), turned into struct http_req, routed (router.h), and the
 * struct http_resp sent back with the headers every response carries
 * (strict CSP, nosniff, no-referrer, frame denial, no-store). */
#ifndef LG_PORTAL_HTTP_H
#define LG_PORTAL_HTTP_H

#include "portal/server.h"

#define HTTP_MAX_BODY 4096          /* bytes of a form body */
#define HTTP_TIMEOUT 10             /* seconds a connection may idle (slow clients) */
#define HTTP_MAX_CONNS 2048
#define HTTP_MAX_CONNS_PER_IP 384

struct http_server;

/* Starts listening on host:port (0: any free port; *bound gets it). */
enum lg_status http_start(struct portal *p, struct http_server **out, unsigned *bound, struct errbuf *err);
/* Stops accepting and waits for the requests in flight. */
void http_stop(struct http_server **s);

#endif
