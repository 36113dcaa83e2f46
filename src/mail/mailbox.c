/* mailbox.c: see mailbox.h. Files are read whole into one reused buffer;
 * an mbox is then cut at lines starting "From " that follow an empty line
 * (or the start of the file), the mboxrd/mboxo convention of RFC 4155. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/mailbox.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <glib.h>
#include <stdlib.h>

#define MAILBOX_MAX_DEPTH 16 /* directory levels followed */

struct walker {
	const struct mailbox_visitor *v;
	struct buf data; /* reused for every file */
	bool stopped;
};

static bool read_fd(int fd, struct buf *b)
{
	char chunk[65536];
	ssize_t n;

	buf_reset(b);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		buf_append(b, chunk, (size_t)n);
	}
	if (!b->data)
		buf_append(b, "", 0);
	return true;
}

/* The next "From " line after an empty line, or NULL. */
static const char *next_separator(const char *p, const char *end)
{
	const char *start = p;

	for (; p + 6 < end; p++) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p || p + 6 >= end)
			return NULL;
		if (memcmp(p + 1, "From ", 5) != 0 || p == start)
			continue;
		if (p[-1] == '\n' || (p[-1] == '\r' && p - 1 > start && p[-2] == '\n'))
			return p + 1;
	}
	return NULL;
}

/* Splits an mbox; a file with one message keeps its own name as label. */
static void visit_mbox(struct walker *w, const char *label, const char *data, size_t len)
{
	const char *end = data + len, *start = data, *next;
	unsigned index = 1;
	bool single;

	next = next_separator(start, end);
	single = next == NULL;
	while (!w->stopped) {
		size_t n = (size_t)((next ? next : end) - start);
		char *name = single ? NULL : g_strdup_printf("%s#%u", label, index++);

		w->stopped = !w->v->message(w->v->ctx, single ? label : name, start, n);
		g_free(name);
		if (!next)
			break;
		start = next;
		next = next_separator(start, end);
	}
}

static void visit_file(struct walker *w, const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		w->v->error(w->v->ctx, path, strerror(errno));
		return;
	}
	if (!read_fd(fd, &w->data)) {
		w->v->error(w->v->ctx, path, strerror(errno));
		close(fd);
		return;
	}
	close(fd);
	if (w->data.len >= 5 && memcmp(w->data.data, "From ", 5) == 0)
		visit_mbox(w, path, w->data.data, w->data.len);
	else
		w->stopped = !w->v->message(w->v->ctx, path, w->data.data, w->data.len);
}

static void visit(struct walker *w, const char *path, int depth);

static int skip_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* A Maildir holds cur/ (and new/ and tmp/) side by side. */
static bool is_maildir(struct dirent **names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i]->d_name, "cur") == 0)
			return true;
	return false;
}

static void visit_dir(struct walker *w, const char *path, int depth)
{
	struct dirent **names;
	int n = scandir(path, &names, skip_hidden, alphasort);
	bool maildir;

	if (n < 0) {
		w->v->error(w->v->ctx, path, strerror(errno));
		return;
	}
	maildir = is_maildir(names, n);
	for (int i = 0; i < n; i++) {
		char *child = g_build_filename(path, names[i]->d_name, NULL);

		/* A Maildir's tmp/ holds messages still being delivered. */
		if (!(maildir && strcmp(names[i]->d_name, "tmp") == 0) && !w->stopped)
			visit(w, child, depth + 1);
		g_free(child);
		free(names[i]);
	}
	free(names);
}

static void visit(struct walker *w, const char *path, int depth)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		w->v->error(w->v->ctx, path, strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth >= MAILBOX_MAX_DEPTH)
			w->v->error(w->v->ctx, path, "directories nested too deeply");
		else
			visit_dir(w, path, depth);
	} else if (S_ISREG(st.st_mode)) {
		visit_file(w, path);
	} else {
		w->v->error(w->v->ctx, path, "not a regular file or directory");
	}
}

enum lg_status mailbox_walk(const char *path, const struct mailbox_visitor *v, struct errbuf *err)
{
	struct walker w = {.v = v};
	struct stat st;

	buf_init(&w.data);
	if (strcmp(path, "-") == 0) {
		if (!read_fd(STDIN_FILENO, &w.data)) {
			buf_cleanup(&w.data);
			return errbuf_set(err, LG_EIO, "standard input: %s", strerror(errno));
		}
		if (w.data.len >= 5 && memcmp(w.data.data, "From ", 5) == 0)
			visit_mbox(&w, "-", w.data.data, w.data.len);
		else
			v->message(v->ctx, "-", w.data.data, w.data.len);
	} else if (stat(path, &st) != 0) {
		buf_cleanup(&w.data);
		return errbuf_set(err, errno == ENOENT ? LG_ENOTFOUND : LG_EIO, "%s: %s", path, strerror(errno));
	} else {
		visit(&w, path, 0);
	}
	buf_cleanup(&w.data);
	return LG_OK;
}
