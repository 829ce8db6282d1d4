// SPDX-License-Identifier: GPL-2.0
/* What the getopt loops of run, hunt and doctor share (cmd_getopt.h). */
#include <getopt.h>
#include <stdlib.h>
#include "cmd_getopt.h"
#include "fl_util.h"
#include "precision.h"

int fl_opt_number(const char *cmd, const char *opt, const char *what, const char *arg,
		  double min, double max, double *out)
{
	char *end;

	*out = strtod(arg, &end);
	if (*arg && !*end && *out >= min && *out <= max)
		return 0;
	fl_err("%s: %s wants %s from %g to %g, not '%s'", cmd, opt, what, min, max, arg);
	return -1;
}

int fl_opt_duration(const char *cmd, const char *opt, const char *arg, double *out)
{
	if (!fl_parse_duration(arg, out))
		return 0;
	fl_err("%s: %s wants a duration above 0 and at most 7 days, like 600, 90s, 10m or "
	       "1h30m, not '%s'", cmd, opt, arg);
	return -1;
}

void fl_opt_refused(const char *cmd, int c, char **argv)
{
	if (c == ':')
		fl_err("%s: option %s needs a value", cmd, argv[optind - 1]);
	else
		fl_err("%s: unknown option %s (see faultline %s --help)", cmd, argv[optind - 1],
		       cmd);
}
