/* fuzz_leak.c: libFuzzer harness for the leak dump readers (src/leak/
 * reader*.c, record.c, extract.c) and the document converters (doc.c,
 * archive.c): a first byte below 0x80 picks the format (text, CSV, JSON,
 * mail) of the rest; from 0x80 its low bits pick a converter (UTF-16 LE/BE,
 * Latin-1, PDF, DOCX, XLSX, archive members, or detection by content)
 * whose text then goes through the sniffed reader. Every produced entry is
 * checked to carry a known kind, and a redacted snippet is made for each
 * place. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leak/doc.h"
#include "leak/reader.h"
#include "leak/record.h"
#include "mail/message.h"
#include "util/buf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	mail_init();
	return 0;
}

static bool member(void *ctx, const char *name, const char *data, size_t n)
{
	struct leak_collector *c = ctx;

	(void)name;
	leak_read(leak_format_sniff(name, data, n), data, n, c);
	return true;
}

static void member_error(void *ctx, const char *name, const char *why)
{
	(void)ctx, (void)name, (void)why;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct leak_collector c;
	struct buf snip;
	const char *d = (const char *)data + 1;
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1;
	leak_collector_init(&c);
	buf_init(&snip);
	if (data[0] < 0x80) {
		leak_read((enum leak_format)(data[0] % 4), d, n, &c);
	} else {
		static const enum leak_doc_kind kinds[8] = {LEAK_DOC_UTF16LE, LEAK_DOC_UTF16BE, LEAK_DOC_LATIN1,
							    LEAK_DOC_PDF,     LEAK_DOC_DOCX,    LEAK_DOC_XLSX,
							    LEAK_DOC_ARCHIVE, LEAK_DOC_PLAIN};
		enum leak_doc_kind k = kinds[data[0] & 7];
		struct leak_doc doc;

		leak_doc_init(&doc);
		if (k == LEAK_DOC_ARCHIVE) {
			leak_archive_each(d, n, NULL, member, member_error, &c);
		} else if (!(k == LEAK_DOC_PLAIN ? leak_doc_open(&doc, "fuzz", d, n) : leak_doc_convert(&doc, k, d, n)) &&
			   doc.kind != LEAK_DOC_ARCHIVE) {
			const char *t = doc.text ? doc.text : d;
			size_t tn = doc.text ? doc.len : n;

			leak_read(leak_format_sniff("fuzz", t, tn), t, tn, &c);
			for (size_t i = 0; i < c.nentries; i++)
				if ((c.entries[i].pos & LEAK_POS_MASK) > tn)
					abort();
			if (k == LEAK_DOC_PDF) {
				size_t start;

				leak_doc_page(t, tn, tn / 2, &start);
			}
			c.nentries = 0; /* positions are in the text, not in d */
		}
		leak_doc_cleanup(&doc);
		leak_collector_cleanup(&c);
		buf_cleanup(&snip);
		return 0;
	}
	for (size_t i = 0; i < c.nentries; i++) {
		enum leak_kind k = leak_entry_kind(&c.entries[i]);
		uint64_t pos = c.entries[i].pos & LEAK_POS_MASK;

		if (k < LEAK_EMAIL || k >= LEAK_KINDS || pos > n)
			abort();
		buf_reset(&snip);
		leak_redact(d, n, (size_t)pos, leak_entry_flags(&c.entries[i]) & LEAK_FLAG_PASSWORD, &snip);
	}
	buf_cleanup(&snip);
	leak_collector_cleanup(&c);
	return 0;
}
