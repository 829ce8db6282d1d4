// SPDX-License-Identifier: GPL-2.0
/* E-divisive with means over one series (see changepoint.h). O(n^2) per scan of a segment,
 * times the permutations: a 365-run history with 199 permutations takes well under a second. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "changepoint.h"

struct seg {
	size_t lo, hi;		/* [lo, hi) */
	double q;		/* best statistic inside, NAN when too short to split */
	size_t at;		/* where (absolute index) */
};

void fl_cp_defaults(struct fl_cp_opts *o)
{
	*o = (struct fl_cp_opts){ .min_size = 5, .alpha = 0.01, .permutations = 199,
				  .seed = 0x5eedfa17ULL };
}

static unsigned long long next_rand(unsigned long long *s)
{
	unsigned long long z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Largest Q(t) over min <= t <= n - min of x[0..n); *at gets t. NAN when n < 2 * min. Moving
 * one element from the right part to the left updates the within sums in O(n). */
static double best_split(const double *x, size_t n, size_t min, size_t *at)
{
	double total = 0, left = 0, right, best = NAN;

	if (n < 2 * min)
		return NAN;
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			total += fabs(x[i] - x[k]);
	right = total;
	for (size_t t = 1; t + min <= n; t++) {
		double e = x[t - 1], t_ = (double)t, m = (double)(n - t), between, q;

		for (size_t i = 0; i + 1 < t; i++)
			left += fabs(x[i] - e);
		for (size_t j = t; j < n; j++)
			right -= fabs(x[j] - e);
		if (t < min)
			continue;
		between = total - left - right;
		q = t_ * m / (double)n * (2 * between / (t_ * m) - 2 * left / (t_ * (t_ - 1)) -
					 2 * right / (m * (m - 1)));
		if (isnan(best) || q > best) {
			best = q;
			*at = t;
		}
	}
	return best;
}

static void scan(const double *x, size_t min, struct seg *s)
{
	size_t at = 0;

	s->q = best_split(x + s->lo, s->hi - s->lo, min, &at);
	s->at = s->lo + at;
}

/* Permutation p-value of q for the segment: the share of shuffles whose best split is at
 * least as strong, counting the observed order as one of them. */
static double p_value(const double *x, const struct seg *s, double q, const struct fl_cp_opts *o,
		      double *buf, unsigned long long *rng)
{
	size_t n = s->hi - s->lo, at, hits = 1;

	memcpy(buf, x + s->lo, n * sizeof(double));
	for (unsigned r = 0; r < o->permutations; r++) {
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = (size_t)(next_rand(rng) % (i + 1));
			double tmp = buf[i];

			buf[i] = buf[j];
			buf[j] = tmp;
		}
		hits += best_split(buf, n, o->min_size, &at) >= q;
	}
	return (double)hits / (double)(o->permutations + 1);
}

static double mean_of(const double *x, size_t lo, size_t hi)
{
	double sum = 0;

	for (size_t i = lo; i < hi; i++)
		sum += x[i];
	return sum / (double)(hi - lo);
}

/* Whether splitting s at s->at moves the mean by less than min_pct % of the left side's. */
static bool too_small(const double *x, const struct seg *s, double min_pct)
{
	double l, r;

	if (!(min_pct > 0))
		return false;
	l = mean_of(x, s->lo, s->at);
	r = mean_of(x, s->at, s->hi);
	return l != 0 && 100 * fabs(r - l) / fabs(l) < min_pct;
}

static int by_index(const void *a, const void *b)
{
	const struct fl_cp *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* The segment with the strongest split, or -1. */
static long strongest(const struct seg *s, size_t ns)
{
	long best = -1;

	for (size_t i = 0; i < ns; i++)
		if (!isnan(s[i].q) && (best < 0 || s[i].q > s[best].q))
			best = (long)i;
	return best;
}

/* Means on either side of each change point, from the final segmentation. */
static void fill_means(const double *x, size_t n, struct fl_cp *cp, size_t ncp)
{
	for (size_t i = 0; i < ncp; i++) {
		size_t lo = i ? cp[i - 1].index : 0, hi = i + 1 < ncp ? cp[i + 1].index : n;

		cp[i].before = mean_of(x, lo, cp[i].index);
		cp[i].after = mean_of(x, cp[i].index, hi);
		cp[i].change_pct = cp[i].before != 0 ?
			100 * (cp[i].after - cp[i].before) / fabs(cp[i].before) : NAN;
	}
}

int fl_cp_find(const double *x, size_t n, const struct fl_cp_opts *o, struct fl_cp *cp,
	       size_t max)
{
	struct seg *s = calloc(max + 1, sizeof(*s));
	double *buf = malloc((n + 1) * sizeof(double));
	unsigned long long rng = o->seed;
	size_t ns = 1, ncp = 0, min = o->min_size < 2 ? 2 : o->min_size;
	struct fl_cp_opts oo = *o;
	long b;

	if (!s || !buf) {
		free(s);
		free(buf);
		return -1;
	}
	oo.min_size = min;
	s[0] = (struct seg){ 0, n, NAN, 0 };
	scan(x, min, &s[0]);
	while (ncp < max && (b = strongest(s, ns)) >= 0) {
		double p = p_value(x, &s[b], s[b].q, &oo, buf, &rng);

		if (p > o->alpha)
			break;
		if (too_small(x, &s[b], o->min_change_pct)) {
			s[b].q = NAN;	/* not a change point, nor are splits inside it */
			continue;
		}
		cp[ncp++] = (struct fl_cp){ .index = s[b].at, .p = p };
		s[ns] = (struct seg){ s[b].at, s[b].hi, NAN, 0 };
		s[b].hi = s[b].at;
		scan(x, min, &s[b]);
		scan(x, min, &s[ns++]);
	}
	qsort(cp, ncp, sizeof(*cp), by_index);
	fill_means(x, n, cp, ncp);
	free(s);
	free(buf);
	return (int)ncp;
}
