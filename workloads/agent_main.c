// SPDX-License-Identifier: GPL-2.0
/* faultline-agent WORKLOAD [options]: runs one case and writes one case document. */
#include <stdio.h>
#include <string.h>
#include "agent.h"
#include "fl_hostlock.h"
#include "fl_util.h"

static void usage(FILE *out)
{
	fputs("usage: faultline-agent WORKLOAD [options] [--probes LIST] [--json FILE] [--no-wait]\n"
	      "       faultline-agent WORKLOAD --help     options and metrics of a workload\n"
	      "       faultline-agent --list              the workloads\n"
	      "       faultline-agent --describe          workloads, parameters, metrics as JSON\n"
	      "       faultline-agent --restore [--journal=PATH] [--no-wait]\n"
	      "                                           undo kernel settings a killed agent left\n"
	      "       faultline-agent --version\n\n"
	      "A case and --restore hold the host lock " FL_HOSTLOCK_PATH " (they wait\n"
	      "for another faultline holding it, or with --no-wait exit 3).\n\nworkloads:\n", out);
	for (int i = 0; fl_workloads[i]; i++)
		fprintf(out, "  %-16s %s\n", fl_workloads[i]->name, fl_workloads[i]->summary);
}

/* Print a JSON document on stdout and drop it: the exit status of a listing. */
static int print_json(json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(doc);
	return FL_EXIT_OK;
}

static int describe(void)
{
	json_t *arr = json_array();

	for (int i = 0; fl_workloads[i]; i++) {
		const struct fl_workload *wl = fl_workloads[i];

		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", wl->name,
						     "summary", wl->summary, "op_unit", wl->op_unit,
						     "params", fl_params_describe(wl->params),
						     "metrics", fl_metrics_describe(wl->metrics)));
	}
	return print_json(arr);
}

/* The "run" object the runner puts into case documents it writes itself (crash, timeout). */
static int run_info(void)
{
	struct fl_agent_opts o = { .wl = fl_workloads[0], .target_kind = "local" };

	return print_json(fl_agent_run_info(&o));
}

int main(int argc, char **argv)
{
	const struct fl_workload *wl;
	struct fl_agent_opts o;
	int ret;

	fl_set_progname("faultline-agent");
	if (argc < 2) {
		usage(stderr);
		return FL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--list")) {
		usage(stdout);
		return FL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--describe"))
		return describe();
	if (!strcmp(argv[1], "--restore"))
		return fl_agent_restore(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--run-info"))
		return run_info();
	if (!strcmp(argv[1], "--version")) {
		printf("faultline-agent %s (%s)\n", FL_VERSION, FL_COMMIT);
		return FL_EXIT_OK;
	}
	wl = fl_workload_find(argv[1]);
	if (!wl) {
		fl_err("unknown workload '%s' (faultline-agent --list shows the workloads)", argv[1]);
		return FL_EXIT_USAGE;
	}
	ret = fl_agent_parse(&o, wl, argc - 1, argv + 1);
	if (ret)
		return ret > 0 ? FL_EXIT_OK : FL_EXIT_USAGE;
	if (o.check_only)
		return FL_EXIT_OK;
	return fl_agent_run_case(&o);
}
