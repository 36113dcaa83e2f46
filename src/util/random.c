/* random.c: see random.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/random.h"

enum lg_status lg_random_bytes(void *p, size_t n, struct errbuf *err)
{
	unsigned char *c = p;

	while (n) {
		ssize_t got = getrandom(c, n, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return errbuf_set(err, LG_EIO, "no random bytes from the kernel (getrandom: %s)",
					  strerror(errno));
		c += got;
		n -= (size_t)got;
	}
	return LG_OK;
}

uint64_t lg_random_u64(void)
{
	uint64_t v;

	if (lg_random_bytes(&v, sizeof(v), NULL)) {
		fputs("leakguard: the kernel gives no random bytes (getrandom)\n", stderr);
		abort();
	}
	return v;
}
