/* dump.c: `leakguard --dump-config-table` and `--dump-signals`, hidden
 * options that print the settings table (util/config.c) and the signal
 * table (detect/signal.h) as tab-separated lines, so that scripts/mkman.sh
 * generates leakguard.conf(5) from the very tables the code reads. */
#include <stdio.h>

#include "cli/cli.h"
#include "detect/signal.h"
#include "util/config.h"

/* section, key, type, default ("-" for none) */
int cli_dump_config(void)
{
	struct config_setting_info s;

	for (size_t i = 0; config_setting_info(i, &s); i++)
		printf("%s\t%s\t%s\t%s\n", s.section, s.key, s.type, s.def ? s.def : "-");
	return EXIT_CLEAN;
}

/* name, default weight, class, description */
int cli_dump_signals(void)
{
	static const char *const classes[] = {"phishing", "spam", "info"};
	struct signal_weights w;

	signal_weights_default(&w);
	for (int i = 0; i < SIGNAL_COUNT; i++)
		printf("%s\t%.1f\t%s\t%s\n", signal_name((enum signal_id)i), w.w[i],
		       classes[signal_class_of((enum signal_id)i)], signal_description((enum signal_id)i));
	return EXIT_CLEAN;
}
