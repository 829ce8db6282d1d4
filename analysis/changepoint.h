/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Change points in a nightly history: E-divisive with means (Matteson & James 2014, as
 * MongoDB's signal-processing-algorithms and Hunter/Otava use it for performance CI), one
 * dimension, distance exponent 1. The series is split where the energy-distance statistic
 *   Q(t) = t m / n * (2/(t m) sum|x_i - x_j| - 1/C(t,2) sum|x_i - x_k| - 1/C(m,2) sum|x_j - x_l|)
 * (i, k before t; j, l from t on; m = n - t) is largest, when a permutation test says that
 * split is significant; then each side is searched again (binary segmentation, best split
 * first). A fixed seed makes the permutations, and so the answer, the same on every run.
 * A significant split whose two sides' means differ by less than min_change_pct is not a
 * change point (as nightly's threshold: a history of near-exact counts has significant
 * splits of a few events), and that segment is not split further.
 */
#ifndef FL_CHANGEPOINT_H
#define FL_CHANGEPOINT_H

#include <stddef.h>

struct fl_cp_opts {
	size_t min_size;	/* shortest segment (>= 2); 5 */
	double alpha;		/* significance of a split; 0.01 */
	unsigned permutations;	/* 199 */
	unsigned long long seed;
	double min_change_pct;	/* smallest |change| reported, % of the left side; 0: any */
};

struct fl_cp {
	size_t index;		/* first element of the new segment */
	double p;		/* permutation p-value of the split */
	double before, after;	/* means of the segments on either side */
	double change_pct;	/* 100 * (after - before) / |before| */
};

void fl_cp_defaults(struct fl_cp_opts *o);
/* Change points of x[0..n) in index order into cp (room for max); returns how many, or -1
 * when out of memory. */
int fl_cp_find(const double *x, size_t n, const struct fl_cp_opts *o, struct fl_cp *cp,
	       size_t max);

#endif
