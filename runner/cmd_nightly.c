// SPDX-License-Identifier: GPL-2.0
/* faultline nightly: placeholder until the history code lands (same commit series). */
#include <stdio.h>
#include "fl_util.h"
#include "runner.h"

int fl_cmd_nightly(int argc, char **argv)
{
	fl_err("nightly is not built yet");
	return FL_EXIT_USAGE;
}
