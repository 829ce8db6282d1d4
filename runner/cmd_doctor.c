// SPDX-License-Identifier: GPL-2.0
/* faultline doctor [--json] [--sample S] [--tune [--no-wait] -- COMMAND...]: what on this host
 * makes numbers noisy or wrong, and the fix for each (doctor.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "conditions.h"
#include "doctor.h"
#include "fl_hostlock.h"
#include "fl_json.h"
#include "fl_util.h"
#include "cmd_opts.h"
#include "commands.h"

static void usage(FILE *out)
{
	fputs("usage: faultline doctor [--json] [--sample S]\n"
	      "       faultline doctor --tune [--no-wait] -- COMMAND [ARG...]\n"
	      "       faultline doctor --diff RUN_A RUN_B\n"
	      "  what on this host makes numbers noisy or wrong (load, other runs, CPU\n"
	      "  frequency, SMT, isolation, NMI watchdog, perf, PMU, THP, khugepaged, swap,\n"
	      "  hypervisor and remote TLB flushes, ASLR, boot parameters, free page\n"
	      "  reporting, DAMON, the host's steadiness), each with its fix; exit 1 when\n"
	      "  something warns, 0 when nothing does\n"
	      "  --json       the findings as JSON (schema/doctor-1.schema.json)\n"
	      "  --sample S   load sample seconds (busy processes, steal, and the steadiness:\n"
	      "               page faults timed in 10 blocks of CPU time, under the host lock\n"
	      "               taken without waiting; default 1, 0: none)\n"
	      "  --tune       set the safe settings (THP and khugepaged to the kernel defaults)\n"
	      "               through the knobs journal " FL_DOCTOR_JOURNAL ",\n"
	      "               run COMMAND, and put every one back when it ends, fails or is\n"
	      "               interrupted; holds the host lock meanwhile (COMMAND's faultline\n"
	      "               runs share it); exits with COMMAND's status\n"
	      "  --no-wait    --tune: when another run holds the host lock, exit 3 at once\n"
	      "  --diff       how two runs' conditions (run.json run.conditions) differ, one\n"
	      "               sentence each; exit 1 when they do\n", out);
}

struct doctor_args {
	bool json, tune, no_wait, diff;
	double sample_s;
	char **cmd;
};

static int parse_args(int argc, char **argv, struct doctor_args *a)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' }, { "tune", no_argument, NULL, 't' },
		{ "no-wait", no_argument, NULL, 'W' }, { "sample", required_argument, NULL, 's' },
		{ "diff", no_argument, NULL, 'd' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->sample_s = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", lo, NULL)) != -1) {
		switch (c) {
		case 'j': a->json = true; break;
		case 't': a->tune = true; break;
		case 'W': a->no_wait = true; break;
		case 'd': a->diff = true; break;
		case 's':
			if (fl_opt_double("doctor", "--sample", optarg, 0, 60,
					  "seconds from 0 to 60", &a->sample_s))
				return -1;
			break;
		case 'h': usage(stdout); return 1;
		default:
			fl_opt_refused("doctor", c, argv);
			return -1;
		}
	}
	if (optind < argc)
		a->cmd = argv + optind;
	if (a->diff) {
		if (a->tune || a->json || !a->cmd || !a->cmd[1] || a->cmd[2]) {
			fl_err("doctor: --diff takes two run directories and nothing else");
			return -1;
		}
		return 0;
	}
	if (a->tune && !a->cmd) {
		fl_err("doctor: --tune runs a command with the tuned settings and restores them "
		       "when it ends: faultline doctor --tune -- COMMAND [ARG...]");
		return -1;
	}
	if (!a->tune && (a->cmd || a->no_wait)) {
		fl_err(a->cmd ? "doctor: unexpected argument '%s' (a command to run goes after "
		       "--tune --)" : "doctor: --no-wait goes with --tune%s", a->cmd ? a->cmd[0] : "");
		return -1;
	}
	if (a->tune && a->json) {
		fl_err("doctor: --json shows the findings; --tune runs a command: give one");
		return -1;
	}
	return 0;
}

/* --diff RUN_A RUN_B */
static int diff_runs(char **dirs)
{
	char path[2][1100], err[FL_ERRLEN];
	json_t *doc[2] = { NULL, NULL }, *d = NULL, *s;
	int ret = FL_EXIT_USAGE;
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/run.json", dirs[i]);
		doc[i] = fl_json_load(path[i], err, sizeof(err));
		if (!doc[i]) {
			fl_err("doctor --diff: %s", err);
			goto out;
		}
	}
	d = fl_conditions_diff(fl_run_conditions(doc[0]), fl_run_conditions(doc[1]));
	if (!json_array_size(d))
		printf("the conditions of A (%s) and B (%s) do not differ\n", dirs[0], dirs[1]);
	else
		printf("the conditions of A (%s) and B (%s) differ:\n", dirs[0], dirs[1]);
	json_array_foreach(d, i, s) {
		fputs("  - ", stdout);
		fl_doctor_wrap(stdout, json_string_value(s), 4);
	}
	ret = json_array_size(d) ? FL_EXIT_FOUND : FL_EXIT_OK;
out:
	json_decref(d);
	json_decref(doc[0]);
	json_decref(doc[1]);
	return ret;
}

int fl_cmd_doctor(int argc, char **argv)
{
	struct fl_doctor_opts o = { .lock_path = FL_HOSTLOCK_PATH };
	struct doctor_args a;
	json_t *doc;
	int ret;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret > 0 ? FL_EXIT_OK : FL_EXIT_USAGE;
	if (a.diff)
		return diff_runs(a.cmd);
	if (access("/proc/self/stat", R_OK) || access("/sys/devices/system/cpu", R_OK)) {
		fl_err("doctor: /proc or /sys is not mounted here; nothing can be checked");
		return FL_EXIT_ENV;
	}
	if (a.tune)
		return fl_doctor_tune(a.cmd, !a.no_wait);
	o.sample_s = a.sample_s;
	doc = fl_doctor_collect(&o);
	if (a.json) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	} else {
		fl_doctor_print(doc, stdout);
	}
	ret = fl_doctor_warns(doc) ? FL_EXIT_FOUND : FL_EXIT_OK;
	json_decref(doc);
	return ret;
}
