/* SPDX-License-Identifier: GPL-2.0 */
/* The percentile bootstrap of the difference of two means, with its own deterministic RNG so
 * the same samples always give the same interval and p-value (a verdict must not change when
 * compare is run again). */
#ifndef FL_BOOTSTRAP_H
#define FL_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>
#include "stats.h"

#define FL_BOOT_RESAMPLES 10000
#define FL_BOOT_SEED 0x66617565746c696eULL	/* "faultlin" */

/* splitmix64 (Steele, Lea & Flood 2014): a 64-bit state, no hidden global. */
struct fl_rng {
	uint64_t s;
};
uint64_t fl_rng_next(struct fl_rng *r);
/* A value in [0, n), n >= 1 (Lemire's multiply-shift; bias below n / 2^64). */
size_t fl_rng_below(struct fl_rng *r, size_t n);

/*
 * b against a: resamples times, draw na values of a and nb of b with replacement (each
 * sample on its own: the two runs are independent) and take the difference of their means.
 * The CI is the (1-level)/2 and (1+level)/2 type-7 quantiles of those differences (the
 * percentile interval, as criterion.rs); p is the same distribution read the other way: twice
 * the smaller share, +1 on top and bottom, of differences at or beyond 0 on either side, so p
 * < 1 - level exactly when the interval leaves 0 out (up to that +1). estimate and diff are
 * mean(b) - mean(a); stat and df are NaN; ci_boot is set. Needs na, nb >= 2; -1 otherwise or
 * when out of memory.
 */
int fl_bootstrap(const double *a, size_t na, const double *b, size_t nb, double level,
		 size_t resamples, uint64_t seed, struct fl_test *t);

#endif
