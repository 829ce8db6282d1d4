/* SPDX-License-Identifier: GPL-2.0 */
/* The host side of faultline run: suites, plans, the agent as a child process, run dirs. */
#ifndef FL_RUNNER_H
#define FL_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* Bounds of a suite's numbers (suite.c): the worst case (FL_PLAN_MAX cases each at
 * FL_TIMEOUT_MAX_S) stays below INT_MAX seconds, so every duration the runner prints is exact.
 * Adaptive iterations (precision.h) keep to the same bounds. */
#define FL_ITERATIONS_MAX 10000
#define FL_WARMUP_MAX 1000
#define FL_TIMEOUT_MAX_S 86400.0
#define FL_PLAN_MAX 20000
#define FL_PRECISION_MAX 100.0		/* precision: a % of the mean */
#define FL_MAX_TIME_MAX_S (7 * 86400.0)	/* max_time_s, --max-time: a week */

/* One planned case: a workload with fixed parameters, one iteration. */
struct fl_plan_case {
	char *workload;
	json_t *params;		/* object of scalars (one sweep point) */
	int iteration;		/* 0.. within warm-ups or measured iterations */
	bool warmup;
	bool extra;		/* added by adaptive precision after the planned iterations */
	int round;		/* fl_plan_round() */
	size_t group;		/* its case group: same workload and params (0..plan->ngroups) */
	double timeout_s;
	double precision_pct;	/* 0: none; else the CI half-width wanted, % of the mean */
	double max_time_s;	/* 0: none; else the group's own time budget */
	char *probes, *events;	/* NULL: agent defaults */
	char file[256];		/* cases/NNN-workload-....json */
	char status[16];	/* pending, ok, failed, ... */
	char reason[512];
	double elapsed_s;	/* its wall time once run (0: not known) */
	double value;		/* its primary metric (NaN: none) */
	char metric[64];	/* the name of that metric: first with better higher|lower */
};

struct fl_plan {
	char *suite_name;
	size_t n;
	struct fl_plan_case *cases;
	size_t ngroups;
	/* adaptive precision (precision.h) */
	double max_time_s;	/* the run's time budget (0: none) */
	double precision_override; /* --precision (0: the suite's own per case) */
	double spent_before_s;	/* time an earlier (resumed) part of the run spent */
	double started_mono;	/* CLOCK_MONOTONIC seconds when this part began (0: not yet) */
};

/* suite.c: load a suite file (strict: unknown fields and types are errors naming the file and
 * field), check each case with the agent, expand sweeps and iterations into a plan. */
int fl_suite_load(const char *path, const char *agent, struct fl_plan *plan,
		  char *err, size_t errlen);
void fl_plan_free(struct fl_plan *plan);
/* Append one more measured iteration of the group of plan->cases[like] (for round); -1 when
 * out of memory or at FL_PLAN_MAX. plan->cases may move. */
int fl_plan_add(struct fl_plan *plan, size_t like, int iteration, int round);
/* The group of workload+params in plan, or (size_t)-1 when the plan has no such case. */
size_t fl_plan_group_of(const struct fl_plan *plan, const char *workload, json_t *params);
/* "threads=2 jobs=half(-j1)" for params (only the given ones, sorted as in the object), each
 * with what a case resolved it to (resolved: a case's "resolved" object, or NULL). */
void fl_params_label(json_t *params, json_t *resolved, char *buf, size_t len);

/* agent_exec.c */
#define FL_MAX_ARGS 64
/* argv for "AGENT WORKLOAD --name=value ..." (strdup'ed, NULL-terminated); returns argc. */
int fl_agent_argv(const char *agent, const char *wl, json_t *params, char **argv, int max);
void fl_argv_free(char **argv);
/* Path of bin/faultline-agent next to this executable, or $FAULTLINE_AGENT. */
const char *fl_agent_path(char *buf, size_t len);
struct fl_child_result {
	int exited, code, signaled, sig, timed_out;
	double elapsed_s;
};
/* Run argv with stdout/stderr to log_path (appended), killing it after timeout_s
 * (SIGTERM, then SIGKILL after 5 s). A set *interrupt makes it forward SIGINT. */
int fl_child_run(char *const argv[], const char *log_path, double timeout_s,
		 volatile sig_atomic_t *interrupt, struct fl_child_result *res, char *err, size_t errlen);
/* Run argv and capture its stdout as JSON (agent --describe, --run-info). */
json_t *fl_child_json(char *const argv[], char *err, size_t errlen);

/* rundir.c */
struct fl_rundir {
	char dir[1024];
	char id[128];
	json_t *run_info;	/* the "run" object (ids, tool, target, kernel, host) */
	json_t *doc;		/* run.json */
};
/* 0 if OUT (NULL: a fresh results/<id>) can take a new run: no run.json, no case files. */
int fl_rundir_check_new(const char *out, char *err, size_t errlen);
int fl_rundir_create(struct fl_rundir *rd, const char *out, const char *suite_name,
		     json_t *run_info, char *err, size_t errlen);
int fl_rundir_open(struct fl_rundir *rd, const char *dir, char *err, size_t errlen);
/* Write run.json atomically with the plan's statuses and the given state. */
int fl_rundir_save(struct fl_rundir *rd, const struct fl_plan *plan, const char *state,
		   char *err, size_t errlen);
/* A case document written by the runner when the agent could not write one. */
int fl_rundir_write_case(struct fl_rundir *rd, const struct fl_plan_case *pc,
			 const char *status, const char *reason, const char *log_tail,
			 char *err, size_t errlen);
void fl_rundir_close(struct fl_rundir *rd);

/* execute.c: run the cases not yet done on a target (target.h); returns the run's exit status. */
struct fl_target;
int fl_run_plan(struct fl_rundir *rd, struct fl_plan *plan, struct fl_target *t,
		volatile sig_atomic_t *interrupted);
/* fl_run_plan goes on with adaptive rounds (precision.h) when the plan asks for precision.
 * The same in parts, for several kernels in one run (run_multi.c): the pending cases of one
 * round (fl_plan_round: warm-ups and iteration 0 are round 0, iteration k round k, adaptive
 * iterations the round they were added for; -1 all), 0 or FL_EXIT_ENV; then the final
 * run.json and the exit status. */
int fl_plan_round(const struct fl_plan_case *pc);
int fl_plan_max_round(const struct fl_plan *plan);
int fl_run_plan_round(struct fl_rundir *rd, struct fl_plan *plan, struct fl_target *t,
		      volatile sig_atomic_t *interrupted, int round);
int fl_run_plan_finish(struct fl_rundir *rd, struct fl_plan *plan, volatile sig_atomic_t *interrupted);
/* run_multi.c: faultline run with several --kernel (opts->kernel is ignored); precision_pct and
 * max_time_s: --precision and --max-time (0: the suite's). */
struct fl_target_opts;
int fl_run_multi(const char *suite, const char *out, const struct fl_target_opts *opts,
		 const char *const *kernels, int nkernels, double precision_pct,
		 double max_time_s, volatile sig_atomic_t *interrupted);

/* Commands (each in its own file). */
int fl_cmd_run(int argc, char **argv);
int fl_cmd_list(int argc, char **argv);
int fl_cmd_validate(int argc, char **argv);
int fl_cmd_report(int argc, char **argv);
int fl_cmd_kernel(int argc, char **argv);
int fl_cmd_compare(int argc, char **argv);
int fl_cmd_nightly(int argc, char **argv);
int fl_cmd_export(int argc, char **argv);
int fl_cmd_lava(int argc, char **argv);

#endif
