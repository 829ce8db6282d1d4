// SPDX-License-Identifier: GPL-2.0
/* The percentile bootstrap of a difference of means (see bootstrap.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bootstrap.h"

uint64_t fl_rng_next(struct fl_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

size_t fl_rng_below(struct fl_rng *r, size_t n)
{
	return (size_t)(((unsigned __int128)fl_rng_next(r) * n) >> 64);
}

static double resampled_mean(const double *x, size_t n, struct fl_rng *r)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += x[fl_rng_below(r, n)];
	return sum / (double)n;
}

static double mean_of(const double *x, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += x[i];
	return sum / (double)n;
}

int fl_bootstrap(const double *a, size_t na, const double *b, size_t nb, double level,
		 size_t resamples, uint64_t seed, struct fl_test *t)
{
	struct fl_rng rng = { seed };
	size_t below = 0, above = 0;
	double *d, lo, hi;

	memset(t, 0, sizeof(*t));
	if (na < 2 || nb < 2 || !resamples)
		return -1;
	d = malloc(resamples * sizeof(*d));
	if (!d)
		return -1;
	for (size_t i = 0; i < resamples; i++) {
		double ma = resampled_mean(a, na, &rng);

		d[i] = resampled_mean(b, nb, &rng) - ma;
		below += d[i] <= 0;
		above += d[i] >= 0;
	}
	qsort(d, resamples, sizeof(*d), fl_double_cmp);
	t->diff = mean_of(b, nb) - mean_of(a, na);
	t->estimate = t->diff;
	t->stat = NAN;
	t->df = NAN;
	lo = (double)(below + 1) / (double)(resamples + 1);
	hi = (double)(above + 1) / (double)(resamples + 1);
	t->p = t->diff == 0 ? 1 : fmin(1, 2 * fmin(lo, hi));
	t->ci_low = fl_quantile_sorted(d, resamples, (1 - level) / 2);
	t->ci_high = fl_quantile_sorted(d, resamples, (1 + level) / 2);
	t->ci_boot = true;
	free(d);
	return 0;
}
