// SPDX-License-Identifier: GPL-2.0
/* faultline run [--target KIND] [--kernel CANDIDATE|IMAGE] [--arch ARCH] [--out DIR]
 *               [--resume DIR] [--precision PCT --max-time DURATION] [--nice N] SUITE
 * What a target kind can do comes from the target table (targets/target.h), never its name. */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "doctor.h"
#include "fl_hostlock.h"
#include "fl_interrupt.h"
#include "fl_json.h"
#include "fl_util.h"
#include "precision.h"
#include "plan.h"
#include "agent_exec.h"
#include "rundir.h"
#include "execute.h"
#include "commands.h"
#include "summary.h"
#include "target.h"
#include "target_opts.h"
#include "cmd_opts.h"

struct run_opts {
	const char *out, *resume, *suite;
	struct fl_target_args ta;
	bool dry_run, no_wait;
	double precision_pct, max_time_s;	/* 0: the suite's (or the resumed run's) */
	int nice;				/* --nice, when nice_set */
	bool nice_set;
};

static void run_usage(FILE *out)
{
	fputs("usage: faultline run [--target KIND] [--kernel CANDIDATE|IMAGE] [--arch ARCH]\n"
	      "                     [--out DIR] [--resume DIR] [--dry-run] [--no-wait]\n"
	      "                     [--precision PCT --max-time DURATION] [--nice N] SUITE\n"
	      "  SUITE              a suite file, e.g. configs/suites/quick.json\n"
	      "  --out DIR          results directory (default results/<run-id>)\n"
	      "  --resume DIR       finish an interrupted run (SUITE not needed; give the same\n"
	      "                     --target and --kernel again)\n"
	      "  --target KIND      where the cases run, one of:\n", out);
	fl_target_help(out);
	fputs("  --kernel K         a candidate (configs/candidates/K.json, faultline kernel list)\n"
	      "                     or a kernel image file; give it several times for an A/B in\n"
	      "                     one go (rounds interleave the kernels; one run dir each)\n"
	      "  --arch ARCH        guest architecture (kernels/machines.json; default: the host's)\n"
	      "  --accel A          auto (default: KVM when /dev/kvm works, else TCG), kvm, tcg\n"
	      "  --cpus N           guest vCPUs (default 4, so cross-CPU IPIs happen)\n"
	      "  --mem MIB          guest memory in MiB (default 2048)\n"
	      "  --panic-on-warn    boot the guest with panic_on_warn=1\n"
	      "  --boot-timeout S   seconds to wait for the guest's agent (default 120)\n"
	      "  --precision PCT    after the planned iterations (then the minimum), more\n"
	      "                     rounds of one iteration of each case, until the 95% CI\n"
	      "                     half-width of its primary metric is at most PCT % of the\n"
	      "                     mean, or the time budget is spent (suite: \"precision\")\n"
	      "  --max-time D       the run's time budget for that: 600, 90s, 10m, 1h30m\n"
	      "                     (suite: \"max_time_s\"); with --resume, a new budget\n"
	      "  --nice N           run every case's workload at nice N (-20 to 19; suite:\n"
	      "                     \"nice\"): raise the workload's priority over the machine's\n"
	      "                     other processes, e.g. -20 on a shared lab machine, so they\n"
	      "                     take only what it leaves. Off by default: workloads that\n"
	      "                     wait for kernel threads (khugepaged runs at nice 19,\n"
	      "                     kswapd and kcompactd at 0: pt-retract, swapin-collapse,\n"
	      "                     thp-munmap's collapse phase) may measure differently at a\n"
	      "                     raised priority. --resume keeps the run's own\n"
	      "  --dry-run          check the suite and print its plan (cases, sweeps,\n"
	      "                     iterations, timeouts, the most --precision may add);\n"
	      "                     nothing runs, nothing is written\n"
	      "  --no-wait          --target local holds the host lock (" FL_HOSTLOCK_PATH ")\n"
	      "                     for the whole run, as every agent does from setup to\n"
	      "                     teardown: kernel settings are host-wide. When another run\n"
	      "                     holds it, say so and exit 3 instead of waiting\n"
	      "  --inject-fault N:panic|N:hang|N:warn   test only: make the guest panic, hang or\n"
	      "                     print a WARNING it survives before plan case N (0-based),\n"
	      "                     to test crash handling\n", out);
}

/* --precision PCT, with or without its '%'. */
static int parse_precision(const char *arg, double *out)
{
	char num[64], want[128];
	size_t n = strnlen(arg, sizeof(num));

	if (n < sizeof(num)) {
		memcpy(num, arg, n + 1);
		if (n && num[n - 1] == '%')
			num[n - 1] = '\0';
		if (fl_opt_num_in(num, nextafter(0, 1), FL_PRECISION_MAX, out))
			return 0;
	}
	snprintf(want, sizeof(want), "a percentage above 0 and at most %g (the 95%% CI "
		 "half-width wanted, %% of the mean)", FL_PRECISION_MAX);
	return fl_opt_bad("run", "--precision", want, arg);
}

static int parse_nice(const char *arg, struct run_opts *o)
{
	long long v;

	if (fl_opt_whole("run", "--nice", arg, FL_NICE_MIN, FL_NICE_MAX,
			 "a whole number from -20 to 19", &v))
		return -1;
	o->nice = (int)v;
	o->nice_set = true;
	return 0;
}

static int parse_run_opts(int argc, char **argv, struct run_opts *o)
{
	static const struct option lo[] = {
		{ "out", required_argument, NULL, 'o' }, { "resume", required_argument, NULL, 'r' },
		{ "target", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
		FL_TARGET_LONGOPTS,
		{ "panic-on-warn", no_argument, NULL, 'w' },
		{ "inject-fault", required_argument, NULL, 'i' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-wait", no_argument, NULL, 'W' },
		{ "precision", required_argument, NULL, 'P' },
		{ "max-time", required_argument, NULL, 'T' },
		{ "nice", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct fl_target_opts *t = &o->ta.t;
	char kinds[256];
	int c;

	memset(o, 0, sizeof(*o));
	t->kind = fl_target_kind_with(FL_TGT_THIS_HOST);	/* the default */
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:r:t:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'r': o->resume = optarg; break;
		case 't': t->kind = optarg; break;
		case 'w': t->panic_on_warn = true; break;
		case 'i': t->inject = optarg; break;
		case 'n': o->dry_run = true; break;
		case 'W': o->no_wait = true; break;
		case 'P':
			if (parse_precision(optarg, &o->precision_pct))
				return -1;
			break;
		case 'T':
			if (fl_opt_duration("run", "--max-time", optarg, &o->max_time_s))
				return -1;
			break;
		case 'N':
			if (parse_nice(optarg, o))
				return -1;
			break;
		case 'h': run_usage(stdout); return 1;
		default:
			if (!FL_TOPT_IS(c)) {
				fl_opt_refused("run", c, argv);
				return -1;
			}
			if (fl_target_opt_parse("run", c, optarg, &o->ta))
				return -1;
		}
	}
	if (optind < argc)
		o->suite = argv[optind++];
	if (optind < argc || (!o->suite && !o->resume)) {
		fl_err(o->suite ? "run: give one suite file" :
		       "run: no suite given (e.g. faultline run configs/suites/quick.json)");
		return -1;
	}
	if (o->dry_run && !o->suite) {
		fl_err("run: --dry-run shows a suite's plan; give the suite file, not --resume");
		return -1;
	}
	if (o->ta.nkernels > 1 && (o->resume || !fl_target_can(t->kind, FL_TGT_MULTI_KERNEL))) {
		fl_err("run: several --kernel need --target %s and a new run (not --resume; "
		       "resume each kernel's run dir on its own)",
		       fl_target_kinds(FL_TGT_MULTI_KERNEL, kinds, sizeof(kinds)));
		return -1;
	}
	if (fl_target_can(t->kind, FL_TGT_BOOTS_KERNEL) && !t->kernel) {
		fl_err("run: --target %s needs --kernel CANDIDATE|IMAGE (faultline kernel list)",
		       t->kind);
		return -1;
	}
	return 0;
}

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	json_t *doc = fl_json_load(from, err, errlen);
	int ret;

	if (!doc)
		return -1;
	ret = fl_json_write_atomic(to, doc, err, errlen);
	json_decref(doc);
	return ret;
}

/* Statuses from an earlier run.json; "interrupted" and "pending" cases run again. */
static void merge_statuses(struct fl_plan *plan, json_t *runjson)
{
	json_t *cases = json_object_get(runjson, "cases"), *c;
	size_t i;

	json_array_foreach(cases, i, c) {
		const char *st = json_string_value(json_object_get(c, "status"));
		const char *rs = json_string_value(json_object_get(c, "reason"));

		if (i >= plan->n || !st || !strcmp(st, "pending") || !strcmp(st, "interrupted"))
			continue;
		snprintf(plan->cases[i].status, sizeof(plan->cases[i].status), "%s", st);
		snprintf(plan->cases[i].reason, sizeof(plan->cases[i].reason), "%s", rs ? rs : "");
	}
}

/* The nice value every case runs at, or the suite's (or 0) when the cases differ; *lo and *hi
 * the range over the cases (0 for a case without one), *any whether any case has one. */
static int plan_nice(const struct fl_plan *plan, int *lo, int *hi, bool *any)
{
	*lo = *hi = plan->nice_set ? plan->nice : 0;
	*any = false;
	for (size_t i = 0; i < plan->n; i++) {
		int v = plan->cases[i].nice_set ? plan->cases[i].nice : 0;

		*lo = !i || v < *lo ? v : *lo;
		*hi = !i || v > *hi ? v : *hi;
		*any |= plan->cases[i].nice_set;
	}
	return *lo == *hi ? *lo : (plan->nice_set ? plan->nice : 0);
}

/* run.json's conditions get the workload priority, so compare and doctor --diff set two runs
 * side by side ("workload priority: nice is -20 in A, 0 in B"). */
static void add_nice_finding(json_t *cond, const struct fl_plan *plan)
{
	static const char fix[] = "none needed; faultline run --nice N (or the suite's \"nice\") "
				  "raises the workload's priority over the machine's other processes";
	const char *from = plan->nice_override ? "run --nice" : "the suite's \"nice\"";
	json_t *f;
	int lo, hi, v;
	bool any;

	v = plan_nice(plan, &lo, &hi, &any);
	if (!any)
		f = fl_doctor_add(cond, "nice", "workload priority", "ok", fix,
				  "the workload runs at nice 0 (the default)");
	else if (lo == hi)
		f = fl_doctor_add(cond, "nice", "workload priority", "ok", fix,
				  "the workload runs at nice %d (%s)", v, from);
	else
		f = fl_doctor_add(cond, "nice", "workload priority", "ok", fix,
				  "the suite's workload priority is nice %d (%s), but its cases "
				  "differ: from nice %d to %d (the case's \"nice\")", v,
				  plan->nice_set ? from : "the default", lo, hi);
	json_object_set_new(f, "settings", json_pack("{s:i}", "nice", v));
	fl_doctor_summarize(cond);
}

/* A new run of a suite already loaded into plan (check_new_run). */
static int start_run(struct run_opts *o, const char *agent, struct fl_plan *plan,
		     struct fl_target *t, struct fl_rundir *rd, char *err, size_t errlen)
{
	char path[1200];
	json_t *info;
	int ret;

	ret = fl_target_prepare(t, err, errlen);
	if (ret)
		return ret > 0 ? ret : FL_EXIT_ENV;
	info = t->ops->describe(t, err, errlen);
	if (!info)
		return FL_EXIT_ENV;
	/* This machine's kernel is the one measured: its conditions (faultline doctor without
	 * the load sample, a few ms) are the run's, for compare to set side by side. */
	if (t->ops->caps & FL_TGT_THIS_HOST) {
		json_t *cond = fl_doctor_conditions(false);

		add_nice_finding(cond, plan);
		json_object_set_new(info, "conditions", cond);
	}
	/* what --resume keeps */
	if (plan->nice_override)
		json_object_set_new(info, "nice", json_integer(plan->nice));
	if (fl_rundir_create(rd, o->out, plan->suite_name, info, err, errlen)) {
		json_decref(info);
		return FL_EXIT_ENV;
	}
	json_decref(info);
	snprintf(path, sizeof(path), "%s/suite.json", rd->dir);
	if (copy_file(o->suite, path, err, errlen) ||
	    fl_target_boot(t, rd, err, errlen) ||
	    fl_rundir_save(rd, plan, "running", err, errlen))
		return FL_EXIT_ENV;
	return 0;
}

/* Before the host lock: a bad suite or a used results dir is said at once, not after a
 * wait for another run. */
static int check_new_run(struct run_opts *o, const char *agent, struct fl_plan *plan,
			 char *err, size_t errlen)
{
	if (o->resume || o->ta.nkernels > 1)
		return 0;
	if (fl_suite_load(o->suite, agent, plan, err, errlen))
		return FL_EXIT_USAGE;
	fl_prec_apply(plan, o->precision_pct, o->max_time_s);
	if (o->nice_set)
		fl_plan_set_nice(plan, o->nice);
	if (fl_prec_check(plan, err, errlen) || fl_rundir_check_new(o->out, err, errlen))
		return FL_EXIT_USAGE;
	return 0;
}

/* --resume keeps the nice the run started with (run.json's run.nice, from run --nice; the
 * suite's "nice" comes back with suite.json): a new --nice would mix two priorities in one
 * run. Returns whether it has one, or -1 (err said) when --nice differs. */
static int resume_nice(const struct run_opts *o, const struct fl_rundir *rd, int *nice,
		       char *err, size_t errlen)
{
	json_t *v = json_object_get(rd->run_info, "nice");
	bool had = json_is_integer(v);

	*nice = had ? (int)json_integer_value(v) : 0;
	if (!o->nice_set || (had && *nice == o->nice))
		return had;
	if (had)
		return fl_seterr(err, errlen, "run: %s was started with --nice %d and --resume keeps "
				 "it: drop --nice %d (or give --nice %d)", rd->dir, *nice, o->nice,
				 *nice);
	return fl_seterr(err, errlen, "run: %s was started without --nice and --resume keeps its "
			 "priorities (the suite's \"nice\", if any): drop --nice %d", rd->dir,
			 o->nice);
}

static int resume_run(struct run_opts *o, const char *agent, struct fl_plan *plan,
		      struct fl_target *t, struct fl_rundir *rd, char *err, size_t errlen)
{
	char path[1200];
	int ret, nice, had_nice;

	if (fl_rundir_open(rd, o->resume, err, errlen))
		return FL_EXIT_USAGE;
	had_nice = resume_nice(o, rd, &nice, err, errlen);
	if (had_nice < 0)
		return FL_EXIT_USAGE;
	ret = fl_target_prepare(t, err, errlen);
	if (ret)
		return ret > 0 ? ret : FL_EXIT_ENV;
	if (fl_target_boot(t, rd, err, errlen))
		return FL_EXIT_ENV;
	snprintf(path, sizeof(path), "%s/suite.json", rd->dir);
	if (fl_suite_load(path, agent, plan, err, errlen))
		return FL_EXIT_USAGE;
	/* an adaptive run's cases beyond the plan, its budget and the time it spent */
	if (fl_prec_resume(plan, rd->dir, rd->doc, err, errlen))
		return FL_EXIT_USAGE;
	if (had_nice)
		fl_plan_set_nice(plan, nice);
	fl_prec_apply(plan, o->precision_pct, o->max_time_s);
	if (fl_prec_check(plan, err, errlen))
		return FL_EXIT_USAGE;
	merge_statuses(plan, rd->doc);
	fl_prec_resume_values(plan, rd->dir);
	return 0;
}

/* --dry-run with --precision: the most each case may get within the budget. */
static void print_adaptive(const struct fl_plan *plan, const char *agent)
{
	char *argv[] = { (char *)agent, "--describe", NULL }, err[FL_ERRLEN];
	json_t *describe;

	if (!fl_plan_adaptive(plan))
		return;
	describe = fl_child_json(argv, err, sizeof(err));
	if (!describe)
		fl_err("warning: %s (the adaptive maxima below do not know the workloads)", err);
	fl_prec_print_plan(plan, describe, stdout);
	json_decref(describe);
}

/* --dry-run: the plan as the run would go through it, and the worst-case time. */
static int print_plan(const struct run_opts *o, const char *agent)
{
	struct fl_plan plan = { 0 };
	char err[FL_ERRLEN], label[512], dur[48];
	double worst = 0;
	size_t warm = 0;

	if (fl_suite_load(o->suite, agent, &plan, err, sizeof(err)) ||
	    (fl_prec_apply(&plan, o->precision_pct, o->max_time_s),
	     fl_prec_check(&plan, err, sizeof(err)))) {
		fl_err("%s", err);
		fl_plan_free(&plan);
		return FL_EXIT_USAGE;
	}
	if (o->nice_set)
		fl_plan_set_nice(&plan, o->nice);
	for (size_t i = 0; i < plan.n; i++) {
		const struct fl_plan_case *pc = &plan.cases[i];

		fl_params_label(pc->params, NULL, label, sizeof(label));
		printf("[%zu/%zu] %s %s (%s %d), timeout %g s", i + 1, plan.n, pc->workload,
		       label, pc->warmup ? "warm-up" : "iteration", pc->iteration, pc->timeout_s);
		if (pc->nice_set)
			printf(", nice %d", pc->nice);
		putchar('\n');
		warm += pc->warmup;
		worst += pc->timeout_s;
	}
	printf("suite %s: %zu cases (%zu measured, %zu warm-up); at most %s if every case "
	       "ran to its timeout\n", plan.suite_name, plan.n, plan.n - warm, warm,
	       fl_fmt_duration(dur, sizeof(dur), worst));
	print_adaptive(&plan, agent);
	fl_prec_print_worst(&plan, worst, stdout);
	fl_plan_free(&plan);
	return FL_EXIT_OK;
}

/* Kernel settings an earlier agent changed and could not restore (it was killed): the agent
 * puts them back and prints what it restored; nothing is printed when there is nothing. */
static void restore_stale_journal(const char *agent)
{
	char *argv[] = { (char *)agent, "--restore", NULL };
	struct fl_child_result res;
	char err[FL_ERRLEN];

	if (fl_child_run(argv, NULL, 120, NULL, &res, err, sizeof(err)))
		fl_err("%s", err);
	else if (!res.exited || res.code != 0)
		fl_err("warning: some kernel settings of an earlier run could not be restored "
		       "(see above; retry with faultline-agent --restore)");
}

/* A target on this machine's kernel (local) changes its settings and measures on it: the host
 * lock for the whole run, shared with the agents it starts (fl_hostlock.h). A guest or an ssh
 * host is another kernel; its agent takes that machine's lock itself. */
static int take_host_lock(const struct run_opts *o, struct fl_hostlock *hl)
{
	char err[FL_ERRLEN];
	int ret;

	hl->fd = -1;
	if (!fl_target_can(o->ta.t.kind, FL_TGT_THIS_HOST))
		return 0;
	ret = fl_hostlock_take(hl, FL_HOSTLOCK_PATH, !o->no_wait, err, sizeof(err));
	if (ret == FL_HOSTLOCK_UNPRIVILEGED) {	/* not root: its agents change no setting */
		fl_err("run: not root, so without the host lock (%s)", err);
		return 0;
	}
	if (ret == 0)
		ret = fl_hostlock_pass(hl, err, sizeof(err));
	if (ret == 0)
		return 0;
	fl_err("run: %s", err);
	fl_hostlock_release(hl);
	return fl_interrupted() ? 128 + fl_interrupt_signal() : FL_EXIT_ENV;
}

int fl_cmd_run(int argc, char **argv)
{
	char agent[4096], err[FL_ERRLEN];
	struct fl_plan plan = { 0 };
	struct fl_rundir rd = { 0 };
	struct fl_target t = { 0 };
	struct fl_hostlock hl;
	struct run_opts o;
	int ret;

	ret = parse_run_opts(argc, argv, &o);
	if (ret)
		return ret > 0 ? FL_EXIT_OK : FL_EXIT_USAGE;
	if (!fl_agent_path(agent, sizeof(agent)) || access(agent, X_OK)) {
		fl_err("cannot find the agent at %s (run make, or set FAULTLINE_AGENT)", agent);
		return FL_EXIT_ENV;
	}
	o.ta.t.agent = agent;
	if (o.dry_run)
		return print_plan(&o, agent);
	if (fl_target_init(&t, &o.ta.t, err, sizeof(err))) {
		fl_err("run: %s", err);
		return FL_EXIT_USAGE;
	}
	hl.fd = -1;
	ret = check_new_run(&o, agent, &plan, err, sizeof(err));
	if (ret) {
		fl_err("%s", err);
		goto out;
	}
	fl_interrupt_install();
	ret = take_host_lock(&o, &hl);
	if (ret)
		goto out;
	if (t.ops->caps & FL_TGT_THIS_HOST)
		restore_stale_journal(agent);
	if (o.ta.nkernels > 1) {
		struct fl_multi_opts mo = { .precision_pct = o.precision_pct,
					    .max_time_s = o.max_time_s,
					    .nice_set = o.nice_set, .nice = o.nice };

		return fl_run_multi(o.suite, o.out, &o.ta.t, o.ta.kernels, o.ta.nkernels, &mo,
				    fl_interrupt_flag());
	}
	fl_plan_start_clock(&plan);	/* the time budget counts the boot */
	ret = o.resume ? resume_run(&o, agent, &plan, &t, &rd, err, sizeof(err))
		       : start_run(&o, agent, &plan, &t, &rd, err, sizeof(err));
	if (ret) {
		fl_err("%s", err);
		goto out;
	}
	ret = fl_run_plan(&rd, &plan, &t, fl_interrupt_flag());
	if (ret != FL_EXIT_USAGE && ret != FL_EXIT_ENV)
		fl_summary_print(rd.dir, stdout);
	printf("results: %s\n", rd.dir);
	if (fl_interrupted())
		printf("interrupted: finish it with  faultline run --resume %s\n", rd.dir);
out:
	fl_target_shutdown(&t);
	fl_hostlock_release(&hl);
	fl_plan_free(&plan);
	fl_rundir_close(&rd);
	return ret;
}
