// SPDX-License-Identifier: GPL-2.0
/*
 * faultline hunt SUITE --kernel CLEAN --kernel BUG... : a stress suite on every kernel through
 * the multi-kernel run (run_multi.c: rounds interleaved, one guest at a time, one run dir per
 * kernel under OUT), then the detection matrix (analysis/findings.h, hunt_render.c), written
 * as OUT/hunt.json too. faultline hunt --report DIR... prints it again from run dirs.
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "findings.h"
#include "fl_interrupt.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "hunt.h"
#include "kernel.h"
#include "precision.h"
#include "plan.h"
#include "agent_exec.h"
#include "execute.h"
#include "commands.h"
#include "target.h"
#include "target_opts.h"
#include "cmd_opts.h"

#define MAX_REPORTS 64
#define ROUNDS_MAX 1000
#define BUDGET_ROUNDS 100	/* --max-time without --rounds: up to this many rounds */

struct hunt_opts {
	const char *suite, *out, *format;
	const char *dirs[MAX_REPORTS];
	int ndirs;
	bool report;
	int rounds;		/* 0: the suite's iterations */
	double max_time_s;	/* 0: none */
	struct fl_target_args ta;
};

static volatile sig_atomic_t budget_spent;

static void hunt_usage(FILE *out)
{
	fputs("usage: faultline hunt SUITE --kernel CLEAN --kernel BUG... [--out DIR]\n"
	      "                      [--rounds N] [--max-time D] [--format text|md|json] [QEMU]\n"
	      "       faultline hunt --report DIR... [--format text|md|json]\n"
	      "Runs SUITE (e.g. configs/suites/stress.json) on every kernel in QEMU, rounds\n"
	      "interleaved as faultline run --kernel A --kernel B does (one run dir per kernel\n"
	      "under DIR), then prints the detection matrix: a row per kernel, the first the\n"
	      "clean one (*: the false-alarm check), a column per workload (and 'boot' for\n"
	      "reports outside every case); a cell holds the titles found there and the time\n"
	      "to the first. Findings: console reports (KASAN, lockdep, Bad page state, BUG,\n"
	      "WARNING, hangs; a kernel panic after another report is its consequence) and\n"
	      "failed cases ('verification failed in WORKLOAD: ...' for a data check), each\n"
	      "title counted once per kernel across cases and rounds, with its reports, its\n"
	      "cases and its first case. Time to first finding: the wall time of that\n"
	      "kernel's cases in the order they ran, summed to the end of the case that first\n"
	      "showed it (boots and the other kernels' turns not counted; under TCG the guest\n"
	      "clock runs with the host's, so it is the guest time the kernel was stressed).\n"
	      "  --kernel K         a candidate (configs/candidates/K.json) or an image; the\n"
	      "                     first is the clean kernel; at most 8\n"
	      "  --out DIR          where the run dirs, runs.json and hunt.json go (default\n"
	      "                     results/<stamp>-<suite>-hunt)\n"
	      "  --rounds N         every case N times (rounds; default: the suite's\n"
	      "                     iterations); the suite as run is DIR/hunt-suite.json\n"
	      "  --max-time D       stop after D (600, 90s, 10m, 1h30m) of the whole hunt,\n"
	      "                     builds and boots included, once the case running then\n"
	      "                     has ended (a round may end before every kernel had it);\n"
	      "                     the cases not run are listed; alone it allows up to 100\n"
	      "                     rounds\n"
	      "  --format F         text (default, 80 columns), md, json\n"
	      "  --report DIR...    no run: the matrix of a hunt's DIR (its runs.json) or of\n"
	      "                     run directories (the first the clean kernel)\n"
	      "  --no-panic-on-warn  boot without panic_on_warn=1 (by default a WARNING or a\n"
	      "                     KASAN report ends the guest, as syzkaller has it, so the\n"
	      "                     next case boots a fresh one: KASAN reports only its first\n"
	      "                     bad access per boot)\n"
	      "  QEMU options as for faultline run: --arch, --accel, --cpus, --mem,\n"
	      "  --boot-timeout\n"
	      "A suite's precision settings are ignored: a hunt runs its rounds.\n"
	      "Exit status: 0 the clean kernel had no finding (whatever the others found);\n"
	      "1 the clean kernel had a finding (a false alarm to look at); 2 bad input;\n"
	      "3 the clean kernel ran no case (it did not build or boot); 130 interrupted.\n",
	      out);
}

/* --rounds N, --max-time D, the target options (FL_TOPT_IS); 0, or -1 said. */
static int parse_value(int c, const char *arg, struct hunt_opts *o)
{
	char want[48];
	long long num;

	switch (c) {
	case 'R':
		snprintf(want, sizeof(want), "a whole number from 1 to %d", ROUNDS_MAX);
		if (fl_opt_whole("hunt", "--rounds", arg, 1, ROUNDS_MAX, want, &num))
			return -1;
		o->rounds = (int)num;
		return 0;
	case 'T':
		return fl_opt_duration("hunt", "--max-time", arg, &o->max_time_s);
	}
	return fl_target_opt_parse("hunt", c, arg, &o->ta);
}

static int check_opts(struct hunt_opts *o, int argc, char **argv)
{
	if (strcmp(o->format, "text") && strcmp(o->format, "md") && strcmp(o->format, "json")) {
		fl_opt_bad("hunt", "--format", "text, md or json", o->format);
		return -1;
	}
	if (o->report) {
		if (optind >= argc) {
			fl_err("hunt: --report needs a hunt's directory or run directories");
			return -1;
		}
		if (o->ta.nkernels || o->rounds || o->max_time_s) {
			fl_err("hunt: --report only reads run directories: no --kernel, --rounds "
			       "or --max-time");
			return -1;
		}
		for (; optind < argc; optind++) {
			if (o->ndirs == MAX_REPORTS) {
				fl_err("hunt: at most %d directories for --report", MAX_REPORTS);
				return -1;
			}
			o->dirs[o->ndirs++] = argv[optind];
		}
		return 0;
	}
	if (optind + 1 != argc) {
		fl_err(optind >= argc ? "hunt: no suite given (e.g. faultline hunt "
		       "configs/suites/stress.json --kernel src-6.12-debug --kernel BUG)" :
		       "hunt: give one suite file");
		return -1;
	}
	o->suite = argv[optind];
	if (!o->ta.nkernels) {
		fl_err("hunt: give the kernels with --kernel, the clean one first (faultline "
		       "kernel list)");
		return -1;
	}
	return 0;
}

static int parse_hunt_opts(int argc, char **argv, struct hunt_opts *o)
{
	static const struct option lo[] = {
		FL_TARGET_LONGOPTS,
		{ "out", required_argument, NULL, 'o' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "max-time", required_argument, NULL, 'T' },
		{ "format", required_argument, NULL, 'f' }, { "report", no_argument, NULL, 'r' },
		{ "no-panic-on-warn", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->format = "text";
	o->ta.t.kind = fl_target_kind_with(FL_TGT_BOOTS_KERNEL | FL_TGT_MULTI_KERNEL);
	o->ta.t.panic_on_warn = true;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'f': o->format = optarg; break;
		case 'r': o->report = true; break;
		case 'w': o->ta.t.panic_on_warn = false; break;
		case 'h': hunt_usage(stdout); return 1;
		default:
			if (c != 'R' && c != 'T' && !FL_TOPT_IS(c)) {
				fl_opt_refused("hunt", c, argv);
				return -1;
			}
			if (parse_value(c, optarg, o))
				return -1;
		}
	}
	return check_opts(o, argc, argv);
}

/* Each --kernel names an image file or a candidate that loads (no build, no fetch yet). */
static int check_kernels(const struct hunt_opts *o, char *err, size_t errlen)
{
	char root[4096], path[4300];
	struct stat st;
	json_t *doc;

	if (!fl_project_root(root, sizeof(root)))
		return fl_seterr(err, errlen, "cannot find the faultline tree (configs/, kernels/) "
				 "next to this program; set FAULTLINE_ROOT");
	for (int i = 0; i < o->ta.nkernels; i++) {
		const char *spec = o->ta.kernels[i];

		if (!strcmp(spec, "debian") ||
		    (!strstr(spec, ".json") && !stat(spec, &st) && S_ISREG(st.st_mode)))
			continue;
		fl_candidate_path(root, spec, path, sizeof(path));
		if (stat(path, &st))
			return fl_seterr(err, errlen, "hunt: --kernel %s is neither a kernel image "
					 "file nor a candidate (no %s; faultline kernel list shows "
					 "the candidates)", spec, path);
		doc = fl_candidate_load(root, path, err, errlen);
		if (!doc)
			return -1;
		json_decref(doc);
	}
	return 0;
}

/* The suite as the hunt runs it: --rounds as its iterations (no per-case ones, no warm-ups),
 * no precision. Written to OUT/hunt-suite.json. */
static int write_suite(const struct hunt_opts *o, const char *path, char *err, size_t errlen)
{
	json_t *doc = fl_json_load(o->suite, err, errlen), *c;
	int rounds = o->rounds ? o->rounds : o->max_time_s > 0 ? BUDGET_ROUNDS : 0;
	size_t i;
	int ret;

	if (!doc)
		return -1;
	json_object_del(doc, "precision");
	json_object_del(doc, "max_time_s");
	if (rounds) {
		json_object_set_new(doc, "iterations", json_integer(rounds));
		json_object_set_new(doc, "warmup", json_integer(0));
	}
	json_array_foreach(json_object_get(doc, "cases"), i, c) {
		json_object_del(c, "precision");
		json_object_del(c, "max_time_s");
		if (rounds) {
			json_object_del(c, "iterations");
			json_object_del(c, "warmup");
		}
	}
	ret = fl_json_write_atomic(path, doc, err, errlen);
	json_decref(doc);
	return ret;
}

static void on_alarm(int sig)
{
	(void)sig;
	budget_spent = 1;
	*fl_interrupt_flag() = 1;
}

static void arm_budget(double s)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };

	if (s <= 0)
		return;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned int)ceil(s));
}

static void default_out(const struct hunt_opts *o, const char *suite_name, char *buf,
			size_t len)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	if (o->out) {
		snprintf(buf, len, "%s", o->out);
		return;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, len, "results/%s-%s-hunt", stamp, suite_name);
}

/* The matrix of DIRS: printed, and written to out/hunt.json when out is given. The exit
 * status the matrix stands for. */
static int report(const char *const *dirs, int ndirs, const char *format, const char *out)
{
	char err[FL_ERRLEN], path[1100];
	json_t *doc = fl_hunt_load(dirs, (size_t)ndirs, err, sizeof(err));
	int ret;

	if (!doc) {
		fl_err("hunt: %s", err);
		return FL_EXIT_USAGE;
	}
	fflush(stdout);
	fl_hunt_print(doc, format, stdout);
	ret = fl_hunt_false_alarm(doc) ? FL_EXIT_FOUND :
	      fl_hunt_clean_missing(doc) ? FL_EXIT_ENV : FL_EXIT_OK;
	if (out) {
		snprintf(path, sizeof(path), "%s/hunt.json", out);
		if (fl_json_write_atomic(path, doc, err, sizeof(err))) {
			fl_err("hunt: %s", err);
			ret = ret ? ret : FL_EXIT_ENV;
		} else if (strcmp(format, "json")) {
			printf("hunt: %s (faultline hunt --report %s prints this again)\n", path,
			       out);
		}
	}
	json_decref(doc);
	return ret;
}

/* Everything that can be refused before anything runs: kernels, the suite, OUT. */
static int prepare(struct hunt_opts *o, const char *agent, char *out, size_t outlen,
		   char *suite_path, size_t splen)
{
	struct fl_plan plan = { 0 };
	char err[FL_ERRLEN], path[1200];

	if (check_kernels(o, err, sizeof(err)) ||
	    fl_suite_load(o->suite, agent, &plan, err, sizeof(err))) {
		fl_err("%s", err);
		fl_plan_free(&plan);
		return FL_EXIT_USAGE;
	}
	default_out(o, plan.suite_name, out, outlen);
	fl_plan_free(&plan);
	snprintf(path, sizeof(path), "%s/runs.json", out);
	if (access(path, F_OK) == 0) {
		fl_err("hunt: %s already holds a hunt or a run of several kernels (runs.json): "
		       "give a new --out, or --report %s to print its matrix", out, out);
		return FL_EXIT_USAGE;
	}
	snprintf(suite_path, splen, "%s/hunt-suite.json", out);
	if (fl_mkdir_parents(suite_path, 0755, err, sizeof(err)) ||
	    write_suite(o, suite_path, err, sizeof(err))) {
		fl_err("hunt: %s", err);
		return FL_EXIT_ENV;
	}
	return 0;
}

static int hunt(struct hunt_opts *o)
{
	char agent[4096], out[1024], suite[1100];
	const char *dirs[1] = { out };
	int ret;

	if (!fl_agent_path(agent, sizeof(agent)) || access(agent, X_OK)) {
		fl_err("cannot find the agent at %s (run make, or set FAULTLINE_AGENT)", agent);
		return FL_EXIT_ENV;
	}
	o->ta.t.agent = agent;
	ret = prepare(o, agent, out, sizeof(out), suite, sizeof(suite));
	if (ret)
		return ret;
	printf("hunt: %s on %d kernel%s (clean: %s); ", o->suite, o->ta.nkernels,
	       o->ta.nkernels == 1 ? "" : "s", o->ta.kernels[0]);
	if (o->rounds)
		printf("%d round%s of every case", o->rounds, o->rounds == 1 ? "" : "s");
	else
		printf(o->max_time_s > 0 ? "up to %d rounds" : "the suite's rounds",
		       BUDGET_ROUNDS);
	if (o->max_time_s > 0)
		printf(", stopping after %.0f s", o->max_time_s);
	printf("; out %s\n", out);
	fflush(stdout);
	fl_interrupt_install();
	arm_budget(o->max_time_s);
	fl_run_multi(suite, out, &o->ta.t, o->ta.kernels, o->ta.nkernels,
		     &(struct fl_multi_opts){ 0 }, fl_interrupt_flag());
	alarm(0);
	if (budget_spent)
		printf("hunt: --max-time spent; the cases not run are listed below\n");
	printf("\n");
	ret = report(dirs, 1, o->format, out);
	if (fl_interrupted() && !budget_spent)
		return 128 + (fl_interrupt_signal() ? fl_interrupt_signal() : SIGINT);
	return ret == FL_EXIT_USAGE ? FL_EXIT_ENV : ret;
}

int fl_cmd_hunt(int argc, char **argv)
{
	struct hunt_opts o;
	int ret = parse_hunt_opts(argc, argv, &o);

	if (ret)
		return ret > 0 ? FL_EXIT_OK : FL_EXIT_USAGE;
	if (o.report)
		return report(o.dirs, o.ndirs, o.format, NULL);
	return hunt(&o);
}
