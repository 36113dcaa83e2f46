/* authres.h: reads an Authentication-Results header field (RFC 8601): the
 * authserv-id and the result of each method (spf, dkim, dmarc, ...). Pure. */
#ifndef LG_MAIL_AUTHRES_H
#define LG_MAIL_AUTHRES_H

#include <stdbool.h>
#include <stddef.h>

enum authres_result {
	AUTHRES_ABSENT = 0, /* the method is not mentioned */
	AUTHRES_PASS,
	AUTHRES_FAIL,
	AUTHRES_SOFTFAIL,
	AUTHRES_NEUTRAL,
	AUTHRES_NONE,
	AUTHRES_TEMPERROR,
	AUTHRES_PERMERROR,
	AUTHRES_POLICY,
	AUTHRES_OTHER,
};

struct authres {
	char authserv_id[256];             /* lower case */
	enum authres_result spf, dkim, dmarc;
	bool dkim_any_pass;                /* several signatures: one passed */
	char dkim_pass_domain[256];        /* header.d of the first passing signature, lower case, or "" */
	/* Known only when leakguard verified the message itself (src/auth/): */
	char dmarc_policy;                 /* 'r'eject, 'q'uarantine, 'n'one; 0: unknown */
	bool dkim_body_changed;            /* a signature's body hash did not match */
	bool dns_timeout;                  /* some lookup timed out: results are partial */
};

/* Parses one header value. Returns false when no authserv-id can be read. */
bool authres_parse(const char *value, struct authres *out);

const char *authres_result_name(enum authres_result r);

#endif
