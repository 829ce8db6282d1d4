// SPDX-License-Identifier: GPL-2.0
/* faultline report RUN_DIR: the summary table of a run, again. */
#include <stdio.h>
#include <string.h>
#include "fl_util.h"
#include "commands.h"
#include "summary.h"

int fl_cmd_report(int argc, char **argv)
{
	if (argc != 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		puts("usage: faultline report RUN_DIR\n"
		     "  print the summary table of a run (results/<run-id>) as the run's end did:\n"
		     "  per case group n, mean, stddev and CoV of each metric, counters per op,\n"
		     "  and for a run made with --precision the 95% CI half-width of each group's\n"
		     "  primary metric, its target, n and why it stopped (run.json's precision).\n"
		     "  Exit: 0 printed, 2 no such run or a run.json that is not faultline/1.");
		return argc == 2 ? FL_EXIT_OK : FL_EXIT_USAGE;
	}
	if (fl_summary_print(argv[1], stdout))
		return FL_EXIT_USAGE;
	printf("results: %s\n", argv[1]);
	return FL_EXIT_OK;
}
