/* iplist.c: see iplist.h. Entries are kept as 16-byte addresses (IPv4 mapped
 * into ::ffff:0:0/96) with a prefix length, and matched by a linear scan:
 * block lists of a few thousand entries are checked once per message. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "detect/iplist.h"
#include "util/alloc.h"

struct net {
	unsigned char addr[16];
	unsigned prefix; /* bits, 0..128 */
};

struct iplist {
	struct net *nets;
	size_t n, cap;
};

struct iplist *iplist_new(void)
{
	return lg_calloc(1, sizeof(struct iplist));
}

void iplist_free(struct iplist **l)
{
	if (!l || !*l)
		return;
	lg_free((*l)->nets);
	lg_free(*l);
	*l = NULL;
}

/* Parses an address into 16 bytes; *is_v4 tells which family it was. */
static bool parse_addr(const char *text, unsigned char out[16], bool *is_v4)
{
	struct in_addr v4;

	if (inet_pton(AF_INET, text, &v4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &v4, 4);
		*is_v4 = true;
		return true;
	}
	*is_v4 = false;
	return inet_pton(AF_INET6, text, out) == 1;
}

enum lg_status iplist_add(struct iplist *l, const char *text, struct errbuf *err)
{
	char addr[64];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	struct net net;
	bool is_v4;
	long prefix;
	char *end;

	if (len >= sizeof(addr))
		return errbuf_set(err, LG_EPARSE, "'%s' is not an IP address or network", text);
	memcpy(addr, text, len);
	addr[len] = '\0';
	if (!parse_addr(addr, net.addr, &is_v4))
		return errbuf_set(err, LG_EPARSE, "'%s' is not an IP address or network", text);
	prefix = is_v4 ? 32 : 128;
	if (slash) {
		prefix = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || prefix < 0 || prefix > (is_v4 ? 32 : 128))
			return errbuf_set(err, LG_EPARSE, "'%s' has an invalid prefix length", text);
	}
	net.prefix = (unsigned)(is_v4 ? prefix + 96 : prefix);
	l->nets = lg_grow(l->nets, &l->cap, l->n + 1, sizeof(*l->nets));
	l->nets[l->n++] = net;
	return LG_OK;
}

static bool in_net(const struct net *net, const unsigned char a[16])
{
	unsigned full = net->prefix / 8, rest = net->prefix % 8;

	if (memcmp(net->addr, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((net->addr[full] ^ a[full]) & (0xff << (8 - rest))) == 0;
}

bool iplist_contains(const struct iplist *l, const char *ip)
{
	unsigned char a[16];
	bool is_v4;

	if (!l || !parse_addr(ip, a, &is_v4))
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (in_net(&l->nets[i], a))
			return true;
	return false;
}

size_t iplist_count(const struct iplist *l)
{
	return l ? l->n : 0;
}
