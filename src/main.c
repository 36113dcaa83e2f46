/* main.c: leakguard's entry point. Dispatch only: each subcommand lives in
 * src/cli/ and parses its own options. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "util/alloc.h"

int main(int argc, char **argv)
{
	lg_alloc_tune();
	/* Everything leakguard writes (stores, history and key files, leak
	 * segments, scan samples) holds leak data or secrets: readable by its
	 * owner only, whatever umask the caller runs it under. */
	umask(077);
	return cli_main(argc, argv);
}
