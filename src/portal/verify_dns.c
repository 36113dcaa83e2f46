/* verify_dns.c: domain control by DNS TXT record (verify.h). glibc's
 * res_n* calls with a private resolver state per call are thread-safe, and
 * setting nsaddr_list lets tests point it at a dnsmasq on any port. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "portal/verify.h"

bool verify_txt_matches(const char *txt, size_t n, const char *token)
{
	size_t pl = strlen(VERIFY_TXT_PREFIX), tl = strlen(token);

	while (n && (txt[n - 1] == ' ' || txt[n - 1] == '\t'))
		n--;
	while (n && (*txt == ' ' || *txt == '\t')) {
		txt++;
		n--;
	}
	return n == pl + tl && memcmp(txt, VERIFY_TXT_PREFIX, pl) == 0 && memcmp(txt + pl, token, tl) == 0;
}

/* Points st at resolver "IP:PORT"; false when it is not one. */
static bool use_resolver(res_state st, const char *resolver)
{
	char ip[64];
	const char *colon = strrchr(resolver, ':');
	long port;
	struct in_addr a;

	if (!colon || (size_t)(colon - resolver) >= sizeof(ip))
		return false;
	memcpy(ip, resolver, (size_t)(colon - resolver));
	ip[colon - resolver] = '\0';
	port = strtol(colon + 1, NULL, 10);
	if (inet_pton(AF_INET, ip, &a) != 1 || port < 1 || port > 65535)
		return false;
	st->nscount = 1;
	st->nsaddr_list[0].sin_family = AF_INET;
	st->nsaddr_list[0].sin_addr = a;
	st->nsaddr_list[0].sin_port = htons((uint16_t)port);
	return true;
}

/* Whether any TXT record at name is the token's. A TXT record is one or
 * more character-strings, joined (RFC 7208 section 3.3 does the same). */
static bool txt_has(res_state st, const char *name, const char *token)
{
	unsigned char ans[4096];
	int len = res_nquery(st, name, ns_c_in, ns_t_txt, ans, sizeof(ans));
	ns_msg msg;

	if (len < 0 || ns_initparse(ans, len, &msg) < 0)
		return false;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		ns_rr rr;
		const unsigned char *d;
		char txt[1024];
		size_t k = 0;
		int rl;

		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 || ns_rr_type(rr) != ns_t_txt)
			continue;
		d = ns_rr_rdata(rr);
		rl = ns_rr_rdlen(rr);
		for (int off = 0; off < rl;) {
			int sl = d[off];

			if (off + 1 + sl > rl || k + (size_t)sl >= sizeof(txt))
				break;
			memcpy(txt + k, d + off + 1, (size_t)sl);
			k += (size_t)sl;
			off += 1 + sl;
		}
		if (verify_txt_matches(txt, k, token))
			return true;
	}
	return false;
}

bool verify_dns(const char *resolver, const char *domain, const char *token, char *why, size_t whylen)
{
	struct __res_state st;
	char *sub = g_strdup_printf("_leakguard.%s", domain);
	bool ok = false;

	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0) {
		snprintf(why, whylen, "The DNS resolver could not be used.");
		g_free(sub);
		return false;
	}
	st.retrans = 2;
	st.retry = 2;
	if (resolver && *resolver && !use_resolver(&st, resolver))
		snprintf(why, whylen, "The portal's DNS resolver setting is not IP:PORT.");
	else if (txt_has(&st, sub, token) || txt_has(&st, domain, token))
		ok = true;
	else
		snprintf(why, whylen, "We found no TXT record \"%s...\" with your token at %s or %s. "
			 "DNS changes can take a while to show; try again in a few minutes.", VERIFY_TXT_PREFIX, sub, domain);
	res_nclose(&st);
	g_free(sub);
	return ok;
}
