/* main.c: leakguard's entry point. Dispatch only: each subcommand lives in
 * src/cli/ and parses its own options. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/alloc.h"

int main(int argc, char **argv)
{
	lg_alloc_tune();
	return cli_main(argc, argv);
}
