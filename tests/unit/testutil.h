/* testutil.h: what every cmocka unit test includes. cmocka needs these system
 * headers before its own. Tests are table-driven: a static array of cases and
 * one loop (curl tests/unit style). */
#ifndef LG_TESTUTIL_H
#define LG_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
