/* fuzz_message.c: libFuzzer harness for mail_message_parse
 * (src/mail/message.c): raw RFC 5322 / MIME bytes in, the message model out.
 * Parsing must never fail on bad mail, so a NULL message is a bug too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/message.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	mail_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_message *msg = mail_message_parse((const char *)data, size);
	size_t i;

	if (!msg || !msg->subject || !msg->defect_text)
		abort();
	for (i = 0; i < msg->nlinks; i++)
		if (!msg->links[i].url)
			abort();
	mail_header_get(msg, "From");
	mail_message_free(&msg);
	if (msg)
		abort();
	return 0;
}
