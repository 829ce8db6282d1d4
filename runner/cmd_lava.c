// SPDX-License-Identifier: GPL-2.0
/* faultline lava render|collect|submit: placeholder until the LAVA files land. */
#include <stdio.h>
#include "fl_util.h"
#include "runner.h"

int fl_cmd_lava(int argc, char **argv)
{
	fl_err("lava: not built yet");
	return FL_EXIT_USAGE;
}
