/* dkim.c: DKIM signatures (RFC 6376) verified by libopendkim. Keys are
 * fetched through our resolver by libopendkim's key-lookup callback
 * (selector._domainkey.domain TXT, RFC 6376 3.6.2.1), so the verifier
 * asks the same, configurable, DNS server as SPF and DMARC. The library
 * handle is shared; each message gets its own verifying handle. */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <dkim.h>

#include "auth/auth.h"
#include "util/alloc.h"

struct auth_dkim {
	DKIM_LIB *lib;
	struct auth_resolver *resolver; /* borrowed */
};

/* Per-message context of the key lookup. */
struct lookup_ctx {
	struct auth_resolver *resolver;
	bool timed_out;
};

static DKIM_CBSTAT key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, unsigned char *buf, size_t buflen)
{
	struct lookup_ctx *ctx = dkim_get_user_context(dkim);
	const char *sel = (const char *)dkim_sig_getselector(sig), *dom = (const char *)dkim_sig_getdomain(sig);
	char name[512], **txt = NULL;
	enum auth_dns_status st;

	if (!ctx || !sel || !dom || snprintf(name, sizeof(name), "%s._domainkey.%s", sel, dom) >= (int)sizeof(name))
		return DKIM_CBSTAT_ERROR;
	st = auth_resolver_txt(ctx->resolver, name, &txt);
	if (st == AUTH_DNS_TIMEOUT || st == AUTH_DNS_ERROR) {
		ctx->timed_out = true;
		return DKIM_CBSTAT_TRYAGAIN;
	}
	if (st == AUTH_DNS_NONE)
		return DKIM_CBSTAT_NOTFOUND;
	if (st || strlen(txt[0]) >= buflen) {
		g_strfreev(txt);
		return DKIM_CBSTAT_ERROR;
	}
	memcpy(buf, txt[0], strlen(txt[0]) + 1);
	g_strfreev(txt);
	return DKIM_CBSTAT_CONTINUE;
}

enum lg_status auth_dkim_new(struct auth_resolver *r, struct auth_dkim **out, struct errbuf *err)
{
	struct auth_dkim *d = lg_calloc(1, sizeof(*d));
	unsigned int flags = DKIM_LIBFLAGS_FIXCRLF;

	*out = NULL;
	d->lib = dkim_init(NULL, NULL);
	if (!d->lib) {
		lg_free(d);
		return errbuf_set(err, LG_EINTERNAL, "libopendkim could not start");
	}
	dkim_options(d->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof(flags));
	dkim_set_key_lookup(d->lib, key_lookup);
	d->resolver = r;
	*out = d;
	return LG_OK;
}

void auth_dkim_free(struct auth_dkim **d)
{
	if (!d || !*d)
		return;
	dkim_close((*d)->lib);
	lg_free(*d);
	*d = NULL;
}

static void copy(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src ? (const char *)src : "");
}

/* Reads the verdict of every signature: one that verifies wins. */
static void read_signatures(DKIM *dkim, struct auth_dkim_result *out)
{
	DKIM_SIGINFO **sigs = NULL;
	int nsigs = 0;

	if (dkim_getsiglist(dkim, &sigs, &nsigs) != DKIM_STAT_OK || nsigs == 0) {
		out->result = AUTHRES_NONE;
		return;
	}
	out->result = AUTHRES_FAIL;
	for (int i = 0; i < nsigs; i++) {
		int error = dkim_sig_geterror(sigs[i]);

		if (DKIM_SIG_CHECK(sigs[i])) {
			out->result = AUTHRES_PASS;
			copy(out->domain, sizeof(out->domain), dkim_sig_getdomain(sigs[i]));
			copy(out->selector, sizeof(out->selector), dkim_sig_getselector(sigs[i]));
			out->why[0] = '\0';
			return;
		}
		if (i > 0)
			continue;
		copy(out->domain, sizeof(out->domain), dkim_sig_getdomain(sigs[i]));
		copy(out->selector, sizeof(out->selector), dkim_sig_getselector(sigs[i]));
		if (dkim_sig_getbh(sigs[i]) == DKIM_SIGBH_MISMATCH) {
			out->body_changed = true;
			snprintf(out->why, sizeof(out->why), "body hash did not verify");
		} else if (error == DKIM_SIGERROR_KEYFAIL || out->dns_timeout) {
			out->result = AUTHRES_TEMPERROR;
			snprintf(out->why, sizeof(out->why), "key lookup failed");
		} else if (error == DKIM_SIGERROR_NOKEY) {
			out->result = AUTHRES_PERMERROR;
			snprintf(out->why, sizeof(out->why), "no key for signature");
		} else {
			snprintf(out->why, sizeof(out->why), "%s",
				 error ? dkim_sig_geterrorstr(error) : "signature did not verify");
		}
	}
}

/* The message with every line ending CRLF, as signed (RFC 6376 5.3):
 * stored mail often mixes LF and CRLF, which libopendkim rejects as a
 * syntax error. Caller g_string_free()s. */
static GString *canonical_lines(const char *raw, size_t len)
{
	GString *s = g_string_sized_new(len + len / 32 + 2);

	for (size_t i = 0; i < len; i++) {
		if (raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n')
			continue;
		if (raw[i] == '\n')
			g_string_append_c(s, '\r');
		g_string_append_c(s, raw[i]);
	}
	return s;
}

void auth_dkim_verify(struct auth_dkim *d, const char *raw, size_t len, struct auth_dkim_result *out)
{
	GString *wire;
	struct lookup_ctx ctx = {d->resolver, false};
	DKIM_STAT st;
	DKIM *dkim;

	memset(out, 0, sizeof(*out));
	out->result = AUTHRES_NONE;
	dkim = dkim_verify(d->lib, (const unsigned char *)"leakguard", NULL, &st);
	if (!dkim) {
		out->result = AUTHRES_TEMPERROR;
		return;
	}
	dkim_set_user_context(dkim, &ctx);
	wire = canonical_lines(raw, len);
	st = dkim_chunk(dkim, (unsigned char *)wire->str, wire->len);
	g_string_free(wire, TRUE);
	if (st == DKIM_STAT_OK)
		st = dkim_chunk(dkim, NULL, 0);
	if (st == DKIM_STAT_OK)
		st = dkim_eom(dkim, NULL);
	out->dns_timeout = ctx.timed_out;
	if (st == DKIM_STAT_NOSIG)
		out->result = AUTHRES_NONE;
	else
		read_signatures(dkim, out);
	dkim_free(dkim);
}
