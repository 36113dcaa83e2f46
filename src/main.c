/* main.c: leakguard's entry point. Dispatch only: each subcommand lives in
 * src/cli/ and parses its own options. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
