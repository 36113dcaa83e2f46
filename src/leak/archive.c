/* archive.c: reading ZIP and tar archives (gzip, bzip2, xz) in memory with
 * libarchive, for leak_archive_each() (doc.h). Members are inflated into
 * one reused buffer under LEAK_MAX_MEMBER; the total inflated bytes are
 * capped by LEAK_MAX_ARCHIVE_TOTAL and, past 16 MiB, by
 * LEAK_MAX_ARCHIVE_RATIO times the outermost file's size, one budget for
 * every nesting level (struct leak_budget), so a zip bomb, nested or not,
 * stops at the cap with an error instead of filling memory. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "leak/doc.h"
#include "util/alloc.h"
#include "util/buf.h"

void leak_budget_init(struct leak_budget *bg, size_t n)
{
	bg->limit = (uint64_t)n * LEAK_MAX_ARCHIVE_RATIO;
	if (bg->limit < 16u * 1024 * 1024)
		bg->limit = 16u * 1024 * 1024;
	if (bg->limit > LEAK_MAX_ARCHIVE_TOTAL)
		bg->limit = LEAK_MAX_ARCHIVE_TOTAL;
	bg->left = bg->limit;
	bg->nested = false;
}

enum lg_status leak_archive_each(const char *data, size_t n, struct leak_budget *bg,
				 bool (*member)(void *ctx, const char *name, const char *data, size_t n),
				 void (*error)(void *ctx, const char *name, const char *why), void *ctx)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct buf b;
	struct leak_budget own;
	bool was_nested;
	size_t members = 0;
	enum lg_status rc = LG_OK;
	char why[300];
	int r;
	/* member names are UTF-8 (the ZIP flag, tar in practice): read them in a
	 * UTF-8 character type, so a non-ASCII name is kept (and printed
	 * escaped) rather than lost to the C locale's ASCII */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t was = utf8 ? uselocale(utf8) : (locale_t)0;

	if (!bg) {
		leak_budget_init(&own, n);
		bg = &own;
	}
	was_nested = bg->nested;
	bg->nested = true;
	buf_init(&b);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_memory(a, data, n) != ARCHIVE_OK) {
		snprintf(why, sizeof(why), "unreadable archive (%s)", archive_error_string(a));
		error(ctx, NULL, why);
		rc = LG_EPARSE;
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);
		bool big = false;
		la_ssize_t got;
		char chunk[65536];

		if (!name)
			name = "?";
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (++members > LEAK_MAX_MEMBERS) {
			error(ctx, NULL, "archive of more than 100000 members; the rest");
			rc = LG_ELIMIT;
			goto out;
		}
		buf_reset(&b);
		while ((got = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
			if ((uint64_t)got > bg->left) {
				snprintf(why, sizeof(why),
					 "archive inflates to more than %llu MiB (%d times %s, or 2 GiB): a zip bomb? "
					 "the rest",
					 (unsigned long long)(bg->limit >> 20), LEAK_MAX_ARCHIVE_RATIO,
					 was_nested ? "the size of the outermost file, all nested archives counted"
						    : "its size");
				bg->left = 0;
				error(ctx, name, why);
				rc = LG_ELIMIT;
				goto out;
			}
			bg->left -= (uint64_t)got;
			if (b.len + (size_t)got > LEAK_MAX_MEMBER) {
				big = true;
				continue; /* drain it, counting toward the total */
			}
			if (!big)
				buf_append(&b, chunk, (size_t)got);
		}
		if (got < 0) {
			snprintf(why, sizeof(why), "damaged archive member (%s); the rest of the archive",
				 archive_error_string(a));
			error(ctx, name, why);
			rc = LG_EPARSE;
			goto out;
		}
		if (big) {
			error(ctx, name, "archive member larger than 256 MiB");
			continue;
		}
		if (!member(ctx, name, b.len ? b.data : "", b.len))
			goto out;
	}
	if (r != ARCHIVE_EOF) {
		snprintf(why, sizeof(why), "damaged archive (%s); the rest of it", archive_error_string(a));
		error(ctx, NULL, why);
		rc = LG_EPARSE;
	}
out:
	bg->nested = was_nested;
	archive_read_free(a);
	buf_cleanup(&b);
	if (utf8) {
		uselocale(was);
		freelocale(utf8);
	}
	return rc;
}
