/* fuzz_leak.c: libFuzzer harness for the leak dump readers (src/leak/
 * reader*.c, record.c, extract.c): the first byte picks the format (text,
 * CSV, JSON, mail), the rest is the file; every produced entry is checked
 * to carry a known kind, and a redacted snippet is made for each place. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	leak_read((enum leak_format)(data[0] % 4), d, n, &c);
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
