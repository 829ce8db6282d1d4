// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <gsl/gsl_statistics_double.h>
#include "stats.h"

void fl_describe(const double *x, size_t n, struct fl_desc *d)
{
	d->n = n;
	d->mean = d->sd = d->cov = d->min = d->max = NAN;
	if (!n)
		return;
	d->mean = gsl_stats_mean(x, 1, n);
	gsl_stats_minmax(&d->min, &d->max, x, 1, n);
	if (n < 2)
		return;
	d->sd = gsl_stats_sd_m(x, 1, n, d->mean);
	if (d->mean != 0)
		d->cov = d->sd / fabs(d->mean);
}
