/* SPDX-License-Identifier: GPL-2.0 */
/* Descriptive statistics over a sample (GSL underneath). */
#ifndef FL_STATS_H
#define FL_STATS_H

#include <stddef.h>

struct fl_desc {
	size_t n;
	double mean, sd, cov, min, max;	/* sd: sample standard deviation (n-1); cov = sd/mean */
};

/* Describe x[0..n); sd and cov are NaN when n < 2, cov NaN when mean is 0. */
void fl_describe(const double *x, size_t n, struct fl_desc *d);

#endif
