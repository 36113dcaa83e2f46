/* provider.c: what the services of provider.h share — URL escaping
 * (RFC 3986) and object addressing; each service is its own file (azure.c,
 * s3.c). */
#include <string.h>

#include "scan/provider.h"

void scan_url_escape(struct buf *url, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || (c == '/' && keep_slash)) {
			buf_putc(url, (char)c);
		} else {
			buf_putc(url, '%');
			buf_putc(url, hex[c >> 4]);
			buf_putc(url, hex[c & 15]);
		}
	}
}

bool scan_code_is(const char *code, const char *want)
{
	return code && strcmp(code, want) == 0;
}

void scan_object_url(struct buf *url, const char *root, const char *object)
{
	buf_appendf(url, "%s/", root);
	scan_url_escape(url, object, true);
}

