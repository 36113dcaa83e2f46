/* durable.c: see durable.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/durable.h"

static enum lg_status write_all(int fd, const void *p, size_t n, const char *path, struct errbuf *err)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n > (1u << 30) ? (1u << 30) : n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return errbuf_set(err, LG_EIO, "%s: write: %s", path, strerror(errno));
		c += w;
		n -= (size_t)w;
	}
	return LG_OK;
}

enum lg_status durable_write(const char *path, const void *head, size_t head_len, const void *body,
			     size_t body_len, struct errbuf *err)
{
	char tmp[4096];
	enum lg_status rc;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return errbuf_set(err, LG_ELIMIT, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return errbuf_set(err, LG_EIO, "%s: %s", tmp, strerror(errno));
	rc = write_all(fd, head, head_len, tmp, err);
	if (!rc && body_len)
		rc = write_all(fd, body, body_len, tmp, err);
	if (!rc && fsync(fd) != 0)
		rc = errbuf_set(err, LG_EIO, "%s: fsync: %s", tmp, strerror(errno));
	close(fd);
	if (!rc && rename(tmp, path) != 0)
		rc = errbuf_set(err, LG_EIO, "%s: rename: %s", path, strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}
