/* mailtest.h: the group fixtures of unit tests that parse mail: the MIME
 * library is started once for the group and released after it. */
#ifndef LG_MAILTEST_H
#define LG_MAILTEST_H

#include "mail/message.h"

static int mail_group_setup(void **state)
{
	(void)state;
	mail_init();
	return 0;
}

static int mail_group_teardown(void **state)
{
	(void)state;
	mail_shutdown();
	return 0;
}

#endif
