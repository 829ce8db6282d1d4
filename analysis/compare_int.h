/* SPDX-License-Identifier: GPL-2.0 */
/* What the parts of compare (compare.c, compare_groups.c, compare_stats.c, compare_ids.c)
 * share while they build the document. Private to analysis/compare*.c. */
#ifndef FL_COMPARE_INT_H
#define FL_COMPARE_INT_H

#include <stdbool.h>
#include <jansson.h>
#include "compare.h"
#include "counts.h"

/* A group of cases: one workload with one set of parameters, across the runs. */
struct fl_cmp_grp {
	const char *workload, *key;
	json_t *params, *resolved;
};

/* An item name seen in a group, in output order. */
struct fl_cmp_col {
	char *name;		/* the item's name */
	char *shown;		/* name shown: "page-faults/record" for per-op rows */
	const char *unit;
	char kind, better;
	bool per_op;
	bool primary;		/* the group's primary metric (fl_cmp_mark_primary) */
};

/* One multiple-testing family: its comparisons and their p-values, adjusted together; the
 * comparisons of primary metrics carry FL_CMP_PRIMARY_SHARE of the family's weight. */
struct fl_cmp_family {
	json_t *comps;		/* comparison objects in this family */
	double *p;
	size_t n, cap;
};

/* compare_groups.c: cases grouped across runs, the items and values of each group. */
size_t fl_cmp_groups_add(struct fl_cmp_grp *g, size_t *ng, const struct fl_run_case *c);
json_t *fl_cmp_varying_keys(struct fl_cmp_grp *g, size_t ng, const char *wl);
void fl_cmp_label_of(json_t *params, json_t *resolved, json_t *keys, const char *skip,
		     char *buf, size_t len);
json_t *fl_cmp_sweep_of(struct fl_cmp_grp *g, size_t ng, size_t gi, json_t *vkeys);
struct fl_cmp_col *fl_cmp_columns_of(struct fl_run *runs, size_t nruns, const char *key,
				     size_t *ncol);
/* Mark the primary metric among cols: the first workload metric with a better direction, the
 * rule of run --precision (precision.h) and of the history (fl_history_summary). */
void fl_cmp_mark_primary(struct fl_cmp_col *cols, size_t ncol);
const char *fl_cmp_values_of(struct fl_run *r, const char *key, const struct fl_cmp_col *c,
			     double *x, size_t *nx, size_t *ncases, const char **reason);
json_t *fl_cmp_problems_of(struct fl_run *runs, size_t nruns, json_t *vkeys_by_wl);
int fl_cmp_check_shared(struct fl_run *runs, size_t nruns, char *err, size_t errlen);

/* compare_stats.c: one row's statistics per run, its tests against the base, the families. */
const char *fl_cmp_ci_name(enum fl_cmp_test t);
json_t *fl_cmp_run_stats(const char *status, const char *reason, const double *x, size_t n);
json_t *fl_cmp_compare_one(const double *a, size_t na, json_t *sa, const double *b, size_t nb,
			   json_t *sb, const char *label, const struct fl_cmp_col *c,
			   const struct fl_cmp_opts *o, struct fl_cmp_family *fam);
void fl_cmp_family_finish(struct fl_cmp_family *f, const struct fl_cmp_opts *o,
			  const struct fl_cmp_floors *fo);
enum fl_family fl_cmp_family_of_col(const struct fl_cmp_col *c, const char *unit, bool *count);
void fl_cmp_comps_mark(json_t *comps, bool count, json_t *nf);

/* compare_prec.c: each run's precision on group g (run.json's "precision"): an array of
 * {metric, target_pct, halfwidth_pct, n, stopped} or null per run (null also for a run r with
 * no case in g: has[r] false); NULL when no run asked one. */
json_t *fl_cmp_precision_of(struct fl_run *runs, size_t nruns, const struct fl_cmp_grp *g,
			    const bool *has);

/* compare_ids.c: each run's identity, their names and differences, host conditions. */
json_t *fl_cmp_identity_of(struct fl_run *r);
void fl_cmp_name_runs(json_t *ids);
json_t *fl_cmp_differences_of(json_t *ids);
json_t *fl_cmp_conditions_of(struct fl_run *runs, size_t nruns);

#endif
