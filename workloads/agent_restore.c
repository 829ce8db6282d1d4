// SPDX-License-Identifier: GPL-2.0
/* faultline-agent --restore [--journal=PATH]: put back the kernel settings a dead agent left
 * changed (lib/knobs.h). The runner calls it at start-up and prints what it says. */
#include <stdio.h>
#include <string.h>
#include "agent.h"
#include "fl_hostlock.h"
#include "fl_interrupt.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "lib/knobs.h"

int fl_agent_restore(int argc, char **argv)
{
	const char *path = fl_knobs_default_path();
	char err[FL_ERRLEN], shown[256];
	struct fl_hostlock hl;
	bool wait = true;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--journal=", 10) && argv[i][10]) {
			path = argv[i] + 10;
		} else if (!strcmp(argv[i], "--journal") && i + 1 < argc && *argv[i + 1]) {
			path = argv[++i];
		} else if (!strcmp(argv[i], "--no-wait")) {
			wait = false;
		} else {
			fl_err("--restore: unexpected argument '%s' (usage: faultline-agent "
			       "--restore [--journal=PATH] [--no-wait])",
			       fl_text_clean(shown, sizeof(shown), argv[i]));
			return FL_EXIT_USAGE;
		}
	}
	fl_interrupt_install();
	ret = fl_hostlock_take(&hl, FL_HOSTLOCK_PATH, wait, err, sizeof(err));
	if (ret) {
		fl_err("%s", err);
		return FL_EXIT_ENV;
	}
	ret = fl_knobs_restore_file(path, NULL, stdout);
	fl_hostlock_release(&hl);
	fflush(stdout);
	if (ret < 0) {
		fl_err("kernel settings from the journal %s could not all be restored (see above)",
		       path);
		return FL_EXIT_ENV;
	}
	return FL_EXIT_OK;
}
