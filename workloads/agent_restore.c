// SPDX-License-Identifier: GPL-2.0
/* faultline-agent --restore [--journal=PATH]: put back the kernel settings a dead agent left
 * changed (lib/knobs.h). The runner calls it at start-up and prints what it says. */
#include <stdio.h>
#include <string.h>
#include "agent.h"
#include "fl_util.h"
#include "lib/knobs.h"

int fl_agent_restore(int argc, char **argv)
{
	const char *path = fl_knobs_default_path();
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--journal=", 10) && argv[i][10]) {
			path = argv[i] + 10;
		} else if (!strcmp(argv[i], "--journal") && i + 1 < argc && *argv[i + 1]) {
			path = argv[++i];
		} else {
			fl_err("--restore: unexpected argument '%s' (usage: faultline-agent "
			       "--restore [--journal=PATH])", argv[i]);
			return FL_EXIT_USAGE;
		}
	}
	ret = fl_knobs_restore_file(path, stdout);
	fflush(stdout);
	if (ret < 0) {
		fl_err("kernel settings from the journal %s could not all be restored (see above)",
		       path);
		return FL_EXIT_ENV;
	}
	return FL_EXIT_OK;
}
