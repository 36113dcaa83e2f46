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
	char dmarc_from[256];              /* header.from of the dmarc resinfo, lower case, or "" */
	char spf_domain[256];              /* domain of smtp.mailfrom (else smtp.helo) of the spf resinfo, or "" */
	/* Set by the parser when the header cannot be trusted to say one thing:
	 * spf or dmarc given twice (the method's result is then AUTHRES_OTHER),
	 * or an unterminated quoted string or comment (nothing after the
	 * authserv-id is read; spf, dkim and dmarc are AUTHRES_OTHER, so a
	 * reader merging headers takes nothing from a lower one for them).
	 * Neither ever reads as a pass. */
	bool ambiguous, malformed;
	/* Known only when leakguard verified the message itself (src/auth/): */
	char dmarc_policy;                 /* 'r'eject, 'q'uarantine, 'n'one; 0: unknown */
	bool dkim_body_changed;            /* a signature's body hash did not match */
	bool dns_timeout;                  /* some lookup timed out: results are partial */
};

/* Parses one header value: authserv-id, then resinfos split on ";" only
 * outside quoted strings and (nested, quoted-pair aware) comments. A
 * method's result is read only from the "method[/version]=result" token
 * that opens its own resinfo, never from a property value, a quoted string
 * or a comment (which is where an MTA copies sender text). Returns false
 * when no authserv-id can be read; a header whose rest is broken is still
 * returned (true) with out->malformed set, so that it keeps its place as
 * the topmost header of its authserv-id. */
bool authres_parse(const char *value, struct authres *out);

const char *authres_result_name(enum authres_result r);

#endif
