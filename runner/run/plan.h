/* SPDX-License-Identifier: GPL-2.0 */
/* A suite expanded into a plan of cases (suite.c): what faultline run runs. */
#ifndef FL_PLAN_H
#define FL_PLAN_H

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
	int nice;		/* the agent's --nice=N, when nice_set */
	bool nice_set;
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
	/* workload priority: the suite's "nice" (cases may set their own) or run --nice */
	int nice;
	bool nice_set;		/* the suite or --nice gave one */
	bool nice_override;	/* from run --nice (fl_plan_set_nice): every case has it */
};

/* suite.c: load a suite file (strict: unknown fields and types are errors naming the file and
 * field), check each case with the agent, expand sweeps and iterations into a plan. */
int fl_suite_load(const char *path, const char *agent, struct fl_plan *plan,
		  char *err, size_t errlen);
void fl_plan_free(struct fl_plan *plan);
/* Append one more measured iteration of the group of plan->cases[like] (for round); -1 when
 * out of memory or at FL_PLAN_MAX. plan->cases may move. */
int fl_plan_add(struct fl_plan *plan, size_t like, int iteration, int round);
/* run --nice N: every case of plan (and every one fl_plan_add adds) at nice N. */
void fl_plan_set_nice(struct fl_plan *plan, int nice);
/* The group of workload+params in plan, or (size_t)-1 when the plan has no such case. */
size_t fl_plan_group_of(const struct fl_plan *plan, const char *workload, json_t *params);

#endif
