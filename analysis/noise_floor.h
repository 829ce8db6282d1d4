/* SPDX-License-Identifier: GPL-2.0 */
/* A metric's run-to-run noise floor from a history of runs. Iterations within one run share the
 * run's conditions (the machine's load, where the process was placed, the memory layout), so
 * pooling the iterations of past runs understates how far the next run may land by chance:
 * on a 2-vCPU VM shared with other benchmarks, a clean run's mean sat 5% below five earlier runs
 * whose iterations agreed to 1%, and the pooled t-test called it a regression. The floor is the
 * half-width of the prediction interval for one more run's mean, from the past runs' means. */
#ifndef FL_NOISE_FLOOR_H
#define FL_NOISE_FLOOR_H

#include <stddef.h>
#include "runload.h"

#define FL_NOISE_MIN_RUNS 3	/* fewer runs give no usable spread */

struct fl_noise {
	size_t runs;		/* runs with at least one measured value */
	double mean;		/* mean of the runs' means */
	double run_cov_pct;	/* their coefficient of variation, % */
	double floor_pct;	/* prediction half-width in % of mean; NaN below FL_NOISE_MIN_RUNS */
};

/* The noise floor of metric (an item of kind metric) in the case group key over runs[0..n),
 * at level (e.g. 0.99). Warm-ups and cases that did not end "ok" are left out. */
void fl_noise_floor(const struct fl_run *runs, size_t n, const char *key, const char *metric,
		    double level, struct fl_noise *nf);

/* The grouping key of r's case with this workload and params (a compare group), or NULL. */
const char *fl_noise_key_of(const struct fl_run *r, const char *workload, json_t *params);

#endif
