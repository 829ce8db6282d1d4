// SPDX-License-Identifier: GPL-2.0
/* faultline list: the agent's workload table, for people. */
#include <stdio.h>
#include <string.h>
#include "fl_util.h"
#include "agent_exec.h"
#include "commands.h"

static void print_param(json_t *p)
{
	const char *sh = json_string_value(json_object_get(p, "short"));
	const char *def = json_string_value(json_object_get(p, "default"));

	printf("    %-3s --%-18s %-7s %-10s %s\n", sh ? sh : "",
	       json_string_value(json_object_get(p, "name")),
	       json_string_value(json_object_get(p, "type")), def && *def ? def : "-",
	       json_string_value(json_object_get(p, "help")));
}

static void print_workload(json_t *w)
{
	json_t *v;
	size_t i;

	printf("%s — %s\n  parameters (option, type, default):\n",
	       json_string_value(json_object_get(w, "name")),
	       json_string_value(json_object_get(w, "summary")));
	json_array_foreach(json_object_get(w, "params"), i, v)
		print_param(v);
	printf("  metrics (unit, better):\n");
	json_array_foreach(json_object_get(w, "metrics"), i, v)
		printf("    %-26s %-14s %-7s %s\n", json_string_value(json_object_get(v, "name")),
		       json_string_value(json_object_get(v, "unit")),
		       json_string_value(json_object_get(v, "better")),
		       json_string_value(json_object_get(v, "help")));
	putchar('\n');
}

int fl_cmd_list(int argc, char **argv)
{
	char agent[4096], err[FL_ERRLEN];
	char *av[] = { agent, "--describe", NULL };
	json_t *arr, *w;
	size_t i;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: faultline list [--json]\n  workloads with parameters and metrics");
		return FL_EXIT_OK;
	}
	if (!fl_agent_path(agent, sizeof(agent)))
		return FL_EXIT_ENV;
	arr = fl_child_json(av, err, sizeof(err));
	if (!arr) {
		fl_err("%s", err);
		return FL_EXIT_ENV;
	}
	if (argc > 1 && !strcmp(argv[1], "--json")) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (argc > 1) {
		fl_err("list: unknown option %s (see faultline list --help)", argv[1]);
		json_decref(arr);
		return FL_EXIT_USAGE;
	} else {
		json_array_foreach(arr, i, w)
			print_workload(w);
		puts("Run one:  faultline-agent WORKLOAD [options] --json out.json");
	}
	json_decref(arr);
	return FL_EXIT_OK;
}
