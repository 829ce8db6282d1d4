/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Adaptive precision: faultline run --precision PCT --max-time DURATION (suite fields
 * "precision", "max_time_s"). After a plan's iterations (then the minimum), more iterations
 * go on in rounds, one more of every case group (same workload and params) that still wants
 * one, interleaved across the groups (and across the kernels of a multi-kernel run), until the
 * 95% CI half-width (Student t) of each group's primary metric is at most PCT % of its mean or
 * the time budget is spent. A group stops for precision, time, the iteration cap, a failed
 * iteration or a missing metric; the others go on. run.json's "precision" records, per group,
 * the half-width reached, n and why it stopped; its spent_s lets --resume go on with the time
 * that is left.
 *
 * Why a group stopped (enum fl_prec_state), the words run.json holds for it and the rule that
 * no precision is called before FL_PREC_MIN_N iterations are in analysis/precision_doc.h.
 *
 * The primary metric is a case's first metric with a direction (better higher or lower) and a
 * value, the rule of analysis/history.c fl_history_summary. The state of a group is computed
 * from the plan alone (statuses, values, times), so a resumed run carries on where it stopped.
 */
#ifndef FL_PRECISION_H
#define FL_PRECISION_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "plan.h"
#include "execute.h"
#include "precision_doc.h"

#define FL_PREC_LEVEL 0.95

struct fl_prec_group {
	size_t first;		/* plan index of its first measured case */
	const char *metric;	/* its primary metric (in the plan's cases), NULL: none yet */
	double target_pct;	/* 0: not adaptive */
	double max_time_s;	/* the group's own budget, 0: none */
	size_t n;		/* ok measured iterations with a value of the metric */
	size_t pending;		/* cases not run yet (warm-ups included) */
	int min_iterations;	/* the suite's iterations */
	int iterations;		/* measured iterations in the plan so far */
	int next_iteration;
	bool failed;
	double mean, sd, halfwidth, halfwidth_pct;	/* NaN when n < 2 */
	double spent_s;		/* the time its cases took, warm-ups included */
	double est_s;		/* mean time of its measured iterations (0: not known) */
	enum fl_prec_state state;
};

/* Half-width of the level (e.g. 0.95) confidence interval of the mean of x[0..n):
 * t(level, n-1) * sd / sqrt(n). NaN when n < 2. */
double fl_prec_halfwidth(const double *x, size_t n, double level);
/* A duration: 600, 90s, 10m, 1.5h, 1h30m (s, m, h; a bare number is seconds). -1 if bad. */
int fl_parse_duration(const char *s, double *out);

/* Any group with a precision target. */
bool fl_plan_adaptive(const struct fl_plan *plan);
/* --precision (0: keep the suite's) and --max-time (0: keep the suite's) over the plan. */
void fl_prec_apply(struct fl_plan *plan, double precision_pct, double max_time_s);
/* A group with a precision target and no time budget at all: one sentence, -1. */
int fl_prec_check(const struct fl_plan *plan, char *err, size_t errlen);

void fl_plan_start_clock(struct fl_plan *plan);
/* Seconds the run has spent: an earlier (resumed) part's and this one's. */
double fl_plan_spent(const struct fl_plan *plan);

/* The groups of plan as they stand (plan->ngroups of them); NULL when out of memory. */
struct fl_prec_group *fl_prec_assess(const struct fl_plan *plan);
/*
 * A multi-kernel run's groups go on together: keep[k] (plan->ngroups of them) says whether
 * the same workload and params still want more iterations in one of the others' plans. A
 * group that reached its precision then goes on beside them, so each round keeps an iteration
 * of every kernel and the host's drift falls on all alike (a kernel that stopped early would
 * leave the later, maybe slower or faster, minutes to the other). A group stopped for time,
 * the iteration cap or a failure does not. -1 when out of memory.
 */
int fl_prec_keep(const struct fl_plan *plan, const struct fl_plan *const *others, size_t n,
		 bool *keep);
/* One more iteration of every group that wants one (its own precision, or keep[k] of
 * fl_prec_keep; keep may be NULL) and whose estimated time fits what is left of the budgets
 * after reserve_s (e.g. a guest's boot); round becomes their fl_plan_round. Returns the number
 * of cases added (0: none wants or fits one), -1 out of memory; *est_s (if not NULL) their
 * estimated time. */
int fl_prec_next_round(struct fl_plan *plan, int round, double reserve_s, const bool *keep,
		       double *est_s);

/* The primary metric of a case document's "case" object into pc (metric, value). */
void fl_prec_case_metric(struct fl_plan_case *pc, json_t *case_obj);
/* run.json's "precision" object. */
json_t *fl_prec_json(const struct fl_plan *plan);
/* Progress: which groups still want iterations and their half-width (fl_prec_doc_print of
 * fl_prec_json). Nothing when the plan is not adaptive. At the end of a run the summary
 * (fl_summary_print) prints every group and why it stopped, from run.json. */
void fl_prec_print(const struct fl_plan *plan, const char *who, FILE *out);
/* --dry-run: per adaptive group, the planned minimum and the most the budget allows. */
void fl_prec_print_plan(const struct fl_plan *plan, json_t *describe, FILE *out);
/* --dry-run: the run's worst case with the adaptive iterations (planned_s: the planned
 * cases' worst, each at its timeout). */
void fl_prec_print_worst(const struct fl_plan *plan, double planned_s, FILE *out);

/* --resume: the run.json "precision" settings and spent time, the adaptive cases beyond the
 * suite's plan (each must be another iteration of one of its groups), elapsed times. -1 with
 * err on a run.json that does not fit the suite. */
int fl_prec_resume(struct fl_plan *plan, const char *dir, json_t *runjson, char *err,
		   size_t errlen);
/* Then, once the statuses are merged: the primary metric of every case done, from its file. */
void fl_prec_resume_values(struct fl_plan *plan, const char *dir);

#endif
