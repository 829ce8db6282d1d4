// SPDX-License-Identifier: GPL-2.0
/* faultline: the host CLI, git-style subcommands. */
#include <stdio.h>
#include <string.h>
#include "fl_util.h"
#include "commands.h"

struct command {
	const char *name, *summary;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "run", "run a suite (this kernel, or --target qemu --kernel K) into results/<run-id>/", fl_cmd_run },
	{ "doctor", "what on this host makes numbers noisy or wrong, and the fix", fl_cmd_doctor },
	{ "list", "workloads, their parameters and metrics", fl_cmd_list },
	{ "report", "print the summary table of a finished run", fl_cmd_report },
	{ "validate", "check result files against the faultline/1 schema", fl_cmd_validate },
	{ "compare", "compare runs: tables with spread, delta, CI and significance", fl_cmd_compare },
	{ "nightly", "run a suite, add it to a history, exit 1 on a regression", fl_cmd_nightly },
	{ "kernel", "candidate kernels: list, show (fetches a prebuilt one), build", fl_cmd_kernel },
	{ "export", "a run as KernelCI KCIDB JSON (export kcidb RUN_DIR)", fl_cmd_export },
	{ "lava", "LAVA jobs: render, submit, follow (status, wait), fetch or collect results into a run", fl_cmd_lava },
	{ "hunt", "a stress suite on a clean and seeded-bug kernels: detection matrix", fl_cmd_hunt },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fputs("usage: faultline COMMAND [options]   (faultline COMMAND --help for each)\n\n"
	      "commands:\n", out);
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
}

int main(int argc, char **argv)
{
	fl_set_progname("faultline");
	if (argc < 2) {
		usage(stderr);
		return FL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return FL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("faultline %s (%s)\n", FL_VERSION, FL_COMMIT);
		return FL_EXIT_OK;
	}
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	fl_err("unknown command '%s' (faultline --help lists the commands)", argv[1]);
	return FL_EXIT_USAGE;
}
