/* SPDX-License-Identifier: GPL-2.0 */
/* Running a plan on a target (execute.c), in rounds, and for several kernels (run_multi.c). */
#ifndef FL_EXECUTE_H
#define FL_EXECUTE_H

#include <signal.h>
#include "plan.h"
#include "rundir.h"

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
/* run_multi.c: faultline run with several --kernel (opts->kernel is ignored). */
struct fl_target_opts;
struct fl_multi_opts {
	double precision_pct, max_time_s;	/* --precision, --max-time (0: the suite's) */
	bool nice_set;				/* --nice N: every kernel's cases at nice N */
	int nice;
};
int fl_run_multi(const char *suite, const char *out, const struct fl_target_opts *opts,
		 const char *const *kernels, int nkernels, const struct fl_multi_opts *mo,
		 volatile sig_atomic_t *interrupted);

#endif
