/* print.h: how check prints a verdict — a JSON object per message (JSON
 * Lines) or a few lines of plain text, with every URL and domain defanged
 * (hxxp, [.]) so nothing in the output is clickable. */
#ifndef LG_CLI_PRINT_H
#define LG_CLI_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "detect/engine.h"
#include "mail/message.h"

void print_verdict(FILE *out, bool json, const char *path, const struct mail_message *msg,
		    const struct verdict *v);
void print_error(FILE *out, bool json, const char *path, const char *why);

#endif
